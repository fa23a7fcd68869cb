"""居民身份证 numbers (GB 11643-1999): checksum, birth date, gender."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CHARS = "10X98765432"


@dataclass(frozen=True)
class ResidentId:
    number: str  # always the 18-digit form
    birth_date: dt.date
    gender: str  # "male" | "female"


def check_char(first17: str) -> str:
    total = sum(
        int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True)
    )
    return CHECK_CHARS[total % 11]


def parse_resident_id(raw: str, *, field: str = "id_number", today=None) -> ResidentId:
    """Validate an 18-digit (or legacy 15-digit) ID number.

    A 15-digit number (issued before 1999, born 19xx) is upgraded to its
    18-digit form. Refuses a wrong length, non-digits, an impossible or
    future birth date and a wrong check character, naming ``field``.
    """
    number = (raw or "").strip().upper().replace(" ", "")
    if not number:
        raise ValidationFailed(_("Enter the ID number."), field=field)
    if len(number) == 15 and number.isdigit():
        first17 = number[:6] + "19" + number[6:15]
        number = first17 + check_char(first17)
    if len(number) != 18:
        raise ValidationFailed(
            _("An ID number has 18 characters (this one has %(n)d).")
            % {"n": len(number)},
            field=field,
        )
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        raise ValidationFailed(
            _("An ID number is 17 digits followed by a digit or X."), field=field
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationFailed(
            _("The birth date in this ID number does not exist."), field=field
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1880:
        raise ValidationFailed(
            _("The birth date in this ID number is not possible."), field=field
        )
    if check_char(number[:17]) != number[17]:
        raise ValidationFailed(
            _("This ID number's check digit is wrong; please check it."), field=field
        )
    gender = "male" if int(number[16]) % 2 else "female"
    return ResidentId(number=number, birth_date=birth, gender=gender)
