"""The volunteering API end to end: a resident signs up and checks in with
the code the organizer's phone shows, the organizer confirms and the hours
become points; hand marks and corrections, inside and outside the area."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.points.services.accounts import resident_account
from gongzhi.volunteering.models import ActivityType, Attendance, Occurrence, PlaceKind
from gongzhi.volunteering.services.activities import activity_create

V = "/api/v1/volunteering"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


@pytest.fixture
def running(event, users):
    """A session of 三盛里 that started ten minutes ago and runs an hour
    more, two places, 4 points an hour, sign-up closed at its start."""
    now = timezone.now()
    activity = activity_create(
        community=event.community,
        title="楼道清理",
        kind=ActivityType.SERVICE,
        place_kind=PlaceKind.ADDRESS,
        place="航院小区1号楼",
        starts_at=now + dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(minutes=71),
        capacity=2,
        points_per_hour=4,
        by=users["staff"],
        now=now,
    )
    session = activity.occurrences.get()
    return session


def _shift(session, minutes):
    """Move a session in time, as if the clock had moved."""
    delta = dt.timedelta(minutes=minutes)
    Occurrence.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at + delta,
        ends_at=session.ends_at + delta,
        signup_closes_at=session.signup_closes_at + delta,
    )


def test_a_resident_signs_up_and_checks_in_with_the_organizers_code(
    api_client, users, running, event
):
    api_client.login_api(users["resident"])
    listed = api_client.get(f"{V}/me/sessions").json()["items"]
    mine = next(s for s in listed if s["id"] == running.pk)
    assert (mine["title"], mine["capacity"], mine["my_status"]) == ("楼道清理", 2, "")
    signed = post(api_client, f"{V}/me/sessions/{running.pk}/signup")
    assert signed.status_code == 201
    assert signed.json()["status_label"] == "报名成功"
    again = post(api_client, f"{V}/me/sessions/{running.pk}/signup")
    assert again.status_code == 409 and again.json()["field"] == "person"
    _shift(running, -11)  # it started ten minutes ago
    api_client.login_api(users["staff"])
    code = api_client.get(f"{V}/sessions/{running.pk}/code?direction=in").json()
    assert code["direction"] == "in"
    api_client.login_api(users["resident"])
    came = post(
        api_client, f"{V}/me/sessions/{running.pk}/scan", {"code": code["code"]}
    )
    assert came.status_code == 200, came.json()
    assert came.json()["checked_out_at"] is None
    twice = post(
        api_client, f"{V}/me/sessions/{running.pk}/scan", {"code": code["code"]}
    )
    assert twice.status_code == 409 and twice.json()["field"] == "code"
    forged = post(
        api_client, f"{V}/me/sessions/{running.pk}/scan", {"code": "out.1.deadbeef"}
    )
    assert forged.status_code == 400 and forged.json()["field"] == "code"
    # The organizer marks her out by hand after the session: 1 h 10 min.
    _shift(running, -80)
    api_client.login_api(users["staff"])
    roster = api_client.get(f"{V}/sessions/{running.pk}").json()
    assert [s["name"] for s in roster["signups"]] == ["周桂兰"]
    attendance = Attendance.objects.get()
    fixed = post(
        api_client,
        f"{V}/attendances/{attendance.pk}/hours",
        {"hours": "1", "reason": "忘记签退，按实际补记"},
    )
    assert fixed.status_code == 200 and fixed.json()["hours"] == "1.00"
    confirmed = post(api_client, f"{V}/sessions/{running.pk}/confirm")
    assert confirmed.status_code == 200
    assert resident_account(event.zhou).balance == 4
    api_client.login_api(users["resident"])
    record = api_client.get(f"{V}/me/service").json()
    assert (record["hours"], record["sessions"]) == ("1.00", 1)


def test_a_full_session_offers_the_waiting_list(api_client, users, running, event):
    running.capacity = 0
    Occurrence.objects.filter(pk=running.pk).update(capacity=1, signed_up=1)
    api_client.login_api(users["resident"])
    full = post(api_client, f"{V}/me/sessions/{running.pk}/signup")
    assert full.status_code == 409 and "候补" in full.json()["detail"]
    waiting = post(api_client, f"{V}/me/sessions/{running.pk}/signup", {"wait": True})
    assert waiting.status_code == 201
    assert waiting.json()["waiting_position"] == 1
    gone = post(api_client, f"{V}/me/signups/{waiting.json()['id']}/cancel")
    assert gone.json()["status"] == "cancelled"


def test_hand_marks_and_corrections_stay_inside_the_organizers_area(
    api_client, users, running, event
):
    _shift(running, -90)  # it ended twenty minutes ago
    start = running.starts_at - dt.timedelta(minutes=90)
    body = {
        "person_id": event.zhou.pk,
        "checked_in_at": start.isoformat(),
        "checked_out_at": (start + dt.timedelta(hours=1)).isoformat(),
        "reason": "老人没有智能手机",
    }
    # The street sees the session but does not run it: 403; logins below
    # the community do not see it: 404. Nothing is written.
    api_client.login_api(users["street_manager"])
    seen = post(api_client, f"{V}/sessions/{running.pk}/attendance", body)
    assert seen.status_code == 403
    for outsider in ("grid_worker", "building_leader", "resident"):
        api_client.login_api(users[outsider])
        assert (
            post(api_client, f"{V}/sessions/{running.pk}/attendance", body).status_code
            == 404
        )
    assert not Attendance.objects.exists()
    api_client.login_api(users["staff"])
    marked = post(api_client, f"{V}/sessions/{running.pk}/attendance", body)
    assert marked.status_code == 200 and marked.json()["hours"] == "1.00"
    bad = dict(body, checked_out_at=(start - dt.timedelta(minutes=5)).isoformat())
    refused = post(api_client, f"{V}/sessions/{running.pk}/attendance", bad)
    assert refused.status_code == 400
    assert refused.json()["field"] == "checked_out_at"
    attendance = Attendance.objects.get()
    api_client.login_api(users["grid_worker"])
    hidden = post(
        api_client,
        f"{V}/attendances/{attendance.pk}/hours",
        {"hours": "0.5", "reason": "x"},
    )
    assert hidden.status_code == 404
    attendance.refresh_from_db()
    assert str(attendance.hours) == "1.00"


def test_publishing_a_lunar_market_through_the_api(api_client, users, areas):
    api_client.login_api(users["secretary"])
    made = post(
        api_client,
        f"{V}/areas/{areas['community'].pk}/activities",
        {
            "title": "初一十五集市",
            "kind": "market",
            "place_kind": "square",
            "place": "文化广场",
            "starts_at": "2027-01-08T08:00:00+08:00",
            "ends_at": "2027-01-08T11:00:00+08:00",
            "signup_required": False,
            "repeat": {
                "frequency": "lunar_monthly",
                "lunar_days": [1, 15],
                "count": 4,
            },
        },
    )
    assert made.status_code == 201, made.json()
    days = [s["starts_at"][:10] for s in made.json()["sessions"]]
    assert days == ["2027-01-08", "2027-01-22", "2027-02-06", "2027-02-20"]
    unbounded = post(
        api_client,
        f"{V}/areas/{areas['community'].pk}/activities",
        {
            "title": "每周巡逻",
            "kind": "patrol",
            "place_kind": "address",
            "place": "小区",
            "starts_at": "2027-01-08T19:00:00+08:00",
            "ends_at": "2027-01-08T21:00:00+08:00",
            "repeat": {"frequency": "weekly", "weekdays": [4]},
        },
    )
    assert unbounded.status_code == 400 and unbounded.json()["field"] == "until"


def test_publishing_for_a_unit_and_setting_up_a_team_under_one(
    api_client, users, event, units
):
    api_client.login_api(users["staff"])
    body = {
        "title": "健康讲座",
        "kind": "talk",
        "place_kind": "center",
        "place": "党群服务中心",
        "starts_at": "2031-03-03T09:00:00+08:00",
        "ends_at": "2031-03-03T10:00:00+08:00",
    }
    url = f"{V}/areas/{event.community.pk}/activities"
    made = post(api_client, url, body | {"unit_id": units.hospital.pk})
    assert made.status_code == 201
    session = made.json()["sessions"][0]
    assert (session["unit_id"], session["organizer"]) == (
        units.hospital.pk,
        "区人民医院",
    )
    for unit in (units.elsewhere, units.retired):
        refused = post(api_client, url, body | {"unit_id": unit.pk})
        assert refused.status_code == 400
        assert refused.json()["field"] == "unit_id"
    team = post(
        api_client,
        f"{V}/areas/{event.community.pk}/teams",
        {"name": "物业维修队", "kind": "repair", "unit_id": units.property.pk},
    )
    assert team.status_code == 201
    assert (team.json()["unit_id"], team.json()["unit"]) == (
        units.property.pk,
        "航院物业",
    )
