"""Care endpoints: the due list, visits with photos, incidents and their
timeline, pairing aid, care plans.

Objects are looked up where the caller sees the area (404 elsewhere); one
she sees but whose personal data her role does not read, or where her role
does not record care, answers 403.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.refusals import ERRORS, area_seen, referenced, seen
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import scope_paths
from gongzhi.core.errors import NotAllowed, ValidationFailed, fields_renamed

from ..care_schemas import (
    CarePlanOut,
    CarePlansIn,
    CloseIn,
    DeliveryIn,
    DeliveryOut,
    DueOut,
    IncidentDetailOut,
    IncidentEventIn,
    IncidentIn,
    IncidentOut,
    PairingEndIn,
    PairingIn,
    PairingOut,
    PhotoOut,
    VisitIn,
    VisitOut,
)
from ..models import Incident, Pairing, TagType, Visit
from ..selectors import care as selectors
from ..selectors.people import person_referenced, person_seen
from ..services import care as services
from ..services.people import tag_types_for

router = Router(tags=["residents"])

API_FIELDS = {
    "person": "person_id",
    "area": "area_id",
    "household": "household_id",
    "incident": "incident_id",
    "tag": "tag_id",
}


# Output


def _address(area: Area) -> str:
    return selectors.addresses(paths=[area.path])[area.path]


def _visit_out(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "person_id": visit.person_id,
        "person_name": visit.person.name,
        "household_id": visit.household_id,
        "visited_on": visit.visited_on,
        "form": visit.form,
        "findings": visit.findings,
        "needs": visit.needs,
        "worker": visit.worker.name,
        "incident_id": visit.incident_id,
        "service_request_id": visit.service_request_id,
        "photos": [
            {
                "id": photo.pk,
                "url": reverse("residents:visit_photo", args=[visit.pk, photo.pk]),
            }
            for photo in visit.photos.order_by("pk")
        ],
        "created_at": visit.created_at,
    }


def _incident_out(incident: Incident, address: str | None = None) -> dict:
    return {
        "id": incident.pk,
        "kind": incident.kind,
        "person_id": incident.person_id,
        "person_name": incident.person.name if incident.person else None,
        "area_id": incident.area_id,
        "address": address if address is not None else _address(incident.area),
        "occurred_at": incident.occurred_at,
        "description": incident.description,
        "responders": incident.responders,
        "calls": incident.calls,
        "outcome": incident.outcome,
        "follow_up_due": incident.follow_up_due,
        "closed_at": incident.closed_at,
        "created_by": incident.created_by.name,
    }


def _incident_detail(incident: Incident) -> dict:
    incident = Incident.objects.select_related("person", "area", "created_by").get(
        pk=incident.pk
    )
    return {
        **_incident_out(incident),
        "timeline": [
            {"id": e.pk, "at": e.at, "by": e.by.name, "note": e.note}
            for e in incident.events.select_related("by")
        ],
        "follow_up_visits": list(incident.follow_ups.values_list("pk", flat=True)),
    }


def _pairing_out(pairing: Pairing, address: str | None = None) -> dict:
    return {
        "id": pairing.pk,
        "household_id": pairing.household_id,
        "address": address if address is not None else _address(pairing.household),
        "partner_name": pairing.partner_name,
        "partner_user_id": pairing.partner_user_id,
        "started_on": pairing.started_on,
        "ended_on": pairing.ended_on,
        "note": pairing.note,
        "deliveries": [
            {
                "id": d.pk,
                "delivered_on": d.delivered_on,
                "what": d.what,
                "recorded_by": d.recorded_by.name,
            }
            for d in pairing.deliveries.select_related("recorded_by").order_by(
                "-delivered_on", "-pk"
            )
        ],
    }


# The due list


class DueFilter(Schema):
    area_id: int | None = None
    tag_id: int | None = None


@router.get(
    "/care/due",
    response={200: list[DueOut], **ERRORS},
    summary="Who is due or overdue for a visit, most urgent first",
    description=(
        "Incidents' follow-up visits first, then by days overdue; someone "
        "never visited is due since their tag started. For those who record "
        "care (grid workers, building leaders, community staff)."
    ),
)
@paginate(LimitOffsetPagination, page_size=50)
def care_due(request, filters: Query[DueFilter]):
    area = None
    if filters.area_id is not None:
        area = area_seen(request, filters.area_id, Perm.CARE_RECORD)
    elif not scope_paths(request.user, Perm.CARE_RECORD):
        raise NotAllowed()
    return _DueRows(
        selectors.care_due(user=request.user, area=area, tag=filters.tag_id)
    )


class _DueRows(list):
    """The due list, dressed only for the page the paginator cuts."""

    def __getitem__(self, index):
        rows = super().__getitem__(index)
        if isinstance(index, slice):
            selectors.care_due_dress(rows=rows)
            return [
                {
                    "person_id": r.person_id,
                    "name": r.person.name if r.person else None,
                    "address": r.address,
                    "tags": [t.name for t in r.tags],
                    "visit_every_days": r.interval,
                    "last_visit": r.last_visit,
                    "due_on": r.due_on,
                    "days_overdue": r.days_overdue,
                    "incident_id": r.incident_id,
                }
                for r in rows
            ]
        return rows


# Visits


class VisitFilter(Schema):
    person_id: int | None = None


@router.get(
    "/visits", response={200: list[VisitOut], **ERRORS}, summary="Visits, newest first"
)
@paginate(LimitOffsetPagination, page_size=50)
def visit_list(request, filters: Query[VisitFilter]):
    person = None
    if filters.person_id is not None:
        person = person_seen(request, filters.person_id, Perm.PERSONAL_VIEW)
    elif not scope_paths(request.user, Perm.PERSONAL_VIEW):
        raise NotAllowed()
    visits = selectors.visit_list(user=request.user, person=person)
    return _Mapped(visits.prefetch_related("photos"), _visit_out)


class _Mapped:
    """A queryset the paginator slices, each item turned into a dict."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        return [self.convert(item) for item in self.queryset[index]]


