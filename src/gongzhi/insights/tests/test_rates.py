"""The three rates (三率) on a hand-computed example: rollups kept by
refreshing after every step equal a full rebuild, the rates by community,
street, team and category, the ranking, scoping, the page and the API.

The story (all raised on 23 November 2026 from 09:00, T0; 墙体维修
responds within 2 h and resolves within 24 h of dispatch; every dispatch
at T0+0.25 h, so the response deadline is T0+2.25 h):

=====  ==========================================================  ========
req    history                                                     counts for
=====  ==========================================================  ========
R1     → 维修队, accepted +1 h, resolved +5 h, rated 满意              维修队
R2     → 维修队, accepted +3 h (late), resolved +30 h (late), 基本满意   维修队
R3     → 水电队, accepted +0.5 h, resolved, 不满意, reopened,          维修队
       → 维修队, accepted, resolved, rated 满意  (changed hands)
R4     → 水电队, returned (退单) unanswered, waits again              水电队
R5     → 航院物业, first contact +1.5 h, accepted, resolved,           航院物业
       closed unrated after the rating period
R6     rejected                                                    nobody
R7     merged into R8                                              nobody
R8     → 维修队, transfer (转单) to 水电队 approved, accepted +1.8 h,    水电队
       resolved, called back (回访): 基本满意
R9     waits for dispatch                                          nobody
R10    into the pool, taken by 水电队 +1 h, work started              水电队
R11    escalated (吹哨), street sends it to 水务办 at +1 h (due        水务办
       +3 h), accepted +4 h (late)
R12    裕华园, 路灯: → 裕华园服务队, accepted, resolved, called back:    裕华园队
       不满意
R13    raised 1 November 00:30 Beijing time (31 October in UTC)      nobody
R14    raised 31 October 23:30 Beijing time: not in November        nobody
=====  ==========================================================  ========

November, the whole street (R1–R13):

- raised 13; valid 11 (R6 rejected and R7 merged are not valid)
- dispatched 9 (R1 R2 R3 R4 R5 R8 R10 R11 R12; not R9, R13)
- responded in time 6 (R1 R3 R5 R8 R10 R12; R2 and R11 late, R4 never)
- 响应率 = 6 / 9 = 66.7 %
- resolved 6 (R1 R2 R3 R5 R8 R12); 解决率 = 6 / 11 = 54.5 %
- rated 5 (R1 满意, R2 基本满意, R3 满意 in its second round, R8 基本满意,
  R12 不满意); satisfied 4; 满意率 = 4 / 5 = 80.0 %
- overdue 2 (R2, R11); reopened 1 (R3)

三盛里 (R1–R11, R13): raised 12, valid 10, dispatched 8, in time 5,
resolved 5, rated 4, satisfied 4: 62.5 %, 50.0 %, 100.0 %.
裕华园 (R12): 1 of 1 each, rated 不满意: 100 %, 100 %, 0 %.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import connection, transaction

from conftest import race, restore_migration_data
from gongzhi.insights.models import COUNTS, RequestFact, RequestRollup
from gongzhi.insights.rollups import (
    _facts,
    rollup_rebuild,
    rollup_refresh,
    rollups_deferred,
)
from gongzhi.insights.selectors_rates import ranking, rates
from gongzhi.insights.views_rates import percent, period_bounds
from gongzhi.requests import services
from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.tests.conftest import BEIJING, T0, hours, raise_wall, unit_user

NOV = {"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}
FIELDS = ("raised", *COUNTS)


def snapshot() -> list:
    """Every non-empty bucket: its key and its counts."""
    return sorted(
        (row.key, tuple(getattr(row, name) for name in FIELDS))
        for row in RequestRollup.objects.filter(raised__gt=0)
    )


def recomputed() -> list:
    """The buckets as a rebuild from every request's row would make them,
    summed in Python (no rollup is written)."""
    sums: dict = {}
    for fact in _facts(list(ServiceRequest.objects.all())):
        counts = sums.setdefault(fact.key, Counter())
        counts["raised"] += 1
        for name in COUNTS:
            counts[name] += int(getattr(fact, name))
    return sorted(
        (key, tuple(counts[name] for name in FIELDS)) for key, counts in sums.items()
    )


def tell(world, *, check=lambda: None) -> SimpleNamespace:
    """The story above, refreshing the rollups after every step (as the
    workflow's door will) and calling ``check`` after each."""
    s = services
    staff, resident = world.staff, world.resident

    def go(service, **kwargs):
        item = service(**kwargs)
        rollup_refresh(requests=[item])
        check()
        return item

    def raised(minute, **kwargs):
        kwargs.setdefault("now", T0 + dt.timedelta(minutes=minute))
        return go(lambda **kw: raise_wall(world, **kw), **kwargs)

    def dispatch(item, to, at=0.25, by=staff):
        return go(s.request_dispatch, service_request=item, to=to, by=by, now=hours(at))

    r = SimpleNamespace()
    r.r1 = raised(1)
    dispatch(r.r1, world.team_a)
    go(s.request_accept, service_request=r.r1, by=world.a, now=hours(1))
    go(
        s.request_resolve,
        service_request=r.r1,
        by=world.a,
        resolution="扶正",
        now=hours(5),
    )
    go(
        s.request_rate,
        service_request=r.r1,
        by=resident,
        rating="satisfied",
        now=hours(6),
    )

    r.r2 = raised(2)
    dispatch(r.r2, world.team_a)
    go(s.request_accept, service_request=r.r2, by=world.a, now=hours(3))
    go(
        s.request_resolve,
        service_request=r.r2,
        by=world.a,
        resolution="修好",
        now=hours(30),
    )
    go(s.request_rate, service_request=r.r2, by=resident, rating="basic", now=hours(31))

    r.r3 = raised(3)
    dispatch(r.r3, world.team_b)
    go(s.request_accept, service_request=r.r3, by=world.b, now=hours(0.5))
    go(
        s.request_resolve,
        service_request=r.r3,
        by=world.b,
        resolution="修",
        now=hours(4),
    )
    go(
        s.request_rate,
        service_request=r.r3,
        by=resident,
        rating="dissatisfied",
        now=hours(5),
    )
    go(
        s.request_reopen,
        service_request=r.r3,
        by=resident,
        reason="还在漏",
        now=hours(6),
    )
    dispatch(r.r3, world.team_a, at=6.5)
    go(s.request_accept, service_request=r.r3, by=world.a, now=hours(7))
    go(
        s.request_resolve,
        service_request=r.r3,
        by=world.a,
        resolution="重修",
        now=hours(8),
    )
    go(
        s.request_rate,
        service_request=r.r3,
        by=resident,
        rating="satisfied",
        now=hours(9),
    )

    r.r4 = raised(4)
    dispatch(r.r4, world.team_b)
    go(
        s.request_return,
        service_request=r.r4,
        by=world.b,
        reason="没有材料",
        now=hours(1),
    )

    r.r5 = raised(5)
    dispatch(r.r5, world.company)
    go(
        s.request_contact,
        service_request=r.r5,
        by=world.wuye,
        note="电话",
        now=hours(1.5),
    )
    go(s.request_accept, service_request=r.r5, by=world.wuye, now=hours(3))
    go(
        s.request_resolve,
        service_request=r.r5,
        by=world.wuye,
        resolution="好",
        now=hours(10),
    )
    go(s.request_auto_close, service_request=r.r5, now=hours(10 + 8 * 24))

    r.r6 = raised(6)
    go(s.request_reject, service_request=r.r6, by=staff, reason="不属实", now=hours(1))

    r.r8 = raised(8)
    r.r7 = raised(7)
    go(s.request_merge, service_request=r.r7, into=r.r8, by=staff, now=hours(0.2))
    dispatch(r.r8, world.team_a)
    go(
        s.request_transfer,
        service_request=r.r8,
        to=world.team_b,
        by=world.a,
        reason="水电问题",
        now=hours(0.5),
    )
    go(
        s.request_transfer_decide,
        service_request=r.r8,
        approve=True,
        by=staff,
        now=hours(1),
    )
    go(s.request_accept, service_request=r.r8, by=world.b, now=hours(1.8))
    go(
        s.request_resolve,
        service_request=r.r8,
        by=world.b,
        resolution="好",
        now=hours(20),
    )
    go(
        s.request_callback,
        service_request=r.r8,
        by=staff,
        reached=True,
        rating="basic",
        now=hours(40),
    )

    r.r9 = raised(9)

    r.r10 = raised(10)
    go(s.request_pool, service_request=r.r10, by=staff, now=hours(0.25))
    go(
        s.request_take,
        service_request=r.r10,
        team=world.team_b,
        by=world.b,
        now=hours(1),
    )
    go(s.request_start, service_request=r.r10, by=world.b, now=hours(2))

    r.r11 = raised(11)
    go(s.request_escalate, service_request=r.r11, by=staff, note="吹哨", now=hours(0.5))
    go(
        s.request_street_dispatch,
        service_request=r.r11,
        to=world.department,
        by=world.street_manager,
        now=hours(1),
    )
    go(s.request_accept, service_request=r.r11, by=world.shuiwu, now=hours(4))

    # 裕华园: raised through the system for 李秀英, worked by its own team.
    yu = unit_user("13900000041", "裕华园队员", world.areas["other_community"])
    services.handler_add(user=yu, to=world.other_team, by=world.street_manager)
    r.r12 = go(
        s.request_raise,
        category=world.light,
        area=world.areas["other_household"],
        description="路灯不亮",
        by=None,
        reporter=world.other,
        now=T0 + dt.timedelta(minutes=12),
    )
    dispatch(r.r12, world.other_team, by=world.street_manager)
    go(s.request_accept, service_request=r.r12, by=yu, now=hours(2))
    go(
        s.request_resolve,
        service_request=r.r12,
        by=yu,
        resolution="换灯",
        now=hours(20),
    )
    go(
        s.request_callback,
        service_request=r.r12,
        by=world.street_manager,
        reached=True,
        rating="dissatisfied",
        now=hours(30),
    )

    r.r13 = raised(0, now=dt.datetime(2026, 11, 1, 0, 30, tzinfo=BEIJING))
    r.r14 = raised(0, now=dt.datetime(2026, 10, 31, 23, 30, tzinfo=BEIJING))
    return r


@pytest.fixture
def story(world):
    return tell(world)


def _counts(row) -> dict:
    return {name: row[name] for name in FIELDS}


def test_the_three_rates_on_the_hand_computed_example(world, story):
    found = rates(user=world.street_manager, area=world.street, **NOV)
    total = found["total"]
    assert _counts(total) == {
        "raised": 13,
        "valid": 11,
        "dispatched": 9,
        "responded_in_time": 6,
        "resolved": 6,
        "rated": 5,
        "satisfied": 4,
        "dissatisfied": 1,
        "overdue": 2,
        "reopened": 1,
    }
    assert total["rates"] == {
        "response": round(6 / 9, 4),
        "resolve": round(6 / 11, 4),
        "satisfaction": 0.8,
    }
    assert [percent(v) for v in total["rates"].values()] == ["66.7%", "54.5%", "80.0%"]


def test_the_day_a_request_was_raised_is_the_local_day(world, story):
    october = rates(
        user=world.street_manager,
        area=world.street,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
    )
    assert october["total"]["raised"] == 1  # R14 only
    first = RequestFact.objects.get(request=story.r13)
    assert first.day == dt.date(2026, 11, 1)


def test_a_rate_over_nothing_is_none_and_shown_as_a_dash(world, story):
    october = rates(
        user=world.street_manager,
        area=world.street,
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 10, 31),
    )
    assert october["total"]["rates"] == {
        "response": None,
        "resolve": 0.0,  # R14 is valid and unresolved
        "satisfaction": None,
    }
    assert percent(None) == "—"


