"""What the workers keep beside the tasks framework's own queue table.

``django_tasks_db`` stores each enqueued task as a ``DBTaskResult`` row and
knows READY, RUNNING, SUCCESSFUL and FAILED. The workers add what it lacks:
one ``Schedule`` row per entry of ``GONGZHI_SCHEDULE`` (its next due time,
advanced by one compare-and-set so one worker alone enqueues each slot),
one ``Job`` beside each result (the schedule it was enqueued for, its
progress, the failure it retries) and one ``Run`` per attempt, whose
``lease_until`` a running worker keeps pushing forward: a run whose lease
ran out belongs to a worker that died, and its job goes back to the queue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class Schedule(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    task_path = models.CharField(_("task"), max_length=200)
    spec = models.CharField(_("when"), max_length=32)  # "every 300", "at 02:30"
    next_run_at = models.DateTimeField(_("next run"))
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self) -> str:
        return self.name


class Job(models.Model):
    result = models.OneToOneField(
        DBTaskResult,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="gongzhi_job",
    )
    # The schedule entry that enqueued it ("" for work enqueued by hand or by
    # a service); one run at a time per entry.
    schedule = models.CharField(_("schedule"), max_length=64, blank=True)
    due_at = models.DateTimeField(_("due"), null=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The failed job this one runs again (the retry button).
    retry_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="retried_by",
    )

    class Meta:
        indexes = [models.Index(fields=["schedule"], name="jobs_job_schedule_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="jobs_progress_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.result.task_path} {self.result_id}"

    @property
    def finished(self) -> bool:
        return self.result.status in ("SUCCESSFUL", "FAILED")


class Outcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    LOST = "lost", _("Worker lost")


class Run(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="runs")
    attempt = models.PositiveSmallIntegerField(_("attempt"))
    worker_id = models.CharField(_("worker"), max_length=64)
    started_at = models.DateTimeField(_("started"))
    lease_until = models.DateTimeField(_("lease until"))
    finished_at = models.DateTimeField(_("finished"), null=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING
    )
    error = models.TextField(_("error"), blank=True)
    traceback = models.TextField(_("traceback"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["outcome", "lease_until"], name="jobs_run_lease_idx")
        ]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.attempt} {self.outcome}"
