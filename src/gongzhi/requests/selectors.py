"""Reads for display, already scoped: staff lists, everyone's queues, a
resident's own requests and her timeline, duplicates to follow and what
she follows, the categories at a place.

Queues sort overdue first, then urgent before normal, then by the
resolution deadline (none last), then oldest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scoped, subtree_q
from gongzhi.areas.selectors import told_apart
from gongzhi.areas.tree import ancestor_of_kind, ancestor_paths, street_of
from gongzhi.orgs.models import Organization
from gongzhi.residents.homes import last_known_community
from gongzhi.volunteering.models import Team

from .models import Category, Department, Follow, ServiceRequest, Transition
from .services.rules import (
    assignee_field,
    handled_by,
    may,
)
from .states import ACTION_LABELS, OPEN, Status, Urgency, Who

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.residents.models import Person

REQUESTS = ServiceRequest.objects.select_related(
    "category",
    "area",
    "community",
    "team",
    "organization",
    "department",
    "transfer_team",
)


def queue_order(queryset: QuerySet) -> QuerySet:
    """Overdue first, urgent before normal, soonest deadline, oldest."""
    return queryset.annotate(
        overdue=Case(
            When(Q(response_overdue=True) | Q(resolve_overdue=True), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        urgent=Case(
            When(urgency=Urgency.URGENT, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        no_deadline=Case(
            When(resolve_due__isnull=True, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("overdue", "urgent", "no_deadline", "resolve_due", "created_at", "pk")


# Staff


def request_list(*, user: User, perm: str = Perm.REQUEST_VIEW) -> QuerySet:
    """Requests placed in the user's subtrees for ``perm``."""
    return scoped(REQUESTS.all(), user=user, via="area", perm=perm)


def request_visible(*, user: User) -> QuerySet:
    """Every request the user may open: placed where she holds
    request.view, reported or raised by her, in one of her queues (or her
    teams' pool), or one she acted on."""
    if user is None or not user.is_authenticated:
        return ServiceRequest.objects.none()
    from gongzhi.areas.scoping import scope_paths

    condition = Q(raised_by=user) | Q(reporter__user=user)
    paths = scope_paths(user, Perm.REQUEST_VIEW)
    if paths:
        condition |= subtree_q(paths, field="area__path")
    queues = handled_by(user)
    condition |= _assigned_q(queues)
    teams = [q for q in queues if isinstance(q, Team)]
    if teams:
        condition |= Q(status=Status.POOLED, category__teams__in=teams)
    condition |= Exists(
        Transition.objects.filter(request=OuterRef("pk"), by=user).values("pk")
    )
    pks = ServiceRequest.objects.filter(condition).values("pk")
    return REQUESTS.filter(pk__in=pks)


def request_get(*, user: User, pk: int) -> ServiceRequest:
    """A request the user may open, else 404 (not 403: existence elsewhere
    does not leak)."""
    return get_object_or_404(request_visible(user=user), pk=pk)


def _assigned_q(queues) -> Q:
    condition = Q(pk__in=[])
    by_field: dict[str, list] = {}
    for queue in queues:
        by_field.setdefault(assignee_field(queue), []).append(queue.pk)
    for field, pks in by_field.items():
        condition |= Q(**{f"{field}__in": pks})
    return condition


# Queues


def queue_for(assignee: Team | Organization | Department) -> QuerySet:
    """An assignee's open work: dispatched to it, accepted, being worked,
    or waiting for its transfer to be decided."""
    field = assignee_field(assignee)
    return queue_order(
        REQUESTS.filter(
            status__in=OPEN - {Status.SUBMITTED, Status.POOLED, Status.ESCALATED},
            **{field: assignee},
        )
    )


def queue_for_handler(*, user: User) -> QuerySet:
    """All the queues the user works, in one list."""
    queues = handled_by(user)
    if not queues:
        return ServiceRequest.objects.none()
    return queue_order(
        REQUESTS.filter(
            _assigned_q(queues),
            status__in=OPEN - {Status.SUBMITTED, Status.POOLED, Status.ESCALATED},
        )
    )