def test_refreshing_after_every_step_equals_a_rebuild(world):
    def check():
        assert snapshot() == recomputed()

    tell(world, check=check)
    kept = snapshot()
    RequestRollup.objects.all().delete()
    RequestFact.objects.all().delete()
    done = rollup_rebuild(start=dt.date(2026, 10, 30), end=dt.date(2026, 12, 5))
    assert done["requests"] == 14
    assert snapshot() == kept
    # Running it again changes nothing.
    rollup_rebuild(start=dt.date(2026, 10, 30), end=dt.date(2026, 12, 5))
    assert snapshot() == kept


def test_deferred_refreshes_sum_up_once_when_the_block_ends(world):
    with rollups_deferred() as noted:
        tell(world, check=lambda: None)
        # Inside the block the workflow's refreshes only note the requests.
        assert not RequestRollup.objects.filter(raised__gt=0).exists()
        assert len(noted) == 14
    assert snapshot() == recomputed()
    assert RequestFact.objects.count() == 14


def test_deferred_refreshes_left_by_an_error_are_not_made(world):
    with pytest.raises(RuntimeError), rollups_deferred():
        raise_wall(world, now=T0)
        raise RuntimeError("stop")
    assert not RequestFact.objects.exists()
    rollup_rebuild(start=dt.date(2026, 10, 30), end=dt.date(2026, 12, 5))
    assert snapshot() == recomputed() != []


