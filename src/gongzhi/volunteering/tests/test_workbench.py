"""The workbench's activity pages: publishing, a session's roster with hand
marks, corrections and confirmation, teams, figures and a certificate."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.points.services.accounts import resident_account
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Attendance,
    MemberStatus,
    PlaceKind,
    TeamMember,
)
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.signup import signup_create

W = "/workbench/activities"


@pytest.fixture
def ended(demo_people, areas, users):
    """A 义诊 of 三盛里 that ended an hour ago, 周桂兰 signed up. On the
    minute, as the form's times are."""
    now = timezone.now().replace(second=0, microsecond=0)
    earlier = now - dt.timedelta(hours=4)
    session = activity_create(
        community=areas["community"],
        title="义诊",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="党群服务中心",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        points_per_hour=2,
        by=users["staff"],
        now=earlier,
    ).occurrences.get()
    zhou = Person.objects.get(user=users["resident"])
    signup_create(occurrence=session, person=zhou, by=None, now=earlier)
    return session, zhou


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_publishing_a_monthly_activity_from_the_form(client, users, areas):
    client.force_login(users["staff"])
    form = client.get(f"{W}/new/").content.decode()
    assert "发布活动" in form and "农历每月" in form
    start = timezone.localtime() + dt.timedelta(days=3)
    data = {
        "community": areas["community"].pk,
        "title": "政策宣讲",
        "kind": "talk",
        "place_kind": "station",
        "place": "新时代文明实践站",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT10:30"),
        "audience": "elderly",
        "signup_required": "on",
        "capacity": "30",
        "signup_closes_hours": "2",
        "points_per_hour": "1",
        "frequency": "monthly",
        "days": str(start.day),
        "count": "3",
    }
    done = client.post(f"{W}/new/", data, follow=True)
    assert "已发布 政策宣讲：共 3 场。" in done.content.decode()
    assert Activity.objects.get().occurrences.count() == 3
    bad = client.post(f"{W}/new/", data | {"ends_at": data["starts_at"], "title": "x"})
    assert bad.status_code == 200
    assert "结束时间须晚于开始时间。" in bad.content.decode()
    unbounded = client.post(f"{W}/new/", data | {"count": "", "title": "y"})
    assert "没有结束的重复会无限生成" in unbounded.content.decode()
    assert Activity.objects.count() == 1


def test_the_organizer_marks_corrects_and_confirms(client, users, ended):
    session, zhou = ended
    client.force_login(users["staff"])
    page = client.get(f"{W}/sessions/{session.pk}/").content.decode()
    assert "周桂兰（报名成功）" in page and "尚未确认" in page
    marked = client.post(
        f"{W}/sessions/{session.pk}/mark/",
        {
            "person": zhou.pk,
            "checked_in_at": _local(session.starts_at),
            "checked_out_at": _local(session.starts_at + dt.timedelta(minutes=75)),
            "reason": "老人没有手机",
        },
        follow=True,
    )
    assert "周桂兰 已登记到场。" in marked.content.decode()
    attendance = Attendance.objects.get()
    assert str(attendance.hours) == "1.25"
    wrong = client.post(
        f"{W}/sessions/{session.pk}/hours/{attendance.pk}/",
        {"hours": "1.3", "reason": "补记"},
        follow=True,
    )
    assert "时长以一刻钟为单位" in wrong.content.decode()
    client.post(
        f"{W}/sessions/{session.pk}/hours/{attendance.pk}/",
        {"hours": "1.5", "reason": "提前到场"},
    )
    confirmed = client.post(f"{W}/sessions/{session.pk}/confirm/", follow=True)
    assert "签到已确认，服务时长已按积分发放。" in confirmed.content.decode()
    assert resident_account(zhou).balance == 3
    # Another community's staff do not see the session at all.
    client.force_login(users["other_grid_worker"])
    assert client.get(f"{W}/sessions/{session.pk}/").status_code == 404


def test_bad_hand_marks_say_which_field(client, users, ended):
    session, zhou = ended
    client.force_login(users["staff"])
    response = client.post(
        f"{W}/sessions/{session.pk}/mark/",
        {
            "person": zhou.pk,
            "checked_in_at": _local(session.starts_at + dt.timedelta(hours=1)),
            "checked_out_at": _local(session.starts_at),
            "reason": "补记",
        },
    )
    assert response.status_code == 400
    assert "签退时间：签退时间不能早于签到时间。" in response.content.decode()
    assert not Attendance.objects.exists()


def test_teams_applications_figures_and_a_certificate(client, users, ended, areas):
    from gongzhi.volunteering.services.teams import member_apply

    session, zhou = ended
    client.force_login(users["staff"])
    made = client.post(
        f"{W}/teams/",
        {"area": areas["community"].pk, "name": "邻里维修队", "kind": "repair"},
        follow=True,
    )
    assert "邻里维修队" in made.content.decode()
    team = made.context["teams"][0]
    member = member_apply(team=team, person=zhou, by=users["resident"], skills="水电")
    client.post(f"{W}/applications/{member.pk}/decide/", {"approve": "1"})
    assert TeamMember.objects.get(pk=member.pk).status == MemberStatus.MEMBER
    client.post(
        f"{W}/sessions/{session.pk}/mark/",
        {
            "person": zhou.pk,
            "checked_in_at": _local(session.starts_at),
            "checked_out_at": _local(session.ends_at),
            "reason": "现场登记",
        },
    )
    figures = client.get(f"{W}/figures/", {"area": areas["community"].pk})
    totals = figures.content.decode()
    assert "开展场次" in totals and figures.context["counts"]["participations"] == 1
    certificate = client.get(f"{W}/people/{zhou.pk}/certificate/").content.decode()
    assert "志愿服务证明" in certificate
    assert "周桂兰" in certificate and "共计服务 2 小时" in certificate
