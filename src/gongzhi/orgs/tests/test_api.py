"""The organizations API end to end, inside and outside the area."""

import pytest

from gongzhi.orgs.models import Organization, PartyRegistration, RegistrationStatus

API = "/api/v1/orgs"


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_staff_record_and_list_an_estates_organizations(api_client, areas, users):
    api_client.login_api(users["staff"])
    made = post(
        api_client,
        f"{API}/areas/{areas['estate'].pk}/orgs",
        {
            "kind": "property",
            "name": "华泰物业",
            "contact_name": "钱经理",
            "contact_phone": "13912345678",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["contact_phone"] == "139****5678"
    listed = api_client.get(f"{API}/areas/{areas['community'].pk}/orgs").json()
    assert [o["name"] for o in listed] == ["华泰物业"]
    assert (
        "13912345678"
        not in api_client.get(
            f"{API}/areas/{areas['community'].pk}/orgs"
        ).content.decode()
    )


def test_a_bad_organization_names_its_field(api_client, areas, users):
    api_client.login_api(users["staff"])
    refused = post(
        api_client,
        f"{API}/areas/{areas['community'].pk}/orgs",
        {"kind": "property", "name": "华泰物业"},
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "area_id"
    assert refused.json()["detail"] == "物业服务企业应属于小区。"
    assert not Organization.objects.exists()


def test_outside_the_area_is_404_and_seen_without_the_right_is_403(
    api_client, areas, users
):
    api_client.login_api(users["staff"])
    body = {"kind": "social", "name": "某协会"}
    assert (
        post(
            api_client, f"{API}/areas/{areas['other_community'].pk}/orgs", body
        ).status_code
        == 404
    )
    api_client.login_api(users["grid_worker"])
    assert (
        post(api_client, f"{API}/areas/{areas['estate'].pk}/orgs", body).status_code
        == 403
    )
    assert api_client.get(f"{API}/areas/{areas['estate'].pk}/orgs").status_code == 200


def test_an_agreement_through_the_api(api_client, unit, areas, users):
    api_client.login_api(users["staff"])
    made = post(
        api_client,
        f"{API}/units/{unit.pk}/agreements",
        {"signed_on": "2026-03-01", "ends_on": "2028-02-29", "commitments": "每月一次"},
    )
    assert made.status_code == 201, made.content
    refused = post(
        api_client,
        f"{API}/units/{unit.pk}/agreements",
        {"signed_on": "2026-03-01", "ends_on": "2026-02-01", "commitments": "每月一次"},
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "ends_on")
    listed = api_client.get(f"{API}/areas/{areas['community'].pk}/agreements").json()
    assert [a["unit"] for a in listed] == ["和平区教育局"]


def test_the_chain_of_an_estate(api_client, chain_orgs, areas, users):
    api_client.login_api(users["grid_worker"])
    chain = api_client.get(f"{API}/estates/{areas['estate'].pk}/chain").json()
    assert [level["label"] for level in chain["levels"]] == [
        "社区大党委",
        "小区党支部",
        "业主委员会",
        "物业服务企业",
        "党员楼栋长",
    ]
    assert chain["levels"][4]["leaders"] == [{"name": "赵德明", "place": "1号楼"}]
    not_estate = api_client.get(f"{API}/estates/{areas['grid'].pk}/chain")
    assert (not_estate.status_code, not_estate.json()["field"]) == (400, "area_id")


def test_a_resident_registers_and_staff_confirm(api_client, zhou, areas, users):
    api_client.login_api(users["resident"])
    before = api_client.get(f"{API}/me/registration").json()
    assert before == {"community": "三盛里社区", "registration": None}
    made = post(api_client, f"{API}/me/registration", {"work_unit": "和平区教育局"})
    assert made.status_code == 201
    assert made.json()["status_label"] == "待确认"
    again = post(api_client, f"{API}/me/registration", {"work_unit": "和平区教育局"})
    assert (again.status_code, again.json()["field"]) == (409, "person")

    api_client.login_api(users["grid_worker"])
    reg_id = made.json()["id"]
    assert post(api_client, f"{API}/registrations/{reg_id}/confirm").status_code == 404
    api_client.login_api(users["staff"])
    waiting = api_client.get(
        f"{API}/areas/{areas['community'].pk}/registrations?status=registered"
    ).json()
    assert [r["name"] for r in waiting] == ["周桂兰"]
    confirmed = post(api_client, f"{API}/registrations/{reg_id}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    pool = api_client.get(f"{API}/areas/{areas['community'].pk}/pool").json()
    assert [(p["name"], p["work_unit"], p["hours"]) for p in pool] == [
        ("周桂兰", "和平区教育局", "0.00")
    ]
    api_client.login_api(users["resident"])
    mine = api_client.get(f"{API}/me/registration").json()
    assert mine["registration"]["status"] == "confirmed"


def test_a_bad_period_for_the_pool_names_its_field(api_client, areas, users):
    api_client.login_api(users["staff"])
    refused = api_client.get(
        f"{API}/areas/{areas['community'].pk}/pool?start=2026-05-01&end=2026-01-01"
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "end")


def test_staff_cannot_act_on_another_communitys_registration(api_client, areas, users):
    from .conftest import make_person

    person = make_person(areas["other_household"], "吴晓")
    other = PartyRegistration.objects.create(
        person=person, community=areas["other_community"], work_unit="某单位"
    )
    api_client.login_api(users["staff"])
    assert (
        post(api_client, f"{API}/registrations/{other.pk}/decline").status_code == 404
    )
    api_client.login_api(users["street_manager"])
    assert (
        post(api_client, f"{API}/registrations/{other.pk}/decline").status_code == 403
    )
    other.refresh_from_db()
    assert other.status == RegistrationStatus.REGISTERED


@pytest.mark.parametrize("key", ["staff", "grid_worker"])
def test_logins_without_a_resident_record_have_no_registration(api_client, users, key):
    api_client.login_api(users[key])
    assert api_client.get(f"{API}/me/registration").status_code == 404
