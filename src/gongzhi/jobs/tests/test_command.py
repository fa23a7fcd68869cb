import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize(
    "options, says",
    [
        ({"processes": 0}, "--processes"),
        ({"processes": 65}, "--processes"),
        ({"interval": -1.0}, "--interval"),
        ({"max_jobs": 0}, "--max-jobs"),
        ({"processes": 2, "worker_id": "a"}, "--worker-id"),
    ],
)
def test_a_worker_started_with_a_bad_option_says_which(options, says, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(CommandError, match=says):
        call_command("worker", **options)


def test_a_worker_refuses_a_backend_with_no_queue():
    # The tests' immediate backend runs tasks where they are enqueued.
    with pytest.raises(CommandError, match="keeps no queue"):
        call_command("worker", batch=True)