def pool_for(*, user: User) -> QuerySet:
    """Pooled requests the user's teams may take (抢单)."""
    teams = [q for q in handled_by(user) if isinstance(q, Team)]
    if not teams:
        return ServiceRequest.objects.none()
    # A team serves the communities at or below where it works.
    near = Q(pk__in=[])
    for path in {team.area.path for team in teams}:
        near |= Q(community__path__within=path)
    pks = ServiceRequest.objects.filter(
        near, status=Status.POOLED, category__teams__in=teams
    ).values("pk")
    return queue_order(REQUESTS.filter(pk__in=pks))


def queue_for_dispatcher(*, user: User, community: Area) -> QuerySet:
    """A community's dispatching desk: requests waiting for dispatch
    (new, returned, reopened) and transfers awaiting consent, plus the
    pool nobody has taken. 404-scoped by the caller."""
    return queue_order(
        request_list(user=user, perm=Perm.REQUEST_DISPATCH).filter(
            community=community,
            status__in=(
                Status.SUBMITTED,
                Status.TRANSFER_REQUESTED,
                Status.POOLED,
            ),
        )
    )


def queue_for_street(*, user: User, street: Area) -> QuerySet:
    """A street's desk: escalated requests (吹哨) awaiting a department,
    and those with its departments still open."""
    return queue_order(
        request_list(user=user, perm=Perm.REQUEST_DISPATCH).filter(
            Q(status=Status.ESCALATED) | Q(department__isnull=False, status__in=OPEN),
            community__path__within=street.path,
        )
    )


def open_in(*, user: User, area: Area) -> QuerySet:
    """Every open request placed within ``area`` the user sees."""
    return queue_order(
        request_list(user=user).filter(area__path__within=area.path, status__in=OPEN)
    )


# A resident


def requests_of(person: Person) -> QuerySet:
    """A resident's own requests, newest first."""
    return REQUESTS.filter(reporter=person).order_by("-created_at", "-pk")


def requests_followed(person: Person) -> QuerySet:
    """The requests a resident follows, in any status, the latest followed
    first (``followed_at`` set)."""
    # The annotation reads the join the filter made: one row per request.
    return (
        REQUESTS.filter(follows__person=person)
        .annotate(followed_at=F("follows__created_at"))
        .order_by("-followed_at", "-pk")
    )


def requests_followable(*, person: Person) -> QuerySet:
    """Others' requests a resident may look at: the open ones of her home
    community (to follow), and every one she follows, in any status."""
    condition = Q(pk__in=Follow.objects.filter(person=person).values("request"))
    community = last_known_community(person)
    if community is not None:
        condition |= Q(community=community, status__in=OPEN)
    return REQUESTS.filter(condition)


def followed_among(person: Person | None, pks) -> set[int]:
    """Which of the requests ``pks`` the resident follows."""
    if person is None:
        return set()
    return set(
        Follow.objects.filter(person=person, request__in=list(pks)).values_list(
            "request_id", flat=True
        )
    )


def _works_at(assignee) -> int:
    if isinstance(assignee, Department):
        return assignee.street_id
    return assignee.area_id


def with_assignee_names(rows) -> list:
    """``rows`` as a list, each carrying ``assignee_name``: who holds it,
    with the community (or street) beside the name where two holders on
    the list share it (three 安居物业管理有限公司 of a street's desk)."""
    rows = list(rows)
    names = told_apart((row.assignee for row in rows), area_id_of=_works_at)
    for row in rows:
        row.assignee_name = names.get(row.assignee, "")
    return rows


