"""Each event tells exactly the people it concerns, once, and tells a team
nothing of the resident but the place and the category."""

import datetime as dt

import pytest

from gongzhi.notices.models import Category, Message
from gongzhi.requests import services

from .conftest import PUBLISHED, STARTS, T0, hours, raise_wall, resident_user


def told(key_prefix: str):
    return sorted(
        Message.objects.filter(key__startswith=key_prefix).values_list(
            "user__name", flat=True
        )
    )


def messages_of(user):
    return list(Message.objects.filter(user=user).order_by("pk"))


@pytest.fixture
def follower(world):
    user = resident_user(world.neighbour, "13900000031")
    return user


def test_a_dispatch_tells_the_teams_handlers_once(world):
    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(1)
    )
    work = Message.objects.filter(category=Category.WORK)
    assert [m.user for m in work] == [world.a]
    (message,) = work
    assert message.title == "新派单：航院小区 1号楼 墙体维修"
    assert item.number in message.body
    # Not the other team's handler, not the resident.
    assert not Message.objects.filter(user__in=[world.b, world.resident]).exists()


def test_a_team_is_told_no_personal_data_of_the_resident(world):
    item = raise_wall(world, area=world.areas["household"])
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(1)
    )
    (message,) = Message.objects.filter(user=world.a)
    text = f"{message.title} {message.body} {message.url}"
    # The building, not her household; neither her name nor any phone.
    assert "航院小区 1号楼" in text
    assert "101" not in message.title and "1单元" not in text
    assert world.zhou.name not in text
    assert world.resident.phone not in text
    assert "138" not in text and "137" not in text


def test_accept_and_resolve_tell_the_resident_and_her_followers_once_each(
    world, follower
):
    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(1)
    )
    services.request_follow(service_request=item, by=follower, now=hours(1))
    services.request_accept(service_request=item, by=world.a, now=hours(2))
    services.request_resolve(
        service_request=item, by=world.a, resolution="加固完成", now=hours(3)
    )
    mine = [m.title for m in messages_of(world.resident)]
    assert mine == ["您的诉求已受理", "您的诉求已办结，请评价"]
    theirs = [m.title for m in messages_of(follower)]
    assert theirs == ["您关注的诉求已受理", "您关注的诉求已办结"]


def test_an_event_announced_twice_tells_nobody_twice(world):
    from gongzhi.core.hooks import announce
    from gongzhi.requests.events import MOVED

    item = raise_wall(world)
    item = services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(1)
    )
    before = Message.objects.count()
    for _ in range(3):
        announce(
            MOVED,
            request_id=item.pk,
            action="dispatch",
            status=item.status,
            version=item.version,
            now=hours(1),
        )
    assert Message.objects.count() == before


def test_escalation_tells_the_street_desk(world):
    item = raise_wall(world)
    services.request_escalate(
        service_request=item, by=world.staff, note="需要水务办", now=hours(1)
    )
    assert told(f"request:{item.pk}:") == [world.street_manager.name]
    (message,) = Message.objects.filter(user=world.street_manager)
    assert message.category == Category.DEADLINE
    assert "吹哨" in message.title


def test_overdue_and_due_soon_tell_the_dispatcher_once(world):
    from gongzhi.notices.tasks import warn_deadlines

    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=T0
    )
    # Resolve within 24 hours: 23 hours in, it is due soon.
    soon = (T0 + dt.timedelta(hours=23)).isoformat()
    assert warn_deadlines.call(now=soon) == 1
    assert warn_deadlines.call(now=soon) == 0
    late = (T0 + dt.timedelta(hours=25)).isoformat()
    assert warn_deadlines.call(now=late) == 1
    titles = [m.title for m in messages_of(world.staff)]
    assert titles == [
        "即将超时：航院小区 1号楼 墙体维修",
        "已超时：航院小区 1号楼 墙体维修",
    ]


def test_an_unrated_request_reminds_its_reporter_once(world):
    from gongzhi.notices.tasks import remind_unrated

    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=T0
    )
    services.request_accept(service_request=item, by=world.a, now=hours(1))
    services.request_resolve(
        service_request=item, by=world.a, resolution="好了", now=hours(2)
    )
    later = (T0 + dt.timedelta(days=2)).isoformat()
    assert remind_unrated.call(now=later) == 1
    assert remind_unrated.call(now=later) == 0
    assert messages_of(world.resident)[-1].title == f"等待您的评价：{item.number}"


