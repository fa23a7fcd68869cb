"""The points and volunteering figures pages, read from the rollups.

Points and volunteering sit below insights, so they cannot import it:
each keeps a slot for the reader of its figures (``figures_read_from``),
and ``install`` (called by ``InsightsConfig.ready``) fills it with the
functions here, which answer what the raw counts answer
(``points.selectors.figures``, ``volunteering.selectors.figures``) from
the ``Rollup`` rows alone.

Participants are people counted once over a period, so they come from the
month or year rows: exact for a whole month or year, or one from its
first day to today or later (nothing has happened after today); any other
period answers ``None`` for them ("counted by whole month or year").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from gongzhi.areas.models import Area
from gongzhi.points import selectors as point_selectors
from gongzhi.volunteering import selectors as volunteering_selectors
from gongzhi.volunteering.models import Team

from .dashboard_rollups import month_end
from .models import Rollup, Tier


def _hours(cents: int) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


def points_month(communities: list[Area], *, year: int, month: int) -> dict:
    """``points.selectors.figures`` of one month, from the month rows."""
    result = {c.pk: point_selectors.Figures(community=c) for c in communities}
    names = {
        "earned": "issued",
        "redeemed": "redeemed",
        "refunded": "refunded",
        "expired": "expired",
        "adjusted": "adjusted",
        "outstanding": "outstanding",
        "participants": "participants",
        "transfers": "transfers",
    }
    rows = Rollup.objects.filter(
        domain="points",
        tier=Tier.MONTH,
        period=dt.date(year, month, 1),
        area_id__in=list(result),
        dim="",
    ).values_list("area_id", "metric", "value")
    for pk, metric, value in rows:
        if metric in names:
            setattr(result[pk], names[metric], value)
    return result


def _people_tier(start: dt.date, end: dt.date) -> tuple[str, dt.date] | None:
    """The tier and period whose distinct counts are this period's."""
    today = timezone.localdate()
    if start.day == 1 and start.month == 1:
        last = dt.date(start.year, 12, 31)
        if end == last or (today <= end <= last):
            return Tier.YEAR, start
    if start.day == 1:
        last = month_end(start)
        if end == last or (today <= end <= last):
            return Tier.MONTH, start
    return None


SPLITS = (("kind", "by_kind"), ("team", "by_team"), ("place", "by_place"))


def volunteering_figures(area: Area, *, start: dt.date, end: dt.date, **_kw) -> dict:
    """``volunteering.selectors.figures`` from the day rows (and the month
    or year rows for participants)."""
    days = Rollup.objects.filter(
        domain="volunteering",
        tier=Tier.DAY,
        area=area,
        period__gte=start,
        period__lte=end,
        metric__in=("sessions", "participations", "hours"),
    )
    sums: dict[tuple[str, str], int] = {
        (metric, dim): total
        for metric, dim, total in days.values("metric", "dim")
        .annotate(total=Sum("value"))
        .values_list("metric", "dim", "total")
        .order_by()
    }
    people: dict[str, int | None] = {}
    tier = _people_tier(start, end)
    if tier is not None:
        people = dict(
            Rollup.objects.filter(
                domain="volunteering",
                tier=tier[0],
                period=tier[1],
                area=area,
                metric="participants",
            ).values_list("dim", "value")
        )

    def participants(dim: str) -> int | None:
        return None if tier is None else people.get(dim, 0)

    team_ids = [
        int(dim.split(":", 1)[1])
        for _m, dim in sums
        if dim.startswith("team:") and dim != "team:0"
    ]
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
    out = {
        "sessions": sums.get(("sessions", ""), 0),
        "participations": sums.get(("participations", ""), 0),
        "participants": participants(""),
        "hours": _hours(sums.get(("hours", ""), 0)),
    }
    for split, name in SPLITS:
        groups = sorted({dim for _m, dim in sums if dim.startswith(f"{split}:")})
        rows = []
        for dim in groups:
            key = dim.split(":", 1)[1]
            if split == "team":
                key = teams.get(int(key)) if key != "0" else None
            rows.append(
                {
                    "key": key,
                    "sessions": sums.get(("sessions", dim), 0),
                    "participations": sums.get(("participations", dim), 0),
                    "participants": participants(dim),
                    "hours": _hours(sums.get(("hours", dim), 0)),
                }
            )
        out[name] = sorted(rows, key=lambda row: -row["participations"])
    return out


def install() -> None:
    point_selectors.figures_read_from(points_month)
    volunteering_selectors.figures_read_from(volunteering_figures)
