"""三盛里's 家门口议事会: five parties at the table and two invited guests,
the residents of 航院小区 sending suggestions, a meeting in session."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import user_create
from gongzhi.councils.models import Party
from gongzhi.councils.services import meetings, suggestions, topics
from gongzhi.points.tests.conftest import make_person
from gongzhi.requests.tests.conftest import photo, world  # noqa: F401

PASSWORD = "Council#2026x"


def resident(phone: str, name: str, household):
    """A resident with a login, living in ``household``."""
    person = make_person(household, name)
    user = user_create(phone=phone, name=name, password=PASSWORD, by=None)
    Grant.objects.create(user=user, area=household, role=Role.RESIDENT)
    person.user = user
    person.save()
    return person


@pytest.fixture
def hall(world):  # noqa: F811
    """The council of 三盛里 (2/3 of voting seats and one of each party;
    a majority of votes cast; named ballots, results hidden until
    closed), its seven voting seats and two guests, each seat holder with
    a login; a topic accepted and a meeting in session an hour ago."""
    now = timezone.now()
    areas, staff = world.areas, world.staff
    council = meetings.council_create(
        area=world.community, name="三盛里家门口议事会", by=staff
    )
    households = [areas["household"], areas["neighbour_household"]]
    holders = {
        "party": world.zhou,
        "committee": resident("13900000101", "王主任", households[1]),
        "owners": resident("13900000102", "业委会李", households[1]),
        "property": resident("13900000103", "物业张经理", households[1]),
        "unit": resident("13900000104", "民航大学赵老师", households[1]),
        "residents": resident("13900000105", "居民代表孙", households[1]),
        "residents2": resident("13900000106", "居民代表钱", households[1]),
        "deputy": resident("13900000107", "人大代表周", households[1]),
        "expert": resident("13900000108", "律师吴", households[1]),
    }
    start = timezone.localdate(now) - dt.timedelta(days=60)
    seats = {
        key: meetings.seat_add(
            council=council,
            person=person,
            party=key.rstrip("2"),
            starts_on=start,
            by=staff,
        )
        for key, person in holders.items()
    }
    topic = topics.topic_open(
        community=world.community,
        area=areas["estate"],
        title="航院小区物业费调整",
        interested=[Party.PROPERTY],
        by=staff,
    )
    topics.topic_step(topic=topic, action="accept", by=staff)
    earlier = now - dt.timedelta(days=10)
    meeting = meetings.meeting_plan(
        council=council,
        title="十一月议事会",
        place="三盛里党群服务中心",
        starts_at=now - dt.timedelta(hours=1),
        by=staff,
        now=earlier,
    )
    meetings.agenda_add(meeting=meeting, topic=topic, by=staff, now=earlier)
    meetings.meeting_step(meeting=meeting, action="publish", by=staff, now=earlier)
    meeting = meetings.meeting_step(meeting=meeting, action="open", by=staff)
    return SimpleNamespace(
        world=world,
        council=council,
        seats=seats,
        holders=holders,
        topic=topic,
        meeting=meeting,
        staff=staff,
        now=now,
    )


def present(hall, *keys):
    for key in keys:
        meetings.meeting_mark_present(
            meeting=hall.meeting, seat=hall.seats[key], by=hall.staff
        )


VOTING = ("party", "committee", "owners", "property", "unit", "residents", "residents2")


@pytest.fixture
def collection(world):  # noqa: F811
    """航院小区改造建议征集, open this month for the estate."""
    today = timezone.localdate()
    return suggestions.collection_create(
        area=world.areas["estate"],
        title="航院小区改造建议征集",
        opens_on=today - dt.timedelta(days=3),
        closes_on=today + dt.timedelta(days=27),
        by=world.staff,
    )


__all__ = ["photo"]
