"""Reads of the points ledger."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.areas.tree import ancestor_paths

from .models import (
    MAY_GO_NEGATIVE,
    Account,
    AccountKind,
    Award,
    AwardStatus,
    Entry,
    Goods,
    Order,
    OrderStatus,
    PointsPolicy,
    StockMove,
    Transfer,
    TransferKind,
)


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


def entries_of(account: Account):
    """An account's history, newest first, with each transfer's kind and
    reason."""
    return (
        Entry.objects.filter(account=account)
        .select_related("transfer")
        .order_by("-transfer__created_at", "-pk")
    )


def orders_of(account: Account):
    """Orders paid from a resident's account, and by her from her
    household's shared one."""
    mine = Q(account=account)
    user_id = account.person.user_id if account.person_id else None
    if user_id is not None:
        mine |= Q(account__kind=AccountKind.HOUSEHOLD, placed_by=user_id)
    return Order.objects.filter(mine)


@dataclass(frozen=True)
class ResidentPoints:
    balance: int
    to_pick_up: int  # orders placed, waiting at the counter


def resident_points(person) -> ResidentPoints:
    """A resident's balance and her orders waiting for pickup; read only:
    no account is opened for asking (none yet reads as nothing)."""
    account = Account.objects.filter(kind=AccountKind.PERSON, person=person).first()
    if account is None:
        return ResidentPoints(0, 0)
    waiting = orders_of(account).filter(status=OrderStatus.PLACED).count()
    return ResidentPoints(account.balance, waiting)


def awards_to_approve(*, user, community: Area):
    """The community's awards waiting for a second signature that ``user``
    may give: every one but those she made herself (maker–checker, as
    ``award_approve`` refuses them). The caller checks points.manage."""
    return Award.objects.filter(
        community=community, status=AwardStatus.PENDING
    ).exclude(requested_by=user)


def goods_on_shelf(*, community, now):
    """Goods a resident of ``community`` can redeem at ``now``."""
    return (
        Goods.objects.filter(community=community, active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
        .order_by("price", "pk")
    )


# Figures: what a community issued, took back and owes, by period


@dataclass
class Figures:
    """One community's points over a period: issued (earned), redeemed
    (net of refunds), expired, adjusted (reversals and adjustments, signed:
    what residents gained), outstanding at the period's end (held by
    residents and households) and the active participants (residents whose
    balance moved in the period). Outstanding at the end = outstanding at
    the start + issued − redeemed − expired + adjusted."""

    community: Area
    month: int = 0
    issued: int = 0
    adjusted: int = 0
    redeemed: int = 0
    refunded: int = 0
    expired: int = 0
    outstanding: int = 0
    participants: int = 0
    transfers: int = 0


HELD = (AccountKind.PERSON, AccountKind.HOUSEHOLD)


def figures(communities, *, start, end) -> dict[int, Figures]:
    """Figures of each of ``communities`` for ``start`` ≤ time < ``end``,
    in three aggregate queries whatever their number."""
    result = {c.pk: Figures(community=c) for c in communities}
    ids = list(result)
    in_period = Entry.objects.filter(
        transfer__area__in=ids,
        transfer__created_at__gte=start,
        transfer__created_at__lt=end,
        account__kind__in=HELD,
    )
    moved = in_period.values("transfer__area", "transfer__kind").annotate(
        total=Sum("amount"), transfers=Count("transfer", distinct=True)
    )
    for row in moved.order_by():
        line = result[row["transfer__area"]]
        kind, total = row["transfer__kind"], row["total"] or 0
        line.transfers += row["transfers"]
        if kind == TransferKind.EARN:
            line.issued += total
        elif kind == TransferKind.REDEEM:
            line.redeemed -= total
        elif kind == TransferKind.REFUND:
            line.redeemed -= total
            line.refunded += total
        elif kind == TransferKind.EXPIRE:
            line.expired -= total
        elif kind in (TransferKind.REVERSAL, TransferKind.ADJUST):
            line.adjusted += total
    held = (
        Entry.objects.filter(
            transfer__area__in=ids,
            transfer__created_at__lt=end,
            account__kind__in=HELD,
        )
        .values("transfer__area")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in held:
        result[row["transfer__area"]].outstanding = row["total"] or 0
    active = (
        in_period.filter(account__kind=AccountKind.PERSON)
        .values("transfer__area")
        .annotate(people=Count("account", distinct=True))
        .order_by()
    )
    for row in active:
        result[row["transfer__area"]].participants = row["people"]
    return result


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """Local midnights opening ``year``-``month`` and the month after."""
    start = dt.date(year, month, 1)
    after = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (
        timezone.make_aware(dt.datetime.combine(start, dt.time())),
        timezone.make_aware(dt.datetime.combine(after, dt.time())),
    )


# What the pages read a month's figures through: the dashboards' rollups,
# which insights registers when it starts (``figures_read_from``); counted
# from the ledger (``figures``) only where insights is not installed.
_month_reader: list = []


def figures_read_from(reader) -> None:
    """Read months through ``reader(communities, year=, month=)``, which
    answers ``figures`` of that month for each community."""
    _month_reader[:] = [reader]


def month_figures(communities, *, year: int, month: int) -> dict[int, Figures]:
    """Each community's ``Figures`` of ``year``-``month``."""
    if _month_reader:
        return _month_reader[0](list(communities), year=year, month=month)
    start, end = month_bounds(year, month)
    return figures(communities, start=start, end=end)


def year_by_month(community: Area, year: int) -> list[Figures]:
    """The months of ``year`` up to this one, each a ``Figures`` with
    ``month`` set."""
    today = timezone.localdate()
    last = 12 if year < today.year else today.month if year == today.year else 0
    months = []
    for month in range(1, last + 1):
        line = month_figures([community], year=year, month=month)[community.pk]
        line.month = month
        months.append(line)
    return months


def month_lines(community: Area, *, start, end):
    """The transfers of a community's month that reached a resident or a
    household, oldest first, for the statement's detail sheet."""
    return (
        Entry.objects.filter(
            transfer__area=community,
            transfer__created_at__gte=start,
            transfer__created_at__lt=end,
            account__kind__in=HELD,
        )
        .select_related("transfer", "transfer__by", "account", "account__person")
        .order_by("transfer__created_at", "pk")
    )


def pooling_allowed(community: Area) -> bool:
    """Whether the street above ``community`` keeps household accounts."""
    prefixes = ancestor_paths(community.path, include_self=True)
    return PointsPolicy.objects.filter(
        street__path__in=prefixes, household_pooling=True
    ).exists()
