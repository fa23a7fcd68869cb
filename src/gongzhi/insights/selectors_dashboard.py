"""The 数据大屏's panels, read from the rollups (``Rollup``) alone.

Every panel is for one area (a district, a street or a community) and a
month (this one by default): the caller must hold insights.view over the
area (else 404, as everywhere); a place below a community, a month not
yet begun or a malformed one is a field error. The sub-areas listed
(streets of a district, communities of a street) are those in the
caller's reach. What each figure means is in ``domains.py``.

The same dictionaries feed the page (polled as JSON), the API under
``/api/v1/insights/`` and the downloads, so the three always agree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.core.errors import ValidationFailed
from gongzhi.points.models import Goods
from gongzhi.requests.models import Category
from gongzhi.residents.models import IncidentKind, TagType, VisitForm
from gongzhi.volunteering.models import ActivityType

from .dashboard_rollups import kept_start, month_end, month_of
from .models import Rollup, Tier
from .selectors_rates import areas_in, rate_of

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

AREA_KINDS = (Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY)
CHILD_KIND = {Kind.DISTRICT: Kind.STREET, Kind.STREET: Kind.COMMUNITY}
TREND_MONTHS = 12
COMPARE_MAX = 8
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RATES = (
    ("response", "responded_in_time", "dispatched"),
    ("resolve", "resolved", "valid"),
    ("satisfaction", "satisfied", "rated"),
)


# Input ---------------------------------------------------------------------


def screen_area(*, user: User, pk: int) -> Area:
    """The area ``pk`` if the caller holds insights.view over it (else
    404); a field error for a place below a community."""
    area = Area.objects.filter(pk=pk).first()
    if area is None or not in_scope(user, area, Perm.INSIGHTS_VIEW):
        raise Http404
    if area.kind not in AREA_KINDS:
        raise ValidationFailed(
            _(
                "Figures are kept by community: choose a community, a street "
                "or a district."
            ),
            field="area",
        )
    return area


def screen_areas(*, user: User):
    """The districts, streets and communities whose screen the caller may
    open, in tree order."""
    return scoped(
        Area.objects.filter(kind__in=AREA_KINDS, retired_at__isnull=True),
        user=user,
        via="",
        perm=Perm.INSIGHTS_VIEW,
    ).order_by("path")


def month_parse(value: str | None, *, today: dt.date | None = None) -> dt.date:
    """``YYYY-MM`` as the month's first day; this month when empty. A
    malformed month, one not yet begun, or one before the figures kept is
    a field error."""
    today = today or timezone.localdate()
    if not value:
        return month_of(today)
    found = MONTH.match(str(value).strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed(
            _("Give the month as YYYY-MM, for example 2026-11."), field="month"
        )
    month = dt.date(int(found.group(1)), int(found.group(2)), 1)
    if month > month_of(today):
        raise ValidationFailed(_("That month has not come yet."), field="month")
    if month < kept_start(today):
        raise ValidationFailed(
            _("Figures are kept from %(date)s.")
            % {"date": kept_start(today).strftime("%Y-%m")},
            field="month",
        )
    return month


def compare_ids(value: str | None) -> list[int]:
    """``1,2,3`` as two to eight area ids, else a field error."""
    parts = [part.strip() for part in str(value or "").split(",") if part.strip()]
    if not all(part.isdigit() and len(part) < 12 for part in parts):
        raise ValidationFailed(
            _("Give the areas as ids separated by commas."), field="ids"
        )
    ids = list(dict.fromkeys(int(part) for part in parts))
    if not 2 <= len(ids) <= COMPARE_MAX:
        raise ValidationFailed(
            _("Compare two to %(max)d areas.") % {"max": COMPARE_MAX}, field="ids"
        )
    return ids


# Reading the rollups --------------------------------------------------------


def _rows(area_ids, *, domain: str, tier: str, periods, metrics=None, dims=("",)):
    found = Rollup.objects.filter(
        domain=domain, tier=tier, area_id__in=list(area_ids), period__in=list(periods)
    )
    if metrics is not None:
        found = found.filter(metric__in=list(metrics))
    if dims is not None:
        found = found.filter(dim__in=list(dims))
    return found.values_list("area_id", "period", "metric", "dim", "value")


def _month_values(area_ids, month: dt.date, domains, dims=("",)) -> dict:
    """area id -> "domain.metric" (dim "") -> value, for one month."""
    out: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in area_ids}
    found = Rollup.objects.filter(
        tier=Tier.MONTH,
        area_id__in=list(area_ids),
        period=month,
        domain__in=list(domains),
        dim__in=list(dims),
    ).values_list("area_id", "domain", "metric", "value")
    for pk, domain, metric, value in found:
        out[pk][f"{domain}.{metric}"] = value
    return out


def _rates(values: dict) -> dict:
    return {
        name: rate_of(
            values.get(f"requests.{num}", 0), values.get(f"requests.{den}", 0)
        )
        for name, num, den in RATES
    }


def _coverage(values: dict) -> float | None:
    return rate_of(values.get("people.covered", 0), values.get("people.tagged", 0))


HEADLINE_DOMAINS = ("requests", "visits", "volunteering", "points", "party")


def _headline(values: dict) -> dict:
    """The figures a sub-area's row and the comparison show."""
    return {
        "raised": values.get("requests.raised", 0),
        "resolved": values.get("requests.resolved", 0),
        "rates": _rates(values),
        "visits": values.get("visits.visits", 0),
        "sessions": values.get("volunteering.sessions", 0),
        "participations": values.get("volunteering.participations", 0),
        "hours": values.get("volunteering.hours", 0) / 100,
        "earned": values.get("points.earned", 0),
        "redeemed": values.get("points.redeemed", 0),
        "party_members": values.get("party.members", 0),
    }


