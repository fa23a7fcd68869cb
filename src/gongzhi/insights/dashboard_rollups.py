"""The dashboards' rollups (``Rollup``): stored, kept current, rebuilt.

What each figure means is in ``domains.py``. Here: for the days a change
concerns, each domain's figures of the communities touched are computed
again from raw rows (``Domain.days``) and replace those days' rows; then
the months and years holding those days are derived (sums added up from
the days, snapshots taken from the last day, distinct counts recounted
over the month or year), and the streets and the district above are set
to the sums of their communities, for every tier. The nightly rebuild
(``rollups_rebuild``) does the very same for every community and every
day of a range, so the two cannot drift apart: a test compares them on
seeded data for every domain.

Who calls: the domain apps announce their changes through ``core.hooks``
(``requests.changed``, ``residents.changed``, ``volunteering.changed``,
``orgs.changed``, ``points.changed``; each documented beside its name in
the app's ``events.py``) and ``InsightsConfig.ready`` subscribes
``on_changed`` (and ``on_requests_changed_figures``). The handlers run
inside the announcing transaction, so a figure commits or rolls back with
its change.

Locking (PostgreSQL): a refresh takes a transaction-scoped advisory lock
on each area node it writes, district first, then streets, then
communities (path order, the same everywhere), so two refreshes of one
street take turns and the second sums what the first committed. SQLite
serialises writers anyway.

Snapshots are kept day by day for the last ``SNAPSHOT_DAYS`` days and at
each month's end before that (a month's value is its last day's).

Bulk work (seeding a year through the services) runs inside
``rollups_paused()``: the handlers only note what changed, and leaving
the block refreshes it all at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth, TruncYear
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import subtree_q
from gongzhi.areas.tree import ancestor_path, ancestor_path_expr, ancestor_paths
from gongzhi.orgs import events as org_events
from gongzhi.requests.models import ServiceRequest

from .domains import DOMAINS, Domain, Values, domains_for
from .models import RequestFact, RequestRollup, Rollup, Tier

# Days kept from the first of January of last year; the nightly rebuild
# recounts from there to a year ahead (sessions are published ahead).
AHEAD_DAYS = 366
LOCK_CLASS = 19190
# Snapshots (people tagged, points outstanding) are kept for each of the
# last SNAPSHOT_DAYS days and for the last day of every month before:
# what the screens read, at a tenth of the rows.
SNAPSHOT_DAYS = 62
BATCH = 2000

# What changed inside ``rollups_paused()``: domain -> area id -> days.
_paused: ContextVar[dict | None] = ContextVar("rollups_paused", default=None)


def kept_start(today: dt.date) -> dt.date:
    return dt.date(today.year - 1, 1, 1)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(month: dt.date) -> dt.date:
    after = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return after - dt.timedelta(days=1)


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days."""
    runs: list[list[dt.date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + dt.timedelta(days=1):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    return [(a, b) for a, b in runs]


def _span(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def communities_of(area_ids: Iterable[int]) -> dict[int, str]:
    """The communities the areas ``area_ids`` lie in (id -> path)."""
    paths = Area.objects.filter(pk__in=set(area_ids)).values_list("path", flat=True)
    wanted = {ancestor_path(path, Kind.COMMUNITY) for path in paths} - {None}
    return dict(
        Area.objects.filter(path__in=wanted, kind=Kind.COMMUNITY).values_list(
            "pk", "path"
        )
    )


def _all_communities(within: Area | None = None) -> dict[int, str]:
    found = Area.objects.filter(kind=Kind.COMMUNITY)
    if within is not None:
        found = found.filter(subtree_q([within.path]))
    return dict(found.values_list("pk", "path"))


def _lock(paths: Iterable[str]) -> None:
    if connection.vendor != "postgresql":
        return
    wanted = {p for path in paths for p in ancestor_paths(path, include_self=True)}
    ids = list(
        Area.objects.filter(path__in=wanted)
        .order_by("path")
        .values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        for pk in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_CLASS, pk])


def _write(
    domain: str, tier: str, area_ids: Iterable[int], periods: Iterable, values: Values
) -> None:
    """Replace the rows of ``area_ids`` and ``periods`` with ``values``."""
    area_ids, periods = sorted(set(area_ids)), sorted(set(periods))
    if not area_ids or not periods:
        return
    for start in range(0, len(periods), 500):
        Rollup.objects.filter(
            domain=domain,
            tier=tier,
            area_id__in=area_ids,
            period__in=periods[start : start + 500],
        ).delete()
    Rollup.objects.bulk_create(
        (
            Rollup(
                domain=domain,
                tier=tier,
                area_id=pk,
                period=period,
                metric=metric,
                dim=dim,
                value=value,
            )
            for (pk, period, metric, dim), value in values.items()
            if value
        ),
        batch_size=BATCH,
    )


def _derive(
    domain: Domain,
    tier: str,
    communities: dict[int, str],
    periods: list[dt.date],
    today: dt.date,
) -> Values:
    """A month's (or year's) figures from the tier below and the raw rows
    for its distinct counts."""
    below, trunc = (
        (Tier.DAY, TruncMonth) if tier == Tier.MONTH else (Tier.MONTH, TruncYear)
    )
    last = month_end if tier == Tier.MONTH else (lambda p: dt.date(p.year, 12, 31))
    first = min(periods)
    end = last(max(periods))
    ids = list(communities)
    rows = Rollup.objects.filter(
        domain=domain.name, tier=below, area_id__in=ids, period__gte=first
    ).filter(period__lte=end)
    out: Values = {}
    for row in (
        rows.filter(metric__in=domain.sums)
        .annotate(at=trunc("period"))
        .values("area_id", "at", "metric", "dim")
        .annotate(total=Sum("value"))
        .order_by()
    ):
        out[(row["area_id"], row["at"], row["metric"], row["dim"])] = row["total"]
    if domain.snapshots:
        # The state at the end of the period, or today for the current one.
        ends = {}
        for period in periods:
            if period <= today:
                day = min(last(period), today)
                ends[day if tier == Tier.MONTH else month_of(day)] = period
        for pk, at, metric, dim, value in rows.filter(
            metric__in=domain.snapshots, period__in=list(ends)
        ).values_list("area_id", "period", "metric", "dim", "value"):
            out[(pk, ends[at], metric, dim)] = value
    if domain.distincts:
        out.update(domain.spans(communities, first, end, tier))
    # The range read may hold periods between those asked for: only the
    # asked ones are replaced.
    wanted = set(periods)
    return {key: value for key, value in out.items() if key[1] in wanted}


def _up(domain: str, tier: str, paths: Iterable[str], periods: list) -> None:
    """Set the streets and districts above ``paths`` to the sums of their
    communities over ``periods``."""
    for kind in (Kind.STREET, Kind.DISTRICT):
        tops = {ancestor_path(path, kind) for path in paths} - {None}
        if not tops:
            continue
        nodes = dict(
            Area.objects.filter(path__in=tops, kind=kind).values_list("path", "pk")
        )
        rows = (
            Rollup.objects.filter(
                domain=domain,
                tier=tier,
                period__in=periods,
                area__kind=Kind.COMMUNITY,
            )
            .filter(subtree_q(list(nodes), field="area__path"))
            .annotate(top=ancestor_path_expr("area__path", kind))
            .values("top", "period", "metric", "dim")
            .annotate(total=Sum("value"))
            .order_by()
        )
        values = {
            (nodes[row["top"]], row["period"], row["metric"], row["dim"]): row["total"]
            for row in rows
            if row["top"] in nodes
        }
        _write(domain, tier, nodes.values(), periods, values)


def _refresh(
    domain: Domain,
    communities: dict[int, str],
    days: Iterable[dt.date],
    *,
    today: dt.date,
) -> None:
    days = set(days)
    if not communities or not days:
        return
    if domain.onward:
        days |= set(_span(min(days), max(today, min(days))))
    days_sorted = sorted(days)
    values: Values = {}
    for start, end in _runs(days_sorted):
        values.update(domain.days(communities, start, end, today))
    if domain.snapshots:
        snapshots = set(domain.snapshots)
        recent = today - dt.timedelta(days=SNAPSHOT_DAYS - 1)
        values = {
            key: value
            for key, value in values.items()
            if key[2] not in snapshots
            or key[1] >= recent
            or key[1] == month_end(key[1])
        }
    _write(domain.name, Tier.DAY, communities, days_sorted, values)
    months = sorted({month_of(day) for day in days_sorted})
    _write(
        domain.name,
        Tier.MONTH,
        communities,
        months,
        _derive(domain, Tier.MONTH, communities, months, today),
    )
    years = sorted({day.replace(month=1, day=1) for day in days_sorted})
    _write(
        domain.name,
        Tier.YEAR,
        communities,
        years,
        _derive(domain, Tier.YEAR, communities, years, today),
    )
    paths = list(communities.values())
    for tier, periods in (
        (Tier.DAY, days_sorted),
        (Tier.MONTH, months),
        (Tier.YEAR, years),
    ):
        for start in range(0, len(periods), 500):
            _up(domain.name, tier, paths, periods[start : start + 500])


def rollups_refresh(
    *,
    domains: Iterable[Domain],
    area_ids: Iterable[int],
    days: Iterable[dt.date],
    today: dt.date | None = None,
) -> None:
    """Recompute ``domains``' figures of the communities of ``area_ids``
    on ``days`` (and, for snapshots, every day after up to today), their
    months and years, and the streets and districts above."""
    domains, days = list(domains), set(days)
    if not domains or not days:
        return
    noted = _paused.get()
    if noted is not None:
        for domain in domains:
            for pk in set(area_ids):
                noted.setdefault(domain.name, {}).setdefault(pk, set()).update(days)
        return
    communities = communities_of(area_ids)
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock(communities.values())
        for domain in domains:
            _refresh(domain, communities, days, today=today)


def rollups_rebuild(
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    domains: Iterable[str] | None = None,
    within: Area | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Recompute every figure of every community (of ``within``) from
    ``start`` to ``end`` (by default the kept days: from the first of
    January of last year to a year ahead), domain by domain, one
    transaction each. Answers the rows written per domain."""
    today = today or timezone.localdate()
    start = start or kept_start(today)
    end = end or today + dt.timedelta(days=AHEAD_DAYS)
    communities = _all_communities(within)
    done = {}
    for name in domains or DOMAINS:
        domain = DOMAINS[name]
        with transaction.atomic():
            _lock(communities.values())
            _refresh(domain, communities, _span(start, end), today=today)
        done[name] = Rollup.objects.filter(domain=name).count()
    return done


@contextmanager
def rollups_paused() -> Iterator[dict]:
    """Note the refreshes asked for inside the block and make them once
    when it ends (by community and domain, over the days noted). A block
    inside another hands its notes on to the outer one. Leaving by an
    exception refreshes nothing; the nightly rebuild sets it right."""
    outer = _paused.get()
    noted: dict = {}
    token = _paused.set(noted)
    try:
        yield noted
    finally:
        _paused.reset(token)
    if outer is not None:
        for name, by_community in noted.items():
            for pk, days in by_community.items():
                outer.setdefault(name, {}).setdefault(pk, set()).update(days)
        return
    for name, by_community in noted.items():
        days = set().union(*by_community.values())
        rollups_refresh(domains=[DOMAINS[name]], area_ids=by_community, days=days)


def rollups_refresh_later(
    *, domains: Iterable[Domain], area_ids: Iterable[int], days: Iterable[dt.date]
) -> None:
    """What a change's handler asks for: the refresh as a background task,
    queued in the announcing transaction (so it is queued if and only if
    the change commits) and run by a worker after it. The order, the
    check-in or the step that changed something then pays one insert, not
    the recount of its community, street and district, nor their locks,
    which the workers take in turn. With the immediate backend (the tests)
    the task runs at once, as before. Inside ``rollups_paused()`` the days
    are only noted, as ``rollups_refresh`` does. With
    ``GONGZHI_DASHBOARD_LIVE`` off (the test settings, where no page of the
    other apps reads the dashboards) nothing is queued and the nightly
    rebuild alone keeps them; the insights tests switch it on."""
    domains, days = list(domains), sorted(set(days))
    if not domains or not days or not settings.GONGZHI_DASHBOARD_LIVE:
        return
    if _paused.get() is not None:
        rollups_refresh(domains=domains, area_ids=area_ids, days=days)
        return
    from .tasks import rollups_refresh_task

    rollups_refresh_task.enqueue(
        domains=sorted(domain.name for domain in domains),
        area_ids=sorted(set(area_ids)),
        days=[day.isoformat() for day in days],
    )


_handlers: dict = {}


def on_changed(event: str):
    """The subscriber of ``event``: refresh the domains it moves (one
    function per event, so subscribing twice keeps one)."""
    if event in _handlers:
        return _handlers[event]
    domains = domains_for(event)

    def handler(*, area_ids=(), community_ids=(), days=(), **_payload) -> None:
        days = set(days)
        if event == org_events.CHANGED or _payload.get("what") == "person":
            # Which hours are a member's, and who lives here, count on
            # every day kept.
            today = timezone.localdate()
            days |= set(_span(kept_start(today), today))
        rollups_refresh_later(
            domains=domains, area_ids=[*area_ids, *community_ids], days=days
        )

    handler.__name__ = f"on_{event.replace('.', '_')}"
    _handlers[event] = handler
    return handler


def on_requests_changed_figures(*, request_ids, now=None, **_payload) -> None:
    """After the three rates' rollups (``rollups.on_requests_changed``):
    the requests' days in their communities now, and in those their
    buckets were re-summed out of (a request moved elsewhere)."""
    from .rollups import refreshes_deferred

    if refreshes_deferred():
        return  # the rates' rollups wait; ``rollups_deferred`` calls again
    ids = list(request_ids)
    cells = set(
        RequestFact.objects.filter(request_id__in=ids).values_list(
            "community_id", "day"
        )
    )
    if now is not None and cells:
        cells |= set(
            RequestRollup.objects.filter(
                day__in={day for _c, day in cells}, refreshed_at=now
            ).values_list("community_id", "day")
        )
    if not cells:
        cells = {
            (item.community_id, timezone.localdate(item.created_at))
            for item in ServiceRequest.objects.filter(pk__in=ids).only(
                "community_id", "created_at"
            )
        }
    by_community = defaultdict(set)
    for community, day in cells:
        by_community[community].add(day)
    for community, days in by_community.items():
        rollups_refresh_later(
            domains=[DOMAINS["requests"]], area_ids=[community], days=days
        )
