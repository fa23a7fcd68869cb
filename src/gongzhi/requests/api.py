"""The requests API (/api/v1/requests/): raising (点单) with an
``Idempotency-Key``, a resident's own requests and timeline, every queue,
and every step of the workflow.

A request is looked up among those the caller may open (placed where she
holds request.view, reported or raised by her, in a queue she works or
acted on by her); any other answers 404, exactly like one that does not
exist. One she may open but not act on answers 403; a step the request's
status does not allow, 409; bad input, 400 naming the field. Steps take
the ``version`` the caller saw: another step in between answers 409.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed, fields_renamed
from gongzhi.orgs.models import Organization
from gongzhi.residents.api.lookups import ERRORS, NOT_ALLOWED, area_seen, referenced
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import Team

from . import selectors, services
from .models import Department, ServiceRequest
from .schemas import (
    CallbackIn,
    CategoryOut,
    DecideIn,
    DispatchIn,
    DuplicateOut,
    EscalateIn,
    MergeIn,
    NoteIn,
    PhotoOut,
    RaiseIn,
    RateIn,
    ReasonIn,
    RequestOut,
    ResolveIn,
    RevealOut,
    StepOut,
    StreetDispatchIn,
    TakeIn,
    TransferIn,
)
from .services.rules import community_of, handles

router = Router(tags=["requests"])

KEY = Header(..., alias="Idempotency-Key", description="Unique per intended request")


def _assignee_kind(item: ServiceRequest) -> str:
    for name in ("team", "organization", "department"):
        if getattr(item, f"{name}_id"):
            return name
    return ""


def _phone(item: ServiceRequest) -> str:
    if item.reporter_id is not None:
        return item.reporter.phone
    return item.contact_phone if item.contact_phone_encrypted else ""


def _out(item: ServiceRequest, request=None, *, actions: bool = False) -> dict:
    assignee = item.assignee
    phone = _phone(item)
    reporter = item.reporter.name if item.reporter_id else item.contact_name
    return {
        "id": item.pk,
        "number": item.number,
        "category_id": item.category_id,
        "category": item.category.name,
        "urgency": item.urgency,
        "area_id": item.area_id,
        "place": item.area.name,
        "community": item.community.name,
        "address": item.address,
        "description": item.description,
        "public": item.public,
        "status": item.status,
        "status_label": item.get_status_display(),
        "assignee": str(assignee) if assignee is not None else "",
        "assignee_kind": _assignee_kind(item),
        "transfer_to": str(item.transfer_team) if item.transfer_team_id else "",
        "created_at": item.created_at,
        "dispatched_at": item.dispatched_at,
        "responded_at": item.responded_at,
        "resolved_at": item.resolved_at,
        "closed_at": item.closed_at,
        "response_due": item.response_due,
        "resolve_due": item.resolve_due,
        "response_overdue": item.response_overdue,
        "resolve_overdue": item.resolve_overdue,
        "resolution": item.resolution,
        "rating": item.rating,
        "rating_label": item.get_rating_display() if item.rating else "",
        "rating_comment": item.rating_comment,
        "reject_reason": item.reject_reason,
        "merged_into": item.merged_into.number if item.merged_into_id else "",
        "reopened_count": item.reopened_count,
        "version": item.version,
        "reporter": reporter,
        "contact_phone": crypto.mask_phone(phone) if phone else "",
        "actions": (
            selectors.actions_for(user=request.user, service_request=item)
            if actions and request is not None
            else []
        ),
    }


def _get(request, pk: int) -> ServiceRequest:
    """A request the caller may open; 403 where she sees its place but may
    not open it, 404 anywhere else (as for one that does not exist)."""
    item = selectors.request_visible(user=request.user).filter(pk=pk).first()
    if item is not None:
        return item
    placed = ServiceRequest.objects.filter(pk=pk).select_related("area").first()
    if placed is not None and in_scope(request.user, placed.area, Perm.AREA_VIEW):
        raise NotAllowed(_("Your role does not allow this here."))
    raise Http404


def _my_person(request) -> Person | None:
    return Person.objects.filter(user=request.user).first()


# --- raising ----------------------------------------------------------------


def _place(request, area_id: int) -> Area | None:
    """A place the caller may report at: one she sees, or (a resident)
    anywhere in her own community; else None."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None or in_scope(request.user, area, Perm.AREA_VIEW):
        return area
    mine = _my_person(request)
    home = (mine.household or mine.last_household) if mine else None
    if home is not None and community_of(home) == community_of(area):
        return area
    return None


