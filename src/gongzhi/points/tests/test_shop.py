import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.idempotency import IdempotencyConflict
from gongzhi.points.models import (
    Account,
    AccountKind,
    Goods,
    LimitPeriod,
    Order,
    OrderStatus,
    StockMove,
    Transfer,
    TransferKind,
)
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.ledger import (
    InsufficientPoints,
    Leg,
    account_open,
    sink_for,
    transfer_create,
)
from gongzhi.points.services.shop import (
    LimitReached,
    OutOfStock,
    goods_create,
    goods_restock,
    order_cancel,
    order_hand_over,
    order_place,
    orders_cancel_unclaimed,
    period_start,
)

NOW = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))  # a Wednesday


def balance(account):
    return Account.objects.get(pk=account.pk).balance


def fund(ledger, account, key="seed-earn"):
    """100 points for 5 hours of service."""
    transfer_create(
        kind=TransferKind.EARN,
        area=ledger.community,
        legs=[Leg(ledger.issuing, -100), Leg(account, 100)],
        by=ledger.staff,
        reason="志愿服务 5 小时",
        idempotency_key=key,
    )


@pytest.fixture
def shop(ledger):
    fund(ledger, ledger.zhou)
    ledger.oil = goods_create(
        community=ledger.community, name="食用油", price=30, stock=3, by=ledger.staff
    )
    ledger.eggs = goods_create(
        community=ledger.community,
        name="鸡蛋",
        price=10,
        stock=50,
        limit=2,
        limit_period=LimitPeriod.WEEK,
        by=ledger.staff,
    )
    return ledger


def place(shop, goods, quantity=1, key="o1", now=NOW, account=None):
    return order_place(
        account=account or shop.zhou,
        goods=goods,
        quantity=quantity,
        by=shop.staff,
        idempotency_key=key,
        now=now,
    )


def test_redeeming_takes_the_points_and_the_stock_and_gives_a_code(shop):
    order = place(shop, shop.oil, 2)
    assert order.status == OrderStatus.PLACED
    assert order.points == 60
    assert len(order.code) == 6 and order.code.isdigit()
    assert order.pickup_by == NOW + dt.timedelta(days=7)
    assert balance(shop.zhou) == 40
    sink = sink_for(shop.zhou, shop.community)
    assert sink.kind == AccountKind.REDEEMED and sink.shard == shop.zhou.pk % 8
    assert balance(sink) == 60
    assert Goods.objects.get(pk=shop.oil.pk).stock == 1
    assert ledger_problems() == []


def test_orders_spread_over_the_sinks_and_a_refund_leaves_the_one_it_entered(shop):
    """Two residents pay into two of the community's redeemed-points
    shards, so their orders never wait for one row; cancelling takes the
    points back out of the shard they went into, and the community's
    redeemed total is the sum of its shards."""
    other = shop.liu
    assert shop.zhou.pk % 8 != other.pk % 8
    fund(shop, other, key="seed-earn-liu")
    mine, theirs = place(shop, shop.oil), place(shop, shop.oil, key="o2", account=other)
    sinks = Account.objects.filter(kind=AccountKind.REDEEMED, area=shop.community)
    assert {s.shard: s.balance for s in sinks if s.balance} == {
        shop.zhou.pk % 8: 30,
        other.pk % 8: 30,
    }
    order_cancel(order=theirs, by=shop.staff, reason="居民不要了", now=NOW)
    assert balance(sink_for(other, shop.community)) == 0
    assert balance(sink_for(shop.zhou, shop.community)) == 30
    assert balance(other) == 100 and mine.status == OrderStatus.PLACED
    assert Goods.objects.get(pk=shop.oil.pk).stock == 2
    assert ledger_problems() == []


def test_a_double_click_places_one_order(shop):
    first = place(shop, shop.oil, key="tap")
    second = place(shop, shop.oil, key="tap")
    assert second.pk == first.pk and second.replayed
    assert Order.objects.count() == 1
    assert balance(shop.zhou) == 70
    with pytest.raises(IdempotencyConflict):
        place(shop, shop.oil, 2, key="tap")


def test_more_than_the_stock_is_refused_and_changes_nothing(shop):
    with pytest.raises(OutOfStock) as caught:
        place(shop, shop.oil, 4)
    assert caught.value.field == "quantity"
    assert str(caught.value.message) == "仅剩 3 件。"
    assert balance(shop.zhou) == 100
    assert Goods.objects.get(pk=shop.oil.pk).stock == 3
    assert not Order.objects.exists()


