"""Redeem points over HTTP under load and compare with pgbench.

Run on demand against the local PostgreSQL, not in the test suite::

    .venv/bin/python bench/points_redeem.py [--clients 32] [--seconds 30]
        [--workers 4] [--threads 8] [--residents 200] [--keep]

It creates a fresh database (``gz_bench_points`` at 127.0.0.1:5432 as
``postgres``; a left-over one of that name is dropped first), migrates it
and, in a subprocess through the project's services, seeds the demo street
and registers ``--residents`` residents in 三盛里社区's households, each
with a login, a resident grant on her flat and a points account funded
with 10,000,000 points, and puts ``--goods`` goods at 10 points with a
stock of 100,000,000 on the community's shelf. That subprocess also
places one order through the API in-process and captures its SQL.

Then it serves the project with gunicorn (gthread, ``--workers`` ×
``--threads``, DEBUG off, on a free port of 127.0.0.1), logs every
resident in through ``POST /api/v1/auth/token`` and has ``--clients``
threads post ``/api/v1/points/me/orders`` for ``--seconds`` (after a
warm-up), each request for a random resident and random goods under a new
``Idempotency-Key``: orders per second, p50 and p99 latency, and every
answer that is not a 201.

After stopping the server it runs pgbench with the same number of clients
for the same time on ``bench/points_redeem.sql``, the same database
transaction in SQL (checked statement by statement against the captured
call), and prints its transactions per second and latency, and the ratio.
Last it runs ``gongzhi reconcile`` and checks stock against stock moves,
so both sides are seen to have written whole redemptions. The database
and the data directory are removed at the end, even on error, unless
``--keep`` is given.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import difflib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_scale import _run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_suffix(".sql")
PG = "postgres://postgres@127.0.0.1:5432"
ORDERS = "/api/v1/points/me/orders"
PASSWORD = "Bench#Redeem2026"
PRICE = 10
FUNDS = 100_000  # within a transfer's ceiling; a run spends a few hundred each
STOCK = 100_000  # MAX_STOCK: the most a shelf takes at once
# HTTP orders per second against pgbench's transactions, in the same run.
AIM = 0.4


def _setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.base")
    django.setup()


# -- the subprocess that seeds ---------------------------------------------


def setup(out: Path, *, residents: int, goods: int) -> None:
    """Seed through the services; write what the benchmark needs to ``out``."""
    _setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from gongzhi.accounts.models import User
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import grant_create, token_issue, user_create
    from gongzhi.areas.models import Area, Kind
    from gongzhi.points.models import SINK_SHARDS, AccountKind, TransferKind
    from gongzhi.points.services.accounts import resident_account
    from gongzhi.points.services.ledger import Leg, account_open, transfer_create
    from gongzhi.points.services.shop import goods_create
    from gongzhi.residents.models import Gender, Relation, Residency
    from gongzhi.residents.services.people import person_create
    from gongzhi.seeding import demo

    started = time.perf_counter()
    demo.seed_demo()
    community = Area.objects.get(code=demo.C1)
    households = list(
        Area.objects.filter(
            path__startswith=community.path, kind=Kind.HOUSEHOLD
        ).order_by("path")
    )
    issuing = account_open(kind=AccountKind.ISSUING, community=community)
    # The community's redeemed-points shards, opened in a row so that
    # pgbench finds an account's shard as sink_lo + account id % SINK_SHARDS,
    # as sink_for does.
    sinks = [
        account_open(kind=AccountKind.REDEEMED, community=community, shard=s)
        for s in range(SINK_SHARDS)
    ]
    if [s.pk for s in sinks] != list(range(sinks[0].pk, sinks[0].pk + SINK_SHARDS)):
        raise SystemExit("the redeemed-points shards are not numbered in a row")
    shelf = [
        goods_create(
            community=community,
            name=f"压测商品{g + 1:02d}",
            price=PRICE,
            stock=STOCK,
            by=None,
        )
        for g in range(goods)
    ]
    users, accounts, phones = [], [], []
    for i in range(residents):
        # Argon2 makes user_create take about 0.2 s here: the slow part.
        phone = f"139{10_000_000 + i:08d}"
        name = f"压测居民{i + 1}"
        household = households[i % len(households)]
        user = user_create(phone=phone, name=name, password=PASSWORD, by=None)
        person = person_create(
            household=household,
            name=name,
            relation=Relation.HEAD if i < len(households) else Relation.CHILD,
            residency=Residency.HUJI,
            gender=Gender.FEMALE if i % 2 else Gender.MALE,
            phone=phone,
            by=None,
        )
        # Linked as seed_demo_people links the demo resident: no service
        # links a login to a person yet.
        person.user = user
        person.save(update_fields=["user"])
        grant_create(user=user, area=household, role=Role.RESIDENT, by=None)
        account = resident_account(person)
        transfer_create(
            kind=TransferKind.EARN,
            area=community,
            legs=[Leg(issuing, -FUNDS), Leg(account, FUNDS)],
            by=None,
            reason="压测充值",
            idempotency_key=f"bench-fund-{i}",
        )
        users.append(user.pk)
        accounts.append(account.pk)
        phones.append(phone)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1} residents", flush=True)
    # pgbench draws an account id from a range and finds the user by offset.
    offsets = {u - a for u, a in zip(users, accounts, strict=True)}
    if accounts != list(range(accounts[0], accounts[0] + residents)) or (
        len(offsets) != 1
    ):
        raise SystemExit("residents' accounts or users are not numbered in a row")
    goods_ids = [g.pk for g in shelf]
    if goods_ids != list(range(goods_ids[0], goods_ids[0] + goods)):
        raise SystemExit("goods are not numbered in a row")

    resident = User.objects.get(pk=users[0])
    raw, _token = token_issue(user=resident)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {raw}")
    with CaptureQueriesContext(connection) as request_sql:
        response = client.post(
            ORDERS,
            {"goods_id": shelf[0].pk, "quantity": 1},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-capture-{uuid.uuid4().hex}",
        )
    if response.status_code != 201:
        raise SystemExit(f"a test order answered {response.status_code}")
    request = [q["sql"] for q in request_sql.captured_queries]
    # order_place's transaction: the request's last BEGIN to its COMMIT.
    begin = max(i for i, sql in enumerate(request) if sql == "BEGIN")
    end = max(i for i, sql in enumerate(request) if sql == "COMMIT")
    out.write_text(
        json.dumps(
            {
                "community": community.pk,
                "sink_lo": sinks[0].pk,
                "shards": SINK_SHARDS,
                "acc_lo": accounts[0],
                "acc_hi": accounts[-1],
                "user_off": offsets.pop(),
                "goods": goods_ids,
                "phones": phones,
                "order_sql": request[begin : end + 1],
                "request_sql": request,
            }
        )
    )
    print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)


# -- the statements, compared ----------------------------------------------


def _shape(sql: str) -> str:
    """A statement's verb and table: what the comparison looks at."""
    text = " ".join(sql.replace('"', "").split())
    words = text.split()
    verb = words[0].rstrip(";").upper()
    if verb == "SELECT":
        upper = [w.upper() for w in words]
        table = words[upper.index("FROM") + 1]
        return f"SELECT {table}" + (" FOR UPDATE" if "FOR UPDATE" in text else "")
    if verb == "INSERT":
        return f"INSERT {words[2]}"
    if verb == "UPDATE":
        return f"UPDATE {words[1]}"
    if verb == "RELEASE":
        return "RELEASE SAVEPOINT"
    return verb


