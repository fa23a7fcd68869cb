"""What the domain apps announce, turned into messages.

Each handler runs inside the announcing transaction (``core.hooks``), so a
message and its deliveries commit or roll back with the change they tell
of: the outbox. A handler names its recipients by who they are to the
change (the request's reporter and followers, its team's handlers, the
street's desk) and tells them only what each may see: a team hears the
place down to the building and the category ("航院小区 1号楼 居家小修"),
never the resident's name, household or phone.

Messages are written in the site's language (``LANGUAGE_CODE``): they are
stored, and read later by whoever they are for.

Subscription point for councils and selections: their apps announce
``councils.meeting_called``, ``councils.vote_opened``,
``selections.vote_opened`` and ``selections.result_published`` (names in
``COUNCIL_EVENTS``) with ``key`` (the event, unique), ``user_ids`` (whom
to tell, already chosen by the announcing app), ``title``, ``url`` and
``area``; ``on_council_event`` tells them in the ``council`` category.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Perm, roles_with
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.selectors import place_labels
from gongzhi.areas.tree import ancestor_of_kind, ancestor_paths, street_of
from gongzhi.core.hooks import subscribe
from gongzhi.points import events as points_events
from gongzhi.requests import events as request_events
from gongzhi.volunteering import events as volunteering_events

from .models import Category
from .services.messages import notify

# Events of another app's choosing that carry their own recipients.
COUNCIL_EVENTS = (
    "councils.meeting_called",
    "selections.result_published",
)

# Steps that give a team, a unit or a department work to do.
DISPATCHED = {"dispatch", "street_dispatch", "transfer_approve", "raise", "reopen"}
# Steps the resident and her followers are told of.
TOLD_RESIDENT = {"accept", "take", "resolve", "reject", "merge"}


def _language():
    return translation.override(settings.LANGUAGE_CODE)


def place_for_team(area: Area) -> str:
    """A request's place as a team may hear it: down to the building."""
    if area.kind in (Kind.ENTRANCE, Kind.HOUSEHOLD):
        area = ancestor_of_kind(area, Kind.BUILDING) or area
    return place_labels([area])[area.pk]


def handler_users(item) -> set[int]:
    """Who works the queue of the request's assignee."""
    from gongzhi.requests.models import Handler

    assignee = {
        "team": item.team_id,
        "organization": item.organization_id,
        "department": item.department_id,
    }
    users: set[int] = set()
    for field, pk in assignee.items():
        if pk:
            users |= set(
                Handler.objects.filter(ended_at=None, **{field: pk}).values_list(
                    "user_id", flat=True
                )
            )
    if item.team_id and item.team.leader_id:
        leader = item.team.leader.user_id
        if leader:
            users.add(leader)
    return users


def residents_of(item) -> tuple[int | None, set[int]]:
    """The reporter's user and her followers' users."""
    from gongzhi.requests.models import Follow

    reporter = item.reporter.user_id if item.reporter_id else None
    followers = set(
        Follow.objects.filter(request=item, person__user__isnull=False).values_list(
            "person__user_id", flat=True
        )
    ) - {reporter}
    return reporter, followers


def desk_users(area: Area, perm: str, *, kind: str) -> set[int]:
    """Users holding ``perm`` on the node of ``kind`` above ``area`` (or
    above it): the community's dispatchers, the street's desk."""
    node = ancestor_of_kind(area, kind)
    if node is None:
        return set()
    paths = [*ancestor_paths(node.path), node.path]
    return set(
        Grant.objects.filter(
            revoked_at=None, area__path__in=paths, role__in=roles_with(perm)
        ).values_list("user_id", flat=True)
    )


