"""Reads the request pages need beyond ``selectors``: the places a
resident may report at, another's request she may follow or follows, the
communities and streets of a desk, a desk's filtered list, photos.

Every one starts from a scoped queryset or from the resident's own home,
so anything outside answers 404 or is simply not there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.areas.selectors import place_labels

from .. import selectors
from ..models import RequestPhoto, ServiceRequest
from ..services.rules import assignee_field, handled_by, pool_teams
from ..states import OPEN, Status

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

# The statuses a dispatcher has to act on (the desk's default view).
DESK = (Status.SUBMITTED, Status.TRANSFER_REQUESTED, Status.POOLED)


def places_in(community: Area) -> list[Area]:
    """The estates and buildings of a community, in tree order, each with
    a ``label`` naming it in full (航院小区 1号楼)."""
    found = list(
        Area.objects.filter(
            path__within=community.path,
            kind__in=(Kind.ESTATE, Kind.BUILDING),
            retired_at__isnull=True,
        ).order_by("path")
    )
    labels = place_labels(found)
    for area in found:
        area.label = labels[area.pk]
    return found


def similar_get(*, person, pk: int) -> ServiceRequest:
    """An open request of the resident's own community she may follow
    instead of raising it again, or one she follows in any status; 404
    for any other."""
    return get_object_or_404(
        selectors.requests_followable(person=person).select_related("merged_into"),
        pk=pk,
    )


def communities_for(*, user: User, perm: str = Perm.REQUEST_VIEW) -> QuerySet:
    """The communities where the user holds ``perm`` (or below a street or
    district where she does)."""
    return scoped(
        Area.objects.filter(kind=Kind.COMMUNITY, retired_at__isnull=True),
        user=user,
        via="",
        perm=perm,
    ).order_by("path")


def streets_for(*, user: User) -> list[Area]:
    """The streets whose escalations the user routes: request.dispatch
    held on the street itself or above it."""
    streets = Area.objects.filter(kind=Kind.STREET, retired_at__isnull=True)
    return [
        s for s in streets.order_by("path") if in_scope(user, s, Perm.REQUEST_DISPATCH)
    ]


def desk_list(
    *,
    user: User,
    community: Area | None,
    status: str = "",
    category: int | None = None,
    overdue: bool = False,
) -> QuerySet:
    """A community's requests as the desk filters them: by default those
    waiting for the dispatcher (everything open where no community is
    chosen); ``open``, ``all`` or one status."""
    found = selectors.request_list(user=user)
    if community is not None:
        found = found.filter(community=community)
    if status == "open":
        found = found.filter(status__in=OPEN)
    elif status == "all":
        pass
    elif status in Status.values:
        found = found.filter(status=status)
    elif community is None:
        found = found.filter(status__in=OPEN)
    else:
        found = found.filter(status__in=DESK)
    if category:
        found = found.filter(category_id=category)
    if overdue:
        found = found.filter(selectors.overdue_q())
    return selectors.queue_order(found)


def photo_get(service_request: ServiceRequest, photo_id: int) -> RequestPhoto:
    return get_object_or_404(RequestPhoto, pk=photo_id, request=service_request)


def my_pool_teams(*, user: User, service_request: ServiceRequest) -> list:
    """The teams of the pool the user works, for 抢单."""
    mine = set(handled_by(user))
    return [team for team in pool_teams(service_request) if team in mine]


def transfer_teams(service_request: ServiceRequest) -> QuerySet:
    """Teams a handler may ask to transfer a request to: the community's
    others."""
    teams = selectors.assignees_for(service_request)["teams"]
    if service_request.team_id:
        teams = teams.exclude(pk=service_request.team_id)
    return teams


def request_by_number(*, user: User, number: str) -> ServiceRequest | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    return selectors.request_visible(user=user).filter(Q(number=number)).first()


def pool_taken(*, user: User, pk: int) -> ServiceRequest | None:
    """A request of a pool the user's teams were open to that another
    team has taken: what the loser of 抢单 is told about."""
    teams = [q for q in handled_by(user) if assignee_field(q) == "team"]
    if not teams:
        return None
    return (
        selectors.REQUESTS.filter(pk=pk, category__teams__in=teams, team__isnull=False)
        .exclude(team__in=teams)
        .first()
    )
