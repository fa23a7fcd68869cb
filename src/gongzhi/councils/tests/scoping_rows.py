"""Scoping rows: councils (议事协商).

Staff read councils, topics and meetings where they hold council.view and
act where they hold council.manage. Each community place gets a scene,
made on first use and rolled back with the test: a collection with a
suggestion and its photo (``{c_collection}``, ``{c_photo}``), a proposed
topic (``{c_topic}``), an accepted one (``{c_accepted}``), a council
(``{c_council}``) with a seat (``{c_seat}``), a meeting in session
(``{c_meeting}``) with a scheduled topic and a draft vote (``{c_vote}``)
and an open one (``{c_open_vote}``), a passed topic with a task, a
milestone and a budget (``{c_passed}``, ``{c_task}``, ``{c_milestone}``),
and an objection (``{c_objection}``). The demo resident's own pages
(``own_councils``) name her community's scene through her household:
``{my_collection}``, ``{my_suggestion}``, ``{my_meeting}``, ``{my_vote}``
(her seat, present, the vote open) and ``{my_notice}`` (a topic under
public notice); the councils tests walk a resident of another community
through them (404).
"""

import datetime as dt
import secrets

from django.utils import timezone

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.areas.tree import community_of
from gongzhi.councils.models import (
    AgendaItem,
    Budget,
    Collection,
    Council,
    Meeting,
    Milestone,
    Objection,
    Presence,
    Seat,
    Suggestion,
    SuggestionPhoto,
    Task,
    Topic,
    Vote,
)
from gongzhi.requests.tests.scoping_rows import request_at
from gongzhi.residents.models import Person
from gongzhi.seeding import demo
from gongzhi.volunteering.tests.scoping_rows import matrix_photo
from tests.scoping_on_use import on_use
from tests.test_scoping_matrix import Row

MARK = "矩阵议事"
VIEW = "perm:council.view"
MANAGE = "perm:council.manage"
MINE = "own_councils"
COMMUNITIES = "community other_community"
W = "/workbench/councils"
A = "/api/v1/councils"
P = "/portal/councils"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")


def _person_in(community, index: int = 0):
    """Someone living in the community, with no login of her own."""
    return Person.objects.filter(
        household__path__startswith=community.path, user__isnull=True
    ).order_by("pk")[index]


def _scene(community) -> dict:
    """Every row of a community's scene, made once per test."""
    found = Council.objects.filter(community=community, name=MARK).first()
    if found is not None:
        return _read(found)
    today, now = timezone.localdate(), timezone.now()
    person = _person_in(community)
    collection = Collection.objects.create(
        community=community,
        area=community,
        title=MARK,
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=30),
    )
    suggestion = Suggestion.objects.create(
        collection=collection, area=community, author=person, text=MARK
    )
    SuggestionPhoto.objects.create(suggestion=suggestion, image=matrix_photo())

    def topic(status, **more):
        return Topic.objects.create(
            community=community, area=community, title=MARK, status=status, **more
        )

    topic("proposed")
    topic("accepted")
    scheduled = topic("scheduled")
    passed = topic("passed")
    notice = topic("publicised", notice_until=today + dt.timedelta(days=7))
    council = Council.objects.create(community=community, area=community, name=MARK)
    Seat.objects.create(
        council=council, person=person, party="committee", starts_on=today
    )
    meeting = Meeting.objects.create(
        council=council,
        title=MARK,
        place=MARK,
        starts_at=now - dt.timedelta(hours=1),
        status="in_session",
        noticed_at=now - dt.timedelta(days=5),
        secret=secrets.token_hex(16),
    )
    AgendaItem.objects.create(meeting=meeting, topic=scheduled)
    for status in ("draft", "open"):
        Vote.objects.create(
            meeting=meeting, topic=scheduled, pass_rule="cast", status=status
        )
    task = Task.objects.create(
        topic=passed, title=MARK, service_request_id=request_at(community)
    )
    Milestone.objects.create(task=task, title=MARK)
    Budget.objects.create(topic=passed, source=MARK, approved=1000)
    Objection.objects.create(topic=notice, person=person, text=MARK)
    return _read(council)


