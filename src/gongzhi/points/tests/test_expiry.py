"""Points lapse by policy through expiry transfers, first in first out, once."""

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from gongzhi.points.models import Account, AccountKind, Order, OrderStatus, Transfer
from gongzhi.points.models import TransferKind as Kind
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.expiry import expiry_due, points_expire
from gongzhi.points.services.ledger import (
    Leg,
    account_open,
    transfer_create,
    transfer_reverse,
)
from gongzhi.points.services.shop import goods_create, order_place
from gongzhi.points.tasks import points_expire_task


def at(year, month, day, hour=10):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


NEW_YEAR_2027 = at(2027, 1, 1, 0) + dt.timedelta(minutes=30)


def earn(ledger, points, when, *, who="zhou"):
    return transfer_create(
        kind=Kind.EARN,
        area=ledger.community,
        legs=[Leg(ledger.issuing, -points), Leg(getattr(ledger, who), points)],
        by=ledger.staff,
        reason="垃圾分类",
        idempotency_key=f"earn-{who}-{when.isoformat()}",
        now=when,
    )


def spend(ledger, points, when, *, who="zhou"):
    return transfer_create(
        kind=Kind.REDEEM,
        area=ledger.community,
        legs=[Leg(getattr(ledger, who), -points), Leg(ledger.redeemed, points)],
        by=None,
        reason="大米 × 1",
        idempotency_key=f"spend-{who}-{when.isoformat()}",
        now=when,
    )


def balance(account):
    return Account.objects.get(pk=account.pk).balance


def expiries():
    return Transfer.objects.filter(kind=Kind.EXPIRE).order_by("pk")


def test_what_is_left_of_last_years_points_expires_when_the_next_year_ends(
    ledger, settings
):
    settings.GONGZHI_POINTS_EXPIRE_AFTER_YEARS = 1
    earn(ledger, 100, at(2025, 3, 1))
    spend(ledger, 30, at(2025, 8, 1))
    earn(ledger, 40, at(2026, 5, 1))

    assert points_expire(now=NEW_YEAR_2027) == 1

    [transfer] = expiries()
    legs = {e.account_id: e.amount for e in transfer.entries.all()}
    assert legs == {ledger.zhou.pk: -70, ledger.expired.pk: 70}
    assert transfer.area == ledger.community
    assert transfer.created_at == NEW_YEAR_2027
    assert transfer.by is None
    assert transfer.idempotency_key == f"expire:{ledger.zhou.pk}:2025"
    assert "2025" in transfer.reason and "2026" in transfer.reason
    assert balance(ledger.zhou) == 40
    assert balance(ledger.expired) == 70