@router.post(
    "/visits",
    response={201: VisitOut, **ERRORS},
    summary="Record a visit, with photos",
    description=(
        "Multipart form: the fields of ``VisitIn`` and any number of "
        "``photos`` (at most 9, JPEG/PNG/WebP/GIF, 8 MB each). A visit after "
        "an incident names it in ``incident_id`` and clears its follow-up."
    ),
)
def visit_create(
    request,
    payload: Form[VisitIn],
    photos: File[list[UploadedFile]] = None,
):
    person = person_seen(request, payload.person_id, Perm.CARE_RECORD)
    incident = None
    if payload.incident_id is not None:
        incident = referenced(
            request,
            Incident.objects.all(),
            payload.incident_id,
            via="area",
            field="incident_id",
        )
    with fields_renamed(**API_FIELDS):
        visit = services.visit_record(
            person=person,
            by=request.user,
            visited_on=payload.visited_on,
            form=payload.form,
            findings=payload.findings,
            needs=payload.needs,
            photos=photos or [],
            incident=incident,
            request_wanted=payload.request_wanted,
            request=request,
        )
    return Status(201, _visit_out(visit))


def _visit(request, pk: int, perm: str) -> Visit:
    return seen(
        Visit.objects.select_related("person", "worker", "household"),
        request,
        pk,
        via="household",
        perm=perm,
    )


@router.get("/visits/{int:visit_id}", response={200: VisitOut, **ERRORS})
def visit_detail(request, visit_id: int):
    return _visit_out(_visit(request, visit_id, Perm.PERSONAL_VIEW))


@router.post(
    "/visits/{int:visit_id}/photos",
    response={201: list[PhotoOut], **ERRORS},
    summary="Add photos to a visit",
)
def visit_photos_add(request, visit_id: int, photos: File[list[UploadedFile]] = None):
    visit = _visit(request, visit_id, Perm.CARE_RECORD)
    added = services.visit_photos_add(visit=visit, photos=photos or [], by=request.user)
    return Status(
        201,
        [
            {
                "id": p.pk,
                "url": reverse("residents:visit_photo", args=[visit.pk, p.pk]),
            }
            for p in added
        ],
    )


# Incidents


class IncidentFilter(Schema):
    person_id: int | None = None
    open: bool = False


