"""How long a lease lasts and how failures are retried, from settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def attempts() -> int:
    """How many times a job is tried before it counts as failed."""
    return max(1, int(getattr(settings, "GONGZHI_TASK_ATTEMPTS", 5)))


def lease() -> dt.timedelta:
    """How long a run is a worker's without a heartbeat; a run silent for
    longer belongs to a worker that died."""
    return dt.timedelta(seconds=float(getattr(settings, "GONGZHI_TASK_LEASE", 60)))


def backoff(attempt: int) -> dt.timedelta:
    """The wait before try ``attempt + 1``: doubling from
    GONGZHI_TASK_BACKOFF, at most GONGZHI_TASK_BACKOFF_MAX seconds."""
    base = float(getattr(settings, "GONGZHI_TASK_BACKOFF", 30))
    most = float(getattr(settings, "GONGZHI_TASK_BACKOFF_MAX", 3600))
    return dt.timedelta(seconds=min(most, base * 2 ** max(attempt - 1, 0)))
