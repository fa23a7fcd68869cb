"""Each 数据大屏 panel's server time read from the rollups, beside the same
figures computed from the raw rows. Printed figures, not a timed test.

    GONGZHI_DATA_DIR=… .venv/bin/python bench/dashboard_panels.py [--repeat 5]
    DATABASE_URL=postgres://… .venv/bin/python bench/dashboard_panels.py

Run it against a seeded database (``gongzhi seed`` or ``gongzhi seed
--scale …``): it opens the screen of the largest area there (the district,
else a street), for the last whole month, as a user holding
insights.view over it, and prints per panel the median and best time of
``selectors_dashboard.<panel>`` (rollups) and of the raw computation of
the panel's figures (``domains.<Domain>.days`` over the month for every
community below, the very queries the rebuild runs, plus the month's
distinct counts), with the row counts behind each and the machine's load.
The target is district scale (about 1,000,000 residents and a year of
activity): under 100 ms per panel from the rollups.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from gongzhi.accounts.models import Grant, User  # noqa: E402
from gongzhi.accounts.roles import Role  # noqa: E402
from gongzhi.areas.models import Area, Kind  # noqa: E402
from gongzhi.areas.scoping import subtree_q  # noqa: E402
from gongzhi.insights import selectors_dashboard as panels  # noqa: E402
from gongzhi.insights.dashboard_rollups import month_end, month_of  # noqa: E402
from gongzhi.insights.domains import DOMAINS  # noqa: E402
from gongzhi.insights.models import Rollup  # noqa: E402
from gongzhi.residents.models import Person  # noqa: E402

# The domains whose raw rows each panel's figures come from.
RAW = {
    "tree": ("requests", "visits", "volunteering", "points", "party"),
    "trends": ("requests", "visits", "volunteering", "points"),
    "categories": ("requests",),
    "rates": ("requests",),
    "care": ("people", "visits", "incidents"),
    "volunteering": ("volunteering", "party"),
    "points": ("points", "goods"),
}
TREND_MONTHS = 12


def _timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), min(times)


def _viewer(area: Area) -> User:
    role = Role.DISTRICT_MANAGER if area.kind == Kind.DISTRICT else Role.STREET_MANAGER
    grant = Grant.objects.filter(area=area, role=role, revoked_at=None).first()
    if grant is not None:
        return grant.user
    user = User.objects.filter(phone="19900000106").first() or User.objects.create(
        phone="19900000106", name="大屏测速"
    )
    Grant.objects.get_or_create(user=user, area=area, role=role)
    return user


def _raw(area: Area, month, names, today, trend: bool) -> None:
    communities = dict(
        Area.objects.filter(kind=Kind.COMMUNITY)
        .filter(subtree_q([area.path]))
        .values_list("pk", "path")
    )
    first = month
    if trend:
        for _ in range(TREND_MONTHS - 1):
            first = month_of(first.replace(day=1) - timezone.timedelta(days=1))
    for name in names:
        domain = DOMAINS[name]
        domain.days(communities, first, month_end(month), today)
        if domain.distincts:
            domain.spans(communities, first, month_end(month), "month")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--month", help="YYYY-MM (default: last month)")
    args = parser.parse_args()
    today = timezone.localdate()
    month = (
        panels.month_parse(args.month)
        if args.month
        else month_of(month_of(today) - timezone.timedelta(days=1))
    )
    area = (
        Area.objects.filter(kind=Kind.DISTRICT).order_by("path").first()
        or Area.objects.filter(kind=Kind.STREET).order_by("path").first()
    )
    user = _viewer(area)
    load = os.getloadavg()
    print(f"database: {connection.vendor}, load average {load[0]:.2f} {load[1]:.2f}")
    print(
        f"area: {area.name} ({area.kind}), "
        f"{Area.objects.filter(kind=Kind.COMMUNITY).count()} communities, "
        f"{Person.objects.count():,} residents, "
        f"{Rollup.objects.count():,} rollup rows; month {month:%Y-%m}"
    )
    print(f"{'panel':<14}{'rollups ms (median/best)':>28}{'raw ms (median/best)':>26}")
    for name, panel in panels.PANELS.items():
        fast = _timed(lambda p=panel: p(user=user, area=area, month=month), args.repeat)
        slow = _timed(
            lambda n=name: _raw(area, month, RAW[n], today, n in ("trends", "points")),
            max(1, args.repeat // 2),
        )
        print(
            f"{name:<14}{fast[0]:>18.1f} / {fast[1]:<8.1f}"
            f"{slow[0]:>16.1f} / {slow[1]:<8.1f}"
        )
    whole = _timed(
        lambda: panels.screen(user=user, area=area, month=month), args.repeat
    )
    print(f"{'every panel':<14}{whole[0]:>18.1f} / {whole[1]:<8.1f}")


if __name__ == "__main__":
    main()
