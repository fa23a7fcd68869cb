"""The requests API (/api/v1/requests/): raising (点单) with an
``Idempotency-Key``, a resident's own requests and timeline, following
(关注) another's request, every queue, and every step of the workflow.

A request is looked up among those the caller may open (placed where she
holds request.view, reported or raised by her, in a queue she works or
acted on by her); any other answers 404, exactly like one that does not
exist. One she may open but not act on answers 403; a step the request's
status does not allow, 409; bad input, 400 naming the field. Steps take
the ``version`` the caller saw: another step in between answers 409.

A resident follows what the portal lets her: the open requests of her
home community and those she follows already; others answer as above.
"""

from typing import NoReturn

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, area_seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import community_of
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed, fields_renamed
from gongzhi.orgs.selectors import org_find
from gongzhi.residents.homes import last_known_home
from gongzhi.residents.selectors.people import person_of, person_referenced
from gongzhi.volunteering.selectors import team_find

from . import selectors, selectors_setup, services
from .models import Category, Department, Handler, ServiceRequest
from .schemas import (
    CallbackIn,
    CategoryCreateIn,
    CategoryOut,
    CategorySetupOut,
    CategoryUpdateIn,
    DecideIn,
    DepartmentIn,
    DepartmentOut,
    DispatchIn,
    DuplicateOut,
    EscalateIn,
    FollowedOut,
    HandlerIn,
    HandlerOut,
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
from .services.contact import reporter_phone
from .services.rules import assignee_field
from .states import OPEN

router = Router(tags=["requests"])

KEY = Header(..., alias="Idempotency-Key", description="Unique per intended request")


def _assignee_kind(item: ServiceRequest) -> str:
    for name in ("team", "organization", "department"):
        if getattr(item, f"{name}_id"):
            return name
    return ""


def _out(item: ServiceRequest, request=None, *, actions: bool = False) -> dict:
    assignee = item.assignee
    phone = reporter_phone(item)
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
        "followers": _followers(item),
        "actions": (
            selectors.actions_for(user=request.user, service_request=item)
            if actions and request is not None
            else []
        ),
    }


def _followers(item: ServiceRequest) -> int:
    # Lists count in their query (``selectors.with_followers``); one
    # request answered after a step counts here.
    counted = getattr(item, "followers", None)
    return counted if counted is not None else item.follows.count()


def _refused(request, pk: int) -> NoReturn:
    """For a request the caller may not open: 403 where she sees its
    place, 404 anywhere else (as for one that does not exist)."""
    placed = ServiceRequest.objects.filter(pk=pk).select_related("area").first()
    if placed is not None and in_scope(request.user, placed.area, Perm.AREA_VIEW):
        raise NotAllowed(_("Your role does not allow this here."))
    raise Http404


def _get(request, pk: int) -> ServiceRequest:
    """A request the caller may open, else refused (``_refused``)."""
    item = selectors.request_visible(user=request.user).filter(pk=pk).first()
    if item is None:
        _refused(request, pk)
    return item


def _as_neighbours_see(item: ServiceRequest) -> dict:
    """Another resident's request as her neighbours see it (a duplicate
    suggested, one followed): no one's name or phone."""
    return {
        "id": item.pk,
        "number": item.number,
        "category": item.category.name,
        "place": item.area.name,
        # Another resident's words stay hers unless she made them public.
        "description": item.description if item.public else "",
        "status": item.status,
        "status_label": item.get_status_display(),
        "overdue": item.is_overdue and item.status in OPEN,
        "created_at": item.created_at,
        "resolved_at": item.resolved_at,
        "closed_at": item.closed_at,
        "merged_into_id": item.merged_into_id,
    }


def _my_person(request):
    return person_of(request.user)


# --- raising ----------------------------------------------------------------