def test_more_than_the_balance_is_refused_and_keeps_the_stock(shop):
    with pytest.raises(InsufficientPoints):
        place(shop, shop.oil, 3, account=shop.liu)
    assert Goods.objects.get(pk=shop.oil.pk).stock == 3
    assert not Order.objects.exists()
    assert not Transfer.objects.filter(kind=TransferKind.REDEEM).exists()


def test_the_per_person_limit_counts_the_current_week(shop):
    place(shop, shop.eggs, 2, key="mon")
    with pytest.raises(LimitReached) as caught:
        place(shop, shop.eggs, 1, key="again")
    assert caught.value.field == "quantity"
    assert "2" in str(caught.value.message)
    # Next Monday the week starts again.
    place(shop, shop.eggs, 2, key="next", now=NOW + dt.timedelta(days=5))
    assert balance(shop.zhou) == 60


def test_a_cancelled_order_does_not_count_towards_the_limit(shop):
    order = place(shop, shop.eggs, 2, key="a")
    order_cancel(order=order, by=shop.staff, reason="居民不要了", now=NOW)
    place(shop, shop.eggs, 2, key="b")


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True, "2"])
def test_quantities_are_whole_and_positive(shop, quantity):
    with pytest.raises(ValidationFailed) as caught:
        place(shop, shop.oil, quantity)
    assert caught.value.field == "quantity"
    assert not Order.objects.exists()


def test_goods_off_the_shelf_or_outside_their_window_cannot_be_redeemed(shop):
    Goods.objects.filter(pk=shop.oil.pk).update(active=False)
    with pytest.raises(ValidationFailed, match="下架"):
        place(shop, shop.oil, key="a")
    festive = goods_create(
        community=shop.community,
        name="月饼",
        price=20,
        stock=10,
        available_from=NOW + dt.timedelta(days=1),
        available_until=NOW + dt.timedelta(days=10),
        by=shop.staff,
    )
    with pytest.raises(ValidationFailed) as caught:
        place(shop, festive, key="b")
    assert caught.value.field == "goods"
    place(shop, festive, key="c", now=NOW + dt.timedelta(days=2))
    with pytest.raises(ValidationFailed):
        place(shop, festive, key="d", now=NOW + dt.timedelta(days=10))


def test_another_communitys_goods_cannot_be_redeemed(shop, areas):
    theirs = goods_create(
        community=areas["other_community"], name="大米", price=5, stock=5, by=None
    )
    with pytest.raises(ValidationFailed) as caught:
        place(shop, theirs)
    assert caught.value.field == "goods"


def test_the_counter_hands_over_against_the_code_once(shop):
    order = place(shop, shop.oil)
    done = order_hand_over(
        community=shop.community, code=order.code, by=shop.staff, now=NOW
    )
    assert done.status == OrderStatus.HANDED_OVER
    assert done.closed_by == shop.staff
    with pytest.raises(ValidationFailed, match="已于 2026-11-18 10:00 使用"):
        order_hand_over(
            community=shop.community, code=order.code, by=shop.staff, now=NOW
        )


@pytest.mark.parametrize("code", ["12345", "abcdef", "", "1234567"])
def test_a_malformed_code_is_refused(shop, code):
    with pytest.raises(ValidationFailed) as caught:
        order_hand_over(community=shop.community, code=code, by=shop.staff)
    assert caught.value.field == "code"


def test_a_wrong_code_or_another_communitys_code_finds_nothing(shop, areas):
    order = place(shop, shop.oil)
    wrong = f"{(int(order.code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationFailed, match="没有待领取"):
        order_hand_over(community=shop.community, code=wrong, by=shop.staff)
    with pytest.raises(ValidationFailed):
        order_hand_over(community=areas["other_community"], code=order.code, by=None)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_an_expired_code_is_refused_and_the_sweep_refunds_it(shop):
    order = place(shop, shop.oil, 2)
    later = NOW + dt.timedelta(days=8)
    with pytest.raises(ValidationFailed, match="逾期"):
        order_hand_over(community=shop.community, code=order.code, by=None, now=later)
    assert orders_cancel_unclaimed(now=NOW + dt.timedelta(days=6)) == 0
    assert orders_cancel_unclaimed(now=later) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "逾期未领取，积分已退回。"
    assert balance(shop.zhou) == 100
    assert Goods.objects.get(pk=shop.oil.pk).stock == 3
    assert orders_cancel_unclaimed(now=later) == 0
    with pytest.raises(ValidationFailed, match="已取消"):
        order_hand_over(community=shop.community, code=order.code, by=None, now=later)
    assert ledger_problems() == []


