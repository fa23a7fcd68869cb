"""The nightly rebuild of the dashboards' rollups as a background task:
inline in the embedded default, on a worker when deployed (the schedule
in settings, ``GONGZHI_SCHEDULE["insights_rebuild"]``, runs it at night).
The ``insights_rebuild`` command runs the same service from cron.

It must produce exactly the numbers the services kept during the day (a
test compares the two on seeded data); running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task


def rebuild(*, days: int | None = None, end: dt.date | None = None) -> dict[str, int]:
    from django.utils import timezone

    from .dashboard_rollups import AHEAD_DAYS, rollups_rebuild

    today = timezone.localdate()
    last = end or today + dt.timedelta(days=AHEAD_DAYS)
    start = today - dt.timedelta(days=days - 1) if days else None
    return rollups_rebuild(start=start, end=last)


@task()
def insights_rebuild_task(days: int | None = None, end: str | None = None) -> dict:
    """Recompute every dashboard rollup from ``days`` days back (default:
    every kept day) up to ``end`` (an ISO date; default a year ahead)."""
    return rebuild(days=days, end=dt.date.fromisoformat(end) if end else None)


@task()
def rollups_refresh_task(
    *, domains: list[str], area_ids: list[int], days: list[str]
) -> None:
    """Recount ``domains``' figures of the communities of ``area_ids`` on
    ``days`` (ISO dates) and the areas above them: what a change's handler
    queued (``dashboard_rollups.rollups_refresh_later``). Running it twice
    writes the same rows."""
    from .dashboard_rollups import rollups_refresh
    from .domains import DOMAINS

    rollups_refresh(
        domains=[DOMAINS[name] for name in domains],
        area_ids=area_ids,
        days=[dt.date.fromisoformat(day) for day in days],
    )
