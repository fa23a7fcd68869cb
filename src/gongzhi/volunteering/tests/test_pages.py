"""The resident's activity pages and the organizer's code page, through
Django's test client."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.residents.models import Person
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Attendance,
    Occurrence,
    PlaceKind,
    SignUp,
    SignUpStatus,
    Team,
    TeamType,
)
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.attendance import scan_code
from gongzhi.volunteering.services.teams import team_create

from .conftest import english, not_image, png


@pytest.fixture
def soon(demo_people, areas, users):
    now = timezone.now()
    return activity_create(
        community=areas["community"],
        title="义诊",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="党群服务中心",
        starts_at=now + dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
        capacity=1,
        by=users["staff"],
        now=now,
    ).occurrences.get()


def test_the_list_marks_her_sign_ups(client, users, soon):
    client.force_login(users["resident"])
    client.post(f"/portal/activities/{soon.pk}/signup/")
    page = client.get("/portal/activities/").content.decode()
    assert "义诊" in page and "已报 1 / 1 人" in page and "报名成功" in page


def test_a_full_session_offers_the_waiting_list_and_moves_it_up(
    client, users, soon, areas
):

    Occurrence.objects.filter(pk=soon.pk).update(signed_up=1)
    client.force_login(users["resident"])
    page = client.get(f"/portal/activities/{soon.pk}/").content.decode()
    assert "排队候补" in page
    refused = client.post(f"/portal/activities/{soon.pk}/signup/", follow=True)
    assert "1 个名额已满，可以排队候补。" in refused.content.decode()
    assert not SignUp.objects.exists()
    client.post(f"/portal/activities/{soon.pk}/signup/", {"wait": "1"})
    assert SignUp.objects.get().status == SignUpStatus.WAITING
    page = client.get(f"/portal/activities/{soon.pk}/").content.decode()
    assert "候补第 1 位" in page
    client.post(f"/portal/activities/{soon.pk}/cancel/")
    assert SignUp.objects.get().status == SignUpStatus.CANCELLED


def test_scanning_checks_in_only_with_the_current_code(client, users, soon):
    client.force_login(users["resident"])
    client.post(f"/portal/activities/{soon.pk}/signup/")
    old = scan_code(soon, "in", now=timezone.now() - dt.timedelta(minutes=3))
    stale = client.post(f"/portal/activities/{soon.pk}/scan/", {"c": old}, follow=True)
    assert "签到码已过期" in stale.content.decode()
    assert not Attendance.objects.exists()
    page = client.get(f"/portal/activities/{soon.pk}/scan/?c=x").content.decode()
    assert "立即签到" in page  # shown, checked when she confirms
    fresh = scan_code(soon, "in")
    done = client.post(f"/portal/activities/{soon.pk}/scan/", {"c": fresh}, follow=True)
    assert "签到成功" in done.content.decode()
    assert Attendance.objects.get().in_method == "qr"


def test_the_code_page_is_the_organizers_alone(client, users, soon):
    client.force_login(users["staff"])
    page = client.get(f"/portal/activities/{soon.pk}/code/").content.decode()
    assert "签到码" in page and "<svg" in page
    assert f"/portal/activities/{soon.pk}/scan/?c=in." in page
    assert '<meta http-equiv="refresh"' in page
    out = client.get(f"/portal/activities/{soon.pk}/code/?d=out").content.decode()
    assert "签退码" in out and "?c=out." in out
    for outsider in ("resident", "street_manager", "grid_worker"):
        client.force_login(users[outsider])
        assert client.get(f"/portal/activities/{soon.pk}/code/").status_code == 404


def test_a_login_without_a_resident_record_is_told_how(client, users):
    client.force_login(users["staff"])
    page = client.get("/portal/activities/").content.decode()
    assert "尚未关联居民信息" in page


def test_the_list_offers_her_streets_calendar(client, users, soon, areas):
    import icalendar

    client.force_login(users["resident"])
    page = client.get("/portal/activities/").content.decode()
    start = page.index('href="webcal://') + len('href="webcal://')
    address = page[start : page.index('"', start)]
    assert f"/calendar/community/{areas['street'].pk}/" in address
    feed = client.get("/" + address.split("/", 1)[1])
    assert feed.status_code == 200
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["义诊"]


# A team's leader publishes from her phone


@pytest.fixture
def leader(client, users, areas):
    """周桂兰 leads 楼道服务队 of 三盛里."""
    zhou = Person.objects.get(user=users["resident"])
    team = team_create(
        area=areas["community"],
        name="楼道服务队",
        kind=TeamType.ENVIRONMENT,
        leader=zhou,
        by=users["staff"],
    )
    client.force_login(users["resident"])
    return team


def _leader_form(**changes):
    start = timezone.localtime() + dt.timedelta(days=2)
    return {
        "title": "楼道大扫除",
        "kind": "service",
        "place": "航院小区1号楼",
        "starts_at": start.strftime("%Y-%m-%dT15:00"),
        "ends_at": start.strftime("%Y-%m-%dT17:00"),
        "signup_required": "on",
        "capacity": "8",
        "description": "带上扫帚。",
    } | changes


def test_a_team_leader_publishes_for_her_team_from_her_phone(
    client, demo_people, leader, media
):
    listing = client.get("/portal/activities/").content.decode()
    assert 'data-testid="publish"' in listing
    form = client.get("/portal/activities/new/")
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    done = client.post(
        "/portal/activities/new/",
        _leader_form(team=leader.pk, photo=png()),
        follow=True,
    )
    page = done.content.decode()
    activity = Activity.objects.get()
    session = activity.occurrences.get()
    assert done.redirect_chain[-1][0] == f"/portal/activities/{session.pk}/"
    assert (activity.team, activity.community) == (leader, leader.area)
    assert (activity.capacity, activity.points_per_hour) == (8, 0)
    assert 'data-testid="organizer">楼道服务队<' in page
    assert 'data-testid="photo"' in page and "带上扫帚。" in page
    photo = client.get(f"/portal/activities/{session.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_a_leaders_bad_input_names_the_field_and_publishes_nothing(
    client, demo_people, leader, media
):
    english(client)
    late = _leader_form(team=leader.pk)
    late["ends_at"] = late["starts_at"]
    refused = client.post("/portal/activities/new/", late)
    assert refused.status_code == 400
    assert "Ends at: The end must come after the start." in refused.content.decode()
    bad_photo = client.post(
        "/portal/activities/new/", _leader_form(team=leader.pk, photo=not_image())
    )
    assert bad_photo.status_code == 400
    assert "Photo: “notice.png” is not a photo" in bad_photo.content.decode()
    assert not Activity.objects.exists()


def test_a_leader_publishes_only_for_a_team_she_leads(
    client, demo_people, leader, users, areas
):
    zhou = Person.objects.get(user=users["resident"])
    second = team_create(
        area=areas["community"],
        name="文艺队",
        kind=TeamType.CULTURE,
        leader=zhou,
        by=users["staff"],
    )
    other = team_create(
        area=areas["community"], name="巡逻队", kind=TeamType.PATROL, by=users["staff"]
    )
    form = client.get("/portal/activities/new/").context["form"]
    assert set(form.fields["team"].queryset) == {leader, second}
    refused = client.post("/portal/activities/new/", _leader_form(team=other.pk))
    assert refused.status_code == 400
    assert not Activity.objects.exists()
    client.post("/portal/activities/new/", _leader_form(team=second.pk))
    assert Activity.objects.get().team == second
    # Her teams disbanded: she leads no active team, and the page is gone.
    Team.objects.filter(pk__in=[leader.pk, second.pk]).update(active=False)
    assert client.get("/portal/activities/new/").status_code == 404


def test_residents_who_lead_no_team_and_staff_get_404(client, demo_people, users):
    client.force_login(users["resident"])
    assert client.get("/portal/activities/new/").status_code == 404
    assert 'data-testid="publish"' not in (
        client.get("/portal/activities/").content.decode()
    )
    posted = client.post("/portal/activities/new/", _leader_form())
    assert posted.status_code == 404
    client.force_login(users["staff"])
    assert client.get("/portal/activities/new/").status_code == 404
    assert not Activity.objects.exists()


def test_the_session_page_names_the_community_when_no_team_organizes(
    client, users, soon
):
    client.force_login(users["resident"])
    page = client.get(f"/portal/activities/{soon.pk}/").content.decode()
    assert 'data-testid="organizer">三盛里社区<' in page
    assert 'data-testid="photo"' not in page
    assert client.get(f"/portal/activities/{soon.pk}/photo/").status_code == 404


def test_the_home_tiles_page_shows_the_sessions_to_come_before_the_hours(
    client, users, soon
):
    client.force_login(users["resident"])
    client.post(f"/portal/activities/{soon.pk}/signup/")
    page = client.get("/portal/activities/mine/").content.decode()
    coming = page.index("已报名的活动")
    assert coming < page.index("义诊") < page.index("我的服务时长")
    assert f"/portal/activities/{soon.pk}/" in page and "报名成功" in page
