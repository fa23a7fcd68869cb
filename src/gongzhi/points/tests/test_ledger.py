import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.idempotency import IdempotencyConflict
from gongzhi.points.models import Account, AccountKind, Entry, Transfer, TransferKind
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.ledger import (
    InsufficientPoints,
    Leg,
    account_open,
    transfer_create,
    transfer_reverse,
)


def balance(account):
    return Account.objects.get(pk=account.pk).balance


def earn(ledger, account, points, key, reason="垃圾分类"):
    return transfer_create(
        kind=TransferKind.EARN,
        area=ledger.community,
        legs=[Leg(ledger.issuing, -points), Leg(account, points)],
        by=ledger.staff,
        reason=reason,
        idempotency_key=key,
    )


def redeem(ledger, account, points, key):
    return transfer_create(
        kind=TransferKind.REDEEM,
        area=ledger.community,
        legs=[Leg(account, -points), Leg(ledger.redeemed, points)],
        by=ledger.staff,
        reason="兑换 食用油一桶",
        idempotency_key=key,
    )


def test_earning_moves_points_out_of_the_issuing_account(ledger):
    transfer = earn(ledger, ledger.zhou, 30, "k1")
    assert balance(ledger.zhou) == 30
    assert balance(ledger.issuing) == -30  # the points outstanding
    assert sorted(transfer.entries.values_list("amount", flat=True)) == [-30, 30]
    assert transfer.replayed is False
    assert ledger_problems() == []


def test_a_retry_with_the_same_key_pays_once_and_answers_the_same(ledger):
    first = earn(ledger, ledger.zhou, 30, "retry-1")
    again = earn(ledger, ledger.zhou, 30, "retry-1")
    assert again.pk == first.pk
    assert again.replayed is True
    assert balance(ledger.zhou) == 30
    assert Transfer.objects.count() == 1


def test_the_same_key_for_a_different_request_is_a_conflict_and_changes_nothing(ledger):
    earn(ledger, ledger.zhou, 30, "k2")
    with pytest.raises(IdempotencyConflict) as caught:
        earn(ledger, ledger.zhou, 50, "k2")
    assert caught.value.field == "idempotency_key"
    assert caught.value.status_code == 409
    with pytest.raises(IdempotencyConflict):
        earn(ledger, ledger.liu, 30, "k2")
    assert balance(ledger.zhou) == 30
    assert balance(ledger.liu) == 0
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize("amount", [1.5, 2.0, True, "10", None])
def test_points_are_whole_numbers(ledger, amount):
    with pytest.raises(ValidationFailed) as caught:
        transfer_create(
            kind=TransferKind.EARN,
            area=ledger.community,
            legs=[Leg(ledger.issuing, amount), Leg(ledger.zhou, amount)],
            by=ledger.staff,
            reason="楼道清理",
            idempotency_key="frac",
        )
    assert caught.value.field == "amount"
    assert not Transfer.objects.exists()
    assert balance(ledger.zhou) == 0


@pytest.mark.parametrize(
    ("legs", "field"),
    [
        (lambda x: [Leg(x.issuing, -10), Leg(x.zhou, 9)], "legs"),
        (lambda x: [Leg(x.zhou, 0), Leg(x.issuing, 0)], "amount"),
        (lambda x: [Leg(x.zhou, 10)], "legs"),
        (lambda x: [Leg(x.zhou, 10), Leg(x.zhou, -10)], "legs"),
        (lambda x: [Leg(x.issuing, -10), Leg(Account(pk=999999), 10)], "legs"),
    ],
    ids=["unbalanced", "zero", "one-leg", "same-account-twice", "no-such-account"],
)
def test_malformed_transfers_are_refused_naming_the_field(ledger, legs, field):
    with pytest.raises(ValidationFailed) as caught:
        transfer_create(
            kind=TransferKind.ADJUST,
            area=ledger.community,
            legs=legs(ledger),
            by=ledger.staff,
            reason="更正",
            idempotency_key="bad",
        )
    assert caught.value.field == field
    assert not Transfer.objects.exists()
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "gift"}, "kind"),
        ({"area": None}, "area"),
        ({"reason": "  "}, "reason"),
        ({"reason": "因" * 201}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"idempotency_key": "k" * 101}, "idempotency_key"),
    ],
)
def test_kind_reason_and_key_are_checked(ledger, changes, field):
    arguments = {
        "kind": TransferKind.EARN,
        "area": ledger.community,
        "legs": [Leg(ledger.issuing, -5), Leg(ledger.zhou, 5)],
        "by": ledger.staff,
        "reason": "文明养犬",
        "idempotency_key": "checked",
    } | changes
    with pytest.raises(ValidationFailed) as caught:
        transfer_create(**arguments)
    assert caught.value.field == field
    assert not Transfer.objects.exists()