def on_request_moved(*, request_id, action, status, version, now, **_payload):
    from gongzhi.requests.models import ServiceRequest
    from gongzhi.requests.states import Status

    item = ServiceRequest.objects.select_related(
        "category", "area", "team__leader", "reporter"
    ).get(pk=request_id)
    key = f"request:{item.pk}:{version}"
    with _language():
        what = f"{place_for_team(item.area)} {item.category.name}"
        if action in DISPATCHED and status == Status.DISPATCHED:
            notify(
                key=key,
                user_ids=handler_users(item),
                category=Category.WORK,
                title=_("New work: %(what)s") % {"what": what},
                body=_("Request %(number)s is waiting for you to accept it.")
                % {"number": item.number},
                url=reverse("requests:mine"),
                area=item.area,
                now=now,
            )
        elif action == "escalate":
            street = street_of(item.area) or item.community
            notify(
                key=key,
                user_ids=desk_users(street, Perm.REQUEST_DISPATCH, kind=Kind.STREET),
                category=Category.DEADLINE,
                title=_("Escalated to the street (吹哨): %(what)s") % {"what": what},
                body=_("Request %(number)s waits for a department.")
                % {"number": item.number},
                url=reverse("requests:street"),
                area=item.area,
                now=now,
            )
        if action in TOLD_RESIDENT:
            reporter, followers = residents_of(item)
            titles = {
                "accept": _("Your request has been accepted"),
                "take": _("Your request has been accepted"),
                "resolve": _("Your request is resolved: please rate it"),
                "reject": _("Your request was not accepted"),
                "merge": _("Your request was merged into another one"),
            }
            url = reverse("requests:portal_request", args=[item.pk])
            body = f"{item.number} {item.category.name}"
            notify(
                key=key,
                user_ids=[reporter],
                category=Category.REQUEST,
                title=titles[action],
                body=body,
                url=url,
                area=item.area,
                now=now,
            )
            if action in ("accept", "take", "resolve"):
                notify(
                    key=key,
                    user_ids=followers,
                    category=Category.REQUEST,
                    title=_("A request you follow has been accepted")
                    if action != "resolve"
                    else _("A request you follow is resolved"),
                    body=body,
                    url=url,
                    area=item.area,
                    now=now,
                )


def on_points_awarded(*, award_id, account_id, points, now, **_payload):
    from gongzhi.points.models import Account

    account = Account.objects.select_related("person", "area").get(pk=account_id)
    user = account.person.user_id if account.person_id else None
    with _language():
        notify(
            key=f"award:{award_id}",
            user_ids=[user],
            category=Category.POINTS,
            title=_("You have earned %(points)d points") % {"points": points},
            url=reverse("points:portal_points"),
            area=account.area,
            now=now,
        )


def on_order_ready(*, order_id, account_id, now, **_payload):
    from gongzhi.points.models import Order

    order = Order.objects.select_related(
        "goods", "account__person", "community", "placed_by"
    ).get(pk=order_id)
    person = order.account.person
    user = person.user_id if person is not None else order.placed_by_id
    with _language():
        notify(
            key=f"order:{order_id}:ready",
            user_ids=[user],
            category=Category.POINTS,
            title=_("Ready for pickup: %(goods)s") % {"goods": order.goods.name},
            body=_("Show the code %(code)s at the counter.") % {"code": order.code},
            url=reverse("points:portal_points"),
            area=order.community,
            now=now,
        )


def on_place_freed(*, signup_id, occurrence_id, now, **_payload):
    from gongzhi.volunteering.models import SignUp

    signup = SignUp.objects.select_related(
        "person", "occurrence__activity", "occurrence__community"
    ).get(pk=signup_id)
    occurrence = signup.occurrence
    with _language():
        notify(
            key=f"signup:{signup_id}:promoted",
            user_ids=[signup.person.user_id],
            category=Category.ACTIVITY,
            title=_("A place is yours: %(activity)s")
            % {"activity": occurrence.activity.title},
            body=_("Someone gave up a place and you were first on the waiting list."),
            url=reverse("volunteering:portal_activities"),
            area=occurrence.community,
            now=now,
        )


def on_council_event(*, key, user_ids, title, url="", area=None, now=None, **_payload):
    notify(
        key=key,
        user_ids=user_ids,
        category=Category.COUNCIL,
        title=title,
        url=url,
        area=area,
        now=now,
    )


# Councils and selections: who hears of a meeting, a vote and a result.


def _users_of(people) -> set[int]:
    """The logins of ``people`` (a Person queryset), where they have one."""
    return set(people.exclude(user=None).values_list("user_id", flat=True))


