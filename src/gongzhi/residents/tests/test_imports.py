"""Importing the registry from Excel: all or nothing, with the exact
row/field errors a secretary corrects and uploads again."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile

import pytest
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from gongzhi.audit.models import Action, Event
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.models import Membership, Person, PersonTag, Relation
from gongzhi.residents.services import imports
from gongzhi.residents.services.imports import ImportRejected, people_import
from gongzhi.residents.services.people import person_create

from .excel_files import person, read_rows, resident_id, upload, workbook_bytes

IMPORT_URL = "/workbench/residents/import/"
HOME = "航院小区/1号楼/1单元/101"
NEXT_DOOR = "航院小区/1号楼/1单元/102"


def _import(user, rows, **kwargs):
    return people_import(file=io.BytesIO(workbook_bytes(rows)), by=user, **kwargs)


def _rejected(user, rows) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        _import(user, rows)
    return [(e.row, e.field) for e in caught.value.errors]


def _nothing_written():
    assert not Person.objects.exists()
    assert not Membership.objects.exists()
    assert not PersonTag.objects.exists()
    assert not Event.objects.filter(action=Action.PEOPLE_IMPORTED).exists()


def test_a_good_file_registers_people_households_and_tags(users, areas):
    husband = resident_id("19460301", 13)
    summary = _import(
        users["secretary"],
        [
            person(),
            person(
                姓名="李德福",
                性别="",
                出生日期=None,
                证件号码=husband,
                联系电话="",
                与户主关系="丈夫",
                重点人群标签="残疾人:2",
            ),
            person(
                姓名="陈晓",
                证件号码=resident_id("19900115", 22),
                出生日期=dt.datetime(1990, 1, 15),
                住址=NEXT_DOOR,
                户籍类型="流动",
                迁入日期="2024年3月1日",
                重点人群标签="",
            ),
        ],
    )
    assert summary == imports.ImportSummary(people=3, households=2, tags=2)
    head = Person.objects.get(name="王秀英")
    assert head.household == areas["household"]
    assert head.id_number == resident_id("19480512", 2)
    assert head.id_number_encrypted != head.id_number
    assert head.phone_last4 == "5678"
    assert head.initials.startswith("wxy")
    spouse = Person.objects.get(name="李德福")
    assert (spouse.gender, spouse.birth_date) == ("male", dt.date(1946, 3, 1))
    stay = spouse.memberships.get()
    assert (stay.relation, stay.residency) == (Relation.SPOUSE, "huji")
    assert spouse.tags.get().grade == 2
    assert Membership.objects.get(person__name="陈晓").moved_in == dt.date(2024, 3, 1)
    event = Event.objects.get(action=Action.PEOPLE_IMPORTED)
    assert event.actor == users["secretary"]
    assert event.detail["people"] == 3 and event.detail["households"] == 2


def test_every_bad_row_is_reported_by_row_and_field_and_nothing_is_written(
    users, areas
):
    good = resident_id("19480512", 2)
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    rows = [
        person(),  # row 2: fine on its own
        person(姓名="赵一", 证件号码=bad_check, 与户主关系="子女"),  # 3
        person(
            姓名="赵二",
            证件号码=resident_id("19700101", 31),
            出生日期=None,
            性别="男",
            住址="航院小区/9号楼/1单元/101",
        ),  # 4
        person(
            姓名="赵三",
            证件类型="护照",
            证件号码="E12345678",
            性别="男",
            出生日期=tomorrow.isoformat(),
            住址=NEXT_DOOR,
        ),  # 5
        person(
            姓名="赵四",
            证件号码=resident_id("19700101", 41),
            性别="男",
            出生日期=None,
            迁入日期="去年春天",
            与户主关系="子女",
        ),  # 6
        person(
            姓名="赵五",
            证件号码=resident_id("19700101", 51),
            性别="男",
            出生日期=None,
        ),  # 7: a second 户主 in 101
        person(姓名="赵六", 与户主关系="子女"),  # 8: row 2's document again
        person(
            姓名="赵七",
            证件类型="护照",
            证件号码="E7654321",
            性别="未知",
            出生日期=None,
            与户主关系="子女",
        ),  # 9
        person(姓名="", 证件号码=resident_id("19700101", 61), 性别="男", 出生日期=None),
        person(
            姓名="长" * 51,
            证件号码=resident_id("19700101", 71),
            性别="男",
            出生日期=None,
            与户主关系="子女",
        ),  # 11
        person(
            姓名="赵八",
            证件号码=resident_id("19700101", 81),
            性别="男",
            出生日期=None,
            与户主关系="子女",
            户籍类型="常驻",
            重点人群标签="独居老人;神仙",
        ),  # 12
    ]
    errors = _rejected(users["secretary"], rows)
    assert errors == [
        (3, "id_number"),
        (4, "address"),
        (5, "birth_date"),
        (6, "moved_in"),
        (7, "relation"),
        (8, "id_number"),
        (9, "gender"),
        (10, "name"),
        (10, "relation"),  # a second 户主 of 101 too, found in the same round
        (11, "name"),
        (12, "residency"),
        (12, "tags"),
    ]
    _nothing_written()


def test_error_messages_say_what_is_wrong(users, areas):
    good = resident_id("19480512", 2)
    with pytest.raises(ImportRejected) as caught:
        _import(
            users["secretary"],
            [
                person(证件号码=good[:-1] + ("1" if good[-1] == "0" else "0")),
                person(
                    证件号码=resident_id("19500101", 1),
                    性别="男",
                    出生日期=None,
                    住址="航院小区/9号楼/1单元/101",
                ),
            ],
        )
    first, second = caught.value.errors
    assert first.as_dict() == {
        "row": 2,
        "field": "id_number",
        "column": "证件号码",
        "message": _("This ID number's check digit is wrong; please check it."),
    }
    assert second.column == "住址"
    assert "9号楼" in second.message and "航院小区" in second.message


def test_a_document_already_registered_is_a_duplicate(users, areas):
    number = resident_id("19480512", 2)
    person_create(
        household=areas["other_household"],
        name="王秀英",
        relation="head",
        residency="huji",
        id_number=number,
        by=None,
    )
    assert _rejected(users["secretary"], [person(与户主关系="子女")]) == [
        (2, "id_number")
    ]
    assert Person.objects.count() == 1


def test_a_household_with_a_registered_head_takes_no_second(users, areas):
    person_create(
        household=areas["household"],
        name="周桂兰",
        relation="head",
        residency="huji",
        id_number=resident_id("19520101", 4),
        by=None,
    )
    assert _rejected(users["secretary"], [person()]) == [(2, "relation")]
    summary = _import(users["secretary"], [person(与户主关系="配偶")])
    assert summary.people == 1


def test_households_outside_the_importers_area_are_unknown(users, areas):
    other = "裕华园/1号楼/1单元/101"
    assert _rejected(users["secretary"], [person(住址=other)]) == [(2, "address")]
    with pytest.raises(ImportRejected):  # the estate page narrows it further
        _import(
            users["secretary"],
            [person(住址=NEXT_DOOR.replace("1号楼", "2号楼"))],
            area=areas["building"],
        )


def test_the_community_and_grid_may_be_written_in_front(users, areas):
    summary = _import(
        users["staff"], [person(住址="三盛里社区/第一网格/航院小区/1号楼/1单元/101")]
    )
    assert summary.people == 1
    assert Person.objects.get().household == areas["household"]


def test_an_address_that_stops_above_the_household_says_so(users, areas):
    assert _rejected(users["secretary"], [person(住址="航院小区/1号楼/1单元")]) == [
        (2, "address")
    ]


def test_an_id_number_excel_turned_into_a_number_is_refused(users, areas):
    errors = _rejected(users["secretary"], [person(证件号码=1.20101194805121e17)])
    assert errors == [(2, "id_number")]


def test_the_templates_sample_row_is_refused(users, areas):
    sample = person(证件号码=imports.SAMPLE_ID, 出生日期=None, 性别=None)
    assert _rejected(users["secretary"], [sample]) == [(2, "id_number")]


def test_only_importers_may_import(users):
    for key in ("grid_worker", "district_manager", "resident"):
        with pytest.raises(NotAllowed):
            _import(users[key], [person()])
    _nothing_written()


# Files that are not what they should be


def _file_refused(user, data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        people_import(file=io.BytesIO(data), by=user)
    assert not isinstance(caught.value, ImportRejected)
    assert caught.value.field == "file"
    _nothing_written()
    return str(caught.value.message)


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_file_that_is_not_excel_is_refused(users):
    message = _file_refused(users["secretary"], "姓名,性别\n王秀英,女\n".encode())
    assert message == _(
        "This is not an Excel file (.xlsx). Download the template and fill it in."
    )
    _file_refused(users["secretary"], _zip({"word/document.xml": b"<w/>"}))


def test_an_old_xls_workbook_is_refused_with_a_hint(users):
    message = _file_refused(users["secretary"], b"\xd0\xcf\x11\xe0" + b"\0" * 600)
    assert ".xlsx" in message


def test_an_empty_file_is_refused(users):
    assert _file_refused(users["secretary"], b"") == _("The file is empty.")


def test_ten_megabytes_of_junk_are_refused(users):
    junk = os.urandom(10 * 1024 * 1024)
    _file_refused(users["secretary"], junk)
    _file_refused(users["secretary"], b"PK\x03\x04" + junk)


def test_a_file_over_the_size_limit_is_refused_before_reading(users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_FILE_BYTES", 1000)
    message = _file_refused(users["secretary"], workbook_bytes([person()] * 20))
    assert "MB" in message


def test_a_damaged_workbook_is_refused(users):
    data = workbook_bytes([person()])
    _file_refused(users["secretary"], data[: len(data) // 2])


def test_missing_and_extra_columns_are_named(users):
    titles = [t for t in imports.TITLES if t != "住址"] + ["民族"]
    message = _file_refused(
        users["secretary"], workbook_bytes([person()], titles=titles)
    )
    assert "住址" in message and "民族" in message


def test_a_sheet_with_titles_only_or_nothing_is_refused(users):
    _file_refused(users["secretary"], workbook_bytes([]))
    _file_refused(users["secretary"], workbook_bytes([], titles=[]))


def test_rows_beyond_the_cap_are_refused(users, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    rows = [
        person(证件号码=resident_id("19700101", n), 性别=None, 出生日期=None)
        for n in (11, 13, 15)
    ]
    message = _file_refused(users["secretary"], workbook_bytes(rows))
    assert "2" in message


# The pages


def test_the_import_page_shows_the_steps_and_the_template_link(client, users):
    client.force_login(users["staff"])
    html = client.get(IMPORT_URL).content.decode()
    assert "/workbench/residents/import/template.xlsx" in html
    assert "三盛里社区" in html
    assert "证件号码" in html and "住址" in html


def test_the_import_page_is_not_there_for_roles_that_do_not_import(client, users):
    for key in ("grid_worker", "street_manager", "building_leader"):
        client.force_login(users[key])
        assert client.get(IMPORT_URL).status_code == 404
        assert client.get(IMPORT_URL + "template.xlsx").status_code == 404


def test_a_rejected_upload_lists_the_errors_and_offers_a_report(client, users, areas):
    client.force_login(users["secretary"])
    good = resident_id("19480512", 2)
    bad = good[:-1] + ("1" if good[-1] == "0" else "0")
    rows = [
        person(
            姓名="钱一", 证件号码=resident_id("19500101", 1), 性别=None, 出生日期=None
        ),
        person(证件号码=bad, 与户主关系="子女"),
    ]
    response = client.post(IMPORT_URL, {"file": upload(workbook_bytes(rows))})
    assert response.status_code == 400
    html = response.content.decode()
    assert "证件号码" in html
    assert escape(_("This ID number's check digit is wrong; please check it.")) in html
    token = response.context["report"]
    report = client.get(f"{IMPORT_URL}report/{token}.xlsx")
    assert report.status_code == 200
    sheet = read_rows(report.content)
    assert sheet[0][-1] == "错误"
    assert sheet[1][0] == "钱一" and len(sheet[1]) == len(sheet[0])
    assert sheet[1][-1] is None
    assert sheet[2][-1].startswith("证件号码：")
    _nothing_written()
    # Another user cannot fetch it.
    client.force_login(users["staff"])
    assert client.get(f"{IMPORT_URL}report/{token}.xlsx").status_code == 404

    # The secretary corrects the report and uploads it again, 错误 and all.
    workbook = load_workbook(io.BytesIO(report.content))
    workbook.active.cell(row=3, column=5).value = good
    fixed = io.BytesIO()
    workbook.save(fixed)
    client.force_login(users["secretary"])
    response = client.post(IMPORT_URL, {"file": upload(fixed.getvalue())})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_a_file_that_is_not_excel_is_refused_on_the_page(client, users):
    client.force_login(users["staff"])
    response = client.post(IMPORT_URL, {"file": upload(b"hello", name="居民.xlsx")})
    assert response.status_code == 400
    assert (
        _("This is not an Excel file (.xlsx). Download the template and fill it in.")
        in response.content.decode()
    )
    _nothing_written()


def test_the_template_round_trip_imports(client, users, areas):
    client.force_login(users["secretary"])
    response = client.get(IMPORT_URL + "template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["居民信息", "填写说明"]
    sheet = workbook["居民信息"]
    header = [c.value for c in sheet[1]]
    assert header == list(imports.TITLES)
    sample = {title: cell.value for title, cell in zip(header, sheet[2], strict=True)}
    assert sample["住址"] == HOME  # a real household of hers
    assert sample["证件号码"] == imports.SAMPLE_ID
    lists = {
        str(v.sqref).split(":")[0][0]: v.formula1
        for v in sheet.data_validations.dataValidation
    }
    assert "户主" in lists["H"] and "男" in lists["B"]
    notes = [row[0] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "住址" in notes
    # Fill it in: replace the sample with a real person.
    sheet.cell(row=2, column=1).value = "孙桂芝"
    sheet.cell(row=2, column=5).value = resident_id("19400202", 8)
    sheet.cell(row=2, column=2).value = "女"
    sheet.cell(row=2, column=3).value = None
    sheet.cell(row=2, column=12).value = None
    filled = io.BytesIO()
    workbook.save(filled)
    response = client.post(IMPORT_URL, {"file": upload(filled.getvalue())})
    assert response.status_code == 302, response.context.get("errors")
    imported = Person.objects.get()
    assert imported.name == "孙桂芝"
    assert imported.tags.get().tag.code == "alone_elderly"
    assert crypto.mask_phone(imported.phone) == "138****0000"


# The API


def test_api_import_answers_a_summary(api_client, users, areas):
    api_client.login_api(users["staff"])
    response = api_client.post(
        "/api/v1/residents/imports", {"file": upload(workbook_bytes([person()]))}
    )
    assert response.status_code == 200
    assert response.json() == {"people": 1, "households": 1, "tags": 1}


def test_api_import_answers_422_with_the_row_errors(api_client, users, areas):
    api_client.login_api(users["staff"])
    rows = [person(), person(姓名="赵六", 与户主关系="子女")]
    response = api_client.post(
        f"/api/v1/residents/imports?area_id={areas['estate'].pk}",
        {"file": upload(workbook_bytes(rows))},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error_count"] == 1
    assert body["errors"] == [
        {
            "row": 3,
            "field": "id_number",
            "column": "证件号码",
            "message": _("The same document is already in row %(row)d.") % {"row": 2},
        }
    ]
    _nothing_written()


def test_api_import_refuses_junk_with_400(api_client, users):
    api_client.login_api(users["staff"])
    response = api_client.post(
        "/api/v1/residents/imports", {"file": upload(os.urandom(4096))}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"


def test_api_import_is_refused_to_other_roles(api_client, users, areas):
    api_client.login_api(users["grid_worker"])
    data = {"file": upload(workbook_bytes([person()]))}
    assert api_client.post("/api/v1/residents/imports", data).status_code == 403
    url = f"/api/v1/residents/imports?area_id={areas['other_grid'].pk}"
    api_client.login_api(users["staff"])
    assert api_client.post(url, data).status_code == 404
    _nothing_written()


def test_api_template_downloads(api_client, users):
    api_client.login_api(users["secretary"])
    response = api_client.get("/api/v1/residents/imports/template")
    assert response.status_code == 200
    assert read_rows(response.content)[0] == imports.TITLES
