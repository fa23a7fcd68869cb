"""The activities' periodic work as background tasks, run by the workers
on the schedule in settings (``GONGZHI_SCHEDULE``)."""

from django_tasks import task


@task()
def activities_finish_ended_task() -> int:
    """Finish the published activities whose last session has begun; one
    already finished is left alone, so running it again changes nothing."""
    from .services.activities import activities_finish_ended

    return activities_finish_ended()