def living_under(area: Area) -> set[int]:
    """The logins of everyone registered as living under ``area``."""
    from gongzhi.areas.scoping import subtree_q
    from gongzhi.residents.models import Person, PersonStatus

    return _users_of(
        Person.objects.filter(
            subtree_q([area.path], field="household__path"),
            status=PersonStatus.ACTIVE,
        )
    )


def _members(council, day) -> set[int]:
    from gongzhi.councils.services.meetings import seats_on
    from gongzhi.residents.models import Person

    return _users_of(
        Person.objects.filter(pk__in=[s.person_id for s in seats_on(council, day)])
    )


def _when(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def on_meeting_noticed(*, meeting, **_payload) -> None:
    """A meeting's notice is out: its members are told, and, where the
    council notices the area, everyone living in its community."""
    from django.utils import timezone

    from .tasks import tell_residents

    council = meeting.council
    with _language():
        title = _("Council meeting %(title)s: %(when)s, %(place)s") % {
            "title": meeting.title,
            "when": _when(meeting.starts_at),
            "place": meeting.place,
        }
    told = {
        "key": f"councils.meeting:{meeting.pk}",
        "title": title,
        "url": reverse("councils:portal_meeting", args=[meeting.pk]),
    }
    on_council_event(
        **told,
        user_ids=_members(council, timezone.localdate(meeting.starts_at)),
        area=council.community,
        now=meeting.noticed_at,
    )
    if council.public:  # the residents through a worker: they are many
        tell_residents.enqueue(**told, area_id=council.community_id)


def on_council_vote_opened(*, vote, **_payload) -> None:
    """A vote is open: the seats that may cast it, or, for an owners'
    decision, the current owners of the households on its roll."""
    from gongzhi.councils.models import VoteKind
    from gongzhi.councils.services.owners import roll_of
    from gongzhi.councils.services.votes import eligible_seats
    from gongzhi.residents.models import Person

    if vote.kind == VoteKind.OWNERS:
        owners = {pk for entry in roll_of(vote) for pk in entry.owner_ids}
    else:
        owners = {seat.person_id for seat in eligible_seats(vote)}
    with _language():
        title = _("Vote open: %(topic)s") % {"topic": vote.topic.title}
    on_council_event(
        key=f"councils.vote:{vote.pk}",
        user_ids=_users_of(Person.objects.filter(pk__in=owners)),
        title=title,
        url=reverse("councils:portal_vote", args=[vote.pk]),
        area=vote.meeting.council.community,
        now=vote.opened_at,
    )


def on_selection_vote_opened(*, selection, **_payload) -> None:
    """A selection's public vote is open: everyone living in its area,
    told by a worker (a district-level selection reaches a million)."""
    from .tasks import tell_residents

    with _language():
        title = _("Voting is open: %(title)s") % {"title": selection.title}
    tell_residents.enqueue(
        key=f"selections.vote:{selection.pk}",
        area_id=selection.area_id,
        title=title,
        url=reverse("selections:portal_home"),
    )


def on_selection_honoured(*, selection, **_payload) -> None:
    """A selection's result is out: those who voted in it and those who
    nominated someone are told."""
    from gongzhi.residents.models import Person
    from gongzhi.selections.models import Ballot

    voters = Ballot.objects.filter(selection=selection).values("person_id")
    users = _users_of(Person.objects.filter(pk__in=voters))
    users |= set(
        selection.nominations.exclude(nominated_by=None).values_list(
            "nominated_by_id", flat=True
        )
    )
    with _language():
        title = _("Results announced: %(title)s") % {"title": selection.title}
    on_council_event(
        key=f"selections.result:{selection.pk}",
        user_ids=users,
        title=title,
        url=reverse("selections:portal_home"),
        area=selection.area,
    )


def subscribe_all() -> None:
    subscribe(request_events.MOVED, on_request_moved)
    subscribe(points_events.AWARDED, on_points_awarded)
    subscribe(points_events.ORDER_READY, on_order_ready)
    subscribe(volunteering_events.PLACE_FREED, on_place_freed)
    for name in COUNCIL_EVENTS:
        subscribe(name, on_council_event)
    subscribe("councils.meeting_noticed", on_meeting_noticed)
    subscribe("councils.vote_opened", on_council_vote_opened)
    subscribe("selections.vote_opened", on_selection_vote_opened)
    subscribe("selections.honoured", on_selection_honoured)
