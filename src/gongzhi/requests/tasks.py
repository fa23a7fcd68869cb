"""The requests' periodic sweep as a background task: inline in the
embedded default, on a worker when deployed. The ``requests_sweep``
command runs the same service from cron (every few minutes)."""

import datetime as dt

from django_tasks import task


@task()
def sweep_overdue_task(now: str | None = None) -> dict[str, int]:
    """Flag overdue requests, escalate those configured to, close unrated
    ones. ``now`` is an ISO 8601 time (tests); default the clock."""
    from .services.sweep import sweep_overdue

    return sweep_overdue(now=dt.datetime.fromisoformat(now) if now else None)
