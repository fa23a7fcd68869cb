"""Points that lapse by policy: with ``GONGZHI_POINTS_EXPIRE_AFTER_YEARS``
at 1, what a resident earned in 2025 and has not spent by the end of 2026
moves to the community's expired-points account.

Expiry never edits a balance: it is an ``EXPIRE`` transfer through
``transfer_create``, one per account and year of earning, under a key
(``expire:<account>:<year>``) that makes a second run a no-op. Spending is
first in, first out: every debit of an account (redemptions, poolings,
reversals, earlier expiries) uses up its oldest credits first, so what
lapses is whatever is left of the old credits once all debits so far have
taken their share.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone, translation
from django.utils.translation import gettext

from gongzhi.accounts.models import User
from gongzhi.areas.tree import community_of

from ..models import Account, AccountKind, Entry, Transfer, TransferKind
from .ledger import Leg, account_open, transfer_create

# The accounts whose points can lapse: what residents and households hold.
HOLDING = (AccountKind.PERSON, AccountKind.HOUSEHOLD)


def expire_after_years() -> int:
    """Years after the year of earning at whose end points lapse; 0 never."""
    years = getattr(settings, "GONGZHI_POINTS_EXPIRE_AFTER_YEARS", 1)
    return max(int(years or 0), 0)


def year_start(year: int) -> dt.datetime:
    """Local midnight opening 1 January of ``year``."""
    return timezone.make_aware(dt.datetime(year, 1, 1))


def last_lapsed_year(now: dt.datetime) -> int | None:
    """The latest year of earning whose points have lapsed by ``now``;
    ``None`` when points never expire."""
    years = expire_after_years()
    if not years:
        return None
    return timezone.localtime(now).year - years - 1


def expiry_key(account: Account, year: int) -> str:
    return f"expire:{account.pk}:{year}"


def _lapsed_by_year(account: Account, *, through: int) -> list[tuple[int, int]]:
    """(year, points) still unspent of what ``account`` earned in each year
    up to ``through``, oldest first, leaving out years with nothing left."""
    entries = Entry.objects.filter(account=account)
    credits = (
        entries.filter(amount__gt=0, transfer__created_at__lt=year_start(through + 1))
        .annotate(year=ExtractYear("transfer__created_at"))
        .values("year")
        .annotate(total=Sum("amount"))
        .order_by("year")
        .values_list("year", "total")
    )
    debits = -entries.filter(amount__lt=0).aggregate(
        total=Coalesce(Sum("amount"), Value(0))
    )["total"]
    lapsed = []
    for year, total in credits:
        used = min(total, debits)
        debits -= used
        if total > used:
            lapsed.append((year, total - used))
    return lapsed


def _candidates(*, through: int):
    """Accounts holding any points earned up to ``through`` that all their
    debits together have not used up: one aggregate over the ledger."""
    return (
        Entry.objects.filter(account__kind__in=HOLDING)
        .values("account")
        .annotate(
            unspent=Coalesce(
                Sum(
                    "amount",
                    filter=Q(
                        amount__gt=0,
                        transfer__created_at__lt=year_start(through + 1),
                    ),
                ),
                Value(0),
            )
            + Coalesce(Sum("amount", filter=Q(amount__lt=0)), Value(0))
        )
        .filter(unspent__gt=0)
        .order_by("account")
        .values_list("account", flat=True)
    )


class _Communities:
    """The community and expired-points account of each account, looked up
    once per community."""

    def __init__(self):
        self.by_area: dict[int, object] = {}
        self.sinks: dict[int, Account] = {}

    def community(self, account: Account):
        if account.kind == AccountKind.PERSON:
            return account.area
        if account.area_id not in self.by_area:
            self.by_area[account.area_id] = community_of(account.area)
        return self.by_area[account.area_id]

    def sink(self, community) -> Account:
        if community.pk not in self.sinks:
            self.sinks[community.pk] = account_open(
                kind=AccountKind.EXPIRED, community=community
            )
        return self.sinks[community.pk]


def points_expire(*, now: dt.datetime | None = None, by: User | None = None) -> int:
    """Expire every resident's and household's points whose time is up at
    ``now``; returns the number of expiry transfers written.

    Each account is handled in a transaction of its own: its row and its
    community's expired-points account are locked in primary-key order (as
    ``transfer_create`` locks them, so a redemption at the same moment
    waits or is waited for, never deadlocks), what lapses is worked out
    again under the lock, and one ``EXPIRE`` transfer per year of earning
    moves it. A year already expired for an account (its key is taken) is
    left alone, so running twice expires once, and a reversed expiry is
    not redone. ``by`` is recorded on the transfers (``None``: the system).
    """
    now = now or timezone.now()
    years = expire_after_years()
    through = last_lapsed_year(now)
    if through is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Points earned in %(year)d expired at the end of %(end)d.")
    places = _Communities()
    written = 0
    for pk in list(_candidates(through=through)):
        account = Account.objects.select_related("area").get(pk=pk)
        community = places.community(account)
        if community is None:
            continue  # a household outside any community issues nothing
        sink = places.sink(community)
        with transaction.atomic():
            list(
                Account.objects.select_for_update()
                .filter(pk__in=[account.pk, sink.pk])
                .order_by("pk")
            )
            for year, points in _lapsed_by_year(account, through=through):
                key = expiry_key(account, year)
                if Transfer.objects.filter(idempotency_key=key).exists():
                    continue
                transfer_create(
                    kind=TransferKind.EXPIRE,
                    area=community,
                    legs=[Leg(account, -points), Leg(sink, points)],
                    by=by,
                    reason=reason % {"year": year, "end": year + years},
                    idempotency_key=key,
                    now=now,
                )
                written += 1
    return written


@dataclass(frozen=True)
class ExpiryDue:
    """Points of an account that lapse at ``at`` unless spent before."""

    points: int
    at: dt.datetime


def expiry_due(*, account: Account, now: dt.datetime | None = None) -> ExpiryDue:
    """What ``account`` loses at the next year's end if it spends nothing
    more: the unspent rest of what it earned in the year that lapses then
    (and before, should an expiry not have run yet). ``points`` is 0 when
    nothing lapses or points never expire."""
    now = now or timezone.now()
    this_year = timezone.localtime(now).year
    at = year_start(this_year + 1)
    years = expire_after_years()
    if not years:
        return ExpiryDue(points=0, at=at)
    lapsed = _lapsed_by_year(account, through=this_year - years)
    return ExpiryDue(points=sum(points for _year, points in lapsed), at=at)
