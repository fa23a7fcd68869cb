"""转为诉求 from a care visit: who may raise a request from a visit, and
the form that does it, shared by the visit's page (through a template tag)
and the raise page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope

from . import selectors


class VisitRaiseForm(forms.Form):
    """转为诉求: a need found on a care visit becomes a request."""

    category = forms.ModelChoiceField(
        label=_("Category"), queryset=None, empty_label=_("Choose…")
    )
    description = forms.CharField(
        label=_("What is the problem"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


def visit_raise_form(visit, data=None) -> VisitRaiseForm:
    return VisitRaiseForm(
        data,
        categories=selectors.categories_at(visit.household),
        initial={"description": visit.needs or visit.findings},
    )


def may_raise_from(user, visit) -> bool:
    return in_scope(user, visit.household, Perm.REQUEST_RAISE)
