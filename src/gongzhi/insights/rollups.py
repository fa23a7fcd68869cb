"""The three rates (三率) and the rollups they are read from.

Definitions (the same in README.md, "三率 · The three rates"):

- **响应率 (response rate)** = requests responded to within the response
  deadline / requests dispatched. *Dispatched*: sent to an assignee or put
  in the pool at least once (``dispatched_at`` set; the deadlines start
  then). *Responded within the deadline*: ``responded_at <= response_due``
  (accepted, taken from the pool or first contact recorded, at or before
  the deadline). A dispatched request nobody has responded to yet counts
  in the denominator only, even while its deadline has not passed, so the
  rate of a period still running is provisional.
- **解决率 (resolution rate)** = requests resolved / valid requests.
  *Valid*: every request raised except those rejected (not accepted) or
  merged into another. *Resolved*: ``resolved_at`` set, that is resolved
  (办结) and waiting for a rating, or closed after resolution (rated,
  called back or closed unrated).
- **满意率 (satisfaction rate)** = (满意 + 基本满意) / rated. *Rated*: the
  request carries a rating, given by the resident or recorded by a call
  back (回访); requests closed without a rating are not rated.

Rules behind them:

- Only valid requests count in the three rates: a rejected or merged
  request is counted as raised and nothing else.
- Cohort: a request counts in the day (and so the period) it was raised,
  local time (Asia/Shanghai), whatever happens to it later. A period's
  rates therefore move while its requests are still being worked.
- Each request is counted once, as it stands now. A reopened request
  (after 不满意, at most once) leaves "resolved" and "rated" until it is
  resolved and rated again; its first-round 不满意 stays on the timeline
  and is counted in ``reopened``, not in 满意率. The response counts once:
  the first response, against the deadline of the first dispatch.
- The assignee a request counts for ("team": a service team, an
  organization or a street department) is the one it was resolved by,
  else the one holding it now, else the last one that held it (from the
  timeline: a team that returned a request stays answerable for it until
  another takes it); a request nobody held counts as not assigned. Nothing
  after 办结 changes the assignee, so the one holding a resolved request
  is the one that resolved it. Rejected and merged requests count for
  nobody.
- *Overdue*: the response or the resolution deadline was missed (the
  request's overdue marks, set when it responds or resolves late and by
  the sweep).

A rate is None (shown "—") when its denominator is 0.

Storage: ``RequestFact`` holds each request's part (its bucket and a
yes/no per count); ``RequestRollup`` holds a bucket's sums. A bucket is
(day raised, community, street, category, assignee kind and id).
``rollup_refresh`` recomputes the facts of some requests and re-sums the
buckets they left and entered, from those buckets' facts only;
``rollup_rebuild`` does the same for every request raised in a range of
days (nightly). Pages and the API read ``RequestRollup`` alone.

Locking: refresh locks the requests' rows (the workflow holds them
already), then their facts, then makes sure the buckets' rows exist
(insert, ignoring one already there) and locks them in key order before
re-summing. Two refreshes touching one bucket therefore take turns, and
the second sums what the first committed.

Who calls: requests announce every change (``requests.events.CHANGED``,
through ``core.hooks``) and ``on_requests_changed`` refreshes; requests
never import this module.

Batches: inside ``rollups_deferred()`` a refresh only notes its requests,
and leaving the block refreshes them all at once, a chunk of requests and
their buckets at a time. Bulk work (the seeders playing a year through the
services) uses it to re-sum a bucket once instead of at every step; pages
and the API never do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import ancestor_path, ancestor_paths
from gongzhi.requests.models import ServiceRequest, Transition
from gongzhi.requests.states import SATISFIED, Rating, Status

from .models import COUNTS, AssigneeKind, RequestFact, RequestRollup

INVALID = frozenset({Status.REJECTED, Status.MERGED})
CHUNK = 500
# The requests noted by refreshes inside ``rollups_deferred()``, else None.
_deferred: ContextVar[set[int] | None] = ContextVar("rollups_deferred", default=None)

Key = tuple  # (day, community_id, street_id, category_id, kind, assignee_id)


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _current_assignee(item: ServiceRequest) -> tuple[str, int]:
    if item.team_id:
        return AssigneeKind.TEAM, item.team_id
    if item.organization_id:
        return AssigneeKind.ORGANIZATION, item.organization_id
    if item.department_id:
        return AssigneeKind.DEPARTMENT, item.department_id
    return AssigneeKind.NONE, 0


def _last_held(ids: list[int]) -> dict[int, tuple[str, int]]:
    """The last assignee each request had, from its timeline."""
    held: dict[int, tuple[str, int]] = {}
    steps = (
        Transition.objects.filter(request_id__in=ids)
        .filter(
            Q(team__isnull=False)
            | Q(organization__isnull=False)
            | Q(department__isnull=False)
        )
        .order_by("request_id", "-at", "-pk")
        .values_list("request_id", "team_id", "organization_id", "department_id")
    )
    for request_id, team, organization, department in steps:
        if request_id in held:
            continue
        if team:
            held[request_id] = (AssigneeKind.TEAM, team)
        elif organization:
            held[request_id] = (AssigneeKind.ORGANIZATION, organization)
        else:
            held[request_id] = (AssigneeKind.DEPARTMENT, department)
    return held


def _streets(community_ids: Iterable[int]) -> dict[int, int]:
    """The street above each community (one query for all)."""
    communities = list(
        Area.objects.filter(pk__in=set(community_ids)).values_list("pk", "path")
    )
    prefixes = {ancestor_path(path, Kind.STREET) for _pk, path in communities}
    streets = dict(
        Area.objects.filter(path__in=prefixes, kind=Kind.STREET).values_list(
            "path", "pk"
        )
    )
    found = {}
    for pk, path in communities:
        street = streets.get(ancestor_path(path, Kind.STREET))
        if street is None:  # a tree of another depth: ask the long way
            street = (
                Area.objects.filter(
                    kind=Kind.STREET,
                    path__in=ancestor_paths(path),
                )
                .values_list("pk", flat=True)
                .first()
            )
        found[pk] = street
    return found


def fact_for(
    item: ServiceRequest, *, street_id: int, last_held: tuple[str, int] | None
) -> RequestFact:
    """What one request contributes, by the definitions above."""
    valid = item.status not in INVALID
    kind, assignee = _current_assignee(item) if valid else (AssigneeKind.NONE, 0)
    if valid and kind == AssigneeKind.NONE and last_held is not None:
        kind, assignee = last_held
    dispatched = valid and item.dispatched_at is not None
    rated = valid and bool(item.rating)
    return RequestFact(
        request_id=item.pk,
        day=local_day(item.created_at),
        community_id=item.community_id,
        street_id=street_id,
        category_id=item.category_id,
        assignee_kind=kind,
        assignee_id=assignee,
        valid=valid,
        dispatched=dispatched,
        responded_in_time=dispatched
        and item.responded_at is not None
        and item.response_due is not None
        and item.responded_at <= item.response_due,
        resolved=valid and item.resolved_at is not None,
        rated=rated,
        satisfied=rated and item.rating in SATISFIED,
        dissatisfied=rated and item.rating == Rating.DISSATISFIED,
        overdue=valid and (item.response_overdue or item.resolve_overdue),
        reopened=valid and item.reopened_count > 0,
    )


def _facts(items: list[ServiceRequest]) -> list[RequestFact]:
    streets = _streets(item.community_id for item in items)
    unheld = [
        item.pk
        for item in items
        if item.status not in INVALID
        and _current_assignee(item)[0] == AssigneeKind.NONE
        and item.dispatched_at is not None
    ]
    held = _last_held(unheld) if unheld else {}
    return [
        fact_for(
            item, street_id=streets[item.community_id], last_held=held.get(item.pk)
        )
        for item in items
    ]


def _key_q(keys: Iterable[Key]) -> Q:
    query = Q(pk__in=[])
    for day, community, street, category, kind, assignee in keys:
        query |= Q(
            day=day,
            community_id=community,
            street_id=street,
            category_id=category,
            assignee_kind=kind,
            assignee_id=assignee,
        )
    return query


def _resum(keys: set[Key], *, now: dt.datetime) -> None:
    """Make the buckets' rows exist, lock them in key order, and set each
    to the sums of its facts."""
    if not keys:
        return
    ordered = sorted(keys, key=lambda k: (k[0], k[1], k[2], k[3], k[4], k[5]))
    for start in range(0, len(ordered), 100):
        part = ordered[start : start + 100]
        RequestRollup.objects.bulk_create(
            [
                RequestRollup(
                    day=day,
                    community_id=community,
                    street_id=street,
                    category_id=category,
                    assignee_kind=kind,
                    assignee_id=assignee,
                    refreshed_at=now,
                )
                for day, community, street, category, kind, assignee in part
            ],
            ignore_conflicts=True,
        )
        rows = {
            row.key: row
            for row in RequestRollup.objects.select_for_update()
            .filter(_key_q(part))
            .order_by(
                "day",
                "community_id",
                "street_id",
                "category_id",
                "assignee_kind",
                "assignee_id",
            )
        }
        sums = {
            (
                row["day"],
                row["community_id"],
                row["street_id"],
                row["category_id"],
                row["assignee_kind"],
                row["assignee_id"],
            ): row
            for row in RequestFact.objects.filter(_key_q(part))
            .values(
                "day",
                "community_id",
                "street_id",
                "category_id",
                "assignee_kind",
                "assignee_id",
            )
            .annotate(
                raised=Count("pk"),
                **{name: Count("pk", filter=Q(**{name: True})) for name in COUNTS},
            )
            .order_by()
        }
        changed = []
        for key, row in rows.items():
            summed = sums.get(key, {})
            row.raised = summed.get("raised", 0)
            for name in COUNTS:
                setattr(row, name, summed.get(name, 0))
            row.refreshed_at = now
            changed.append(row)
        RequestRollup.objects.bulk_update(changed, ["raised", *COUNTS, "refreshed_at"])


def _refresh_ids(ids: list[int], *, now: dt.datetime) -> set[Key]:
    """Recompute the facts of the requests ``ids`` (inside a transaction)
    and answer the buckets they left or entered."""
    items = list(
        ServiceRequest.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    old = {
        fact.request_id: fact
        for fact in RequestFact.objects.select_for_update()
        .filter(request_id__in=ids)
        .order_by("request_id")
    }
    keys: set[Key] = {fact.key for fact in old.values()}
    new = _facts(items)
    keys |= {fact.key for fact in new}
    for fact in new:
        fact.refreshed_at = now
    fields = [
        "day",
        "community",
        "street",
        "category",
        "assignee_kind",
        "assignee_id",
        *COUNTS,
        "refreshed_at",
    ]
    RequestFact.objects.bulk_update(
        [fact for fact in new if fact.request_id in old], fields
    )
    RequestFact.objects.bulk_create(
        [fact for fact in new if fact.request_id not in old]
    )
    return keys


def rollup_refresh(
    *,
    request_ids: Iterable[int] = (),
    requests: Iterable[ServiceRequest] = (),
    now: dt.datetime | None = None,
) -> int:
    """Bring the rollups of these requests up to date: recompute their
    facts from their rows and re-sum the buckets they were and are in.
    Call it inside the transaction that changed them (it locks their rows
    again, a no-op there). Answers the number of buckets re-summed."""
    ids = sorted({*request_ids, *(item.pk for item in requests)})
    if not ids:
        return 0
    noted = _deferred.get()
    if noted is not None:
        noted.update(ids)
        return 0
    now = now or timezone.now()
    keys: set[Key] = set()
    with transaction.atomic():
        for start in range(0, len(ids), CHUNK):
            keys |= _refresh_ids(ids[start : start + CHUNK], now=now)
        _resum(keys, now=now)
    return len(keys)


@contextmanager
def rollups_deferred(*, now: dt.datetime | None = None) -> Iterator[set[int]]:
    """Defer the refreshes asked for inside the block: they note their
    requests, and leaving the block refreshes every one of them (with
    ``now`` as the refresh time), a transaction per chunk of requests. A
    block inside another hands its requests on to the outer one. Leaving
    by an exception refreshes nothing; the nightly rebuild (or a rebuild
    of the days concerned) sets those rollups right."""
    noted: set[int] = set()
    token = _deferred.set(noted)
    try:
        yield noted
    finally:
        _deferred.reset(token)
    ids = sorted(noted)
    from .dashboard_rollups import on_requests_changed_figures

    for start in range(0, len(ids), CHUNK):
        rollup_refresh(request_ids=ids[start : start + CHUNK], now=now)
        on_requests_changed_figures(request_ids=ids[start : start + CHUNK])


def refreshes_deferred() -> bool:
    """Whether refreshes are being noted (inside ``rollups_deferred()``)."""
    return _deferred.get() is not None


def on_requests_changed(
    *, request_ids: Iterable[int], now: dt.datetime | None = None, **_payload
) -> None:
    """The ``requests.changed`` subscriber (see ``InsightsConfig.ready``):
    refresh the changed requests' rollups, or note them inside
    ``rollups_deferred()``."""
    rollup_refresh(request_ids=request_ids, now=now)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def rollup_rebuild(*, start: dt.date, end: dt.date) -> dict[str, int]:
    """Recompute the facts of every request raised from ``start`` to
    ``end`` (local days, both included) and re-sum every bucket of those
    days, one day per transaction (the nightly rebuild). Buckets whose
    requests moved away keep a row of zeros."""
    done = {"days": 0, "requests": 0, "buckets": 0}
    day = start
    while day <= end:
        low, high = _day_bounds(day)
        with transaction.atomic():
            ids = list(
                ServiceRequest.objects.filter(created_at__gte=low, created_at__lt=high)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            now = timezone.now()
            keys: set[Key] = set()
            for offset in range(0, len(ids), CHUNK):
                keys |= _refresh_ids(ids[offset : offset + CHUNK], now=now)
            # Facts of this day whose request now lies elsewhere (its
            # created time was corrected) and buckets left empty.
            stray = list(
                RequestFact.objects.filter(day=day)
                .exclude(request_id__in=ids)
                .values_list("request_id", flat=True)
            )
            if stray:
                keys |= _refresh_ids(stray, now=now)
            keys |= {
                row.key for row in RequestRollup.objects.filter(day=day, raised__gt=0)
            }
            _resum(keys, now=now)
        done["days"] += 1
        done["requests"] += len(ids)
        done["buckets"] += len(keys)
        day += dt.timedelta(days=1)
    return done
