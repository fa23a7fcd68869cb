"""Telling the listeners (``core.hooks``) which sessions changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from gongzhi.core.hooks import announce

from ..events import CHANGED
from ..models import Occurrence


def sessions_changed(
    *,
    occurrences: Iterable[Occurrence] = (),
    community_ids: Iterable[int] = (),
    days: Iterable[dt.date] = (),
) -> None:
    """Announce ``volunteering.changed`` for ``occurrences`` (their
    communities and the local days they start on), or for the communities
    and days given."""
    communities, dates = set(community_ids), set(days)
    for occurrence in occurrences:
        communities.add(occurrence.community_id)
        dates.add(timezone.localtime(occurrence.starts_at).date())
    if communities and dates:
        announce(CHANGED, community_ids=sorted(communities), days=sorted(dates))
