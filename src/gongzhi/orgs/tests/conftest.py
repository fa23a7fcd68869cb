import datetime as dt
import secrets
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from gongzhi.orgs.models import OrgKind
from gongzhi.orgs.services.organizations import org_create
from gongzhi.points.tests.conftest import make_person
from gongzhi.residents.models import Person

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def zhou(demo_people, users):
    """周桂兰, the demo resident of 三盛里 航院小区 1号楼 101."""
    return Person.objects.get(user=users["resident"])


@pytest.fixture
def chain_orgs(areas, users):
    """三盛里's Party committee and 航院小区's branch, homeowners'
    committee and property company, recorded by the community's staff."""
    staff = users["staff"]
    committee = org_create(
        area=areas["community"],
        kind=OrgKind.PARTY_COMMITTEE,
        name="三盛里社区大党委",
        contact_name="张丽华",
        contact_phone="13800000003",
        by=staff,
    )
    return SimpleNamespace(
        committee=committee,
        branch=org_create(
            area=areas["estate"],
            kind=OrgKind.PARTY_BRANCH,
            name="航院小区党支部",
            parent=committee,
            by=staff,
        ),
        owners=org_create(
            area=areas["estate"],
            kind=OrgKind.OWNERS_COMMITTEE,
            name="航院小区业委会",
            by=staff,
        ),
        property=org_create(
            area=areas["estate"],
            kind=OrgKind.PROPERTY,
            name="华泰物业",
            contact_name="钱经理",
            contact_phone="022-23456789",
            by=staff,
        ),
    )


@pytest.fixture
def unit(areas, users):
    return org_create(
        area=areas["community"],
        kind=OrgKind.CO_BUILDING,
        name="和平区教育局",
        contact_name="孙志强",
        contact_phone="13800000008",
        by=users["staff"],
    )


def served(person, community, hours: str, *, day: dt.date) -> None:
    """Record that ``person`` served ``hours`` at a session on ``day``."""
    from gongzhi.volunteering.models import Activity, Attendance, Occurrence

    starts = dt.datetime.combine(day, dt.time(9), tzinfo=BEIJING)
    activity = Activity.objects.create(
        title="楼道清理",
        kind="service",
        community=community,
        place_kind="address",
        place="航院小区1号楼",
    )
    occurrence = Occurrence.objects.create(
        activity=activity,
        community=community,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        secret=secrets.token_hex(32),
    )
    Attendance.objects.create(
        occurrence=occurrence,
        person=person,
        checked_in_at=starts,
        checked_out_at=starts + dt.timedelta(hours=3),
        hours=Decimal(hours),
    )


__all__ = ["make_person", "served"]
