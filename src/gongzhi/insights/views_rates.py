"""The workbench page of the three rates (三率): the counts and rates of
an area over a period, by community, street, team or category, and the
ranking of its communities and teams. Read from the rollups alone.

It opens on the last 30 days, and lists every community (or street) in
reach, with zero counts where none raised a request."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.core.errors import ValidationFailed

from . import selectors_rates as selectors

PERIODS = {
    "last_30_days": gettext_lazy("Last 30 days"),
    "this_month": gettext_lazy("This month"),
    "last_month": gettext_lazy("Last month"),
    "this_year": gettext_lazy("This year"),
    "custom": gettext_lazy("Custom"),
}


def period_bounds(
    period: str, today: dt.date, start: str | None, end: str | None
) -> tuple[dt.date, dt.date]:
    """The first and last day of a named period (custom: as given, this
    month where a date does not parse)."""
    if period == "last_30_days":
        return today - dt.timedelta(days=29), today
    if period == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return last.replace(day=1), last
    if period == "this_year":
        return today.replace(month=1, day=1), today
    if period == "custom":
        return _date(start, today.replace(day=1)), _date(end, today)
    return today.replace(day=1), today


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


def percent(value: float | None) -> str:
    """92.3% ; — where there is nothing to divide by."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"


def _shown(row: dict) -> dict:
    rates = row["rates"]
    row["shown"] = [
        {
            "name": name,
            "label": label,
            "value": percent(rates[name]),
            "numerator": row[num],
            "denominator": row[den],
        }
        for name, (num, den, label) in selectors.RATES.items()
    ]
    return row


# The page opens on the last 30 days: early in a month "this month" holds a
# few days' requests, too few to rank anyone.
DEFAULT_PERIOD = "last_30_days"


@perm_required(Perm.REQUEST_VIEW)
def rates_page(request):
    today = timezone.localdate()
    period = request.GET.get("period")
    period = period if period in PERIODS else DEFAULT_PERIOD
    start, end = period_bounds(
        period, today, request.GET.get("start"), request.GET.get("end")
    )
    group_by = request.GET.get("group_by")
    group_by = group_by if group_by in selectors.GROUPS else "community"
    rank_by = request.GET.get("rank_by")
    rank_by = rank_by if rank_by in selectors.RATES else "satisfaction"
    places = list(selectors.rates_areas(user=request.user))
    area = next((a for a in places if str(a.pk) == request.GET.get("area")), None)
    area = area or (places[0] if places else None)
    found = rankings = None
    error = ""
    if area is not None:
        try:
            found = selectors.rates(
                user=request.user,
                area=area,
                start=start,
                end=end,
                group_by=group_by,
                every_area=True,
            )
            rankings = [
                (
                    label,
                    selectors.ranking(
                        user=request.user,
                        area=area,
                        start=start,
                        end=end,
                        by=by,
                        rate=rank_by,
                    ),
                )
                for by, label in (
                    ("community", _("Communities")),
                    ("team", _("Teams and units")),
                )
            ]
        except ValidationFailed as exc:
            error = str(exc.message)
            found = rankings = None
    if found is not None:
        _shown(found["total"])
        for group in found["groups"]:
            _shown(group)
        for _label, ranked in rankings:
            for row in ranked["rows"]:
                row["shown"] = percent(row["value"])
    context = {
        "places": places,
        "area": area,
        "period": period,
        "periods": PERIODS.items(),
        "start": start,
        "end": end,
        "group_by": group_by,
        "groups": selectors.GROUPS.items(),
        "group_label": selectors.GROUPS[group_by],
        "rank_by": rank_by,
        "rank_label": selectors.RATES[rank_by][2],
        "rate_choices": [(name, r[2]) for name, r in selectors.RATES.items()],
        "found": found,
        "rankings": rankings,
        "min_sample": selectors.MIN_SAMPLE,
        "error": error,
    }
    return render(request, "insights/workbench/rates.html", context)
