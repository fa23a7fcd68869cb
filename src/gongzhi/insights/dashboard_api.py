"""The 数据大屏's panels over the API: ``GET /api/v1/insights/…``, so a
city's own big screen can pull them.

Each panel is for an area (``area_id``: a district, a street or a
community) and a month (``month=YYYY-MM``, this one by default), read
from the rollups. An area outside the caller's reach answers 404 (as
does one where she lacks insights.view); a place below a community, a
malformed month or one not yet begun, a 400 naming the field. Rates are
fractions of 1 (four places), null over nothing; hours are hours.
"""

from __future__ import annotations

from typing import Any

from ninja import Router

from gongzhi.accounts.refusals import ERRORS

from . import selectors_dashboard as selectors

router = Router(tags=["insights"])


def _panel(name: str):
    panel = selectors.PANELS[name]

    def read(request, area_id: int, month: str | None = None):
        area = selectors.screen_area(user=request.user, pk=area_id)
        when = selectors.month_parse(month)
        return panel(user=request.user, area=area, month=when)

    read.__name__ = f"insights_{name}"
    read.__doc__ = panel.__doc__
    return read


for _name in selectors.PANELS:
    router.get(
        f"/areas/{{int:area_id}}/{_name}",
        response={200: dict[str, Any], **ERRORS},
        summary=f"The 数据大屏's {_name} panel of an area and month",
        operation_id=f"insights_{_name}",
    )(_panel(_name))


@router.get(
    "/areas/{int:area_id}/screen",
    response={200: dict[str, Any], **ERRORS},
    summary="Every panel of an area's 数据大屏 for a month, at once",
)
def insights_screen(request, area_id: int, month: str | None = None):
    area = selectors.screen_area(user=request.user, pk=area_id)
    when = selectors.month_parse(month)
    return selectors.screen(user=request.user, area=area, month=when)


@router.get(
    "/compare",
    response={200: dict[str, Any], **ERRORS},
    summary="Communities (or streets) side by side for a month",
    description="Give area_id (a street or district) or ids (2 to 8 areas).",
)
def insights_compare(
    request,
    area_id: int | None = None,
    ids: str | None = None,
    month: str | None = None,
):
    """Either ``area_id`` (a street or district: its sub-areas in reach) or
    ``ids`` (two to eight communities, or streets, separated by commas)."""
    when = selectors.month_parse(month)
    if area_id is not None:
        area = selectors.screen_area(user=request.user, pk=area_id)
        chosen = selectors.compare_within(user=request.user, area=area)
    else:
        chosen = selectors.compare_ids(ids)
    return selectors.compare(user=request.user, ids=chosen, month=when)
