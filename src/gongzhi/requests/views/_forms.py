"""The forms of the request pages. Field names follow the services'
so a refusal lands on the field it names (``add_domain_error``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..states import Rating


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; the services check each one."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*", "multiple": True})
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(item, initial) for item in items]


def textarea(rows: int = 3, placeholder: str = ""):
    attrs = {"rows": rows}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.Textarea(attrs=attrs)


class RaiseForm(forms.Form):
    """我要点单 on a resident's phone."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, empty_label=_("Choose…")
    )
    area = forms.ChoiceField(label=_("Where"))
    description = forms.CharField(
        label=_("What is the problem"),
        required=False,
        widget=textarea(4, _("For example: the wall of building 1 is leaning.")),
    )
    photos = PhotosField(label=_("Photos"), help_text=_("Up to 9 photos."))
    public = forms.BooleanField(
        label=_("May be shown publicly (可以公开)"),
        required=False,
        help_text=_("Neighbours may see what you wrote, never your name."),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, categories, places, home=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        choices = []
        if home is not None:
            mine = _("My home (%(name)s)") % {"name": home.name}
            choices.append((str(home.pk), mine))
        choices += [(str(p.pk), p.label) for p in places]
        self.fields["area"].choices = choices
        if home is not None:
            self.fields["area"].initial = str(home.pk)


class StaffRaiseForm(forms.Form):
    """Raising on a resident's behalf in the workbench."""

    contact_name = forms.CharField(
        label=_("Contact name"), required=False, max_length=50
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, max_length=20
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, empty_label=_("Choose…")
    )
    area = forms.ChoiceField(label=_("Where"), required=False)
    description = forms.CharField(
        label=_("What is the problem"), required=False, widget=textarea(4)
    )
    photos = PhotosField(label=_("Photos"), help_text=_("Up to 9 photos."))
    public = forms.BooleanField(
        label=_("May be shown publicly (可以公开)"), required=False
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, categories, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
        self.fields["area"].choices = [
            ("", _("The resident's home, else the community")),
            *((str(p.pk), p.label) for p in places),
        ]


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=500, widget=textarea(2)
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))


class EscalateForm(forms.Form):
    note = forms.CharField(
        label=_("What the street should do"), required=False, widget=textarea(2)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))


class DispatchForm(forms.Form):
    to = forms.ChoiceField(label=_("Dispatch to"))
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        teams = [(f"team:{t.pk}", t.name) for t in assignees["teams"]]
        orgs = [(f"organization:{o.pk}", o.name) for o in assignees["organizations"]]
        choices = [("", _("Choose…"))]
        if teams:
            choices.append((_("Service teams"), teams))
        if orgs:
            choices.append((_("Property companies and units"), orgs))
        self.fields["to"].choices = choices
        self.assignees = assignees

    def assignee(self):
        kind, _sep, pk = self.cleaned_data["to"].partition(":")
        pool = self.assignees["teams" if kind == "team" else "organizations"]
        return pool.filter(pk=pk).first()


class TeamForm(forms.Form):
    """A team out of a short list: 抢单 for one of mine, 转单 to another."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None, empty_label=None)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class TransferForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("Transfer to"), queryset=None, empty_label=_("Choose…")
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = teams


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))


class StreetDispatchForm(forms.Form):
    to = forms.ModelChoiceField(
        label=_("Department"), queryset=None, empty_label=_("Choose…")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = departments


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What was done"), required=False, widget=textarea(3)
    )
    photos = PhotosField(label=_("Photos of the result"))


class CallbackForm(forms.Form):
    reached = forms.TypedChoiceField(
        label=_("Reached the resident"),
        choices=[("1", _("Yes")), ("0", _("No, not reached"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    rating = forms.ChoiceField(
        label=_("Her answer"),
        choices=[("", "—"), *Rating.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into tracking number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "GZ…"}),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))