@router.get(
    "/categories",
    response={200: list[CategoryOut], **NOT_ALLOWED},
    summary="The categories used at a place",
)
def categories(request, area_id: int):
    area = area_seen(request, area_id, Perm.AREA_VIEW)
    return [
        {
            "id": c.pk,
            "code": c.code,
            "name": c.name,
            "description": c.description,
            "urgency": c.urgency,
            "urgency_label": c.get_urgency_display(),
            "response_hours": c.response_hours,
            "resolve_hours": c.resolve_hours,
            "dispatch_mode": c.dispatch_mode,
            "area_id": c.area_id,
        }
        for c in selectors.categories_at(area)
    ]


@router.get(
    "/duplicates",
    response={200: list[DuplicateOut], **NOT_ALLOWED},
    summary="Open requests likely the same: follow one instead of raising",
)
def duplicates(request, category_id: int, area_id: int):
    area = _place(request, area_id)
    if area is None:
        raise Http404
    category = get_object_or_404(selectors.categories_at(area), pk=category_id)
    return [
        {
            "id": d.pk,
            "number": d.number,
            # Another resident's words stay hers unless she made them public.
            "description": d.description if d.public else "",
            "place": d.area.name,
            "status_label": d.get_status_display(),
            "created_at": d.created_at,
        }
        for d in selectors.duplicates_suggest(category=category, area=area)
    ]


@router.post(
    "",
    response={200: RequestOut, 201: RequestOut, **ERRORS},
    summary="Raise a request (点单); answers its tracking number",
)
def request_raise(request, payload: RaiseIn, idempotency_key: str = KEY):
    area = _place(request, payload.area_id)
    if area is None:
        raise ValidationFailed(_("Not found."), field="area_id")
    category = selectors.categories_at(area).filter(pk=payload.category_id).first()
    if category is None:
        raise ValidationFailed(
            _("Choose a category used at this place."), field="category_id"
        )
    if payload.reporter_id is not None:
        reporter = referenced(
            request,
            Person.objects.select_related("household", "last_household"),
            payload.reporter_id,
            via="last_household",
            field="reporter_id",
        )
    else:
        # Raising for herself: her own record, where the place is in her
        # community; staff living elsewhere raise with no reporter.
        reporter = _my_person(request)
        home = (reporter.household or reporter.last_household) if reporter else None
        if home is None or community_of(home) != community_of(area):
            reporter = None
    with fields_renamed(category="category_id", area="area_id", reporter="reporter_id"):
        item = services.request_raise(
            category=category,
            area=area,
            by=request.user,
            reporter=reporter,
            idempotency_key=idempotency_key,
            **payload.dict(exclude={"category_id", "area_id", "reporter_id"}),
        )
    status = 200 if getattr(item, "replayed", False) else 201
    return Status(status, _out(_get(request, item.pk), request))


@router.post(
    "/{int:request_id}/photos",
    response={201: list[PhotoOut], **ERRORS},
    summary="Add photos of the problem (whoever raised it)",
)
def photos_add(request, request_id: int, photos: File[list[UploadedFile]] = None):
    item = _get(request, request_id)
    added = services.request_photos_add(
        service_request=item, photos=photos or [], by=request.user
    )
    return Status(201, [{"id": p.pk, "kind": p.kind} for p in added])


# --- reading ----------------------------------------------------------------


@router.get("/mine", response=list[RequestOut], summary="My requests, newest first")
@paginate(LimitOffsetPagination, page_size=50)
def mine(request):
    person = _my_person(request)
    if person is None:
        return []
    return [_out(item) for item in selectors.requests_of(person)[:500]]


class ListFilter(Schema):
    area_id: int
    status: str | None = None
    overdue: bool = False


@router.get(
    "",
    response={200: list[RequestOut], **NOT_ALLOWED},
    summary="Requests placed within an area (staff), overdue first",
)
@paginate(LimitOffsetPagination, page_size=50)
def request_list(request, filters: Query[ListFilter]):
    area = area_seen(request, filters.area_id, Perm.REQUEST_VIEW)
    found = selectors.request_list(user=request.user).filter(
        area__path__startswith=area.path
    )
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.overdue:
        found = found.filter(selectors.overdue_q())
    found = selectors.queue_order(found.select_related("reporter", "merged_into"))
    return [_out(item) for item in found[:1000]]


@router.get(
    "/queue",
    response=list[RequestOut],
    summary="The work in the queues I handle (teams, units, departments)",
)
@paginate(LimitOffsetPagination, page_size=50)
def my_queue(request):
    found = selectors.queue_for_handler(user=request.user)
    return [_out(item) for item in found.select_related("reporter")[:500]]