def _children(*, user: User, area: Area) -> list[Area]:
    kind = CHILD_KIND.get(area.kind)
    if kind is None:
        return []
    return list(areas_in(user=user, area=area, kind=kind, perm=Perm.INSIGHTS_VIEW))


def _area_out(area: Area) -> dict:
    return {"id": area.pk, "name": area.name, "kind": area.kind}


def _months_back(month: dt.date, count: int) -> list[dt.date]:
    months, at = [], month
    for _n in range(count):
        months.append(at)
        at = month_of(at - dt.timedelta(days=1))
    return sorted(months)


def _period_out(area: Area, month: dt.date) -> dict:
    return {"area": _area_out(area), "month": month.strftime("%Y-%m")}


# Panels ----------------------------------------------------------------------


def panel_tree(*, user: User, area: Area, month: dt.date) -> dict:
    """The sub-areas in reach with their month's headline figures, for the
    tree and the drill-down (a community has none below it here)."""
    children = _children(user=user, area=area)
    values = _month_values(
        [area.pk, *(c.pk for c in children)], month, HEADLINE_DOMAINS
    )
    return {
        **_period_out(area, month),
        "total": _headline(values[area.pk]),
        "children": [
            {**_area_out(child), **_headline(values[child.pk])} for child in children
        ],
    }


TREND_SERIES = (
    ("requests", "raised"),
    ("requests", "resolved"),
    ("visits", "visits"),
    ("volunteering", "participations"),
    ("volunteering", "hours"),
    ("points", "earned"),
    ("points", "redeemed"),
)


def panel_trends(*, user: User, area: Area, month: dt.date) -> dict:
    """Twelve months up to ``month``: requests raised and resolved, visits,
    participations (人次), service hours, points earned and redeemed."""
    months = _months_back(month, TREND_MONTHS)
    series: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for domain in {d for d, _m in TREND_SERIES}:
        metrics = [m for d, m in TREND_SERIES if d == domain]
        for _pk, period, metric, _dim, value in _rows(
            [area.pk], domain=domain, tier=Tier.MONTH, periods=months, metrics=metrics
        ):
            series[f"{domain}.{metric}"][period] = value
    out = {}
    for domain, metric in TREND_SERIES:
        line = series.get(f"{domain}.{metric}", {})
        values = [line.get(m, 0) for m in months]
        if metric == "hours":
            values = [v / 100 for v in values]
        out[f"{domain}.{metric}"] = values
    return {
        **_period_out(area, month),
        "months": [m.strftime("%Y-%m") for m in months],
        "series": out,
    }


def _split(rows, prefix: str) -> dict[str, dict[str, int]]:
    """dim key -> metric -> value for the dims starting ``prefix:``."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for _pk, _period, metric, dim, value in rows:
        if dim.startswith(prefix + ":"):
            out[dim.split(":", 1)[1]][metric] += value
    return out


def panel_categories(*, user: User, area: Area, month: dt.date) -> dict:
    """The month's requests by category: raised and resolved."""
    rows = Rollup.objects.filter(
        domain="requests",
        tier=Tier.MONTH,
        area=area,
        period=month,
        dim__startswith="cat:",
    ).values_list("area_id", "period", "metric", "dim", "value")
    split = _split(rows, "cat")
    names = dict(
        Category.objects.filter(pk__in=[int(k) for k in split]).values_list(
            "pk", "name"
        )
    )
    items = [
        {
            "id": int(key),
            "name": names.get(int(key), "—"),
            "raised": figures.get("raised", 0),
            "resolved": figures.get("resolved", 0),
        }
        for key, figures in split.items()
    ]
    items.sort(key=lambda row: (-row["raised"], row["name"]))
    return {**_period_out(area, month), "categories": items}


