"""Settings shared by every deployment; everything varying comes from the
environment.

The embedded default needs no environment at all: data lives in ``DATA_DIR``
(``./data`` by default), SQLite is the database and the secret key and the
personal-data key are generated there on first start.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from gongzhi.core.keys import load_or_create_key, private_dir, private_file

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", Path.cwd() / "data")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("GONGZHI_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or load_or_create_key(
    DATA_DIR / "secret_key", length=50
)
# Key for personal data (phone and ID numbers) at rest: a url-safe base64 of
# 32 random bytes. Losing it loses the encrypted data, so it is kept apart from
# the database and backed up on its own.
GONGZHI_DATA_KEY = os.environ.get("GONGZHI_DATA_KEY") or load_or_create_key(
    DATA_DIR / "data_key", length=32
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "csp",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "gongzhi.core",
    "gongzhi.areas",
    "gongzhi.accounts",
    "gongzhi.audit",
    "gongzhi.jobs",
    "gongzhi.residents",
    "gongzhi.points",
    "gongzhi.volunteering",
    "gongzhi.orgs",
    "gongzhi.requests",
    "gongzhi.selections",
    "gongzhi.councils",
    "gongzhi.notices",
    "gongzhi.insights",
    "gongzhi.seeding",
    "gongzhi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongzhi.core.middleware.InputGateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongzhi.config.urls"
WSGI_APPLICATION = "gongzhi.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context_processors.gongzhi",
            ],
        },
    },
]
# Every form's choices: a prompt for Django's dashes, a lone option chosen.
FORM_RENDERER = "gongzhi.core.forms.FormRenderer"
# Per-language date formats (12月3日 / December 3), beside Django's own.
FORMAT_MODULE_PATH = ["gongzhi.formats"]


def database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": private_file(private_dir(DATA_DIR) / "gongzhi.sqlite3"),
        }
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                # WAL lets readers go on while one writer writes; IMMEDIATE
                # takes the write lock at BEGIN, so two writers queue for the
                # busy timeout instead of failing with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                ),
            }
        )
        config["CONN_MAX_AGE"] = 600
    return config


DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongzhi.accounts.backends.PhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = int(os.environ.get("GONGZHI_SESSION_SECONDS", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Lock out a phone number from one address after five failed logins for a
# quarter of an hour. Attempts are stored under the blind index of the phone
# number, never the number itself.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "phone"
AXES_USERNAME_CALLABLE = "gongzhi.accounts.backends.axes_username"
AXES_LOCKOUT_CALLABLE = "gongzhi.accounts.views.lockout"
AXES_VERBOSE = False

API_TOKEN_LIFETIME = timedelta(days=int(os.environ.get("GONGZHI_TOKEN_DAYS", 30)))

# Points earned in a calendar year lapse at the end of the year this many
# years later (1: points earned in 2025 expire when 2026 ends), by the daily
# ``points_housekeeping``; 0 keeps points for ever.
GONGZHI_POINTS_EXPIRE_AFTER_YEARS = int(
    os.environ.get("GONGZHI_POINTS_EXPIRE_AFTER_YEARS", 1)
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded files (visit photos …) are personal data: never served as
# static files, only through views that check scope.
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the apps' static folders, so the embedded default
# needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# One cache shared by every worker process: Redis when deployed
# (REDIS_URL), files in the data folder for the embedded default.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# Background work is queued in the database (django-tasks-db) and run by
# `gongzhi worker` (`gongzhi demo` starts one beside the web server): the
# embedded default needs no other service, PostgreSQL carries it when
# deployed. See docs/workers.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Periodic jobs by name: {"task": <dotted path of a @task>, "every": <seconds>}
# or {"task": …, "at": "HH:MM"} (local time, daily). The workers enqueue each
# due slot once, whatever their number, and run one at a time per name.
# The dashboards' rollups follow every change (a task queued with it).
GONGZHI_DASHBOARD_LIVE = True

GONGZHI_SCHEDULE = {
    # SLA flags, 吹哨 escalation and unrated requests' auto-close.
    "requests-sweep": {
        "task": "gongzhi.requests.tasks.sweep_overdue_task",
        "every": 300,
    },
    "activities-finish-ended": {
        "task": "gongzhi.volunteering.tasks.activities_finish_ended_task",
        "every": 900,
    },
    "insights-rate-rollups": {
        "task": "gongzhi.insights.rate_tasks.rollup_rebuild_task",
        "at": "02:30",
    },
    # The dashboards' rollups recounted from the raw rows, after the rates'.
    "insights-rebuild": {
        "task": "gongzhi.insights.tasks.insights_rebuild_task",
        "at": "02:45",
    },
    "points-orders-unclaimed": {
        "task": "gongzhi.points.tasks.orders_cancel_unclaimed_task",
        "at": "03:00",
    },
    "points-expire": {"task": "gongzhi.points.tasks.points_expire_task", "at": "03:15"},
    "jobs-prune": {"task": "gongzhi.jobs.tasks.results_prune_task", "at": "04:00"},
    "sessions-clear": {"task": "gongzhi.jobs.tasks.sessions_clear_task", "at": "04:10"},
    # Notifications: the outbox's sends, and the events nothing announces
    # (deadlines near, ratings awaited, visits due, tomorrow's sessions,
    # points about to lapse).
    "notices-deliver": {"task": "gongzhi.notices.tasks.deliver_outbox", "every": 30},
    "notices-deadlines": {"task": "gongzhi.notices.tasks.warn_deadlines", "every": 600},
    "notices-unrated": {"task": "gongzhi.notices.tasks.remind_unrated", "every": 3600},
    "notices-visits-due": {
        "task": "gongzhi.notices.tasks.visits_due_digest",
        "at": "07:30",
    },
    "notices-activity-tomorrow": {
        "task": "gongzhi.notices.tasks.activities_tomorrow",
        "every": 3600,
    },
    "notices-points-expiring": {
        "task": "gongzhi.notices.tasks.points_expiring",
        "at": "09:00",
    },
}
# A failed job is tried this many times in all, waiting GONGZHI_TASK_BACKOFF
# seconds after the first failure and twice as long after each next one (at
# most GONGZHI_TASK_BACKOFF_MAX); a running job whose worker sends no
# heartbeat for GONGZHI_TASK_LEASE seconds is taken back and run again.
GONGZHI_TASK_ATTEMPTS = int(os.environ.get("GONGZHI_TASK_ATTEMPTS", 5))
GONGZHI_TASK_BACKOFF = float(os.environ.get("GONGZHI_TASK_BACKOFF", 30))
GONGZHI_TASK_BACKOFF_MAX = float(os.environ.get("GONGZHI_TASK_BACKOFF_MAX", 3600))
GONGZHI_TASK_LEASE = float(os.environ.get("GONGZHI_TASK_LEASE", 60))
GONGZHI_TASK_KEEP_DAYS = int(os.environ.get("GONGZHI_TASK_KEEP_DAYS", 30))

# How long a worker's claim on an outgoing message holds: past it, a claim
# whose worker died is taken again.
NOTICES_LEASE_SECONDS = float(os.environ.get("GONGZHI_NOTICES_LEASE", 120))

# Channels for messages beyond the message centre. Each is configured from
# the environment; unconfigured, it keeps what it would send in the outbox
# page the system administrator reads (the embedded default).
NOTICES_SMS = {
    # Tencent Cloud SMS (SendSms, API 2021-01-11, TC3-HMAC-SHA256).
    "endpoint": os.environ.get(
        "GONGZHI_SMS_ENDPOINT", "https://sms.tencentcloudapi.com"
    ),
    "secret_id": os.environ.get("GONGZHI_SMS_SECRET_ID", ""),
    "secret_key": os.environ.get("GONGZHI_SMS_SECRET_KEY", ""),
    "region": os.environ.get("GONGZHI_SMS_REGION", "ap-guangzhou"),
    "sdk_app_id": os.environ.get("GONGZHI_SMS_SDK_APP_ID", ""),
    "sign_name": os.environ.get("GONGZHI_SMS_SIGN_NAME", ""),
    "template_id": os.environ.get("GONGZHI_SMS_TEMPLATE_ID", ""),
    "per_second": int(os.environ.get("GONGZHI_SMS_PER_SECOND", "20")),
}
NOTICES_WECHAT = {
    # WeChat mini-program subscription messages.
    "endpoint": os.environ.get("GONGZHI_WECHAT_ENDPOINT", "https://api.weixin.qq.com"),
    "app_id": os.environ.get("GONGZHI_WECHAT_APP_ID", ""),
    "app_secret": os.environ.get("GONGZHI_WECHAT_APP_SECRET", ""),
    "template_id": os.environ.get("GONGZHI_WECHAT_TEMPLATE_ID", ""),
    "page": os.environ.get("GONGZHI_WECHAT_PAGE", "pages/messages/index"),
    "per_second": int(os.environ.get("GONGZHI_WECHAT_PER_SECOND", "20")),
}
NOTICES_WECOM = {
    # 企业微信 application messages.
    "endpoint": os.environ.get("GONGZHI_WECOM_ENDPOINT", "https://qyapi.weixin.qq.com"),
    "corp_id": os.environ.get("GONGZHI_WECOM_CORP_ID", ""),
    "corp_secret": os.environ.get("GONGZHI_WECOM_CORP_SECRET", ""),
    "agent_id": os.environ.get("GONGZHI_WECOM_AGENT_ID", ""),
    "per_second": int(os.environ.get("GONGZHI_WECOM_PER_SECOND", "10")),
}

# Periodic jobs, by name: {"task": dotted path, "every": seconds} or
# {"task": …, "at": "HH:MM"} (local time), run by the worker.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"gongzhi": {"level": "INFO"}},
}