def test_redeeming_more_than_the_balance_is_refused_and_changes_nothing(ledger):
    earn(ledger, ledger.zhou, 20, "e1")
    with pytest.raises(InsufficientPoints) as caught:
        redeem(ledger, ledger.zhou, 21, "r1")
    assert caught.value.field == "amount"
    with translation.override("zh-hans"):
        assert str(caught.value.message) == "积分不足：余额 20，需要 21。"
    assert balance(ledger.zhou) == 20
    assert balance(ledger.redeemed) == 0
    assert Transfer.objects.count() == 1
    redeem(ledger, ledger.zhou, 20, "r2")
    assert balance(ledger.zhou) == 0
    assert balance(ledger.redeemed) == 20


def test_the_database_itself_refuses_a_negative_resident_balance(ledger):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=ledger.zhou.pk).update(balance=-1)
    Account.objects.filter(pk=ledger.issuing.pk).update(balance=-1)


def test_a_reversal_moves_every_entry_back_and_points_to_the_original(ledger):
    original = earn(ledger, ledger.zhou, 40, "e1", reason="见义勇为")
    reversal = transfer_reverse(
        transfer=original, by=ledger.staff, reason="录错了人", idempotency_key="rev1"
    )
    assert reversal.kind == TransferKind.REVERSAL
    assert reversal.reverses_id == original.pk
    assert balance(ledger.zhou) == 0
    assert balance(ledger.issuing) == 0
    assert Transfer.objects.count() == 2  # nothing deleted
    assert ledger_problems() == []
    # A retry of the reversal answers the same reversal.
    again = transfer_reverse(
        transfer=original, by=ledger.staff, reason="录错了人", idempotency_key="rev1"
    )
    assert again.pk == reversal.pk


def test_a_transfer_is_reversed_once_and_a_reversal_not_at_all(ledger):
    original = earn(ledger, ledger.zhou, 40, "e1")
    reversal = transfer_reverse(
        transfer=original, by=ledger.staff, reason="重复发放", idempotency_key="rev1"
    )
    with pytest.raises(TransitionNotAllowed) as caught:
        transfer_reverse(
            transfer=original,
            by=ledger.staff,
            reason="再撤一次",
            idempotency_key="rev2",
        )
    assert caught.value.field == "reverses"
    with pytest.raises(TransitionNotAllowed):
        transfer_reverse(
            transfer=reversal,
            by=ledger.staff,
            reason="撤销撤销",
            idempotency_key="rev3",
        )
    assert Transfer.objects.count() == 2
    assert balance(ledger.zhou) == 0


def test_points_already_spent_cannot_be_reversed_away(ledger):
    original = earn(ledger, ledger.zhou, 40, "e1")
    redeem(ledger, ledger.zhou, 30, "r1")
    with pytest.raises(InsufficientPoints):
        transfer_reverse(
            transfer=original, by=ledger.staff, reason="误发", idempotency_key="rev1"
        )
    assert balance(ledger.zhou) == 10
    assert not Transfer.objects.filter(reverses=original).exists()


def test_accounts_open_once(ledger):
    again = account_open(
        kind=AccountKind.PERSON, community=ledger.community, person=ledger.people[0]
    )
    assert again.pk == ledger.zhou.pk
    assert (
        account_open(kind=AccountKind.ISSUING, community=ledger.community).pk
        == ledger.issuing.pk
    )
    pooled = account_open(
        kind=AccountKind.HOUSEHOLD,
        community=ledger.community,
        household=ledger.household,
    )
    assert pooled.area_id == ledger.household.pk


def test_accounts_belong_to_a_community(ledger, areas):
    with pytest.raises(ValidationFailed) as caught:
        account_open(kind=AccountKind.ISSUING, community=areas["street"])
    assert caught.value.field == "community"
    with pytest.raises(ValidationFailed) as caught:
        account_open(kind=AccountKind.PERSON, community=ledger.community)
    assert caught.value.field == "person"
    with pytest.raises(ValidationFailed) as caught:
        account_open(
            kind=AccountKind.HOUSEHOLD,
            community=ledger.community,
            household=areas["building"],
        )
    assert caught.value.field == "household"


def test_pooling_into_a_household_moves_points_between_residents_accounts(ledger):
    pooled = account_open(
        kind=AccountKind.HOUSEHOLD,
        community=ledger.community,
        household=ledger.household,
    )
    earn(ledger, ledger.zhou, 25, "e1")
    transfer_create(
        kind=TransferKind.POOL,
        area=ledger.community,
        legs=[Leg(ledger.zhou, -25), Leg(pooled, 25)],
        by=None,
        reason="并入家庭账户",
        idempotency_key="pool1",
    )
    assert balance(pooled) == 25
    assert balance(ledger.zhou) == 0
    assert ledger_problems() == []
