"""征集 and 附议: staff open a collection for an area and a period;
residents of that area send suggestions (text, photos, a place) and
support their neighbours' suggestions, once each."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import community_of, is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.idempotency import idempotency_key_clean, replay
from gongzhi.core.photos import photo_check

from ..models import Collection, Suggestion, SuggestionPhoto, Support
from .rules import lives_within, require_manage, resident_of

TITLE_MAX = 100
TEXT_MAX = 2000
PHOTOS_MAX = 9
PERIOD_MAX_DAYS = 366
PLACE_KINDS = {
    Kind.COMMUNITY,
    Kind.GRID,
    Kind.ESTATE,
    Kind.BUILDING,
    Kind.ENTRANCE,
    Kind.HOUSEHOLD,
}


def place_check(area, *, field: str = "area") -> Area:
    if not isinstance(area, Area) or area.kind not in PLACE_KINDS or area.is_retired:
        raise ValidationFailed(
            _("Choose a place in a community, down to a building or household."),
            field=field,
        )
    return area


def photos_check(photos, *, field: str = "photos") -> list[tuple[object, str]]:
    photos = list(photos or ())
    if len(photos) > PHOTOS_MAX:
        raise ValidationFailed(
            _("At most %(max)d photos.") % {"max": PHOTOS_MAX}, field=field
        )
    return [(upload, photo_check(upload, field=field)) for upload in photos]


def photo_content(upload, extension: str) -> ContentFile:
    upload.seek(0)
    return ContentFile(upload.read(), name=f"photo.{extension}")


@transaction.atomic
def collection_create(
    *,
    area: Area,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    description: str = "",
    by,
) -> Collection:
    """征集: open a collection of suggestions for ``area`` (a community or a
    place in it) from ``opens_on`` to ``closes_on``; staff with
    council.manage there only."""
    place_check(area)
    require_manage(by, area)
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    description = text_clean(description, field="description", limit=TEXT_MAX)
    if not isinstance(opens_on, dt.date) or not isinstance(closes_on, dt.date):
        raise ValidationFailed(_("Enter a date."), field="opens_on")
    if closes_on < opens_on:
        raise ValidationFailed(
            _("The collection cannot close before it opens."), field="closes_on"
        )
    if (closes_on - opens_on).days > PERIOD_MAX_DAYS:
        raise ValidationFailed(
            _("A collection runs for a year at most."), field="closes_on"
        )
    return Collection.objects.create(
        community=community_of(area),
        area=area,
        title=title,
        description=description,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=by,
    )


@transaction.atomic
def suggestion_send(
    *,
    collection: Collection,
    text: str,
    area: Area | None = None,
    photos=(),
    by,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Suggestion:
    """A resident's suggestion to an open collection of her area, placed
    where it concerns (her home when no place is given). Refused, writing
    nothing: a closed collection, a resident outside the collection's
    area, a place outside it, empty text, more than nine photos or a file
    that is no photo. With ``idempotency_key`` a retry answers the first
    suggestion (``replayed`` set)."""
    now = now or timezone.now()
    person = resident_of(by)
    if not collection.is_open(timezone.localdate(now)):
        raise TransitionNotAllowed(
            _("This collection is not open: it runs from %(start)s to %(end)s.")
            % {"start": collection.opens_on, "end": collection.closes_on},
            field="collection",
        )
    if not lives_within(person, collection.area):
        raise ValidationFailed(
            _("This collection is for the residents of %(area)s only.")
            % {"area": collection.area.name},
            field="collection",
        )
    area = place_check(area, field="area") if area is not None else person.household
    if not is_within(area.path, collection.community.path):
        raise ValidationFailed(
            _("This place is outside %(area)s.") % {"area": collection.community.name},
            field="area",
        )
    text = text_clean(text, field="text", limit=TEXT_MAX, required=True)
    checked = photos_check(photos)
    key = fingerprint = ""
    if idempotency_key:
        key = f"{by.pk}:{idempotency_key_clean(idempotency_key)}"[:120]
        fingerprint = hashlib.sha256(
            f"{collection.pk}|{area.pk}|{text}".encode()
        ).hexdigest()
        first = replay(Suggestion.objects, key=key, fingerprint=fingerprint)
        if first is not None:
            return first
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                collection=collection,
                area=area,
                author=person,
                text=text,
                created_at=now,
                idempotency_key=key,
                fingerprint=fingerprint,
            )
    except IntegrityError:
        first = replay(Suggestion.objects, key=key, fingerprint=fingerprint)
        if first is None:
            raise
        return first
    for upload, extension in checked:
        photo = SuggestionPhoto(suggestion=suggestion)
        photo.image.save(
            f"s{suggestion.pk}.{extension}", photo_content(upload, extension)
        )
    return suggestion


@transaction.atomic
def suggestion_support(
    *, suggestion: Suggestion, by, now: dt.datetime | None = None
) -> Suggestion:
    """附议: a neighbour supports a suggestion of her area, once; not her
    own. A second support is refused (by the database too)."""
    person = resident_of(by)
    collection = suggestion.collection
    if not collection.is_open(timezone.localdate(now or timezone.now())):
        raise TransitionNotAllowed(_("This collection is closed."), field="collection")
    if not lives_within(person, collection.area):
        raise ValidationFailed(
            _("This collection is for the residents of %(area)s only.")
            % {"area": collection.area.name},
            field="suggestion",
        )
    if suggestion.author_id == person.pk:
        raise ValidationFailed(
            _("You cannot support your own suggestion."), field="suggestion"
        )
    try:
        with transaction.atomic():
            Support.objects.create(
                suggestion=suggestion, person=person, created_at=now or timezone.now()
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("You support this suggestion already."), field="suggestion"
        ) from None
    Suggestion.objects.filter(pk=suggestion.pk).update(supports=F("supports") + 1)
    suggestion.refresh_from_db()
    return suggestion