def test_the_nightly_command_rebuilds_what_was_lost(world, story):
    from django.core.management import call_command

    kept = snapshot()
    RequestRollup.objects.all().delete()
    call_command("requests_rollup", "--days", "40", "--end", "2026-11-30")
    assert snapshot() == kept


def test_the_team_is_the_one_that_resolved_it_else_the_one_holding_it(world, story):
    counted = {
        fact.request_id: (fact.assignee_kind, fact.assignee_id)
        for fact in RequestFact.objects.all()
    }
    team_a, team_b = ("team", world.team_a.pk), ("team", world.team_b.pk)
    assert counted[story.r3.pk] == team_a  # changed hands, resolved by 维修队
    assert counted[story.r8.pk] == team_b  # transferred
    assert counted[story.r4.pk] == team_b  # returned: the last to hold it
    assert counted[story.r6.pk] == ("none", 0)  # rejected
    assert counted[story.r9.pk] == ("none", 0)  # never dispatched


def test_rates_by_community(world, story):
    found = rates(
        user=world.street_manager, area=world.street, group_by="community", **NOV
    )
    by_name = {g["name"]: g for g in found["groups"]}
    assert set(by_name) == {"三盛里社区", "裕华园社区"}
    sansheng, yuhua = by_name["三盛里社区"], by_name["裕华园社区"]
    assert (sansheng["raised"], sansheng["valid"], sansheng["dispatched"]) == (
        12,
        10,
        8,
    )
    assert sansheng["rates"] == {"response": 0.625, "resolve": 0.5, "satisfaction": 1.0}
    assert yuhua["rates"] == {"response": 1.0, "resolve": 1.0, "satisfaction": 0.0}


