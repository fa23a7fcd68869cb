"""Where a person lives: one home for the question every app asks.

Two meanings, named apart:
- the *current* home: the household she is registered in now; None once she
  moved out (a party member's 双报到 goes to the community she lives in now);
- the *last known* home: the current one, or the one she lived in last for
  people who moved away, so her requests, points and sign-ups keep a place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gongzhi.areas.tree import community_of

if TYPE_CHECKING:
    from gongzhi.areas.models import Area

    from .models import Person


def current_home(person: Person | None) -> Area | None:
    return person.household if person is not None and person.household_id else None


def last_known_home(person: Person | None) -> Area | None:
    if person is None:
        return None
    return person.household or person.last_household


def current_community(person: Person | None) -> Area | None:
    home = current_home(person)
    return community_of(home) if home is not None else None


def last_known_community(person: Person | None) -> Area | None:
    home = last_known_home(person)
    return community_of(home) if home is not None else None
