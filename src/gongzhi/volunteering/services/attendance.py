"""Check-in and check-out by a QR code that changes every minute, marking
by hand, service hours and their correction, and posting the hours to the
points ledger once the organizer confirms who came.

The organizer's phone shows a code derived from the session's secret and
the current minute. A volunteer's phone scans it; the code is accepted in
its own minute and the next (so a scan at the turn of a minute works) and
never after, so a code photographed and passed round later is refused.
"""

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.rotating import (
    CodeExpired,
    CodeInvalid,
    rotating_code,
    rotating_code_check,
)
from gongzhi.points.services.accounts import resident_account
from gongzhi.points.services.earning import award_service_hours, award_withdraw

from ..models import (
    Attendance,
    AttendanceChange,
    ChangeKind,
    Method,
    Occurrence,
    SignUp,
    SignUpStatus,
)
from .changes import sessions_changed
from .rules import may_take_part, require_organizer

# Check-in opens this long before a session starts; check-out stays open
# this long after it ends, for the volunteer who forgot at the door.
EARLY = dt.timedelta(minutes=30)
LATE = dt.timedelta(hours=2)
REASON_MAX = AttendanceChange._meta.get_field("reason").max_length
# Hours are counted in quarter hours, rounded down.
QUARTER = Decimal("0.25")
CENTS = Decimal("0.01")


class Direction:
    IN = "in"
    OUT = "out"


def scan_code(
    occurrence: Occurrence, direction: str, *, now: dt.datetime | None = None
) -> str:
    """The code the organizer's screen shows this minute."""
    return rotating_code(
        secret=occurrence.secret, pk=occurrence.pk, direction=direction, now=now
    )


def code_check(
    occurrence: Occurrence, code: str, *, now: dt.datetime | None = None
) -> str:
    """The direction (in or out) of a valid code; refuses a forged code and
    one from an earlier minute, naming the field ``code``."""
    try:
        return rotating_code_check(
            secret=occurrence.secret,
            pk=occurrence.pk,
            code=code,
            directions=(Direction.IN, Direction.OUT),
            now=now,
        )
    except CodeInvalid:
        raise ValidationFailed(
            _("This is not a check-in code of this session."), field="code"
        ) from None
    except CodeExpired:
        raise ValidationFailed(
            _("This code has expired: scan the code on the organizer's screen now."),
            field="code",
        ) from None


def hours_between(
    checked_in_at: dt.datetime, checked_out_at: dt.datetime, occurrence: Occurrence
) -> Decimal:
    """Service hours: the time between check-in and check-out that falls
    within the session, in quarter hours rounded down (2 h 50 min is 2.75)."""
    start = max(checked_in_at, occurrence.starts_at)
    end = min(checked_out_at, occurrence.ends_at)
    seconds = max((end - start).total_seconds(), 0)
    hours = Decimal(int(seconds)) / Decimal(3600)
    quarters = (hours / QUARTER).to_integral_value(rounding=ROUND_DOWN)
    return (quarters * QUARTER).quantize(CENTS)


def _session(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__team__leader", "community")
        .get(pk=occurrence.pk)
    )


