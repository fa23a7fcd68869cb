import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import checks

from gongzhi.jobs.schedule import ScheduleError, entries, entry_parse

SHANGHAI = ZoneInfo("Asia/Shanghai")
T = "gongzhi.jobs.tasks.sessions_clear_task"


def at(hour, minute=0, second=0, day=3):
    return dt.datetime(2026, 12, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "spec, says",
    [
        ({"task": T}, "exactly one of"),
        ({"task": T, "every": 60, "at": "02:00"}, "exactly one of"),
        ({"task": T, "every": 0}, "'every'"),
        ({"task": T, "every": "60"}, "'every'"),
        ({"task": T, "every": True}, "'every'"),
        ({"task": T, "at": "24:00"}, "'at'"),
        ({"task": T, "at": "2:30"}, "'at'"),
        ({"task": "nodots", "every": 5}, "'task'"),
        ({"task": T, "every": 5, "args": [1]}, "unknown keys"),
        ("every 5", "a dict"),
    ],
)
def test_a_malformed_entry_is_refused_naming_what_is_wrong(spec, says):
    with pytest.raises(ScheduleError, match=says):
        entry_parse("job", spec)


def test_an_interval_keeps_its_rhythm_and_skips_missed_slots():
    entry = entry_parse("job", {"task": T, "every": 300})
    due = at(10)
    assert entry.first_due(due) == due
    assert entry.next_due(due, at(10, 0, 1)) == at(10, 5)
    # The workers were down for 17 minutes: one run now, then on the rhythm.
    assert entry.next_due(due, at(10, 17)) == at(10, 20)


def test_a_daily_entry_is_due_at_its_local_time_today_or_tomorrow():
    entry = entry_parse("job", {"task": T, "at": "02:30"})
    assert entry.first_due(at(1)) == at(2, 30)
    assert entry.first_due(at(2, 30)) == at(2, 30, day=4)
    assert entry.next_due(at(2, 30), at(2, 30, 5)) == at(2, 30, day=4)
    assert entry.spec == "at 02:30"


def test_the_shipped_schedule_names_existing_tasks():
    found = entries()
    assert {
        "requests-sweep",
        "insights-rate-rollups",
        "points-expire",
        "points-orders-unclaimed",
        "activities-finish-ended",
        "jobs-prune",
        "sessions-clear",
    } <= set(found)
    for entry in found.values():
        assert entry.task().module_path == entry.task_path


def test_the_system_check_names_a_task_that_does_not_exist(settings):
    settings.GONGZHI_SCHEDULE = {
        "typo": {"task": "gongzhi.requests.tasks.no_such_task", "every": 60}
    }
    from gongzhi.jobs.checks import schedule_check

    errors = schedule_check()
    assert [e.id for e in errors] == ["gongzhi.jobs.E002"]
    assert "typo" in errors[0].msg
    settings.GONGZHI_SCHEDULE = {"bad": {"task": T, "every": -1}}
    assert [e.id for e in schedule_check()] == ["gongzhi.jobs.E001"]
    assert isinstance(schedule_check()[0], checks.Error)
