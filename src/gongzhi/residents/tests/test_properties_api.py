"""The 房屋产权 API: list and read where personal data is seen (phones
masked), correct where residents are managed (403 where only seen, 404
outside), bad input refused naming the field, Excel in and out."""

from decimal import Decimal

import pytest

from gongzhi.residents.models import Owner, Person, Property

from .excel_files import resident_id, upload, workbook_bytes
from .test_owner_sheets import TITLES, row

API = "/api/v1/residents/properties"


@pytest.fixture
def staff_api(api_client, users, demo_people):
    api_client.login_api(users["staff"])
    return api_client


def test_the_list_gives_areas_and_masked_owners(staff_api, areas):
    response = staff_api.get(API, {"area_id": areas["entrance"].pk, "limit": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 6 and len(body["items"]) == 3
    first = body["items"][0]
    assert first["label"] == "航院小区 1号楼 1单元 101"
    assert Decimal(first["floor_area"]) >= 55
    names = {o["name"]: o for o in first["owners"]}
    assert set(names) == {"周桂兰", "刘振华"}
    assert names["周桂兰"]["phone_masked"] == "138****0009"
    assert names["周桂兰"]["lives_here"] is True
    assert "13800000009" not in response.content.decode()


def test_outside_her_area_a_household_is_not_found(
    api_client, users, demo_people, areas
):
    api_client.login_api(users["grid_worker"])
    assert api_client.get(f"{API}/{areas['other_household'].pk}").status_code == 404
    assert api_client.get(API, {"area_id": areas["other_grid"].pk}).status_code == 404
    assert api_client.get(f"{API}/{areas['building'].pk}").status_code == 404


def test_a_building_leader_reads_but_may_not_change(
    api_client, users, demo_people, areas
):
    api_client.login_api(users["building_leader"])
    home = areas["household"].pk
    assert api_client.get(f"{API}/{home}").status_code == 200
    response = api_client.put(
        f"{API}/{home}", {"floor_area": "80"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_setting_the_floor_area_and_refusing_a_bad_one(staff_api, areas):
    home = areas["household"].pk
    response = staff_api.put(
        f"{API}/{home}",
        {"floor_area": 93.4, "certificate_no": "0099"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["floor_area"] == "93.40"
    for bad in ("0", "abc", 100000.5, "1.234"):
        response = staff_api.put(
            f"{API}/{home}", {"floor_area": bad}, content_type="application/json"
        )
        assert response.status_code == 400, bad
        assert response.json()["field"] == "floor_area"
    assert Property.objects.get(area_id=home).floor_area == Decimal("93.40")


def test_owners_are_added_and_ended(staff_api, areas):
    home = areas["household"].pk
    neighbour = Person.objects.filter(household=areas["neighbour_household"]).first()
    response = staff_api.post(
        f"{API}/{home}/owners",
        {"person_id": neighbour.pk, "since": "2019-03-01"},
        content_type="application/json",
    )
    assert response.status_code == 201
    owner_id = response.json()["id"]
    again = staff_api.post(
        f"{API}/{home}/owners",
        {"person_id": neighbour.pk},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["field"] == "person_id"
    elsewhere = staff_api.post(
        f"{API}/{home}/owners",
        {
            "name": "孙外住",
            "id_number": resident_id("19720202", 44, region="110105"),
            "phone": "13655556666",
        },
        content_type="application/json",
    )
    assert elsewhere.status_code == 201
    assert elsewhere.json()["lives_here"] is False
    assert elsewhere.json()["phone_masked"] == "136****6666"
    missing = staff_api.post(
        f"{API}/{home}/owners", {"name": "无证件"}, content_type="application/json"
    )
    assert missing.status_code == 400 and missing.json()["field"] == "id_number"
    ended = staff_api.post(
        f"{API}/{home}/owners/{owner_id}/end", {}, content_type="application/json"
    )
    assert ended.status_code == 200 and ended.json()["until"]
    assert not Owner.objects.filter(pk=owner_id, until__isnull=True).exists()


def test_a_person_out_of_sight_cannot_be_named_owner(
    api_client, users, demo_people, areas
):
    api_client.login_api(users["grid_worker"])
    stranger = Person.objects.filter(household=areas["other_household"]).first()
    response = api_client.post(
        f"{API}/{areas['household'].pk}/owners",
        {"person_id": stranger.pk},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["field"] == "person_id"


def test_import_export_and_template(staff_api, areas):
    estate = areas["estate"].pk
    bad = workbook_bytes(
        [row(专有部分面积="-1")], titles=TITLES, sheet_title="房屋产权"
    )
    response = staff_api.post(f"{API}/imports?area_id={estate}", {"file": upload(bad)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["column"] == "专有部分面积"
    good = workbook_bytes([row()], titles=TITLES, sheet_title="房屋产权")
    response = staff_api.post(f"{API}/imports?area_id={estate}", {"file": upload(good)})
    assert response.status_code == 200
    assert response.json()["people_registered"] == 1
    template = staff_api.get(f"{API}/imports/template", {"area_id": estate})
    assert template.status_code == 200
    export = staff_api.get(f"{API}/export", {"area_id": estate})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_owners_living_elsewhere_are_found_in_the_people_list(staff_api, areas):
    response = staff_api.get(
        "/api/v1/residents/people",
        {"status": "elsewhere", "area_id": areas["community"].pk},
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert items and all(p["status"] == "elsewhere" for p in items)
