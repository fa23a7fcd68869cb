"""Codes that change every minute: the QR an organizer's or a chair's
screen shows for people to check in with (activities, council meetings).

A code is derived from a secret kept on the row (a session's, a
meeting's), the row's id, a direction ("in", "out") and the current
minute. It is accepted in its own minute and the next (so a scan at the
turn of a minute works) and never after, so a code photographed and passed
round later is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import segno
from django.utils import timezone

CODE_SECONDS = 60


class CodeInvalid(Exception):
    """Not a code of this row (forged, garbled, another row's)."""


class CodeExpired(Exception):
    """A code of this row from an earlier minute."""


def _window(now: dt.datetime) -> int:
    return int(now.timestamp()) // CODE_SECONDS


def _mac(secret: str, pk: int, direction: str, window: int) -> str:
    message = f"{pk}:{direction}:{window}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]


def rotating_code(
    *, secret: str, pk: int, direction: str, now: dt.datetime | None = None
) -> str:
    """The code the screen shows this minute."""
    window = _window(now or timezone.now())
    return f"{direction}.{window}.{_mac(secret, pk, direction, window)}"


def rotating_code_check(
    *,
    secret: str,
    pk: int,
    code,
    directions,
    now: dt.datetime | None = None,
) -> str:
    """The direction of a valid code; ``CodeInvalid`` for a forged one or
    one of another direction, ``CodeExpired`` for one of an earlier
    minute. The caller turns them into its own refusal."""
    try:
        direction, window_text, mac = str(code or "").strip().split(".")
        window = int(window_text)
    except ValueError:
        raise CodeInvalid from None
    if direction not in directions or not hmac.compare_digest(
        mac, _mac(secret, pk, direction, window)
    ):
        raise CodeInvalid
    current = _window(now or timezone.now())
    if not current - 1 <= window <= current:
        raise CodeExpired
    return direction


def code_qr_svg(link: str) -> str:
    """The QR of ``link`` (what a phone camera opens), as inline SVG."""
    return segno.make(link, micro=False).svg_inline(scale=4, border=2, omitsize=True)
