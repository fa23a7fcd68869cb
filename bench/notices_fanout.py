"""A notice to a whole street fans out on two workers; the web answers
meanwhile. Prints figures; it is not a timed test.

Run on demand::

    .venv/bin/python bench/notices_fanout.py [--workers 2] [--accounts 0.25] [--keep]

It makes a fresh data directory, migrates and seeds the ``street`` scale
(about 40,000 households, ten communities, their residents; no year of
points, activities or requests) in subprocesses, gives a share
of the street's residents a portal account (``--accounts``, so the fan-out
writes message-centre rows too), makes a street manager, starts the web
server (``gongzhi serve``) on 127.0.0.1:8105 and ``--workers`` worker
processes (``gongzhi worker``), and publishes one notice to the street.
The fan-out is split into ranges of people, one task each, which the
workers share; each range is a few ``bulk_create`` batches. While it runs
the benchmark asks ``/healthz`` every 100 ms and prints the time until the
last receipt is written, rows per second, and the probe's latencies.

With ``DATABASE_URL`` set it uses that database (PostgreSQL) instead of a
new SQLite file; the street scale is seeded once there and each run
publishes a new notice.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
PORT = int(os.environ.get("GONGZHI_BENCH_PORT", 8105))
PHONE = "13900008888"


def _manage(args, env, **kwargs):
    # A session of its own: stopping it stops what it started (gunicorn).
    return subprocess.Popen(
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        **kwargs,
    )


def _run(args, env):
    started = time.perf_counter()
    if _manage(args, env).wait():
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return time.perf_counter() - started


def _setup(env):
    os.environ.update(env)
    import django

    django.setup()


def _street():
    from django.db.models import Count

    from gongzhi.areas.models import Area, Kind
    from gongzhi.seeding.bulk import SCALES

    district = Area.objects.get(code=SCALES["street"].code)
    return (
        Area.objects.filter(path__startswith=district.path, kind=Kind.STREET)
        .annotate(n=Count("pk"))
        .order_by("path")
        .first()
    )


def _accounts(street, share: float) -> int:
    """Portal accounts for ``share`` of the street's residents, in bulk
    (an unusable password: nobody logs in with them)."""
    from django.contrib.auth.hashers import make_password

    from gongzhi.accounts.models import User, phone_index
    from gongzhi.areas.scoping import subtree_q
    from gongzhi.core import crypto
    from gongzhi.residents.models import Person

    people = list(
        Person.objects.filter(
            subtree_q([street.path], field="household__path"), user__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    step = max(int(round(1 / share)), 1) if share > 0 else 0
    chosen = people[::step] if step else []
    unusable = make_password(None)
    users = [
        User(
            name=f"居民{pk}",
            phone_index=phone_index(f"150{pk:08d}"),
            phone_encrypted=crypto.encrypt(f"150{pk:08d}"),
            password=unusable,
        )
        for pk in chosen
    ]
    User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    by_phone = dict(
        User.objects.filter(phone_index__in=[u.phone_index for u in users]).values_list(
            "phone_index", "pk"
        )
    )
    links = [
        Person(pk=pk, user_id=by_phone[phone_index(f"150{pk:08d}")]) for pk in chosen
    ]
    Person.objects.bulk_update(links, ["user"], batch_size=2000)
    return len(chosen)


def _publisher(street):
    from gongzhi.accounts.models import Grant
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.selectors import user_find_by_phone
    from gongzhi.accounts.services import user_create

    user = user_find_by_phone(phone=PHONE) or user_create(
        phone=PHONE, name="街道通知员", password="Bench#2026x", by=None
    )
    Grant.objects.get_or_create(user=user, area=street, role=Role.STREET_MANAGER)
    return user


class Probe(threading.Thread):
    """``GET /healthz`` every 100 ms; the latencies in ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.latencies: list[float] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self):
        url = f"http://127.0.0.1:{PORT}/healthz"
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
                    response.read()
                self.latencies.append((time.perf_counter() - started) * 1000)
            except OSError:
                self.errors += 1
            self.stop.wait(0.1)


