"""Import 100,000 residents from one Excel file and time it.

Run on demand, not in the test suite::

    .venv/bin/python bench/import_people.py [--rows 100000] [--keep]

It makes a fresh data directory (a new SQLite file; ``DATABASE_URL`` is
ignored for this run), migrates and seeds the ``street`` scale (39,800
households, about 40,000 residents already registered) in subprocesses,
gives a secretary account a grant on each of its ten communities, and
writes a valid .xlsx of ``--rows`` people (full addresses, since estate
names repeat between communities). Then it imports the file in a
subprocess of its own, exactly as the import page does
(``people_import``: read-only openpyxl, every row checked, then one
transaction of ``bulk_create`` batches), and prints rows per second, wall
time and that subprocess's peak RSS.

With ``DATABASE_URL`` set it then does the same against that database
(PostgreSQL): seeding is skipped when the street scale is already there,
and each run's ID numbers are new, so it can be run again.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_scale import _run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCALE = os.environ.get("GONGZHI_BENCH_SCALE", "street")
SECRETARY_PHONE = "13900009999"


def _setup_django() -> None:
    import django

    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.base")
    django.setup()


def _secretary():
    """A secretary holding a grant on every community of the scale."""
    from gongzhi.accounts.models import Grant
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.selectors import user_find_by_phone
    from gongzhi.accounts.services import grant_create, user_create
    from gongzhi.areas.models import Area, Kind
    from gongzhi.areas.scoping import subtree_q
    from gongzhi.seeding.bulk import SCALES

    district = Area.objects.get(code=SCALES[SCALE].code)
    user = user_find_by_phone(phone=SECRETARY_PHONE) or user_create(
        phone=SECRETARY_PHONE, name="压测书记", password="Bench#2026!x", by=None
    )
    for community in Area.objects.filter(
        subtree_q([district.path]), kind=Kind.COMMUNITY
    ):
        if not Grant.objects.filter(
            user=user, area=community, role=Role.SECRETARY, revoked_at=None
        ).exists():
            grant_create(user=user, area=community, role=Role.SECRETARY, by=None)
    return user, district


def make_file(out: str, rows: int) -> None:
    """Write ``rows`` valid people, household by household."""
    _setup_django()
    from openpyxl import Workbook

    from gongzhi.areas.models import Area, Kind
    from gongzhi.areas.scoping import subtree_q
    from gongzhi.residents.idnumbers import check_char
    from gongzhi.residents.models import Membership
    from gongzhi.residents.services.imports import TITLES
    from gongzhi.seeding.people import family

    _user, district = _secretary()
    nodes = {
        p: (n, k)
        for p, n, k in Area.objects.filter(subtree_q([district.path])).values_list(
            "path", "name", "kind"
        )
    }
    headed = set(
        Membership.objects.filter(
            relation="head",
            moved_out=None,
            household__path__startswith=district.path,
        ).values_list("household__path", flat=True)
    )
    households = sorted(p for p, (_n, k) in nodes.items() if k == Kind.HOUSEHOLD)
    rng = random.Random()  # noqa: S311 (made-up people)
    region = rng.randrange(110000, 650000, 1000)  # new numbers every run
    step = Area.steplen
    names = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}
    # openpyxl writes text as inline strings, which it reads back more
    # slowly than the shared strings Excel and WPS write: a pessimistic file.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民信息")
    sheet.append(list(TITLES))
    written = 0
    for i, path in enumerate(households * 10):
        if written >= rows:
            break
        chain = [nodes[path[: step * d]] for d in range(3, len(path) // step + 1)]
        address = "/".join(name for name, _k in chain)
        members = family(rng)
        for member in members:
            if written >= rows:
                break
            relation = member.relation
            if relation == "head" and (path in headed or i >= len(households)):
                relation = "child"
            year = 2025 - member.age
            birth = f"{year}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
            key = written
            gender_bit = 1 if member.gender == "male" else 0
            first17 = (
                f"{region + key // 500:06d}{birth}{(key % 500) * 2 + gender_bit:03d}"
            )
            sheet.append(
                [
                    member.name,
                    "男" if member.gender == "male" else "女",
                    None,
                    "居民身份证",
                    first17 + check_char(first17),
                    f"139{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None,
                    address,
                    names.get(relation, "其他"),
                    "户籍",
                    "2015-06-01" if year < 2015 else None,
                    "独居老人" if len(members) == 1 and member.age >= 60 else None,
                    None,
                ]
            )
            written += 1
    workbook.save(out)
    print(f"  wrote {written:,} rows, {Path(out).stat().st_size / 2**20:.1f} MiB")


def import_file(path: str) -> None:
    _setup_django()
    from gongzhi.residents.services.imports import people_import

    user, _district = _secretary()
    started = time.perf_counter()
    with open(path, "rb") as file:
        summary = people_import(file=file, by=user, filename=Path(path).name)
    elapsed = time.perf_counter() - started
    print(
        f"  imported {summary.people:,} people into {summary.households:,} "
        f"households in {elapsed:.1f} s ({summary.people / elapsed:,.0f} rows/s, "
        "import call alone)"
    )


def _child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run this script as a subprocess; wall seconds and its peak RSS."""
    import subprocess

    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(args)} failed")
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return time.perf_counter() - started, usage.ru_maxrss / divisor


def bench(label: str, env: dict[str, str], work: Path, rows: int) -> None:
    print(f"\n{label}:")
    migrate_s, _ = _run(["migrate", "-v", "0"], env)
    seed_s, _ = _run(["seed", "--scale", SCALE], env)
    print(f"  migrate {migrate_s:.1f} s, seed --scale {SCALE} {seed_s:.1f} s")
    xlsx = work / f"people-{rows}.xlsx"
    make_s, _ = _child(["--make-file", str(xlsx), "--rows", str(rows)], env)
    print(f"  file written in {make_s:.1f} s")
    wall, rss = _child(["--import", str(xlsx)], env)
    print(f"  import wall    {wall:8.1f} s (including Django start-up)")
    print(f"  import rate    {rows / wall:8,.0f} rows/s (wall)")
    print(f"  peak RSS       {rss:8.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the data dir")
    parser.add_argument("--make-file", help=argparse.SUPPRESS)
    parser.add_argument("--import", dest="import_path", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_file:
        return make_file(args.make_file, args.rows)
    if args.import_path:
        return import_file(args.import_path)

    data_dir = Path(tempfile.mkdtemp(prefix="gongzhi-bench-import-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GONGZHI_DATA_DIR"] = str(data_dir)
    try:
        print(f"Data directory: {data_dir}")
        bench("SQLite (fresh)", env, data_dir, args.rows)
        if os.environ.get("DATABASE_URL"):
            pg = {**env, "DATABASE_URL": os.environ["DATABASE_URL"]}
            bench("DATABASE_URL (PostgreSQL)", pg, data_dir, args.rows)
    finally:
        if args.keep:
            print(f"\nKept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
