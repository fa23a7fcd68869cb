"""The workbench's activity pages: publishing, a session's roster with hand
marks, corrections and confirmation, teams, figures and a certificate."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.audit.models import Action, Event
from gongzhi.points.services.accounts import resident_account
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Attendance,
    MemberStatus,
    PlaceKind,
    Team,
    TeamMember,
)
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.signup import signup_create

from .conftest import english, not_image, png

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


@pytest.mark.usefixtures("dashboards_live")
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


# Units, photos, walk-ins and party members


def _publish_data(areas, **changes):
    start = timezone.localtime() + dt.timedelta(days=3)
    return {
        "community": areas["community"].pk,
        "title": "健康讲座",
        "kind": "talk",
        "place_kind": "center",
        "place": "党群服务中心",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT10:00"),
        "audience": "all",
        "signup_closes_hours": "0",
        "points_per_hour": "0",
    } | changes


def test_publishing_for_a_unit_with_a_photo(client, users, areas, units, media):
    english(client).force_login(users["staff"])
    form = client.get(f"{W}/new/")
    offered = set(form.context["form"].fields["unit"].queryset)
    assert offered == {units.hospital, units.property}
    assert 'enctype="multipart/form-data"' in form.content.decode()
    done = client.post(
        f"{W}/new/",
        _publish_data(areas, unit=units.hospital.pk, photo=png()),
        follow=True,
    )
    page = done.content.decode()
    assert 'data-testid="organizer">区人民医院<' in page
    activity = Activity.objects.get()
    assert activity.unit == units.hospital and activity.photo
    session = activity.occurrences.get()
    photo = client.get(f"{W}/sessions/{session.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    listed = client.get(f"{W}/").content.decode()
    assert "区人民医院" in listed
    # A unit of another community is not on offer: the form refuses it.
    elsewhere = client.post(
        f"{W}/new/", _publish_data(areas, unit=units.elsewhere.pk, title="别处")
    )
    assert "Organizing unit" in elsewhere.content.decode()
    assert Activity.objects.count() == 1


def test_a_bad_photo_is_refused_on_the_form_and_nothing_is_published(
    client, users, areas, media
):
    english(client).force_login(users["staff"])
    bad = client.post(f"{W}/new/", _publish_data(areas, photo=not_image()))
    text = bad.content.decode()
    assert "Photo: “notice.png” is not a photo" in text
    assert not Activity.objects.exists()


def test_a_team_is_set_up_under_a_unit_from_the_form(client, users, areas, units):
    english(client).force_login(users["staff"])
    client.post(
        f"{W}/teams/",
        {
            "area": areas["community"].pk,
            "name": "物业维修队",
            "kind": "repair",
            "unit": units.property.pk,
        },
    )
    team = Team.objects.get(name="物业维修队")
    assert team.unit == units.property
    assert "航院物业" in client.get(f"{W}/teams/").content.decode()


def test_staff_find_a_walk_in_and_mark_her_in_and_out(client, users, ended, areas):
    session, zhou = ended
    neighbour = (
        Person.objects.filter(household__path__startswith=areas["community"].path)
        .exclude(phone_encrypted="")
        .exclude(pk=zhou.pk)
        .first()
    )
    far = Person.objects.filter(household=areas["other_household"]).first()
    english(client).force_login(users["staff"])
    url = f"{W}/sessions/{session.pk}/walkins/"
    found = client.get(url, {"q": neighbour.name}, HTTP_HX_REQUEST="true")
    text = found.content.decode()
    assert neighbour.name in text and neighbour.phone_masked in text
    assert neighbour.phone not in text
    # Her home reads with its estate and building, not a bare "101".
    home = neighbour.last_household
    estate = home.get_ancestors().get(kind="estate")
    assert f"{estate.name} " in text and home.name in text
    assert "<html" not in text  # the partial, for htmx
    # Someone of another community is out of this staff's reach.
    assert client.get(url, {"q": far.name}).context["found"] == []
    refused = client.post(
        url,
        {
            "walkin-person": far.pk,
            "walkin-checked_in_at": _local(session.starts_at),
            "walkin-reason": "未报名，现场参加",
        },
    )
    assert refused.status_code == 400
    assert "Choose a person from the search results." in refused.content.decode()
    assert not Attendance.objects.exists()
    marked = client.post(
        url,
        {
            "walkin-person": neighbour.pk,
            "walkin-checked_in_at": _local(session.starts_at),
            "walkin-reason": "未报名，现场参加",
        },
        follow=True,
    )
    assert f"{neighbour.name} marked present." in marked.content.decode()
    came = Attendance.objects.get(person=neighbour)
    assert came.in_method == "hand" and came.checked_out_at is None
    assert Event.objects.filter(action=Action.ATTENDANCE_MARKED).count() == 1
    # Present now: no longer a walk-in, but offered to be marked out.
    assert not client.get(url, {"q": neighbour.name}).context["found"]
    client.post(
        f"{W}/sessions/{session.pk}/mark/",
        {
            "person": neighbour.pk,
            "checked_in_at": _local(session.starts_at),
            "checked_out_at": _local(session.ends_at),
            "reason": "补记签退",
        },
    )
    came.refresh_from_db()
    assert str(came.hours) == "2.00" and came.in_method == "hand"
    # A grid worker does not organize: the walk-in search is not there.
    client.force_login(users["grid_worker"])
    assert client.get(url, {"q": neighbour.name}).status_code == 404


def test_party_members_are_marked_on_the_roster_in_one_query(
    client, users, ended, areas, django_assert_num_queries
):
    from gongzhi.orgs.models import PartyRegistration

    session, zhou = ended
    client.force_login(users["staff"])
    url = f"{W}/sessions/{session.pk}/"
    assert 'data-testid="party"' not in client.get(url).content.decode()
    PartyRegistration.objects.create(
        person=zhou,
        community=areas["community"],
        work_unit="区税务局",
        status="confirmed",
    )
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert page.count('data-testid="party"') == 1
    others = Person.objects.filter(household=areas["neighbour_household"])[:3]
    for person in others:
        signup_create(
            occurrence=session,
            person=person,
            by=None,
            now=session.starts_at - dt.timedelta(hours=5),
        )
        PartyRegistration.objects.create(
            person=person,
            community=areas["community"],
            work_unit="区税务局",
            status="confirmed",
        )
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="party"') == 1 + len(others)
