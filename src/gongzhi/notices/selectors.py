"""Reading notices, receipts and messages for display, already scoped."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import in_scope, scope_paths, scoped, subtree_q
from gongzhi.areas.tree import touching_q

from .models import Delivery, Message, Notice, NoticeReceipt

UNREAD_PAGE = 100


# The message centre: a user's own messages only.


def messages_of(*, user, unread: bool = False) -> QuerySet[Message]:
    found = Message.objects.filter(user=user)
    return found.filter(read_at=None) if unread else found


def unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Message.objects.filter(user=user, read_at=None).count()


# Notices as a resident reads them: those that reached her.


def notices_for_resident(*, user, now=None) -> QuerySet[Notice]:
    now = now or timezone.now()
    mine = NoticeReceipt.objects.filter(notice=OuterRef("pk"), user=user)
    return (
        Notice.objects.filter(Exists(mine))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .annotate(
            unread=Exists(mine.filter(read_at=None)),
        )
        .order_by("-pinned", "-published_at", "-pk")
    )


def notice_for_resident(*, user, pk: int) -> Notice:
    return get_object_or_404(
        notices_for_resident(user=user).prefetch_related("files"), pk=pk
    )


# Notices as staff read them.


def notices_in_reach(*, user) -> QuerySet[Notice]:
    """Notices that reach into the user's area or lie in it: a grid worker
    sees the community's notice, for the receipts of her grid."""
    paths = scope_paths(user, Perm.NOTICE_VIEW)
    if not paths:
        return Notice.objects.none()
    return (
        Notice.objects.filter(touching_q(paths, field="area__path"))
        .select_related("area", "tag", "team")
        .order_by("-published_at", "-pk")
    )


def notice_area_for(*, user, notice: Notice) -> Area | None:
    """Where the user reads a notice's receipts: the notice's own area if
    she sees all of it, else the first of her places it reaches."""
    if in_scope(user, notice.area, Perm.NOTICE_VIEW):
        return notice.area
    for path in scope_paths(user, Perm.NOTICE_VIEW):
        if path.startswith(notice.area.path):
            return Area.objects.get(path=path)
    return None


def notice_at(*, user, pk: int, area_pk: int) -> tuple[Notice, Area]:
    """A notice's receipts under one place: the place in the user's reach
    for notice.view and inside what the notice reached (404 otherwise)."""
    area = get_object_or_404(
        scoped(Area.objects.all(), user=user, via="", perm=Perm.NOTICE_VIEW),
        pk=area_pk,
    )
    notice = get_object_or_404(
        Notice.objects.select_related("area", "tag", "team", "published_by"), pk=pk
    )
    if not area.path.startswith(notice.area.path):
        raise Http404
    return notice, area


def receipts_under(*, notice: Notice, area: Area) -> QuerySet[NoticeReceipt]:
    return NoticeReceipt.objects.filter(
        subtree_q([area.path], field="household__path"), notice=notice
    )


def receipt_counts(*, notice: Notice, area: Area) -> list[dict]:
    """Read and unread per building under ``area``, buildings named."""
    rows = list(
        receipts_under(notice=notice, area=area)
        .values("building_id")
        .annotate(
            total=Count("pk"),
            read=Count("pk", filter=Q(read_at__isnull=False)),
        )
        .order_by("building_id")
    )
    names = {
        a.pk: a
        for a in Area.objects.filter(
            pk__in=[r["building_id"] for r in rows if r["building_id"]]
        )
    }
    from gongzhi.areas.selectors import place_labels

    labels = place_labels(list(names.values()))
    for row in rows:
        row["building"] = labels.get(row["building_id"], "")
        row["unread"] = row["total"] - row["read"]
    rows.sort(key=lambda r: r["building"])
    return rows


def unread_people(*, notice: Notice, area: Area) -> QuerySet[NoticeReceipt]:
    return (
        receipts_under(notice=notice, area=area)
        .filter(read_at=None)
        .select_related("person", "household")
        .order_by("household__path", "person__name", "pk")
    )


# The outbox an administrator reads.


def outbox_in_scope(*, user) -> QuerySet[Delivery]:
    return scoped(
        Delivery.objects.select_related("message", "message__user", "message__area"),
        user=user,
        via="message__area",
        perm=Perm.OUTBOX_VIEW,
    )
