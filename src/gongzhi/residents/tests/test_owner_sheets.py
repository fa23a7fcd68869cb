"""房屋产权 in Excel: a good file sets floor areas and exactly the owners it
lists (co-owners, an owner of two units registered once); a file with bad
rows writes nothing and its report names each row and column; the export
opens with its Chinese headers, masked, watermarked and audited."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from gongzhi.audit.models import Action, Event
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.models import Owner, Person, PersonStatus, Property
from gongzhi.residents.services import owner_sheets
from gongzhi.residents.services.imports import ImportRejected, import_report_build

from .excel_files import read_rows, resident_id, upload, workbook_bytes

TITLES = tuple(c.title for c in owner_sheets.COLUMNS)
A101 = "航院小区/1号楼/1单元/101"
A102 = "航院小区/1号楼/1单元/102"
A201 = "航院小区/1号楼/1单元/201"


def row(**overrides) -> dict:
    values = {
        "住址": A102,
        "专有部分面积": "88.6",
        "不动产权证号": "",
        "产权人姓名": "钱多多",
        "证件类型": "",
        "证件号码": resident_id("19650304", 11, region="110105"),
        "联系电话": "13911112222",
        "产权起始日期": "2012-08-01",
    }
    values.update(overrides)
    return values


def sheet(rows) -> bytes:
    return workbook_bytes(rows, titles=TITLES, sheet_title="房屋产权")


def owners_of(household) -> list[str]:
    return sorted(
        Owner.objects.filter(property__area=household, until__isnull=True)
        .select_related("person")
        .values_list("person__name", flat=True)
    )


def test_a_good_file_sets_areas_and_exactly_its_owners(demo_people, users, areas):
    zhou = Person.objects.get(name="周桂兰")
    buyer = row()  # 钱多多 lives elsewhere and owns 102 and 201
    data = sheet(
        [
            row(
                住址=A101,
                专有部分面积="92.35",
                产权人姓名="周桂兰",
                证件号码=zhou.id_number,
                联系电话="",
            ),
            buyer,
            row(住址=A201, 专有部分面积="75"),
            row(
                住址=A201,
                专有部分面积="75",
                产权人姓名="孙小梅",
                证件号码=resident_id("19700808", 22, region="110105"),
            ),
        ]
    )
    before = owners_of(areas["household"])
    assert "刘振华" in before  # seeded co-owner, no longer in the file
    summary = owner_sheets.properties_import(
        file=upload(data), by=users["staff"], filename="产权.xlsx"
    )
    assert summary.households == 3
    assert summary.people_registered == 2  # 钱多多 once for two units
    assert owners_of(areas["household"]) == ["周桂兰"]
    assert Owner.objects.filter(
        property__area=areas["household"], person__name="刘振华", until__isnull=False
    ).exists()  # ended, kept as history
    assert Property.objects.get(area=areas["household"]).floor_area == Decimal("92.35")
    qian = Person.objects.get(name="钱多多")
    assert qian.status == PersonStatus.ELSEWHERE and qian.household_id is None
    assert qian.ownerships.filter(until__isnull=True).count() == 2
    assert qian.phone_masked == "139****2222"
    event = Event.objects.get(action=Action.PEOPLE_IMPORTED)
    assert event.detail["properties"] == 3 and event.detail["people"] == 2
    # The same file again changes nothing.
    again = owner_sheets.properties_import(file=upload(data), by=users["staff"])
    assert (again.owners_added, again.owners_ended, again.people_registered) == (
        0,
        0,
        0,
    )


def test_bad_rows_write_nothing_and_are_named_by_row_and_column(
    demo_people, users, areas
):
    data = sheet(
        [
            row(),
            row(专有部分面积="-3"),  # row 3
            row(住址="航院小区/9号楼/1单元/101"),  # row 4
            row(住址=A201, 证件号码="110105196503041234"),  # row 5: check digit
            row(住址=A201, 专有部分面积="", 产权人姓名=""),  # row 6
            row(专有部分面积="90"),  # row 7: 102 given 88.6 in row 2
            row(住址=A201, 产权起始日期="2099-01-01"),  # row 8
        ]
    )
    owners, people, props = (
        Owner.objects.count(),
        Person.objects.count(),
        list(Property.objects.values_list("area_id", "floor_area")),
    )
    with pytest.raises(ImportRejected) as exc:
        owner_sheets.properties_import(file=upload(data), by=users["staff"])
    found = {(e.row, e.column) for e in exc.value.errors}
    assert {
        (3, "专有部分面积"),
        (4, "住址"),
        (5, "证件号码"),
        (6, "专有部分面积"),
        (6, "产权人姓名"),
        (7, "专有部分面积"),
        (8, "产权起始日期"),
    } <= found
    assert (2, "住址") not in found
    assert Owner.objects.count() == owners and Person.objects.count() == people
    assert list(Property.objects.values_list("area_id", "floor_area")) == props
    report = import_report_build(
        file=upload(data), errors=exc.value.errors, sheet_title="房屋产权"
    )
    lines = read_rows(report, "房屋产权")
    assert lines[0][-1] == "错误"
    assert lines[2][-1].startswith("专有部分面积：")
    assert lines[1][-1] is None


def test_a_document_registered_under_another_name_is_refused(demo_people, users):
    zhou = Person.objects.get(name="周桂兰")
    data = sheet([row(住址=A101, 产权人姓名="周贵兰", 证件号码=zhou.id_number)])
    with pytest.raises(ImportRejected) as exc:
        owner_sheets.properties_import(file=upload(data), by=users["staff"])
    assert [(e.row, e.field) for e in exc.value.errors] == [(2, "name")]


def test_the_file_must_have_the_template_columns(demo_people, users):
    data = workbook_bytes([{"住址": A101}], titles=("住址", "面积"))
    with pytest.raises(ValidationFailed) as exc:
        owner_sheets.properties_import(file=upload(data), by=users["staff"])
    assert exc.value.field == "file"
    assert "专有部分面积" in str(exc.value.message)


def test_an_address_outside_the_importers_area_is_not_found(demo_people, users):
    data = sheet([row(住址="裕华园/1号楼/1单元/101")])
    with pytest.raises(ImportRejected) as exc:
        owner_sheets.properties_import(file=upload(data), by=users["staff"])
    assert exc.value.errors[0].field == "address"


def test_a_grid_worker_may_not_import(demo_people, users):
    with pytest.raises(NotAllowed):
        owner_sheets.properties_import(
            file=upload(sheet([row()])), by=users["grid_worker"]
        )


def test_the_template_has_the_columns_and_a_sample_row(demo_people, users, areas):
    data = owner_sheets.properties_template_build(
        by=users["staff"], area=areas["estate"]
    )
    rows = read_rows(data, "房屋产权")
    assert rows[0] == TITLES
    assert rows[1][0] == "航院小区/1号楼/1单元/101"
    with pytest.raises(ImportRejected):  # the sample row is no real owner
        owner_sheets.properties_import(file=upload(data), by=users["staff"])


def test_the_export_opens_with_chinese_headers_masked_and_audited(
    demo_people, users, areas
):
    out = io.BytesIO()
    written = owner_sheets.properties_export(
        by=users["staff"], area=areas["estate"], out=out
    )
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    ws = workbook["房屋产权"]
    rows = list(ws.iter_rows(values_only=True))
    assert "刘洋" in rows[0][0] and "13800000004" in rows[0][0]  # watermark
    assert rows[1] == owner_sheets.EXPORT_TITLES
    assert rows[1][:2] == ("住址", "专有部分面积")
    assert len(rows) - 2 == written
    home = [r for r in rows[2:] if r[0] == A101]
    assert sorted(r[3] for r in home) == ["刘振华", "周桂兰"]
    zhou = next(r for r in home if r[3] == "周桂兰")
    assert zhou[6] == "138****0009" and "*" in zhou[5]
    assert zhou[8] == "本户居住"
    assert isinstance(zhou[1], float) and 55 <= zhou[1] <= 140
    assert not any("13800000009" in str(v) for r in rows[2:] for v in r)
    assert ws.protection.sheet
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.detail["rows"] == written and event.area_path == areas["estate"].path


def test_the_export_outside_her_area_is_refused(demo_people, users, areas):
    with pytest.raises(NotAllowed):
        owner_sheets.properties_export(
            by=users["grid_worker"], area=areas["other_grid"], out=io.BytesIO()
        )
