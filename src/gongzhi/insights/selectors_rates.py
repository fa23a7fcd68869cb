"""The three rates (三率) and their ranking, read from the rollups alone.

The definitions are in ``rollups.py`` (and README.md). Every read starts
from the caller's scope (``areas.scoping.scoped`` over the rollup's
community, for request.view) and the chosen area's subtree: a community,
a street or the district. A rate is None when its denominator is 0.

Ranking orders communities or assignees ("teams": service teams,
organizations, street departments) by one rate, highest first. Equal
rates share a rank (1, 2, 2, 4); within a tie the larger sample comes
first, then the name. Groups whose denominator is below ``min_sample``
are listed after the ranked ones, without a rank: a rate over two
requests says little.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped, subtree_q
from gongzhi.areas.selectors import names_told_apart
from gongzhi.areas.tree import subtree
from gongzhi.core.errors import ValidationFailed
from gongzhi.orgs.models import Organization
from gongzhi.requests.models import Category, Department
from gongzhi.volunteering.models import Team

from .models import COUNTS, AssigneeKind, RequestRollup

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

# Each rate: (numerator, denominator, label).
RATES = {
    "response": (
        "responded_in_time",
        "dispatched",
        gettext_lazy("Response rate (响应率)"),
    ),
    "resolve": ("resolved", "valid", gettext_lazy("Resolution rate (解决率)")),
    "satisfaction": (
        "satisfied",
        "rated",
        gettext_lazy("Satisfaction rate (满意率)"),
    ),
}
GROUPS = {
    "community": gettext_lazy("Community"),
    "street": gettext_lazy("Street"),
    "team": gettext_lazy("Team or unit"),
    "category": gettext_lazy("Category"),
}
RANKED = ("community", "team")
FIELDS = ("raised", *COUNTS)
AREA_KINDS = (Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY)
MIN_SAMPLE = 5
MAX_DAYS = 366 * 3


def rate_of(numerator: int, denominator: int) -> float | None:
    """A fraction of 1, to four places; None over nothing."""
    if not denominator:
        return None
    return round(numerator / denominator, 4)


def _with_rates(counts: dict) -> dict:
    counts = {name: counts.get(name) or 0 for name in FIELDS}
    counts["rates"] = {
        name: rate_of(counts[num], counts[den])
        for name, (num, den, _label) in RATES.items()
    }
    return counts


def rates_area_check(*, user: User, area: Area) -> None:
    """404 unless the caller holds request.view over ``area``; a field
    error for a place below a community (rates are kept by community)."""
    if not in_scope(user, area, Perm.REQUEST_VIEW):
        raise Http404
    if area.kind not in AREA_KINDS:
        raise ValidationFailed(
            _(
                "Rates are kept by community: choose a community, a street "
                "or a district."
            ),
            field="area",
        )


def period_check(*, start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationFailed(_("The end must come after the start."), field="end")
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed(
            _("Choose a period of at most three years."), field="start"
        )


def rollups_in(
    *, user: User, area: Area, start: dt.date, end: dt.date
) -> QuerySet[RequestRollup]:
    """The rollups of the requests raised in ``area`` from ``start`` to
    ``end`` (both included) that the caller may see."""
    rates_area_check(user=user, area=area)
    period_check(start=start, end=end)
    found = RequestRollup.objects.filter(day__gte=start, day__lte=end).filter(
        subtree_q([area.path], field="community__path")
    )
    return scoped(found, user=user, via="community", perm=Perm.REQUEST_VIEW)


def _sums() -> dict:
    return {name: Sum(name) for name in FIELDS}


def _names(group_by: str, keys: list) -> dict:
    """The groups' names; a name that repeats (three 安居物业管理有限公司, two
    三盛里社区) reads with its community or street (``names_told_apart``)."""
    if group_by == "category":
        return dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
    found = []  # (key, name, where it is)
    if group_by in ("community", "street"):
        for pk, name, path in Area.objects.filter(pk__in=keys).values_list(
            "pk", "name", "path"
        ):
            found.append((pk, name, path[: -Area.steplen]))
    else:
        models = {
            AssigneeKind.TEAM: (Team, "area__path"),
            AssigneeKind.ORGANIZATION: (Organization, "area__path"),
            AssigneeKind.DEPARTMENT: (Department, "street__path"),
        }
        for kind, (model, place) in models.items():
            ids = [pk for k, pk in keys if k == kind]
            if ids:
                rows = model.objects.filter(pk__in=ids).values_list("pk", "name", place)
                found += [((kind, pk), name, path) for pk, name, path in rows]
    labels = names_told_apart((name, path) for _key, name, path in found)
    names = {key: label for (key, _n, _p), label in zip(found, labels, strict=True)}
    if group_by == "team":
        names[(AssigneeKind.NONE, 0)] = str(AssigneeKind.NONE.label)
    return names


def areas_in(
    *, user: User, area: Area, kind: str, perm: str = Perm.REQUEST_VIEW
) -> QuerySet[Area]:
    """The communities (or streets) in ``area`` on which the caller holds
    ``perm`` (request.view by default), in tree order: one query over the
    tree, none over requests."""
    return scoped(
        subtree(Area.objects.filter(kind=kind, retired_at__isnull=True), area, via=""),
        user=user,
        via="",
        perm=perm,
    ).order_by("path")


def rates(
    *,
    user: User,
    area: Area,
    start: dt.date,
    end: dt.date,
    group_by: str = "community",
    every_area: bool = False,
) -> dict:
    """The counts and the three rates over the area and period, in total
    and per group (community, street, team or category). With
    ``every_area``, grouping by community or street lists every one in the
    area and the caller's reach, those without requests with zero counts
    (their rates None)."""
    if group_by not in GROUPS:
        raise ValidationFailed(
            _("Group by community, street, team or category."), field="group_by"
        )
    found = rollups_in(user=user, area=area, start=start, end=end)
    total = _with_rates(found.aggregate(**_sums()))
    fields = (
        ("assignee_kind", "assignee_id") if group_by == "team" else (f"{group_by}_id",)
    )
    rows = list(found.values(*fields).annotate(**_sums()).order_by())
    if group_by == "team":
        keys = [(row["assignee_kind"], row["assignee_id"]) for row in rows]
    else:
        keys = [row[fields[0]] for row in rows]
    names = _names(group_by, keys)
    if every_area and group_by in ("community", "street"):
        for pk, name in areas_in(user=user, area=area, kind=group_by).values_list(
            "pk", "name"
        ):
            if pk not in names:
                keys.append(pk)
                rows.append({})
                names[pk] = name
    kinds = dict(AssigneeKind.choices)
    groups = []
    for key, row in zip(keys, rows, strict=True):
        group = _with_rates(row)
        group["id"] = key[1] if group_by == "team" else key
        group["kind"] = key[0] if group_by == "team" else group_by
        group["kind_label"] = (
            str(kinds.get(key[0], key[0])) if group_by == "team" else ""
        )
        group["name"] = names.get(key, "—")
        groups.append(group)
    groups.sort(key=lambda g: (g["kind"] == AssigneeKind.NONE, g["name"], g["id"]))
    return {
        "area": area,
        "start": start,
        "end": end,
        "group_by": group_by,
        "total": total,
        "groups": groups,
    }


def ranking(
    *,
    user: User,
    area: Area,
    start: dt.date,
    end: dt.date,
    by: str = "community",
    rate: str = "satisfaction",
    min_sample: int = MIN_SAMPLE,
) -> dict:
    """Communities or teams ordered by ``rate``: ranked rows first (equal
    rates share a rank), then those with fewer than ``min_sample``
    requests in the rate's denominator, unranked. Requests nobody held
    are not a team and are left out."""
    if by not in RANKED:
        raise ValidationFailed(_("Rank communities or teams."), field="by")
    if rate not in RATES:
        raise ValidationFailed(
            _("Rank by the response, resolution or satisfaction rate."), field="rate"
        )
    if min_sample < 1:
        raise ValidationFailed(
            _("The minimum sample is at least 1."), field="min_sample"
        )
    found = rates(user=user, area=area, start=start, end=end, group_by=by)
    numerator, denominator, _label = RATES[rate]
    groups = [g for g in found["groups"] if g["kind"] != AssigneeKind.NONE]
    ranked = [g for g in groups if g[denominator] >= min_sample]
    small = [g for g in groups if g[denominator] < min_sample]
    ranked.sort(
        key=lambda g: (
            -Fraction(g[numerator], g[denominator]),
            -g[denominator],
            g["name"],
            g["id"],
        )
    )
    small.sort(key=lambda g: (-g[denominator], g["name"], g["id"]))
    rows, previous, rank = [], None, 0
    for position, group in enumerate(ranked, start=1):
        value = Fraction(group[numerator], group[denominator])
        if value != previous:
            rank, previous = position, value
        rows.append(_ranked(group, rank, numerator, denominator, rate))
    rows += [_ranked(group, None, numerator, denominator, rate) for group in small]
    return {
        "area": area,
        "start": start,
        "end": end,
        "by": by,
        "rate": rate,
        "min_sample": min_sample,
        "rows": rows,
    }


def _ranked(group: dict, rank, numerator: str, denominator: str, rate: str) -> dict:
    return {
        "rank": rank,
        "id": group["id"],
        "kind": group["kind"],
        "kind_label": group["kind_label"],
        "name": group["name"],
        "numerator": group[numerator],
        "denominator": group[denominator],
        "value": group["rates"][rate],
        "rates": group["rates"],
        "raised": group["raised"],
    }


def rates_areas(*, user: User) -> QuerySet[Area]:
    """The districts, streets and communities over which the caller may
    read rates, in tree order."""
    return scoped(
        Area.objects.filter(kind__in=AREA_KINDS, retired_at__isnull=True),
        user=user,
        via="",
        perm=Perm.REQUEST_VIEW,
    ).order_by("path")
