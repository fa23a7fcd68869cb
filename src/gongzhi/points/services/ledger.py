"""Every write to the points ledger.

``transfer_create`` is the one door: it checks everything first, then locks
the accounts in primary-key order, writes the transfer and its entries, and
moves the cached balances with ``F()`` in the same database transaction. A
refusal is raised before any write, so it changes nothing.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import DomainError, TransitionNotAllowed, ValidationFailed
from gongzhi.core.idempotency import idempotency_key_clean, replay

from ..models import (
    MAY_GO_NEGATIVE,
    SINK_SHARDS,
    Account,
    AccountKind,
    Entry,
    Transfer,
    TransferKind,
)
from .changes import points_changed

REASON_MAX = Transfer._meta.get_field("reason").max_length


class InsufficientPoints(DomainError):
    default_message = _("Not enough points for this.")
    status_code = 409


@dataclass(frozen=True)
class Leg:
    """One side of a transfer: points into (positive) or out of an account."""

    account: Account
    amount: int


def account_open(
    *,
    kind: str,
    community: Area,
    person=None,
    household: Area | None = None,
    shard: int = 0,
) -> Account:
    """The account of ``kind`` for a community, a resident or a household,
    opened on first use. Opening twice returns the first. A community's
    redeemed points are kept in ``SINK_SHARDS`` accounts: ``shard`` picks
    one (see ``sink_for``)."""
    if community.kind != Kind.COMMUNITY:
        raise ValidationFailed(
            _("Points are issued by a community."), field="community"
        )
    if kind == AccountKind.PERSON:
        if person is None:
            raise ValidationFailed(_("Name the resident."), field="person")
        lookup = {"kind": kind, "person": person}
        defaults = {"area": community}
    elif kind == AccountKind.HOUSEHOLD:
        if household is None or household.kind != Kind.HOUSEHOLD:
            raise ValidationFailed(_("Name the household."), field="household")
        lookup = {"kind": kind, "area": household}
        defaults = {}
    elif kind in AccountKind.values:
        lookup = {"kind": kind, "area": community, "shard": 0}
        if kind == AccountKind.REDEEMED:
            lookup["shard"] = shard % SINK_SHARDS
        defaults = {}
    else:
        raise ValidationFailed(_("Unknown account kind."), field="kind")
    # get_or_create inserts in a savepoint of its own and, should a
    # concurrent request open the account between its read and its insert,
    # reads that one; an account opened already costs one SELECT.
    account, _created = Account.objects.get_or_create(**lookup, defaults=defaults)
    return account


# What one person may enter at once. A trillion points is a typing error
# or an attack, never a deed; the bounds live here, so the forms, the API
# and the services say the same.
MAX_AWARD = 10_000  # points for one deed or one award
MAX_CAP = 1_000  # times a deed counts per person and period
MAX_PRICE = 100_000  # points for one piece of goods
MAX_STOCK = 100_000  # pieces on a shelf, put there or taken at once
MAX_LIMIT = 1_000  # pieces per person and period
MAX_POOL = 1_000_000  # points moved into a household's account at once


def whole_number(value, *, field: str, least: int, most: int | None = None) -> int:
    """``value`` if it is a whole number from ``least`` to ``most``."""
    # bool is an int to Python and 2.0 equals 2; neither is a count.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Enter a whole number."), field=field)
    if most is not None and not least <= value <= most:
        raise ValidationFailed(
            _("Enter a number from %(least)d to %(most)d.")
            % {"least": least, "most": most},
            field=field,
        )
    if value < least:
        raise ValidationFailed(
            _("Enter a number of at least %(least)d.") % {"least": least}, field=field
        )
    return value


def _whole_points(amount) -> int:
    # bool is an int to Python and 1.0 equals 1; neither is a points amount.
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed(_("Points are whole numbers."), field="amount")
    if amount == 0:
        raise ValidationFailed(
            _("A ledger entry cannot be zero points."), field="amount"
        )
    return amount


def _fingerprint(*, kind, area, reason, by, reverses, legs) -> str:
    body = {
        "kind": kind,
        "area": area.pk,
        "reason": reason,
        "by": by.pk if by else None,
        "reverses": reverses.pk if reverses else None,
        "legs": sorted([leg.account.pk, leg.amount] for leg in legs),
    }
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def sink_for(account: Account, community: Area) -> Account:
    """The redeemed-points account ``account`` pays its orders into: always
    the same one of the community's shards, so a cancelled order's refund
    comes back out of the account it went into."""
    return account_open(
        kind=AccountKind.REDEEMED, community=community, shard=account.pk
    )


def accounts_lock(accounts) -> dict[int, Account]:
    """Lock ``accounts`` in primary-key order (the order every transfer
    locks in, so two never wait for each other in a cycle) and return them
    fresh, by pk. Refuses, naming the legs, when one does not exist."""
    pks = {account.pk for account in accounts}
    locked = {
        account.pk: account
        for account in Account.objects.select_for_update()
        .filter(pk__in=pks)
        .order_by("pk")
    }
    if len(locked) != len(pks):
        raise ValidationFailed(
            _("A points account of the transfer does not exist."), field="legs"
        )
    return locked


@transaction.atomic
def transfer_create(
    *,
    kind: str,
    area: Area,
    legs: Sequence[Leg],
    by: User | None,
    reason: str,
    idempotency_key: str,
    reverses: Transfer | None = None,
    now: dt.datetime | None = None,
    locked: dict[int, Account] | None = None,
) -> Transfer:
    """Move points between accounts as one balanced transfer.

    Refuses, writing nothing: an unknown kind, an area that is not a
    community, a missing reason or key, fewer than two legs, an account
    named twice, amounts that are not whole non-zero numbers or do not sum
    to zero, and any account but an issuing one going below zero. The same
    key with the same request returns the first transfer (``replayed`` set
    on it); with a different request it is an ``IdempotencyConflict``.
    Locks the accounts in primary-key order, unless the caller did so
    already with ``accounts_lock`` in this transaction and passes what it
    returned as ``locked``. ``now`` is when the transfer is dated (the
    moment of the award or order it pays), by default the present.
    """
    if kind not in TransferKind.values:
        raise ValidationFailed(_("Unknown transfer kind."), field="kind")
    if area is None or area.kind != Kind.COMMUNITY:
        raise ValidationFailed(_("Points are issued by a community."), field="area")
    key = idempotency_key_clean(idempotency_key)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give a reason for the transfer."), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("The reason is longer than %(max)d characters.") % {"max": REASON_MAX},
            field="reason",
        )
    legs = list(legs)
    if len(legs) < 2:
        raise ValidationFailed(
            _("A transfer moves points between two accounts at least."), field="legs"
        )
    for leg in legs:
        _whole_points(leg.amount)
    if len({leg.account.pk for leg in legs}) != len(legs):
        raise ValidationFailed(
            _("An account appears twice in the transfer."), field="legs"
        )
    if sum(leg.amount for leg in legs) != 0:
        raise ValidationFailed(
            _("The entries of a transfer must sum to zero."), field="legs"
        )
    fingerprint = _fingerprint(
        kind=kind, area=area, reason=reason, by=by, reverses=reverses, legs=legs
    )
    if locked is None:
        if (
            first := replay(Transfer.objects, key=key, fingerprint=fingerprint)
        ) is not None:
            return first
        # Lock in pk order: two transfers between the same pair of accounts
        # then always wait for each other instead of deadlocking.
        locked = accounts_lock(leg.account for leg in legs)
        # A concurrent retry may have committed while this one waited.
        if (
            first := replay(Transfer.objects, key=key, fingerprint=fingerprint)
        ) is not None:
            return first
    elif not {leg.account.pk for leg in legs} <= set(locked):
        raise ValueError("transfer_create: every leg's account must be locked")
    # A caller holding the locks already looked for its own retry under
    # them; a key taken meanwhile still meets the unique index below.
    for leg in legs:
        account = locked[leg.account.pk]
        if account.kind not in MAY_GO_NEGATIVE and account.balance + leg.amount < 0:
            raise InsufficientPoints(
                _("Not enough points: the balance is %(balance)d, %(needed)d needed.")
                % {"balance": account.balance, "needed": -leg.amount},
                field="amount",
            )
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                kind=kind,
                area=area,
                reason=reason,
                by=by,
                idempotency_key=key,
                fingerprint=fingerprint,
                reverses=reverses,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        # The same key on other accounts, committed meanwhile; or the
        # transfer to reverse was reversed meanwhile.
        if (
            first := replay(Transfer.objects, key=key, fingerprint=fingerprint)
        ) is not None:
            return first
        raise TransitionNotAllowed(
            _("This transfer has already been reversed."), field="reverses"
        ) from None
    Entry.objects.bulk_create(
        Entry(transfer=transfer, account_id=leg.account.pk, amount=leg.amount)
        for leg in legs
    )
    # Every balance in one statement.
    Account.objects.filter(pk__in=[leg.account.pk for leg in legs]).update(
        balance=F("balance")
        + Case(
            *(When(pk=leg.account.pk, then=Value(leg.amount)) for leg in legs),
            output_field=BigIntegerField(),
        )
    )
    points_changed(community_id=area.pk, moments=[transfer.created_at])
    transfer.replayed = False
    return transfer


def transfer_reverse(
    *,
    transfer: Transfer,
    by: User | None,
    reason: str,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Transfer:
    """Undo ``transfer`` with a new one that moves every entry back and
    points to it. A transfer is reversed once; a reversal is not itself
    reversed (make a new transfer instead); a reversal that would take a
    resident below zero (the points were spent) is refused."""
    if transfer.kind == TransferKind.REVERSAL:
        raise TransitionNotAllowed(
            _("A reversal cannot itself be reversed; make a new transfer."),
            field="reverses",
        )
    legs = [
        Leg(account=entry.account, amount=-entry.amount)
        for entry in transfer.entries.select_related("account").order_by("pk")
    ]
    with transaction.atomic():
        existing = Transfer.objects.filter(reverses=transfer).first()
        if (
            existing is not None
            and existing.idempotency_key != (idempotency_key or "").strip()
        ):
            raise TransitionNotAllowed(
                _("This transfer has already been reversed."), field="reverses"
            )
        return transfer_create(
            kind=TransferKind.REVERSAL,
            area=transfer.area,
            legs=legs,
            by=by,
            reason=reason,
            idempotency_key=idempotency_key,
            reverses=transfer,
            now=now,
        )
