"""A worker process started beside another command (``gongzhi demo``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings

STOP_WAIT = 30  # seconds a stopping worker has to finish the job at hand


@contextmanager
def worker_beside():
    """Run ``gongzhi worker`` while the block runs, then stop it: one
    SIGTERM, so it finishes the job at hand; killed only past STOP_WAIT. It
    runs in a session of its own, so the terminal's Ctrl-C, meant for the
    server, reaches it only through this one signal."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
    env.setdefault("GONGZHI_DATA_DIR", str(settings.DATA_DIR))
    process = subprocess.Popen(  # noqa: S603 (our own argv)
        [sys.executable, "-m", "django", "worker"], env=env, start_new_session=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_WAIT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
