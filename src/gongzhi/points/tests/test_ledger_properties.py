"""Random sequences of earns, redemptions, refunds, expiries, poolings and
reversals, spread over years and interleaved with the expiry run, accepted
or refused, never break the ledger's invariants."""

import datetime as dt
import itertools
from functools import partial

from django.db import transaction
from django.db.models import Q, Sum
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import DomainError
from gongzhi.points.models import (
    Account,
    AccountKind,
    Entry,
    Transfer,
    TransferKind,
)
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.expiry import (
    HOLDING,
    last_lapsed_year,
    points_expire,
    year_start,
)
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
    # Time passes between operations; now and then one to three years
    # turn and the expiry run comes on New Year's morning, under a policy
    # of never (0) or one or two years.
    st.tuples(st.just("wait"), st.sampled_from([3, 90, 200, 366]), st.just(0)),
    st.tuples(
        st.just("lapse"), st.sampled_from([1, 1, 2, 0]), st.sampled_from([1, 2, 3])
    ),
)
START = timezone.make_aware(dt.datetime(2024, 10, 1, 9))


def unspent_through(account_pk: int, year: int) -> int:
    """What is left of the points an account earned up to ``year`` once
    all its debits have used up the oldest first (may be negative)."""
    entries = Entry.objects.filter(account=account_pk)
    return entries.aggregate(
        left=Sum(
            "amount",
            filter=Q(amount__lt=0)
            | Q(amount__gt=0, transfer__created_at__lt=year_start(year + 1)),
            default=0,
        )
    )["left"]


def check_lapse(clock, years, expected, made):
    """Run the expiry at ``clock`` and check what it did."""
    before = Transfer.objects.order_by("-pk").values_list("pk", flat=True).first()
    with override_settings(GONGZHI_POINTS_EXPIRE_AFTER_YEARS=years):
        written = points_expire(now=clock)
        through = last_lapsed_year(clock)
        # A second run at the same moment finds nothing left to do.
        assert points_expire(now=clock) == 0
    new = list(Transfer.objects.filter(pk__gt=before or 0).order_by("pk"))
    assert len(new) == written
    if through is None:
        assert written == 0
        return
    touched = set()
    for transfer in new:
        assert transfer.kind == TransferKind.EXPIRE
        legs = [Leg(e.account, e.amount) for e in transfer.entries.all()]
        for leg in legs:
            expected[leg.account.pk] += leg.amount
            if leg.account.kind in HOLDING:
                touched.add(leg.account.pk)
        arguments = {
            "kind": transfer.kind,
            "area": transfer.area,
            "legs": legs,
            "by": transfer.by,
            "reason": transfer.reason,
        }
        made.append((transfer, transfer.idempotency_key, arguments))
    for account in Account.objects.filter(kind__in=HOLDING):
        left = unspent_through(account.pk, through)
        # Nothing old is left unspent; and what expired was no more than
        # what was left, so an account it touched holds no old point.
        assert left <= 0
        if account.pk in touched:
            assert left == 0


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
@given(operations=st.lists(operation, max_size=30))
# Earned, partly spent, then left past a year's end and the next.
@example(
    operations=[
        ("earn", "zhou", 100),
        ("earn", "liu", 30),
        ("redeem", "zhou", 40),
        ("wait", 400, 0),
        ("earn", "zhou", 20),
        ("redeem", "zhou", 10),
        ("lapse", 1, 1),
        ("wait", 400, 0),
        ("lapse", 1, 1),
        ("reverse", 5, 0),
        ("wait", 800, 0),
        ("lapse", 2, 2),
        ("retry", 5, 0),
    ]
)
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
        clock = START
        for action, target, amount in operations:
            key = f"op-{next(keys)}"
            if action == "wait":
                clock += dt.timedelta(days=target, hours=target % 7)
                continue
            if action == "lapse":
                new_year = timezone.localtime(clock).year + amount
                clock = year_start(new_year) + dt.timedelta(minutes=30)
                check_lapse(clock, target, expected, made)
                assert dict(Account.objects.values_list("pk", "balance")) == expected
                continue
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
                    now=clock,
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
                call = partial(
                    transfer_create, **arguments, idempotency_key=key, now=clock
                )
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
