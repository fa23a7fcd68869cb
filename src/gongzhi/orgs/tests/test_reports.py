"""The 双报到 service report by work unit, as a page and as the Excel
workbook a community secretary mails to each unit."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from gongzhi.audit.models import Action, Event
from gongzhi.orgs.models import PartyRegistration, RegistrationStatus
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)
from gongzhi.orgs.services.reports import _sheet_name

from .conftest import make_person, served

URL = "/workbench/orgs/party-members/by-unit/"


def _confirmed(person, unit, staff):
    made = registration_create(person=person, work_unit=unit, by=staff)
    return registration_transition(registration=made, action="confirm", by=staff)


def _members(zhou, areas, users):
    """周桂兰 and 王建国 of 和平区教育局, 李秀英 of 和平区税务局 (who has
    not served this year), and 赵敏 still waiting."""
    staff = users["staff"]
    wang = make_person(areas["neighbour_household"], "王建国")
    li = make_person(areas["neighbour_household"], "李秀英")
    _confirmed(zhou, "和平区教育局", staff)
    _confirmed(wang, "和平区教育局", staff)
    _confirmed(li, "和平区税务局", staff)
    registration_create(
        person=make_person(areas["neighbour_household"], "赵敏"),
        work_unit="和平区税务局",
        by=staff,
    )
    served(zhou, areas["community"], "2.5", day=dt.date(2026, 3, 8))
    served(zhou, areas["community"], "3", day=dt.date(2026, 5, 1))
    served(zhou, areas["community"], "4", day=dt.date(2025, 12, 1))  # last year
    served(wang, areas["community"], "1.25", day=dt.date(2026, 4, 1))


def _rows(sheet, first: int) -> list[tuple]:
    return [
        row
        for row in sheet.iter_rows(min_row=first, values_only=True)
        if any(value not in (None, "") for value in row)
    ]


def test_the_workbook_has_a_summary_and_a_sheet_per_unit(client, zhou, areas, users):
    _members(zhou, areas, users)
    client.force_login(users["staff"])
    response = client.get(
        URL + "export.xlsx",
        {"area": areas["community"].pk, "start": "2026-01-01", "end": "2026-12-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "和平区教育局", "和平区税务局"]

    summary = book["汇总"]
    assert "2026-01-01" in summary.cell(row=2, column=3).value
    assert "刘洋" in summary.cell(row=3, column=1).value  # the watermark
    assert _rows(summary, 5) == [
        ("和平区教育局", 2, 2, 3, 6.75),
        ("和平区税务局", 1, 0, 0, 0),
        ("合计", 3, 2, 3, 6.75),
    ]

    education = book["和平区教育局"]
    assert "和平区教育局" in education.cell(row=2, column=1).value
    assert "三盛里社区" in education.cell(row=3, column=1).value
    header, *members = _rows(education, 4)
    assert header[1:] == ("姓名", "社区", "确认日期", "场次", "服务时长")
    today = dt.date.today()
    assert [
        (m[0], m[1], m[2], m[3].date() if m[3] else None, m[4], m[5])
        for m in members[:2]
    ] == [
        (1, "周桂兰", "三盛里社区", today, 2, 5.5),
        (2, "王建国", "三盛里社区", today, 1, 1.25),
    ]
    assert members[2][0] == "合计" and members[2][4:] == (3, 6.75)
    # Prepared by, and the community's seal.
    assert "刘洋" in members[3][0] and "三盛里社区" in members[4][0]
    assert education.cell(row=5, column=6).number_format == "0.00"

    tax = book["和平区税务局"]
    assert [m[1] for m in _rows(tax, 5)[:1]] == ["李秀英"]

    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.actor == users["staff"]
    assert event.detail["rows"] == 3 and event.detail["units"] == 2


def test_the_page_shows_each_unit_with_its_members_and_totals(
    client, zhou, areas, users
):
    _members(zhou, areas, users)
    client.force_login(users["staff"])
    html = client.get(
        URL,
        {"area": areas["community"].pk, "start": "2026-01-01", "end": "2026-12-31"},
    ).content.decode()
    for text in ("和平区教育局", "和平区税务局", "周桂兰", "王建国", "李秀英", "6.75"):
        assert text in html
    assert "赵敏" not in html  # still waiting: not reported yet
    assert "export.xlsx?area=" in html
    # The pool page links here with its area and period.
    pool = client.get(
        "/workbench/orgs/party-members/",
        {"area": areas["community"].pk, "start": "2026-01-01"},
    ).content.decode()
    assert f"by-unit/?area={areas['community'].pk}&amp;start=2026-01-01" in pool


def test_another_communitys_report_is_not_there(client, zhou, areas, users):
    _members(zhou, areas, users)
    client.force_login(users["staff"])
    other = {"area": areas["other_community"].pk}
    assert client.get(URL, other).status_code == 404
    assert client.get(URL + "export.xlsx", other).status_code == 404
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()


def test_a_street_manager_reports_the_whole_street(client, zhou, areas, users):
    _members(zhou, areas, users)
    far = make_person(areas["other_household"], "吴晓")
    PartyRegistration.objects.create(
        person=far,
        community=areas["other_community"],
        work_unit="和平区教育局",
        status=RegistrationStatus.CONFIRMED,
    )
    served(far, areas["other_community"], "2", day=dt.date(2026, 6, 1))
    client.force_login(users["street_manager"])
    response = client.get(
        URL + "export.xlsx",
        {"area": areas["street"].pk, "start": "2026-01-01", "end": "2026-12-31"},
    )
    book = load_workbook(io.BytesIO(response.content))
    names = [row[1] for row in _rows(book["和平区教育局"], 5)[:3]]
    assert names == ["周桂兰", "吴晓", "王建国"]  # most hours first
    assert _rows(book["汇总"], 5)[0] == ("和平区教育局", 3, 3, 4, 8.75)


def test_sheet_names_are_what_excel_accepts():
    taken = {"汇总"}
    assert _sheet_name("汇总", taken) == "汇总(2)"
    assert _sheet_name("中国银行/和平支行", taken) == "中国银行_和平支行"
    long = "天津市和平区" * 8
    first, second = _sheet_name(long, taken), _sheet_name(long, taken)
    assert len(first) == len(second) == 31 and first != second


def test_the_api_answers_the_report_by_unit(api_client, zhou, areas, users):
    _members(zhou, areas, users)
    # The grid worker of the grid where they live.
    api_client.login_api(users["grid_worker"])
    found = api_client.get(
        f"/api/v1/orgs/areas/{areas['grid'].pk}/pool/by-unit",
        {"start": "2026-01-01", "end": "2026-12-31"},
    )
    assert found.status_code == 200
    body = found.json()
    assert (body["area"], body["start"], body["end"]) == (
        areas["grid"].name,
        "2026-01-01",
        "2026-12-31",
    )
    assert [
        (u["work_unit"], u["members"], u["served"], u["sessions"], u["hours"])
        for u in body["units"]
    ] == [("和平区教育局", 2, 2, 3, "6.75"), ("和平区税务局", 1, 0, 0, "0.00")]
    assert [r["name"] for r in body["units"][0]["rows"]] == ["周桂兰", "王建国"]
    assert Decimal(body["units"][0]["rows"][1]["hours"]) == Decimal("1.25")
    refused = api_client.get(
        f"/api/v1/orgs/areas/{areas['grid'].pk}/pool/by-unit",
        {"start": "2026-05-01", "end": "2026-01-01"},
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "end")
    outside = api_client.get(
        f"/api/v1/orgs/areas/{areas['other_community'].pk}/pool/by-unit"
    )
    assert outside.status_code == 404
