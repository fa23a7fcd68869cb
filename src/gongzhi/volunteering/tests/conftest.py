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


def png(name: str = "photo.png", size: int = 8):
    """A real (tiny) PNG upload."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (size, size), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def not_image(name: str = "notice.png"):
    """A file that calls itself a PNG and is not one."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"not a picture", content_type="image/png")


def english(client):
    """Pages in English from now on, as after switching language: new
    labels read the same before and after they are translated."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def units(areas):
    """Organizations: a co-building unit and the property company of
    三盛里 (the latter at its estate), a retired unit of 三盛里 and a unit of
    裕华园."""
    from gongzhi.orgs.models import Organization, OrgKind

    def make(area, kind, name, active=True):
        return Organization.objects.create(
            area=area, kind=kind, name=name, active=active
        )

    return SimpleNamespace(
        hospital=make(areas["community"], OrgKind.CO_BUILDING, "区人民医院"),
        property=make(areas["estate"], OrgKind.PROPERTY, "航院物业"),
        retired=make(areas["community"], OrgKind.CO_BUILDING, "老供电所", active=False),
        elsewhere=make(areas["other_community"], OrgKind.CO_BUILDING, "裕华中学"),
    )
