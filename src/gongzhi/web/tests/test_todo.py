"""待办 on the workbench's first page and at /api/v1/me/todo: each count is
what the list behind its link holds, for the user's own places only."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import user_create
from gongzhi.points.models import AccountKind
from gongzhi.points.services.earning import award_create, item_create
from gongzhi.points.services.ledger import account_open
from gongzhi.requests import services
from gongzhi.requests.tests.conftest import hours, raise_wall
from gongzhi.volunteering.models import ActivityType, PlaceKind
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.signup import signup_create

pytestmark = pytest.mark.django_db


def _counts(client, user) -> tuple[dict, list[dict]]:
    """The page's queue counts by key, and for each place its counts by key."""
    client.force_login(user)
    response = client.get("/workbench/")
    assert response.status_code == 200
    queues = {t.key: t for t in response.context["queues"]}
    places = [{t.key: t for t in p["todos"]} for p in response.context["places"]]
    return queues, places


def _listed(client, url: str) -> int:
    """How many rows the page behind a count lists."""
    response = client.get(url)
    assert response.status_code == 200, url
    context = response.context
    if hasattr(context.get("page"), "paginator"):
        return context["page"].paginator.count
    if "total" in context:  # the due list
        return context["total"]
    return len(context["rows"])  # a queue, on one page


def _clinic(community, starts, users):
    """An hour's 义诊 at 三盛里's service centre, published the day before."""
    return activity_create(
        community=community,
        title="义诊进社区",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="三盛里党群服务中心",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        by=users["staff"],
        now=starts - dt.timedelta(days=1),
    )


@pytest.fixture
def desk(world):
    """Two of 三盛里's walls, one dispatched to 维修服务队 and not answered
    within its 2 hours, one waiting for dispatch; and a street light in
    裕华园, the other community, waiting too."""
    late = raise_wall(world)
    services.request_dispatch(
        service_request=late, to=world.team_a, by=world.staff, now=hours(0)
    )
    raise_wall(world, description="车棚顶棚漏雨")
    world.yuhua = user_create(
        phone="13900000031", name="裕华园社工", password="Staff#2026x", by=None
    )
    Grant.objects.create(
        user=world.yuhua, area=world.areas["other_community"], role=Role.STAFF
    )
    services.request_raise(
        category=world.light,
        area=world.areas["other_household"],
        description="裕华园路灯不亮",
        by=world.yuhua,
        reporter=world.other,
        now=hours(0),
    )
    services.sweep_overdue(now=hours(3))
    return world


def test_the_secretary_sees_her_community_s_counts_and_each_opens_its_list(
    client, desk
):
    queues, places = _counts(client, desk.secretary)
    assert queues == {}
    [here] = places
    assert here["dispatch"].count == 1
    assert here["overdue"].count == 1 and here["overdue"].late
    assert _listed(client, here["dispatch"].url) == 1
    assert _listed(client, here["overdue"].url) == 1
    # The visits due are the due list's for her community.
    assert _listed(client, here["visits"].url) == here["visits"].count
    page = client.get("/workbench/").content.decode()
    for label in ("待办", "待派单", "超时诉求", "待走访", "待审核积分", "今日活动"):
        assert label in page


def test_the_other_community_counts_its_own_and_nothing_of_hers(client, desk):
    _, [there] = _counts(client, desk.yuhua)
    assert there["dispatch"].count == 1  # the street light, not 三盛里's wall
    assert there["overdue"].count == 0
    assert _listed(client, there["dispatch"].url) == 1


def test_a_grid_worker_counts_what_is_overdue_in_her_grid_only(client, desk, users):
    _, [grid] = _counts(client, users["grid_worker"])
    assert "dispatch" not in grid  # she reports, the community dispatches
    assert grid["overdue"].count == 1
    assert _listed(client, grid["overdue"].url) == 1
    _, [other_grid] = _counts(client, users["other_grid_worker"])
    assert other_grid["overdue"].count == 0


def test_the_street_counts_escalations_waiting_for_a_department(client, desk):
    waiting = services.request_raise(
        category=desk.wall,
        area=desk.areas["building"],
        description="楼道外墙脱落",
        by=desk.staff,
        reporter=desk.zhou,
        now=hours(0),
    )
    services.request_escalate(
        service_request=waiting, by=desk.staff, note="需要住建部门", now=hours(1)
    )
    _, [street] = _counts(client, desk.street_manager)
    assert street["escalated"].count == 1
    assert street["escalated"].url == "/workbench/requests/street/"
    assert "overdue" not in street


def test_a_team_s_queue_and_the_pool_it_may_take_from(client, desk, pool_category):
    services.request_raise(
        category=pool_category,
        area=desk.areas["building"],
        description="油烟机坏了",
        by=desk.resident,
        reporter=desk.zhou,
        now=hours(4),
    )
    queues, _ = _counts(client, desk.a)
    assert queues["queue"].count == 1
    assert queues["queue_overdue"].count == 1
    assert queues["pool"].count == 1
    assert _listed(client, queues["queue"].url) == 1
    assert _listed(client, queues["pool"].url) == 1
    # 水电服务队 has nothing of its own yet, and the same pool.
    queues, _ = _counts(client, desk.b)
    assert (queues["queue"].count, queues["pool"].count) == (0, 1)


