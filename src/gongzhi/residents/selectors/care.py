"""Reads of grid care: how often each person is visited, who is due, and
the visits, incidents and pairings of a place, all already scoped.

A person's visit interval is the smallest interval among the tags they hold
now. A tag's interval is the care plan of the nearest area above the
person's household (deepest wins), else the tag's own default. The due list
works from plain value rows: one query for the tags held, one aggregate for
the last visit of each person, one for the plans, one for the follow-ups,
then the page's rows alone are dressed with names and addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scope_paths, scoped, subtree_q
from gongzhi.areas.tree import ancestor_paths_of, labels_of

from ..homes import last_known_home
from ..models import (
    CarePlan,
    Incident,
    Pairing,
    Person,
    PersonStatus,
    PersonTag,
    TagType,
    Visit,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

# The kinds whose names make a grid worker's address: 航院小区 1号楼 1单元 101.
ADDRESS_KINDS = {Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD}


@dataclass(frozen=True)
class Plans:
    """The care plans that can apply under some subtrees, and the tags'
    defaults, resolved for a household path without further queries."""

    defaults: dict[int, int | None]
    # tag id -> [(area path, days)], deepest first
    by_tag: dict[int, list[tuple[str, int]]]

    def interval(self, tag_id: int, path: str) -> int | None:
        """Days between visits for a tag at a household: the plan of the
        deepest area above it, else the tag's default (None: not visited
        on a schedule)."""
        for plan_path, days in self.by_tag.get(tag_id, ()):
            if path.startswith(plan_path):
                return days
        return self.defaults.get(tag_id)

    def scheduled_tags(self) -> set[int]:
        """Tags with an interval somewhere in these subtrees."""
        return {t for t, d in self.defaults.items() if d} | set(self.by_tag)


def care_plans_for(*, paths) -> Plans:
    """The plans on the nodes above and below ``paths`` (two queries:
    the tags, the plans)."""
    defaults = dict(TagType.objects.values_list("pk", "visit_every_days"))
    paths = list(paths)
    if not paths:
        return Plans(defaults, {})
    plans = CarePlan.objects.filter(
        Q(area__path__in=ancestor_paths_of(paths))
        | subtree_q(paths, field="area__path")
    ).values_list("tag_id", "area__path", "visit_every_days")
    by_tag: dict[int, list[tuple[str, int]]] = {}
    for tag_id, path, days in plans:
        by_tag.setdefault(tag_id, []).append((path, days))
    for rows in by_tag.values():
        rows.sort(key=lambda row: len(row[0]), reverse=True)
    return Plans(defaults, by_tag)


def _today() -> dt.date:
    return timezone.localdate()


@dataclass
class DueRow:
    """One line of the due list."""

    person_id: int | None
    household_path: str
    interval: int | None = None
    tag_ids: list[int] = field(default_factory=list)
    first_tagged: dt.date | None = None
    last_visit: dt.date | None = None
    due_on: dt.date | None = None
    days_overdue: int = 0
    incident_id: int | None = None  # an incident's follow-up visit
    # Days the follow-up is late: 0 due today, -1 due tomorrow.
    follow_up_late: int = 0
    # Filled for the rows of one page by ``care_due_dress``.
    person: Person | None = None
    incident: Incident | None = None
    address: str = ""
    tags: list[TagType] = field(default_factory=list)

    @property
    def follow_up(self) -> bool:
        return self.incident_id is not None

    @property
    def never_visited(self) -> bool:
        return self.last_visit is None


def care_due(
    *,
    user: User,
    area: Area | None = None,
    tag: int | None = None,
    today: dt.date | None = None,
) -> list[DueRow]:
    """Who is due or overdue for a visit where ``user`` records care (under
    ``area`` if given), most urgent first: incidents' follow-up visits, then
    by days overdue. Someone never visited is due since their tag started.

    Reads value rows only, in five queries whatever the scope.
    """
    today = today or _today()
    paths = [area.path] if area is not None else scope_paths(user, Perm.CARE_RECORD)
    if not paths:
        return []
    plans = care_plans_for(paths=paths)
    scheduled = plans.scheduled_tags()
    rows: dict[int, DueRow] = {}
    # Start from the households of the subtree, so a grid reads its own
    # people's tags and visits, not the whole district's.
    people = Person.objects.filter(
        subtree_q(paths, field="household__path"), status=PersonStatus.ACTIVE
    ).values("pk")
    held = (
        PersonTag.objects.filter(
            person_id__in=people, end__isnull=True, tag_id__in=scheduled
        )
        .values_list("person_id", "tag_id", "start", "person__household__path")
        .order_by()
    )
    for person_id, tag_id, start, path in held:
        days = plans.interval(tag_id, path)
        if not days:
            continue
        row = rows.get(person_id) or rows.setdefault(person_id, DueRow(person_id, path))
        row.tag_ids.append(tag_id)
        row.interval = min(days, row.interval or days)
        if row.first_tagged is None or start < row.first_tagged:
            row.first_tagged = start
    if tag:
        rows = {pk: row for pk, row in rows.items() if tag in row.tag_ids}
    last_visits = (
        Visit.objects.filter(person_id__in=people)
        .values("person_id")
        .annotate(last=Max("visited_on"))
        .values_list("person_id", "last")
        .order_by()
    )
    for person_id, last in last_visits:
        if person_id in rows:
            rows[person_id].last_visit = last
    due: list[DueRow] = []
    for row in rows.values():
        if row.last_visit is None:
            row.due_on = row.first_tagged
        else:
            row.due_on = row.last_visit + dt.timedelta(days=row.interval)
        if row.due_on <= today:
            row.days_overdue = (today - row.due_on).days
            due.append(row)
    due.extend(_follow_ups(paths=paths, rows=rows, today=today, tag=tag))
    due.sort(key=_urgency)
    return due


def _follow_ups(*, paths, rows: dict[int, DueRow], today: dt.date, tag) -> list:
    """Follow-up visits pending after incidents, due or not yet: they head
    the list. A person already on it becomes one row, marked follow-up."""
    pending = (
        Incident.objects.filter(
            subtree_q(paths, field="area__path"), follow_up_due__isnull=False
        )
        .values_list("pk", "person_id", "follow_up_due", "area__path")
        .order_by("follow_up_due", "pk")
    )
    listed = {row.person_id for row in rows.values() if row.due_on <= today}
    extra: list[DueRow] = []
    for incident_id, person_id, due_on, path in pending:
        row = rows.get(person_id) if person_id else None
        if row is None:
            if tag:  # a tag filter shows the people holding it only
                continue
            row = DueRow(person_id, path, due_on=due_on)
            if person_id:
                rows[person_id] = row
            extra.append(row)
        elif row.incident_id is not None:
            continue  # one row per person: the earliest follow-up
        elif person_id not in listed:
            extra.append(row)
            listed.add(person_id)
        row.incident_id = incident_id
        row.follow_up_late = (today - due_on).days
        row.due_on = min(row.due_on, due_on)
        row.days_overdue = max(0, (today - row.due_on).days)
    return extra


def _urgency(row: DueRow):
    return (not row.follow_up, -row.days_overdue, row.household_path)


def addresses(*, paths) -> dict[str, str]:
    """A short address for each household path, "航院小区 1号楼 1单元 101",
    in one query."""
    return labels_of(paths, kinds=ADDRESS_KINDS)


def incident_people(*, area: Area, limit: int = 300) -> list[tuple[int, str]]:
    """Whom an incident under ``area`` can be about: the people living
    there, as (id, "name · address") by address, at most ``limit``."""
    people = list(
        Person.objects.filter(
            subtree_q([area.path], field="household__path"),
            status=PersonStatus.ACTIVE,
        )
        .order_by("household__path", "name", "pk")
        .values_list("pk", "name", "household__path")[:limit]
    )
    labels = addresses(paths={path for _pk, _name, path in people})
    return [(pk, f"{name} · {labels.get(path, '')}") for pk, name, path in people]


def care_due_dress(*, rows: list[DueRow]) -> list[DueRow]:
    """Names, tags, addresses and incidents for the rows of one page."""
    people = Person.objects.in_bulk([r.person_id for r in rows if r.person_id])
    incidents = Incident.objects.in_bulk([r.incident_id for r in rows if r.incident_id])
    tags = TagType.objects.in_bulk({t for r in rows for t in r.tag_ids})
    labels = addresses(paths={r.household_path for r in rows})
    for row in rows:
        row.person = people.get(row.person_id)
        row.incident = incidents.get(row.incident_id)
        row.address = labels.get(row.household_path, "")
        row.tags = sorted(
            (tags[t] for t in row.tag_ids if t in tags),
            key=lambda t: (t.position, t.pk),
        )
    return rows


@dataclass
class CareStatus:
    """A person's schedule: each scheduled tag's interval, the smallest,
    the last visit and when the next one is due."""

    tags: list[tuple[TagType, int]]
    interval: int | None
    last_visit: dt.date | None
    next_due: dt.date | None

    @property
    def overdue_days(self) -> int:
        if self.next_due is None:
            return 0
        return max(0, (_today() - self.next_due).days)


def person_care_status(*, person: Person) -> CareStatus:
    """How often ``person`` is visited and when next."""
    path = last_known_home(person).path
    plans = care_plans_for(paths=[path])
    tags: list[tuple[TagType, int]] = []
    first: dt.date | None = None
    held = PersonTag.objects.filter(person=person, end__isnull=True).select_related(
        "tag"
    )
    for person_tag in held.order_by("tag__position", "pk"):
        days = plans.interval(person_tag.tag_id, path)
        if days:
            tags.append((person_tag.tag, days))
            first = min(first or person_tag.start, person_tag.start)
    interval = min((d for _, d in tags), default=None)
    last = person.visits.aggregate(last=Max("visited_on"))["last"]
    next_due = None
    if interval is not None and person.status == PersonStatus.ACTIVE:
        next_due = last + dt.timedelta(days=interval) if last else first
    return CareStatus(tags, interval, last, next_due)


def care_plan_rows(*, area: Area, tags) -> list[dict]:
    """For the plan page: each tag offered at ``area`` with its default,
    the plan inherited from above and the plan set on ``area`` itself."""
    above = ancestor_paths_of([area.path]) - {area.path}
    plans = CarePlan.objects.filter(
        Q(area=area) | Q(area__path__in=above)
    ).select_related("area")
    own: dict[int, CarePlan] = {}
    inherited: dict[int, CarePlan] = {}
    for plan in plans:
        if plan.area_id == area.pk:
            own[plan.tag_id] = plan
        elif plan.tag_id not in inherited or len(plan.area.path) > len(
            inherited[plan.tag_id].area.path
        ):
            inherited[plan.tag_id] = plan
    rows = []
    for tag in tags:
        parent = inherited.get(tag.pk)
        rows.append(
            {
                "tag": tag,
                "own": own.get(tag.pk),
                "inherited": parent,
                "effective_above": parent.visit_every_days
                if parent
                else tag.visit_every_days,
            }
        )
    return rows


def care_plans_below(*, area: Area) -> QuerySet[CarePlan]:
    """Plans set on nodes below ``area``, which override its own."""
    return (
        CarePlan.objects.filter(subtree_q([area.path], field="area__path"))
        .exclude(area=area)
        .select_related("area", "tag")
        .order_by("area__path", "tag__position")
    )


# Visits, incidents, pairings: scoped by the place they belong to.


def visits_in_scope(*, user: User, perm: str = Perm.PERSONAL_VIEW) -> QuerySet[Visit]:
    """Visits made in households where ``user`` holds ``perm``."""
    return scoped(Visit.objects.all(), user=user, via="household", perm=perm)


def visit_list(*, user: User, person: Person | None = None) -> QuerySet[Visit]:
    visits = visits_in_scope(user=user)
    if person is not None:
        visits = visits.filter(person=person)
    return visits.select_related("person", "worker", "household").order_by(
        "-visited_on", "-pk"
    )


def visit_get(*, user: User, pk: int) -> Visit:
    return get_object_or_404(
        visits_in_scope(user=user).select_related(
            "person", "worker", "household", "incident"
        ),
        pk=pk,
    )


def incidents_in_scope(
    *, user: User, perm: str = Perm.PERSONAL_VIEW
) -> QuerySet[Incident]:
    return scoped(Incident.objects.all(), user=user, via="area", perm=perm)


def incident_list(
    *, user: User, person: Person | None = None, open_only: bool = False
) -> QuerySet[Incident]:
    incidents = incidents_in_scope(user=user)
    if person is not None:
        incidents = incidents.filter(person=person)
    if open_only:
        incidents = incidents.filter(closed_at__isnull=True)
    return incidents.select_related("person", "area", "created_by").order_by(
        "-occurred_at", "-pk"
    )


def incident_get(*, user: User, pk: int) -> Incident:
    return get_object_or_404(
        incidents_in_scope(user=user).select_related("person", "area", "created_by"),
        pk=pk,
    )


def pairings_in_scope(
    *, user: User, perm: str = Perm.PERSONAL_VIEW
) -> QuerySet[Pairing]:
    return scoped(Pairing.objects.all(), user=user, via="household", perm=perm)


def pairing_list(
    *,
    user: User,
    household: Area | None = None,
    current_only: bool = False,
) -> QuerySet[Pairing]:
    pairings = pairings_in_scope(user=user)
    if household is not None:
        pairings = pairings.filter(household=household)
    if current_only:
        pairings = pairings.filter(ended_on__isnull=True)
    return pairings.select_related("household", "partner_user").order_by(
        "ended_on", "-started_on", "-pk"
    )


def pairing_get(*, user: User, pk: int) -> Pairing:
    return get_object_or_404(
        pairings_in_scope(user=user).select_related("household", "partner_user"),
        pk=pk,
    )


def care_grids(*, user: User) -> list[Area]:
    """The grids (or smaller nodes) a care recorder can filter the due
    list by: the grids under her roles, or her own nodes below a grid."""
    roots = list(
        Area.objects.filter(path__in=scope_paths(user, Perm.CARE_RECORD)).order_by(
            "path"
        )
    )
    grids = list(
        scoped(
            Area.objects.filter(kind=Kind.GRID, retired_at__isnull=True),
            user=user,
            via="",
            perm=Perm.CARE_RECORD,
        ).order_by("path")[:300]
    )
    below = [r for r in roots if r.kind not in {Kind.DISTRICT, Kind.STREET}]
    below = [r for r in below if r.kind != Kind.COMMUNITY]
    seen = {g.pk for g in grids}
    return grids + [r for r in below if r.pk not in seen]
