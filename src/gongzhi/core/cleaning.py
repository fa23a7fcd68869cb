"""Cleaning what a user typed, refusing rather than cutting it short."""

from django.utils.translation import gettext as _

from .errors import ValidationFailed


def text_clean(value, *, field: str, limit: int, required: bool = False) -> str:
    """``value`` stripped of surrounding spaces; refused, naming ``field``,
    when it is empty but required or longer than ``limit`` characters."""
    value = str(value or "").strip()
    if required and not value:
        raise ValidationFailed(_("This field is required."), field=field)
    if len(value) > limit:
        raise ValidationFailed(
            _("Keep it within %(max)d characters.") % {"max": limit}, field=field
        )
    return value
