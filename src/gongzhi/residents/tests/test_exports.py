"""Exporting the registry list: masked by default, full only for those
allowed and audited, watermarked, and never beyond the exporter's area."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from gongzhi.areas.scoping import subtree_q
from gongzhi.audit.models import Action, Event
from gongzhi.core.errors import ValidationFailed
from gongzhi.residents.models import Person, TagType
from gongzhi.residents.selectors.people import PeopleFilter
from gongzhi.residents.services import exports

URL = "/workbench/residents/people/export.xlsx"
API = "/api/v1/residents/people/export"


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["居民信息"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    people = [dict(zip(header, row, strict=True)) for row in rows[2:]]
    return sheet, rows[0][0], people


def _living_under(area) -> int:
    return Person.objects.filter(
        subtree_q([area.path], field="last_household__path"), status="active"
    ).count()


@pytest.fixture
def staff(client, users, demo_people):
    client.force_login(users["staff"])
    return users["staff"]


def test_an_export_is_masked_watermarked_and_protected(client, staff, areas):
    response = client.get(URL)
    assert quote("居民名册_") in response["Content-Disposition"]
    sheet, watermark, people = _sheet(response)
    assert "刘洋" in watermark and "13800000004" in watermark
    assert sheet.protection.sheet
    assert sheet.HeaderFooter.oddHeader.center.text == watermark
    assert len(people) == _living_under(areas["community"])
    zhou = next(p for p in people if p["姓名"] == "周桂兰")
    assert zhou["住址"] == "航院小区/1号楼/1单元/101"
    assert zhou["与户主关系"] == "户主"
    assert zhou["所属社区"] == "三盛里社区" and zhou["所属网格"] == "第一网格"
    assert zhou["联系电话"] == "138****0009"
    for row in people:
        assert "*" in row["证件号码"]
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.actor == staff
    assert event.detail["full"] is False
    assert event.detail["rows"] == len(people)


def test_a_full_export_shows_numbers_and_is_audited(client, users, demo_people, areas):
    client.force_login(users["secretary"])
    response = client.post(
        f"{URL}?area={areas['building'].pk}&full=1", {"reason": "低保年审"}
    )
    _sheet_, _mark, people = _sheet(response)
    assert len(people) == _living_under(areas["building"])
    zhou = next(p for p in people if p["姓名"] == "周桂兰")
    person = Person.objects.get(name="周桂兰", household=areas["household"])
    assert zhou["证件号码"] == person.id_number
    assert zhou["联系电话"] == "13800000009"
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.actor == users["secretary"]
    assert event.detail == {
        "rows": len(people),
        "full": True,
        "filter": {
            "q": "",
            "area": "1号楼",
            "tag": None,
            "age_band": "",
            "status": "active",
        },
        "reason": "低保年审",
    }
    assert event.target_label == "1号楼"  # the subject: whose list went out
    assert event.area_path == areas["building"].path
    assert event.ip == "127.0.0.1"


def test_a_full_export_asks_why_and_downloads_nothing_until_told(
    client, users, demo_people, areas
):
    client.force_login(users["secretary"])
    url = f"{URL}?area={areas['building'].pk}&full=1"
    ask = client.get(url)  # the link on the list page: a question, no file
    assert ask.status_code == 200
    assert ask["Content-Type"].startswith("text/html")
    assert "使用完整号码的原因" in ask.content.decode()
    for reason in ("", "   "):
        refused = client.post(url, {"reason": reason})
        assert refused.status_code == 400
        assert refused["Content-Type"].startswith("text/html")
        assert "请说明需要完整证件号码和手机号的原因" in refused.content.decode()
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()
    with pytest.raises(ValidationFailed) as caught:
        exports.people_export(
            by=users["secretary"],
            filters=PeopleFilter(area=areas["building"]),
            out=io.BytesIO(),
            full=True,
        )
    assert caught.value.field == "reason"
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()


def test_a_full_export_is_refused_without_import_and_full_rights(
    client, users, demo_people, areas
):
    for key in ("grid_worker", "district_manager", "building_leader"):
        client.force_login(users[key])
        assert client.get(f"{URL}?full=1").status_code == 404, key
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()
    assert not exports.export_full_allowed(user=users["grid_worker"], area=None)
    assert exports.export_full_allowed(user=users["staff"], area=areas["estate"])


def test_an_export_never_holds_another_grids_people(client, users, demo_people, areas):
    client.force_login(users["grid_worker"])
    _sheet_, _mark, people = _sheet(client.get(URL + "?status=all"))
    assert {p["所属网格"] for p in people} == {"第一网格"}
    assert {p["所属社区"] for p in people} == {"三盛里社区"}
    assert (
        len(people)
        == Person.objects.filter(
            subtree_q([areas["grid"].path], field="last_household__path")
        ).count()
    )
    assert client.get(f"{URL}?area={areas['other_grid'].pk}").status_code == 404


def test_an_export_follows_the_list_filters(client, staff, areas):
    alone = TagType.objects.get(code="alone_elderly", street=None)
    _s, _m, people = _sheet(client.get(f"{URL}?tag={alone.pk}&age_band=60-79"))
    assert people
    for row in people:
        assert "独居老人" in row["重点人群标签"]


def test_a_searched_phone_number_is_recorded_masked(client, staff):
    _s, _m, people = _sheet(client.get(URL + "?q=13800000009"))
    assert [p["姓名"] for p in people] == ["周桂兰"]
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.detail["filter"]["q"] == "138****0009"


def test_a_list_over_the_cap_is_refused(client, staff, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 10)
    response = client.get(URL)
    assert response.status_code == 302
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()


def test_roles_without_personal_data_get_no_export(client, users, demo_people):
    for key in ("system_admin", "audit_admin", "unit", "resident"):
        client.force_login(users[key])
        assert client.get(URL).status_code in (404, 302), key


# The API


def test_api_export_is_masked_and_filtered(api_client, users, demo_people, areas):
    api_client.login_api(users["grid_worker"])
    response = api_client.get(f"{API}?area_id={areas['building'].pk}&age_band=60-79")
    _s, _m, people = _sheet(response)
    assert people and all("*" in p["证件号码"] for p in people)
    assert {p["住址"].split("/")[1] for p in people} == {"1号楼"}


def test_api_full_export_is_403_without_rights_and_404_outside(
    api_client, users, demo_people, areas
):
    api_client.login_api(users["grid_worker"])
    assert api_client.get(f"{API}?full=true").status_code == 403
    outside = f"{API}?area_id={areas['other_grid'].pk}"
    assert api_client.get(outside).status_code == 404
    api_client.login_api(users["secretary"])
    estate = areas["estate"].pk
    refused = api_client.get(f"{API}?full=true&area_id={estate}")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()
    _s, _m, people = _sheet(
        api_client.get(f"{API}?full=true&area_id={estate}&reason=低保年审")
    )
    assert all("*" not in p["证件号码"] for p in people)
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.detail["full"] is True and event.detail["reason"] == "低保年审"


def test_api_export_refuses_a_bad_filter(api_client, users, demo_people):
    api_client.login_api(users["staff"])
    response = api_client.get(f"{API}?age_band=old")
    assert response.status_code == 400
    assert response.json()["field"] == "age_band"