@router.get(
    "/incidents",
    response={200: list[IncidentOut], **ERRORS},
    summary="Incidents, newest first",
)
@paginate(LimitOffsetPagination, page_size=50)
def incident_list(request, filters: Query[IncidentFilter]):
    person = None
    if filters.person_id is not None:
        person = person_seen(request, filters.person_id, Perm.PERSONAL_VIEW)
    elif not scope_paths(request.user, Perm.PERSONAL_VIEW):
        raise NotAllowed()
    incidents = selectors.incident_list(
        user=request.user, person=person, open_only=filters.open
    )
    return _Mapped(incidents, _incident_out)


@router.post(
    "/incidents",
    response={201: IncidentDetailOut, **ERRORS},
    summary="Record an emergency; a follow-up visit falls due the next day",
)
def incident_create(request, payload: IncidentIn):
    area = referenced(
        request, Area.objects.all(), payload.area_id, via="", field="area_id"
    )
    person = None
    if payload.person_id is not None:
        person = person_referenced(request, payload.person_id, field="person_id")
    with fields_renamed(**API_FIELDS):
        incident = services.incident_record(
            by=request.user,
            area=area,
            person=person,
            kind=payload.kind,
            occurred_at=payload.occurred_at,
            description=payload.description,
            responders=payload.responders,
            calls=[call.dict() for call in payload.calls],
            outcome=payload.outcome,
            request=request,
        )
    return Status(201, _incident_detail(incident))


def _incident(request, pk: int, perm: str) -> Incident:
    return seen(
        Incident.objects.select_related("person", "area", "created_by"),
        request,
        pk,
        via="area",
        perm=perm,
    )


@router.get(
    "/incidents/{int:incident_id}",
    response={200: IncidentDetailOut, **ERRORS},
    summary="One incident with its timeline",
)
def incident_detail(request, incident_id: int):
    return _incident_detail(_incident(request, incident_id, Perm.PERSONAL_VIEW))


@router.post(
    "/incidents/{int:incident_id}/events",
    response={201: IncidentDetailOut, **ERRORS},
    summary="Append a note, a call or the outcome to the timeline",
)
def incident_event_add(request, incident_id: int, payload: IncidentEventIn):
    incident = _incident(request, incident_id, Perm.CARE_RECORD)
    if payload.type == "note":
        services.incident_note_add(
            incident=incident, by=request.user, note=payload.text
        )
    elif payload.type == "outcome":
        services.incident_outcome_record(
            incident=incident, by=request.user, outcome=payload.text
        )
    elif payload.type == "call":
        services.incident_call_add(
            incident=incident,
            by=request.user,
            to=payload.to or "",
            at=payload.at,
            note=payload.text,
        )
    else:
        raise ValidationFailed(_("Choose note, call or outcome."), field="type")
    return Status(201, _incident_detail(incident))


class IncidentPersonIn(Schema):
    person_id: int


@router.post(
    "/incidents/{int:incident_id}/person",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Name the person an incident recorded without one was about",
    description=(
        "Someone living where it happened; the follow-up visit then joins "
        "that person on the due list."
    ),
)
def incident_person_set(request, incident_id: int, payload: IncidentPersonIn):
    incident = _incident(request, incident_id, Perm.CARE_RECORD)
    person = person_referenced(request, payload.person_id, field="person_id")
    with fields_renamed(**API_FIELDS):
        services.incident_person_set(incident=incident, person=person, by=request.user)
    return _incident_detail(incident)


@router.post(
    "/incidents/{int:incident_id}/close",
    response={200: IncidentDetailOut, **ERRORS},
    summary="Close an incident",
)
def incident_close(request, incident_id: int, payload: CloseIn):
    incident = _incident(request, incident_id, Perm.CARE_RECORD)
    services.incident_close(incident=incident, by=request.user, note=payload.note)
    return _incident_detail(incident)


# Pairing aid


class PairingFilter(Schema):
    household_id: int | None = None
    include_ended: bool = False