def _place(request, area_id: int) -> Area | None:
    """A place the caller may report at: one she sees, or (a resident)
    anywhere in her own community; else None."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None or in_scope(request.user, area, Perm.AREA_VIEW):
        return area
    mine = _my_person(request)
    home = last_known_home(mine)
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
        _as_neighbours_see(d)
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
        reporter = person_referenced(request, payload.reporter_id, field="reporter_id")
    else:
        # Raising for herself: her own record, where the place is in her
        # community; staff living elsewhere raise with no reporter.
        reporter = _my_person(request)
        home = last_known_home(reporter)
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
    found = selectors.with_followers(selectors.requests_of(person))
    return [_out(item) for item in found[:500]]


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
        area__path__within=area.path
    )
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.overdue:
        found = found.filter(selectors.overdue_q())
    found = selectors.queue_order(found.select_related("reporter", "merged_into"))
    return [_out(item) for item in selectors.with_followers(found)[:1000]]


@router.get(
    "/queue",
    response=list[RequestOut],
    summary="The work in the queues I handle (teams, units, departments)",
)
@paginate(LimitOffsetPagination, page_size=50)
def my_queue(request):
    found = selectors.with_followers(selectors.queue_for_handler(user=request.user))
    return [_out(item) for item in found.select_related("reporter")[:500]]


@router.get(
    "/pool",
    response=list[RequestOut],
    summary="Pooled requests my teams may take (抢单)",
)
@paginate(LimitOffsetPagination, page_size=50)
def my_pool(request):
    found = selectors.with_followers(selectors.pool_for(user=request.user))
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
    found = selectors.with_followers(found.select_related("reporter"))
    return [_out(item) for item in found[:1000]]


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
    found = selectors.with_followers(found.select_related("reporter"))
    return [_out(item) for item in found[:1000]]


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
    phone = services.request_phone_reveal(
        service_request=item, by=request.user, request=request
    )
    reporter = item.reporter.name if item.reporter_id else item.contact_name
    return {"reporter": reporter, "phone": phone}


# --- following (关注) -------------------------------------------------------


def _followed_out(item: ServiceRequest, followed_at) -> dict:
    return {**_as_neighbours_see(item), "followed_at": followed_at}


def _followable(request, pk: int) -> ServiceRequest:
    """A request the calling resident may follow or follows (the portal's
    rule), else refused (``_refused``)."""
    person = _my_person(request)
    item = None
    if person is not None:
        item = selectors.requests_followable(person=person).filter(pk=pk).first()
    if item is None:
        _refused(request, pk)
    return item


@router.get(
    "/following",
    response=list[FollowedOut],
    summary="The requests I follow (我关注的), latest followed first",
)
@paginate(LimitOffsetPagination, page_size=50)
def following(request):
    person = _my_person(request)
    if person is None:
        return []
    return [
        _followed_out(item, item.followed_at)
        for item in selectors.requests_followed(person)[:500]
    ]


@router.post(
    "/{int:request_id}/follow",
    response={200: FollowedOut, 201: FollowedOut, **ERRORS},
    summary="Follow (关注) a request of my community instead of raising it again",
)
def follow(request, request_id: int):
    item = _followable(request, request_id)
    with fields_renamed(request="request_id"):
        made = services.request_follow(service_request=item, by=request.user)
    status = 200 if made.replayed else 201
    return Status(status, _followed_out(item, made.created_at))


@router.delete(
    "/{int:request_id}/follow",
    response={204: None, **ERRORS},
    summary="Stop following a request (nothing changes if I did not follow it)",
)
def unfollow(request, request_id: int):
    item = _followable(request, request_id)
    services.request_unfollow(service_request=item, by=request.user)
    return Status(204, None)


# --- the workflow -----------------------------------------------------------


def _team(pk: int, field: str = "team_id"):
    team = team_find(pk)
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
        to = org_find(payload.organization_id)
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


# --- set-up: categories, departments, handlers (request.configure) ----------

DEFAULT_FIELDS = {
    "default_team_id": "teams",
    "default_organization_id": "organizations",
    "default_department_id": "departments",
}


def _category_out(category: Category) -> dict:
    default = category.default_assignee
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "urgency": category.urgency,
        "urgency_label": category.get_urgency_display(),
        "response_hours": category.response_hours,
        "resolve_hours": category.resolve_hours,
        "dispatch_mode": category.dispatch_mode,
        "dispatch_mode_label": category.get_dispatch_mode_display(),
        "area_id": category.area_id,
        "default_kind": assignee_field(default) if default is not None else "",
        "default_id": default.pk if default is not None else None,
        "default_name": str(default) if default is not None else "",
        "team_ids": sorted(t.pk for t in category.teams.all()),
        "auto_escalate": category.auto_escalate,
        "auto_close_days": category.auto_close_days,
        "active": category.active,
    }


def _area_in_body(request, area_id: int, field: str) -> Area:
    """A place named in a body: one the caller sees, else a field error
    (as one that does not exist); the services check request.configure."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None or not in_scope(request.user, area, Perm.AREA_VIEW):
        raise ValidationFailed(_("Not found."), field=field)
    return area