def test_points_awarded_and_an_order_ready_tell_the_resident(world):
    from gongzhi.points.models import Goods
    from gongzhi.points.services.accounts import resident_account
    from gongzhi.points.services.earning import award_create
    from gongzhi.points.services.shop import goods_create, order_place

    account = resident_account(world.zhou)
    award_create(
        account=account, by=world.staff, points=30, reason="扫雪", idempotency_key="k1"
    )
    goods = goods_create(
        community=world.community, name="大米", price=10, stock=5, by=world.staff
    )
    order = order_place(
        account=account,
        goods=Goods.objects.get(pk=goods.pk),
        quantity=1,
        by=world.resident,
        idempotency_key="o1",
    )
    titles = [m.title for m in messages_of(world.resident)]
    assert titles == ["您获得了 30 积分", "可以领取了：大米"]
    assert order.code in messages_of(world.resident)[-1].body


def test_a_freed_place_tells_the_first_on_the_waiting_list(event):
    from gongzhi.volunteering.services.signup import signup_cancel, signup_create

    zhou, (wang, li, zhang, _chen) = event.zhou, event.neighbours
    waiting_user = resident_user(zhang, "13900000032")
    signups = [
        signup_create(occurrence=event.occurrence, person=p, by=None, now=PUBLISHED)
        for p in (zhou, wang, li)
    ]
    signup_create(
        occurrence=event.occurrence, person=zhang, by=None, wait=True, now=PUBLISHED
    )
    signup_cancel(signup=signups[1], by=None, now=PUBLISHED)
    (message,) = messages_of(waiting_user)
    assert message.title == "名额已为您保留：义诊进社区"
    assert message.category == Category.ACTIVITY
    assert not Message.objects.filter(user=event.zhou.user).exists()


def test_the_day_before_a_session_its_participants_are_reminded_once(event):
    from gongzhi.notices.tasks import activities_tomorrow
    from gongzhi.volunteering.services.signup import signup_create

    signup_create(
        occurrence=event.occurrence, person=event.zhou, by=None, now=PUBLISHED
    )
    day_before = (STARTS - dt.timedelta(hours=23)).isoformat()
    assert activities_tomorrow.call(now=day_before) == 1
    assert activities_tomorrow.call(now=day_before) == 0
    (message,) = messages_of(event.zhou.user)
    assert message.title == "明天：义诊进社区"
    two_days_before = (STARTS - dt.timedelta(days=2)).isoformat()
    assert activities_tomorrow.call(now=two_days_before) == 0


def test_a_grid_worker_gets_one_digest_a_day_of_visits_due(demo_people, users):
    from gongzhi.notices.tasks import visits_due_digest

    assert visits_due_digest.call(today="2026-12-03") >= 1
    again = visits_due_digest.call(today="2026-12-03")
    assert again == 0
    (message,) = Message.objects.filter(user=users["grid_worker"])
    assert message.category == Category.CARE
    assert "位重点人员到期走访" in message.title
    assert visits_due_digest.call(today="2026-12-04") >= 1


def test_a_council_event_is_told_through_the_subscription_point(world):
    from gongzhi.core.hooks import announce

    announce(
        "councils.meeting_called",
        key="council:vote:7",
        user_ids=[world.resident.pk, world.resident.pk],
        title="议事会会议通知",
        area=world.community,
    )
    (message,) = messages_of(world.resident)
    assert message.category == Category.COUNCIL


def test_points_about_to_lapse_are_told_in_the_last_month_once(world):
    from zoneinfo import ZoneInfo

    from gongzhi.notices.tasks import points_expiring
    from gongzhi.points.services.accounts import resident_account
    from gongzhi.points.services.earning import award_create

    tianjin = ZoneInfo("Asia/Shanghai")
    account = resident_account(world.zhou)
    award_create(
        account=account,
        by=world.staff,
        points=30,
        reason="扫雪",
        idempotency_key="k-2025",
        now=dt.datetime(2025, 3, 1, 9, tzinfo=tianjin),
    )
    november = dt.datetime(2026, 11, 20, 9, tzinfo=tianjin).isoformat()
    assert points_expiring.call(now=november) == 0  # too early to tell
    december = dt.datetime(2026, 12, 10, 9, tzinfo=tianjin).isoformat()
    assert points_expiring.call(now=december) == 1
    assert points_expiring.call(now=december) == 0
    last = messages_of(world.resident)[-1]
    assert last.title == "30 积分将于 2027-01-01 过期"
    assert last.category == Category.POINTS
