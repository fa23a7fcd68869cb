"""Forms of grid care: few fields, big targets, made for a phone."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core.photos import MAX_PHOTO_BYTES

from .models import IncidentKind, VisitForm
from .services.care import MAX_PHOTOS, MAX_PLAN_DAYS, CallTo

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


def _date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def _datetime_input():
    return forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the service checks each is a photo."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)] if data else []


class VisitCreateForm(forms.Form):
    form = forms.ChoiceField(
        label=_("How"),
        choices=VisitForm.choices,
        initial=VisitForm.HOME,
        widget=forms.RadioSelect(attrs={"class": "big-radio"}),
    )
    visited_on = forms.DateField(label=_("Date"), widget=_date_input())
    findings = forms.CharField(
        label=_("Findings"),
        error_messages={"required": _("Fill in the findings of the visit.")},
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("How they are, what you saw")}
        ),
    )
    needs = forms.CharField(
        label=_("Needs raised"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    request_wanted = forms.BooleanField(
        label=_("Turn the need into a service request"), required=False
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_("Up to %(n)d photos, %(mb)d MB each.")
        % {"n": MAX_PHOTOS, "mb": MAX_PHOTO_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["visited_on"].initial = today
        self.fields["visited_on"].widget.attrs["max"] = today.isoformat()


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind"),
        choices=IncidentKind.choices,
        widget=forms.RadioSelect(attrs={"class": "big-radio"}),
    )
    occurred_at = forms.DateTimeField(label=_("When"), widget=_datetime_input())
    area = forms.TypedChoiceField(label=_("Where"), coerce=int)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )
    responders = forms.CharField(
        label=_("Who responded"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. two grid workers and a neighbour")}
        ),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, places: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = places
        self.fields["occurred_at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )


class IncidentPersonForm(forms.Form):
    """Whom the incident was about, among the people living where it
    happened; optional when recording, so an emergency is never held up."""

    person = forms.TypedChoiceField(
        label=_("Who was it about"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, people: list[tuple[int, str]], required=False, **kw):
        super().__init__(*args, **kw)
        field = self.fields["person"]
        field.required = required
        field.choices = [("", _("Not known yet")), *people]


class CallForm(forms.Form):
    """One call made: a fixed few rows, no script needed."""

    to = forms.ChoiceField(
        label=_("Called"),
        required=False,
        choices=[("", "—"), *CallTo.CHOICES],
    )
    at = forms.TimeField(
        label=_("At"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if data.get("to") and not data.get("at"):
            self.add_error("at", _("Enter when the call was made."))
        if data.get("at") and not data.get("to"):
            self.add_error("to", _("Choose whom was called."))
        return data


CALL_ROWS = 3
CallFormSet = forms.formset_factory(
    CallForm, extra=CALL_ROWS, max_num=CALL_ROWS, validate_max=True
)


def calls_from(formset, day: dt.date) -> list[dict]:
    """The filled-in call rows, their times on the incident's day."""
    calls = []
    for row in formset.cleaned_data:
        if row.get("to"):
            at = timezone.make_aware(dt.datetime.combine(day, row["at"]))
            calls.append({"to": row["to"], "at": at, "note": row.get("note", "")})
    return calls


class IncidentNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Add a note"), widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentCallForm(forms.Form):
    to = forms.ChoiceField(label=_("Called"), choices=CallTo.CHOICES)
    at = forms.DateTimeField(label=_("At"), widget=_datetime_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = timezone.localtime().replace(
            second=0, microsecond=0
        )


class IncidentOutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2})
    )


class IncidentCloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), required=False, max_length=500)


class DueFilterForm(forms.Form):
    area = forms.TypedChoiceField(
        label=_("Grid"), required=False, coerce=int, empty_value=None
    )
    tag = forms.TypedChoiceField(
        label=_("Key population"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, grids, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("All my grids"))] + [
            (g.pk, g.name) for g in grids
        ]
        self.fields["tag"].choices = [("", _("All key populations"))] + [
            (t.pk, t.name) for t in tags
        ]


class CarePlanForm(forms.Form):
    """One "visit every N days" box per tag; empty inherits from above."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            tag = row["tag"]
            self.fields[f"tag_{tag.pk}"] = forms.IntegerField(
                label=tag.name,
                required=False,
                min_value=1,
                max_value=MAX_PLAN_DAYS,
                initial=row["own"].visit_every_days if row["own"] else None,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def bound_rows(self):
        for row in self.rows:
            yield {**row, "field": self[f"tag_{row['tag'].pk}"]}

    def intervals(self) -> dict:
        return {
            row["tag"]: self.cleaned_data.get(f"tag_{row['tag'].pk}")
            for row in self.rows
        }


class PairingForm(forms.Form):
    partner_name = forms.CharField(
        label=_("Partner"),
        max_length=100,
        help_text=_("A co-building unit or a volunteer, e.g. 天津民航大学"),
    )
    partner_phone = forms.CharField(
        label=_("Partner's account phone (optional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    started_on = forms.DateField(label=_("Paired since"), widget=_date_input())
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()


class PairingDeliveryForm(forms.Form):
    what = forms.CharField(
        label=_("What was delivered"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. winter supplies")}),
    )
    delivered_on = forms.DateField(label=_("Date"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_on"].initial = timezone.localdate()


class PairingEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Paired until"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate()
