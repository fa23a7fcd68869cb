"""Every write of the jobs app but the worker's own: enqueueing with a
status record, progress, and the retry of a failed job."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskContext, TaskResultStatus
from django_tasks.base import Task
from django_tasks_db import DatabaseBackend

from gongzhi.core.errors import DomainError

from .models import Job


class NotRetryable(DomainError):
    default_message = _(
        "Only a failed job that has not been retried yet can be retried."
    )
    status_code = 409


@transaction.atomic
def job_enqueue(
    *,
    task: Task,
    args: tuple = (),
    kwargs: dict | None = None,
    by=None,
    schedule: str = "",
    due_at: dt.datetime | None = None,
    retry_of: Job | None = None,
) -> Job:
    """Enqueue ``task`` on its backend and keep a status record beside it:
    who asked (``by``, the only one its status page answers), its progress,
    the schedule entry it runs for. With a backend that keeps no results
    (the immediate one of the tests) the task has run when this returns
    and no record is kept: ``None`` comes back."""
    result = task.enqueue(*args, **(kwargs or {}))
    if not isinstance(task.get_backend(), DatabaseBackend):
        return None
    return Job.objects.create(
        result_id=uuid.UUID(result.id),
        schedule=schedule,
        due_at=due_at,
        requested_by=by,
        retry_of=retry_of,
    )


def job_progress(*, context: TaskContext, percent: int, note: str = "") -> None:
    """Record how far a running task is (0 to 100), for a page to poll. A
    task written ``@task(takes_context=True)`` calls it with its context;
    run by a backend without records it does nothing."""
    percent = min(100, max(0, int(percent)))
    Job.objects.filter(pk=context.task_result.id).update(
        progress=percent, note=note[:200]
    )


@transaction.atomic
def job_retry(*, pk, by) -> Job:
    """Run a failed job again: the same task with the same arguments, as a
    new job linked to the failure, which then leaves the list of failures.
    Refused (nothing enqueued) for a job that did not fail or was retried."""
    failed = (
        Job.objects.select_for_update()
        .select_related("result")
        .filter(pk=pk, result__status=TaskResultStatus.FAILED)
        .first()
    )
    if failed is None or Job.objects.filter(retry_of=failed).exists():
        raise NotRetryable(field="job")
    result = failed.result
    task = result.task
    return job_enqueue(
        task=task,
        args=tuple(result.args_kwargs.get("args", ())),
        kwargs=result.args_kwargs.get("kwargs", {}),
        by=by,
        schedule=failed.schedule,
        retry_of=failed,
    )
