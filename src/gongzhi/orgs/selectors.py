"""Reads for display: organizations in reach, an estate's five-level
service chain, registrations and the party-member pool with hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Perm, Role
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scoped, subtree_q
from gongzhi.areas.tree import ancestor_path

from .models import Agreement, Organization, OrgKind, PartyRegistration
from .models import RegistrationStatus as Status
from .service_hours import hours_by_person


def org_list(*, user: User, perm: str = Perm.ORG_VIEW) -> QuerySet[Organization]:
    """Active organizations where ``user`` holds ``perm``."""
    return scoped(
        Organization.objects.filter(active=True).select_related("area", "parent"),
        user=user,
        via="area",
        perm=perm,
    )


def org_find(pk: int) -> Organization | None:
    """The organization ``pk``; None when there is none. Unscoped: the
    caller checks where it may be named."""
    return Organization.objects.filter(pk=pk).first()


def orgs_in(area: Area) -> QuerySet[Organization]:
    """Active organizations within ``area``'s subtree."""
    return (
        Organization.objects.filter(active=True, area__path__within=area.path)
        .select_related("area", "parent")
        .order_by("area__path", "kind", "name", "pk")
    )


def agreements_in(area: Area) -> QuerySet[Agreement]:
    """Agreements with the communities within ``area`` (or with the
    community ``area`` lies in)."""
    return (
        Agreement.objects.filter(
            subtree_q([area.path], field="community__path")
            | Q(community__path=ancestor_path(area, Kind.COMMUNITY))
        )
        .select_related("unit", "community")
        .order_by("-signed_on", "pk")
    )


@dataclass
class ChainLevel:
    key: str
    label: str
    orgs: list = field(default_factory=list)
    leaders: list = field(default_factory=list)


def chain(estate: Area) -> list[ChainLevel]:
    """The five-level service chain of an estate, top down: the Party
    committee of its community; its Party branch, homeowners' committee and
    property company; its building leaders (active building_leader grants
    on the estate, its buildings and entrances), each with her place."""
    community_path = ancestor_path(estate, Kind.COMMUNITY)
    found = Organization.objects.filter(active=True).filter(
        Q(area__path=community_path, kind=OrgKind.PARTY_COMMITTEE)
        | Q(
            area=estate,
            kind__in=(
                OrgKind.PARTY_BRANCH,
                OrgKind.OWNERS_COMMITTEE,
                OrgKind.PROPERTY,
            ),
        )
    )
    by_kind: dict[str, list] = {}
    for org in found.order_by("name", "pk"):
        by_kind.setdefault(org.kind, []).append(org)
    levels = [
        ChainLevel(kind.value, kind.label, by_kind.get(kind, []))
        for kind in (
            OrgKind.PARTY_COMMITTEE,
            OrgKind.PARTY_BRANCH,
            OrgKind.OWNERS_COMMITTEE,
            OrgKind.PROPERTY,
        )
    ]
    grants = (
        Grant.objects.filter(
            role=Role.BUILDING_LEADER,
            revoked_at__isnull=True,
            user__is_active=True,
            area__path__within=estate.path,
        )
        .select_related("user", "area")
        .order_by("area__path", "user__name")
    )
    leaders = [{"name": g.user.name, "place": g.area.name} for g in grants]
    levels.append(
        ChainLevel(
            "building_leader", str(_("Party member building leaders")), [], leaders
        )
    )
    return levels


def registrations_in(area: Area, *, status: str = "") -> QuerySet[PartyRegistration]:
    """Registrations at the communities within ``area``, and, below a
    community, those of the members who live within it."""
    found = PartyRegistration.objects.filter(
        Q(community__path__within=area.path)
        | Q(person__household__path__within=area.path)
    )
    if status:
        found = found.filter(status=status)
    return found.select_related("person", "community").order_by(
        "status", "-registered_at", "pk"
    )


def registration_of(person) -> PartyRegistration | None:
    """The member's latest registration: her open one when she has one,
    as no other can be made while it is open."""
    return (
        PartyRegistration.objects.filter(person=person)
        .select_related("community")
        .order_by("-registered_at", "-pk")
        .first()
    )


def pool(area: Area, *, start: dt.date, end: dt.date, limit: int = 200) -> list[dict]:
    """Confirmed party members within ``area`` with their service hours
    and sessions from ``start`` to ``end`` (inclusive), most hours first:
    what a community reports back to each member's work unit. Two queries
    however many members: the registrations, then everyone's hours."""
    members = list(registrations_in(area, status=Status.CONFIRMED)[:limit])
    served = hours_by_person(
        {registration.person_id for registration in members}, start=start, end=end
    )
    rows = []
    for registration in members:
        record = served[registration.person_id]
        rows.append(
            {
                "registration": registration,
                "person": registration.person,
                "hours": record["hours"],
                "sessions": record["sessions"],
            }
        )
    rows.sort(key=lambda row: (-row["hours"], row["person"].name))
    return rows


# A report names every member; past this many it is cut, and says so.
REPORT_MAX = 5000


@dataclass
class UnitReport:
    """One work unit's confirmed members within an area and their service
    in a period: what the community sends back to that unit."""

    work_unit: str
    rows: list[dict] = field(default_factory=list)

    @property
    def sessions(self) -> int:
        return sum(row["sessions"] for row in self.rows)

    @property
    def hours(self) -> Decimal:
        return sum((row["hours"] for row in self.rows), Decimal("0.00"))

    @property
    def active(self) -> int:
        """Members who served at least once in the period."""
        return sum(1 for row in self.rows if row["sessions"])


def pool_by_unit(
    area: Area, *, start: dt.date, end: dt.date, limit: int = REPORT_MAX
) -> list[UnitReport]:
    """The confirmed party members within ``area`` grouped by work unit,
    units by name, each member with her sessions and hours from ``start``
    to ``end`` (inclusive), most hours first. A unit is the name members
    gave, spaces aside (``和平区 教育局`` joins ``和平区教育局``, under the
    name first met); ``区教育局`` is another unit."""
    rows = pool(area, start=start, end=end, limit=limit)
    units: dict[str, UnitReport] = {}
    for row in rows:
        name = row["registration"].work_unit.strip()
        key = "".join(name.split())
        units.setdefault(key, UnitReport(name)).rows.append(row)
    return sorted(units.values(), key=lambda unit: unit.work_unit)


def party_member_ids(person_ids) -> set[int]:
    """Which of ``person_ids`` are confirmed 双报到 party members: what a
    roster or a dispatcher marks when drawing on the pool."""
    return set(
        PartyRegistration.objects.filter(
            person_id__in=list(person_ids), status=Status.CONFIRMED
        ).values_list("person_id", flat=True)
    )
