"""The organizations API: organizations and agreements within an area, an
estate's five-level service chain, party members' 双报到 and the pool
with service hours; a resident's own registration.

Objects are looked up where the caller sees their area (404 elsewhere, 403
where her role may not act there).
"""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gongzhi.accounts.refusals import (
    ERRORS,
    NOT_ALLOWED,
    area_seen,
    referenced,
    seen,
)
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import ValidationFailed, fields_renamed
from gongzhi.core.schemas import StepOut
from gongzhi.residents.homes import current_community

from . import selectors
from .models import Agreement, Organization, PartyRegistration
from .services import organizations, registrations

router = Router(tags=["orgs"])


class OrgIn(Schema):
    kind: str
    name: str
    parent_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    description: str = ""


class OrgOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    area_id: int
    area: str
    parent_id: int | None
    contact_name: str
    contact_phone: str  # masked
    description: str


class AgreementIn(Schema):
    signed_on: dt.date
    ends_on: dt.date
    commitments: str
    community_id: int | None = None


class AgreementOut(Schema):
    id: int
    unit_id: int
    unit: str
    community_id: int
    community: str
    signed_on: dt.date
    ends_on: dt.date
    commitments: str
    current: bool


class LeaderOut(Schema):
    name: str
    place: str


class LevelOut(Schema):
    key: str
    label: str
    orgs: list[OrgOut]
    leaders: list[LeaderOut]


class ChainOut(Schema):
    estate_id: int
    estate: str
    levels: list[LevelOut]


class RegistrationOut(Schema):
    id: int
    person_id: int
    name: str
    community_id: int
    community: str
    work_unit: str
    status: str
    status_label: str
    registered_at: dt.datetime
    decided_at: dt.datetime | None
    ended_at: dt.datetime | None
    note: str


class RegistrationDetailOut(RegistrationOut):
    history: list[StepOut]


class MyRegistrationOut(Schema):
    community: str | None
    registration: RegistrationDetailOut | None


class RegisterIn(Schema):
    work_unit: str


class NoteIn(Schema):
    note: str = ""


class PoolRow(Schema):
    registration_id: int
    person_id: int
    name: str
    work_unit: str
    community: str
    hours: Decimal
    sessions: int


class UnitOut(Schema):
    work_unit: str
    members: int
    served: int  # members who served at least once in the period
    sessions: int
    hours: Decimal
    rows: list[PoolRow]


class PoolByUnitOut(Schema):
    area_id: int
    area: str
    start: dt.date
    end: dt.date
    units: list[UnitOut]


