"""Telling the listeners (``core.hooks``) what changed among people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gongzhi.core.hooks import announce

from ..events import CHANGED

# What changed: a visit, an incident, a tag, or a person's living here
# (moved in or out, died: which counts every day, see ``events.py``).
VISIT, INCIDENT, TAG, PERSON = "visit", "incident", "tag", "person"


def residents_changed(
    *, what: str, area_ids: Iterable[int | None], days: Iterable[dt.date]
) -> None:
    """Announce ``residents.changed`` for the places and days given."""
    areas = sorted({pk for pk in area_ids if pk})
    if areas:
        announce(CHANGED, what=what, area_ids=areas, days=sorted(set(days)))
