"""Settings of the worker processes the workers' tests start: the base
settings on the database given by DATABASE_URL (the test's own), the test
keys, the database tasks backend and the schedule the test passes in
GONGZHI_TEST_SCHEDULE (JSON)."""

import json
import os

from gongzhi.config.settings.base import *  # noqa: F403

# As in gongzhi.config.settings.test, which cannot be imported here: it
# points the database at memory.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGZHI_DATA_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
GONGZHI_SCHEDULE = json.loads(os.environ.get("GONGZHI_TEST_SCHEDULE", "{}"))
