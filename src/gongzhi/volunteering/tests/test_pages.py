"""The resident's activity pages and the organizer's code page, through
Django's test client."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.volunteering.models import (
    ActivityType,
    Attendance,
    Occurrence,
    PlaceKind,
    SignUp,
    SignUpStatus,
)
from gongzhi.volunteering.services.activities import activity_create
from gongzhi.volunteering.services.attendance import scan_code


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
