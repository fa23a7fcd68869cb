"""Real worker processes on a database shared with the test: a file
SQLite database, or PostgreSQL when DATABASE_URL names it (CI runs both)."""

import datetime as dt
import signal

import pytest
from django_tasks import TaskResultStatus

from gongzhi.jobs.models import Job, Outcome, Run
from gongzhi.jobs.services import job_enqueue

from . import probes
from .conftest import TIMEOUT, probe_lines, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

P = "gongzhi.jobs.tests.probes."


def _stop(*processes):
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        assert process.wait(timeout=TIMEOUT) == 0


def _intervals(lines) -> list[tuple[float, float]]:
    return sorted((float(start), float(end)) for _pid, end, start in lines)


def test_a_job_due_every_second_runs_once_per_second_with_two_workers(
    start_worker, probe_dir
):
    schedule = {"probe-record": {"task": P + "record", "every": 1}}
    first, second = start_worker(schedule), start_worker(schedule)
    wait_for(lambda: len(probe_lines(probe_dir, "record")) >= 3)
    _stop(first, second)

    jobs = list(Job.objects.filter(schedule="probe-record").order_by("due_at"))
    slots = [job.due_at for job in jobs]
    # Each slot was enqueued by one worker alone, slots a whole second apart.
    assert len(slots) == len(set(slots)) >= 3
    for earlier, later in zip(slots, slots[1:], strict=False):
        gap = (later - earlier).total_seconds()
        assert gap >= 1 and gap == int(gap)
    # Each job ran exactly once, and no two runs overlapped.
    runs = Run.objects.filter(job__schedule="probe-record")
    assert sorted(runs.values_list("job_id", flat=True)) == sorted(
        job.pk for job in jobs
    )
    assert set(runs.values_list("outcome", flat=True)) == {Outcome.SUCCEEDED}
    intervals = _intervals(probe_lines(probe_dir, "record"))
    assert len(intervals) == len(jobs)
    for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
        assert start >= end


def test_two_queued_runs_of_one_job_never_run_side_by_side(start_worker, probe_dir):
    # Never due by the clock: only the two runs enqueued here.
    schedule = {"probe-record": {"task": P + "record", "at": "00:00"}}
    for _ in range(2):
        job_enqueue(task=probes.record, schedule="probe-record")
    first, second = start_worker(schedule), start_worker(schedule)
    wait_for(lambda: len(probe_lines(probe_dir, "record")) >= 2, timeout=TIMEOUT)
    _stop(first, second)
    (a_start, a_end), (b_start, _b_end) = _intervals(probe_lines(probe_dir, "record"))
    assert b_start >= a_end


def test_a_failing_job_is_retried_with_backoff_then_listed_and_retried_by_hand(
    start_worker, probe_dir, client, users
):
    schedule = {"probe-fail": {"task": P + "fail_unless_flag", "every": 3600}}
    worker = start_worker(schedule)
    job = wait_for(
        lambda: Job.objects.filter(
            schedule="probe-fail", result__status=TaskResultStatus.FAILED
        ).first()
    )
    attempts = [float(line[1]) for line in probe_lines(probe_dir, "fail")]
    assert len(attempts) == 3  # GONGZHI_TASK_ATTEMPTS
    first, second, third = attempts
    first_wait, second_wait = second - first, third - second
    assert first_wait >= 0.3 and second_wait >= 0.6  # 0.3 s, doubling
    assert (
        list(job.runs.order_by("attempt").values_list("outcome", flat=True))
        == [Outcome.FAILED] * 3
    )

    client.force_login(users["system_admin"])
    page = client.get("/workbench/jobs/failures/").content.decode()
    assert "probe-fail" in page and "probe failure: no flag" in page

    (probe_dir / "flag").touch()
    response = client.post(f"/workbench/jobs/failures/{job.pk}/retry/")
    assert response.status_code == 302
    again = Job.objects.get(retry_of=job)
    wait_for(
        lambda: Job.objects.filter(
            pk=again.pk, result__status=TaskResultStatus.SUCCESSFUL
        ).exists()
    )
    _stop(worker)
    assert len(probe_lines(probe_dir, "fail")) == 4
    page = client.get("/workbench/jobs/failures/").content.decode()
    assert "probe failure: no flag" not in page


def test_a_job_whose_worker_is_killed_is_run_again_after_its_lease(
    start_worker, probe_dir
):
    schedule = {"probe-slow": {"task": P + "slow_first", "every": 3600}}
    workers = [start_worker(schedule), start_worker(schedule)]
    pid, _at, attempt = wait_for(lambda: probe_lines(probe_dir, "slow"))[0]
    assert attempt == "1"
    victim = next(w for w in workers if w.pid == int(pid))
    survivor = next(w for w in workers if w is not victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=TIMEOUT)

    job = Job.objects.get(schedule="probe-slow")
    wait_for(
        lambda: Job.objects.filter(
            pk=job.pk, result__status=TaskResultStatus.SUCCESSFUL
        ).exists()
    )
    _stop(survivor)
    lost, finished = job.runs.order_by("attempt")
    assert (lost.attempt, lost.outcome) == (1, Outcome.LOST)
    assert (finished.attempt, finished.outcome) == (2, Outcome.SUCCEEDED)
    assert finished.worker_id.split("-")[-2] == str(survivor.pid)
    # Taken back only once the lease (1.5 s) had run out.
    assert finished.started_at - lost.started_at >= dt.timedelta(seconds=1.5)
    assert [line[2] for line in probe_lines(probe_dir, "slow")] == ["1", "2"]