def _script_statements() -> list[str]:
    """The SQL commands of the pgbench script (comments and meta commands
    left out); a command ends with ``;`` or ``\\gset``."""
    statements, current = [], []
    for line in SCRIPT.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("--", "\\")):
            continue
        current.append(stripped)
        if stripped.endswith(";") or "\\gset" in stripped:
            statements.append(" ".join(current))
            current = []
    return statements


def _compare(captured: list[str]) -> list[str]:
    """The differences between the captured call and the script, as diff
    lines; empty when they match."""
    ours = [_shape(s) for s in _script_statements()]
    theirs = [_shape(s) for s in captured]
    if ours == theirs:
        return []
    return list(
        difflib.unified_diff(
            theirs, ours, "order_place (captured)", SCRIPT.name, lineterm=""
        )
    )


# -- the database ----------------------------------------------------------


def _admin(sql: str, database: str = "postgres") -> list[tuple]:
    import psycopg

    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def _settle(database: str) -> None:
    """Vacuum, analyse and checkpoint before a measured run, so neither
    side pays for the other's dead rows or dirty pages."""
    _admin("VACUUM ANALYZE", database)
    _admin("CHECKPOINT", database)


# -- the server ------------------------------------------------------------


def _load() -> str:
    """The load averages: the machine may be busy with more than this."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(env: dict[str, str], port: int, args, log: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "gongzhi.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (fixed argv)
            command,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    _stop(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn and its workers (their own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _post(conn: http.client.HTTPConnection, path: str, body: dict, headers: dict):
    conn.request(
        "POST",
        path,
        json.dumps(body),
        {"Content-Type": "application/json", **headers},
    )
    response = conn.getresponse()
    return response, response.read()


def _login(port: int, phones: list[str]) -> list[str]:
    """Each resident's bearer token, as an app gets it: phone and password."""

    def one(phone: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            response, data = _post(
                conn,
                "/api/v1/auth/token",
                {"phone": phone, "password": PASSWORD, "name": "bench"},
                {},
            )
        finally:
            conn.close()
        if response.status != 201:
            raise SystemExit(f"login {phone} answered {response.status}: {data!r}")
        return json.loads(data)["token"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, phones))


