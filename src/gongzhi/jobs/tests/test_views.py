import uuid

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongzhi.jobs.models import Job, Outcome, Run
from gongzhi.jobs.services import job_enqueue, job_progress
from gongzhi.jobs.worker import Worker, schedule_sync

from . import probes

TRACE = """Traceback (most recent call last):
  File "/srv/gongzhi/requests/services/sweep.py", line 97, in sweep_overdue
    response, resolve = overdue_flag(now=now)
  File "/srv/gongzhi/requests/services/sweep.py", line 40, in overdue_flag
    response = late_response.update(response_overdue=True)
django.db.utils.OperationalError: database is locked
"""


def _failed(*, schedule="requests-sweep", attempts=3):
    result = DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED,
        task_path="gongzhi.requests.tasks.sweep_overdue_task",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        finished_at=timezone.now(),
        exception_class_path="django.db.utils.OperationalError",
        traceback=TRACE,
    )
    job = Job.objects.create(result=result, schedule=schedule)
    for attempt in range(1, attempts + 1):
        Run.objects.create(
            job=job,
            attempt=attempt,
            worker_id="vm-1-abc",
            started_at=timezone.now(),
            lease_until=timezone.now(),
            finished_at=timezone.now(),
            outcome=Outcome.FAILED,
            error="django.db.utils.OperationalError: database is locked",
            traceback=TRACE,
        )
    return job


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["system_admin"])
    return client


def test_the_failures_page_shows_the_error_and_where_it_happened(
    admin_client, django_assert_max_num_queries
):
    for _ in range(3):
        _failed()
    with django_assert_max_num_queries(12):
        page = admin_client.get("/workbench/jobs/failures/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("database is locked") >= 3
    assert "requests-sweep" in text and "overdue_flag" in text
    assert text.count('action="/workbench/jobs/failures/') == 3


def test_retrying_from_the_page_queues_the_job_again_and_it_leaves_the_list(
    admin_client, users, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = _failed()
    response = admin_client.post(f"/workbench/jobs/failures/{job.pk}/retry/")
    assert response.status_code == 302
    again = Job.objects.get(retry_of=job)
    assert again.requested_by == users["system_admin"]
    assert again.result.status == TaskResultStatus.READY
    page = admin_client.get(response.url).content.decode()
    assert "database is locked" not in page
    # A second press of the same button queues nothing more.
    admin_client.post(f"/workbench/jobs/failures/{job.pk}/retry/")
    assert Job.objects.filter(retry_of=job).count() == 1


def test_a_retry_of_what_did_not_fail_is_refused_with_a_message(
    admin_client, settings, monkeypatch, probe_dir
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setenv("GONGZHI_PROBE_DIR", str(probe_dir))
    job = job_enqueue(task=probes.record)
    response = admin_client.post(
        f"/workbench/jobs/failures/{job.pk}/retry/", follow=True
    )
    assert "Only a failed job" in response.content.decode() or (
        "只有" in response.content.decode()
    )
    assert Job.objects.count() == 1
    for bad in ("not-a-uuid", uuid.uuid4()):
        assert (
            admin_client.post(f"/workbench/jobs/failures/{bad}/retry/").status_code
            == 404
        )


def test_the_schedule_page_shows_each_job_with_its_last_success(
    admin_client, settings, monkeypatch, probe_dir, django_assert_max_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.GONGZHI_SCHEDULE = {
        "probe-record": {"task": "gongzhi.jobs.tests.probes.record", "every": 60},
        "sessions-clear": {
            "task": "gongzhi.jobs.tasks.sessions_clear_task",
            "at": "04:10",
        },
    }
    monkeypatch.setenv("GONGZHI_PROBE_DIR", str(probe_dir))
    schedule_sync()
    Worker(stop_when_idle=True, interval=0).run()
    with django_assert_max_num_queries(12):
        page = admin_client.get("/workbench/jobs/")
    text = page.content.decode()
    assert "probe-record" in text and "sessions-clear" in text
    success = Run.objects.get(job__schedule="probe-record").finished_at
    assert timezone.localtime(success).strftime("%Y-%m-%d %H:%M:%S") in text
    assert "04:10" in text


def test_a_job_status_answers_the_one_who_asked_and_nobody_else(
    client, users, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = job_enqueue(task=probes.record, by=users["staff"])

    class Context:
        class task_result:  # noqa: N801 (the shape of a TaskContext)
            id = str(job.pk)

    job_progress(context=Context, percent=40, note="2000 / 5000")
    client.force_login(users["staff"])
    text = client.get(f"/workbench/jobs/{job.pk}/status/").content.decode()
    assert "40%" in text and "2000 / 5000" in text and 'hx-trigger="every 1s"' in text
    for other in ("secretary", "system_admin"):
        client.force_login(users[other])
        assert client.get(f"/workbench/jobs/{job.pk}/status/").status_code == 404
