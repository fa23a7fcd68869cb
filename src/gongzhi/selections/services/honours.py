"""After the honour: points through the points service, going forward to
the level above (层层筛选), and talks at activities (道德模范进小区宣讲)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import is_within
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.points.services.accounts import resident_account
from gongzhi.points.services.earning import REASON_MAX, award_create
from gongzhi.volunteering.models import Activity

from ..flows import NOMINATION_FLOW, RUNNING
from ..models import (
    Nomination,
    NominationPhoto,
    NominationStatus,
    Selection,
    SelectionStatus,
    Source,
    Talk,
)


def honour_points(*, nomination: Nomination, now: dt.datetime) -> int | None:
    """The selection's points for an honoured person, once: the award's
    idempotency key is the nomination, so honouring again pays nothing
    more. Households and buildings earn no points."""
    selection = nomination.selection
    if not selection.points or nomination.person_id is None:
        return None
    try:
        account = resident_account(nomination.person)
    except Http404:  # no home in the tree any more
        return None
    award = award_create(
        account=account,
        by=None,
        idempotency_key=f"selection-honour:{nomination.pk}",
        points=selection.points,
        reason=str(_("Honoured: %(title)s") % {"title": selection.title})[:REASON_MAX],
        now=now,
    )
    Nomination.objects.filter(pk=nomination.pk).update(award=award.points)
    return award.points


@transaction.atomic
def nomination_forward(
    *,
    nomination: Nomination,
    to: Selection,
    by: User,
    category: str = "",
    now: dt.datetime | None = None,
) -> Nomination:
    """Put an honoured nominee forward as a candidate of a selection at a
    level above (reviewed already, below), with its story and photos; the
    new nomination keeps a link to this one, whose history its page shows.
    The level below (or the one above) decides; the level above may still
    withdraw it."""
    source = nomination.selection
    if nomination.status != NominationStatus.HONOURED:
        raise TransitionNotAllowed(
            _("Only the honoured go forward to the level above."), field="status"
        )
    if not (
        in_scope(by, source.area, Perm.SELECTION_MANAGE)
        or in_scope(by, to.area, Perm.SELECTION_MANAGE)
    ):
        raise NotAllowed(_("Your role does not allow this here."))
    to = (
        Selection.objects.select_for_update()
        .select_related("kind", "area")
        .get(pk=to.pk)
    )
    if (
        to.pk == source.pk
        or not is_within(source.area.path, to.area.path)
        or to.area.path == source.area.path
    ):
        raise ValidationFailed(
            _("Choose a selection at a level above this one."), field="selection"
        )
    if to.kind.nominee_type != source.kind.nominee_type:
        raise ValidationFailed(
            _("That selection honours another kind of nominee."), field="selection"
        )
    if to.status != SelectionStatus.NOMINATING:
        raise TransitionNotAllowed(
            _("This selection no longer takes nominations."), field="selection"
        )
    categories = to.kind.categories
    category = (category or nomination.category or "").strip()
    if categories and category not in categories:
        raise ValidationFailed(_("Choose one of the categories."), field="category")
    if not categories:
        category = ""
    nominee = {
        "person_id": nomination.person_id,
        "household_id": nomination.household_id,
        "building_id": nomination.building_id,
    }
    if Nomination.objects.filter(
        selection=to,
        status__in=RUNNING | {NominationStatus.DECLINED},
        **nominee,
    ).exists():
        raise ValidationFailed(
            _("This nominee is already nominated there."), field="selection"
        )
    made = Nomination.objects.create(
        selection=to,
        category=category,
        home=nomination.home,
        label=nomination.label,
        story=nomination.story,
        source=Source.FORWARDED,
        status=NominationStatus.CANDIDATE,
        nominated_by=by,
        forwarded_from=nomination,
        created_at=now or timezone.now(),
        **nominee,
    )
    NominationPhoto.objects.bulk_create(
        NominationPhoto(nomination=made, image=photo.image.name)
        for photo in nomination.photos.all()
    )
    NOMINATION_FLOW.begin(
        made,
        action="forwarded",
        by=by,
        now=made.created_at,
        note=_("From %(title)s") % {"title": source.title},
    )
    announce("selections.nominated", nomination=made)
    return made


def talk_link(*, nomination: Nomination, activity: Activity, by: User) -> Talk:
    """An honouree speaks at ``activity``: its sessions held and the
    residents checked in count in the honouree's and the selection's
    figures."""
    if nomination.status != NominationStatus.HONOURED:
        raise ValidationFailed(
            _("Only the honoured are linked to talks."), field="nomination"
        )
    if not in_scope(by, nomination.selection.area, Perm.SELECTION_MANAGE):
        raise NotAllowed(_("Your role does not allow this here."))
    if not in_scope(by, activity.community, Perm.ACTIVITY_VIEW) and not in_scope(
        by, activity.community, Perm.SELECTION_MANAGE
    ):
        raise ValidationFailed(_("Not found."), field="activity")
    talk, _made = Talk.objects.get_or_create(nomination=nomination, activity=activity)
    return talk
