"""The message centre and notices API, for the mini-program and other
systems.

A user's messages, preferences and quiet hours are her own: no place in
them, nobody else's reachable. Notices a resident received are hers to
read (reading marks them read). Staff publish to a place in their reach
for notice.publish (any other place is a field error naming ``area_id``)
and read receipts under a place in their reach for notice.view (404
elsewhere, as for a notice that does not exist).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.areas.models import Area
from gongzhi.areas.selectors import place_labels
from gongzhi.residents.models import TagType
from gongzhi.volunteering.models import Team

from . import selectors
from .models import Category, Message, Notice, Preference, QuietHours
from .services.messages import (
    address_set,
    message_read,
    messages_read_all,
    preference_set,
    quiet_hours_set,
)
from .services.notices import notice_publish, notice_read

router = Router(tags=["messages and notices"])

ID_MAX = 2**31 - 1


class MessageOut(Schema):
    id: int
    category: str
    category_label: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read: bool


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    category: str
    label: str
    sms: bool
    wechat: bool
    wecom: bool


class PreferenceIn(Schema):
    sms: bool = False
    wechat: bool = False
    wecom: bool = False


class QuietIn(Schema):
    start: str | None = Field(None, max_length=8)
    end: str | None = Field(None, max_length=8)


class QuietOut(Schema):
    start: str | None
    end: str | None


class PreferencesOut(Schema):
    categories: list[PreferenceOut]
    quiet_hours: QuietOut


class AddressIn(Schema):
    value: str = Field("", max_length=200)


class AddressOut(Schema):
    channel: str
    bound: bool


class FileOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int


class NoticeOut(Schema):
    id: int
    title: str
    area_id: int
    place: str
    pinned: bool
    published_at: dt.datetime
    expires_at: dt.datetime | None
    recipients: int


class MyNoticeOut(NoticeOut):
    unread: bool


class NoticeDetailOut(NoticeOut):
    body: str
    files: list[FileOut]


class NoticeIn(Schema):
    area_id: int = Field(..., le=ID_MAX)
    title: str = Field("", max_length=2000)
    body: str = Field("", max_length=20000)
    tag_id: int | None = Field(None, le=ID_MAX)
    team_id: int | None = Field(None, le=ID_MAX)
    pinned: bool = False
    expires_at: dt.datetime | None = None


class BuildingCountOut(Schema):
    building_id: int | None
    building: str
    total: int
    read: int
    unread: int


class UnreadPersonOut(Schema):
    person_id: int
    name: str
    household: str
    phone: str


class ReceiptsOut(Schema):
    notice_id: int
    area_id: int
    total: int
    read: int
    buildings: list[BuildingCountOut]
    not_read: list[UnreadPersonOut]


def _message_out(message: Message) -> dict:
    return {
        "id": message.pk,
        "category": message.category,
        "category_label": message.get_category_display(),
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "created_at": message.created_at,
        "read": message.read_at is not None,
    }


def _notice_out(notice: Notice, label: str | None = None) -> dict:
    return {
        "id": notice.pk,
        "title": notice.title,
        "area_id": notice.area_id,
        "place": label
        if label is not None
        else place_labels([notice.area])[notice.area_id],
        "pinned": notice.pinned,
        "published_at": notice.published_at,
        "expires_at": notice.expires_at,
        "recipients": notice.recipients,
    }


# The message centre


@router.get("/messages", response=list[MessageOut], summary="My messages")
@paginate(LimitOffsetPagination, page_size=50)
def messages(request, unread: bool = False):
    return [
        _message_out(m) for m in selectors.messages_of(user=request.user, unread=unread)
    ]


@router.get("/messages/unread-count", response=UnreadOut, summary="The bell's count")
def unread(request):
    return {"unread": selectors.unread_count(user=request.user)}


@router.post(
    "/messages/read-all", response=MarkedOut, summary="Mark all my messages read"
)
def read_all(request):
    return {"marked": messages_read_all(user=request.user)}


@router.post(
    "/messages/{message_id}/read",
    response={200: MessageOut, **ERRORS},
    summary="Mark one of my messages read",
)
def read_one(request, message_id: int):
    return _message_out(message_read(user=request.user, pk=message_id))


def _preferences(user) -> dict:
    chosen = {p.category: p for p in Preference.objects.filter(user=user)}
    quiet = QuietHours.objects.filter(user=user).first()
    return {
        "categories": [
            {
                "category": value,
                "label": str(label),
                "sms": getattr(chosen.get(value), "sms", False),
                "wechat": getattr(chosen.get(value), "wechat", False),
                "wecom": getattr(chosen.get(value), "wecom", False),
            }
            for value, label in Category.choices
        ],
        "quiet_hours": {
            "start": quiet.start.strftime("%H:%M") if quiet else None,
            "end": quiet.end.strftime("%H:%M") if quiet else None,
        },
    }


@router.get(
    "/messages/preferences",
    response=PreferencesOut,
    summary="My message preferences and quiet hours",
)
def preferences(request):
    return _preferences(request.user)


@router.put(
    "/messages/preferences/{category}",
    response={200: PreferencesOut, **ERRORS},
    summary="Choose the external channels of one category",
)
def preference_put(request, category: str, payload: PreferenceIn):
    preference_set(
        user=request.user,
        category=category[:40],
        sms=payload.sms,
        wechat=payload.wechat,
        wecom=payload.wecom,
    )
    return _preferences(request.user)


@router.put(
    "/messages/quiet-hours",
    response={200: PreferencesOut, **ERRORS},
    summary="Set my quiet hours (both empty: none)",
)
def quiet_put(request, payload: QuietIn):
    quiet_hours_set(user=request.user, start=payload.start, end=payload.end)
    return _preferences(request.user)


@router.put(
    "/messages/addresses/{channel}",
    response={200: AddressOut, **ERRORS},
    summary="Bind my WeChat openid or WeCom userid (empty: unbind)",
)
def address_put(request, channel: str, payload: AddressIn):
    bound = address_set(user=request.user, channel=channel[:20], value=payload.value)
    return {"channel": channel, "bound": bound is not None}


# Notices a resident received


@router.get("/notices/mine", response=list[MyNoticeOut], summary="Notices for me")
@paginate(LimitOffsetPagination, page_size=50)
def my_notices(request):
    items = list(
        selectors.notices_for_resident(user=request.user).select_related("area")
    )
    labels = place_labels([n.area for n in items])
    return [{**_notice_out(n, labels[n.area_id]), "unread": n.unread} for n in items]


@router.get(
    "/notices/mine/{notice_id}",
    response={200: NoticeDetailOut, **ERRORS},
    summary="Read a notice for me (marks it read)",
)
def my_notice(request, notice_id: int):
    notice = selectors.notice_for_resident(user=request.user, pk=notice_id)
    notice_read(user=request.user, notice=notice)
    return _detail(notice)


def _detail(notice: Notice) -> dict:
    return {
        **_notice_out(notice),
        "body": notice.body,
        "files": [
            {
                "id": f.pk,
                "kind": f.kind,
                "name": f.name,
                "content_type": f.content_type,
                "size": f.size,
            }
            for f in notice.files.all()
        ],
    }


# Staff


@router.get("/notices", response=list[NoticeOut], summary="Notices in my reach")
@paginate(LimitOffsetPagination, page_size=50)
def notices(request):
    if not user_can(user=request.user, perm=Perm.NOTICE_VIEW):
        raise Http404
    items = list(selectors.notices_in_reach(user=request.user))
    labels = place_labels([n.area for n in items])
    return [_notice_out(n, labels[n.area_id]) for n in items]


def _referenced(model, pk, field):
    from django.utils.translation import gettext as _

    from gongzhi.core.errors import ValidationFailed

    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationFailed(_("Not found."), field=field)
    return found


@router.post(
    "/notices",
    response={201: NoticeDetailOut, **ERRORS},
    summary="Publish a notice (text; images and attachments on the workbench)",
)
def publish(request, payload: NoticeIn):
    from gongzhi.core.errors import fields_renamed

    area = Area.objects.filter(pk=payload.area_id).first()
    with fields_renamed(area="area_id", tag="tag_id", team="team_id"):
        notice = notice_publish(
            by=request.user,
            area=area,
            title=payload.title,
            body=payload.body,
            tag=_referenced(TagType, payload.tag_id, "tag"),
            team=_referenced(Team, payload.team_id, "team"),
            pinned=payload.pinned,
            expires_at=payload.expires_at,
        )
    return Status(201, _detail(notice))


@router.get(
    "/notices/{notice_id}/receipts",
    response={200: ReceiptsOut, **ERRORS},
    summary="Read receipts under a place: per building, and who has not read",
)
def receipts(
    request,
    notice_id: int,
    area_id: int,
    limit: int = 200,
):
    notice, area = selectors.notice_at(user=request.user, pk=notice_id, area_pk=area_id)
    counts = selectors.receipt_counts(notice=notice, area=area)
    limit = min(max(limit, 1), 1000)
    people = list(selectors.unread_people(notice=notice, area=area)[:limit])
    labels = place_labels([r.household for r in people])
    return {
        "notice_id": notice.pk,
        "area_id": area.pk,
        "total": sum(r["total"] for r in counts),
        "read": sum(r["read"] for r in counts),
        "buildings": counts,
        "not_read": [
            {
                "person_id": r.person_id,
                "name": r.person.name,
                "household": labels[r.household_id],
                "phone": r.person.phone_masked,
            }
            for r in people
        ],
    }