@router.get(
    "/pairings", response={200: list[PairingOut], **ERRORS}, summary="Pairing aid"
)
@paginate(LimitOffsetPagination, page_size=50)
def pairing_list(request, filters: Query[PairingFilter]):
    household = None
    if filters.household_id is not None:
        household = area_seen(request, filters.household_id, Perm.PERSONAL_VIEW)
    elif not scope_paths(request.user, Perm.PERSONAL_VIEW):
        raise NotAllowed()
    pairings = selectors.pairing_list(
        user=request.user,
        household=household,
        current_only=not filters.include_ended,
    )
    return _Mapped(pairings, _pairing_out)


@router.post(
    "/pairings",
    response={201: PairingOut, **ERRORS},
    summary="Pair a household with a co-building unit or a volunteer",
)
def pairing_create(request, payload: PairingIn):
    household = referenced(
        request, Area.objects.all(), payload.household_id, via="", field="household_id"
    )
    partner = None
    if payload.partner_phone:
        phone = clean_phone(payload.partner_phone, field="partner_phone")
        partner = user_find_by_phone(phone=phone)
        if partner is None:
            raise ValidationFailed(
                _("No account has this phone number."), field="partner_phone"
            )
    with fields_renamed(**API_FIELDS):
        pairing = services.pairing_create(
            household=household,
            partner_name=payload.partner_name,
            partner_user=partner,
            started_on=payload.started_on,
            note=payload.note,
            by=request.user,
        )
    return Status(201, _pairing_out(pairing))


def _pairing(request, pk: int, perm: str) -> Pairing:
    return seen(
        Pairing.objects.select_related("household"),
        request,
        pk,
        via="household",
        perm=perm,
    )


@router.post(
    "/pairings/{int:pairing_id}/deliveries",
    response={201: DeliveryOut, **ERRORS},
    summary="Record what a partner delivered",
)
def pairing_deliver(request, pairing_id: int, payload: DeliveryIn):
    pairing = _pairing(request, pairing_id, Perm.CARE_RECORD)
    delivery = services.pairing_delivery_record(
        pairing=pairing,
        what=payload.what,
        delivered_on=payload.delivered_on,
        by=request.user,
    )
    return Status(
        201,
        {
            "id": delivery.pk,
            "delivered_on": delivery.delivered_on,
            "what": delivery.what,
            "recorded_by": request.user.name,
        },
    )


@router.post(
    "/pairings/{int:pairing_id}/end",
    response={200: PairingOut, **ERRORS},
    summary="End a pairing",
)
def pairing_end(request, pairing_id: int, payload: PairingEndIn):
    pairing = _pairing(request, pairing_id, Perm.CARE_RECORD)
    pairing = services.pairing_end(
        pairing=pairing, ended_on=payload.ended_on, by=request.user
    )
    return _pairing_out(pairing)


# Care plans


class PlanFilter(Schema):
    area_id: int


def _plans_out(area: Area) -> list[dict]:
    rows = selectors.care_plan_rows(area=area, tags=tag_types_for(area=area))
    return [
        {
            "tag_id": row["tag"].pk,
            "tag": row["tag"].name,
            "default_days": row["tag"].visit_every_days,
            "inherited_days": row["inherited"].visit_every_days
            if row["inherited"]
            else None,
            "inherited_from": row["inherited"].area_id if row["inherited"] else None,
            "days": row["own"].visit_every_days if row["own"] else None,
        }
        for row in rows
    ]


@router.get(
    "/care-plans",
    response={200: list[CarePlanOut], **ERRORS},
    summary="How often each tag is visited under an area",
)
def care_plans(request, filters: Query[PlanFilter]):
    area = area_seen(request, filters.area_id, Perm.TAG_CONFIGURE)
    return _plans_out(area)


@router.put(
    "/care-plans",
    response={200: list[CarePlanOut], **ERRORS},
    summary="Set an area's plans (days None: follow the plan above)",
)
def care_plans_set(request, payload: CarePlansIn):
    area = area_seen(request, payload.area_id, Perm.TAG_CONFIGURE)
    offered = {tag.pk: tag for tag in tag_types_for(area=area)}
    intervals: dict[TagType, int | None] = {}
    for item in payload.plans:
        tag = offered.get(item.tag_id)
        if tag is None:
            raise ValidationFailed(_("This tag is not used here."), field="tag_id")
        intervals[tag] = item.days
    services.care_plans_save(area=area, intervals=intervals, by=request.user)
    return _plans_out(area)
