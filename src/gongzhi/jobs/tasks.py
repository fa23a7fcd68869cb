"""The platform's own housekeeping, run by the workers on the schedule."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task


@task()
def results_prune_task() -> int:
    """Delete finished jobs past their keeping time (their runs go with
    them): successes after GONGZHI_TASK_KEEP_DAYS days, failures after three
    times as long, so the administrator has time to read them. Running it
    again deletes nothing more."""
    from django_tasks_db.models import DBTaskResult

    days = int(getattr(settings, "GONGZHI_TASK_KEEP_DAYS", 30))
    now = timezone.now()
    succeeded = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL,
        finished_at__lt=now - dt.timedelta(days=days),
    )
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED,
        finished_at__lt=now - dt.timedelta(days=3 * days),
    )
    return succeeded.delete()[0] + failed.delete()[0]


@task()
def sessions_clear_task() -> int:
    """Delete expired login sessions (Django's ``clearsessions``)."""
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
