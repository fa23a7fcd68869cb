"""Pages: the message centre (every user), notices on the resident's
phone, publishing and read receipts on the workbench, the outbox the
system administrator reads."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import scope_paths, scoped
from gongzhi.areas.selectors import place_labels, with_places
from gongzhi.areas.tree import touching_q
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.residents.models import TagType
from gongzhi.volunteering.models import Team

from . import selectors
from .forms import NoticeForm, PreferenceForm, QuietForm
from .models import Category, DeliveryStatus, FileKind, Preference, QuietHours
from .services.messages import (
    message_read,
    messages_read_all,
    preference_set,
    quiet_hours_set,
)
from .services.notices import NOTICE_KINDS, notice_publish, notice_read
from .services.outbox import deliveries_retry

PAGE = 30


def _base(request) -> str:
    return (
        "web/workbench_base.html"
        if user_can(user=request.user, perm=Perm.WORKBENCH)
        else "web/portal_base.html"
    )


# The message centre


@login_required
def message_list(request):
    unread = request.GET.get("unread") == "1"
    page = Paginator(selectors.messages_of(user=request.user, unread=unread), PAGE)
    return render(
        request,
        "notices/messages.html",
        {
            "base": _base(request),
            "page": page.get_page(request.GET.get("page")),
            "unread_only": unread,
        },
    )


@login_required
def message_open(request, message_id: int):
    """Open a message: it is read, and its link followed."""
    message = message_read(user=request.user, pk=message_id)
    return redirect(message.url or "notices:messages")


@login_required
@require_POST
def message_read_all(request):
    count = messages_read_all(user=request.user)
    flash.success(request, _("%(n)d messages marked read.") % {"n": count})
    return redirect("notices:messages")


@login_required
def message_settings(request):
    status = 200
    chosen = {p.category: p for p in Preference.objects.filter(user=request.user)}
    quiet = QuietHours.objects.filter(user=request.user).first()
    quiet_form = QuietForm(
        initial={"start": quiet.start, "end": quiet.end} if quiet else None
    )
    failed = None
    if request.method == "POST":
        if "category" in request.POST:
            form = PreferenceForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    preference_set(
                        user=request.user,
                        category=data["category"],
                        sms=data["sms"],
                        wechat=data["wechat"],
                        wecom=data["wecom"],
                    )
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    flash.success(request, _("Saved."))
                    return redirect("notices:settings")
            failed, status = form, 400
        else:
            quiet_form = QuietForm(request.POST)
            if quiet_form.is_valid():
                try:
                    quiet_hours_set(
                        user=request.user,
                        start=quiet_form.cleaned_data["start"],
                        end=quiet_form.cleaned_data["end"],
                    )
                except DomainError as exc:
                    add_domain_error(quiet_form, exc)
                else:
                    flash.success(request, _("Saved."))
                    return redirect("notices:settings")
            status = 400
    rows = [
        {
            "value": value,
            "label": label,
            "form": PreferenceForm(
                initial={
                    "category": value,
                    "sms": getattr(chosen.get(value), "sms", False),
                    "wechat": getattr(chosen.get(value), "wechat", False),
                    "wecom": getattr(chosen.get(value), "wecom", False),
                },
                auto_id=f"id_{value}_%s",
            ),
        }
        for value, label in Category.choices
    ]
    return render(
        request,
        "notices/settings.html",
        {
            "base": _base(request),
            "rows": rows,
            "quiet_form": quiet_form,
            "failed": failed,
        },
        status=status,
    )


# Notices on the resident's phone


@login_required
def portal_notices(request):
    page = Paginator(selectors.notices_for_resident(user=request.user), PAGE)
    return render(
        request,
        "notices/portal/notices.html",
        {"page": page.get_page(request.GET.get("page"))},
    )


@login_required
def portal_notice(request, notice_id: int):
    notice = selectors.notice_for_resident(user=request.user, pk=notice_id)
    notice_read(user=request.user, notice=notice)
    files = list(notice.files.all())
    return render(
        request,
        "notices/portal/notice.html",
        {
            "notice": notice,
            "images": [f for f in files if f.kind == FileKind.IMAGE],
            "attachments": [f for f in files if f.kind == FileKind.ATTACHMENT],
        },
    )


def _notice_file(notice, file_id: int):
    stored = get_object_or_404(notice.files, pk=file_id)
    if stored.kind == FileKind.IMAGE:
        return photo_file_response(stored.file)
    from django.http import FileResponse

    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=stored.content_type,
        as_attachment=True,
        filename=stored.name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def portal_notice_file(request, notice_id: int, file_id: int):
    notice = selectors.notice_for_resident(user=request.user, pk=notice_id)
    return _notice_file(notice, file_id)


# The workbench


@perm_required(Perm.NOTICE_VIEW)
def notice_list(request):
    notices = selectors.notices_in_reach(user=request.user)
    page = Paginator(notices, PAGE).get_page(request.GET.get("page"))
    items = with_places(page.object_list)
    for notice in items:
        here = selectors.notice_area_for(user=request.user, notice=notice)
        notice.receipts_area = here
    return render(
        request,
        "notices/workbench/notices.html",
        {
            "page": page,
            "items": items,
            "may_publish": user_can(user=request.user, perm=Perm.NOTICE_PUBLISH),
        },
    )


def _choices(user):
    """The places, groups and teams a publisher may choose."""
    paths = scope_paths(user, Perm.NOTICE_PUBLISH)
    places = list(
        scoped(Area.objects.all(), user=user, via="", perm=Perm.NOTICE_PUBLISH)
        .filter(kind__in=NOTICE_KINDS, retired_at__isnull=True)
        .order_by("path")[:500]
    )
    labels = place_labels(places)
    place_choices = [(a.pk, f"{a.get_kind_display()} · {labels[a.pk]}") for a in places]
    tags = [(t.pk, t.name) for t in TagType.objects.filter(active=True)]
    teams = (
        [
            (t.pk, t.name)
            for t in Team.objects.filter(
                touching_q(paths, field="area__path")
            ).order_by("name")[:200]
        ]
        if paths
        else []
    )
    return place_choices, tags, teams


@perm_required(Perm.NOTICE_PUBLISH)
def notice_new(request):
    places, tags, teams = _choices(request.user)
    if request.method != "POST":
        form = NoticeForm(places=places, tags=tags, teams=teams)
        return render(request, "notices/workbench/new.html", {"form": form})
    form = NoticeForm(
        request.POST, request.FILES, places=places, tags=tags, teams=teams
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_publish(
                by=request.user,
                area=Area.objects.filter(pk=data["area"]).first(),
                title=data["title"],
                body=data["body"],
                tag=TagType.objects.filter(pk=data["tag"]).first()
                if data["tag"]
                else None,
                team=Team.objects.filter(pk=data["team"]).first()
                if data["team"]
                else None,
                pinned=data["pinned"],
                expires_at=data["expires_at"],
                images=data["images"],
                attachments=data["attachments"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            flash.success(request, _("The notice is published."))
            return redirect(
                "notices:receipts", notice_id=notice.pk, area_id=notice.area_id
            )
    return render(request, "notices/workbench/new.html", {"form": form}, status=400)


@perm_required(Perm.NOTICE_VIEW)
def notice_receipts(request, notice_id: int, area_id: int):
    notice, area = selectors.notice_at(user=request.user, pk=notice_id, area_pk=area_id)
    counts = selectors.receipt_counts(notice=notice, area=area)
    unread = Paginator(selectors.unread_people(notice=notice, area=area), 100)
    page = unread.get_page(request.GET.get("page"))
    rows = with_places(page.object_list, via="household")
    total = sum(r["total"] for r in counts)
    read = sum(r["read"] for r in counts)
    return render(
        request,
        "notices/workbench/receipts.html",
        {
            "notice": notice,
            "area": area,
            "counts": counts,
            "total": total,
            "read": read,
            "unread_total": total - read,
            "page": page,
            "rows": rows,
            "files": list(notice.files.all()),
        },
    )


@perm_required(Perm.NOTICE_VIEW)
def notice_file(request, notice_id: int, area_id: int, file_id: int):
    notice, _area = selectors.notice_at(
        user=request.user, pk=notice_id, area_pk=area_id
    )
    return _notice_file(notice, file_id)


@perm_required(Perm.OUTBOX_VIEW)
def outbox(request):
    deliveries = selectors.outbox_in_scope(user=request.user)
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/workbench/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "now": timezone.now(),
        },
    )


@perm_required(Perm.OUTBOX_VIEW)
@require_POST
def outbox_retry(request):
    ids = list(
        selectors.outbox_in_scope(user=request.user)
        .filter(pk__in=[v for v in request.POST.getlist("delivery") if v.isdigit()])
        .values_list("pk", flat=True)
    )
    count = deliveries_retry(ids=ids)
    flash.success(request, _("%(n)d deliveries put back in the queue.") % {"n": count})
    return redirect("notices:outbox")
