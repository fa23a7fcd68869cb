"""Reads for display: organizations in reach, an estate's five-level
service chain, registrations and the party-member pool with hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Perm, Role
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import scoped
from gongzhi.volunteering.selectors import service_record

from .models import Agreement, Organization, OrgKind, PartyRegistration
from .models import RegistrationStatus as Status


def org_list(*, user: User, perm: str = Perm.ORG_VIEW) -> QuerySet[Organization]:
    """Active organizations where ``user`` holds ``perm``."""
    return scoped(
        Organization.objects.filter(active=True).select_related("area", "parent"),
        user=user,
        via="area",
        perm=perm,
    )


def orgs_in(area: Area) -> QuerySet[Organization]:
    """Active organizations within ``area``'s subtree."""
    return (
        Organization.objects.filter(active=True, area__path__startswith=area.path)
        .select_related("area", "parent")
        .order_by("area__path", "kind", "name", "pk")
    )


def agreements_in(area: Area) -> QuerySet[Agreement]:
    """Agreements with the communities within ``area`` (or with the
    community ``area`` lies in)."""
    return (
        Agreement.objects.filter(
            Q(community__path__startswith=area.path)
            | Q(community__path=area.path[: Area.steplen * 3])
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
    community_path = estate.path[: Area.steplen * 3]
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
            area__path__startswith=estate.path,
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
        Q(community__path__startswith=area.path)
        | Q(person__household__path__startswith=area.path)
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
    what a community reports back to each member's work unit."""
    members = registrations_in(area, status=Status.CONFIRMED)[:limit]
    rows = []
    for registration in members:
        record = service_record(registration.person, start=start, end=end)
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


def party_member_ids(person_ids) -> set[int]:
    """Which of ``person_ids`` are confirmed 双报到 party members: what a
    roster or a dispatcher marks when drawing on the pool."""
    return set(
        PartyRegistration.objects.filter(
            person_id__in=list(person_ids), status=Status.CONFIRMED
        ).values_list("person_id", flat=True)
    )
