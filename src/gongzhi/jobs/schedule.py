"""``GONGZHI_SCHEDULE``: periodic jobs by name, each a django-tasks task
run every so many seconds or daily at a local time::

    GONGZHI_SCHEDULE = {
        "requests-sweep": {
            "task": "gongzhi.requests.tasks.sweep_overdue_task", "every": 300,
        },
        "insights-rate-rollups": {
            "task": "gongzhi.insights.rate_tasks.rollup_rebuild_task",
            "at": "02:30",
        },
    }

The times are due times, not promises: a job whose workers were down is
run once when they come back, never once per missed slot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
NAME_MAX = 64


class ScheduleError(ValueError):
    """An entry of GONGZHI_SCHEDULE that cannot be run, and why."""


@dataclass(frozen=True)
class Entry:
    name: str
    task_path: str
    every: int | None = None  # seconds
    at: dt.time | None = None  # local time of day

    @property
    def spec(self) -> str:
        if self.every is not None:
            return f"every {self.every}"
        return f"at {self.at:%H:%M}"

    def task(self):
        from django_tasks.base import Task

        task = import_string(self.task_path)
        if not isinstance(task, Task):
            raise ScheduleError(f"{self.name}: {self.task_path} is not a @task")
        return task

    def first_due(self, now: dt.datetime) -> dt.datetime:
        """When a new entry is first due: at once for an interval, the next
        time of day for a daily one."""
        if self.every is not None:
            return now
        return self._next_at(now)

    def next_due(self, due: dt.datetime, now: dt.datetime) -> dt.datetime:
        """The first slot after ``now`` following the slot ``due``: the
        interval's rhythm is kept, missed slots are skipped."""
        if self.every is not None:
            missed = int((now - due).total_seconds() // self.every) + 1
            return due + dt.timedelta(seconds=self.every * max(missed, 1))
        return self._next_at(max(now, due))

    def _next_at(self, after: dt.datetime) -> dt.datetime:
        local = timezone.localtime(after)
        candidate = local.replace(
            hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0
        )
        if candidate <= local:
            candidate = timezone.make_aware(
                dt.datetime.combine(local.date() + dt.timedelta(days=1), self.at)
            )
        return candidate


def entry_parse(name: str, spec) -> Entry:
    """One entry of the setting, checked; ScheduleError says what is wrong."""
    if not isinstance(name, str) or not name or len(name) > NAME_MAX:
        raise ScheduleError(f"{name!r}: a name is 1 to {NAME_MAX} characters")
    if not isinstance(spec, dict):
        raise ScheduleError(f"{name}: an entry is a dict with 'task' and 'every'/'at'")
    unknown = set(spec) - {"task", "every", "at"}
    if unknown:
        raise ScheduleError(f"{name}: unknown keys {sorted(unknown)}")
    task_path = spec.get("task")
    if not isinstance(task_path, str) or "." not in task_path:
        raise ScheduleError(f"{name}: 'task' is the dotted path of a @task")
    if ("every" in spec) == ("at" in spec):
        raise ScheduleError(f"{name}: give exactly one of 'every' and 'at'")
    if "every" in spec:
        every = spec["every"]
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ScheduleError(f"{name}: 'every' is a whole number of seconds ≥ 1")
        return Entry(name=name, task_path=task_path, every=every)
    at = spec["at"]
    match = _AT.match(at) if isinstance(at, str) else None
    if match is None:
        raise ScheduleError(f"{name}: 'at' is a time of day as HH:MM")
    return Entry(
        name=name,
        task_path=task_path,
        at=dt.time(int(match.group(1)), int(match.group(2))),
    )


def entries() -> dict[str, Entry]:
    """The schedule in settings, every entry checked."""
    schedule = getattr(settings, "GONGZHI_SCHEDULE", {}) or {}
    return {name: entry_parse(name, spec) for name, spec in schedule.items()}
