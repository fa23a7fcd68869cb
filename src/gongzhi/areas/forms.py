from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ALLOWED_PARENTS, Area, Kind


def child_kinds(parent: Area) -> list[tuple[str, str]]:
    return [
        (value, label)
        for value, label in Kind.choices
        if parent.kind in ALLOWED_PARENTS[value]
    ]


class AreaCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    # No max_length here: the service refuses an over-long name with a
    # message giving the count, and the browser must not cut it silently.
    name = forms.CharField(label=_("Name"))
    code = forms.CharField(label=_("Code"), required=False, max_length=64)

    def __init__(self, *args, parent: Area, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = child_kinds(parent)


class AreaRenameForm(forms.Form):
    name = forms.CharField(label=_("New name"))


class AreaMoveForm(forms.Form):
    parent = forms.TypedChoiceField(label=_("New parent"), coerce=int)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [(area.pk, label) for area, label in candidates]