def _wait_up(timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(  # noqa: S310
                f"http://127.0.0.1:{PORT}/healthz", timeout=2
            ):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the web server did not start")


def _pct(values, q):
    values = sorted(values)
    return values[min(int(len(values) * q), len(values) - 1)] if values else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--accounts", type=float, default=0.25)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="gongzhi-bench-fanout-"))
    env = {
        **os.environ,
        "GONGZHI_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings.base",
        "PYTHONPATH": str(ROOT / "src"),
    }
    database = os.environ.get("DATABASE_URL", "")
    where = database.split("@")[-1] if database else data_dir / "gongzhi.sqlite3"
    print(f"database: {where}")
    processes = []
    try:
        print(f"migrate: {_run(['migrate', '-v0'], env):.1f} s")
        # The tree and its residents only: a year of points, activities and
        # requests is not what this measures.
        seed = ["seed", "--scale", "street", "--points-communities", "0"]
        seed += ["--volunteering-communities", "0", "--requests-communities", "0"]
        print(f"seed --scale street (residents only): {_run(seed, env):.1f} s")
        _setup(env)
        from django.db import close_old_connections, transaction

        from gongzhi.areas.scoping import subtree_q
        from gongzhi.notices.models import Message, Notice, NoticeReceipt
        from gongzhi.notices.services.notices import notice_publish
        from gongzhi.residents.models import Person, PersonStatus

        street = _street()
        expected = Person.objects.filter(
            subtree_q([street.path], field="household__path"),
            status=PersonStatus.ACTIVE,
        ).count()
        with transaction.atomic():
            linked = _accounts(street, args.accounts)
        publisher = _publisher(street)
        with_accounts = Person.objects.filter(
            subtree_q([street.path], field="household__path"),
            status=PersonStatus.ACTIVE,
            user__isnull=False,
        ).count()
        print(
            f"{street.name}: {expected:,} residents, {with_accounts:,} with a portal "
            f"account ({linked:,} made now)"
        )

        processes.append(
            _manage(
                [
                    "serve",
                    "--bind",
                    f"127.0.0.1:{PORT}",
                    "--workers",
                    "1",
                    "--threads",
                    "4",
                ],
                env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        for n in range(args.workers):
            processes.append(
                _manage(
                    ["worker", "--interval", "0.1", "--worker-id", f"bench-{n}"],
                    env,
                    stdout=subprocess.DEVNULL,
                )
            )
        _wait_up()
        probe = Probe()
        probe.start()
        time.sleep(2)  # the probe's figures at rest first
        resting = list(probe.latencies)

        started = time.perf_counter()
        with transaction.atomic():
            notice = notice_publish(
                by=publisher,
                area=street,
                title="关于冬季供暖的通知",
                body="全街道今冬供暖自 11 月 15 日起，如有问题请联系社区。",
            )
        published = time.perf_counter() - started
        done_at = None
        while time.perf_counter() - started < 600:
            close_old_connections()
            receipts = NoticeReceipt.objects.filter(notice=notice).count()
            if receipts >= expected:
                done_at = time.perf_counter() - started
                break
            time.sleep(0.2)
        probe.stop.set()
        probe.join()
        during = probe.latencies[len(resting) :]
        messages = Message.objects.filter(key=f"notice:{notice.pk}").count()
        notice = Notice.objects.get(pk=notice.pk)
        print(f"published in {published * 1000:.0f} ms (the fan-out queued on commit)")
        if done_at is None:
            print(f"NOT DONE after 600 s: {receipts:,} of {expected:,} receipts")
        else:
            rows = receipts + messages
            print(
                f"fan-out with {args.workers} workers: {receipts:,} receipts and "
                f"{messages:,} messages in {done_at:.1f} s "
                f"({rows / done_at:,.0f} rows/s); "
                f"notice.recipients={notice.recipients:,}"
            )
        for label, values in (("at rest", resting), ("during the fan-out", during)):
            if values:
                print(
                    f"/healthz {label}: {len(values)} probes, median "
                    f"{statistics.median(values):.0f} ms, "
                    f"p95 {_pct(values, 0.95):.0f} ms, max {max(values):.0f} ms"
                )
        if probe.errors:
            print(f"/healthz errors: {probe.errors}")
    finally:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
