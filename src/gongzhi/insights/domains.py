"""What every figure of the dashboards means, computed from raw rows.

Each domain answers, for a set of communities and a range of local days,
the figures of each community on each day (``days``), and the figures
counted once over a whole month or year (``spans``: people, who are not
added up day by day). ``dashboard_rollups.py`` stores what they answer
(``Rollup``) and keeps it current; nothing else calls them, and no page
does.

A figure is one of three sorts:

- a **sum** (sessions, hours, points earned): a month's value is the sum
  of its days, a street's the sum of its communities;
- a **snapshot** (people tagged, points outstanding, 双报到 members): the
  state at the end of a day; a month's value is that of its last day (up
  to today), a street's the sum of its communities; kept for days up to
  today only;
- a **distinct** count (participants): people counted once over the day,
  month or year; a street's value is the sum of its communities' (a
  volunteer who served in two communities counts in each).

The definitions, by domain (``dim`` "" is the total):

- ``requests``: the three rates' counts of ``RequestRollup`` (see
  ``rollups.py``) by the day a request was raised; raised and resolved
  also by category (``cat:<id>``).
- ``visits``: visits (入户走访) by their date, in the community of the
  household visited; also by form (``form:home`` …).
- ``incidents``: incidents by the local day they occurred, in the
  community of their place; also by kind (``kind:fall`` …).
- ``people`` (key populations and care coverage): by tag (``tag:<code>``),
  ``tagged``, people living here now (status active) who held the tag that
  day (from its start to its end, both included), and ``covered``, those
  of them visited in the seven days up to that day. Coverage is covered /
  tagged. People are placed by the household they live in now.
- ``volunteering``: sessions not cancelled, by the local day they start,
  in their community; ``participations`` (人次) and ``hours`` (hundredths)
  of their attendance; ``participants`` (distinct people). Also by
  activity type (``kind:``), team (``team:<id>``, ``team:0`` none) and
  place (``place:<text>``), as the volunteering figures page splits them.
- ``party`` (双报到): ``members``, registrations confirmed now, from the
  day they were confirmed; their ``participations`` and ``hours``
  (hundredths) at sessions of the community they registered in, and
  ``serving`` (distinct members who served).
- ``points``: by the local day of the transfer, in its community, the
  entries of residents' and households' accounts: ``earned``,
  ``redeemed`` (net of refunds), ``refunded``, ``expired``, ``adjusted``
  (reversals and adjustments, signed), ``transfers``, ``outstanding``
  (held at the end of the day) and ``participants`` (residents whose
  balance moved), as ``points.selectors.figures`` defines them.
- ``goods``: orders not cancelled by the local day they were placed:
  ``orders``, ``quantity``, ``points``, ``handed_over``; also by goods
  (``goods:<id>``).

Councils and selections add a domain here the same way when they exist:
a class with ``name``, ``events``, its metric sorts, ``days`` (and
``spans`` for distinct counts), listed in ``DOMAINS``; the store, the
rebuild and the equality test take it up with no other change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncYear
from django.utils import timezone

from gongzhi.areas.models import Kind
from gongzhi.areas.scoping import subtree_q
from gongzhi.areas.tree import ancestor_path_expr
from gongzhi.orgs import events as org_events
from gongzhi.orgs.models import PartyRegistration, RegistrationStatus
from gongzhi.points import events as point_events
from gongzhi.points.models import AccountKind, Entry, Order, OrderStatus, TransferKind
from gongzhi.requests import events as request_events
from gongzhi.residents import events as resident_events
from gongzhi.residents.models import Incident, PersonStatus, PersonTag, Visit
from gongzhi.volunteering import events as volunteering_events
from gongzhi.volunteering.models import Attendance, Occurrence

from .models import COUNTS, RequestRollup

# (community id, period, metric, dim) -> value
Values = dict[tuple[int, dt.date, str, str], int]
Communities = dict[int, str]  # id -> path
TRUNC = {"day": TruncDate, "month": TruncMonth, "year": TruncYear}
COVER_DAYS = 7


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnights opening ``start`` and the day after ``end``."""
    tz = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return low, high