def test_cancelling_refunds_once_and_only_a_waiting_order(shop):
    order = place(shop, shop.oil)
    order_cancel(order=order, by=shop.staff, reason="选错了", now=NOW)
    with pytest.raises(TransitionNotAllowed):
        order_cancel(order=order, by=shop.staff, reason="再取消", now=NOW)
    handed = place(shop, shop.oil, key="o2")
    order_hand_over(community=shop.community, code=handed.code, by=None, now=NOW)
    with pytest.raises(TransitionNotAllowed):
        order_cancel(order=handed, by=shop.staff, reason="晚了", now=NOW)
    assert balance(shop.zhou) == 70
    assert Transfer.objects.filter(kind=TransferKind.REFUND).count() == 1
    assert ledger_problems() == []


def test_restocking_is_recorded_and_reconciles(shop):
    goods_restock(goods=shop.oil, quantity=5, by=shop.staff, note="超市补货")
    assert Goods.objects.get(pk=shop.oil.pk).stock == 8
    assert StockMove.objects.filter(goods=shop.oil).count() == 2
    assert ledger_problems() == []
    Goods.objects.filter(pk=shop.oil.pk).update(stock=9)
    [problem] = ledger_problems()
    assert problem.what == "stock" and problem.pk == shop.oil.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "食用油"}, "name"),  # already on the shelf
        ({"price": 0}, "price"),
        ({"price": 2.5}, "price"),
        ({"stock": -1}, "stock"),
        ({"price": 100_001}, "price"),
        ({"price": 10**12}, "price"),
        ({"stock": 100_001}, "stock"),
        ({"limit": 0}, "limit"),
        ({"limit": 1_001}, "limit"),
        ({"limit_period": "decade"}, "limit_period"),
        (
            {"available_from": NOW, "available_until": NOW - dt.timedelta(hours=1)},
            "available_until",
        ),
    ],
)
def test_goods_are_checked_before_they_reach_the_shelf(shop, changes, field):
    arguments = {
        "community": shop.community,
        "name": "洗衣液",
        "price": 25,
        "stock": 10,
        "by": shop.staff,
    } | changes
    before = Goods.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        goods_create(**arguments)
    assert caught.value.field == field
    assert Goods.objects.count() == before


def test_a_household_account_redeems_for_the_family(shop):
    pooled = account_open(
        kind=AccountKind.HOUSEHOLD, community=shop.community, household=shop.household
    )
    transfer_create(
        kind=TransferKind.POOL,
        area=shop.community,
        legs=[Leg(shop.zhou, -40), Leg(pooled, 40)],
        by=None,
        reason="并入家庭账户",
        idempotency_key="pool",
    )
    order = place(shop, shop.oil, account=pooled)
    assert order.account == pooled
    assert balance(pooled) == 10


def test_limit_periods_start_at_local_midnight():
    wednesday = timezone.make_aware(dt.datetime(2026, 11, 18, 23, 30))
    assert timezone.localtime(period_start(LimitPeriod.DAY, wednesday)).day == 18
    week = timezone.localtime(period_start(LimitPeriod.WEEK, wednesday))
    assert (week.date(), week.hour) == (dt.date(2026, 11, 16), 0)
    assert timezone.localtime(period_start(LimitPeriod.MONTH, wednesday)).date() == (
        dt.date(2026, 11, 1)
    )
    assert timezone.localtime(period_start(LimitPeriod.YEAR, wednesday)).date() == (
        dt.date(2026, 1, 1)
    )


def test_a_pickup_code_already_waiting_is_drawn_again(shop, monkeypatch):
    """Codes are unique among the community's waiting orders by the index
    alone: when the draw repeats one, the order draws again instead of
    failing, and nothing is written twice."""
    from gongzhi.points.services import shop as shop_services

    draws = iter(["123456", "123456", "654321"])
    monkeypatch.setattr(shop_services, "_new_code", lambda: next(draws))
    first = place(shop, shop.eggs, key="a")
    second = place(shop, shop.eggs, key="b")
    assert (first.code, second.code) == ("123456", "654321")
    assert Order.objects.count() == 2 and balance(shop.zhou) == 80
    assert ledger_problems() == []
