"""待办: what waits for the user today, on the workbench's first page.

One line of counts for each place the user holds a role, each count a link
to the list it counts: requests waiting for dispatch or overdue, people due
for a visit, points awaiting a second signature, today's activities; and,
for whoever works a team's or a unit's queue, that queue and the pool.
Each count is read through the app's own scoped selectors and only where
the role allows it, so it never counts what the user may not open.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.areas.models import Area, Kind
from gongzhi.councils import selectors as councils
from gongzhi.points.selectors import awards_to_approve, resident_points
from gongzhi.requests import selectors as service_requests
from gongzhi.requests.services.rules import handled_by
from gongzhi.requests.states import OPEN
from gongzhi.residents.selectors.care import care_due
from gongzhi.selections import selectors as selections
from gongzhi.volunteering.selectors import sessions_on_count, signups_coming

# The resident's pages behind her counts.
REQUESTS, SERVICE, POINTS = (
    "requests:portal_requests",
    "volunteering:portal_service",
    "points:portal_points",
)
COUNCILS = "councils:portal_home"

# Kinds whose desk is one community's, or what lies within a grid's reach.
_LOCAL = {Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE}


@dataclass(frozen=True)
class Todo:
    key: str  # stable, for API clients: dispatch, escalated, overdue, …
    label: str
    count: int
    url: str
    # Red when anything is counted: it is late already.
    late: bool = False


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def todos_at(*, user: User, area: Area) -> list[Todo]:
    """The counts of one place the user holds a role on."""
    found: list[Todo] = []
    community = area.pk if area.kind == Kind.COMMUNITY else None
    if area.kind == Kind.COMMUNITY and user_can(
        user=user, perm=Perm.REQUEST_DISPATCH, area=area
    ):
        waiting = service_requests.queue_for_dispatcher(user=user, community=area)
        found.append(
            Todo(
                "dispatch",
                _("Requests to dispatch"),
                waiting.count(),
                _url("requests:desk", community=area.pk),
            )
        )
    if area.kind == Kind.STREET and user_can(
        user=user, perm=Perm.REQUEST_DISPATCH, area=area
    ):
        whistled = service_requests.queue_for_street(user=user, street=area)
        found.append(
            Todo(
                "escalated",
                _("Escalations (吹哨) for a department"),
                whistled.filter(status=service_requests.Status.ESCALATED).count(),
                _url("requests:street"),
            )
        )
    if area.kind in _LOCAL and user_can(user=user, perm=Perm.REQUEST_VIEW, area=area):
        overdue = service_requests.open_in(user=user, area=area).filter(
            service_requests.overdue_q()
        )
        found.append(
            Todo(
                "overdue",
                _("Overdue requests"),
                overdue.count(),
                _url("requests:desk", community=community, status="open", overdue=1),
                late=True,
            )
        )
    if area.kind in _LOCAL and user_can(user=user, perm=Perm.CARE_RECORD, area=area):
        found.append(
            Todo(
                "visits",
                _("Visits due"),
                len(care_due(user=user, area=area)),
                _url("residents:care_due", area=area.pk),
            )
        )
    if area.kind == Kind.COMMUNITY and user_can(
        user=user, perm=Perm.POINTS_MANAGE, area=area
    ):
        found.append(
            Todo(
                "awards",
                _("Points awards to approve"),
                awards_to_approve(user=user, community=area).count(),
                _url("points:awards", area.pk),
            )
        )
    if area.kind in (Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT) and user_can(
        user=user, perm=Perm.SELECTION_MANAGE, area=area
    ):
        found.append(
            Todo(
                "nominations",
                _("Nominations to review"),
                selections.review_waiting(user=user, area=area),
                _url("selections:home"),
            )
        )
        found.append(
            Todo(
                "objections",
                _("Objections to answer (公示)"),
                selections.objections_waiting(user=user, area=area),
                _url("selections:home"),
            )
        )
    if area.kind == Kind.COMMUNITY and user_can(
        user=user, perm=Perm.COUNCIL_MANAGE, area=area
    ):
        found.append(
            Todo(
                "topics",
                _("Council topics to accept"),
                councils.topics_to_accept(user=user, community=area).count(),
                _url("councils:home"),
            )
        )
        found.append(
            Todo(
                "council_objections",
                _("Objections to council decisions"),
                councils.objections_to_answer(user=user, community=area).count(),
                _url("councils:home"),
            )
        )
    if area.kind in (Kind.COMMUNITY, Kind.STREET) and user_can(
        user=user, perm=Perm.ACTIVITY_VIEW, area=area
    ):
        today = timezone.localdate()
        found.append(
            Todo(
                "activities",
                _("Activities today"),
                sessions_on_count(area, today),
                _url("volunteering:home", community=community, **{"from": today}),
            )
        )
    return found


def todos_of_queues(*, user: User) -> list[Todo]:
    """For whoever works a team's, a unit's or a department's queue: what is
    in it, how much of that is late, and the pool her teams may take from."""
    if not handled_by(user):
        return []
    queue = service_requests.queue_for_handler(user=user).aggregate(
        all=Count("pk"), late=Count("pk", filter=Q(service_requests.overdue_q()))
    )
    return [
        Todo("queue", _("In my queue"), queue["all"], _url("requests:mine")),
        Todo(
            "queue_overdue",
            _("Overdue in my queue"),
            queue["late"],
            _url("requests:mine"),
            True,
        ),
        Todo(
            "pool",
            _("In the pool (抢单)"),
            service_requests.pool_for(user=user).count(),
            _url("requests:pool"),
        ),
    ]


def todos_of_resident(*, user: User) -> list[Todo]:
    """A resident's own: requests waiting for her rating or still being
    handled, her places at coming activities, her points and what waits for
    her at the counter. Nothing for a login with no resident record."""
    person = getattr(user, "person", None)
    if person is None:
        return []
    mine = service_requests.requests_of(person).aggregate(
        rate=Count("pk", filter=Q(status=service_requests.Status.RESOLVED)),
        open=Count("pk", filter=Q(status__in=OPEN)),
    )
    coming = signups_coming(person).count()
    points = resident_points(person)
    return [
        Todo("rate", _("Waiting for my rating"), mine["rate"], _url(REQUESTS)),
        Todo("requests", _("My requests in hand"), mine["open"], _url(REQUESTS)),
        Todo("activities", _("Activities I signed up for"), coming, _url(SERVICE)),
        Todo("points", _("My points"), points.balance, _url(POINTS)),
        Todo("pickup", _("Goods to pick up"), points.to_pick_up, _url(POINTS)),
        Todo(
            "votes",
            _("Council votes open to me"),
            councils.votes_open_for(person).count(),
            _url(COUNCILS),
        ),
    ]
