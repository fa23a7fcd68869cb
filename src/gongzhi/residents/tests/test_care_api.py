"""The care endpoints: due list, visits with photos, incidents with their
timeline, pairings, care plans; scoped, and without ID or phone numbers."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.residents.models import Incident, Person, PersonTag, TagType, Visit

TODAY = timezone.localdate()
BASE = "/api/v1/residents"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def liu(demo_people, areas):
    PersonTag.objects.filter(
        person__household__path__startswith=areas["grid"].path
    ).delete()
    person = Person.objects.get(household=areas["household"], name="刘振华")
    PersonTag.objects.create(
        person=person,
        tag=TagType.objects.get(code="alone_elderly", street=None),
        start=TODAY - dt.timedelta(days=9),
    )
    return person


def png(name="a.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), "green").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_due_list_names_the_person_without_personal_numbers(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    response = api_client.get(f"{BASE}/care/due")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["person_id"] == liu.pk
    assert row["name"] == "刘振华"
    assert row["tags"] == ["独居老人"]
    assert row["days_overdue"] == 9
    assert row["address"] == "航院小区 1号楼 1单元 101"
    assert "phone" not in str(body) and liu.id_number not in str(body)


def test_due_list_out_of_reach_is_404_and_without_care_is_403(
    api_client, users, liu, areas
):
    api_client.login_api(users["grid_worker"])
    other = areas["other_grid"].pk
    assert api_client.get(f"{BASE}/care/due?area_id={other}").status_code == 404
    api_client.login_api(users["street_manager"])
    grid = areas["grid"].pk
    assert api_client.get(f"{BASE}/care/due?area_id={grid}").status_code == 403


def test_a_visit_with_photos_is_recorded_over_multipart(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    response = api_client.post(
        f"{BASE}/visits",
        {
            "person_id": liu.pk,
            "visited_on": TODAY.isoformat(),
            "form": "home",
            "findings": "一切正常",
            "photos": [png(), png("b.png")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["photos"]) == 2
    assert body["service_request_id"] is None
    assert api_client.get(body["photos"][0]["url"]).status_code in (200, 302)
    added = api_client.post(
        f"{BASE}/visits/{body['id']}/photos", {"photos": [png("c.png")]}
    )
    assert added.status_code == 201, added.content
    detail = api_client.get(f"{BASE}/visits/{body['id']}").json()
    assert len(detail["photos"]) == 3
    listed = api_client.get(f"{BASE}/visits?person_id={liu.pk}").json()
    assert listed["count"] == 1


def test_a_visit_in_the_future_names_the_field(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    response = api_client.post(
        f"{BASE}/visits",
        {
            "person_id": liu.pk,
            "visited_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "form": "home",
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "visited_on"
    assert not Visit.objects.exists()


def test_a_visit_without_findings_names_the_field(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    response = api_client.post(
        f"{BASE}/visits",
        {"person_id": liu.pk, "visited_on": TODAY.isoformat(), "form": "home"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "findings"
    assert not Visit.objects.exists()


def test_a_visit_elsewhere_is_404_and_without_care_403(api_client, users, liu):
    body = {"person_id": liu.pk, "visited_on": TODAY.isoformat(), "form": "home"}
    api_client.login_api(users["other_grid_worker"])
    assert api_client.post(f"{BASE}/visits", body).status_code == 404
    api_client.login_api(users["street_manager"])
    assert api_client.post(f"{BASE}/visits", body).status_code == 403


def test_an_incident_keeps_its_timeline_and_is_closed(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    at = timezone.now() - dt.timedelta(hours=2)
    response = api_client.post(
        f"{BASE}/incidents",
        {
            "area_id": liu.household_id,
            "person_id": liu.pk,
            "kind": "fall",
            "occurred_at": at.isoformat(),
            "description": "摔倒后无法起身",
            "calls": [{"to": "120", "at": at.isoformat(), "note": ""}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    incident = response.json()
    assert incident["follow_up_due"] is not None
    assert len(incident["timeline"]) == 2
    url = f"{BASE}/incidents/{incident['id']}"
    added = api_client.post(
        f"{url}/events",
        {"type": "call", "to": "family", "at": at.isoformat(), "text": "儿子"},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert len(added.json()["calls"]) == 2
    bad = api_client.post(
        f"{url}/events", {"type": "shout"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["field"] == "type"
    closed = api_client.post(f"{url}/close", {}, content_type="application/json")
    assert closed.status_code == 200
    again = api_client.post(
        f"{url}/events",
        {"type": "note", "text": "x"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert len(api_client.get(url).json()["timeline"]) == 4
    assert api_client.get(f"{BASE}/incidents?open=true").json()["count"] == 0
    api_client.login_api(users["other_grid_worker"])
    assert api_client.get(url).status_code == 404
    assert Incident.objects.count() == 1


def test_pairing_and_delivery(api_client, users, liu):
    api_client.login_api(users["grid_worker"])
    response = api_client.post(
        f"{BASE}/pairings",
        {
            "household_id": liu.household_id,
            "partner_name": "爱心企业",
            "started_on": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pairing = response.json()
    delivered = api_client.post(
        f"{BASE}/pairings/{pairing['id']}/deliveries",
        {"what": "御寒物资", "delivered_on": TODAY.isoformat()},
        content_type="application/json",
    )
    assert delivered.status_code == 201
    listed = api_client.get(f"{BASE}/pairings?household_id={liu.household_id}")
    assert listed.json()["items"][0]["deliveries"][0]["what"] == "御寒物资"


def test_care_plans_read_and_set(api_client, users, liu, areas):
    alone = TagType.objects.get(code="alone_elderly", street=None)
    api_client.login_api(users["street_manager"])
    url = f"{BASE}/care-plans"
    response = api_client.put(
        url,
        {"area_id": areas["grid"].pk, "plans": [{"tag_id": alone.pk, "days": 5}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    rows = {r["tag_id"]: r for r in response.json()}
    assert rows[alone.pk]["days"] == 5 and rows[alone.pk]["default_days"] == 7
    below = api_client.get(f"{url}?area_id={areas['estate'].pk}").json()
    row = next(r for r in below if r["tag_id"] == alone.pk)
    assert row["inherited_days"] == 5 and row["inherited_from"] == areas["grid"].pk
    api_client.login_api(users["grid_worker"])
    assert api_client.get(f"{url}?area_id={areas['grid'].pk}").status_code == 403


def test_an_incident_without_a_person_is_named_afterwards(
    api_client, users, liu, areas
):
    api_client.login_api(users["grid_worker"])
    created = api_client.post(
        f"{BASE}/incidents",
        {
            "area_id": areas["building"].pk,
            "kind": "fall",
            "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "description": "楼道里有老人摔倒",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    url = f"{BASE}/incidents/{created.json()['id']}/person"
    elsewhere = Person.objects.exclude(
        household__path__startswith=areas["building"].path
    ).filter(household__path__startswith=areas["grid"].path)
    if elsewhere.exists():
        refused = api_client.post(
            url, {"person_id": elsewhere.first().pk}, content_type="application/json"
        )
        assert refused.status_code == 400 and refused.json()["field"] == "person_id"
    named = api_client.post(url, {"person_id": liu.pk}, content_type="application/json")
    assert named.status_code == 200, named.content
    assert named.json()["person_name"] == "刘振华"
    due = api_client.get(f"{BASE}/care/due").json()["items"]
    assert [r["person_id"] for r in due if r["incident_id"]] == [liu.pk]