def _award_waiting(world, *, by):
    """A 见义勇为 award of 100 points to 周桂兰, above the approval
    threshold: it waits for a second person."""
    community = world.community
    account_open(kind=AccountKind.ISSUING, community=community)
    hero = item_create(community=community, name="见义勇为", points=100, by=by)
    return award_create(
        account=account_open(
            kind=AccountKind.PERSON, community=community, person=world.zhou
        ),
        item=hero,
        by=by,
        idempotency_key="todo",
    )


def test_awards_to_approve_and_today_s_activities(client, world, users):
    community = world.community
    _award_waiting(world, by=users["staff"])
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    for day in (0, 1):  # today's, and tomorrow's which is not counted
        _clinic(community, midnight + dt.timedelta(days=day, hours=22), users)
    _, [here] = _counts(client, world.secretary)
    assert here["awards"].count == 1
    awards = client.get(here["awards"].url)
    assert len(awards.context["pending"]) == 1
    assert here["activities"].count == 1
    _, [street] = _counts(client, world.street_manager)
    assert street["activities"].count == 1


def test_an_award_counts_for_the_second_person_not_its_maker(client, world, users):
    """Maker–checker: the staff member who made an award cannot approve it,
    so her 待办 does not count it; the secretary's does."""
    _award_waiting(world, by=users["staff"])
    _, [mine] = _counts(client, users["staff"])
    assert mine["awards"].count == 0
    _, [checker] = _counts(client, world.secretary)
    assert checker["awards"].count == 1


def test_the_api_gives_the_same_counts_in_chinese(api_client, desk):
    api_client.login_api(desk.secretary)
    body = api_client.get("/api/v1/me/todo").json()
    assert body["queues"] == body["mine"] == []
    [place] = body["places"]
    assert place["area"]["name"] == "三盛里社区"
    assert place["role_label"] == "社区书记"
    items = {item["key"]: item for item in place["items"]}
    assert items["dispatch"] == {
        "key": "dispatch",
        "label": "待派单",
        "count": 1,
        "late": False,
        "url": f"/workbench/requests/?community={desk.community.pk}",
    }
    assert items["overdue"]["count"] == 1 and items["overdue"]["late"]


def test_the_api_for_a_team_and_for_a_resident(api_client, desk):
    api_client.login_api(desk.a)
    body = api_client.get("/api/v1/me/todo").json()
    queues = {item["key"]: item["count"] for item in body["queues"]}
    assert queues == {"queue": 1, "queue_overdue": 1, "pool": 0}
    api_client.login_api(desk.resident)
    body = api_client.get("/api/v1/me/todo").json()
    assert body["queues"] == []
    assert [place["items"] for place in body["places"]] == [[]]
    mine = {item["key"]: item["count"] for item in body["mine"]}
    assert (mine["rate"], mine["requests"], mine["points"]) == (0, 2, 0)


def test_the_api_wants_a_token(client):
    assert client.get("/api/v1/me/todo").status_code == 401


# A resident's own, on her portal's first page


def _mine(client, user) -> dict:
    client.force_login(user)
    response = client.get("/portal/")
    assert response.status_code == 200
    return {t.key: t for t in response.context["mine"]}


def test_a_resident_sees_what_waits_for_her_rating_and_what_is_in_hand(client, world):
    raise_wall(world)
    done = raise_wall(world, description="楼道灯不亮")
    services.request_dispatch(
        service_request=done, to=world.team_a, by=world.staff, now=hours(1)
    )
    services.request_accept(service_request=done, by=world.a, now=hours(2))
    services.request_resolve(
        service_request=done, by=world.a, resolution="已换灯泡", now=hours(3)
    )
    mine = _mine(client, world.resident)
    assert (mine["rate"].count, mine["requests"].count) == (1, 1)
    assert mine["rate"].url == "/portal/requests/"
    # A neighbour's requests are not hers.
    assert _mine(client, world.users["staff"]) == {}


def test_a_resident_sees_her_coming_activities_points_and_pickups(client, shop, users):
    from gongzhi.points.services.shop import order_place

    order_place(
        account=shop["account"],
        goods=shop["oil"],
        quantity=1,
        by=users["resident"],
        idempotency_key="todo",
    )
    soon = timezone.now() + dt.timedelta(days=2)
    for starts in (soon, timezone.now() - dt.timedelta(days=2)):
        activity = _clinic(shop["community"], starts, users)
        signup_create(
            occurrence=activity.occurrences.get(),
            person=shop["person"],
            by=users["resident"],
            now=starts - dt.timedelta(hours=12),
        )
    mine = _mine(client, users["resident"])
    assert mine["activities"].count == 1  # the one past is not coming
    assert mine["points"].count == 70
    assert mine["pickup"].count == 1
    points = client.get(mine["points"].url)
    assert points.context["account"].balance == 70
    assert len(points.context["waiting"]) == 1
    page = client.get("/portal/").content.decode()
    for label in ("我的事项", "待我评价", "办理中的诉求", "已报名的活动", "我的积分"):
        assert label in page


def test_the_api_gives_a_resident_her_own(api_client, shop, users):
    api_client.login_api(users["resident"])
    body = api_client.get("/api/v1/me/todo").json()
    mine = {item["key"]: item["count"] for item in body["mine"]}
    assert mine == {
        "rate": 0,
        "requests": 0,
        "activities": 0,
        "points": 100,
        "pickup": 0,
        "votes": 0,
    }
    assert body["queues"] == []
