"""Nominating and reviewing: residents put forward themselves or a
neighbour, staff and organizations nominate too; the nominee is asked and
may decline; the committee checks eligibility and comments; duplicates of
one nominee merge into one nomination."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Perm, Role
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.selectors import place_labels
from gongzhi.areas.tree import is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import (
    NotAllowed,
    TooManyTries,
    TransitionNotAllowed,
    ValidationFailed,
)
from gongzhi.core.hooks import announce
from gongzhi.core.photos import photo_check
from gongzhi.core.workflow import transition
from gongzhi.residents.models import Membership, Person, PersonStatus, Relation

from ..flows import NOMINATION_FLOW, RUNNING
from ..models import (
    Nomination,
    NominationPhoto,
    NominationStatus,
    NomineeType,
    ReviewComment,
    Selection,
    SelectionStatus,
    Source,
)

STORY_MAX = 3000
COMMENT_MAX = 1000
PHOTOS_MAX = 6
N = NominationStatus


def _nominee_fields(kind_type: str, person, household, building) -> dict:
    given = {
        NomineeType.PERSON: person,
        NomineeType.HOUSEHOLD: household,
        NomineeType.BUILDING: building,
    }
    if given[kind_type] is None or sum(v is not None for v in given.values()) != 1:
        raise ValidationFailed(
            _("Name the nominee from the registry."), field="nominee"
        )
    return {kind_type: given[kind_type]}


def _home_of(person, household, building) -> Area:
    if person is not None:
        if person.status != PersonStatus.ACTIVE or person.household_id is None:
            raise ValidationFailed(
                _("This person does not live in the area any more."), field="nominee"
            )
        return person.household
    if household is not None:
        if household.kind != Kind.HOUSEHOLD:
            raise ValidationFailed(_("Choose a household."), field="nominee")
        return household
    if building.kind != Kind.BUILDING:
        raise ValidationFailed(_("Choose a building."), field="nominee")
    return building


def household_label(household: Area) -> str:
    """ "周桂兰家" for a household whose head is 周桂兰, else its place."""
    head = (
        Membership.objects.filter(
            household=household, moved_out__isnull=True, relation=Relation.HEAD
        )
        .select_related("person")
        .first()
    )
    if head is not None:
        return _("The %(name)s family") % {"name": head.person.name}
    return place_labels([household])[household.pk]


def nominee_label(person, household, building) -> str:
    if person is not None:
        return person.name
    if household is not None:
        return household_label(household)
    return place_labels([building])[building.pk]


def _source(*, by: User, selection: Selection, home: Area, person) -> str:
    """In what capacity ``by`` nominates here: staff or an organization
    working where the nominee lives, or a resident of the selection's
    area (herself or a neighbour); anyone else is refused."""
    if in_scope(by, home, Perm.SELECTION_NOMINATE):
        is_unit = Grant.objects.filter(
            user=by, role=Role.UNIT, revoked_at__isnull=True
        ).exists()
        return Source.ORGANIZATION if is_unit else Source.STAFF
    me = Person.objects.filter(user=by, status=PersonStatus.ACTIVE).first()
    if (
        me is not None
        and me.household_id is not None
        and is_within(me.household.path, selection.area.path)
    ):
        if person is not None and person.pk == me.pk:
            return Source.SELF
        if person is None and home.pk == me.household_id:
            return Source.SELF
        return Source.NEIGHBOUR
    raise NotAllowed(
        _("Only residents of this area and the staff working here may nominate.")
    )


def _category(selection: Selection, category: str) -> str:
    categories = selection.kind.categories
    category = (category or "").strip()
    if not categories:
        return ""
    if category not in categories:
        raise ValidationFailed(_("Choose one of the categories."), field="category")
    return category


def photos_check(photos) -> list[tuple[object, str]]:
    photos = list(photos or [])
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(
            _("At most %(n)d photos.") % {"n": PHOTOS_MAX}, field="photos"
        )
    return [(photo, photo_check(photo)) for photo in photos]


def _store(nomination: Nomination, checked) -> None:
    for upload, extension in checked:
        upload.seek(0)
        photo = NominationPhoto(nomination=nomination)
        photo.image.save(
            f"n{nomination.pk}.{extension}", ContentFile(upload.read()), save=True
        )


def running_of(selection: Selection, fields: dict):
    return (
        Nomination.objects.select_for_update()
        .filter(selection=selection, status__in=RUNNING, **fields)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def nomination_create(
    *,
    selection: Selection,
    by: User,
    story: str,
    person: Person | None = None,
    household: Area | None = None,
    building: Area | None = None,
    category: str = "",
    photos=(),
    now: dt.datetime | None = None,
) -> Nomination:
    """Nominate someone (or a household, a building) of the registry who
    lives within the selection's area, with a story and photos. A person
    nominated by anyone else is asked first (``asked``); herself, a
    household or a building go to review. Nominating one already in the
    running merges the story into the first nomination; one who declined
    cannot be nominated again."""
    now = now or timezone.now()
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.status != SelectionStatus.NOMINATING:
        raise TransitionNotAllowed(
            _("This selection no longer takes nominations."), field="selection"
        )
    fields = _nominee_fields(selection.kind.nominee_type, person, household, building)
    home = _home_of(person, household, building)
    if not is_within(home.path, selection.area.path):
        raise ValidationFailed(
            _("The nominee does not live within this selection's area."),
            field="nominee",
        )
    source = _source(by=by, selection=selection, home=home, person=person)
    story = text_clean(story, field="story", limit=STORY_MAX, required=True)
    category = _category(selection, category)
    checked = photos_check(photos)
    if Nomination.objects.filter(
        selection=selection, status=N.DECLINED, **fields
    ).exists():
        raise ValidationFailed(
            _("This nominee cannot be nominated in this selection."), field="nominee"
        )
    first = running_of(selection, fields)
    if first is not None:
        first.story = f"{first.story}\n\n{story}"[: STORY_MAX * 3]
        first.save(update_fields=["story"])
        _store(first, checked)
        NOMINATION_FLOW.history.objects.create(
            nomination=first,
            action="merged_in",
            from_status=first.status,
            to_status=first.status,
            by=by,
            at=now,
            note=_("Nominated again: %(source)s") % {"source": Source(source).label},
        )
        first.merged_on_create = True
        return first
    asks = person is not None and source != Source.SELF
    nomination = Nomination.objects.create(
        selection=selection,
        category=category,
        home=home,
        label=nominee_label(person, household, building),
        story=story,
        source=source,
        status=N.ASKED if asks else N.REVIEW,
        nominated_by=by,
        created_at=now,
        **fields,
    )
    _store(nomination, checked)
    NOMINATION_FLOW.begin(nomination, action="nominate", by=by, now=now)
    nomination.merged_on_create = False
    announce("selections.nominated", nomination=nomination)
    return nomination


# How many addresses or names a login may name wrongly in an hour: enough
# for typing mistakes, too few to find out who lives where by trying.
LOOKUP_MISSES = 10
LOOKUP_WINDOW = 3600


def _misses_key(by: User) -> str:
    return f"gongzhi:selections:nominee-misses:{by.pk}"


def nominee_find(
    *,
    selection: Selection,
    place: Area | None,
    room: str = "",
    name: str = "",
    by: User | None = None,
) -> dict:
    """The nominee a resident names by address: the building (最美楼栋), the
    household at ``room`` of the entrance or building ``place``, or the
    person of ``name`` registered there. Refused, naming the field, when
    the place lies outside the selection's area or nobody of that name is
    registered there: nothing of the registry is shown by the search.

    A refusal tells whether someone of that name lives there, so ``by``'s
    wrong guesses are counted: after ``LOOKUP_MISSES`` in an hour the
    lookup is refused outright (429) until the hour has passed."""
    if by is not None and cache.get(_misses_key(by), 0) >= LOOKUP_MISSES:
        raise TooManyTries(field="name")
    try:
        return _nominee_find(selection=selection, place=place, room=room, name=name)
    except ValidationFailed:
        if by is not None:
            key = _misses_key(by)
            cache.add(key, 0, LOOKUP_WINDOW)
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, LOOKUP_WINDOW)
        raise


def _nominee_find(
    *, selection: Selection, place: Area | None, room: str, name: str
) -> dict:
    nominee_type = selection.kind.nominee_type
    if place is None or not is_within(place.path, selection.area.path):
        raise ValidationFailed(
            _("Choose a place within this selection's area."), field="place"
        )
    if nominee_type == NomineeType.BUILDING:
        if place.kind != Kind.BUILDING:
            raise ValidationFailed(_("Choose a building."), field="place")
        return {"building": place}
    room = text_clean(room, field="room", limit=20, required=True)
    household = (
        Area.objects.get_children(place).filter(kind=Kind.HOUSEHOLD, name=room).first()
    )
    if household is None:
        raise ValidationFailed(
            _("There is no household %(room)s there.") % {"room": room}, field="room"
        )
    if nominee_type == NomineeType.HOUSEHOLD:
        return {"household": household}
    name = text_clean(name, field="name", limit=50, required=True)
    person = Person.objects.filter(
        household=household, name=name, status=PersonStatus.ACTIVE
    ).first()
    if person is None:
        raise ValidationFailed(
            _("Nobody of this name is registered at this address."), field="name"
        )
    return {"person": person}


def _committee_or_manager(nomination: Nomination, by: User) -> None:
    selection = nomination.selection
    if in_scope(by, selection.area, Perm.SELECTION_MANAGE):
        return
    if selection.committee.filter(pk=by.pk).exists():
        return
    raise NotAllowed(_("Only the review committee may comment here."))


@transaction.atomic
def comment_add(
    *,
    nomination: Nomination,
    by: User,
    eligible: bool,
    comment: str,
    now: dt.datetime | None = None,
) -> ReviewComment:
    """A committee member's check: eligible or not, and why."""
    _committee_or_manager(nomination, by)
    if nomination.status not in (N.ASKED, N.REVIEW, N.CANDIDATE):
        raise TransitionNotAllowed(
            _("This nomination is past review."), field="comment"
        )
    comment = text_clean(comment, field="comment", limit=COMMENT_MAX, required=True)
    return ReviewComment.objects.create(
        nomination=nomination,
        by=by,
        eligible=bool(eligible),
        comment=comment,
        at=now or timezone.now(),
    )