def panel_rates(*, user: User, area: Area, month: dt.date) -> dict:
    """The month's three rates, and the sub-areas ranked by each (equal
    rates share a rank; none ranked without a denominator)."""
    children = _children(user=user, area=area)
    values = _month_values([area.pk, *(c.pk for c in children)], month, ("requests",))
    counts = {
        name: values[area.pk].get(f"requests.{name}", 0)
        for name in ("raised", "valid", "dispatched", "responded_in_time")
        + ("resolved", "rated", "satisfied")
    }
    rankings = {}
    for name, num, den in RATES:
        rows = []
        for child in children:
            v = values[child.pk]
            rows.append(
                {
                    **_area_out(child),
                    "numerator": v.get(f"requests.{num}", 0),
                    "denominator": v.get(f"requests.{den}", 0),
                    "value": rate_of(
                        v.get(f"requests.{num}", 0), v.get(f"requests.{den}", 0)
                    ),
                }
            )
        ranked = sorted(
            (r for r in rows if r["value"] is not None),
            key=lambda r: (-r["value"], -r["denominator"], r["name"]),
        )
        previous, rank = None, 0
        for position, row in enumerate(ranked, start=1):
            if row["value"] != previous:
                rank, previous = position, row["value"]
            row["rank"] = rank
        rest = [dict(r, rank=None) for r in rows if r["value"] is None]
        rankings[name] = ranked + rest
    return {
        **_period_out(area, month),
        "counts": counts,
        "rates": _rates(values[area.pk]),
        "rankings": rankings,
    }


def _snapshot_day(month: dt.date, today: dt.date) -> dt.date:
    return min(month_end(month), today)


def panel_care(*, user: User, area: Area, month: dt.date) -> dict:
    """Key populations by tag with their care coverage (visited in the
    seven days up to the month's end, or today), the month's visits by
    form and incidents by kind."""
    today = timezone.localdate()
    day = _snapshot_day(month, today)
    tags = _split(
        _rows([area.pk], domain="people", tier=Tier.DAY, periods=[day], dims=None),
        "tag",
    )
    names = {}
    for code, name in TagType.objects.filter(code__in=list(tags)).values_list(
        "code", "name"
    ):
        names.setdefault(code, name)
    visits = _split(
        _rows([area.pk], domain="visits", tier=Tier.MONTH, periods=[month], dims=None),
        "form",
    )
    incidents = _split(
        _rows(
            [area.pk], domain="incidents", tier=Tier.MONTH, periods=[month], dims=None
        ),
        "kind",
    )
    forms, kinds = dict(VisitForm.choices), dict(IncidentKind.choices)
    people = [
        {
            "code": code,
            "name": names.get(code, code),
            "tagged": figures.get("tagged", 0),
            "covered": figures.get("covered", 0),
            "coverage": rate_of(figures.get("covered", 0), figures.get("tagged", 0)),
        }
        for code, figures in tags.items()
    ]
    people.sort(key=lambda row: (-row["tagged"], row["code"]))
    return {
        **_period_out(area, month),
        "as_of": day.isoformat(),
        "people": people,
        "visits": sum(f.get("visits", 0) for f in visits.values()),
        "visits_by_form": [
            {"key": key, "name": str(forms.get(key, key)), "value": f.get("visits", 0)}
            for key, f in sorted(visits.items())
        ],
        "incidents": sum(f.get("incidents", 0) for f in incidents.values()),
        "incidents_by_kind": [
            {
                "key": key,
                "name": str(kinds.get(key, key)),
                "value": f.get("incidents", 0),
            }
            for key, f in sorted(incidents.items())
        ],
    }


def panel_volunteering(*, user: User, area: Area, month: dt.date) -> dict:
    """The month's sessions, participations (人次), participants and hours,
    by activity type; and the 双报到 members with their hours."""
    rows = list(
        _rows(
            [area.pk],
            domain="volunteering",
            tier=Tier.MONTH,
            periods=[month],
            dims=None,
        )
    )
    total = {metric: value for _a, _p, metric, dim, value in rows if dim == ""}
    by_kind = _split(rows, "kind")
    kinds = dict(ActivityType.choices)
    party = {
        metric: value
        for _a, _p, metric, _d, value in _rows(
            [area.pk], domain="party", tier=Tier.MONTH, periods=[month]
        )
    }
    return {
        **_period_out(area, month),
        "sessions": total.get("sessions", 0),
        "participations": total.get("participations", 0),
        "participants": total.get("participants", 0),
        "hours": total.get("hours", 0) / 100,
        "by_kind": sorted(
            (
                {
                    "key": key,
                    "name": str(kinds.get(key, key)),
                    "sessions": f.get("sessions", 0),
                    "participations": f.get("participations", 0),
                    "hours": f.get("hours", 0) / 100,
                }
                for key, f in by_kind.items()
            ),
            key=lambda row: (-row["participations"], row["key"]),
        ),
        "party": {
            "members": party.get("members", 0),
            "serving": party.get("serving", 0),
            "participations": party.get("participations", 0),
            "hours": party.get("hours", 0) / 100,
        },
    }


