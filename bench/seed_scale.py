"""Seed one scale into a fresh SQLite database and time what matters.

Run on demand, not in the test suite (the district takes about a minute and
a few hundred MB of disk)::

    .venv/bin/python bench/seed_scale.py district

It migrates and seeds in subprocesses, exactly as an operator would with
``gongzhi migrate`` and ``gongzhi seed --scale``, so the figures include
Django's start-up and nothing the benchmark itself holds in memory. Then it
opens the result in-process and times the scoped queries every page runs:
counts and pages under a community, a street and the district, all through
``subtree_q``, the one scoping helper.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run ``manage.py args``; return wall seconds and the child's peak RSS
    in MiB (``wait4`` gives this child's own figure, not the maximum over
    every child the benchmark has run)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(MANAGE), *args], env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({proc.returncode})")
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return elapsed, usage.ru_maxrss / divisor


def _size_mib(data_dir: Path) -> float:
    files = data_dir.glob("gongzhi.sqlite3*")  # the database, its WAL and index
    return sum(f.stat().st_size for f in files) / (1024 * 1024)


def _time(fn, *, repeat: int) -> tuple[float, float, object]:
    """Median and best of ``repeat`` runs in ms, after one warm-up run."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times), result


def _queries(scale: str, *, repeat: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.base")
    django.setup()
    from django.db import connection
    from django.db.models import Count

    from gongzhi.areas.models import Area, Kind
    from gongzhi.areas.scoping import subtree_q
    from gongzhi.seeding.bulk import SCALES

    district = Area.objects.get(code=SCALES[scale].code)

    def middle(kind: str) -> Area:
        nodes = Area.objects.filter(subtree_q([district.path]), kind=kind)
        return nodes.order_by("path")[nodes.count() // 2]

    street, community = middle(Kind.STREET), middle(Kind.COMMUNITY)
    grid, estate = middle(Kind.GRID), middle(Kind.ESTATE)
    household = middle(Kind.HOUSEHOLD)

    def households(node: Area):
        return Area.objects.filter(subtree_q([node.path]), kind=Kind.HOUSEHOLD)

    cases = {
        f"households in one community ({community.name})": lambda: households(
            community
        ).count(),
        f"households in one street ({street.name})": lambda: households(street).count(),
        f"households in the district ({district.name})": lambda: households(
            district
        ).count(),
        "areas per kind in one street": lambda: len(
            Area.objects.filter(subtree_q([street.path]))
            .values("kind")
            .annotate(n=Count("id"))
            .order_by()
        ),
        f"first 50 households of one grid ({grid.name})": lambda: len(
            households(grid).order_by("path")[:50]
        ),
        f"children of one estate ({estate.name})": lambda: len(
            Area.objects.get_children(estate)
        ),
        "breadcrumb of one household": lambda: len(
            Area.objects.get_ancestors(household)
        ),
    }
    cases.update(_registry_cases(district, street, community))
    print(f"\nScoped queries (median / best of {repeat}, ms):")
    for label, fn in cases.items():
        median, best, result = _time(fn, repeat=repeat)
        print(f"  {median:8.2f} {best:8.2f}  {label}: {result:,}")

    sql, params = households(community).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "; ".join(str(row[-1]) for row in cursor.fetchall())
    print(f"\nQuery plan, households in one community: {plan}")


def _registry_cases(district, street, community) -> dict:
    """The registry list's queries, as ``people_search`` builds them: scoped
    through the last household's path, ordered by address."""
    from django.db.models import Exists, OuterRef

    from gongzhi.areas.scoping import subtree_q
    from gongzhi.residents.models import Person, PersonTag, TagType
    from gongzhi.residents.selectors.people import search_q

    def people(node):
        return Person.objects.filter(
            subtree_q([node.path], field="last_household__path"), status="active"
        )

    alone = TagType.objects.get(code="alone_elderly", street=None)
    tagged = Exists(
        PersonTag.objects.filter(person=OuterRef("pk"), tag=alone, end__isnull=True)
    )
    return {
        f"people in one community ({community.name})": lambda: people(
            community
        ).count(),
        f"people in one street ({street.name})": lambda: people(street).count(),
        f"people in the district ({district.name})": lambda: people(district).count(),
        "registry page 1 of one street (50, by address)": lambda: len(
            people(street).order_by("last_household__path", "pk")[:50]
        ),
        "registry page 200 of one street": lambda: len(
            people(street).order_by("last_household__path", "pk")[9950:10000]
        ),
        "search 'wjg' (pinyin initials) in one street": lambda: (
            people(street).filter(search_q("wjg")).count()
        ),
        "search '5678' (phone suffix) in the district": lambda: (
            people(district).filter(search_q("5678")).count()
        ),
        "独居老人 in one street": lambda: people(street).filter(tagged).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=["community", "street", "district"])
    parser.add_argument("--repeat", type=int, default=5, help="runs per query")
    parser.add_argument(
        "--keep", action="store_true", help="keep the data directory afterwards"
    )
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix=f"gongzhi-bench-{args.scale}-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GONGZHI_DATA_DIR"] = str(data_dir)
    # The queries below run in this process against the same fresh database.
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGZHI_DATA_DIR"] = str(data_dir)
    try:
        print(f"Data directory: {data_dir}")
        migrate_s, _ = _run(["migrate", "-v", "0"], env)
        seed_s, seed_rss = _run(["seed", "--scale", args.scale], env)
        size = _size_mib(data_dir)
        print(f"\nScale {args.scale} on SQLite:")
        print(f"  migrate        {migrate_s:8.1f} s")
        print(f"  seed           {seed_s:8.1f} s (wall, including start-up)")
        print(f"  seed peak RSS  {seed_rss:8.0f} MiB")
        print(f"  database size  {size:8.0f} MiB")
        _queries(args.scale, repeat=args.repeat)
    finally:
        if args.keep:
            print(f"\nKept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
