"""Reading the workers' records for the system administrator's pages.

Background jobs belong to the platform, not to a place: they are read by
whoever holds ``jobs.manage`` (the system administrator), whole, never
scoped to an area."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django_tasks import TaskResultStatus

from .models import Job, Outcome, Run, Schedule
from .schedule import Entry, entries

RECENT_RUNS = 5
FAILURES_SHOWN = 200
SUMMARY_LINES = 6


def failure_list() -> QuerySet[Job]:
    """Jobs failed for good and not yet retried, the latest first, each
    with its last run's error and traceback (``last_error``,
    ``last_traceback``) and how many times it was tried (``attempts``)."""
    last = Run.objects.filter(job=OuterRef("pk")).order_by("-attempt")
    return (
        Job.objects.filter(
            result__status=TaskResultStatus.FAILED, retried_by__isnull=True
        )
        .select_related("result")
        .annotate(
            last_error=Subquery(last.values("error")[:1]),
            last_traceback=Subquery(last.values("traceback")[:1]),
            attempts=Max("runs__attempt"),
        )
        .order_by("-result__finished_at", "-pk")[:FAILURES_SHOWN]
    )


def traceback_summary(trace: str, *, lines: int = SUMMARY_LINES) -> str:
    """The end of a traceback: where it failed and why."""
    kept = [
        line
        for line in (trace or "").splitlines()
        # Python's markers under the failing expression say nothing here.
        if line.strip() and line.strip().strip("^~") != ""
    ]
    return "\n".join(kept[-lines:])


def failure_count() -> int:
    return Job.objects.filter(
        result__status=TaskResultStatus.FAILED, retried_by__isnull=True
    ).count()


@dataclass
class ScheduledJob:
    entry: Entry
    row: Schedule | None
    last_success: object = None
    runs: list[Run] = field(default_factory=list)


def schedule_overview() -> list[ScheduledJob]:
    """Each entry of the schedule with its next due time, its last success
    and its latest runs (four queries, whatever the number of entries)."""
    found = entries()
    rows = {row.name: row for row in Schedule.objects.filter(name__in=found)}
    successes = dict(
        Run.objects.filter(job__schedule__in=found, outcome=Outcome.SUCCEEDED)
        .values_list("job__schedule")
        .annotate(last=Max("finished_at"))
    )
    overview = {
        name: ScheduledJob(
            entry=entry, row=rows.get(name), last_success=successes.get(name)
        )
        for name, entry in found.items()
    }
    recent = (
        Run.objects.filter(job__schedule__in=found)
        .select_related("job")
        .order_by("-started_at", "-pk")[: RECENT_RUNS * len(found) * 4]
    )
    for run in recent:
        runs = overview[run.job.schedule].runs
        if len(runs) < RECENT_RUNS:
            runs.append(run)
    return list(overview.values())


def job_get(*, pk) -> Job:
    """Any job, for the administrator; an unknown id answers 404."""
    return get_object_or_404(Job.objects.select_related("result"), pk=pk)


def job_status_get(*, user, pk) -> Job:
    """A job the user enqueued herself (a long export, say), for its status
    page to poll; anyone else's answers 404."""
    return get_object_or_404(
        Job.objects.select_related("result"), pk=pk, requested_by=user
    )
