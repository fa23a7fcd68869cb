"""Random sequences of earns, redemptions, refunds, expiries, poolings and
reversals, accepted or refused, never break the ledger's invariants."""

import itertools
from functools import partial

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.points.models import Account, AccountKind, Transfer, TransferKind
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.ledger import (
    Leg,
    account_open,
    transfer_create,
    transfer_reverse,
)

PEOPLE = ("zhou", "liu")
points = st.integers(min_value=1, max_value=120)
operation = st.one_of(
    st.tuples(st.just("earn"), st.sampled_from(PEOPLE), points),
    st.tuples(st.just("redeem"), st.sampled_from(PEOPLE), points),
    st.tuples(st.just("refund"), st.sampled_from(PEOPLE), points),
    st.tuples(st.just("expire"), st.sampled_from(PEOPLE), points),
    st.tuples(st.just("pool"), st.sampled_from(PEOPLE), points),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30), st.just(0)),
    st.tuples(st.just("retry"), st.integers(min_value=0, max_value=30), st.just(0)),
)


def legs_for(ledger, pooled, action, who, amount):
    person = getattr(ledger, who)
    return {
        "earn": (
            TransferKind.EARN,
            [Leg(ledger.issuing, -amount), Leg(person, amount)],
        ),
        "redeem": (
            TransferKind.REDEEM,
            [Leg(person, -amount), Leg(ledger.redeemed, amount)],
        ),
        "refund": (
            TransferKind.REFUND,
            [Leg(ledger.redeemed, -amount), Leg(person, amount)],
        ),
        "expire": (
            TransferKind.EXPIRE,
            [Leg(person, -amount), Leg(ledger.expired, amount)],
        ),
        "pool": (TransferKind.POOL, [Leg(person, -amount), Leg(pooled, amount)]),
    }[action]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, max_size=25))
def test_any_sequence_keeps_every_invariant(ledger, operations):
    keys = itertools.count()
    rollback = transaction.savepoint()
    try:
        pooled = account_open(
            kind=AccountKind.HOUSEHOLD,
            community=ledger.community,
            household=ledger.household,
        )
        accounts = [ledger.issuing, ledger.redeemed, ledger.expired, ledger.zhou]
        accounts += [ledger.liu, pooled]
        expected = dict.fromkeys((a.pk for a in accounts), 0)
        made: list[tuple[Transfer, str, dict]] = []
        for action, target, amount in operations:
            key = f"op-{next(keys)}"
            if action in {"reverse", "retry"}:
                if not made:
                    continue
                transfer, first_key, arguments = made[target % len(made)]
                if action == "retry":
                    again = transfer_create(**arguments, idempotency_key=first_key)
                    assert again.pk == transfer.pk
                    continue
                call = partial(
                    transfer_reverse,
                    transfer=transfer,
                    by=ledger.staff,
                    reason="撤销",
                    idempotency_key=key,
                )
                legs = [
                    Leg(e.account, -e.amount)
                    for e in transfer.entries.select_related("account")
                ]
            else:
                kind, legs = legs_for(ledger, pooled, action, target, amount)
                arguments = {
                    "kind": kind,
                    "area": ledger.community,
                    "legs": legs,
                    "by": ledger.staff,
                    "reason": action,
                }
                call = partial(transfer_create, **arguments, idempotency_key=key)
            before = dict(Account.objects.values_list("pk", "balance"))
            try:
                transfer = call()
            except DomainError:
                # A refusal changes nothing.
                assert dict(Account.objects.values_list("pk", "balance")) == before
                continue
            for leg in legs:
                expected[leg.account.pk] += leg.amount
            if action != "reverse":
                made.append((transfer, key, arguments))
            assert dict(Account.objects.values_list("pk", "balance")) == expected
        assert ledger_problems() == []
        assert sum(expected.values()) == 0
        for account in Account.objects.exclude(kind=AccountKind.ISSUING):
            assert account.balance >= 0
    finally:
        transaction.savepoint_rollback(rollback)
