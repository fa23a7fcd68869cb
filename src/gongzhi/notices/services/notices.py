"""Publishing 通知公告, fanning them out, reading them.

``notice_publish`` checks everything first (the area in the publisher's
reach, a title and a text, the group or the team, each file), then writes
the notice and its files and, after the commit, hands the fan-out to the
workers. The fan-out splits the people reached into ranges of primary
keys, one task each, so several workers share a street; each range is a
handful of set-based statements (receipts and messages by ``bulk_create``
in batches), never one query per person, and a range done twice writes
nothing more.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, subtree_q
from gongzhi.areas.tree import STEP, ancestor_paths, street_of
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import ValidationFailed
from gongzhi.core.photos import photo_check
from gongzhi.residents.models import Person, PersonStatus, TagType
from gongzhi.volunteering.models import MemberStatus, Team, TeamMember

from ..models import Category, FileKind, Message, Notice, NoticeFile, NoticeReceipt
from .files import MAX_FILES, attachment_check
from .messages import BATCH, chunks, notify

TITLE_MAX = Notice._meta.get_field("title").max_length
BODY_MAX = 5000
RANGE = 5000  # people per fan-out task
NOTICE_KINDS = (Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING)


def notice_key(notice: Notice | int) -> str:
    return f"notice:{getattr(notice, 'pk', notice)}"


def _area(area: Area | None, by) -> Area:
    if area is None:
        raise ValidationFailed(_("Choose where the notice goes."), field="area")
    if not in_scope(by, area, Perm.NOTICE_PUBLISH):
        raise ValidationFailed(
            _("You may not publish notices there: choose a place in your area."),
            field="area",
        )
    if area.kind not in NOTICE_KINDS:
        raise ValidationFailed(
            _(
                "A notice goes to a street, a community, a grid, an estate "
                "or a building."
            ),
            field="area",
        )
    return area


def _tag(tag: TagType | None, area: Area) -> TagType | None:
    if tag is None:
        return None
    street = street_of(area)
    if not tag.active or (
        tag.street_id and (street is None or tag.street_id != street.pk)
    ):
        raise ValidationFailed(_("This group is not used here."), field="tag")
    return tag


def _team(team: Team | None, area: Area) -> Team | None:
    if team is None:
        return None
    if not (
        team.area.path.startswith(area.path) or area.path.startswith(team.area.path)
    ):
        raise ValidationFailed(_("This team does not serve this place."), field="team")
    return team


def _expiry(expires_at, now) -> dt.datetime | None:
    if expires_at is None:
        return None
    if expires_at <= now:
        raise ValidationFailed(
            _("A notice must be shown until a time still to come."), field="expires_at"
        )
    return expires_at


@transaction.atomic
def notice_publish(
    *,
    by,
    area: Area | None,
    title: str,
    body: str,
    tag: TagType | None = None,
    team: Team | None = None,
    pinned: bool = False,
    expires_at: dt.datetime | None = None,
    images=(),
    attachments=(),
    now: dt.datetime | None = None,
) -> Notice:
    """Publish a notice; refused, writing nothing, for a place outside the
    publisher's reach, an empty title or text, a group or team that does
    not belong there, a file that is not what it claims or too large."""
    now = now or timezone.now()
    area = _area(area, by)
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    body = text_clean(body, field="body", limit=BODY_MAX, required=True)
    if tag is not None and team is not None:
        raise ValidationFailed(_("Choose a group or a team, not both."), field="team")
    tag, team = _tag(tag, area), _team(team, area)
    expires_at = _expiry(expires_at, now)
    images, attachments = list(images), list(attachments)
    if len(images) > MAX_FILES:
        raise ValidationFailed(
            _("At most %(n)d images.") % {"n": MAX_FILES}, field="images"
        )
    if len(attachments) > MAX_FILES:
        raise ValidationFailed(
            _("At most %(n)d attachments.") % {"n": MAX_FILES}, field="attachments"
        )
    checked = [
        (FileKind.IMAGE, upload, photo_check(upload, field="images"), None)
        for upload in images
    ] + [
        (FileKind.ATTACHMENT, upload, *attachment_check(upload, field="attachments"))
        for upload in attachments
    ]
    notice = Notice.objects.create(
        area=area,
        title=title,
        body=body,
        tag=tag,
        team=team,
        pinned=bool(pinned),
        expires_at=expires_at,
        published_by=by,
        published_at=now,
    )
    for kind, upload, extension, mime in checked:
        upload.seek(0)
        stored = NoticeFile(
            notice=notice,
            kind=kind,
            name=(getattr(upload, "name", "") or extension)[:120],
            content_type=mime or f"image/{'jpeg' if extension == 'jpg' else extension}",
            size=upload.size,
        )
        stored.file.save(
            f"{uuid.uuid4().hex}.{extension}", ContentFile(upload.read()), save=False
        )
        stored.save()
    transaction.on_commit(lambda: _start_fan_out(notice.pk))
    return notice


def _start_fan_out(notice_id: int) -> None:
    from ..tasks import fan_out_notice

    fan_out_notice.enqueue(notice_id)


def _people(notice: Notice):
    people = Person.objects.filter(
        subtree_q([notice.area.path], field="household__path"),
        status=PersonStatus.ACTIVE,
        household__isnull=False,
    )
    if notice.tag_id:
        people = people.filter(tags__tag_id=notice.tag_id, tags__end__isnull=True)
    if notice.team_id:
        people = people.filter(
            pk__in=TeamMember.objects.filter(
                team_id=notice.team_id, status=MemberStatus.MEMBER
            ).values("person_id")
        )
    return people


def notice_ranges(*, notice: Notice, size: int = RANGE) -> list[tuple[int, int]]:
    """The primary-key ranges the fan-out is split into."""
    bounds = _people(notice).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    return [
        (start, min(start + size, bounds["high"] + 1))
        for start in range(bounds["low"], bounds["high"] + 1, size)
    ]


def _buildings(area: Area) -> dict[str, int]:
    """Path → id of the buildings in or above ``area``."""
    return dict(
        Area.objects.filter(
            subtree_q([area.path]) | Q(path__in=ancestor_paths(area.path)),
            kind=Kind.BUILDING,
        ).values_list("path", "pk")
    )


def _building_of(path: str, buildings: dict[str, int]) -> int | None:
    for end in range(len(path) - STEP, 0, -STEP):
        found = buildings.get(path[:end])
        if found is not None:
            return found
    return None


def notice_fan_out_range(*, notice_id: int, start: int, stop: int) -> int:
    """Write the receipts and messages of the people with ``start <= pk <
    stop``; answers how many people the range holds."""
    notice = Notice.objects.select_related("area").get(pk=notice_id)
    rows = list(
        _people(notice)
        .filter(pk__gte=start, pk__lt=stop)
        .values_list("pk", "household_id", "household__path", "user_id")
        .distinct()
    )
    buildings = _buildings(notice.area)
    url = reverse("notices:portal_notice", args=[notice.pk])
    with transaction.atomic():
        for batch in chunks(rows, BATCH):
            NoticeReceipt.objects.bulk_create(
                [
                    NoticeReceipt(
                        notice_id=notice.pk,
                        person_id=pk,
                        user_id=user_id,
                        household_id=household_id,
                        building_id=_building_of(path, buildings),
                    )
                    for pk, household_id, path, user_id in batch
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )
        notify(
            key=notice_key(notice),
            user_ids=[user_id for *_rest, user_id in rows],
            category=Category.NOTICE,
            title=notice.title,
            body=notice.body[:120],
            url=url,
            area=notice.area,
        )
        Notice.objects.filter(pk=notice.pk).update(
            recipients=NoticeReceipt.objects.filter(notice_id=notice.pk).count(),
            fanned_out_at=timezone.now(),
        )
    return len(rows)


def notice_read(*, user, notice: Notice, now: dt.datetime | None = None) -> None:
    """The user has opened the notice: her receipt and her message read."""
    now = now or timezone.now()
    NoticeReceipt.objects.filter(notice=notice, user=user, read_at=None).update(
        read_at=now
    )
    Message.objects.filter(user=user, key=notice_key(notice), read_at=None).update(
        read_at=now
    )