def _at(moment: dt.datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


def _may_check_in(occurrence: Occurrence, person, now: dt.datetime) -> None:
    if occurrence.cancelled_at or occurrence.activity.cancelled_at:
        raise TransitionNotAllowed(
            _("This session has been cancelled."), field="occurrence"
        )
    if now < occurrence.starts_at - EARLY:
        raise TransitionNotAllowed(
            _("Check-in opens at %(time)s.")
            % {"time": _at(occurrence.starts_at - EARLY)},
            field="occurrence",
        )
    if now >= occurrence.ends_at:
        raise TransitionNotAllowed(
            _("This session ended at %(time)s.") % {"time": _at(occurrence.ends_at)},
            field="occurrence",
        )
    may_take_part(person, occurrence)
    if (
        occurrence.activity.signup_required
        and not SignUp.objects.filter(
            occurrence=occurrence, person=person, status=SignUpStatus.CONFIRMED
        ).exists()
    ):
        raise TransitionNotAllowed(
            _("%(name)s has no place in this session; ask the organizer.")
            % {"name": person.name},
            field="person",
        )


def _change(attendance, kind, *, by, at, before=None, after=None, reason=""):
    AttendanceChange.objects.create(
        attendance=attendance,
        kind=kind,
        by=by if by is not None and by.is_authenticated else None,
        at=at,
        hours_before=before,
        hours_after=after,
        reason=reason,
    )


def _check_in(occurrence, person, *, by, method, now) -> Attendance:
    existing = Attendance.objects.filter(occurrence=occurrence, person=person).first()
    if existing is not None:
        raise TransitionNotAllowed(
            _("%(name)s checked in at %(time)s already.")
            % {"name": person.name, "time": _at(existing.checked_in_at)},
            field="code",
        )
    attendance = Attendance.objects.create(
        occurrence=occurrence, person=person, checked_in_at=now, in_method=method
    )
    _change(attendance, ChangeKind.CHECKED_IN, by=by, at=now)
    sessions_changed(occurrences=[occurrence])
    return attendance


def _check_out(occurrence, person, *, by, method, now) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update()
        .filter(occurrence=occurrence, person=person)
        .first()
    )
    if attendance is None:
        raise TransitionNotAllowed(
            _("%(name)s has not checked in; check in first.") % {"name": person.name},
            field="code",
        )
    if attendance.checked_out_at is not None:
        raise TransitionNotAllowed(
            _("%(name)s checked out at %(time)s already.")
            % {"name": person.name, "time": _at(attendance.checked_out_at)},
            field="code",
        )
    if now < occurrence.starts_at:
        raise TransitionNotAllowed(
            _("The session has not started yet; check out after it."),
            field="code",
        )
    if now > occurrence.ends_at + LATE:
        raise TransitionNotAllowed(
            _("This session ended at %(time)s; ask the organizer to record your hours.")
            % {"time": _at(occurrence.ends_at)},
            field="occurrence",
        )
    attendance.checked_out_at = now
    attendance.out_method = method
    attendance.hours = hours_between(attendance.checked_in_at, now, occurrence)
    attendance.save(update_fields=["checked_out_at", "out_method", "hours"])
    _change(attendance, ChangeKind.CHECKED_OUT, by=by, at=now, after=attendance.hours)
    sessions_changed(occurrences=[occurrence])
    return attendance


@transaction.atomic
def attendance_scan(
    *,
    occurrence: Occurrence,
    person,
    code: str,
    by: User | None,
    now: dt.datetime | None = None,
) -> Attendance:
    """A volunteer's scan of the organizer's code: checks her in or out,
    as the code says."""
    now = now or timezone.now()
    occurrence = _session(occurrence)
    if occurrence.confirmed_at is not None:
        raise TransitionNotAllowed(
            _("Attendance for this session has been confirmed and closed."),
            field="occurrence",
        )
    direction = code_check(occurrence, code, now=now)
    if direction == Direction.IN:
        _may_check_in(occurrence, person, now)
        return _check_in(occurrence, person, by=by, method=Method.QR, now=now)
    return _check_out(occurrence, person, by=by, method=Method.QR, now=now)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed(
            _("Give the hours as a number."), field="hours"
        ) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationFailed(_("Give the hours as a number."), field="hours")
    if hours % QUARTER:
        raise ValidationFailed(
            _("Give the hours in quarter hours (1.25, 1.5, 1.75)."), field="hours"
        )
    return hours.quantize(CENTS)


@transaction.atomic
def attendance_mark(
    *,
    occurrence: Occurrence,
    person,
    checked_in_at: dt.datetime,
    checked_out_at: dt.datetime | None,
    reason: str,
    by: User,
    request=None,
    now: dt.datetime | None = None,
) -> Attendance:
    """The organizer records by hand who came (no phone, a flat battery),
    with the times and why; written to the audit trail."""
    now = now or timezone.now()
    occurrence = _session(occurrence)
    require_organizer(by, occurrence)
    reason = text_clean(reason, field="reason", limit=REASON_MAX, required=True)
    may_take_part(person, occurrence)
    if occurrence.confirmed_at is not None:
        raise TransitionNotAllowed(
            _("Attendance for this session has been confirmed; correct hours instead."),
            field="occurrence",
        )
    if checked_in_at > now:
        raise ValidationFailed(
            _("Check-in cannot be in the future."), field="checked_in_at"
        )
    if checked_in_at >= occurrence.ends_at or (
        checked_in_at < occurrence.starts_at - EARLY
    ):
        raise ValidationFailed(
            _("Check-in must fall within the session."), field="checked_in_at"
        )
    if checked_out_at is not None and checked_out_at < checked_in_at:
        raise ValidationFailed(
            _("Check-out cannot come before check-in."), field="checked_out_at"
        )
    if checked_out_at is not None and checked_out_at > now:
        raise ValidationFailed(
            _("Check-out cannot be in the future."), field="checked_out_at"
        )
    attendance = (
        Attendance.objects.select_for_update()
        .filter(occurrence=occurrence, person=person)
        .first()
    )
    before = attendance.hours if attendance else None
    if attendance is None:
        attendance = Attendance(occurrence=occurrence, person=person)
    if attendance.pk is None or attendance.checked_in_at != checked_in_at:
        # A check-out filled in later keeps how she checked in.
        attendance.in_method = Method.HAND
    attendance.checked_in_at = checked_in_at
    attendance.checked_out_at = checked_out_at
    attendance.out_method = Method.HAND if checked_out_at else ""
    attendance.hours = (
        hours_between(checked_in_at, checked_out_at, occurrence)
        if checked_out_at
        else None
    )
    attendance.save()
    _change(
        attendance,
        ChangeKind.MARKED,
        by=by,
        at=now,
        before=before,
        after=attendance.hours,
        reason=reason,
    )
    audit_record(
        by=by,
        action=Action.ATTENDANCE_MARKED,
        target=attendance,
        area=occurrence.community,
        request=request,
        detail={"hours": str(attendance.hours), "reason": reason},
    )
    sessions_changed(occurrences=[occurrence])
    return attendance


