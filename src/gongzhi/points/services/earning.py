"""Earning points: catalog deeds within caps, service hours, one-off awards,
and the second pair of eyes (maker–checker) on large ones.

An award is checked in full before it is recorded. Under the approval
threshold it pays at once; over it, it waits, and no point moves until a
person other than its maker approves it.
"""

import datetime as dt
import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.core.errors import (
    DomainError,
    NotAllowed,
    ValidationFailed,
)
from gongzhi.core.hooks import announce
from gongzhi.core.idempotency import idempotency_key_clean, replay
from gongzhi.core.workflow import Workflow, move, transition
from gongzhi.residents.homes import last_known_home

from ..events import AWARDED
from ..models import (
    Account,
    AccountKind,
    Award,
    AwardStatus,
    AwardStep,
    EarningItem,
    LimitPeriod,
    TransferKind,
)
from .ledger import (
    MAX_AWARD,
    MAX_CAP,
    Leg,
    account_open,
    transfer_create,
    transfer_reverse,
    whole_number,
)
from .shop import period_start

REASON_MAX = Award._meta.get_field("reason").max_length
NAME_MAX = EarningItem._meta.get_field("name").max_length
NOTE_MAX = Award._meta.get_field("decision_note").max_length


class CapReached(DomainError):
    default_message = _("This deed has reached its limit for the period.")
    status_code = 409


def approval_threshold() -> int:
    """Awards above this many points wait for a second person."""
    return getattr(settings, "GONGZHI_POINTS_APPROVAL_OVER", 50)


def _reason(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Give a reason for the award."), field="reason")
    if len(value) > REASON_MAX:
        raise ValidationFailed(
            _("The reason is longer than %(max)d characters.") % {"max": REASON_MAX},
            field="reason",
        )
    return value


@transaction.atomic
def item_create(
    *,
    community: Area,
    name: str,
    points: int,
    by: User,
    cap: int | None = None,
    cap_period: str = LimitPeriod.MONTH,
) -> EarningItem:
    """Add a deed to a community's catalog."""
    if community.kind != Kind.COMMUNITY:
        raise ValidationFailed(
            _("Points are issued by a community."), field="community"
        )
    if not in_scope(by, community, Perm.POINTS_MANAGE):
        raise NotAllowed()
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter the name of the deed."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX},
            field="name",
        )
    whole_number(points, field="points", least=1, most=MAX_AWARD)
    if cap is not None:
        whole_number(cap, field="cap", least=1, most=MAX_CAP)
    if cap_period not in LimitPeriod.values:
        raise ValidationFailed(_("Unknown limit period."), field="cap_period")
    if EarningItem.objects.filter(community=community, name=name).exists():
        raise ValidationFailed(_("This deed is already on the catalog."), field="name")
    position = EarningItem.objects.filter(community=community).count()
    return EarningItem.objects.create(
        community=community,
        name=name,
        points=points,
        cap=cap,
        cap_period=cap_period,
        position=position,
    )


def _person_account(account: Account, *, by: User | None, perm: str) -> Area:
    """The community of a resident's account, after checking that ``by``
    may award where the resident lives."""
    if account.kind != AccountKind.PERSON:
        raise ValidationFailed(_("Points are awarded to a resident."), field="account")
    person = account.person
    home = last_known_home(person)
    if by is not None and not in_scope(by, home, perm):
        raise NotAllowed(_("You may not award points to this resident."))
    return account.area


def _pay(award: Award, *, by: User | None, now: dt.datetime) -> Award:
    issuing = account_open(kind=AccountKind.ISSUING, community=award.community)
    award.transfer = transfer_create(
        kind=TransferKind.EARN,
        area=award.community,
        legs=[Leg(issuing, -award.points), Leg(award.account, award.points)],
        by=by,
        reason=award.reason,
        idempotency_key=f"award:{award.pk}",
        now=now,
    )
    award.status = AwardStatus.PAID
    announce(
        AWARDED,
        award_id=award.pk,
        account_id=award.account_id,
        points=award.points,
        now=now,
    )
    return award


