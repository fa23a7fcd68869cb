import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.services import user_create
from gongzhi.points.tests.conftest import make_person
from gongzhi.selections.services.kinds import kinds_ensure
from gongzhi.selections.services.running import selection_create


def voter(household, name, phone):
    """A registered resident of ``household`` with a login of her own."""
    person = make_person(household, name)
    user = user_create(phone=phone, name=name, password="Voter#2026-ok", by=None)
    Grant.objects.create(user=user, area=household, role="resident")
    person.user = user
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def world(areas, users):
    """三盛里's 好人榜 of the year taking nominations, voting next week;
    周桂兰 (the demo resident) and her neighbour 王秀梅 live in 航院小区
    1号楼; 李春来 lives in 裕华园, outside it."""
    community = areas["community"]
    kinds = {k.code: k for k in kinds_ensure(areas["street"])}
    zhou = make_person(areas["household"], "周桂兰")
    zhou.user = users["resident"]
    zhou.save(update_fields=["user"])
    wang = make_person(areas["neighbour_household"], "王秀梅")
    outsider = make_person(areas["other_household"], "李春来")
    now = timezone.now()
    selection = selection_create(
        kind=kinds["good_people"],
        area=community,
        title="三盛里社区2026年身边好人",
        year=2026,
        vote_opens=now - dt.timedelta(hours=1),
        vote_closes=now + dt.timedelta(days=7),
        by=users["staff"],
        seats=1,
        per_category=2,
        per_ballot=2,
        points=20,
        committee=[users["staff"], users["secretary"]],
    )
    return SimpleNamespace(
        community=community,
        kinds=kinds,
        zhou=zhou,
        wang=wang,
        outsider=outsider,
        selection=selection,
        staff=users["staff"],
        secretary=users["secretary"],
        resident=users["resident"],
        now=now,
    )