def with_followers(queryset: QuerySet) -> QuerySet:
    """``followers`` on each request: how many residents follow it, counted
    in the same query (a staff list's priority hint)."""
    counted = (
        Follow.objects.filter(request=OuterRef("pk"))
        .order_by()
        .values("request")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(
        followers=Coalesce(Subquery(counted), Value(0), output_field=IntegerField())
    )


# Shown to the resident along with the step; other notes stay internal.
RESIDENT_NOTES = {
    "raise",
    "contact",
    "resolve",
    "rate",
    "callback",
    "reopen",
    "reject",
    "auto_close",
}


def timeline(service_request: ServiceRequest, *, internal: bool = False) -> list:
    """The request's steps, oldest first, as the resident reads them: when,
    what, the status after, in what capacity (a role, never a staff
    member's name), the team or unit holding it, and the note where it is
    meant for her. ``internal`` adds every note and the acting user's
    name, for staff."""
    rows = []
    for step in service_request.transitions.select_related("by").order_by("at", "pk"):
        row = {
            "at": step.at,
            "action": step.action,
            "action_label": str(ACTION_LABELS.get(step.action, step.action)),
            "status": step.to_status,
            "status_label": step.get_to_status_display(),
            "actor": step.actor,
            "actor_label": step.get_actor_display(),
            "assignee": step.assignee_name,
            "note": step.note if internal or step.action in RESIDENT_NOTES else "",
            "rating": step.rating,
            "rating_label": step.get_rating_display() if step.rating else "",
            "by": step.by.name if internal and step.by_id else "",
        }
        rows.append(row)
    return rows


# Raising


def duplicates_suggest(
    *, category: Category, area: Area, exclude: int | None = None, limit: int = 5
) -> QuerySet:
    """Likely duplicates to follow instead of raising anew: open requests
    of the same category in the same building (a place at or below a
    building), else the same estate, else at the very same place."""
    around = ancestor_of_kind(area, Kind.BUILDING) or ancestor_of_kind(
        area, Kind.ESTATE
    )
    found = REQUESTS.filter(category=category, status__in=OPEN)
    if around is not None:
        found = found.filter(area__path__within=around.path)
    else:
        found = found.filter(area=area)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.order_by("-created_at", "-pk")[:limit]


def categories_at(area: Area) -> QuerySet:
    """Active categories that apply at ``area``: everywhere's, its
    street's and its community's."""
    prefixes = ancestor_paths(area.path, include_self=True)
    return Category.objects.filter(
        Q(area__isnull=True) | Q(area__path__in=prefixes), active=True
    ).order_by("name", "pk")


def category_for_code(code: str, area: Area | None = None) -> Category | None:
    """The category with Open311 ``code`` that applies at ``area``: the
    most specific (community over street over everywhere); without a
    place, only an everywhere category."""
    if area is None:
        return Category.objects.filter(
            area__isnull=True, code=code, active=True
        ).first()
    found = list(categories_at(area).filter(code=code).select_related("area"))
    found.sort(key=lambda c: -len(c.area.path) if c.area_id else 0)
    return found[0] if found else None


def departments_of(street: Area) -> QuerySet:
    return Department.objects.filter(street=street, active=True).order_by("name")


def assignees_for(service_request: ServiceRequest) -> dict:
    """Whom the community may dispatch a request to: active teams and
    organizations working where it is."""
    community = service_request.community
    street = street_of(community)
    near = Q(area=community) | Q(area__path__within=community.path)
    if street is not None:
        near |= Q(area=street)
    return {
        "teams": Team.objects.filter(near, active=True).order_by("name"),
        "organizations": Organization.objects.filter(
            area__path__within=community.path, active=True
        ).order_by("name"),
    }


def actions_for(*, user: User, service_request: ServiceRequest) -> list[str]:
    """The actions the user may take on the request now (for buttons)."""
    from .states import TRANSITIONS

    allowed = []
    for action, rule in TRANSITIONS.items():
        if action in ("raise", "auto_close"):
            continue
        if service_request.status not in rule.sources:
            continue
        if any(
            who != Who.SYSTEM and may(user, who, service_request) for who in rule.who
        ):
            allowed.append(action)
    return allowed


def overdue_q() -> Q:
    return Q(response_overdue=True) | Q(resolve_overdue=True)