POINT_FIGURES = (
    "earned",
    "redeemed",
    "refunded",
    "expired",
    "adjusted",
    "outstanding",
    "participants",
    "transfers",
)


def panel_points(*, user: User, area: Area, month: dt.date) -> dict:
    """The month's points: earned, redeemed, expired, adjusted, outstanding
    at its end, participants; twelve months of the flow; the goods most
    taken."""
    months = _months_back(month, TREND_MONTHS)
    flow: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for _a, period, metric, _d, value in _rows(
        [area.pk], domain="points", tier=Tier.MONTH, periods=months
    ):
        flow[metric][period] = value
    goods = _split(
        _rows([area.pk], domain="goods", tier=Tier.MONTH, periods=[month], dims=None),
        "goods",
    )
    names = dict(
        Goods.objects.filter(pk__in=[int(k) for k in goods]).values_list("pk", "name")
    )
    shop = {
        metric: value
        for _a, _p, metric, _d, value in _rows(
            [area.pk], domain="goods", tier=Tier.MONTH, periods=[month]
        )
    }
    top = sorted(
        (
            {
                "id": int(key),
                "name": names.get(int(key), "—"),
                "orders": f.get("orders", 0),
                "quantity": f.get("quantity", 0),
                "points": f.get("points", 0),
            }
            for key, f in goods.items()
        ),
        key=lambda row: (-row["quantity"], row["name"]),
    )[:10]
    return {
        **_period_out(area, month),
        **{name: flow[name].get(month, 0) for name in POINT_FIGURES},
        "months": [m.strftime("%Y-%m") for m in months],
        "flow": {
            name: [flow[name].get(m, 0) for m in months]
            for name in ("earned", "redeemed", "expired", "outstanding")
        },
        "orders": shop.get("orders", 0),
        "handed_over": shop.get("handed_over", 0),
        "goods": top,
    }


PANELS = {
    "tree": panel_tree,
    "trends": panel_trends,
    "categories": panel_categories,
    "rates": panel_rates,
    "care": panel_care,
    "volunteering": panel_volunteering,
    "points": panel_points,
}


def screen(*, user: User, area: Area, month: dt.date) -> dict:
    """Every panel of the screen at once (what the page polls)."""
    return {
        **_period_out(area, month),
        "updated": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        "panels": {
            name: panel(user=user, area=area, month=month)
            for name, panel in PANELS.items()
        },
    }


def compare_within(*, user: User, area: Area) -> list[int]:
    """The sub-areas of a street or district in reach, to compare."""
    if area.kind not in CHILD_KIND:
        raise ValidationFailed(
            _("Compare the communities of a street or the streets of a district."),
            field="area_id",
        )
    return [child.pk for child in _children(user=user, area=area)]


def compare(*, user: User, ids: list[int], month: dt.date) -> dict:
    """Communities (or streets) side by side: the month's headline figures
    and care coverage of each. All must be of one kind and in reach."""
    areas = [screen_area(user=user, pk=pk) for pk in ids]
    kinds = {area.kind for area in areas}
    if len(kinds) > 1 or kinds == {Kind.DISTRICT}:
        raise ValidationFailed(
            _("Compare communities with communities, or streets with streets."),
            field="ids",
        )
    day = _snapshot_day(month, timezone.localdate())
    people: dict[int, dict[str, int]] = {a.pk: defaultdict(int) for a in areas}
    for pk, _p, metric, _d, value in _rows(
        [a.pk for a in areas], domain="people", tier=Tier.DAY, periods=[day], dims=None
    ):
        people[pk][metric] += value
    headline = _month_values([a.pk for a in areas], month, HEADLINE_DOMAINS)
    return {
        "month": month.strftime("%Y-%m"),
        "areas": [
            {
                **_area_out(area),
                **_headline(headline[area.pk]),
                "coverage": rate_of(
                    people[area.pk]["covered"], people[area.pk]["tagged"]
                ),
                "participants": headline[area.pk].get("volunteering.participants", 0),
            }
            for area in areas
        ],
    }