def test_rates_by_street_and_category(world, story):
    streets = rates(
        user=world.street_manager, area=world.street, group_by="street", **NOV
    )
    assert [(g["id"], g["raised"]) for g in streets["groups"]] == [
        (world.street.pk, 13)
    ]
    categories = rates(
        user=world.street_manager, area=world.street, group_by="category", **NOV
    )
    by_name = {g["name"]: g["raised"] for g in categories["groups"]}
    assert by_name == {"墙体维修": 12, "路灯": 1}


def test_rates_by_team(world, story):
    found = rates(user=world.street_manager, area=world.street, group_by="team", **NOV)
    rows = {g["name"]: g for g in found["groups"]}
    assert set(rows) == {
        "维修服务队",
        "水电服务队",
        "航院物业",
        "水务办",
        "裕华园服务队",
        "未派单",
    }
    a = rows["维修服务队"]
    assert (a["dispatched"], a["responded_in_time"], a["resolved"], a["satisfied"]) == (
        3,
        2,
        3,
        3,
    )
    b = rows["水电服务队"]
    assert (b["raised"], b["responded_in_time"], b["resolved"], b["rated"]) == (
        3,
        2,
        1,
        1,
    )
    assert rows["水务办"]["rates"]["response"] == 0.0
    assert rows["航院物业"]["rates"]["satisfaction"] is None  # closed unrated
    none = rows["未派单"]
    assert (none["raised"], none["valid"], none["dispatched"]) == (4, 2, 0)
    assert found["groups"][-1] is none  # listed last


def test_ranking_teams_ties_share_a_rank_larger_sample_first(world, story):
    ranked = ranking(
        user=world.street_manager,
        area=world.street,
        by="team",
        rate="response",
        min_sample=1,
        **NOV,
    )
    rows = [
        (r["rank"], r["name"], r["numerator"], r["denominator"]) for r in ranked["rows"]
    ]
    assert rows == [
        (1, "航院物业", 1, 1),
        (1, "裕华园服务队", 1, 1),
        (3, "水电服务队", 2, 3),
        (3, "维修服务队", 2, 3),
        (5, "水务办", 0, 1),
    ]


def test_ranking_leaves_small_samples_unranked(world, story):
    ranked = ranking(
        user=world.street_manager,
        area=world.street,
        by="team",
        rate="response",
        min_sample=2,
        **NOV,
    )
    rows = [(r["rank"], r["name"]) for r in ranked["rows"]]
    assert rows == [
        (1, "水电服务队"),
        (1, "维修服务队"),
        (None, "水务办"),
        (None, "航院物业"),
        (None, "裕华园服务队"),
    ]
    assert ranked["min_sample"] == 2


