"""Forms of the workbench and the portal; the services check everything
again and their refusals land on the field they name."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SelectionKind


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(item, initial) for item in items]


def _local(days: int, hour: int) -> str:
    day = timezone.localdate() + dt.timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00"


class SelectionForm(forms.Form):
    kind = forms.ModelChoiceField(SelectionKind.objects.none(), label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=80)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    vote_opens = forms.DateTimeField(
        label=_("Voting opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    vote_closes = forms.DateTimeField(
        label=_("Voting closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    per_category = forms.IntegerField(
        label=_("Choices per category"), min_value=1, max_value=100, initial=10
    )
    per_ballot = forms.IntegerField(
        label=_("Choices per ballot"), min_value=1, max_value=500, initial=50
    )
    seats = forms.IntegerField(
        label=_("Honoured per category"), min_value=1, max_value=100, initial=3
    )
    public_weight = forms.IntegerField(
        label=_("Weight of the public vote (%)"),
        min_value=0,
        max_value=100,
        initial=60,
        help_text=_("The committee's secret ballot weighs the rest."),
    )
    publicity_days = forms.IntegerField(
        label=_("Days of publicity (公示)"), min_value=1, max_value=60, initial=7
    )
    points = forms.IntegerField(
        label=_("Points for each honoured person"),
        min_value=0,
        max_value=10_000,
        initial=0,
    )
    ballot_changeable = forms.BooleanField(
        label=_("Voters may change their ballot until the vote closes"),
        required=False,
        initial=True,
    )
    results_hidden = forms.BooleanField(
        label=_("Hide the results until the vote closes"),
        required=False,
        initial=True,
    )
    committee = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Review committee"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, kinds, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = kinds
        self.fields["committee"].queryset = members
        self.fields["year"].initial = timezone.localdate().year
        self.fields["vote_opens"].initial = _local(14, 9)
        self.fields["vote_closes"].initial = _local(21, 18)


class NominateForm(forms.Form):
    """The nominee named as one knows a neighbour: where she lives and her
    name; the registry is searched for exactly that and nothing is shown
    of it otherwise."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    place = forms.TypedChoiceField(label=_("Building / entrance"), coerce=int)
    room = forms.CharField(
        label=_("Room"), max_length=20, required=False, help_text=_("For example 101")
    )
    name = forms.CharField(label=_("Nominee's name"), max_length=50, required=False)
    story = forms.CharField(
        label=_("Story (事迹)"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What they did, when, for whom."),
    )
    photos = MultiplePhotoField(label=_("Photos"), required=False)

    def __init__(self, *args, selection, places, **kwargs):
        super().__init__(*args, **kwargs)
        categories = selection.kind.categories
        if categories:
            self.fields["category"].choices = [("", "")] + [(c, c) for c in categories]
            self.fields["category"].required = True
        else:
            del self.fields["category"]
        self.fields["place"].choices = [("", "")] + places
        nominee = selection.kind.nominee_type
        if nominee == "building":
            self.fields["place"].label = _("Building")
            del self.fields["room"]
            del self.fields["name"]
        elif nominee == "household":
            del self.fields["name"]
        self.fields["photos"].widget.attrs["accept"] = "image/*"
