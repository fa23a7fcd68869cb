"""Party members' 双报到: a member registers at the community she lives in
with her work unit, the community confirms or declines, and either side
may end it later.

One table, one door: every change of status goes through
``registration_transition`` (on ``core.workflow``), which refuses before
writing, records who and when on the registration itself and appends a
``RegistrationStep`` (the history the member and staff read).
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.workflow import Workflow, move, reason_clean, transition
from gongzhi.residents.homes import current_community

from ..events import CHANGED
from ..models import REGISTRATION_OPEN, PartyRegistration, RegistrationStep
from ..models import RegistrationStatus as Status

WORK_UNIT_MAX = PartyRegistration._meta.get_field("work_unit").max_length
NOTE_MAX = PartyRegistration._meta.get_field("note").max_length

STAFF, MEMBER = "staff", "member"

TRANSITIONS = {  # action: (allowed sources, target, who)
    "confirm": move({Status.REGISTERED}, Status.CONFIRMED, STAFF),
    "decline": move({Status.REGISTERED}, Status.DECLINED, STAFF),
    "end": move({Status.REGISTERED, Status.CONFIRMED}, Status.ENDED, STAFF, MEMBER),
}

ACTION_LABELS = {
    "register": _lazy("Registered"),
    "confirm": _lazy("Confirmed"),
    "decline": _lazy("Declined"),
    "end": _lazy("Ended"),
}


def may_decide(user: User, registration: PartyRegistration) -> bool:
    """Staff of the registration's community (org.manage there)."""
    return in_scope(user, registration.community, Perm.ORG_MANAGE)


def _permit(user: User, who: frozenset, registration: PartyRegistration) -> bool:
    if STAFF in who and may_decide(user, registration):
        return True
    return MEMBER in who and user.pk == registration.person.user_id


FLOW = Workflow(
    model=PartyRegistration,
    history=RegistrationStep,
    subject="registration",
    moves=TRANSITIONS,
    labels=ACTION_LABELS,
    permit=_permit,
    refusal=lambda who, row: _("Only staff of the community may decide."),
    refused=_lazy("This registration is %(status)s already."),
    related=("person", "community"),
    reason_field="note",
    reason_max=NOTE_MAX,
)


@transaction.atomic
def registration_create(
    *, person, work_unit: str, by: User, now: dt.datetime | None = None
) -> PartyRegistration:
    """The member registers herself (or community staff register her) at
    the community she lives in. Refused when she has no home, or a
    registration awaiting confirmation or confirmed already."""
    community = current_community(person)
    if community is None:
        raise ValidationFailed(
            _("%(name)s has no home recorded in any community.")
            % {"name": person.name},
            field="person",
        )
    if by.pk != person.user_id and not in_scope(by, community, Perm.ORG_MANAGE):
        raise NotAllowed(_("You may register only yourself."))
    work_unit = text_clean(
        work_unit, field="work_unit", limit=WORK_UNIT_MAX, required=True
    )
    refusal = TransitionNotAllowed(
        _("%(name)s has registered already.") % {"name": person.name},
        field="person",
    )
    if PartyRegistration.objects.filter(
        person=person, status__in=REGISTRATION_OPEN
    ).exists():
        raise refusal
    now = now or timezone.now()
    try:
        with transaction.atomic():
            made = PartyRegistration.objects.create(
                person=person,
                community=community,
                work_unit=work_unit,
                registered_at=now,
                registered_by=by,
            )
    except IntegrityError:  # a second tap that raced the first
        raise refusal from None
    FLOW.begin(made, action="register", by=by, now=now)
    return made


@transaction.atomic
def registration_transition(
    *,
    registration: PartyRegistration,
    action: str,
    by: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> PartyRegistration:
    """Confirm or decline (staff of the community alone), or end (the
    member herself, or staff), with an optional note. Locks the
    registration; refuses an action its status does not allow, changing
    nothing; records the step in the registration's history."""

    def change(item: PartyRegistration, at: dt.datetime) -> None:
        if action == "end":
            item.ended_at, item.ended_by = at, by
        else:
            item.decided_at, item.decided_by = at, by
        if note:
            item.note = note

    note = reason_clean(FLOW, action, note)
    registration = transition(
        FLOW,
        row=registration,
        action=action,
        by=by,
        reason=note,
        now=now,
        change=change,
    )
    # Which hours count as a member's changes with her registration.
    announce(
        CHANGED,
        community_ids=[registration.community_id],
        days=[timezone.localdate(now) if now else timezone.localdate()],
    )
    return registration
