import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from gongzhi.points.tests.conftest import make_person
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import ActivityType, PlaceKind, TeamType
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.teams import team_create

BEIJING = ZoneInfo("Asia/Shanghai")
# Published the day before: the session runs 09:00–11:00 on 2026-12-05.
PUBLISHED = dt.datetime(2026, 12, 4, 10, 0, tzinfo=BEIJING)
STARTS = dt.datetime(2026, 12, 5, 9, 0, tzinfo=BEIJING)
ENDS = dt.datetime(2026, 12, 5, 11, 0, tzinfo=BEIJING)


def at(hour: int, minute: int = 0, day: int = 5) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=BEIJING)


@pytest.fixture
def event(demo_people, areas, users):
    """三盛里's 义诊 on 5 December, 09:00–11:00, three places, 2 points an
    hour, run by the 助老服务队 whose leader is 刘振华; 周桂兰 (the demo
    resident) and four neighbours who may take part."""
    community = areas["community"]
    leader = make_person(areas["household"], "刘振华")
    team = team_create(
        area=community,
        name="助老服务队",
        kind=TeamType.ELDERLY,
        leader=leader,
        by=users["staff"],
    )
    activity = activity_create(
        community=community,
        title="义诊进社区",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="三盛里党群服务中心",
        starts_at=STARTS,
        ends_at=ENDS,
        capacity=3,
        signup_closes_hours=12,
        points_per_hour=2,
        team=team,
        by=users["staff"],
        now=PUBLISHED,
    )
    neighbours = [
        make_person(areas["neighbour_household"], name)
        for name in ("王建国", "李秀英", "张伟", "陈静")
    ]
    return SimpleNamespace(
        community=community,
        team=team,
        leader=leader,
        activity=activity,
        occurrence=activity.occurrences.get(),
        zhou=Person.objects.get(user=users["resident"]),
        neighbours=neighbours,
        staff=users["staff"],
    )
