"""The worker: enqueues what the schedule says is due, takes jobs back from
workers that died, and runs jobs with a lease, retrying failures with
backoff.

Correct with any number of workers on SQLite or PostgreSQL:

- A schedule slot is enqueued by the one worker whose compare-and-set
  moves the entry's ``next_run_at`` on (``UPDATE … WHERE next_run_at =
  <the value read>``): PostgreSQL re-checks the condition on the row it
  waited for, SQLite runs one writer at a time, so every other worker's
  update touches no row.
- A job is claimed under ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL)
  or in an exclusive transaction (SQLite). A scheduled job's claim also
  locks its ``Schedule`` row and is deferred while another run of the same
  entry holds a live lease: one run at a time per job.
- A running job's ``Run`` carries a lease a heartbeat thread keeps
  extending. A run whose lease ran out is marked lost by whichever worker
  sees it first (again a compare-and-set) and its job goes back to the
  queue, so a worker killed mid-job loses nothing; a job runs at least
  once, which is why every scheduled task is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import traceback as tb
from dataclasses import dataclass

from django.db import (
    IntegrityError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_QUEUE_NAME, TaskContext, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from django_tasks.utils import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import policy
from .models import Job, Outcome, Run, Schedule
from .schedule import entries
from .services import job_enqueue

log = logging.getLogger(__name__)

# How long a scheduled job waits when another run of its entry holds the
# lock, before it is looked at again (a third of the lease if shorter).
DEFER = dt.timedelta(seconds=2)
TRACEBACK_MAX = 20_000


class WorkerLost(Exception):
    """The worker running a job stopped answering within its lease."""


def new_worker_id() -> str:
    host = socket.gethostname()[:30]
    return f"{host}-{os.getpid()}-{get_random_string(8)}"


# Schedule ---------------------------------------------------------------


def schedule_sync(*, now: dt.datetime | None = None) -> list[str]:
    """Give every entry of the setting its row; an entry whose task or time
    changed is due afresh. Returns the entries' names."""
    now = now or timezone.now()
    found = entries()
    for entry in found.values():
        row = Schedule.objects.filter(name=entry.name).first()
        if row is None:
            try:
                with transaction.atomic():
                    Schedule.objects.create(
                        name=entry.name,
                        task_path=entry.task_path,
                        spec=entry.spec,
                        next_run_at=entry.first_due(now),
                    )
            except IntegrityError:  # another worker made it first
                pass
        elif (row.task_path, row.spec) != (entry.task_path, entry.spec):
            Schedule.objects.filter(pk=row.pk).update(
                task_path=entry.task_path,
                spec=entry.spec,
                next_run_at=entry.first_due(now),
            )
    return list(found)


def schedule_due(*, now: dt.datetime | None = None) -> list[Job]:
    """Enqueue every entry whose slot has come, each slot by one worker
    only; an entry whose previous run is still queued or running is not
    enqueued again (its slot passes). Returns the jobs enqueued."""
    now = now or timezone.now()
    found = entries()
    enqueued = []
    for row in Schedule.objects.filter(name__in=found, next_run_at__lte=now):
        entry = found[row.name]
        with transaction.atomic():
            won = Schedule.objects.filter(
                pk=row.pk, next_run_at=row.next_run_at
            ).update(
                next_run_at=entry.next_due(row.next_run_at, now),
                last_enqueued_at=now,
            )
            if not won:
                continue  # another worker took this slot
            pending = Job.objects.filter(
                schedule=row.name,
                result__status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            )
            if pending.exists():
                log.info("%s: still queued or running, slot skipped", row.name)
                continue
            job = job_enqueue(
                task=entry.task(), schedule=row.name, due_at=row.next_run_at
            )
            if job is not None:
                enqueued.append(job)
    return enqueued


# Leases -----------------------------------------------------------------


