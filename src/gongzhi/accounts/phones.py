"""Mainland mobile numbers: normalization and validation."""

import re

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ValidationFailed

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_NOISE = re.compile(r"[\s\-()]")


def normalize_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 prefix; no validation."""
    phone = _NOISE.sub("", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    return phone


def clean_phone(raw: str, *, field: str = "phone") -> str:
    """Normalize and validate, or refuse naming ``field``."""
    phone = normalize_phone(raw)
    if not phone:
        raise ValidationFailed(_("Enter a phone number."), field=field)
    if not _MOBILE.match(phone):
        raise ValidationFailed(
            _("Enter an 11-digit mainland mobile number starting with 1."),
            field=field,
        )
    return phone
