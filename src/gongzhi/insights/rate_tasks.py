"""The nightly rebuild of the three rates' rollups as a background task:
inline in the embedded default, on a worker when deployed. The
``requests_rollup`` command runs the same service from cron."""

import datetime as dt

from django_tasks import task

# Requests are worked for weeks after they are raised, and a bucket's
# counts move with them: the nightly run re-sums this many recent days.
DEFAULT_DAYS = 62


def rebuild_range(*, days: int, end: dt.date | None = None) -> dict[str, int]:
    from django.utils import timezone

    from .rollups import rollup_rebuild

    end = end or timezone.localdate()
    start = end - dt.timedelta(days=max(days, 1) - 1)
    return rollup_rebuild(start=start, end=end)


@task()
def rollup_rebuild_task(days: int = DEFAULT_DAYS, end: str | None = None) -> dict:
    """Recompute the rollups of the requests raised in the last ``days``
    days up to ``end`` (an ISO date; default today)."""
    return rebuild_range(days=days, end=dt.date.fromisoformat(end) if end else None)
