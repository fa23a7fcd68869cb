from django.core import checks

from .schedule import ScheduleError, entries


@checks.register()
def schedule_check(app_configs=None, **kwargs):
    """Every entry of GONGZHI_SCHEDULE names a task that exists and says
    when, so a typo fails ``check`` rather than a job silently never running."""
    try:
        found = entries()
    except ScheduleError as exc:
        return [checks.Error(str(exc), id="gongzhi.jobs.E001")]
    errors = []
    for entry in found.values():
        try:
            entry.task()
        except (ImportError, ScheduleError) as exc:
            errors.append(checks.Error(f"{entry.name}: {exc}", id="gongzhi.jobs.E002"))
    return errors