def test_ranking_communities_by_satisfaction(world, story):
    ranked = ranking(
        user=world.street_manager,
        area=world.street,
        by="community",
        rate="satisfaction",
        min_sample=1,
        **NOV,
    )
    assert [(r["rank"], r["name"], r["value"]) for r in ranked["rows"]] == [
        (1, "三盛里社区", 1.0),
        (2, "裕华园社区", 0.0),
    ]


def test_a_community_sees_its_own_rates_only(world, story):
    from django.http import Http404

    mine = rates(user=world.staff, area=world.community, group_by="community", **NOV)
    assert [g["name"] for g in mine["groups"]] == ["三盛里社区"]
    assert mine["total"]["raised"] == 12
    for area in (world.street, world.areas["other_community"]):
        with pytest.raises(Http404):
            rates(user=world.staff, area=area, **NOV)


def test_bad_choices_are_field_errors(world, story):
    from gongzhi.core.errors import ValidationFailed

    manager, street = world.street_manager, world.street
    with pytest.raises(ValidationFailed) as err:
        rates(user=manager, area=street, group_by="colour", **NOV)
    assert err.value.field == "group_by"
    with pytest.raises(ValidationFailed) as err:
        ranking(user=manager, area=street, by="category", **NOV)
    assert err.value.field == "by"
    with pytest.raises(ValidationFailed) as err:
        rates(user=manager, area=street, start=NOV["end"], end=NOV["start"])
    assert err.value.field == "end"
    with pytest.raises(ValidationFailed) as err:
        rates(user=world.grid_worker, area=world.areas["grid"], **NOV)
    assert err.value.field == "area"


def test_rates_read_the_rollups_only(world, story, django_assert_num_queries):
    manager = world.street_manager
    rates(user=manager, area=world.street, **NOV)  # the user's scope, memoized
    with django_assert_num_queries(3):  # totals, groups, names
        rates(user=manager, area=world.street, group_by="community", **NOV)
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as seen:
        ranking(user=manager, area=world.street, by="team", **NOV)
    assert not any("requests_servicerequest" in q["sql"] for q in seen.captured_queries)


def test_the_periods_of_the_page():
    today = dt.date(2026, 3, 15)
    assert period_bounds("this_month", today, None, None) == (
        dt.date(2026, 3, 1),
        today,
    )
    assert period_bounds("last_month", today, None, None) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert period_bounds("this_year", today, None, None) == (dt.date(2026, 1, 1), today)
    assert period_bounds("custom", today, "2025-12-01", "2026-01-31") == (
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 31),
    )
    assert period_bounds("custom", today, "nonsense", "") == (
        dt.date(2026, 3, 1),
        today,
    )


# The page

PAGE = "/workbench/requests/rates/"
NOV_QUERY = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}