def _post_points(
    attendance: Attendance, *, occurrence: Occurrence, key: str, now: dt.datetime
):
    """The points for an attendance's hours, through the points service."""
    activity = occurrence.activity
    if not activity.points_per_hour or not attendance.hours:
        return None
    return award_service_hours(
        account=resident_account(attendance.person),
        hours=attendance.hours,
        points_per_hour=activity.points_per_hour,
        activity=activity.title,
        attendance_key=key,
        now=now,
    )


@transaction.atomic
def hours_correct(
    *,
    attendance: Attendance,
    hours,
    reason: str,
    by: User,
    request=None,
    now: dt.datetime | None = None,
) -> Attendance:
    """The organizer corrects a volunteer's hours, saying why. Once points
    were posted for them, the award is withdrawn and the corrected hours
    awarded afresh (refused if the volunteer has spent the points)."""
    now = now or timezone.now()
    occurrence = _session(attendance.occurrence)
    require_organizer(by, occurrence)
    attendance = (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=attendance.pk)
    )
    hours = _hours(hours)
    reason = text_clean(reason, field="reason", limit=REASON_MAX, required=True)
    longest = hours_between(occurrence.starts_at, occurrence.ends_at, occurrence)
    if hours > longest:
        raise ValidationFailed(
            _("At most %(hours)s hours: the length of the session.")
            % {"hours": longest.normalize()},
            field="hours",
        )
    before = attendance.hours
    if hours == before:
        raise ValidationFailed(
            _("These are the hours already recorded."), field="hours"
        )
    attendance.hours = hours
    attendance.corrected = True
    if occurrence.confirmed_at is not None:
        if attendance.award is not None:
            award_withdraw(award=attendance.award, reason=reason, by=by, now=now)
        n = attendance.changes.filter(kind=ChangeKind.CORRECTED).count() + 1
        attendance.award = _post_points(
            attendance, occurrence=occurrence, key=f"{attendance.pk}:{n}", now=now
        )
    attendance.save(update_fields=["hours", "corrected", "award"])
    _change(
        attendance,
        ChangeKind.CORRECTED,
        by=by,
        at=now,
        before=before,
        after=hours,
        reason=reason,
    )
    audit_record(
        by=by,
        action=Action.HOURS_CORRECTED,
        target=attendance,
        area=occurrence.community,
        request=request,
        detail={"before": str(before), "after": str(hours), "reason": reason},
    )
    sessions_changed(occurrences=[occurrence])
    return attendance


@transaction.atomic
def occurrence_confirm(
    *, occurrence: Occurrence, by: User, now: dt.datetime | None = None
) -> Occurrence:
    """After the session, the organizer confirms who came: attendance
    closes and each volunteer's hours are posted as points (hours × the
    activity's points per hour). Confirming again changes nothing."""
    now = now or timezone.now()
    occurrence = _session(occurrence)
    require_organizer(by, occurrence)
    if occurrence.confirmed_at is not None:
        return occurrence
    if now < occurrence.ends_at:
        raise TransitionNotAllowed(
            _("Confirm attendance after the session ends at %(time)s.")
            % {"time": _at(occurrence.ends_at)},
            field="occurrence",
        )
    for attendance in (
        Attendance.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(occurrence=occurrence)
        .order_by("pk")
    ):
        attendance.award = _post_points(
            attendance, occurrence=occurrence, key=str(attendance.pk), now=now
        )
        if attendance.award is not None:
            attendance.save(update_fields=["award"])
            _change(
                attendance,
                ChangeKind.CONFIRMED,
                by=by,
                at=now,
                after=attendance.hours,
            )
    occurrence.confirmed_at = now
    occurrence.confirmed_by = by
    occurrence.save(update_fields=["confirmed_at", "confirmed_by"])
    return occurrence
