"""Telling the listeners (``core.hooks``) what the ledger and the shop
changed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.core.hooks import announce

from ..events import CHANGED


def points_changed(*, community_id: int, moments: list[dt.datetime]) -> None:
    """Announce ``points.changed`` for a community on the local days of
    ``moments``."""
    days = sorted({timezone.localtime(moment).date() for moment in moments})
    announce(CHANGED, community_ids=[community_id], days=days)
