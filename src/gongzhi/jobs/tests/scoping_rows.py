"""Scoping rows: the background jobs' pages belong to the platform, not to
a place. The system administrator (``jobs.manage``) reaches them whole;
every other login gets 404, as for a page that does not exist."""

from django.utils import timezone
from django_tasks import TaskResultStatus

from tests.test_scoping_matrix import Row

MANAGE = "jobs.manage"


def _failed_job(area) -> str:
    """A job failed for good, to be retried (any place: jobs have none)."""
    from django_tasks_db.models import DBTaskResult

    from gongzhi.jobs.models import Job

    result = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path="gongzhi.jobs.tasks.sessions_clear_task",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        finished_at=timezone.now(),
        exception_class_path="builtins.RuntimeError",
        traceback="RuntimeError: matrix",
    )
    return str(Job.objects.create(result=result, schedule="sessions-clear").pk)


PLACE_NAMES = {"failed_job": _failed_job}

ROWS = [
    Row("jobs: schedule page", "GET", "/workbench/jobs/", needs="anywhere:" + MANAGE),
    Row(
        "jobs: failures page",
        "GET",
        "/workbench/jobs/failures/",
        needs="anywhere:" + MANAGE,
    ),
    Row(
        "jobs: retry a failed job",
        "POST",
        "/workbench/jobs/failures/{failed_job}/retry/",
        needs="perm:" + MANAGE,
        ok=302,
        places="street",
    ),
]