# -- the load --------------------------------------------------------------


@dataclass
class Driven:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of the 201s, in s
    other: Counter = field(default_factory=Counter)  # status or exception
    samples: dict[str, bytes] = field(default_factory=dict)


def _drive(port: int, tokens: list[str], goods: list[int], *, clients, seconds):
    """``clients`` threads, each on a kept-alive connection, posting orders
    until ``seconds`` have passed; a request started before the end counts."""
    lock = threading.Lock()
    result = Driven()
    finished = []
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        rng = random.Random()  # noqa: S311 (load, not secrets)
        latencies, other, samples = [], Counter(), {}
        conn = None
        barrier.wait()
        last = time.perf_counter()
        while last < deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            body = {"goods_id": rng.choice(goods), "quantity": 1}
            headers = {
                "Authorization": f"Bearer {rng.choice(tokens)}",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            began = time.perf_counter()
            try:
                response, data = _post(conn, ORDERS, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = None
                other[type(exc).__name__] += 1
                last = time.perf_counter()
                continue
            last = time.perf_counter()
            if response.status == 201:
                latencies.append(last - began)
            else:
                other[str(response.status)] += 1
                samples.setdefault(str(response.status), data[:300])
            if response.will_close:
                conn.close()
                conn = None
        if conn is not None:
            conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.other.update(other)
            for key, value in samples.items():
                result.samples.setdefault(key, value)
            finished.append(last)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    deadline = start + seconds  # read by the clients once the barrier opens
    barrier.wait()
    for thread in threads:
        thread.join()
    result.seconds = max(finished) - start
    return result


def _percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (not empty)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil
    return ordered[int(rank) - 1]


# -- pgbench ---------------------------------------------------------------


@dataclass
class Pgbench:
    tps: float
    average_ms: float
    processed: int
    failed: int
    latencies_ms: list[float]
    output: str


def _pgbench(database: str, setup: dict, work: Path, *, clients, seconds):
    pgbench = shutil.which("pgbench") or "/usr/bin/pgbench"
    variables = {
        "acc_lo": setup["acc_lo"],
        "acc_hi": setup["acc_hi"],
        "user_off": setup["user_off"],
        "goods_lo": min(setup["goods"]),
        "goods_hi": max(setup["goods"]),
        "price": PRICE,
        "community": setup["community"],
        "sink_lo": setup["sink_lo"],
        "shards": setup["shards"],
        "run": random.randrange(10**6),  # noqa: S311
        "span": 1_000_000 // clients,  # pickup codes per client
        "n": 0,
    }
    prefix = work / "pgbench"
    command = [
        pgbench,
        "--no-vacuum",
        "--host=127.0.0.1",
        "--port=5432",
        "--username=postgres",
        f"--client={clients}",
        f"--jobs={min(clients, os.cpu_count() or 1)}",
        f"--time={seconds}",
        f"--file={SCRIPT}",
        "--log",
        f"--log-prefix={prefix}",
        *(f"--define={k}={v}" for k, v in variables.items()),
        database,
    ]
    proc = subprocess.run(  # noqa: S603 (fixed argv)
        command, capture_output=True, text=True, cwd=work, check=False
    )
    output = proc.stdout + proc.stderr
    if proc.returncode:
        raise SystemExit(f"pgbench failed ({proc.returncode}):\n{output}")

    def number(pattern: str) -> float:
        match = re.search(pattern, output)
        if match is None:
            raise SystemExit(f"no {pattern!r} in pgbench's output:\n{output}")
        return float(match.group(1))

    latencies = []
    for log in work.glob("pgbench.*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            if len(fields) > 2 and fields[2].isdigit():
                latencies.append(int(fields[2]) / 1000)
    return Pgbench(
        tps=number(r"tps = ([\d.]+) \(without initial connection time\)"),
        average_ms=number(r"latency average = ([\d.]+) ms"),
        processed=int(number(r"actually processed: (\d+)")),
        failed=int(number(r"number of failed transactions: (\d+)")),
        latencies_ms=latencies,
        output=output,
    )


# -- the run ---------------------------------------------------------------


def _checks(env: dict[str, str], database: str) -> list[str]:
    """Problems after both runs: the ledger must reconcile and every goods'
    stock equal the sum of its moves."""
    problems = []
    proc = subprocess.run(  # noqa: S603 (fixed argv)
        [sys.executable, str(ROOT / "manage.py"), "reconcile"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    print(f"  {(proc.stdout + proc.stderr).strip()}")
    if proc.returncode:
        problems.append("the ledger does not reconcile")
    off = _admin(
        "SELECT g.id FROM points_goods g WHERE g.stock <> "
        "(SELECT coalesce(sum(m.quantity), 0) FROM points_stockmove m "
        "WHERE m.goods_id = g.id)",
        database,
    )
    if off:
        problems.append(f"stock differs from its moves for goods {off}")
    return problems


def bench(args, work: Path) -> None:
    database = args.database
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{database}",
        GONGZHI_DATA_DIR=str(work),
        DJANGO_SETTINGS_MODULE="gongzhi.config.settings.base",
        GONGZHI_DEBUG="0",
    )
    env.pop("REDIS_URL", None)
    (work / "static").mkdir()  # whitenoise's STATIC_ROOT, empty

    _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{database}"')
    version = _admin("SHOW server_version")[0][0]
    durable = _admin("SHOW synchronous_commit")[0][0]
    print(f"Database {database} on PostgreSQL {version} at 127.0.0.1:5432")
    migrate_s, _ = _run(["migrate", "-v", "0"], env)
    print(f"  migrated in {migrate_s:.1f} s")
    print(f"Seeding {args.residents} residents, {args.goods} goods:")
    setup_file = work / "setup.json"
    proc = subprocess.run(  # noqa: S603 (fixed argv)
        [
            sys.executable,
            __file__,
            "--setup",
            str(setup_file),
            "--residents",
            str(args.residents),
            "--goods",
            str(args.goods),
        ],
        env=env,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode:
        raise SystemExit("seeding failed")
    setup = json.loads(setup_file.read_text())
    diff = _compare(setup["order_sql"])
    in_transaction = len(setup["order_sql"])
    print(
        f"  one order request sends {len(setup['request_sql'])} statements, "
        f"{in_transaction} of them order_place's transaction (BEGIN to COMMIT)"
    )
    if diff:
        print(f"  WARNING: {SCRIPT.name} no longer matches order_place:")
        print("\n".join(f"    {line}" for line in diff))
    else:
        print(f"  {SCRIPT.name} matches order_place statement for statement")
    if args.show_sql:
        print("\n".join(setup["order_sql"]))

    port = _free_port()
    print(
        f"\nHTTP: gunicorn gthread, {args.workers} workers × {args.threads} "
        f"threads on 127.0.0.1:{port}, DEBUG off, {args.clients} clients"
    )
    _settle(database)
    server = _serve(env, port, args, work / "gunicorn.log")
    print(f"  load average before: {_load()}")
    try:
        started = time.perf_counter()
        tokens = _login(port, setup["phones"])
        print(
            f"  {len(tokens)} residents logged in "
            f"in {time.perf_counter() - started:.1f} s"
        )
        warm = _drive(
            port,
            tokens,
            setup["goods"],
            clients=args.clients,
            seconds=args.warmup,
        )
        print(f"  warm-up {args.warmup} s: {len(warm.latencies)} orders")
        driven = _drive(
            port,
            tokens,
            setup["goods"],
            clients=args.clients,
            seconds=args.seconds,
        )
    finally:
        _stop(server)
    orders = len(driven.latencies)
    if not orders:
        raise SystemExit(f"no order was placed: {dict(driven.other)} {driven.samples}")
    rate = orders / driven.seconds
    errors = sum(driven.other.values()) + sum(warm.other.values())
    print(
        f"  {orders} orders in {driven.seconds:.1f} s: {rate:.1f} orders/s, "
        f"p50 {_percentile(driven.latencies, 50) * 1000:.1f} ms, "
        f"p99 {_percentile(driven.latencies, 99) * 1000:.1f} ms, "
        f"{errors} not 201"
    )
    for status, count in (driven.other + warm.other).most_common():
        sample = driven.samples.get(status) or warm.samples.get(status) or b""
        print(f"    {status}: {count}  {sample[:200]!r}")

    # The script numbers its pickup codes from 000000 up: the codes the
    # HTTP run drew at random go to the counter first.
    _admin(
        "UPDATE points_order SET status = 'handed_over', closed_at = now() "
        "WHERE status = 'placed'",
        database,
    )
    _settle(database)
    print(f"\npgbench: {SCRIPT.name}, {args.clients} clients, {args.seconds} s")
    print(f"  load average before: {_load()}")
    pg = _pgbench(database, setup, work, clients=args.clients, seconds=args.seconds)
    print(
        f"  {pg.processed} transactions: {pg.tps:.1f} tps, average "
        f"{pg.average_ms:.1f} ms, p50 {_percentile(pg.latencies_ms, 50):.1f} ms, "
        f"p99 {_percentile(pg.latencies_ms, 99):.1f} ms, {pg.failed} failed"
    )

    print("\nChecks:")
    http_orders, pg_orders = _admin(
        "SELECT count(*) FILTER (WHERE idempotency_key NOT LIKE 'pgb-%'), "
        "count(*) FILTER (WHERE idempotency_key LIKE 'pgb-%') FROM points_order",
        database,
    )[0]
    answered = orders + len(warm.latencies) + 1  # and the setup's own
    print(
        f"  orders written: HTTP {http_orders} (201s {answered}), "
        f"pgbench {pg_orders} (committed {pg.processed})"
    )
    problems = _checks(env, database)
    if http_orders != answered:
        problems.append("HTTP orders written differ from the 201s answered")
    if pg_orders < pg.processed:
        problems.append("pgbench orders written fewer than it committed")

    ratio = rate / pg.tps
    http_p50 = _percentile(driven.latencies, 50) * 1000
    http_p99 = _percentile(driven.latencies, 99) * 1000
    pg_p50 = _percentile(pg.latencies_ms, 50)
    pg_p99 = _percentile(pg.latencies_ms, 99)
    print(
        f"\nRedemption, {args.clients} clients, {args.seconds} s each, "
        f"synchronous_commit={durable}:"
    )
    print("                 per second      p50 ms      p99 ms")
    print(f"  HTTP          {rate:10.1f}  {http_p50:10.1f}  {http_p99:10.1f}", end="")
    print(f"   gunicorn gthread {args.workers}×{args.threads}")
    print(f"  pgbench       {pg.tps:10.1f}  {pg_p50:10.1f}  {pg_p99:10.1f}")
    verdict = "reaches" if ratio >= AIM else "falls short of"
    print(f"  HTTP/pgbench  {ratio:10.2f}  ({verdict} the {AIM} aimed for)")
    if errors:
        problems.append(f"{errors} HTTP answers were not 201")
    if diff:
        problems.append(f"{SCRIPT.name} does not match order_place (see above)")
    if problems:
        raise SystemExit("Problems:\n  " + "\n  ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="on both sides")
    parser.add_argument("--seconds", type=int, default=30, help="on each side")
    parser.add_argument("--warmup", type=int, default=3, help="HTTP, not counted")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=8, help="per worker")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--goods", type=int, default=10)
    parser.add_argument("--database", default="gz_bench_points")
    parser.add_argument("--show-sql", action="store_true", help="print the capture")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and data directory"
    )
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        return setup(Path(args.setup), residents=args.residents, goods=args.goods)
    if not args.database.startswith("gz_bench"):
        parser.error("the database is dropped: its name must start with gz_bench")
    if not 1 <= args.clients <= 1000:
        parser.error("--clients must be between 1 and 1000")

    work = Path(tempfile.mkdtemp(prefix="gongzhi-bench-redeem-"))
    try:
        bench(args, work)
    finally:
        if args.keep:
            print(f"\nKept database {args.database} and {work}")
        else:
            _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
