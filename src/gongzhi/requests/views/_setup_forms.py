"""The forms of the request set-up pages. Field names follow the
services' (``default_to``, ``teams``, ``user``) so a refusal lands on the
field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import DispatchMode
from ..states import Urgency
from ._forms import textarea


class CategoryForm(forms.Form):
    """A category: how it is timed and routed. The code only on create."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        required=False,
        help_text=_("Letters, digits, hyphens; its Open311 service code."),
    )
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=textarea(2)
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    response_hours = forms.IntegerField(
        label=_("Respond within (hours)"), required=False
    )
    resolve_hours = forms.IntegerField(
        label=_("Resolve within (hours)"), required=False
    )
    dispatch_mode = forms.ChoiceField(
        label=_("Dispatch mode"), choices=DispatchMode.choices
    )
    default_to = forms.ChoiceField(
        label=_("Default assignee"),
        required=False,
        help_text=_("New requests go there by themselves; staff can override."),
    )
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams for pool or rotation"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    auto_escalate = forms.BooleanField(
        label=_("Escalate to the street when overdue"), required=False
    )
    auto_close_days = forms.IntegerField(
        label=_("Close unrated after (days)"), required=False, initial=7
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, assignees: dict, create: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignees = assignees
        if not create:
            del self.fields["code"]
        else:
            del self.fields["active"]
        groups = [
            ("team", _("Service teams"), assignees["teams"]),
            (
                "organization",
                _("Property companies and units"),
                assignees["organizations"],
            ),
            ("department", _("Street departments"), assignees["departments"]),
        ]
        choices = [("", _("None: staff dispatch"))]
        for kind, label, found in groups:
            options = [(f"{kind}:{item.pk}", item.name) for item in found]
            if options:
                choices.append((label, options))
        self.fields["default_to"].choices = choices
        self.fields["teams"].queryset = assignees["teams"]

    def default_assignee(self):
        value = self.cleaned_data.get("default_to") or ""
        kind, _sep, pk = value.partition(":")
        pool = {
            "team": "teams",
            "organization": "organizations",
            "department": "departments",
        }.get(kind)
        if pool is None or not pk.isdigit():
            return None
        return self.assignees[pool].filter(pk=pk).first()


def category_initial(category) -> dict:
    default = category.default_assignee
    kind = (
        "team"
        if category.default_team_id
        else "organization"
        if category.default_organization_id
        else "department"
    )
    return {
        "name": category.name,
        "description": category.description,
        "urgency": category.urgency,
        "response_hours": category.response_hours,
        "resolve_hours": category.resolve_hours,
        "dispatch_mode": category.dispatch_mode,
        "default_to": f"{kind}:{default.pk}" if default is not None else "",
        "teams": list(category.teams.all()),
        "auto_escalate": category.auto_escalate,
        "auto_close_days": category.auto_close_days,
        "active": category.active,
    }


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=textarea(2)
    )


class HandlerForm(forms.Form):
    """Who is to work the queue: from the list of those holding the team
    or unit role there, or by phone."""

    user = forms.ChoiceField(label=_("Choose a user"), required=False)
    phone = forms.CharField(
        label=_("Or enter a phone number"), required=False, max_length=20
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", _("Choose…"))] + [
            (str(u.pk), f"{u.name} {u.phone_masked}") for u in users
        ]
