"""Who may act on a request, and where assignees work.

``may(user, who, service_request)`` answers one entry of a rule's ``who``
(see ``states.Who``); ``actor_for`` picks the capacity a user acts in,
which is what the resident's timeline shows instead of a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import is_within, street_of
from gongzhi.orgs.models import Organization
from gongzhi.volunteering.models import Team

from ..models import Actor, Department, Handler, ServiceRequest
from ..states import Who

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

Assignee = Team | Organization | Department


def assignee_field(assignee: Assignee) -> str:
    """The request field that holds an assignee of this kind."""
    if isinstance(assignee, Team):
        return "team"
    if isinstance(assignee, Organization):
        return "organization"
    if isinstance(assignee, Department):
        return "department"
    raise TypeError(f"not an assignee: {assignee!r}")


def assignee_area(assignee: Assignee) -> Area:
    """Where an assignee works: a team's or organization's area, a
    department's street."""
    if isinstance(assignee, Department):
        return assignee.street
    return assignee.area


def serves(assignee: Assignee, community: Area) -> bool:
    """Whether ``assignee`` works where ``community`` is: a team or an
    organization of the community (or of a place in it) or of its street;
    a department of its street."""
    place = assignee_area(assignee)
    return is_within(community.path, place.path) or is_within(
        place.path, community.path
    )


def handles(user: User | None, assignee: Assignee | None) -> bool:
    """Whether ``user`` works ``assignee``'s queue: a handler of it holding
    request.handle where it works, or (a team) its leader."""
    if user is None or assignee is None or not user.is_authenticated:
        return False
    if (
        isinstance(assignee, Team)
        and assignee.leader_id is not None
        and assignee.leader.user_id == user.pk
    ):
        return True
    desks = Handler.objects.filter(
        user=user, ended_at__isnull=True, **{assignee_field(assignee): assignee}
    )
    return desks.exists() and in_scope(
        user, assignee_area(assignee), Perm.REQUEST_HANDLE
    )


def handled_by(user: User | None) -> list[Assignee]:
    """Every queue ``user`` works (teams she leads included)."""
    if user is None or not user.is_authenticated:
        return []
    found: list[Assignee] = []
    desks = Handler.objects.filter(user=user, ended_at__isnull=True).select_related(
        "team__area", "organization__area", "department__street"
    )
    for desk in desks:
        assignee = desk.team or desk.organization or desk.department
        if in_scope(user, assignee_area(assignee), Perm.REQUEST_HANDLE):
            found.append(assignee)
    person = getattr(user, "person", None)
    if person is not None:
        for team in Team.objects.filter(leader=person, active=True).select_related(
            "area"
        ):
            if team not in found:
                found.append(team)
    return found


def pool_teams(service_request: ServiceRequest) -> list[Team]:
    """The active teams of the category's pool serving the request's place."""
    return [
        team
        for team in service_request.category.teams.filter(active=True).select_related(
            "area", "leader"
        )
        if serves(team, service_request.community)
    ]


def is_reporter(user: User | None, service_request: ServiceRequest) -> bool:
    return (
        user is not None
        and service_request.reporter_id is not None
        and service_request.reporter.user_id is not None
        and service_request.reporter.user_id == user.pk
    )


def may(user: User | None, who: str, service_request: ServiceRequest) -> bool:
    """Whether ``user`` is a ``who`` (``states.Who``) for this request."""
    if who == Who.SYSTEM:
        return user is None
    if user is None or not user.is_authenticated:
        return False
    if who == Who.REPORTER:
        return is_reporter(user, service_request)
    if who == Who.RAISER:
        return in_scope(user, service_request.area, Perm.REQUEST_RAISE)
    if who == Who.DISPATCHER:
        return in_scope(user, service_request.community, Perm.REQUEST_DISPATCH)
    if who == Who.STREET:
        street = street_of(service_request.community)
        return street is not None and in_scope(user, street, Perm.REQUEST_DISPATCH)
    if who == Who.HANDLER:
        return handles(user, service_request.assignee)
    if who == Who.POOL_TEAM:
        return any(handles(user, team) for team in pool_teams(service_request))
    return False


# The capacity checked first wins: a dispatcher who also reported a
# request rates it as its reporter.
_ORDER = (
    Who.SYSTEM,
    Who.REPORTER,
    Who.HANDLER,
    Who.POOL_TEAM,
    Who.DISPATCHER,
    Who.STREET,
    Who.RAISER,
)
_ACTOR = {
    Who.SYSTEM: Actor.SYSTEM,
    Who.REPORTER: Actor.REPORTER,
    Who.RAISER: Actor.RAISER,
    Who.DISPATCHER: Actor.DISPATCHER,
    Who.STREET: Actor.STREET,
    Who.HANDLER: Actor.HANDLER,
    Who.POOL_TEAM: Actor.HANDLER,
}


def actor_for(
    user: User | None, who: frozenset, service_request: ServiceRequest
) -> str | None:
    """The ``Actor`` ``user`` acts as under a rule allowing ``who``, or
    None when she is none of them."""
    for kind in _ORDER:
        if kind in who and may(user, kind, service_request):
            return _ACTOR[kind]
    return None


def refusal(who: frozenset, service_request: ServiceRequest) -> str:
    """Why a user who is none of ``who`` may not act."""
    if Who.REPORTER in who and len(who - {Who.SYSTEM}) == 1:
        return _("Only the resident who reported this request may do this.")
    if Who.HANDLER in who:
        assignee = service_request.assignee
        if assignee is not None:
            return _(
                "This request is with %(assignee)s; only those who work its "
                "queue may do this."
            ) % {"assignee": assignee}
        return _("Only the team or unit the request is dispatched to may do this.")
    if Who.POOL_TEAM in who:
        return _("Only the teams this category's pool is open to may take it.")
    if Who.STREET in who and Who.DISPATCHER not in who:
        return _("Only the street may route an escalated request.")
    if Who.DISPATCHER in who:
        return _("Only the community's dispatchers may do this.")
    return _("You are not allowed to do this.")
