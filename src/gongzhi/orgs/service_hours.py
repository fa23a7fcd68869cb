"""Where a party member's service hours come from.

双报到 members serve through volunteering, which builds on orgs (its teams
and activities belong to units). Volunteering registers its two readers
here when it starts (VolunteeringConfig), so the pool, the unit reports and
a member's portal page read hours without orgs importing volunteering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

_readers: dict[str, Callable] = {}


def service_hours_from(*, by_person: Callable, record: Callable) -> None:
    """Read hours through ``by_person(person_ids, start=, end=)`` (each
    person's hours and sessions) and ``record(person, start=, end=)`` (one
    volunteer's hours, sessions and teams)."""
    _readers.update(by_person=by_person, record=record)


def _reader(name: str) -> Callable:
    if name not in _readers:
        raise ImproperlyConfigured("gongzhi.volunteering is not installed")
    return _readers[name]


def hours_by_person(
    person_ids, *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, dict]:
    """Each of ``person_ids``' hours and sessions within [start, end]."""
    return _reader("by_person")(person_ids, start=start, end=end)


def service_record(person, *, start: dt.date | None = None, end: dt.date | None = None):
    """A volunteer's hours, sessions and teams within [start, end]."""
    return _reader("record")(person, start=start, end=end)