def _default_to(request, area: Area | None, values: dict):
    """The default assignee the body names (at most one), among those
    working at the category's place."""
    named = {key: pk for key, pk in values.items() if pk is not None}
    if len(named) > 1:
        raise ValidationFailed(
            _("Name at most one default assignee."), field=next(iter(named))
        )
    if not named:
        return None
    key, pk = next(iter(named.items()))
    pool = selectors_setup.assignees_at(area, user=request.user)[DEFAULT_FIELDS[key]]
    found = pool.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(_("Not found."), field=key)
    return found


def _teams_named(request, area: Area | None, pks: list[int]) -> list:
    pool = selectors_setup.assignees_at(area, user=request.user)["teams"]
    found = list(pool.filter(pk__in=pks))
    if len(found) != len(set(pks)):
        raise ValidationFailed(_("Not found."), field="team_ids")
    return found


def _category_configured(request, category_id: int) -> Category:
    """A category the caller sees where it applies (everywhere's: anyone),
    else 404; the services check request.configure."""
    category = Category.objects.filter(pk=category_id).select_related("area").first()
    if category is None or (
        category.area_id is not None
        and not in_scope(request.user, category.area, Perm.AREA_VIEW)
    ):
        raise Http404
    return category


SETUP_RENAMED = {
    "area": "area_id",
    "default_to": "default_team_id",
    "teams": "team_ids",
}


@router.post(
    "/categories",
    response={201: CategorySetupOut, **ERRORS},
    summary="Create a category for a street or a community (request.configure)",
)
def category_create(request, payload: CategoryCreateIn):
    area = None
    if payload.area_id is not None:
        area = _area_in_body(request, payload.area_id, "area_id")
    default_to = _default_to(
        request, area, {key: getattr(payload, key) for key in DEFAULT_FIELDS}
    )
    teams = _teams_named(request, area, payload.team_ids)
    with fields_renamed(**SETUP_RENAMED):
        category = services.category_create(
            area=area,
            by=request.user,
            default_to=default_to,
            teams=teams,
            **payload.dict(
                exclude={"area_id", "team_ids", *DEFAULT_FIELDS},
            ),
        )
    return Status(201, _category_out(category))


@router.patch(
    "/categories/{int:category_id}",
    response={200: CategorySetupOut, **ERRORS},
    summary="Change a category; only the fields sent change, the code stays",
)
def category_update(request, category_id: int, payload: CategoryUpdateIn):
    category = _category_configured(request, category_id)
    sent = payload.dict(exclude_unset=True)
    current = _category_out(category)
    fields = {
        name: sent[name] if name in sent else current[name]
        for name in (
            "name",
            "description",
            "urgency",
            "response_hours",
            "resolve_hours",
            "dispatch_mode",
            "auto_escalate",
            "auto_close_days",
            "active",
        )
    }
    for name in ("name", "urgency", "dispatch_mode", "active", "auto_escalate"):
        if name in sent and sent[name] is None:
            raise ValidationFailed(_("This field cannot be empty."), field=name)
    if any(key in sent for key in DEFAULT_FIELDS):
        default_to = _default_to(
            request, category.area, {key: sent.get(key) for key in DEFAULT_FIELDS}
        )
    else:
        default_to = category.default_assignee
    if sent.get("team_ids") is not None:
        teams = _teams_named(request, category.area, sent["team_ids"])
    else:
        teams = list(category.teams.all())
    with fields_renamed(**SETUP_RENAMED):
        done = services.category_update(
            category=category,
            by=request.user,
            default_to=default_to,
            teams=teams,
            **fields,
        )
    return _category_out(done)


def _department_out(department: Department) -> dict:
    return {
        "id": department.pk,
        "street_id": department.street_id,
        "name": department.name,
        "description": department.description,
        "active": department.active,
    }