def test_the_page_shows_the_chinese_labels_and_the_numbers(client, world, story):
    client.force_login(world.street_manager)
    page = client.get(
        PAGE,
        {**NOV_QUERY, "area": world.street.pk, "group_by": "community"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("三率", "响应率", "解决率", "满意率", "66.7%", "54.5%", "80.0%"):
        assert text in html, text
    assert "6 / 9" in html and "6 / 11" in html and "4 / 5" in html
    assert "三盛里社区" in html and "裕华园社区" in html
    assert 'data-testid="ranking-team"' in html and "水电服务队" in html


def test_the_page_opens_on_the_last_30_days(client, world, story, monkeypatch):
    """On 3 December "this month" holds three days and nothing to rank: the
    page opens on the 30 days to today (R1–R12, not R13 of 1 November)."""
    from gongzhi.insights import views_rates

    today = dt.date(2026, 12, 3)
    monkeypatch.setattr(
        views_rates, "timezone", SimpleNamespace(localdate=lambda: today)
    )
    client.force_login(world.street_manager)
    page = client.get(PAGE, {"area": world.street.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.context["period"] == "last_30_days"
    assert (page.context["start"], page.context["end"]) == (dt.date(2026, 11, 4), today)
    assert '<option value="last_30_days" selected>近30天</option>' in html
    for text in ("66.7%", "60.0%", "80.0%"):
        assert text in html, text
    this_month = client.get(PAGE, {"area": world.street.pk, "period": "this_month"})
    assert this_month.context["start"] == dt.date(2026, 12, 1)
    assert "66.7%" not in this_month.content.decode()


def test_the_page_lists_every_community_even_without_requests(client, world, story):
    client.force_login(world.street_manager)
    page = client.get(
        PAGE,
        {**NOV_QUERY, "area": world.street.pk, "group_by": "community"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    table = page.content.decode().split('data-testid="rates-groups"')[1]
    table = table.split("</section>")[0]
    names = [g["name"] for g in page.context["found"]["groups"]]
    assert names == sorted(["三盛里社区", "裕华园社区", "团结巷社区"])
    quiet = table.split("团结巷社区")[1].split("</tr>")[0]
    assert quiet.count("—") == 3 and "%" not in quiet and "0/0" not in quiet
    # Only what is in reach: 三盛里's staff get their own community alone.
    client.force_login(world.staff)
    page = client.get(PAGE, {**NOV_QUERY, "group_by": "community"})
    assert [g["name"] for g in page.context["found"]["groups"]] == ["三盛里社区"]


def test_the_page_of_a_community_shows_only_its_own(client, world, story):
    client.force_login(world.staff)
    page = client.get(PAGE, {**NOV_QUERY, "area": world.street.pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "三盛里社区" in html and "裕华园社区" not in html
    assert "62.5%" in html  # 三盛里's 响应率, whatever area was asked


def test_the_page_is_not_there_without_request_view(client, world, users):
    client.force_login(users["resident"])
    assert client.get(PAGE).status_code == 404
    client.force_login(users["audit_admin"])
    assert client.get(PAGE).status_code == 404


def test_a_grid_worker_has_no_community_to_read(client, world):
    client.force_login(world.grid_worker)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "rate-card" not in page.content.decode()


# The API

API = "/api/v1/requests/rates"


def test_the_api_answers_the_rates(api_client, world, story):
    api_client.login_api(world.street_manager)
    found = api_client.get(API, {"area_id": world.street.pk, "group_by": "team", **NOV})
    assert found.status_code == 200, found.json()
    body = found.json()
    assert body["total"]["rates"] == {
        "response": 0.6667,
        "resolve": 0.5455,
        "satisfaction": 0.8,
    }
    assert body["area"]["name"] == world.street.name
    names = {g["name"]: g for g in body["groups"]}
    assert names["航院物业"]["kind"] == "organization"
    assert names["航院物业"]["rates"]["satisfaction"] is None


def test_the_api_ranks(api_client, world, story):
    api_client.login_api(world.street_manager)
    found = api_client.get(
        API + "/ranking",
        {
            "area_id": world.street.pk,
            "by": "community",
            "rate": "resolve",
            "min_sample": 1,
            **NOV,
        },
    )
    assert found.status_code == 200, found.json()
    rows = [(r["rank"], r["name"], r["value"]) for r in found.json()["rows"]]
    assert rows == [(1, "裕华园社区", 1.0), (2, "三盛里社区", 0.5)]


def test_the_api_is_scoped(api_client, world, story):
    api_client.login_api(world.staff)
    outside = api_client.get(API, {"area_id": world.areas["other_community"].pk})
    assert outside.status_code == 404
    above = api_client.get(API + "/ranking", {"area_id": world.street.pk})
    assert above.status_code == 404
    api_client.login_api(world.resident)
    seen = api_client.get(API, {"area_id": world.areas["household"].pk})
    assert seen.status_code == 403
    api_client.login_api(world.grid_worker)
    below = api_client.get(API, {"area_id": world.areas["grid"].pk})
    assert below.status_code == 400 and below.json()["field"] == "area_id"
    api_client.login_api(world.street_manager)
    bad = api_client.get(API, {"area_id": world.street.pk, "group_by": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "group_by"


# Racing refreshes on PostgreSQL


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_refreshes_racing_into_one_bucket_all_count(django_db_blocker, request):
    with django_db_blocker.unblock():
        restore_migration_data()
    world = request.getfixturevalue("world")
    items = [raise_wall(world, description=f"第{i}处") for i in range(6)]

    def dispatch(index):
        with transaction.atomic():
            item = services.request_dispatch(
                service_request=items[index].pk, to=world.team_a, by=world.staff
            )
            rollup_refresh(requests=[item])
        return item

    results, errors = race(dispatch, 6)
    assert errors == [] and len(results) == 6
    assert snapshot() == recomputed()
    bucket = RequestRollup.objects.get(
        assignee_kind="team", assignee_id=world.team_a.pk
    )
    assert (bucket.raised, bucket.dispatched) == (6, 6)
