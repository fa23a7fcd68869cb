"""点单: raising a request, its tracking number, its photos, and the
category's automatic routing (default assignee, pool, rotation)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import community_of, is_within
from gongzhi.core import crypto
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.idempotency import idempotency_key_clean, replay
from gongzhi.residents.homes import last_known_community, last_known_home
from gongzhi.residents.services.care import visit_request_link

from ..models import (
    Actor,
    Category,
    DispatchMode,
    NumberSequence,
    PhotoKind,
    ServiceRequest,
)
from ..states import FINAL, NEW, Channel, Status, Who
from .rules import (
    is_reporter,
    may,
    pool_teams,
)
from .workflow import (
    _photos,
    check,
    lock,
    record,
    request_dispatch,
    request_pool,
    store_photos,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.residents.models import Person

DESCRIPTION_MAX = 2000
ADDRESS_MAX = ServiceRequest._meta.get_field("address").max_length
NAME_MAX = ServiceRequest._meta.get_field("contact_name").max_length
# Where a request may be placed: a community or anything below it.
PLACE_KINDS = {
    Kind.COMMUNITY,
    Kind.GRID,
    Kind.ESTATE,
    Kind.BUILDING,
    Kind.ENTRANCE,
    Kind.HOUSEHOLD,
}


def number_next(*, now: dt.datetime) -> str:
    """The next tracking number of the local day: GZ, the date, then the
    day's sequence in five digits (``GZ2026112300012``). Counted under a
    row lock on the day's counter, so no two raises share a number."""
    day = timezone.localtime(now).date()
    NumberSequence.objects.get_or_create(day=day)
    counter = NumberSequence.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"GZ{day:%Y%m%d}{counter.last:05d}"


def category_applies(category: Category, area: Area) -> bool:
    return category.area_id is None or is_within(area.path, category.area.path)


def _coordinate(value, *, field: str, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("Enter a number."), field=field) from None
    if not -limit <= number <= limit:
        raise ValidationFailed(
            _("Enter a number between -%(limit)d and %(limit)d.") % {"limit": limit},
            field=field,
        )
    return number


def _default_channel(by: User | None, reporter, area: Area) -> str:
    if by is None:
        return Channel.API
    if reporter is not None and reporter.user_id == by.pk:
        return Channel.PORTAL
    if in_scope(by, area, Perm.REQUEST_DISPATCH):
        return Channel.STAFF
    return Channel.GRID


def _fingerprint(**fields) -> str:
    return hashlib.sha256(
        json.dumps(fields, sort_keys=True, default=str).encode()
    ).hexdigest()


