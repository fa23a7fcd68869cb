import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.points.models import (
    Account,
    Award,
    AwardStatus,
    EarningItem,
    LimitPeriod,
    Transfer,
)
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.earning import (
    CapReached,
    award_approve,
    award_create,
    award_reject,
    award_service_hours,
    award_withdraw,
    hours_points,
    item_create,
)

NOW = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))


def balance(account):
    return Account.objects.get(pk=account.pk).balance


@pytest.fixture
def catalog(ledger, users):
    ledger.sorting = item_create(
        community=ledger.community,
        name="垃圾分类",
        points=5,
        cap=2,
        cap_period=LimitPeriod.WEEK,
        by=users["staff"],
    )
    ledger.hero = item_create(
        community=ledger.community, name="见义勇为", points=100, by=users["staff"]
    )
    return ledger


def test_a_grid_worker_awards_a_deed_and_the_points_arrive(catalog, users):
    award = award_create(
        account=catalog.zhou,
        item=catalog.sorting,
        by=users["grid_worker"],
        idempotency_key="a1",
        now=NOW,
    )
    assert award.status == AwardStatus.PAID
    assert award.reason == "垃圾分类"
    assert balance(catalog.zhou) == 5
    assert balance(catalog.issuing) == -5
    assert award.transfer.entries.count() == 2


def test_a_deed_stops_at_its_cap_for_the_week(catalog, users):
    for key in ("a", "b"):
        award_create(
            account=catalog.zhou,
            item=catalog.sorting,
            by=users["building_leader"],
            idempotency_key=key,
            now=NOW,
        )
    with pytest.raises(CapReached) as caught:
        award_create(
            account=catalog.zhou,
            item=catalog.sorting,
            by=users["building_leader"],
            idempotency_key="c",
            now=NOW,
        )
    assert caught.value.field == "item"
    assert str(caught.value.message) == "垃圾分类：每人每周最多 2 次。"
    assert balance(catalog.zhou) == 10
    # Another resident, or the next week, starts from zero.
    award_create(
        account=catalog.liu,
        item=catalog.sorting,
        by=users["staff"],
        idempotency_key="d",
        now=NOW,
    )
    award_create(
        account=catalog.zhou,
        item=catalog.sorting,
        by=users["staff"],
        idempotency_key="e",
        now=NOW + dt.timedelta(days=7),
    )
    assert balance(catalog.zhou) == 15


def test_a_retried_award_pays_once(catalog, users):
    first = award_create(
        account=catalog.zhou,
        item=catalog.sorting,
        by=users["staff"],
        idempotency_key="k",
    )
    again = award_create(
        account=catalog.zhou,
        item=catalog.sorting,
        by=users["staff"],
        idempotency_key="k",
    )
    assert again.pk == first.pk and again.replayed
    assert balance(catalog.zhou) == 5


def test_a_large_award_waits_for_a_second_person(catalog, users):
    award = award_create(
        account=catalog.zhou, item=catalog.hero, by=users["staff"], idempotency_key="h"
    )
    assert award.status == AwardStatus.PENDING
    assert balance(catalog.zhou) == 0
    assert not Transfer.objects.exists()
    with pytest.raises(NotAllowed):
        award_approve(award=award, by=users["staff"])  # its own maker
    with pytest.raises(NotAllowed):
        award_approve(award=award, by=users["grid_worker"])  # may award, not approve
    assert balance(catalog.zhou) == 0
    paid = award_approve(award=award, by=users["secretary"])
    assert paid.status == AwardStatus.PAID
    assert paid.decided_by == users["secretary"]
    assert balance(catalog.zhou) == 100
    with pytest.raises(TransitionNotAllowed):
        award_approve(award=award, by=users["secretary"])
    assert balance(catalog.zhou) == 100
    assert ledger_problems() == []


def test_a_turned_down_award_moves_nothing_and_says_why(catalog, users):
    award = award_create(
        account=catalog.zhou,
        points=80,
        reason="组织楼道大扫除",
        by=users["grid_worker"],
        idempotency_key="x",
    )
    with pytest.raises(ValidationFailed) as caught:
        award_reject(award=award, by=users["secretary"], note=" ")
    assert caught.value.field == "note"
    award_reject(award=award, by=users["secretary"], note="每次最多 30 分")
    award.refresh_from_db()
    assert award.status == AwardStatus.REJECTED
    assert award.decision_note == "每次最多 30 分"
    assert balance(catalog.zhou) == 0