def runs_reclaim(*, now: dt.datetime | None = None) -> int:
    """Mark lost the runs whose lease ran out and put their jobs back in
    the queue (or fail them, their attempts spent). Returns how many."""
    now = now or timezone.now()
    done = 0
    stale = Run.objects.filter(outcome=Outcome.RUNNING, lease_until__lt=now)
    for run in list(stale.select_related("job")):
        with transaction.atomic():
            taken = Run.objects.filter(
                pk=run.pk, outcome=Outcome.RUNNING, lease_until__lt=now
            ).update(
                outcome=Outcome.LOST,
                finished_at=now,
                error=str(WorkerLost(f"worker {run.worker_id} lost its lease")),
            )
            if not taken:
                continue
            result = DBTaskResult.objects.filter(
                pk=run.job_id, status=TaskResultStatus.RUNNING
            ).first()
            if result is None:
                continue
            if len(result.worker_ids) >= policy.attempts():
                result.set_failed(WorkerLost(f"worker {run.worker_id} lost"))
            else:
                result.status = TaskResultStatus.READY
                result.run_after = get_date_max()
                result.save(update_fields=["status", "run_after"])
            done += 1
            log.warning(
                "job %s taken back from lost worker %s", run.job_id, run.worker_id
            )
    return done


# Claiming and running ---------------------------------------------------


@dataclass
class Claimed:
    result: DBTaskResult
    run: Run


def job_claim(
    *,
    worker_id: str,
    backend: str = "default",
    queues: list[str] | None = None,
    now: dt.datetime | None = None,
) -> Claimed | None:
    """Take the next ready job and start a run of it with a lease; None
    when nothing is ready (or the one found had to wait for its entry's
    running job)."""
    now = now or timezone.now()
    ready = DBTaskResult.objects.ready().filter(backend_name=backend)
    if queues and "*" not in queues:
        ready = ready.filter(queue_name__in=queues)
    try:
        with exclusive_transaction(ready.db):
            result = ready.get_locked()
            if result is None:
                return None
            job, _ = Job.objects.get_or_create(result=result)
            if job.schedule:
                # Serialises the claims of one entry's jobs on PostgreSQL;
                # SQLite's exclusive transaction already does.
                list(Schedule.objects.select_for_update().filter(name=job.schedule))
                busy = Run.objects.filter(
                    job__schedule=job.schedule,
                    outcome=Outcome.RUNNING,
                    lease_until__gte=now,
                ).exists()
                if busy:
                    result.run_after = now + min(DEFER, policy.lease() / 3)
                    result.save(update_fields=["run_after"])
                    return None
            result.claim(worker_id)
            run = Run.objects.create(
                job=job,
                attempt=len(result.worker_ids),
                worker_id=worker_id,
                started_at=result.started_at,
                lease_until=result.started_at + policy.lease(),
            )
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return None
        raise
    return Claimed(result=result, run=run)


class _Heartbeat(threading.Thread):
    """Extends a run's lease every third of it while the job runs."""

    def __init__(self, run: Run):
        super().__init__(daemon=True, name=f"heartbeat-{run.pk}")
        self.run_pk = run.pk
        self.stop = threading.Event()

    def run(self) -> None:
        every = policy.lease().total_seconds() / 3
        try:
            while not self.stop.wait(every):
                try:
                    kept = Run.objects.filter(
                        pk=self.run_pk, outcome=Outcome.RUNNING
                    ).update(lease_until=timezone.now() + policy.lease())
                except OperationalError as exc:  # a busy SQLite: next beat
                    log.warning("heartbeat of run %s: %s", self.run_pk, exc)
                    continue
                if not kept:
                    log.warning("run %s was declared lost", self.run_pk)
                    return
        finally:
            connection.close()


def _finish(run: Run, **fields) -> bool:
    """Close the run unless another worker declared it lost meanwhile."""
    return bool(
        Run.objects.filter(pk=run.pk, outcome=Outcome.RUNNING).update(
            finished_at=timezone.now(), **fields
        )
    )