def _read(council) -> dict:
    topics = {
        t.status: t
        for t in Topic.objects.filter(community=council.community, title=MARK)
    }
    meeting = council.meetings.get()
    votes = {v.status: v for v in meeting.votes.all()}
    passed = topics["passed"]
    task = passed.tasks.get()
    collection = Collection.objects.get(community=council.community, title=MARK)
    return {
        "collection": collection,
        "suggestion": collection.suggestions.get(),
        "photo": SuggestionPhoto.objects.get(suggestion__collection=collection),
        "topic": topics["proposed"],
        "accepted": topics["accepted"],
        "scheduled": topics["scheduled"],
        "passed": passed,
        "notice": topics["publicised"],
        "council": council,
        "seat": council.seats.get(party="committee"),
        "meeting": meeting,
        "vote": votes["draft"],
        "open_vote": votes["open"],
        "task": task,
        "milestone": task.milestones.get(),
        "objection": Objection.objects.get(topic=topics["publicised"]),
        "person": _person_in(council.community, 1),
    }


def _named(key):
    def at(area) -> int:
        if area.kind != Kind.COMMUNITY:
            return 0
        return _scene(area)[key].pk

    return at


def _resident():
    return user_find_by_phone(phone=RESIDENT_PHONE).person


def _mine(key):
    """For the demo resident's household: her community's scene (her seat
    present at its meeting, where ``key`` is the vote)."""

    def at(area) -> int:
        if area.kind != Kind.HOUSEHOLD:
            return 0
        scene = _scene(community_of(area))
        if key == "vote":
            council = scene["council"]
            seat, _made = Seat.objects.get_or_create(
                council=council,
                person=_resident(),
                defaults={"party": "residents", "starts_on": timezone.localdate()},
            )
            Presence.objects.get_or_create(
                meeting=scene["meeting"], seat=seat, defaults={"method": "hand"}
            )
            return scene["open_vote"].pk
        return scene[key].pk

    return at


PLACE_NAMES = {
    **{
        f"c_{key}": _named(key)
        for key in (
            "collection",
            "photo",
            "topic",
            "accepted",
            "scheduled",
            "passed",
            "council",
            "seat",
            "meeting",
            "vote",
            "open_vote",
            "task",
            "milestone",
            "objection",
            "person",
        )
    },
    "my_collection": on_use(_mine("collection")),
    "my_suggestion": on_use(_mine("suggestion")),
    "my_photo": on_use(_mine("photo")),
    "my_meeting": on_use(_mine("meeting")),
    "my_vote": on_use(_mine("vote")),
    "my_notice": on_use(_mine("notice")),
}


def web(name, url, needs=VIEW, method="GET", **kwargs):
    places = kwargs.pop("places", COMMUNITIES)
    return Row(f"councils: {name}", method, url, needs=needs, places=places, **kwargs)


def api(name, method, url, needs=VIEW, **kwargs):
    kwargs.setdefault("seen", 403)
    kwargs.setdefault("places", COMMUNITIES)
    return Row(
        f"councils api: {name}", method, A + url, api=True, needs=needs, **kwargs
    )


def mine(name, method, url, **kwargs):
    kwargs.setdefault("places", "household")
    return Row(f"councils: my {name}", method, url, needs=MINE, **kwargs)


M = W + "/meetings/{c_meeting}/"
FUTURE = "2031-03-03T09:00:00+08:00"