def _period(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _cents(hours) -> int:
    return int(round((hours or 0) * 100))


class Domain:
    name = ""
    events: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    snapshots: tuple[str, ...] = ()
    distincts: tuple[str, ...] = ()

    @property
    def onward(self) -> bool:
        """A change on a day moves the snapshots of the days after it."""
        return bool(self.snapshots)

    def days(
        self, communities: Communities, start: dt.date, end: dt.date, today: dt.date
    ) -> Values:
        raise NotImplementedError

    def spans(
        self, communities: Communities, start: dt.date, end: dt.date, tier: str
    ) -> Values:
        """The distinct counts per month or year (``tier``) from ``start``
        to ``end``."""
        return {}


def _by_path(rows: Iterable, communities: Communities) -> Iterable:
    ids = {path: pk for pk, path in communities.items()}
    for row in rows:
        pk = ids.get(row["cpath"])
        if pk is not None:
            yield pk, row


class Requests(Domain):
    name = "requests"
    events = (request_events.CHANGED,)
    sums = ("raised", *COUNTS)
    BY_CATEGORY = ("raised", "resolved")

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        rows = (
            RequestRollup.objects.filter(
                community_id__in=list(communities), day__gte=start, day__lte=end
            )
            .values("community_id", "day", "category_id")
            .annotate(**{name: Sum(name) for name in self.sums})
            .order_by()
        )
        for row in rows:
            key = row["community_id"], row["day"]
            for name in self.sums:
                if row[name]:
                    out[(*key, name, "")] += row[name]
                    if name in self.BY_CATEGORY:
                        out[(*key, name, f"cat:{row['category_id']}")] += row[name]
        return out


class Visits(Domain):
    name = "visits"
    events = (resident_events.CHANGED,)
    sums = ("visits",)

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        rows = (
            Visit.objects.filter(
                subtree_q(communities.values(), field="household__path"),
                visited_on__gte=start,
                visited_on__lte=end,
            )
            .annotate(cpath=ancestor_path_expr("household__path", Kind.COMMUNITY))
            .values("cpath", "visited_on", "form")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for pk, row in _by_path(rows, communities):
            out[(pk, row["visited_on"], "visits", "")] += row["n"]
            out[(pk, row["visited_on"], "visits", f"form:{row['form']}")] += row["n"]
        return out


class Incidents(Domain):
    name = "incidents"
    events = (resident_events.CHANGED,)
    sums = ("incidents",)

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        low, high = bounds(start, end)
        rows = (
            Incident.objects.filter(
                subtree_q(communities.values(), field="area__path"),
                occurred_at__gte=low,
                occurred_at__lt=high,
            )
            .annotate(
                cpath=ancestor_path_expr("area__path", Kind.COMMUNITY),
                day=TruncDate("occurred_at"),
            )
            .values("cpath", "day", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for pk, row in _by_path(rows, communities):
            out[(pk, row["day"], "incidents", "")] += row["n"]
            out[(pk, row["day"], "incidents", f"kind:{row['kind']}")] += row["n"]
        return out


class People(Domain):
    """Snapshots computed with difference arrays: one pass over the tags
    and the visits of the range, whatever its length."""

    name = "people"
    events = (resident_events.CHANGED,)
    snapshots = ("tagged", "covered")

    def days(self, communities, start, end, today):
        end = min(end, today)
        if end < start:
            return {}
        length = (end - start).days + 1
        place = subtree_q(communities.values(), field="person__household__path")
        tags = (
            PersonTag.objects.filter(place, person__status=PersonStatus.ACTIVE)
            .filter(start__lte=end)
            .filter(Q(end__isnull=True) | Q(end__gte=start))
            .annotate(
                cpath=ancestor_path_expr("person__household__path", Kind.COMMUNITY)
            )
            .values("person_id", "tag__code", "start", "end", "cpath")
        )
        visited: dict[int, list[dt.date]] = defaultdict(list)
        for person, day in (
            Visit.objects.filter(
                place,
                person__status=PersonStatus.ACTIVE,
                visited_on__gte=start - dt.timedelta(days=COVER_DAYS - 1),
                visited_on__lte=end,
            )
            .order_by()
            .values_list("person_id", "visited_on")
        ):
            visited[person].append(day)
        marks: dict[tuple[int, str, str], list[int]] = {}

        def mark(key, low: dt.date, high: dt.date) -> None:
            low, high = max(low, start), min(high, end)
            if high < low:
                return
            line = marks.setdefault(key, [0] * (length + 1))
            line[(low - start).days] += 1
            line[(high - start).days + 1] -= 1

        for pk, row in _by_path(tags, communities):
            dim = f"tag:{row['tag__code']}"
            low, high = row["start"], row["end"] or end
            mark((pk, "tagged", dim), low, high)
            # The days this person counts as visited: the union of the
            # seven days from each visit, inside the tag's days.
            runs: list[list[dt.date]] = []
            for day in sorted(set(visited.get(row["person_id"], ()))):
                until = day + dt.timedelta(days=COVER_DAYS - 1)
                if runs and day <= runs[-1][1] + dt.timedelta(days=1):
                    runs[-1][1] = max(runs[-1][1], until)
                else:
                    runs.append([day, until])
            for first, last in runs:
                mark((pk, "covered", dim), max(first, low), min(last, high))
        out: Values = {}
        for (pk, metric, dim), line in marks.items():
            value = 0
            for offset in range(length):
                value += line[offset]
                if value:
                    day = start + dt.timedelta(days=offset)
                    out[(pk, day, metric, dim)] = value
        return out


def _cumulate(
    out: Values,
    *,
    base: dict[int, int],
    moves: dict[tuple[int, dt.date], int],
    metric: str,
    communities: Iterable[int],
    start: dt.date,
    end: dt.date,
) -> None:
    """A snapshot for every day: the value before ``start`` plus each
    day's moves."""
    for pk in communities:
        value = base.get(pk, 0)
        day = start
        while day <= end:
            value += moves.get((pk, day), 0)
            if value:
                out[(pk, day, metric, "")] = value
            day += dt.timedelta(days=1)


class Volunteering(Domain):
    name = "volunteering"
    events = (volunteering_events.CHANGED,)
    sums = ("sessions", "participations", "hours")
    distincts = ("participants",)
    SPLITS = (
        ("kind", "activity__kind"),
        ("team", "activity__team_id"),
        ("place", "activity__place"),
    )

    def _held(self, communities, start, end):
        low, high = bounds(start, end)
        return Occurrence.objects.filter(
            community_id__in=list(communities),
            starts_at__gte=low,
            starts_at__lt=high,
            cancelled_at__isnull=True,
        )

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        held = self._held(communities, start, end)
        splits = [field for _name, field in self.SPLITS]
        sessions = (
            held.annotate(day=TruncDate("starts_at"))
            .values("community_id", "day", *splits)
            .annotate(n=Count("pk"))
            .order_by()
        )
        came = (
            Attendance.objects.filter(occurrence__in=held)
            .annotate(day=TruncDate("occurrence__starts_at"))
            .values(
                "occurrence__community_id",
                "day",
                *(f"occurrence__{field}" for field in splits),
            )
            .annotate(n=Count("pk"), hours=Sum("hours"))
            .order_by()
        )
        for row in sessions:
            for dim in self._dims(row, ""):
                out[(row["community_id"], row["day"], "sessions", dim)] += row["n"]
        for row in came:
            key = row["occurrence__community_id"], row["day"]
            for dim in self._dims(row, "occurrence__"):
                out[(*key, "participations", dim)] += row["n"]
                out[(*key, "hours", dim)] += _cents(row["hours"])
        out.update(self._people(held, trunc="day"))
        return {key: value for key, value in out.items() if value}

    def _dims(self, row, prefix: str) -> list[str]:
        dims = [""]
        for name, field in self.SPLITS:
            value = row[prefix + field]
            dims.append(f"{name}:{value if value is not None else 0}")
        return dims

    def _people(self, held, *, trunc: str) -> Values:
        out: Values = {}
        came = Attendance.objects.filter(occurrence__in=held).annotate(
            at=TRUNC[trunc]("occurrence__starts_at")
        )
        # Day by day the total only: the splits' people are read by month
        # and year (the figures page), never by day.
        splits = self.SPLITS if trunc != "day" else ()
        for name, field in (("", None), *splits):
            group = ["occurrence__community_id", "at"]
            if field:
                group.append(f"occurrence__{field}")
            rows = (
                came.values(*group)
                .annotate(n=Count("person", distinct=True))
                .order_by()
            )
            for row in rows:
                if field:
                    value = row[f"occurrence__{field}"]
                    dim = f"{name}:{value if value is not None else 0}"
                else:
                    dim = ""
                key = row["occurrence__community_id"], _period(row["at"])
                out[(*key, "participants", dim)] = row["n"]
        return out

    def spans(self, communities, start, end, tier):
        return self._people(self._held(communities, start, end), trunc=tier)


class Party(Domain):
    name = "party"
    events = (org_events.CHANGED, volunteering_events.CHANGED)
    sums = ("participations", "hours")
    snapshots = ("members",)
    distincts = ("serving",)

    def _served(self, communities, start, end):
        low, high = bounds(start, end)
        member = PartyRegistration.objects.filter(
            person=OuterRef("person"),
            community=OuterRef("occurrence__community"),
            status=RegistrationStatus.CONFIRMED,
        )
        return Attendance.objects.filter(
            Exists(member),
            occurrence__community_id__in=list(communities),
            occurrence__starts_at__gte=low,
            occurrence__starts_at__lt=high,
            occurrence__cancelled_at__isnull=True,
        )

    def days(self, communities, start, end, today):
        out: Values = {}
        served = (
            self._served(communities, start, end)
            .annotate(day=TruncDate("occurrence__starts_at"))
            .values("occurrence__community_id", "day")
            .annotate(n=Count("pk"), hours=Sum("hours"))
            .order_by()
        )
        for row in served:
            key = row["occurrence__community_id"], row["day"]
            out[(*key, "participations", "")] = row["n"]
            if _cents(row["hours"]):
                out[(*key, "hours", "")] = _cents(row["hours"])
        out.update(self.spans(communities, start, end, "day"))
        last = min(end, today)
        if start <= last:
            confirmed = PartyRegistration.objects.filter(
                community_id__in=list(communities),
                status=RegistrationStatus.CONFIRMED,
            ).annotate(day=TruncDate(Coalesce("decided_at", "registered_at")))
            low, _high = bounds(start, last)
            base = dict(
                confirmed.filter(day__lt=start)
                .values("community_id")
                .annotate(n=Count("pk"))
                .values_list("community_id", "n")
                .order_by()
            )
            moves = {
                (row["community_id"], row["day"]): row["n"]
                for row in confirmed.filter(day__gte=start, day__lte=last)
                .values("community_id", "day")
                .annotate(n=Count("pk"))
                .order_by()
            }
            _cumulate(
                out,
                base=base,
                moves=moves,
                metric="members",
                communities=communities,
                start=start,
                end=last,
            )
        return out

    def spans(self, communities, start, end, tier):
        rows = (
            self._served(communities, start, end)
            .annotate(at=TRUNC[tier]("occurrence__starts_at"))
            .values("occurrence__community_id", "at")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        )
        return {
            (row["occurrence__community_id"], _period(row["at"]), "serving", ""): row[
                "n"
            ]
            for row in rows
        }


HELD = (AccountKind.PERSON, AccountKind.HOUSEHOLD)


class Points(Domain):
    name = "points"
    events = (point_events.CHANGED,)
    sums = ("earned", "redeemed", "refunded", "expired", "adjusted", "transfers")
    snapshots = ("outstanding",)
    distincts = ("participants",)

    def _entries(self, communities, start, end):
        low, high = bounds(start, end)
        return Entry.objects.filter(
            transfer__area_id__in=list(communities),
            transfer__created_at__gte=low,
            transfer__created_at__lt=high,
            account__kind__in=HELD,
        )

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        moved = (
            self._entries(communities, start, end)
            .annotate(day=TruncDate("transfer__created_at"))
            .values("transfer__area_id", "day", "transfer__kind")
            .annotate(total=Sum("amount"), transfers=Count("transfer", distinct=True))
            .order_by()
        )
        moves: dict[tuple[int, dt.date], int] = defaultdict(int)
        for row in moved:
            key = row["transfer__area_id"], row["day"]
            kind, total = row["transfer__kind"], row["total"] or 0
            moves[key] += total
            out[(*key, "transfers", "")] += row["transfers"]
            if kind == TransferKind.EARN:
                out[(*key, "earned", "")] += total
            elif kind == TransferKind.REDEEM:
                out[(*key, "redeemed", "")] -= total
            elif kind == TransferKind.REFUND:
                out[(*key, "redeemed", "")] -= total
                out[(*key, "refunded", "")] += total
            elif kind == TransferKind.EXPIRE:
                out[(*key, "expired", "")] -= total
            elif kind in (TransferKind.REVERSAL, TransferKind.ADJUST):
                out[(*key, "adjusted", "")] += total
        out = {key: value for key, value in out.items() if value}
        out.update(self.spans(communities, start, end, "day"))
        last = min(end, today)
        if start <= last:
            low, _high = bounds(start, last)
            base = dict(
                Entry.objects.filter(
                    transfer__area_id__in=list(communities),
                    transfer__created_at__lt=low,
                    account__kind__in=HELD,
                )
                .values("transfer__area_id")
                .annotate(total=Sum("amount"))
                .values_list("transfer__area_id", "total")
                .order_by()
            )
            _cumulate(
                out,
                base=base,
                moves=moves,
                metric="outstanding",
                communities=communities,
                start=start,
                end=last,
            )
        return out

    def spans(self, communities, start, end, tier):
        rows = (
            self._entries(communities, start, end)
            .filter(account__kind=AccountKind.PERSON)
            .annotate(at=TRUNC[tier]("transfer__created_at"))
            .values("transfer__area_id", "at")
            .annotate(n=Count("account", distinct=True))
            .order_by()
        )
        return {
            (row["transfer__area_id"], _period(row["at"]), "participants", ""): row["n"]
            for row in rows
        }


class Goods(Domain):
    name = "goods"
    events = (point_events.CHANGED,)
    sums = ("orders", "quantity", "points", "handed_over")

    def days(self, communities, start, end, today):
        out: Values = defaultdict(int)
        low, high = bounds(start, end)
        rows = (
            Order.objects.filter(
                community_id__in=list(communities),
                placed_at__gte=low,
                placed_at__lt=high,
            )
            .exclude(status=OrderStatus.CANCELLED)
            .annotate(day=TruncDate("placed_at"))
            .values("community_id", "day", "goods_id")
            .annotate(
                orders=Count("pk"),
                quantity=Sum("quantity"),
                points=Sum("points"),
                handed_over=Count("pk", filter=Q(status=OrderStatus.HANDED_OVER)),
            )
            .order_by()
        )
        for row in rows:
            key = row["community_id"], row["day"]
            for name in self.sums:
                if row[name]:
                    out[(*key, name, "")] += row[name]
                    out[(*key, name, f"goods:{row['goods_id']}")] += row[name]
        return out


DOMAINS: dict[str, Domain] = {
    domain.name: domain
    for domain in (
        Requests(),
        Visits(),
        Incidents(),
        People(),
        Volunteering(),
        Party(),
        Points(),
        Goods(),
    )
}


def domains_for(event: str) -> list[Domain]:
    """The domains an event moves."""
    return [domain for domain in DOMAINS.values() if event in domain.events]
