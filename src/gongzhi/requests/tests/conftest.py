import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import user_create
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.points.tests.conftest import make_person
from gongzhi.requests import services
from gongzhi.requests.models import DispatchMode
from gongzhi.requests.states import Urgency
from gongzhi.volunteering.models import Team, TeamType

BEIJING = ZoneInfo("Asia/Shanghai")
# 23 November 2026, 09:00 in Tianjin: the clock every story starts from.
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=BEIJING)


def hours(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def photo(name="wall.png", size=(8, 8), fmt="PNG") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def unit_user(phone: str, name: str, area) -> object:
    user = user_create(phone=phone, name=name, password="Unit#2026x", by=None)
    Grant.objects.create(user=user, area=area, role=Role.UNIT)
    return user


@pytest.fixture
def world(areas, users):
    """三盛里's request desk: 周桂兰 (the demo resident) and her record;
    two repair teams (维修服务队 worked by the demo unit login 孙志强,
    水电服务队 by 钱多多); 航院小区's property company (worked by 物业小李);
    the street's 水务办 (worked by 水务小王); a category 墙体维修 staff
    assign, with both teams for pool or rotation, 急 with 2 and 24 hours;
    and 路灯 normal, 24 and 72 hours."""
    community, street = areas["community"], areas["street"]
    zhou = make_person(areas["household"], "周桂兰")
    zhou.user = users["resident"]
    zhou.save()
    neighbour = make_person(areas["neighbour_household"], "王建国")
    other = make_person(areas["other_household"], "李秀英")
    qian = unit_user("13900000021", "钱多多", community)
    wuye = unit_user("13900000022", "物业小李", community)
    shuiwu = unit_user("13900000023", "水务小王", street)
    team_a = Team.objects.create(
        name="维修服务队", kind=TeamType.REPAIR, area=community
    )
    team_b = Team.objects.create(
        name="水电服务队", kind=TeamType.REPAIR, area=community
    )
    other_team = Team.objects.create(
        name="裕华园服务队", kind=TeamType.REPAIR, area=areas["other_community"]
    )
    company = Organization.objects.create(
        kind=OrgKind.PROPERTY, name="航院物业", area=areas["estate"]
    )
    staff, street_manager = users["staff"], users["street_manager"]
    department = services.department_create(
        street=street, name="水务办", by=street_manager
    )
    handlers = {
        "a": services.handler_add(user=users["unit"], to=team_a, by=staff),
        "b": services.handler_add(user=qian, to=team_b, by=staff),
        "company": services.handler_add(user=wuye, to=company, by=staff),
        "department": services.handler_add(
            user=shuiwu, to=department, by=street_manager
        ),
    }
    wall = services.category_create(
        area=community,
        code="wall",
        name="墙体维修",
        urgency=Urgency.URGENT,
        response_hours=2,
        resolve_hours=24,
        teams=[team_a, team_b],
        by=users["secretary"],
    )
    light = services.category_create(
        area=street,
        code="streetlight",
        name="路灯",
        response_hours=24,
        resolve_hours=72,
        by=street_manager,
    )
    return SimpleNamespace(
        community=community,
        street=street,
        zhou=zhou,
        neighbour=neighbour,
        other=other,
        resident=users["resident"],
        staff=staff,
        secretary=users["secretary"],
        street_manager=street_manager,
        grid_worker=users["grid_worker"],
        a=users["unit"],
        b=qian,
        wuye=wuye,
        shuiwu=shuiwu,
        team_a=team_a,
        team_b=team_b,
        other_team=other_team,
        company=company,
        department=department,
        handlers=handlers,
        wall=wall,
        light=light,
        areas=areas,
        users=users,
    )


def raise_wall(world, *, now=T0, category=None, **kwargs):
    """周桂兰 reports the leaning wall of 航院小区 1号楼 on her phone."""
    fields = {
        "category": category or world.wall,
        "area": world.areas["building"],
        "description": "大理道20号围墙倾斜",
        "by": world.resident,
        "reporter": world.zhou,
        "now": now,
    }
    fields.update(kwargs)
    return services.request_raise(**fields)


@pytest.fixture
def pool_category(world):
    return services.category_create(
        area=world.community,
        code="repair",
        name="家电维修",
        response_hours=4,
        resolve_hours=48,
        dispatch_mode=DispatchMode.POOL,
        teams=[world.team_a, world.team_b],
        by=world.secretary,
    )


@pytest.fixture
def rotation_category(world):
    return services.category_create(
        area=world.community,
        code="pipes",
        name="管道维修",
        response_hours=4,
        resolve_hours=48,
        dispatch_mode=DispatchMode.ROTATION,
        teams=[world.team_a, world.team_b],
        by=world.secretary,
    )