def nomination_act(
    *,
    nomination: Nomination,
    action: str,
    by: User,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Nomination:
    """The nominee's answer (consent, decline) and the review's steps
    (approve, reject, withdraw), through the table."""
    if action not in {"consent", "decline", "approve", "reject", "withdraw"}:
        raise ValidationFailed(_("Choose one of the options."), field="action")
    done = transition(
        NOMINATION_FLOW, row=nomination, action=action, by=by, reason=reason, now=now
    )
    announce("selections.nomination_changed", nomination=done, action=action)
    return done


@transaction.atomic
def nomination_merge(
    *, nomination: Nomination, into: Nomination, by: User
) -> Nomination:
    """Merge a duplicate into the nomination of the same nominee: its story
    and photos join the other's, and it leaves the running."""
    if (
        into.pk == nomination.pk
        or into.selection_id != nomination.selection_id
        or (into.person_id, into.household_id, into.building_id)
        != (nomination.person_id, nomination.household_id, nomination.building_id)
    ):
        raise ValidationFailed(
            _("Merge only into another nomination of the same nominee."),
            field="into",
        )
    if into.status not in RUNNING:
        raise ValidationFailed(
            _("Merge only into a nomination still in the running."), field="into"
        )

    def change(row, at):
        row.merged_into = into

    merged = transition(
        NOMINATION_FLOW,
        row=nomination,
        action="merge",
        by=by,
        change=change,
        reason=_("Merged into nomination %(n)d.") % {"n": into.pk},
    )
    target = Nomination.objects.select_for_update().get(pk=into.pk)
    target.story = f"{target.story}\n\n{merged.story}"
    target.save(update_fields=["story"])
    NominationPhoto.objects.filter(nomination=merged).update(nomination=target)
    NOMINATION_FLOW.history.objects.create(
        nomination=target,
        action="merged_in",
        from_status=target.status,
        to_status=target.status,
        by=by,
        note=_("Nomination %(n)d merged in.") % {"n": merged.pk},
    )
    return merged


@transaction.atomic
def photos_add(*, nomination: Nomination, photos, by: User) -> int:
    """More photos for a nomination still in review, by staff or the one
    who nominated."""
    if nomination.status not in (N.ASKED, N.REVIEW, N.CANDIDATE):
        raise TransitionNotAllowed(_("This nomination is past review."), field="photos")
    if nomination.nominated_by_id != by.pk and not in_scope(
        by, nomination.selection.area, Perm.SELECTION_MANAGE
    ):
        raise NotAllowed()
    checked = photos_check(photos)
    if nomination.photos.count() + len(checked) > PHOTOS_MAX:
        raise ValidationFailed(
            _("At most %(n)d photos.") % {"n": PHOTOS_MAX}, field="photos"
        )
    _store(nomination, checked)
    return len(checked)