def test_nothing_expires_before_the_year_ends(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    assert points_expire(now=at(2026, 12, 31, 23)) == 0
    assert balance(ledger.zhou) == 100


def test_spending_after_new_earnings_uses_up_the_old_points_first(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    earn(ledger, 50, at(2026, 2, 1))
    spend(ledger, 60, at(2026, 6, 1))  # all of it from 2025's hundred

    points_expire(now=NEW_YEAR_2027)

    [transfer] = expiries()
    assert transfer.entries.get(account=ledger.zhou).amount == -40
    assert balance(ledger.zhou) == 50


def test_an_account_that_spent_its_old_points_gets_no_transfer(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    earn(ledger, 50, at(2026, 2, 1))
    spend(ledger, 120, at(2026, 12, 1))
    earn(ledger, 80, at(2025, 5, 1), who="liu")
    spend(ledger, 80, at(2025, 6, 1), who="liu")

    assert points_expire(now=NEW_YEAR_2027) == 0
    assert not expiries().exists()
    assert balance(ledger.zhou) == 30
    assert balance(ledger.liu) == 0


def test_running_twice_expires_once(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    earn(ledger, 20, at(2025, 4, 1), who="liu")

    assert points_expire(now=NEW_YEAR_2027) == 2
    assert points_expire(now=NEW_YEAR_2027 + dt.timedelta(days=1)) == 0

    assert expiries().count() == 2
    assert balance(ledger.zhou) == balance(ledger.liu) == 0
    assert balance(ledger.expired) == 120


def test_the_ledger_reconciles_after_expiry(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    spend(ledger, 10, at(2026, 3, 1))
    points_expire(now=NEW_YEAR_2027)

    out = StringIO()
    call_command("reconcile", stdout=out, stderr=StringIO())
    assert "Ledger reconciles" in out.getvalue()
    assert ledger_problems() == []


def test_points_never_expire_when_the_policy_says_so(ledger, settings):
    settings.GONGZHI_POINTS_EXPIRE_AFTER_YEARS = 0
    earn(ledger, 100, at(2020, 3, 1))

    assert points_expire(now=NEW_YEAR_2027) == 0
    assert balance(ledger.zhou) == 100
    assert expiry_due(account=ledger.zhou, now=NEW_YEAR_2027).points == 0


def test_a_longer_policy_keeps_points_a_year_longer(ledger, settings):
    settings.GONGZHI_POINTS_EXPIRE_AFTER_YEARS = 2
    earn(ledger, 100, at(2025, 3, 1))

    assert points_expire(now=NEW_YEAR_2027) == 0
    assert points_expire(now=NEW_YEAR_2027.replace(year=2028)) == 1
    assert "2027" in expiries().get().reason


def test_a_backlog_of_years_expires_year_by_year(ledger):
    earn(ledger, 30, at(2024, 3, 1))
    earn(ledger, 50, at(2025, 3, 1))
    spend(ledger, 10, at(2026, 3, 1))  # from 2024's thirty

    assert points_expire(now=NEW_YEAR_2027) == 2

    first, second = expiries()
    assert first.idempotency_key.endswith(":2024")
    assert first.entries.get(account=ledger.zhou).amount == -20
    assert second.idempotency_key.endswith(":2025")
    assert second.entries.get(account=ledger.zhou).amount == -50
    assert balance(ledger.zhou) == 0


def test_a_reversed_expiry_is_not_done_again(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    points_expire(now=NEW_YEAR_2027)
    transfer_reverse(
        transfer=expiries().get(),
        by=ledger.staff,
        reason="政策延期",
        idempotency_key="undo",
    )

    assert points_expire(now=NEW_YEAR_2027 + dt.timedelta(days=2)) == 0
    assert balance(ledger.zhou) == 100


def test_a_household_account_expires_into_its_communitys_account(ledger):
    shared = account_open(
        kind=AccountKind.HOUSEHOLD,
        community=ledger.community,
        household=ledger.household,
    )
    earn(ledger, 60, at(2025, 3, 1))
    transfer_create(
        kind=Kind.POOL,
        area=ledger.community,
        legs=[Leg(ledger.zhou, -60), Leg(shared, 60)],
        by=ledger.staff,
        reason="合并到家庭",
        idempotency_key="pool",
        now=at(2025, 4, 1),
    )

    assert points_expire(now=NEW_YEAR_2027) == 1

    [transfer] = expiries()
    assert transfer.area == ledger.community
    legs = {e.account_id: e.amount for e in transfer.entries.all()}
    assert legs == {shared.pk: -60, ledger.expired.pk: 60}


def test_expiry_opens_the_communitys_expired_account_when_missing(ledger):
    Account.objects.filter(pk=ledger.expired.pk).delete()
    earn(ledger, 10, at(2025, 3, 1))

    points_expire(now=NEW_YEAR_2027)

    sink = Account.objects.get(kind=AccountKind.EXPIRED, area=ledger.community)
    assert sink.balance == 10


def test_a_resident_sees_what_lapses_at_the_years_end(ledger):
    earn(ledger, 100, at(2025, 3, 1))
    spend(ledger, 30, at(2026, 5, 1))
    earn(ledger, 40, at(2026, 6, 1))

    due = expiry_due(account=ledger.zhou, now=at(2026, 11, 23))

    assert due.points == 70
    assert timezone.localtime(due.at).date() == dt.date(2027, 1, 1)


def test_the_task_expires_as_the_service_does(ledger):
    earn(ledger, 25, at(timezone.localdate().year - 2, 6, 1))

    result = points_expire_task.enqueue()

    assert result.return_value == 1
    assert balance(ledger.zhou) == 0


def test_housekeeping_cancels_unclaimed_orders_and_expires_points(ledger):
    now = timezone.now()
    earn(ledger, 50, at(timezone.localdate().year - 2, 6, 1))
    earn(ledger, 30, now - dt.timedelta(days=20), who="liu")
    oil = goods_create(
        community=ledger.community, name="食用油", price=30, stock=3, by=None
    )
    order = order_place(
        account=ledger.liu,
        goods=oil,
        quantity=1,
        by=None,
        idempotency_key="oil",
        now=now - dt.timedelta(days=10),
    )

    out = StringIO()
    call_command("points_housekeeping", stdout=out)

    assert "cancelled and refunded: 1" in out.getvalue()
    assert "Expiry transfers written: 1" in out.getvalue()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert balance(ledger.liu) == 30
    assert balance(ledger.zhou) == 0
    out = StringIO()
    call_command("points_housekeeping", stdout=out)
    assert "cancelled and refunded: 0" in out.getvalue()
    assert "Expiry transfers written: 0" in out.getvalue()


def test_housekeeping_says_when_points_never_expire(ledger, settings):
    settings.GONGZHI_POINTS_EXPIRE_AFTER_YEARS = 0
    out = StringIO()
    call_command("points_housekeeping", stdout=out)
    assert "never expire" in out.getvalue()
