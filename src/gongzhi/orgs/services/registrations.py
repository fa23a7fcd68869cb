"""Party members' 双报到: a member registers at the community she lives in
with her work unit, the community confirms or declines, and either side
may end it later.

One table, one door: every change of status goes through
``registration_transition``, which refuses before writing and records who
and when on the registration itself.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.residents.homes import current_community

from ..models import REGISTRATION_OPEN, PartyRegistration
from ..models import RegistrationStatus as Status

WORK_UNIT_MAX = PartyRegistration._meta.get_field("work_unit").max_length
NOTE_MAX = PartyRegistration._meta.get_field("note").max_length

TRANSITIONS = {  # action: (allowed sources, target)
    "confirm": ({Status.REGISTERED}, Status.CONFIRMED),
    "decline": ({Status.REGISTERED}, Status.DECLINED),
    "end": ({Status.REGISTERED, Status.CONFIRMED}, Status.ENDED),
}


def may_decide(user: User, registration: PartyRegistration) -> bool:
    """Staff of the registration's community (org.manage there)."""
    return in_scope(user, registration.community, Perm.ORG_MANAGE)


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
    try:
        with transaction.atomic():
            return PartyRegistration.objects.create(
                person=person,
                community=community,
                work_unit=work_unit,
                registered_at=now or timezone.now(),
                registered_by=by,
            )
    except IntegrityError:  # a second tap that raced the first
        raise refusal from None


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
    member herself, or staff). Locks the registration; refuses an action
    its status does not allow, changing nothing."""
    if action not in TRANSITIONS:
        raise ValidationFailed(_("Choose one of the options."), field="action")
    item = (
        PartyRegistration.objects.select_for_update(of=("self",))
        .select_related("person", "community")
        .get(pk=registration.pk)
    )
    own = by.pk == item.person.user_id
    if not (may_decide(by, item) or (action == "end" and own)):
        raise NotAllowed(_("Only staff of the community may decide."))
    note = text_clean(note, field="note", limit=NOTE_MAX)
    sources, target = TRANSITIONS[action]
    if item.status not in sources:
        raise TransitionNotAllowed(
            _("This registration is %(status)s already.")
            % {"status": item.get_status_display()},
            field="status",
        )
    at = now or timezone.now()
    item.status = target
    fields = ["status"]
    if action == "end":
        item.ended_at, item.ended_by = at, by
        fields += ["ended_at", "ended_by"]
    else:
        item.decided_at, item.decided_by = at, by
        fields += ["decided_at", "decided_by"]
    if note:
        item.note = note
        fields.append("note")
    item.save(update_fields=fields)
    return item
