"""Fixtures for the workers' tests: a database that worker processes can
share with the test, and real ``gongzhi worker`` processes on it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connections

# Generous for a loaded machine; every wait polls, so a fast machine waits
# only as long as the work takes.
TIMEOUT = 60


def wait_for(predicate, *, timeout: float = TIMEOUT, every: float = 0.05):
    """Poll ``predicate`` until it returns something true; fail on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s: {predicate}")
        time.sleep(every)


@pytest.fixture
def shared_db(request, tmp_path):
    """The test's database, committed and reachable by other processes: its
    DATABASE_URL. On SQLite the in-memory test database is copied to a file
    the test then uses too; on PostgreSQL it is the test database itself
    (the module's tests are transactional, so what they write is seen)."""
    old = connections["default"]
    if old.vendor != "sqlite":
        d = old.settings_dict
        auth = quote(d["USER"] or "")
        if d.get("PASSWORD"):
            auth += ":" + quote(d["PASSWORD"])
        yield (
            f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}"
            f"/{d['NAME']}"
        )
        return
    path = tmp_path / "shared.sqlite3"
    old.ensure_connection()
    target = sqlite3.connect(path)
    old.connection.backup(target)
    target.close()
    new = old.__class__({**old.settings_dict, "NAME": str(path)}, "default")
    connections["default"] = new
    try:
        yield f"sqlite:///{path}"
    finally:
        new.close()
        connections["default"] = old


@pytest.fixture
def db_backend(settings):
    """This process enqueues into the database queue, as deployed."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def probe_dir(tmp_path):
    folder = tmp_path / "probes"
    folder.mkdir()
    return folder


def probe_lines(folder, name: str) -> list[list[str]]:
    path = folder / name
    if not path.exists():
        return []
    return [line.split() for line in path.read_text().splitlines() if line]


@pytest.fixture
def start_worker(shared_db, db_backend, probe_dir, tmp_path):
    """``start_worker(schedule)`` starts a ``gongzhi worker`` process on the
    shared database with that schedule, a 1.5 s lease, three attempts and a
    0.3 s first backoff; each is stopped (or killed) at the end."""
    started = []
    data = tmp_path / "data"
    data.mkdir()

    def start(schedule: dict, *, name: str = "") -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gongzhi.jobs.tests.worker_settings",
            "DATABASE_URL": shared_db,
            "GONGZHI_DATA_DIR": str(data),
            "GONGZHI_PROBE_DIR": str(probe_dir),
            "GONGZHI_TEST_SCHEDULE": json.dumps(schedule),
            "GONGZHI_TASK_LEASE": "1.5",
            "GONGZHI_TASK_ATTEMPTS": "3",
            "GONGZHI_TASK_BACKOFF": "0.3",
        }
        log = open(tmp_path / f"worker-{len(started)}{name}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603 (our own argv)
            [sys.executable, "-m", "django", "worker", "--interval=0.05", "-v2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.log.close()
