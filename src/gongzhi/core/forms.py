"""Helpers shared by the workbench's forms."""

from gongzhi.core.errors import DomainError


def add_domain_error(form, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, or on the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))
