"""The seeded year of points: posted through the services, dated over the
year, reconciling, and leaving the demo resident a balance, a history and
orders to pick up."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.areas.models import Area, Kind
from gongzhi.points.models import (
    Account,
    Award,
    AwardStatus,
    EarningItem,
    Goods,
    Order,
    OrderStatus,
    Transfer,
    TransferKind,
)
from gongzhi.points.selectors import ledger_problems
from gongzhi.residents.models import Person
from gongzhi.seeding import bulk
from gongzhi.seeding.people import seed_people
from gongzhi.seeding.points import seed_demo_points, seed_scale_points

from .test_bulk import TINY

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 30))
DAYS = 150
MOST = 25


@pytest.fixture
def demo_points(demo_people):
    """Five months of points on the demo street, 25 residents earning
    in each community: enough to see every path, quick to post."""
    return seed_demo_points(now=NOW, days=DAYS, most=MOST)


def test_the_seeded_year_reconciles_and_shows_every_path(demo_points, users):
    """One test over one seeding (it takes seconds): the ledger reconciles;
    each community has its catalog, shelf and history; every order and
    award went the ways they go; everything is dated within the period;
    the demo resident has a balance, a history and pickup codes."""
    out = StringIO()
    call_command("reconcile", stdout=out, stderr=StringIO())
    assert "Ledger reconciles" in out.getvalue()
    assert ledger_problems() == []
    assert demo_points.transfers == Transfer.objects.count()

    communities = Area.objects.filter(kind=Kind.COMMUNITY)
    assert communities.count() == 3
    for community in communities:
        deeds = set(
            EarningItem.objects.filter(community=community).values_list(
                "name", flat=True
            )
        )
        assert {"垃圾分类", "文明养犬", "楼道清理", "见义勇为", "志愿服务"} <= deeds
        shelf = " ".join(
            Goods.objects.filter(community=community).values_list("name", flat=True)
        )
        for name in ("大米", "食用油", "洗衣液", "抽纸", "酱油", "鸡蛋"):
            assert name in shelf
        kinds = set(
            Transfer.objects.filter(area=community).values_list("kind", flat=True)
        )
        assert {TransferKind.EARN, TransferKind.REDEEM} <= kinds
        # Large awards wait for a second person on the secretary's list.
        pending = Award.objects.filter(community=community, status=AwardStatus.PENDING)
        assert pending.exists()
        roles = set(
            Grant.objects.filter(area=community, revoked_at=None).values_list(
                "role", flat=True
            )
        )
        assert {Role.SECRETARY, Role.STAFF} <= roles

    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == {
        OrderStatus.PLACED,
        OrderStatus.HANDED_OVER,
        OrderStatus.CANCELLED,
    }
    assert Transfer.objects.filter(kind=TransferKind.REFUND).exists()
    decided = Award.objects.filter(status=AwardStatus.PAID, decided_by__isnull=False)
    assert decided.exists()
    for award in decided:
        assert award.decided_by_id != award.requested_by_id
        assert award.transfer.created_at == award.decided_at

    start = NOW - dt.timedelta(days=DAYS)
    dates = Transfer.objects.values_list("created_at", flat=True)
    assert all(start <= when <= NOW for when in dates)
    assert min(dates) < start + dt.timedelta(days=10)
    assert max(dates) > NOW - dt.timedelta(days=3)
    for order in Order.objects.exclude(status=OrderStatus.PLACED):
        assert order.placed_at <= order.closed_at <= NOW
        assert order.transfer.created_at == order.placed_at

    person = Person.objects.get(user=users["resident"])
    account = Account.objects.get(person=person)
    assert account.balance > 0
    assert account.entries.count() >= 3
    waiting = account.orders.filter(status=OrderStatus.PLACED)
    assert waiting.count() == 2
    assert all(order.pickup_by > NOW for order in waiting)
    assert all(len(order.code) == 6 for order in waiting)


def test_seeding_again_adds_nothing(demo_points):
    transfers = Transfer.objects.count()
    assert seed_demo_points(now=NOW, days=DAYS, most=MOST) is None
    assert Transfer.objects.count() == transfers


@pytest.mark.django_db
def test_a_sample_of_a_scale_seed_gets_its_year_too():
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    seed_people(root=root, stdout=StringIO())
    out = StringIO()

    tally = seed_scale_points(root=root, communities=1, now=NOW, days=30, stdout=out)

    assert tally.transfers > 0
    assert "transfers/s" in out.getvalue()
    seeded = EarningItem.objects.values("community").distinct().count()
    assert seeded == 1
    assert ledger_problems() == []
    again = StringIO()
    seed_scale_points(root=root, communities=1, now=NOW, days=30, stdout=again)
    assert "seeded already" in again.getvalue()
