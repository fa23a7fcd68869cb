"""Test settings: the base, made fast and deterministic."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGZHI_DATA_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdefghijklmnop"
WHITENOISE_AUTOREFRESH = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
# Uploads a test does not redirect itself never land in the real data folder.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gongzhi-test-media-"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tasks run inline where a test enqueues them; the workers' own tests
# switch to the database backend and run real worker processes.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Only the insights tests (and the browser test of the 数据大屏) need the
# dashboards to follow each change; they switch it back on. Every other
# test would pay a recount of its community, street and district per write.
GONGZHI_DASHBOARD_LIVE = False
