"""Reads of the points ledger."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from gongzhi.areas.models import Area, Kind

from .models import MAY_GO_NEGATIVE, Account, Entry, Goods, StockMove, Transfer


@dataclass(frozen=True)
class LedgerProblem:
    """One thing ``reconcile`` found off, named so it can be looked up."""

    what: str  # "balance", "unbalanced", "negative", "stock"
    pk: int
    detail: str

    def __str__(self):
        return self.detail


@dataclass(frozen=True)
class LedgerTotals:
    accounts: int
    transfers: int
    entries: int


def ledger_problems() -> list[LedgerProblem]:
    """Everything off in the whole ledger, in four aggregate queries:
    cached balances that differ from the sum of their entries, transfers
    whose entries do not sum to zero or that have fewer than two, accounts
    other than issuing ones below zero, and goods whose stock differs from
    initial + restocked − redeemed + returned (the sum of their moves)."""
    problems = []
    sums = (
        Entry.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    drifted = (
        Account.objects.annotate(total=Coalesce(Subquery(sums), Value(0)))
        .exclude(balance=F("total"))
        .values_list("pk", "balance", "total")
        .order_by("pk")
    )
    for pk, balance, total in drifted:
        problems.append(
            LedgerProblem(
                "balance",
                pk,
                f"account {pk}: cached balance {balance}, entries sum to {total}",
            )
        )
    unbalanced = (
        Transfer.objects.annotate(
            total=Coalesce(Sum("entries__amount"), Value(0)), legs=Count("entries")
        )
        .filter(~Q(total=0) | Q(legs__lt=2))
        .values_list("pk", "total", "legs")
        .order_by("pk")
    )
    for pk, total, legs in unbalanced:
        problems.append(
            LedgerProblem(
                "unbalanced",
                pk,
                f"transfer {pk}: {legs} entries summing to {total}, not zero",
            )
        )
    negative = (
        Account.objects.exclude(kind__in=MAY_GO_NEGATIVE)
        .filter(balance__lt=0)
        .values_list("pk", "kind", "balance")
        .order_by("pk")
    )
    for pk, kind, balance in negative:
        problems.append(
            LedgerProblem("negative", pk, f"account {pk} ({kind}): balance {balance}")
        )
    moves = (
        StockMove.objects.filter(goods=OuterRef("pk"))
        .order_by()
        .values("goods")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    miscounted = (
        Goods.objects.annotate(total=Coalesce(Subquery(moves), Value(0)))
        .exclude(stock=F("total"))
        .values_list("pk", "name", "stock", "total")
        .order_by("pk")
    )
    for pk, name, stock, total in miscounted:
        problems.append(
            LedgerProblem(
                "stock", pk, f"goods {pk} ({name}): stock {stock}, moves sum to {total}"
            )
        )
    return problems


def ledger_totals() -> LedgerTotals:
    return LedgerTotals(
        accounts=Account.objects.count(),
        transfers=Transfer.objects.count(),
        entries=Entry.objects.count(),
    )


def community_of(area) -> Area | None:
    """The community an area lies in (itself, if it is one)."""
    prefixes = [
        area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)
    ]
    return Area.objects.filter(path__in=prefixes, kind=Kind.COMMUNITY).first()


def entries_of(account: Account):
    """An account's history, newest first, with each transfer's kind and
    reason."""
    return (
        Entry.objects.filter(account=account)
        .select_related("transfer")
        .order_by("-transfer__created_at", "-pk")
    )


def goods_on_shelf(*, community, now):
    """Goods a resident of ``community`` can redeem at ``now``."""
    return (
        Goods.objects.filter(community=community, active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
        .order_by("price", "pk")
    )
