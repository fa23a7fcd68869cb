"""Helpers shared by the workbench's forms.

Every form renders through ``FormRenderer`` (``FORM_RENDERER`` in the
settings), whose bound fields settle their choices once for all forms:
Django's "---------" becomes a prompt a person understands (请选择……),
and a required choice with a single option has it chosen already, so a
staff member with one community is not asked which.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError

PROMPT = _("Choose…")
DASHES = "---------"


def add_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _is_blank(value) -> bool:
    return value in ("", None)


def _relabel(field: forms.Field) -> None:
    """Put the prompt where Django would show its dashes."""
    if isinstance(field, forms.ModelChoiceField):
        if str(field.empty_label) == DASHES:
            field.empty_label = PROMPT
        return
    if not isinstance(field, forms.ChoiceField) or not isinstance(field.choices, list):
        return
    dashes = [_is_blank(v) and str(label) == DASHES for v, label in field.choices]
    if any(dashes):
        field.choices = [
            (v, PROMPT if dashed else label)
            for (v, label), dashed in zip(field.choices, dashes, strict=True)
        ]


def _only_option(field: forms.Field):
    """The value of a required single choice's one option, its prompt
    dropped; None where there is a real choice to make. A model field's
    options are read once and kept, so rendering them costs no query more."""
    if not field.required or isinstance(
        field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField
    ):
        return None
    if isinstance(field, forms.ModelChoiceField):
        if field.queryset is None:
            return None
        field.choices = list(field.choices)
    elif not isinstance(field, forms.ChoiceField) or not isinstance(
        field.choices, list
    ):
        return None
    options = [(v, label) for v, label in field.choices if not _is_blank(v)]
    if len(options) != 1 or isinstance(options[0][1], list | tuple):
        return None  # several options, or a group of them
    field.choices = options
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = None
    value = options[0][0]
    return getattr(value, "value", value)  # a ModelChoiceIteratorValue


class PromptedBoundField(BoundField):
    def __init__(self, form, field, name):
        _relabel(field)  # the form's own copy of the field
        super().__init__(form, field, name)

    @cached_property
    def initial(self):
        value = super().initial
        if _is_blank(value) and not self.form.is_bound:
            only = _only_option(self.field)
            if only is not None:
                return only
        return value


class FormRenderer(DjangoTemplates):
    bound_field_class = PromptedBoundField