@transaction.atomic
def award_create(
    *,
    account: Account,
    by: User | None,
    idempotency_key: str,
    item: EarningItem | None = None,
    points: int | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Award:
    """Award a catalog deed (its points, within its cap) or a one-off number
    of points with a reason. Pays at once up to the approval threshold;
    above it the award waits for ``award_approve``. ``by`` must hold
    points.award where the resident lives (``None`` is the system, for
    service hours). A retry with the same key returns the first award."""
    now = now or timezone.now()
    key = idempotency_key_clean(idempotency_key)
    community = _person_account(account, by=by, perm=Perm.POINTS_AWARD)
    if item is not None:
        if item.community_id != community.pk or not item.active:
            raise ValidationFailed(
                _("This deed is not on the community's catalog."), field="item"
            )
        points = item.points
        reason = (reason or "").strip() or item.name
    else:
        points = whole_number(points, field="points", least=1, most=MAX_AWARD)
    reason = _reason(reason)
    fingerprint = hashlib.sha256(
        json.dumps(
            [
                account.pk,
                item.pk if item else None,
                points,
                reason,
                by.pk if by else None,
            ]
        ).encode()
    ).hexdigest()
    if (first := replay(Award.objects, key=key, fingerprint=fingerprint)) is not None:
        return first
    if item is not None and item.cap is not None:
        # Lock the resident's row so two awards of the same deed to the same
        # resident count each other; with the issuing account and in pk
        # order, as transfer_create locks them, so no two awards deadlock.
        issuing = account_open(kind=AccountKind.ISSUING, community=community)
        list(
            Account.objects.select_for_update()
            .filter(pk__in=[account.pk, issuing.pk])
            .order_by("pk")
        )
        if (
            first := replay(Award.objects, key=key, fingerprint=fingerprint)
        ) is not None:
            return first
        had = (
            Award.objects.filter(
                account=account,
                item=item,
                requested_at__gte=period_start(item.cap_period, now),
            )
            .exclude(status=AwardStatus.REJECTED)
            .aggregate(n=Count("pk"))["n"]
        )
        if had >= item.cap:
            raise CapReached(
                _("%(item)s: at most %(cap)d times %(period)s for each person.")
                % {
                    "item": item.name,
                    "cap": item.cap,
                    "period": item.get_cap_period_display(),
                },
                field="item",
            )
    award = Award.objects.create(
        community=community,
        account=account,
        item=item,
        points=points,
        reason=reason,
        status=AwardStatus.PENDING,
        idempotency_key=key,
        fingerprint=fingerprint,
        requested_by=by,
        requested_at=now,
    )
    if points <= approval_threshold():
        _pay(award, by=by, now=now)
        award.save(update_fields=["transfer", "status"])
    AWARD_FLOW.begin(award, action="award", by=by, now=now, note=reason)
    award.replayed = False
    return award


def _checker(award: Award, by: User | None) -> None:
    """Maker–checker: a second person with points.manage where the
    resident lives decides a waiting award."""
    _person_account(award.account, by=by, perm=Perm.POINTS_MANAGE)
    if award.requested_by_id == by.pk:
        raise NotAllowed(_("A second person must approve an award; you made this one."))


_DECIDED = _("This award has already been decided.")

# An award's table. Withdrawing (service hours corrected) turns a waiting
# award down, or reverses a paid one by a new transfer (it stays paid).
AWARD_FLOW = Workflow(
    model=Award,
    history=AwardStep,
    subject="award",
    moves={
        "approve": move(
            {AwardStatus.PENDING}, AwardStatus.PAID, guard=_checker, refused=_DECIDED
        ),
        "reject": move(
            {AwardStatus.PENDING},
            AwardStatus.REJECTED,
            guard=_checker,
            reason=True,
            refused=_DECIDED,
        ),
        "withdraw": move({AwardStatus.PENDING}, AwardStatus.REJECTED, reason=True),
        "reverse": move({AwardStatus.PAID}, None, reason=True),
    },
    labels={
        "award": _("Award made"),
        "approve": _("Approved and paid"),
        "reject": _("Rejected"),
        "withdraw": _("Withdrawn"),
        "reverse": _("Reversed"),
    },
    related=("account__person",),
    reason_field="note",
    reason_max=NOTE_MAX,
)


@transaction.atomic
def award_approve(*, award: Award, by: User, now: dt.datetime | None = None) -> Award:
    """Pay a waiting award. Refuses its own maker, anyone without
    points.manage where the resident lives, and an award decided already."""

    def change(item: Award, at: dt.datetime) -> None:
        _pay(item, by=by, now=at)
        item.decided_by, item.decided_at = by, at

    return transition(
        AWARD_FLOW, row=award, action="approve", by=by, now=now, change=change
    )


@transaction.atomic
def award_reject(
    *, award: Award, by: User, note: str, now: dt.datetime | None = None
) -> Award:
    """Turn a waiting award down with a note its maker reads; nothing moves."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("Say why the award is turned down."), field="note")
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            _("Keep it within %(max)d characters.") % {"max": NOTE_MAX}, field="note"
        )

    def change(item: Award, at: dt.datetime) -> None:
        item.decided_by, item.decided_at = by, at
        item.decision_note = note

    return transition(
        AWARD_FLOW,
        row=award,
        action="reject",
        by=by,
        reason=note,
        now=now,
        change=change,
    )


def hours_points(*, hours: Decimal, points_per_hour: int) -> int:
    """Whole points for service hours, halves rounded up: 1.5 h at 3 points
    an hour is 5 points."""
    value = (Decimal(hours) * points_per_hour).quantize(Decimal(1), ROUND_HALF_UP)
    return int(value)


def award_service_hours(
    *,
    account: Account,
    hours: Decimal,
    points_per_hour: int,
    activity: str,
    attendance_key: str,
    by: User | None = None,
    now: dt.datetime | None = None,
) -> Award | None:
    """What the volunteering app calls when an organizer confirms
    attendance: hours × the activity's points per hour, once per
    attendance however often confirmation is sent. No points, no award."""
    if Decimal(hours) < 0:
        raise ValidationFailed(_("Hours cannot be negative."), field="hours")
    points = hours_points(hours=hours, points_per_hour=points_per_hour)
    if points < 1:
        return None
    reason = _("Service: %(activity)s, %(hours)s h") % {
        "activity": activity,
        "hours": Decimal(hours).normalize(),
    }
    return award_create(
        account=account,
        by=by,
        idempotency_key=f"attendance:{attendance_key}",
        points=points,
        reason=str(reason)[:REASON_MAX],
        now=now,
    )


@transaction.atomic
def award_withdraw(
    *, award: Award, reason: str, by: User | None, now: dt.datetime | None = None
) -> Award:
    """Take back an award whose grounds changed (service hours corrected
    after they were posted): one still waiting for approval is turned down,
    one paid is reversed by a new transfer. Refused, changing nothing, when
    the resident has already spent the points."""
    reason = str(reason).strip()
    if not reason or len(reason) > NOTE_MAX:
        raise ValidationFailed(
            _("Say why, within %(max)d characters.") % {"max": NOTE_MAX},
            field="reason",
        )
    now = now or timezone.now()
    award = AWARD_FLOW.lock(award)
    if award.status == AwardStatus.PENDING:

        def change(item: Award, at: dt.datetime) -> None:
            item.decided_by, item.decided_at = by, at
            item.decision_note = reason

        return transition(
            AWARD_FLOW,
            row=award,
            action="withdraw",
            by=by,
            reason=reason,
            now=now,
            change=change,
        )
    # Sent again (a retry), a reversal done already is not recorded twice.
    if (
        award.status == AwardStatus.PAID
        and not award.steps.filter(action="reverse").exists()
    ):
        extra = {}

        def reverse(item: Award, at: dt.datetime) -> None:
            back = transfer_reverse(
                transfer=item.transfer,
                by=by,
                reason=reason,
                idempotency_key=f"withdraw:{item.idempotency_key}",
                now=at,
            )
            extra["transfer"] = back.pk

        return transition(
            AWARD_FLOW,
            row=award,
            action="reverse",
            by=by,
            reason=reason,
            now=now,
            change=reverse,
            extra=extra,
        )
    return award