def test_nobody_awards_outside_their_area(catalog, users):
    with pytest.raises(NotAllowed):
        award_create(
            account=catalog.zhou,
            item=catalog.sorting,
            by=users["other_grid_worker"],
            idempotency_key="o",
        )
    with pytest.raises(NotAllowed):
        award_create(
            account=catalog.zhou,
            item=catalog.sorting,
            by=users["resident"],
            idempotency_key="r",
        )
    assert not Award.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"points": 0}, "points"),
        ({"points": -5}, "points"),
        ({"points": 2.5}, "points"),
        ({"reason": ""}, "reason"),
        ({"reason": "因" * 201}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_one_off_awards_are_checked(catalog, users, changes, field):
    arguments = {
        "account": catalog.zhou,
        "points": 10,
        "reason": "文明养犬",
        "by": users["staff"],
        "idempotency_key": "one-off",
    } | changes
    with pytest.raises(ValidationFailed) as caught:
        award_create(**arguments)
    assert caught.value.field == field
    assert not Award.objects.exists()


def test_another_communitys_deed_cannot_be_awarded(catalog, users, areas):
    theirs = EarningItem.objects.create(
        community=areas["other_community"], name="垃圾分类", points=5
    )
    with pytest.raises(ValidationFailed) as caught:
        award_create(
            account=catalog.zhou, item=theirs, by=users["staff"], idempotency_key="t"
        )
    assert caught.value.field == "item"


def test_only_points_managers_keep_the_catalog(catalog, users):
    with pytest.raises(NotAllowed):
        item_create(
            community=catalog.community,
            name="文明养犬",
            points=3,
            by=users["grid_worker"],
        )
    with pytest.raises(ValidationFailed) as caught:
        item_create(
            community=catalog.community, name="垃圾分类", points=3, by=users["staff"]
        )
    assert caught.value.field == "name"


@pytest.mark.parametrize(
    ("hours", "rate", "points"),
    [("2", 5, 10), ("1.5", 3, 5), ("0.25", 2, 1), ("0.2", 2, 0), ("3.75", 4, 15)],
)
def test_service_hours_become_whole_points(hours, rate, points):
    assert hours_points(hours=Decimal(hours), points_per_hour=rate) == points


def test_confirmed_attendance_pays_once_however_often_it_is_sent(catalog):
    """A stand-in for the volunteering app's attendance confirmation."""
    for _ in range(3):
        award = award_service_hours(
            account=catalog.zhou,
            hours=Decimal("2.5"),
            points_per_hour=4,
            activity="义诊",
            attendance_key="activity-7:person-1",
        )
    assert award.status == AwardStatus.PAID
    assert award.reason == "志愿服务：义诊，2.5 小时"
    assert balance(catalog.zhou) == 10
    assert Award.objects.count() == 1
    assert (
        award_service_hours(
            account=catalog.zhou,
            hours=Decimal("0.1"),
            points_per_hour=2,
            activity="宣讲",
            attendance_key="activity-8:person-1",
        )
        is None
    )


def test_a_withdrawn_award_is_turned_down_or_reversed(catalog, users):
    waiting = award_service_hours(
        account=catalog.zhou,
        hours=Decimal("40"),
        points_per_hour=5,  # 200 points: over the threshold, it waits
        activity="防汛值守",
        attendance_key="a-1",
    )
    assert waiting.status == AwardStatus.PENDING
    award_withdraw(award=waiting, reason="时长登记有误", by=users["staff"])
    waiting.refresh_from_db()
    assert waiting.status == AwardStatus.REJECTED
    assert waiting.decision_note == "时长登记有误"
    paid = award_service_hours(
        account=catalog.zhou,
        hours=Decimal("3"),
        points_per_hour=2,
        activity="义诊",
        attendance_key="a-2",
    )
    assert balance(catalog.zhou) == 6
    with pytest.raises(ValidationFailed) as caught:
        award_withdraw(award=paid, reason=" ", by=users["staff"])
    assert caught.value.field == "reason"
    award_withdraw(award=paid, reason="签退记错", by=users["staff"])
    assert balance(catalog.zhou) == 0
    assert Transfer.objects.filter(reverses=paid.transfer).count() == 1
    assert ledger_problems() == []


@pytest.mark.parametrize("points", [10_001, 10**12])
def test_an_award_beyond_ten_thousand_points_is_refused(catalog, users, points):
    transfers = Transfer.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        award_create(
            account=catalog.zhou,
            points=points,
            reason="一万亿",
            by=users["staff"],
            idempotency_key="huge",
            now=NOW,
        )
    assert caught.value.field == "points"
    assert "10000" in str(caught.value.message)
    assert balance(catalog.zhou) == 0
    assert Transfer.objects.count() == transfers


def test_a_deed_worth_more_than_an_award_may_carry_is_refused(catalog, users):
    with pytest.raises(ValidationFailed) as caught:
        item_create(
            community=catalog.community, name="巨奖", points=10_001, by=users["staff"]
        )
    assert caught.value.field == "points"