ROWS = [
    # The workbench
    Row("councils: desk", "GET", W + "/", needs="anywhere:council.view"),
    Row(
        "councils: new collection page",
        "GET",
        W + "/collections/new/",
        needs="anywhere:council.manage",
    ),
    # A refused date re-renders the form; the place is in the body, so
    # only a place of the login's own is tried.
    web(
        "new collection post (a bad date)",
        W + "/collections/new/",
        MANAGE,
        "POST",
        places="community",
        body={"area": "{area}", "title": MARK, "opens_on": "bad"},
    ),
    Row(
        "councils: topic from requests page",
        "GET",
        W + "/topics/new/",
        needs="anywhere:council.manage",
    ),
    Row(
        "councils: new council page",
        "GET",
        W + "/councils/new/",
        needs="anywhere:council.manage",
    ),
    web("collection", W + "/collections/{c_collection}/"),
    web(
        "open a topic from suggestions (none chosen: the page again)",
        W + "/collections/{c_collection}/",
        MANAGE,
        "POST",
        body={"suggestions": "0", "title": MARK},
    ),
    web("topic", W + "/topics/{c_topic}/"),
    web(
        "accept a topic",
        W + "/topics/{c_topic}/act/",
        MANAGE,
        "POST",
        ok=302,
        body={"action": "accept"},
    ),
    web("council", W + "/councils/{c_council}/"),
    web(
        "add a seat",
        W + "/councils/{c_council}/",
        MANAGE,
        "POST",
        ok=302,
        body={
            "action": "seat",
            "person": "{c_person}",
            "party": "owners",
            "starts_on": "2026-01-01",
        },
    ),
    web("chair's page", M),
    web("live quorum and tally", M + "live/"),
    web(
        "mark a seat present",
        M + "act/",
        MANAGE,
        "POST",
        ok=302,
        body={"action": "present", "seat": "{c_seat}"},
    ),
    web("check-in code", M + "code/", MANAGE),
    web("printable notice", M + "notice/"),
    web("printable minutes", M + "minutes/"),
    web("a suggestion's photo", W + "/photos/suggestion/{c_photo}/"),
    # The resident's phone
    Row("councils: my councils", "GET", P + "/", needs="login"),
    mine("collection", "GET", P + "/collections/{my_collection}/"),
    mine(
        "suggestion",
        "POST",
        P + "/collections/{my_collection}/",
        ok=302,
        body={"text": MARK},
    ),
    mine("support", "POST", P + "/suggestions/{my_suggestion}/support/", ok=302),
    mine("suggestion photo", "GET", P + "/photos/{my_photo}/"),
    mine("meeting", "GET", P + "/meetings/{my_meeting}/"),
    mine(
        "minutes comment",
        "POST",
        P + "/meetings/{my_meeting}/",
        ok=302,
        body={"text": MARK},
    ),
    mine("check-in", "GET", P + "/meetings/{my_meeting}/scan/?c=x"),
    mine("vote page", "GET", P + "/votes/{my_vote}/"),
    mine("ballot", "POST", P + "/votes/{my_vote}/", ok=302, body={"choice": "yes"}),
    # The API: a resident's own
    Row("councils api: my councils", "GET", A + "/me", api=True, needs=MINE),
    mine(
        "api suggestion",
        "POST",
        A + "/me/collections/{my_collection}/suggestions",
        api=True,
        ok=201,
        multipart=True,
        body={"text": MARK},
    ),
    mine(
        "api support", "POST", A + "/me/suggestions/{my_suggestion}/support", api=True
    ),
    mine(
        "api check-in (a wrong code)",
        "POST",
        A + "/me/meetings/{my_meeting}/check-in",
        api=True,
        ok=400,
        body={"code": "x"},
    ),
    mine(
        "api ballot",
        "POST",
        A + "/me/votes/{my_vote}/ballot",
        api=True,
        ok=201,
        body={"choice": "yes"},
    ),
    mine(
        "api minutes comment (none open)",
        "POST",
        A + "/me/meetings/{my_meeting}/minutes/comments",
        api=True,
        ok=409,
        body={"text": MARK},
    ),
    mine(
        "api objection",
        "POST",
        A + "/me/topics/{my_notice}/objections",
        api=True,
        ok=201,
        body={"text": MARK},
    ),
    # The API: staff
    Row(
        "councils api: collections", "GET", A + "/collections", api=True, needs="login"
    ),
    api(
        "open a collection",
        "POST",
        "/collections",
        MANAGE,
        ok=201,
        outside=400,
        body={
            "area_id": "{area}",
            "title": MARK,
            "opens_on": "2031-01-01",
            "closes_on": "2031-01-31",
        },
    ),
    api("a collection's suggestions", "GET", "/collections/{c_collection}/suggestions"),
    Row("councils api: topics", "GET", A + "/topics", api=True, needs="login"),
    api(
        "open a topic",
        "POST",
        "/topics",
        MANAGE,
        ok=201,
        body={"community_id": "{area}", "title": MARK},
    ),
    api("a topic", "GET", "/topics/{c_topic}"),
    api(
        "a topic's step",
        "POST",
        "/topics/{c_topic}/step",
        MANAGE,
        body={"action": "accept"},
    ),
    Row("councils api: councils", "GET", A + "/councils", api=True, needs="login"),
    api(
        "set up a council",
        "POST",
        "/councils",
        MANAGE,
        ok=201,
        body={"area_id": "{area}", "name": MARK},
    ),
    api("a council", "GET", "/councils/{c_council}"),
    api(
        "add a seat",
        "POST",
        "/councils/{c_council}/seats",
        MANAGE,
        ok=201,
        body={"person_id": "{c_person}", "party": "owners", "starts_on": "2026-01-01"},
    ),
    api(
        "plan a meeting",
        "POST",
        "/councils/{c_council}/meetings",
        MANAGE,
        ok=201,
        body={"title": MARK, "place": MARK, "starts_at": FUTURE},
    ),
    api("a meeting", "GET", "/meetings/{c_meeting}"),
    api(
        "a meeting's step",
        "POST",
        "/meetings/{c_meeting}/step",
        MANAGE,
        body={"action": "close"},
    ),
    api(
        "the agenda",
        "POST",
        "/meetings/{c_meeting}/agenda",
        MANAGE,
        body={"topic_id": "{c_accepted}"},
    ),
    api(
        "mark present",
        "POST",
        "/meetings/{c_meeting}/presence",
        MANAGE,
        body={"seat_id": "{c_seat}"},
    ),
    api("check-in code", "GET", "/meetings/{c_meeting}/code", MANAGE),
    api(
        "defer a topic",
        "POST",
        "/meetings/{c_meeting}/decide",
        MANAGE,
        body={"topic_id": "{c_scheduled}", "outcome": "deferred"},
    ),
    api(
        "prepare a vote (one is prepared)",
        "POST",
        "/meetings/{c_meeting}/votes",
        MANAGE,
        ok=400,
        body={"topic_id": "{c_scheduled}"},
    ),
    api(
        "prepare an owners' vote (one is prepared)",
        "POST",
        "/meetings/{c_meeting}/owners-votes",
        MANAGE,
        ok=400,
        body={"topic_id": "{c_scheduled}"},
    ),
    api(
        "a paper ballot (no photo)",
        "POST",
        "/votes/{c_open_vote}/paper-ballots",
        MANAGE,
        ok=400,
        multipart=True,
        body={"household_id": "1", "choice": "yes"},
    ),
    api("a vote", "GET", "/votes/{c_vote}"),
    api("open a vote (no quorum)", "POST", "/votes/{c_vote}/open", MANAGE, ok=409),
    api("close a vote", "POST", "/votes/{c_open_vote}/close", MANAGE),
    api(
        "a hand ballot (not present)",
        "POST",
        "/votes/{c_open_vote}/ballots",
        MANAGE,
        ok=400,
        body={"choice": "yes", "seat_id": "{c_seat}"},
    ),
    api("minutes", "GET", "/meetings/{c_meeting}/minutes"),
    api(
        "save minutes",
        "PUT",
        "/meetings/{c_meeting}/minutes",
        MANAGE,
        body={"text": MARK},
    ),
    api(
        "minutes round (in session)",
        "POST",
        "/meetings/{c_meeting}/minutes/comments-open",
        MANAGE,
        ok=409,
    ),
    api(
        "finalise minutes (not round)",
        "POST",
        "/meetings/{c_meeting}/minutes/finalise",
        MANAGE,
        ok=409,
    ),
    api("tasks", "GET", "/topics/{c_passed}/tasks"),
    api(
        "hand a task (nobody to hand to)",
        "POST",
        "/topics/{c_passed}/tasks",
        MANAGE,
        ok=400,
        body={"title": MARK, "category_id": 0, "to": "team:0"},
    ),
    api(
        "a milestone",
        "POST",
        "/tasks/{c_task}/milestones",
        MANAGE,
        ok=201,
        body={"title": MARK},
    ),
    api("a milestone reached", "POST", "/milestones/{c_milestone}/done", MANAGE),
    api("the budget", "GET", "/topics/{c_passed}/budget"),
    api(
        "set the budget",
        "PUT",
        "/topics/{c_passed}/budget",
        MANAGE,
        body={"source": MARK, "approved": "2000"},
    ),
    api(
        "an expense (no receipt)",
        "POST",
        "/topics/{c_passed}/expenses",
        MANAGE,
        ok=400,
        multipart=True,
        body={"amount": "10", "note": MARK, "spent_on": "2026-12-01"},
    ),
    Row("councils api: objections", "GET", A + "/objections", api=True, needs="login"),
    api(
        "answer an objection",
        "POST",
        "/objections/{c_objection}/answer",
        MANAGE,
        body={"answer": MARK},
    ),
]