class PeriodIn(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


def _org_out(org: Organization) -> dict:
    return {
        "id": org.pk,
        "kind": org.kind,
        "kind_label": org.get_kind_display(),
        "name": org.name,
        "area_id": org.area_id,
        "area": org.area.name,
        "parent_id": org.parent_id,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone_masked,
        "description": org.description,
    }


def _agreement_out(agreement: Agreement) -> dict:
    return {
        "id": agreement.pk,
        "unit_id": agreement.unit_id,
        "unit": agreement.unit.name,
        "community_id": agreement.community_id,
        "community": agreement.community.name,
        "signed_on": agreement.signed_on,
        "ends_on": agreement.ends_on,
        "commitments": agreement.commitments,
        "current": agreement.is_current(timezone.localdate()),
    }


def _registration_detail(registration: PartyRegistration) -> dict:
    """One registration with its history, for the member and staff."""
    return {
        **_registration_out(registration),
        "history": registrations.FLOW.timeline(registration),
    }


def _registration_out(registration: PartyRegistration) -> dict:
    return {
        "id": registration.pk,
        "person_id": registration.person_id,
        "name": registration.person.name,
        "community_id": registration.community_id,
        "community": registration.community.name,
        "work_unit": registration.work_unit,
        "status": registration.status,
        "status_label": registration.get_status_display(),
        "registered_at": registration.registered_at,
        "decided_at": registration.decided_at,
        "ended_at": registration.ended_at,
        "note": registration.note,
    }


def _me(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("No resident record is linked to this login."))
    return person


# --- organizations and agreements ---------------------------------------------


@router.get(
    "/areas/{int:area_id}/orgs",
    response={200: list[OrgOut], **NOT_ALLOWED},
    summary="Active organizations within an area",
)
def area_orgs(request, area_id: int):
    area = area_seen(request, area_id, Perm.ORG_VIEW)
    return [_org_out(org) for org in selectors.orgs_in(area)[:500]]


@router.post(
    "/areas/{int:area_id}/orgs",
    response={201: OrgOut, **ERRORS},
    summary="Record an organization in a community or an estate",
)
def org_add(request, area_id: int, payload: OrgIn):
    area = area_seen(request, area_id, Perm.ORG_MANAGE)
    parent = None
    if payload.parent_id is not None:
        parent = referenced(
            request,
            Organization.objects.select_related("area"),
            payload.parent_id,
            via="area",
            field="parent_id",
        )
    with fields_renamed(area="area_id", parent="parent_id"):
        org = organizations.org_create(
            area=area,
            by=request.user,
            parent=parent,
            **payload.dict(exclude={"parent_id"}),
        )
    return Status(201, _org_out(org))


@router.get(
    "/areas/{int:area_id}/agreements",
    response={200: list[AgreementOut], **NOT_ALLOWED},
    summary="Co-building agreements with the communities within an area",
)
def area_agreements(request, area_id: int):
    area = area_seen(request, area_id, Perm.ORG_VIEW)
    return [_agreement_out(a) for a in selectors.agreements_in(area)[:500]]


@router.post(
    "/units/{int:org_id}/agreements",
    response={201: AgreementOut, **ERRORS},
    summary="Record a co-building unit's agreement with a community",
)
def agreement_add(request, org_id: int, payload: AgreementIn):
    unit = seen(
        Organization.objects.select_related("area"),
        request,
        org_id,
        via="area",
        perm=Perm.ORG_MANAGE,
    )
    community = None
    if payload.community_id is not None:
        community = referenced(
            request,
            Area.objects.all(),
            payload.community_id,
            via="",
            field="community_id",
        )
    with fields_renamed(unit="org_id", community="community_id"):
        agreement = organizations.agreement_create(
            unit=unit,
            community=community,
            by=request.user,
            **payload.dict(exclude={"community_id"}),
        )
    return Status(201, _agreement_out(agreement))


@router.get(
    "/estates/{int:area_id}/chain",
    response={200: ChainOut, **ERRORS},
    summary="An estate's five-level service chain",
)
def estate_chain(request, area_id: int):
    estate = area_seen(request, area_id, Perm.ORG_VIEW)
    if estate.kind != Kind.ESTATE:
        raise ValidationFailed(_("Choose an estate."), field="area_id")
    levels = selectors.chain(estate)
    return {
        "estate_id": estate.pk,
        "estate": estate.name,
        "levels": [
            {
                "key": level.key,
                "label": str(level.label),
                "orgs": [_org_out(org) for org in level.orgs],
                "leaders": level.leaders,
            }
            for level in levels
        ],
    }


# --- 双报到 ----------------------------------------------------------------------


@router.get(
    "/areas/{int:area_id}/registrations",
    response={200: list[RegistrationOut], **NOT_ALLOWED},
    summary="Party members' registrations (双报到) within an area",
)
def area_registrations(request, area_id: int, status: str = ""):
    area = area_seen(request, area_id, Perm.ORG_VIEW)
    found = selectors.registrations_in(area, status=status)
    return [_registration_out(r) for r in found[:1000]]


def _period(period: PeriodIn) -> tuple[dt.date, dt.date]:
    """The period asked for, this year so far by default."""
    today = timezone.localdate()
    start = period.start or today.replace(month=1, day=1)
    end = period.end or today
    if end < start:
        raise ValidationFailed(_("The end must come after the start."), field="end")
    return start, end


def _pool_row(row: dict) -> dict:
    return {
        "registration_id": row["registration"].pk,
        "person_id": row["person"].pk,
        "name": row["person"].name,
        "work_unit": row["registration"].work_unit,
        "community": row["registration"].community.name,
        "hours": row["hours"],
        "sessions": row["sessions"],
    }


@router.get(
    "/areas/{int:area_id}/pool",
    response={200: list[PoolRow], **ERRORS},
    summary="Confirmed party members with their service hours in a period",
)
def area_pool(request, area_id: int, period: Query[PeriodIn]):
    area = area_seen(request, area_id, Perm.ORG_VIEW)
    start, end = _period(period)
    return [_pool_row(row) for row in selectors.pool(area, start=start, end=end)]


@router.get(
    "/areas/{int:area_id}/pool/by-unit",
    response={200: PoolByUnitOut, **ERRORS},
    summary="Confirmed party members by work unit with their service in a period",
)
def area_pool_by_unit(request, area_id: int, period: Query[PeriodIn]):
    """What the community reports back to each member's work unit: the
    units by name, each with its members (most hours first) and totals."""
    area = area_seen(request, area_id, Perm.ORG_VIEW)
    start, end = _period(period)
    units = selectors.pool_by_unit(area, start=start, end=end)
    return {
        "area_id": area.pk,
        "area": area.name,
        "start": start,
        "end": end,
        "units": [
            {
                "work_unit": unit.work_unit,
                "members": len(unit.rows),
                "served": unit.active,
                "sessions": unit.sessions,
                "hours": unit.hours,
                "rows": [_pool_row(row) for row in unit.rows],
            }
            for unit in units
        ],
    }


def _decided(request, registration_id: int, action: str, note: str = "") -> dict:
    found = seen(
        PartyRegistration.objects.select_related("person", "community"),
        request,
        registration_id,
        via="community",
        perm=Perm.ORG_MANAGE,
    )
    done = registrations.registration_transition(
        registration=found, action=action, by=request.user, note=note
    )
    return _registration_detail(done)


@router.post(
    "/registrations/{int:registration_id}/confirm",
    response={200: RegistrationDetailOut, **ERRORS},
    summary="Confirm a party member's registration",
)
def registration_confirm(request, registration_id: int, payload: NoteIn):
    return _decided(request, registration_id, "confirm", payload.note)


@router.post(
    "/registrations/{int:registration_id}/decline",
    response={200: RegistrationDetailOut, **ERRORS},
    summary="Decline a party member's registration, saying why",
)
def registration_decline(request, registration_id: int, payload: NoteIn):
    return _decided(request, registration_id, "decline", payload.note)


# --- a resident ----------------------------------------------------------------


@router.get(
    "/me/registration",
    response={200: MyRegistrationOut, **NOT_ALLOWED},
    summary="My 双报到 registration and the community I would register at",
)
def my_registration(request):
    person = _me(request)
    community = current_community(person)
    found = selectors.registration_of(person)
    return {
        "community": community.name if community else None,
        "registration": _registration_detail(found) if found else None,
    }


@router.post(
    "/me/registration",
    response={201: RegistrationDetailOut, **ERRORS},
    summary="Register as a party member at my residence community (双报到)",
)
def my_register(request, payload: RegisterIn):
    person = _me(request)
    made = registrations.registration_create(
        person=person, work_unit=payload.work_unit, by=request.user
    )
    return Status(201, _registration_detail(made))


@router.post(
    "/me/registration/end",
    response={200: RegistrationDetailOut, **ERRORS},
    summary="End my registration (moving away, or leaving the pool)",
)
def my_registration_end(request):
    person = _me(request)
    found = selectors.registration_of(person)
    if found is None:
        raise Http404
    done = registrations.registration_transition(
        registration=found, action="end", by=request.user
    )
    return _registration_detail(done)