@transaction.atomic
def request_raise(
    *,
    category: Category,
    area: Area,
    description: str,
    by: User | None,
    reporter: Person | None = None,
    channel: str = "",
    public: bool = False,
    address: str = "",
    latitude=None,
    longitude=None,
    contact_name: str = "",
    contact_phone: str = "",
    photos=(),
    idempotency_key: str = "",
    visit=None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """点单: raise a request in ``category`` at ``area`` (a community or a
    place in it, down to a household), with photos of the problem.

    ``by`` is the resident herself (``reporter`` is her record), or a
    building leader, grid worker or staff raising for ``reporter`` (who
    must live where they hold request.raise), or ``None`` for a system
    intake (Open311, an API key) whose caller has checked its client. The
    place must lie in the reporter's community and, for anyone but the
    reporter, where ``by`` holds request.raise.

    Refuses, writing nothing: an inactive category or one that does not
    apply at the place, a place outside the reporter's (or raiser's) area,
    an empty description, more than nine photos or a file that is no
    photo or too large. With ``idempotency_key`` a retry answers the first
    request (``replayed`` set). Then routes it by the category: to its
    default assignee, into its pool, or to the next team in turn. A care
    ``visit`` that raised it is linked to it.
    """
    now = now or timezone.now()
    if not isinstance(category, Category) or not category.active:
        raise ValidationFailed(_("Choose a category in use."), field="category")
    if area.kind not in PLACE_KINDS or area.is_retired:
        raise ValidationFailed(
            _("Choose a place in a community, down to a building or household."),
            field="area",
        )
    if not category_applies(category, area):
        raise ValidationFailed(
            _("This category is not used at this place."), field="category"
        )
    community = community_of(area)
    if reporter is not None:
        home = last_known_community(reporter)
        if home is None or home != community:
            raise ValidationFailed(
                _("This place is outside %(name)s's community.")
                % {"name": reporter.name},
                field="area",
            )
    self_raised = by is not None and reporter is not None and reporter.user_id == by.pk
    if by is not None and not self_raised:
        if reporter is not None and not in_scope(
            by, last_known_home(reporter), Perm.REQUEST_RAISE
        ):
            raise NotAllowed(
                _("You may raise requests only for residents of your area.")
            )
        if not in_scope(by, area, Perm.REQUEST_RAISE):
            raise ValidationFailed(_("This place is outside your area."), field="area")
    description = text_clean(
        description, field="description", limit=DESCRIPTION_MAX, required=True
    )
    address = text_clean(address, field="address", limit=ADDRESS_MAX)
    contact_name = text_clean(contact_name, field="contact_name", limit=NAME_MAX)
    phone = ""
    if contact_phone:
        from gongzhi.accounts.phones import clean_phone

        phone = clean_phone(contact_phone, field="contact_phone")
    latitude = _coordinate(latitude, field="latitude", limit=90)
    longitude = _coordinate(longitude, field="longitude", limit=180)
    channel = channel or _default_channel(by, reporter, area)
    if channel not in Channel.values:
        raise ValidationFailed(_("Choose one of the options."), field="channel")
    checked = _photos(photos)
    key = ""
    fingerprint = ""
    if idempotency_key:
        key = idempotency_key_clean(idempotency_key)
        key = f"{by.pk if by is not None else '-'}:{key}"[:120]
        fingerprint = _fingerprint(
            category=category.pk,
            area=area.pk,
            description=description,
            reporter=reporter.pk if reporter is not None else None,
            public=bool(public),
        )
        first = replay(ServiceRequest.objects, key=key, fingerprint=fingerprint)
        if first is not None:
            return first
    item = ServiceRequest(
        number=number_next(now=now),
        category=category,
        urgency=category.urgency,
        area=area,
        community=community,
        address=address,
        latitude=latitude,
        longitude=longitude,
        description=description,
        public=bool(public),
        reporter=reporter,
        contact_name=contact_name,
        contact_phone_encrypted=crypto.encrypt(phone) if phone else "",
        raised_by=by,
        channel=channel,
        status=Status.SUBMITTED,
        idempotency_key=key,
        fingerprint=fingerprint,
        created_at=now,
        updated_at=now,
        version=0,
    )
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # A concurrent retry under the same key committed first.
        first = replay(ServiceRequest.objects, key=key, fingerprint=fingerprint)
        if first is None:
            raise
        return first
    actor = (
        Actor.REPORTER if self_raised else Actor.SYSTEM if by is None else Actor.RAISER
    )
    item.status = NEW
    step = record(
        item,
        action="raise",
        actor=actor,
        by=by,
        now=now,
        from_status=NEW,
        note=description,
    )
    store_photos(item, checked, kind=PhotoKind.REPORT, by=by, now=now, step=step)
    if visit is not None:
        visit_request_link(visit=visit, service_request=item)
    route(item, now=now)
    item.refresh_from_db()
    return item


def route(item: ServiceRequest, *, now: dt.datetime) -> None:
    """The category's automatic routing of a new request (by the system):
    its default assignee, else its pool, else the next team in turn;
    otherwise it waits for the dispatcher."""
    category = item.category
    default = category.default_assignee
    if default is not None and default.active:
        request_dispatch(service_request=item, to=default, by=None, now=now)
    elif category.dispatch_mode == DispatchMode.POOL and pool_teams(item):
        request_pool(service_request=item, by=None, now=now)
    elif category.dispatch_mode == DispatchMode.ROTATION:
        team = rotation_next(category=category, item=item)
        if team is not None:
            request_dispatch(service_request=item, to=team, by=None, now=now)


def rotation_next(*, category: Category, item: ServiceRequest):
    """轮派: the team after the last one in turn among the category's
    active teams serving the request's place (by id, wrapping round).
    Moves the category's cursor under a row lock, so two requests raised
    at one moment go to two teams."""
    locked = Category.objects.select_for_update().get(pk=category.pk)
    teams = sorted(pool_teams(item), key=lambda team: team.pk)
    if not teams:
        return None
    last = locked.rotation_last_id or 0
    team = next((t for t in teams if t.pk > last), teams[0])
    Category.objects.filter(pk=locked.pk).update(rotation_last=team)
    return team


@transaction.atomic
def request_photos_add(
    *,
    service_request: ServiceRequest | int,
    photos,
    by: User,
    now: dt.datetime | None = None,
) -> list:
    """Add photos of the problem after raising (a phone uploads one at a
    time): by the reporter or whoever raised it, while it is not closed;
    nine at most in all."""
    now = now or timezone.now()
    checked = _photos(photos)
    if not checked:
        raise ValidationFailed(_("Choose the photos to add."), field="photos")
    item = lock(service_request)
    mine = is_reporter(by, item) or (
        item.raised_by_id == by.pk and may(by, Who.RAISER, item)
    )
    if not mine:
        raise NotAllowed(_("Only whoever raised this request may add photos."))
    if item.status in FINAL:
        raise TransitionNotAllowed(
            _("This request is closed; photos can no longer be added."),
            field="status",
        )
    if item.photos.count() + len(checked) > 9:
        raise ValidationFailed(
            _("At most %(max)d photos.") % {"max": 9}, field="photos"
        )
    return store_photos(item, checked, kind=PhotoKind.REPORT, by=by, now=now)


__all__ = [
    "check",
    "number_next",
    "request_photos_add",
    "request_raise",
    "rotation_next",
    "route",
]
