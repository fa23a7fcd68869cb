"""Signing up for a session: a place while there are places, else the
waiting list, whose first person moves up when someone cancels.

Every change locks the session's row first, so two residents taking the
last place at once get one place and one waiting-list spot, never two
places (the row's ``signed_up`` counter, checked against ``capacity`` by a
database constraint, is the last line of defence).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce

from ..events import PLACE_FREED
from ..models import Activity, ActivityStatus, Occurrence, SignUp, SignUpStatus
from .rules import may_organize, may_take_part


class Full(TransitionNotAllowed):
    """Every place is taken and the caller did not ask to wait."""


def _locked(occurrence: Occurrence) -> Occurrence:
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity", "community")
        .get(pk=occurrence.pk)
    )


def _open_for_signup(occurrence: Occurrence, now: dt.datetime) -> None:
    # The activity's status read again after the session's lock: a
    # cancellation that held the lock has committed by now.
    status = (
        Activity.objects.filter(pk=occurrence.activity_id)
        .values_list("status", flat=True)
        .first()
    )
    if (
        occurrence.cancelled_at
        or occurrence.activity.cancelled_at
        or status == ActivityStatus.CANCELLED
    ):
        raise TransitionNotAllowed(
            _("This session has been cancelled."), field="occurrence"
        )
    if status == ActivityStatus.FINISHED:
        raise TransitionNotAllowed(
            _("This activity has finished; it takes no more sign-ups."),
            field="occurrence",
        )
    if not occurrence.activity.signup_required:
        raise ValidationFailed(
            _("This activity needs no sign-up: just come along."),
            field="occurrence",
        )
    closes = occurrence.signup_closes_at or occurrence.starts_at
    if now >= closes:
        raise TransitionNotAllowed(
            _("Sign-up closed at %(time)s.")
            % {"time": date_format(timezone.localtime(closes), "DATETIME_FORMAT")},
            field="occurrence",
        )


@transaction.atomic
def signup_create(
    *,
    occurrence: Occurrence,
    person,
    by: User | None,
    wait: bool = False,
    now: dt.datetime | None = None,
) -> SignUp:
    """Sign ``person`` up for a session. With every place taken she joins
    the waiting list if ``wait`` is set, and is refused (``Full``) if not.
    Signing up again while signed up or waiting is refused."""
    now = now or timezone.now()
    occurrence = _locked(occurrence)
    _open_for_signup(occurrence, now)
    if by is not None and not (by.pk == person.user_id or may_organize(by, occurrence)):
        raise NotAllowed(_("You may sign up only yourself."))
    may_take_part(person, occurrence)
    if (
        SignUp.objects.filter(occurrence=occurrence, person=person)
        .exclude(status=SignUpStatus.CANCELLED)
        .exists()
    ):
        raise TransitionNotAllowed(
            _("%(name)s has signed up for this session already.")
            % {"name": person.name},
            field="person",
        )
    full = (
        occurrence.capacity is not None and occurrence.signed_up >= occurrence.capacity
    )
    if full and not wait:
        raise Full(
            _("All %(n)d places are taken; join the waiting list instead.")
            % {"n": occurrence.capacity},
            field="occurrence",
        )
    signup = SignUp.objects.create(
        occurrence=occurrence,
        person=person,
        status=SignUpStatus.WAITING if full else SignUpStatus.CONFIRMED,
        created_at=now,
        by=by,
    )
    if not full:
        occurrence.signed_up += 1
        occurrence.save(update_fields=["signed_up"])
    return signup


@transaction.atomic
def signup_cancel(
    *, signup: SignUp, by: User | None, now: dt.datetime | None = None
) -> SignUp:
    """Give up a place (or a spot on the waiting list) before the session
    starts. A freed place goes to the first person waiting."""
    now = now or timezone.now()
    occurrence = _locked(signup.occurrence)
    signup = SignUp.objects.select_related("person").get(pk=signup.pk)
    if by is not None and not (
        by.pk == signup.person.user_id or may_organize(by, occurrence)
    ):
        raise NotAllowed(_("You may cancel only your own sign-up."))
    if signup.status == SignUpStatus.CANCELLED:
        raise TransitionNotAllowed(
            _("This sign-up is cancelled already."), field="signup"
        )
    if now >= occurrence.starts_at:
        raise TransitionNotAllowed(
            _("The session has started; a sign-up cannot be cancelled now."),
            field="signup",
        )
    had_place = signup.status == SignUpStatus.CONFIRMED
    signup.status = SignUpStatus.CANCELLED
    signup.cancelled_at = now
    signup.save(update_fields=["status", "cancelled_at"])
    if had_place:
        occurrence.signed_up -= 1
        first = (
            SignUp.objects.select_for_update()
            .filter(occurrence=occurrence, status=SignUpStatus.WAITING)
            .order_by("created_at", "pk")
            .first()
        )
        if first is not None:
            first.status = SignUpStatus.CONFIRMED
            first.promoted_at = now
            first.save(update_fields=["status", "promoted_at"])
            occurrence.signed_up += 1
            announce(
                PLACE_FREED,
                signup_id=first.pk,
                occurrence_id=occurrence.pk,
                now=now,
            )
        occurrence.save(update_fields=["signed_up"])
    return signup
