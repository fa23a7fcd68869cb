"""The worker's steps in this process, on the database backend, with the
clock passed in: scheduling, the per-job lock, retries and leases. The
same steps in real processes: test_processes.py."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongzhi.jobs.models import Job, Outcome, Run, Schedule
from gongzhi.jobs.services import NotRetryable, job_enqueue, job_retry
from gongzhi.jobs.worker import (
    Worker,
    job_claim,
    job_run,
    runs_reclaim,
    schedule_due,
    schedule_sync,
)

from . import probes

P = "gongzhi.jobs.tests.probes."

pytestmark = pytest.mark.django_db


@pytest.fixture
def probes_here(monkeypatch, probe_dir, db_backend, settings):
    monkeypatch.setenv("GONGZHI_PROBE_DIR", str(probe_dir))
    settings.GONGZHI_TASK_ATTEMPTS = 3
    settings.GONGZHI_TASK_BACKOFF = 10
    settings.GONGZHI_TASK_LEASE = 60
    return probe_dir


def _schedule(settings, **entries):
    settings.GONGZHI_SCHEDULE = {
        name.replace("_", "-"): spec for name, spec in entries.items()
    }
    schedule_sync()


def test_a_slot_is_enqueued_once_however_many_workers_look(settings, probes_here):
    _schedule(settings, probe_record={"task": P + "record", "every": 60})
    now = timezone.now()
    first = schedule_due(now=now)
    assert len(first) == 1 and first[0].schedule == "probe-record"
    assert schedule_due(now=now) == []  # the second worker finds it taken
    row = Schedule.objects.get(name="probe-record")
    assert row.next_run_at == first[0].due_at + dt.timedelta(seconds=60)


def test_a_slot_passes_while_the_previous_run_is_still_queued(settings, probes_here):
    _schedule(settings, probe_record={"task": P + "record", "every": 60})
    now = timezone.now()
    schedule_due(now=now)
    assert schedule_due(now=now + dt.timedelta(seconds=61)) == []
    assert Job.objects.filter(schedule="probe-record").count() == 1


def test_a_second_run_of_a_job_waits_while_the_first_holds_its_lease(
    settings, probes_here
):
    _schedule(settings, probe_record={"task": P + "record", "at": "00:00"})
    for _ in range(2):
        job_enqueue(task=probes.record, schedule="probe-record")
    claimed = job_claim(worker_id="a")
    assert claimed is not None
    assert job_claim(worker_id="b") is None  # deferred, not run
    waiting = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert waiting.run_after > timezone.now()
    assert not Run.objects.filter(worker_id="b").exists()
    job_run(claimed)
    waiting.run_after = timezone.now()
    waiting.save(update_fields=["run_after"])
    assert job_claim(worker_id="b") is not None


def test_a_failure_is_retried_after_a_doubling_backoff_then_fails(probes_here):
    job = job_enqueue(task=probes.fail_unless_flag)
    waits = []
    for attempt in (1, 2, 3):
        result = DBTaskResult.objects.get(pk=job.pk)
        result.run_after = timezone.now()
        result.save(update_fields=["run_after"])
        claimed = job_claim(worker_id="w")
        assert claimed.run.attempt == attempt
        assert job_run(claimed) is False
        after = timezone.now()
        result.refresh_from_db()
        if attempt < 3:
            assert result.status == TaskResultStatus.READY
            waits.append((result.run_after - after).total_seconds())
    assert result.status == TaskResultStatus.FAILED
    assert "probe failure: no flag" in result.traceback
    assert 9 < waits[0] <= 10 and 19 < waits[1] <= 20
    assert list(job.runs.values_list("outcome", flat=True)) == [Outcome.FAILED] * 3
    assert "RuntimeError: probe failure" in job.runs.first().error


def test_a_run_past_its_lease_goes_back_to_the_queue_until_attempts_run_out(
    probes_here,
):
    job = job_enqueue(task=probes.record)
    for attempt in (1, 2, 3):
        claimed = job_claim(worker_id=f"dead-{attempt}")
        assert claimed.run.attempt == attempt
        late = claimed.run.lease_until + dt.timedelta(seconds=1)
        assert runs_reclaim(now=late - dt.timedelta(seconds=2)) == 0  # alive
        assert runs_reclaim(now=late) == 1
    result = DBTaskResult.objects.get(pk=job.pk)
    assert result.status == TaskResultStatus.FAILED
    assert result.exception_class_path == "gongzhi.jobs.worker.WorkerLost"
    assert set(job.runs.values_list("outcome", flat=True)) == {Outcome.LOST}


def test_a_worker_that_was_declared_lost_does_not_overwrite_the_outcome(
    probes_here,
):
    job = job_enqueue(task=probes.record)
    claimed = job_claim(worker_id="slow")
    runs_reclaim(now=claimed.run.lease_until + dt.timedelta(seconds=1))
    assert job_run(claimed) is False  # it ran, but its run was taken back
    result = DBTaskResult.objects.get(pk=job.pk)
    assert result.status == TaskResultStatus.READY  # the next attempt owns it


def test_a_retried_failure_runs_again_once(probes_here, users):
    job = job_enqueue(task=probes.fail_unless_flag)
    DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.FAILED)
    (probes_here / "flag").touch()
    again = job_retry(pk=job.pk, by=users["system_admin"])
    assert again.retry_of == job and again.requested_by == users["system_admin"]
    with pytest.raises(NotRetryable):
        job_retry(pk=job.pk, by=users["system_admin"])
    assert Job.objects.count() == 2
    Worker(stop_when_idle=True, scheduler=False, interval=0).run()
    assert DBTaskResult.objects.get(pk=again.pk).status == TaskResultStatus.SUCCESSFUL


def test_a_job_that_did_not_fail_cannot_be_retried(probes_here, users):
    job = job_enqueue(task=probes.record)
    with pytest.raises(NotRetryable) as refused:
        job_retry(pk=job.pk, by=users["system_admin"])
    assert refused.value.field == "job"
    assert Job.objects.count() == 1


def test_the_immediate_backend_runs_the_task_and_keeps_no_record(
    monkeypatch, probe_dir
):
    monkeypatch.setenv("GONGZHI_PROBE_DIR", str(probe_dir))
    assert job_enqueue(task=probes.record) is None
    assert (probe_dir / "record").exists()
    assert not Job.objects.exists()