@router.get(
    "/pool",
    response=list[RequestOut],
    summary="Pooled requests my teams may take (抢单)",
)
@paginate(LimitOffsetPagination, page_size=50)
def my_pool(request):
    found = selectors.pool_for(user=request.user)
    return [_out(item) for item in found.select_related("reporter")[:500]]


@router.get(
    "/communities/{int:area_id}/queue",
    response={200: list[RequestOut], **NOT_ALLOWED},
    summary="A community's dispatching desk (派单)",
)
@paginate(LimitOffsetPagination, page_size=50)
def dispatcher_queue(request, area_id: int):
    area = area_seen(request, area_id, Perm.REQUEST_DISPATCH)
    if area.kind != Kind.COMMUNITY:
        raise Http404
    found = selectors.queue_for_dispatcher(user=request.user, community=area)
    return [_out(item) for item in found.select_related("reporter")[:1000]]


@router.get(
    "/streets/{int:area_id}/queue",
    response={200: list[RequestOut], **NOT_ALLOWED},
    summary="A street's desk: escalations (吹哨) and its departments' work",
)
@paginate(LimitOffsetPagination, page_size=50)
def street_queue(request, area_id: int):
    area = area_seen(request, area_id, Perm.REQUEST_DISPATCH)
    if area.kind != Kind.STREET:
        raise Http404
    found = selectors.queue_for_street(user=request.user, street=area)
    return [_out(item) for item in found.select_related("reporter")[:1000]]


@router.get(
    "/{int:request_id}",
    response={200: RequestOut, **NOT_ALLOWED},
    summary="A request, with the steps the caller may take now",
)
def request_detail(request, request_id: int):
    return _out(_get(request, request_id), request, actions=True)


@router.get(
    "/{int:request_id}/timeline",
    response={200: list[StepOut], **NOT_ALLOWED},
    summary="The request's history: who (as a role), when, what",
)
def request_timeline(request, request_id: int):
    item = _get(request, request_id)
    internal = in_scope(request.user, item.area, Perm.REQUEST_VIEW)
    return selectors.timeline(item, internal=internal)


@router.post(
    "/{int:request_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="The reporter's full phone number (audited)",
)
def reveal(request, request_id: int):
    item = _get(request, request_id)
    allowed = in_scope(request.user, item.area, Perm.PERSONAL_FULL) or handles(
        request.user, item.assignee
    )
    if not allowed:
        raise NotAllowed(_("Your role does not allow this here."))
    phone = _phone(item)
    if not phone:
        raise ValidationFailed(_("No phone number was given."), field="phone")
    audit_record(
        by=request.user,
        action=Action.PERSONAL_VIEWED,
        target=item,
        area=item.area,
        request=request,
        detail={"field": "reporter_phone", "request": item.number},
    )
    reporter = item.reporter.name if item.reporter_id else item.contact_name
    return {"reporter": reporter, "phone": phone}


# --- the workflow -----------------------------------------------------------


def _team(pk: int, field: str = "team_id") -> Team:
    team = Team.objects.filter(pk=pk).select_related("area", "leader").first()
    if team is None:
        raise ValidationFailed(_("Not found."), field=field)
    return team


@router.post(
    "/{int:request_id}/dispatch",
    response={200: RequestOut, **ERRORS},
    summary="Dispatch (派单) to a team or an organization",
)
def dispatch(request, request_id: int, payload: DispatchIn):
    item = _get(request, request_id)
    if (payload.team_id is None) == (payload.organization_id is None):
        raise ValidationFailed(
            _("Name either a team or an organization."), field="team_id"
        )
    if payload.team_id is not None:
        to, field = _team(payload.team_id), "team_id"
    else:
        to = Organization.objects.filter(pk=payload.organization_id).first()
        field = "organization_id"
        if to is None:
            raise ValidationFailed(_("Not found."), field=field)
    with fields_renamed(to=field):
        done = services.request_dispatch(
            service_request=item,
            to=to,
            by=request.user,
            note=payload.note,
            version=payload.version,
        )
    return _out(done, request, actions=True)


def _simple(service, request, request_id: int, **kwargs) -> dict:
    item = _get(request, request_id)
    done = service(service_request=item, by=request.user, **kwargs)
    return _out(done, request, actions=True)


@router.post(
    "/{int:request_id}/pool",
    response={200: RequestOut, **ERRORS},
    summary="Put it in the category's pool for its teams to take",
)
def pool(request, request_id: int, payload: NoteIn):
    return _simple(services.request_pool, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/take",
    response={200: RequestOut, **ERRORS},
    summary="Take a pooled request for my team (抢单); first wins",
)
def take(request, request_id: int, payload: TakeIn):
    team = _team(payload.team_id)
    with fields_renamed(team="team_id"):
        return _simple(services.request_take, request, request_id, team=team)