def job_run(claimed: Claimed) -> bool:
    """Run a claimed job and record the outcome: success; or a failure
    retried after a backoff while attempts remain, failed for good after
    the last. True when it succeeded."""
    result, run = claimed.result, claimed.run
    beat = _Heartbeat(run)
    beat.start()
    try:
        task = result.task
        task_result = result.task_result
        backend = type(task.get_backend())
        task_started.send(sender=backend, task_result=task_result)
        args, kwargs = task_result.args, task_result.kwargs
        if task.takes_context:
            value = task.call(TaskContext(task_result=task_result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
        # A value JSON cannot hold fails the job here, not the bookkeeping.
        value = normalize_json(value)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # any failure of the job is recorded
        beat.stop.set()
        beat.join()
        _failed(result, run, exc)
        return False
    beat.stop.set()
    beat.join()
    with transaction.atomic():
        if not _finish(run, outcome=Outcome.SUCCEEDED):
            return False  # taken back as lost: the run that replaced it owns it
        result.set_successful(value)
    task_finished.send(sender=backend, task_result=result.task_result)
    return True


def _error_line(exc: BaseException) -> str:
    kind = type(exc)
    name = kind.__qualname__
    if kind.__module__ != "builtins":
        name = f"{kind.__module__}.{name}"
    return f"{name}: {exc}"[:1000]


def _failed(result: DBTaskResult, run: Run, exc: BaseException) -> None:
    trace = "".join(tb.format_exception(exc))[-TRACEBACK_MAX:]
    with transaction.atomic():
        if not _finish(
            run, outcome=Outcome.FAILED, error=_error_line(exc), traceback=trace
        ):
            return
        attempt = len(result.worker_ids)
        if attempt < policy.attempts():
            result.status = TaskResultStatus.READY
            result.run_after = timezone.now() + policy.backoff(attempt)
            result.save(update_fields=["status", "run_after"])
            log.warning(
                "job %s failed (attempt %s), retried at %s: %s",
                result.pk,
                attempt,
                result.run_after,
                exc,
            )
            return
        result.set_failed(exc)
    log.error("job %s failed for good after %s attempts: %s", result.pk, attempt, exc)
    try:
        backend = type(result.task.get_backend())
    except Exception:  # the task itself cannot be found: nothing to tell
        return
    task_finished.send(sender=backend, task_result=result.task_result)


# The loop ---------------------------------------------------------------


class Worker:
    """One worker process's loop: schedule, reclaim, claim, run, repeat;
    it sleeps ``interval`` seconds only when there was nothing to do."""

    def __init__(
        self,
        *,
        worker_id: str | None = None,
        backend: str = "default",
        queues: list[str] | None = None,
        interval: float = 1.0,
        scheduler: bool = True,
        max_jobs: int | None = None,
        stop_when_idle: bool = False,
    ):
        self.worker_id = worker_id or new_worker_id()
        self.backend = backend
        self.queues = queues or [DEFAULT_TASK_QUEUE_NAME]
        self.interval = interval
        self.scheduler = scheduler
        self.max_jobs = max_jobs
        self.stop_when_idle = stop_when_idle
        self.stopping = threading.Event()
        self.busy = False
        self.done = 0

    def tick(self) -> bool:
        """One pass; True when a job was run."""
        close_old_connections()
        now = timezone.now()
        if self.scheduler:
            schedule_due(now=now)
        runs_reclaim(now=now)
        claimed = job_claim(
            worker_id=self.worker_id, backend=self.backend, queues=self.queues
        )
        if claimed is None:
            return False
        self.busy = True
        try:
            job_run(claimed)
        finally:
            self.busy = False
            self.done += 1
        return True

    def run(self) -> None:
        log.info("worker %s started, queues %s", self.worker_id, self.queues)
        if self.scheduler:
            schedule_sync()
        while not self.stopping.is_set():
            try:
                worked = self.tick()
            except OperationalError as exc:  # the database went away a moment
                log.warning("worker %s: %s", self.worker_id, exc)
                worked = False
            if self.max_jobs is not None and self.done >= self.max_jobs:
                break
            if not worked:
                if self.stop_when_idle:
                    break
                self.stopping.wait(self.interval)
        log.info("worker %s stopped after %s jobs", self.worker_id, self.done)

    def stop(self, signum=None, frame=None) -> None:
        """The first signal finishes the job at hand, the second ends now."""
        if self.stopping.is_set() and self.busy:
            raise KeyboardInterrupt
        self.stopping.set()

    def install_signals(self) -> None:
        for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self.stop)
