"""The 数据大屏 (a full-screen dashboard per district, street or
community), its data as JSON for the page to poll, its downloads, and the
side-by-side comparison of communities or streets. Read from the rollups
alone (``selectors_dashboard``).

An area outside the login's reach answers 404, as everywhere; the JSON
answers a bad month or a place below a community with
``{"detail", "field"}`` and 400, as the API does.
"""

from __future__ import annotations

import io

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.tree import ancestor_paths
from gongzhi.core.errors import ValidationFailed

from . import selectors_dashboard as selectors
from .screen_tables import csv_text, tables, workbook_write

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFRESH_SECONDS = 60


def _labels() -> dict:
    """The words the page's script writes, in the reader's language."""
    return {
        "raised": _("Requests raised"),
        "resolved": _("Resolved"),
        "visits": _("Visits"),
        "participations": _("Participations (人次)"),
        "hours": _("Service hours"),
        "earned": _("Points earned"),
        "redeemed": _("Points redeemed"),
        "expired": _("Points expired"),
        "outstanding": _("Points outstanding"),
        "response": _("Response rate"),
        "resolve": _("Resolution rate"),
        "satisfaction": _("Satisfaction rate"),
        "tagged": _("People"),
        "covered": _("Visited in 7 days"),
        "coverage": _("Coverage"),
        "sessions": _("Sessions"),
        "participants": _("Participants"),
        "members": _("双报到 members"),
        "incidents": _("Incidents"),
        "updated": _("Updated"),
        "ranking": _("ranking"),
        "nothing": _("Nothing this month."),
        "error": _("The figures could not be refreshed; showing the last ones."),
    }


def _screen_for(request, area_id: int):
    area = selectors.screen_area(user=request.user, pk=area_id)
    month = selectors.month_parse(request.GET.get("month"))
    return area, month


@perm_required(Perm.INSIGHTS_VIEW)
def screen_home(request):
    """The screen of the highest area in reach."""
    first = selectors.screen_areas(user=request.user).first()
    if first is None:
        raise Http404
    return redirect("insights:screen", area_id=first.pk)


@perm_required(Perm.INSIGHTS_VIEW)
def screen_page(request, area_id: int):
    try:
        area, month = _screen_for(request, area_id)
        error = ""
    except ValidationFailed as exc:
        if exc.field != "month":
            raise Http404 from None
        area = selectors.screen_area(user=request.user, pk=area_id)
        month, error = selectors.month_parse(None), str(exc.message)
    reach = selectors.screen_areas(user=request.user)
    above = list(reach.filter(path__in=ancestor_paths(area.path)).order_by("path"))
    context = {
        "area": area,
        "above": above,
        "month": month.strftime("%Y-%m"),
        "error": error,
        "data_url": reverse("insights:screen_data", args=[area.pk]),
        "screen_url": reverse("insights:screen", args=[0]).replace("/0/", "/{id}/"),
        "refresh": REFRESH_SECONDS,
        "labels": _labels(),
        "panel_titles": [
            ("tree", _("Sub-areas (click to open)")),
            ("trends", _("Monthly trends")),
            ("rates", _("Three rates (三率)")),
            ("categories", _("Requests by category")),
            ("care", _("Key populations and care coverage")),
            ("volunteering", _("Volunteering and 双报到")),
            ("points", _("Points flow (积分超市)")),
        ],
    }
    return render(request, "insights/screen.html", context)


@perm_required(Perm.INSIGHTS_VIEW)
def screen_data(request, area_id: int):
    """The screen's panels as JSON, for the page to poll."""
    try:
        area, month = _screen_for(request, area_id)
    except ValidationFailed as exc:
        return JsonResponse(exc.as_dict(), status=400)
    return JsonResponse(selectors.screen(user=request.user, area=area, month=month))


@perm_required(Perm.INSIGHTS_VIEW)
def screen_download(request, area_id: int):
    """The data behind the charts: every panel in one workbook, or one
    panel (``panel=``) as CSV (``format=csv``)."""
    try:
        area, month = _screen_for(request, area_id)
    except ValidationFailed as exc:
        return JsonResponse(exc.as_dict(), status=400)
    data = selectors.screen(user=request.user, area=area, month=month)
    name = f"数据大屏_{area.name}_{data['month']}"
    if request.GET.get("format") == "csv":
        panel = request.GET.get("panel", "")
        if panel not in tables(data):
            return JsonResponse(
                {"detail": _("Choose one of the panels."), "field": "panel"},
                status=400,
            )
        response = HttpResponse(csv_text(data, panel), content_type="text/csv")
        filename = f"{name}_{panel}.csv"
    else:
        out = io.BytesIO()
        workbook_write(data, by=request.user, out=out)
        response = HttpResponse(out.getvalue(), content_type=XLSX)
        filename = f"{name}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@perm_required(Perm.INSIGHTS_VIEW)
def compare_page(request):
    """Communities or streets side by side (``ids=1,2,3``)."""
    places = [
        a for a in selectors.screen_areas(user=request.user) if a.kind != "district"
    ]
    chosen = request.GET.getlist("id") or []
    raw = request.GET.get("ids") or ",".join(chosen)
    result, error = None, ""
    month = request.GET.get("month") or ""
    if raw:
        try:
            result = selectors.compare(
                user=request.user,
                ids=selectors.compare_ids(raw),
                month=selectors.month_parse(month),
            )
        except ValidationFailed as exc:
            error = str(exc.message)
    picked = {int(p) for p in raw.split(",") if p.strip().isdigit()}
    context = {
        "places": places,
        "picked": picked,
        "month": month or selectors.month_parse(None).strftime("%Y-%m"),
        "result": result,
        "error": error,
        "labels": _labels(),
    }
    return render(request, "insights/compare.html", context)