@router.post(
    "/{int:request_id}/accept",
    response={200: RequestOut, **ERRORS},
    summary="Accept (接单)",
)
def accept(request, request_id: int, payload: NoteIn):
    return _simple(services.request_accept, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/contact",
    response={200: RequestOut, **ERRORS},
    summary="Record contacting the resident (counts as the response)",
)
def contact(request, request_id: int, payload: NoteIn):
    return _simple(services.request_contact, request, request_id, note=payload.note)


@router.post(
    "/{int:request_id}/return",
    response={200: RequestOut, **ERRORS},
    summary="Return it (退单) to the dispatcher, saying why",
)
def return_(request, request_id: int, payload: ReasonIn):
    return _simple(services.request_return, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/transfer",
    response={200: RequestOut, **ERRORS},
    summary="Ask to transfer it (转单) to another team",
)
def transfer(request, request_id: int, payload: TransferIn):
    team = _team(payload.team_id)
    with fields_renamed(to="team_id"):
        return _simple(
            services.request_transfer,
            request,
            request_id,
            to=team,
            reason=payload.reason,
            version=payload.version,
        )


@router.post(
    "/{int:request_id}/transfer/decide",
    response={200: RequestOut, **ERRORS},
    summary="Consent to or decline a transfer (dispatcher)",
)
def transfer_decide(request, request_id: int, payload: DecideIn):
    return _simple(
        services.request_transfer_decide, request, request_id, **payload.dict()
    )


@router.post(
    "/{int:request_id}/escalate",
    response={200: RequestOut, **ERRORS},
    summary="Escalate (吹哨) to the street, saying what is needed",
)
def escalate(request, request_id: int, payload: EscalateIn):
    return _simple(services.request_escalate, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/street-dispatch",
    response={200: RequestOut, **ERRORS},
    summary="The street dispatches an escalation to a department (部门报到)",
)
def street_dispatch(request, request_id: int, payload: StreetDispatchIn):
    department = Department.objects.filter(pk=payload.department_id).first()
    if department is None:
        raise ValidationFailed(_("Not found."), field="department_id")
    with fields_renamed(to="department_id"):
        return _simple(
            services.request_street_dispatch,
            request,
            request_id,
            to=department,
            note=payload.note,
            version=payload.version,
        )


@router.post(
    "/{int:request_id}/start",
    response={200: RequestOut, **ERRORS},
    summary="Start the work",
)
def start(request, request_id: int, payload: NoteIn):
    return _simple(services.request_start, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/resolve",
    response={200: RequestOut, **ERRORS},
    summary="Resolve (办结): what was done, with photos (multipart)",
)
def resolve(
    request,
    request_id: int,
    payload: Form[ResolveIn],
    photos: File[list[UploadedFile]] = None,
):
    return _simple(
        services.request_resolve,
        request,
        request_id,
        resolution=payload.resolution,
        version=payload.version,
        photos=photos or [],
    )


@router.post(
    "/{int:request_id}/rate",
    response={200: RequestOut, **ERRORS},
    summary="Rate my resolved request (满意/基本满意/不满意), once",
)
def rate(request, request_id: int, payload: RateIn):
    return _simple(services.request_rate, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/reopen",
    response={200: RequestOut, **ERRORS},
    summary="Reopen a request rated dissatisfied, once",
)
def reopen(request, request_id: int, payload: ReasonIn):
    return _simple(services.request_reopen, request, request_id, reason=payload.reason)


@router.post(
    "/{int:request_id}/callback",
    response={200: RequestOut, **ERRORS},
    summary="Record a call back (回访) to a resident who did not rate",
)
def callback(request, request_id: int, payload: CallbackIn):
    return _simple(services.request_callback, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/reject",
    response={200: RequestOut, **ERRORS},
    summary="Reject an invalid request, with a reason the resident reads",
)
def reject(request, request_id: int, payload: ReasonIn):
    return _simple(services.request_reject, request, request_id, **payload.dict())


@router.post(
    "/{int:request_id}/merge",
    response={200: RequestOut, **ERRORS},
    summary="Merge a duplicate into another open request",
)
def merge(request, request_id: int, payload: MergeIn):
    into = (
        selectors.request_visible(user=request.user).filter(pk=payload.into_id).first()
    )
    if into is None:
        raise ValidationFailed(_("Not found."), field="into_id")
    with fields_renamed(into="into_id"):
        return _simple(
            services.request_merge,
            request,
            request_id,
            into=into,
            note=payload.note,
            version=payload.version,
        )
