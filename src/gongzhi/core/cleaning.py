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


# What no field of any form or endpoint may carry. A NUL byte crashes
# PostgreSQL ("A string literal cannot contain NUL"); the other C0 controls
# (tab, newline and carriage return aside) are never typed and break
# exports and the screens that show them. A whole number beyond 64 bits
# fits no column of either database.
CONTROL_CHARACTERS = frozenset(
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def refuse_control_characters(value: str, *, field: str | None) -> None:
    if not CONTROL_CHARACTERS.isdisjoint(value):
        raise ValidationFailed(
            _("This text contains control characters (such as a NUL byte)."),
            field=field,
        )


def refuse_huge_integer(value: int, *, field: str | None) -> None:
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValidationFailed(_("This number is far too large."), field=field)


def looks_like_huge_integer(text: str) -> bool:
    """A string of digits (a query parameter, a path id) too long for any
    integer column: the only way such text reaches the database is as a
    number."""
    digits = text[1:] if text[:1] in "+-" else text
    return (
        len(digits) > 18
        and digits.isdigit()
        and digits.isascii()
        and (not INT64_MIN <= int(text) <= INT64_MAX)
    )


def input_check(value, *, field: str | None) -> None:
    """Walk a decoded JSON value, refusing control characters in any string
    (keys too) and integers beyond 64 bits, naming the dotted field."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        refuse_huge_integer(value, field=field)
    elif isinstance(value, str):
        refuse_control_characters(value, field=field)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            refuse_control_characters(str(key), field=name)
            input_check(item, field=name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            input_check(item, field=f"{field}.{index}" if field else str(index))
