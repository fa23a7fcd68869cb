from types import SimpleNamespace

import pytest

from gongzhi.points.models import AccountKind
from gongzhi.points.services.ledger import account_open
from gongzhi.points.services.shop import goods_create
from gongzhi.points.tests.factories import resident_funded
from gongzhi.residents.models import Person


def make_person(household, name):
    from gongzhi.residents.models import Gender, Person

    return Person.objects.create(
        name=name,
        initials="",
        gender=Gender.FEMALE,
        household=household,
        last_household=household,
    )


@pytest.fixture
def ledger(areas, users):
    """三盛里's issuing and sink accounts and two residents' accounts."""
    community = areas["community"]
    household = areas["household"]
    people = [make_person(household, "周桂兰"), make_person(household, "刘振华")]
    return SimpleNamespace(
        community=community,
        household=household,
        staff=users["staff"],
        issuing=account_open(kind=AccountKind.ISSUING, community=community),
        redeemed=account_open(kind=AccountKind.REDEEMED, community=community),
        expired=account_open(kind=AccountKind.EXPIRED, community=community),
        zhou=account_open(
            kind=AccountKind.PERSON, community=community, person=people[0]
        ),
        liu=account_open(
            kind=AccountKind.PERSON, community=community, person=people[1]
        ),
        people=people,
    )


@pytest.fixture
def shop(demo_people, areas, users):
    """周桂兰 (the demo resident) with 100 points and 三盛里's shelf."""
    community = areas["community"]
    person = Person.objects.get(user=users["resident"])
    account = resident_funded(person, community, 100, "志愿服务 10 小时")
    oil = goods_create(community=community, name="食用油", price=30, stock=5, by=None)
    return {"person": person, "account": account, "oil": oil, "community": community}
