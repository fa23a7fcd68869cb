"""The workbench's organizations, chain and 双报到 pages; the phone page."""

import datetime as dt

from django.utils import timezone

from gongzhi.orgs.models import PartyRegistration, RegistrationStatus
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)

from .conftest import make_person, served


def test_the_orgs_page_lists_organizations_and_agreements(
    client, chain_orgs, unit, users
):
    from gongzhi.orgs.services.organizations import agreement_create

    agreement_create(
        unit=unit,
        signed_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2030, 1, 1),
        commitments="每月一次志愿服务",
        by=users["staff"],
    )
    client.force_login(users["staff"])
    html = client.get("/workbench/orgs/").content.decode()
    for text in (
        "三盛里社区大党委",
        "华泰物业",
        "和平区教育局",
        "每月一次志愿服务",
        "022*****6789",
    ):
        assert text in html
    assert "022-23456789" not in html


def test_staff_record_an_organization_in_the_workbench(client, areas, users):
    client.force_login(users["staff"])
    response = client.post(
        "/workbench/orgs/new/",
        {
            "kind": "owners_committee",
            "area": areas["estate"].pk,
            "name": "航院小区业委会",
        },
    )
    assert response.status_code == 302
    assert response.url == f"/workbench/orgs/estates/{areas['estate'].pk}/chain/"
    refused = client.post(
        "/workbench/orgs/new/",
        {"kind": "owners_committee", "area": areas["community"].pk, "name": "业委会"},
    )
    assert "业主委员会应属于小区。" in refused.content.decode()


def test_the_chain_page_shows_five_levels(client, chain_orgs, areas, users):
    client.force_login(users["grid_worker"])
    html = client.get(
        f"/workbench/orgs/estates/{areas['estate'].pk}/chain/"
    ).content.decode()
    for text in (
        "三盛里社区大党委",
        "航院小区党支部",
        "航院小区业委会",
        "华泰物业",
        "赵德明",
    ):
        assert text in html
    client.force_login(users["other_grid_worker"])
    assert (
        client.get(f"/workbench/orgs/estates/{areas['estate'].pk}/chain/").status_code
        == 404
    )


def test_the_pool_page_confirms_and_shows_hours_this_year(
    client, zhou, areas, users, django_assert_max_num_queries
):
    made = registration_create(
        person=zhou, work_unit="和平区教育局", by=users["resident"]
    )
    served(zhou, areas["community"], "2.5", day=timezone.localdate())
    client.force_login(users["staff"])
    html = client.get("/workbench/orgs/party-members/").content.decode()
    assert "和平区教育局" in html and "周桂兰" in html
    response = client.post(
        f"/workbench/orgs/registrations/{made.pk}/decide/", {"approve": "1"}
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == RegistrationStatus.CONFIRMED
    html = client.get(response.url).content.decode()
    assert "2.5" in html


def test_the_pool_page_reads_everyones_hours_at_once(
    client, zhou, areas, users, django_assert_max_num_queries
):
    for index in range(5):
        person = make_person(areas["neighbour_household"], f"党员{index}")
        made = registration_create(person=person, work_unit="某单位", by=users["staff"])
        registration_transition(registration=made, action="confirm", by=users["staff"])
    client.force_login(users["staff"])
    # Everyone's hours in one query: as few with five members as with one.
    with django_assert_max_num_queries(12):
        assert client.get("/workbench/orgs/party-members/").status_code == 200


def test_a_declined_registration_is_shown_declined_to_the_member(client, zhou, users):
    made = registration_create(
        person=zhou, work_unit="和平区教育局", by=users["resident"]
    )
    client.force_login(users["staff"])
    client.post(
        f"/workbench/orgs/registrations/{made.pk}/decide/",
        {"approve": "0", "note": "请填写单位全称"},
    )
    client.force_login(users["resident"])
    html = client.get("/portal/party/").content.decode()
    assert "未通过" in html and "请填写单位全称" in html
    # She may register again.
    assert 'name="work_unit"' in html


def test_a_resident_registers_on_her_phone(client, zhou, users):
    client.force_login(users["resident"])
    html = client.get("/portal/party/").content.decode()
    assert "三盛里社区" in html
    refused = client.post("/portal/party/", {"work_unit": " "})
    assert refused.status_code == 400
    response = client.post("/portal/party/", {"work_unit": "和平区教育局"})
    assert response.status_code == 302
    assert PartyRegistration.objects.get().work_unit == "和平区教育局"
    html = client.get("/portal/party/").content.decode()
    assert "待确认" in html and 'name="work_unit"' not in html


def test_a_login_without_a_record_is_told_how_to_link_it(client, users):
    client.force_login(users["staff"])
    html = client.get("/portal/party/").content.decode()
    assert "尚未关联" in html or "关联" in html
