"""The 房屋产权 pages: a place's list with its figures and masked phones,
a household's page where staff correct the area and the owners (errors
named by field), the import with its error report, and the export; all of
it out of reach (404) outside the user's area."""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.residents.models import Owner, Person, PersonStatus, Property

from .excel_files import resident_id, upload, workbook_bytes
from .test_owner_sheets import TITLES, row

LIST = "/workbench/residents/properties/"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def staff(client, users, demo_people):
    client.force_login(users["staff"])
    return client


def test_the_list_shows_areas_owners_and_masked_phones(staff, areas):
    response = staff.get(f"{LIST}?area={areas['estate'].pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "房屋产权" in html and "专有部分面积" in html
    assert "航院小区 1号楼 1单元 101" in html
    assert "周桂兰" in html and "刘振华" in html
    assert "138****0009" in html and "13800000009" not in html
    prop = Property.objects.get(area=areas["household"])
    assert str(prop.floor_area) in html


def test_the_list_counts_what_is_missing(staff, areas):
    Property.objects.filter(area=areas["household"]).update(floor_area=None)
    html = staff.get(f"{LIST}?area={areas['estate'].pk}").content.decode()
    assert "1 户缺少专有部分面积" in html or "1户缺少专有部分面积" in html


def test_without_a_place_the_list_opens_on_the_first_estate(staff):
    response = staff.get(LIST)
    assert response.status_code == 200
    assert "航院小区" in response.content.decode()


def test_a_place_outside_the_area_is_not_found(client, users, demo_people, areas):
    client.force_login(users["grid_worker"])
    assert client.get(f"{LIST}?area={areas['other_grid'].pk}").status_code == 404
    assert client.get(f"{LIST}{areas['other_household'].pk}/").status_code == 404
    assert client.get(f"{LIST}{areas['household'].pk}/").status_code == 200


def test_a_bad_floor_area_is_named_and_changes_nothing(staff, areas):
    home = areas["household"]
    before = Property.objects.get(area=home).floor_area
    response = staff.post(
        f"{LIST}{home.pk}/", {"action": "property", "floor_area": "0"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("Exclusive floor area (m²)") in html
    assert "has-error" in html
    assert Property.objects.get(area=home).floor_area == before


def test_staff_set_the_floor_area(staff, areas):
    home = areas["household"]
    response = staff.post(
        f"{LIST}{home.pk}/",
        {"action": "property", "floor_area": "101.5㎡", "certificate_no": "0012"},
    )
    assert response.status_code == 302
    prop = Property.objects.get(area=home)
    assert (prop.floor_area, prop.certificate_no) == (Decimal("101.50"), "0012")


def test_staff_pick_an_owner_from_the_registry_and_end_one(staff, areas):
    home, neighbour = areas["household"], areas["neighbour_household"]
    someone = Person.objects.filter(household=neighbour).first()
    page = staff.get(f"{LIST}{home.pk}/?q={someone.name}").content.decode()
    assert someone.name in page
    response = staff.post(
        f"{LIST}{home.pk}/?q={someone.name}", {"action": "pick", "person": someone.pk}
    )
    assert response.status_code == 302
    owner = Owner.objects.get(property__area=home, person=someone, until=None)
    again = staff.post(f"{LIST}{home.pk}/", {"action": "pick", "person": someone.pk})
    assert again.status_code == 400  # not offered: neither resident nor searched
    response = staff.post(f"{LIST}{home.pk}/owners/{owner.pk}/end/", {"until": ""})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.until is not None


def test_staff_register_an_owner_living_elsewhere(staff, areas):
    home = areas["household"]
    number = resident_id("19660606", 33, region="110105")
    bad = staff.post(
        f"{LIST}{home.pk}/",
        {
            "action": "register",
            "name": "赵外住",
            "id_type": "resident_id",
            "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"),
        },
    )
    assert bad.status_code == 400
    assert zh("Document number") in bad.content.decode()
    assert not Person.objects.filter(name="赵外住").exists()
    good = staff.post(
        f"{LIST}{home.pk}/",
        {
            "action": "register",
            "name": "赵外住",
            "id_type": "resident_id",
            "id_number": number,
            "phone": "13700001111",
        },
    )
    assert good.status_code == 302
    person = Person.objects.get(name="赵外住")
    assert person.status == PersonStatus.ELSEWHERE
    page = staff.get(f"{LIST}{home.pk}/").content.decode()
    assert "赵外住" in page and "137****1111" in page


def test_a_building_leader_sees_but_may_not_change(client, users, demo_people, areas):
    client.force_login(users["building_leader"])
    home = areas["household"]
    page = client.get(f"{LIST}{home.pk}/")
    assert page.status_code == 200
    assert 'name="action"' not in page.content.decode()
    posted = client.post(f"{LIST}{home.pk}/", {"action": "property", "floor_area": "9"})
    assert posted.status_code == 404


def test_the_import_page_reports_rows_and_imports_a_good_file(staff, areas):
    url = f"{LIST}import/?area={areas['estate'].pk}"
    assert staff.get(url).status_code == 200
    bad = workbook_bytes(
        [row(专有部分面积="abc")], titles=TITLES, sheet_title="房屋产权"
    )
    response = staff.post(url, {"file": upload(bad, "产权.xlsx")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "专有部分面积" in html and "/properties/import/report/" in html
    report = response.context["report"]
    got = staff.get(f"{LIST}import/report/{report}.xlsx")
    assert got.status_code == 200
    assert "房屋产权导入_错误报告" in got["Content-Disposition"] or (
        "attachment" in got["Content-Disposition"]
    )
    good = workbook_bytes([row()], titles=TITLES, sheet_title="房屋产权")
    response = staff.post(url, {"file": upload(good, "产权.xlsx")})
    assert response.status_code == 302
    assert Person.objects.filter(name="钱多多", status="elsewhere").exists()


def test_the_template_and_the_export_download(staff, areas):
    template = staff.get(f"{LIST}import/template.xlsx?area={areas['estate'].pk}")
    assert template.status_code == 200
    assert "attachment" in template["Content-Disposition"]
    export = staff.get(f"{LIST}export.xlsx?area={areas['estate'].pk}")
    assert export.status_code == 200
    data = b"".join(export.streaming_content)
    rows = list(load_workbook(io.BytesIO(data))["房屋产权"].iter_rows(values_only=True))
    assert rows[1][0] == "住址"


def test_an_error_report_is_its_uploaders_alone(client, users, demo_people, areas):
    client.force_login(users["staff"])
    bad = workbook_bytes(
        [row(专有部分面积="abc")], titles=TITLES, sheet_title="房屋产权"
    )
    response = client.post(f"{LIST}import/", {"file": upload(bad, "产权.xlsx")})
    token = response.context["report"]
    client.force_login(users["secretary"])  # imports here too, not her upload
    assert client.get(f"{LIST}import/report/{token}.xlsx").status_code == 404


def test_the_list_reads_a_page_in_a_few_queries(
    staff, areas, django_assert_max_num_queries
):
    staff.get(f"{LIST}?area={areas['estate'].pk}")  # sessions, caches warmed
    with django_assert_max_num_queries(17):  # with the bell's unread count
        response = staff.get(f"{LIST}?area={areas['community'].pk}")
    assert response.status_code == 200