@router.get(
    "/departments",
    response={200: list[DepartmentOut], **ERRORS},
    summary="A street's departments (部门报到)",
)
def department_list(request, street_id: int):
    street = area_seen(request, street_id, Perm.REQUEST_VIEW)
    if street.kind != Kind.STREET:
        raise ValidationFailed(_("Choose a street."), field="street_id")
    return [_department_out(d) for d in selectors_setup.departments_at(street)]


@router.post(
    "/departments",
    response={201: DepartmentOut, **ERRORS},
    summary="Add a street department that receives escalations",
)
def department_create(request, payload: DepartmentIn):
    street = _area_in_body(request, payload.street_id, "street_id")
    with fields_renamed(street="street_id"):
        department = services.department_create(
            street=street,
            by=request.user,
            name=payload.name,
            description=payload.description,
        )
    return Status(201, _department_out(department))


def _handler_out(handler: Handler) -> dict:
    queue = handler.team or handler.organization or handler.department
    return {
        "id": handler.pk,
        "user_id": handler.user_id,
        "name": handler.user.name,
        "phone": handler.user.phone_masked,
        "queue_kind": assignee_field(queue),
        "queue_id": queue.pk,
        "queue": str(queue),
        "created_at": handler.created_at,
        "created_by": handler.created_by.name if handler.created_by_id else "",
        "ended_at": handler.ended_at,
    }


def _queue_named(values: dict) -> tuple[str, int]:
    named = [(key, pk) for key, pk in values.items() if pk is not None]
    if len(named) != 1:
        raise ValidationFailed(
            _("Name one team, organization or department."), field="team_id"
        )
    key, pk = named[0]
    return key.removesuffix("_id"), pk


class HandlerFilter(Schema):
    team_id: int | None = None
    organization_id: int | None = None
    department_id: int | None = None
    ended: bool = False


@router.get(
    "/handlers",
    response={200: list[HandlerOut], **ERRORS},
    summary="Who works a team's, an organization's or a department's queue",
)
def handler_list(request, filters: Query[HandlerFilter]):
    kind, pk = _queue_named(filters.dict(exclude={"ended"}))
    queue = selectors_setup.queue_configured(user=request.user, kind=kind, pk=pk)
    return [
        _handler_out(h) for h in selectors_setup.handlers_of(queue, ended=filters.ended)
    ]


@router.post(
    "/handlers",
    response={201: HandlerOut, **ERRORS},
    summary="Let a user holding the team or unit role work a queue",
)
def handler_add(request, payload: HandlerIn):
    kind, pk = _queue_named(
        {f"{k}_id": getattr(payload, f"{k}_id") for k in selectors_setup.QUEUE_KINDS}
    )
    field = f"{kind}_id"
    queue = selectors_setup.queue_find(user=request.user, kind=kind, pk=pk)
    if queue is None:
        raise ValidationFailed(_("Not found."), field=field)
    queue = selectors_setup.queue_configured(user=request.user, kind=kind, pk=pk)
    if payload.user_id is not None:
        user_field = "user_id"
        user = selectors_setup.unit_users_for(queue).filter(pk=payload.user_id).first()
        if user is None:
            raise ValidationFailed(_("Not found."), field=user_field)
    else:
        user_field = "phone"
        user = _user_by_phone(payload.phone)
    with fields_renamed(user=user_field, to=field):
        handler = services.handler_add(user=user, to=queue, by=request.user)
    return Status(201, _handler_out(handler))


def _user_by_phone(phone: str):
    from gongzhi.accounts.phones import clean_phone
    from gongzhi.accounts.selectors import user_find_by_phone

    if not (phone or "").strip():
        raise ValidationFailed(
            _("Enter a phone number or choose a user."), field="phone"
        )
    user = user_find_by_phone(phone=clean_phone(phone, field="phone"))
    if user is None or not user.is_active:
        raise ValidationFailed(_("No account has this phone number."), field="phone")
    return user


@router.post(
    "/handlers/{int:handler_id}/end",
    response={200: HandlerOut, **ERRORS},
    summary="Stop a user working a queue (the record stays)",
)
def handler_end(request, handler_id: int):
    handler = selectors_setup.handler_configured(user=request.user, pk=handler_id)
    done = services.handler_end(handler=handler, by=request.user)
    done = Handler.objects.select_related(
        "user", "created_by", "team", "organization", "department"
    ).get(pk=done.pk)
    return _handler_out(done)
