"""The three rates (三率) over the API: ``GET /api/v1/requests/rates`` and
``/api/v1/requests/rates/ranking``, read from the rollups.

An area outside the caller's reach answers 404; one she sees without
request.view, 403. Rates are fractions of 1 (four places), null when the
denominator is 0. The period is a range of local days, both included,
by the day each request was raised; it defaults to this month so far.

The paths, tags and operation ids are those these endpoints had when they
lived in ``requests``: a client generated from the schema keeps working.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Query, Router, Schema

from gongzhi.accounts.refusals import ERRORS, area_seen
from gongzhi.accounts.roles import Perm
from gongzhi.core.errors import fields_renamed

from . import selectors_rates as selectors

router = Router(tags=["requests"])


class PeriodIn(Schema):
    area_id: int
    start: dt.date | None = None
    end: dt.date | None = None


class RatesIn(PeriodIn):
    group_by: str = "community"


class RankingIn(PeriodIn):
    by: str = "community"
    rate: str = "satisfaction"
    min_sample: int = selectors.MIN_SAMPLE


class RatesOut(Schema):
    response: float | None
    resolve: float | None
    satisfaction: float | None


class CountsOut(Schema):
    raised: int
    valid: int
    dispatched: int
    responded_in_time: int
    resolved: int
    rated: int
    satisfied: int
    dissatisfied: int
    overdue: int
    reopened: int
    rates: RatesOut


class GroupOut(CountsOut):
    id: int
    kind: str
    name: str


class AreaOut(Schema):
    id: int
    name: str
    kind: str


class RatesResultOut(Schema):
    area: AreaOut
    start: dt.date
    end: dt.date
    group_by: str
    total: CountsOut
    groups: list[GroupOut]


class RankOut(Schema):
    rank: int | None
    id: int
    kind: str
    name: str
    numerator: int
    denominator: int
    value: float | None
    rates: RatesOut


class RankingOut(Schema):
    area: AreaOut
    start: dt.date
    end: dt.date
    by: str
    rate: str
    min_sample: int
    rows: list[RankOut]


def _period(query: PeriodIn) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return query.start or today.replace(day=1), query.end or today


def _area(area) -> dict:
    return {"id": area.pk, "name": area.name, "kind": area.kind}


@router.get(
    "",
    response={200: RatesResultOut, **ERRORS},
    operation_id="gongzhi_requests_rates_api_rates",
    summary="The three rates (响应率, 解决率, 满意率) in an area and period",
)
def rates(request, query: Query[RatesIn]):
    area = area_seen(request, query.area_id, Perm.REQUEST_VIEW)
    start, end = _period(query)
    with fields_renamed(area="area_id"):
        found = selectors.rates(
            user=request.user,
            area=area,
            start=start,
            end=end,
            group_by=query.group_by,
        )
    return {**found, "area": _area(area)}


@router.get(
    "/ranking",
    response={200: RankingOut, **ERRORS},
    operation_id="gongzhi_requests_rates_api_ranking",
    summary="Communities or teams ranked by one of the three rates",
)
def ranking(request, query: Query[RankingIn]):
    area = area_seen(request, query.area_id, Perm.REQUEST_VIEW)
    start, end = _period(query)
    with fields_renamed(area="area_id"):
        found = selectors.ranking(
            user=request.user,
            area=area,
            start=start,
            end=end,
            by=query.by,
            rate=query.rate,
            min_sample=query.min_sample,
        )
    return {**found, "area": _area(area)}
