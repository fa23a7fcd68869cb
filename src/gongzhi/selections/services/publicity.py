"""Publicity (公示): anyone logged in may object to a winner with a reason
while it runs; staff investigate and answer; a sustained objection
withdraws the candidate, and the roll then says nothing of them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed
from gongzhi.core.hooks import announce
from gongzhi.core.workflow import transition

from ..flows import NOMINATION_FLOW, OBJECTION_FLOW
from ..models import (
    Nomination,
    NominationStatus,
    Objection,
    SelectionStatus,
)

REASON_MAX = 1000


def publicity_open(nomination: Nomination, now: dt.datetime) -> bool:
    selection = nomination.selection
    return (
        nomination.status == NominationStatus.PUBLICITY
        and selection.status == SelectionStatus.PUBLICITY
        and selection.publicity_ends is not None
        and now < selection.publicity_ends
    )


@transaction.atomic
def objection_raise(
    *, nomination: Nomination, by: User, reason: str, now: dt.datetime | None = None
) -> Objection:
    """Object to a nominee in publicity, before it ends."""
    now = now or timezone.now()
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("Log in to object."))
    nomination = Nomination.objects.select_related("selection").get(pk=nomination.pk)
    if not publicity_open(nomination, now):
        raise TransitionNotAllowed(
            _("Publicity has closed; objections are no longer taken."),
            field="nomination",
        )
    reason = text_clean(reason, field="reason", limit=REASON_MAX, required=True)
    objection = Objection.objects.create(
        nomination=nomination, by=by, reason=reason, created_at=now
    )
    OBJECTION_FLOW.begin(objection, action="raise", by=by, now=now)
    announce("selections.objection_raised", objection=objection)
    return objection


def objection_answer(
    *,
    objection: Objection,
    action: str,
    answer: str,
    by: User,
    now: dt.datetime | None = None,
) -> Objection:
    """Staff's answer after investigating: ``sustain`` withdraws the
    nominee (with the answer as the reason), ``dismiss`` keeps them."""
    answer = text_clean(answer, field="answer", limit=REASON_MAX, required=True)

    def change(row, at):
        row.answer = answer
        if action == "sustain" and row.nomination.status == NominationStatus.PUBLICITY:
            transition(
                NOMINATION_FLOW,
                row=row.nomination_id,
                action="withdraw",
                by=by,
                now=at,
                reason=_("Objection sustained."),
            )

    done = transition(
        OBJECTION_FLOW,
        row=objection,
        action=action,
        by=by,
        reason=answer,
        change=change,
        now=now,
    )
    announce("selections.objection_answered", objection=done)
    return done
