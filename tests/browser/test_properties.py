"""房屋产权 as community staff use it: the estate's list with its floor
areas and owners (phones masked), a household's page where a bad area is
refused on its field and a good one saved, an owner living elsewhere
registered and a seller's ownership ended; an import with a bad row
listed by row and column."""

import pytest
from playwright.sync_api import expect

from conftest import restore_migration_data
from gongzhi.residents.models import Owner, Person, PersonStatus, Property
from gongzhi.residents.tests.excel_files import resident_id, workbook_bytes
from gongzhi.residents.tests.test_owner_sheets import TITLES, row
from gongzhi.seeding import demo

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "13800000004"


@pytest.fixture
def street(transactional_db):
    restore_migration_data()
    demo.seed_demo()
    demo.seed_demo_people()
    return {a.code: a for a in demo.build_tree().values()}


def test_staff_correct_a_households_area_and_owners(page, street):
    log_in(page, STAFF)
    page.get_by_role("link", name="房屋产权", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("房屋产权 · 航院小区")
    home = page.locator("tbody tr", has_text="航院小区 1号楼 1单元 101")
    expect(home).to_contain_text("周桂兰")
    expect(home).to_contain_text("138****0009")
    expect(page.locator("main")).not_to_contain_text("13800000009")
    expect(page.locator("main")).to_contain_text("可以在此统计业主表决")
    screenshot(page, "properties-list")

    home.get_by_role("link", name="编辑").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "房屋产权 · 航院小区 1号楼 1单元 101"
    )
    area = page.get_by_label("专有部分面积（平方米）")
    area.fill("0")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".has-error")).to_contain_text("面积须大于0")
    screenshot(page, "properties-edit-error")
    page.get_by_label("专有部分面积（平方米）").fill("96.5㎡")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("专有部分面积已保存")
    prop = Property.objects.get(area__code=f"{demo.C1}01010101101")
    assert str(prop.floor_area) == "96.50"

    form = page.locator("form", has=page.get_by_role("button", name="登记产权人"))
    form.get_by_label("姓名").fill("钱外住")
    form.get_by_label("证件号码").fill(resident_id("19660606", 33, region="110105"))
    form.get_by_label("电话").fill("13700001111")
    form.get_by_role("button", name="登记产权人").click()
    expect(page.locator("main")).to_contain_text("已登记不在此居住的产权人钱外住")
    owner_row = page.locator("tbody tr", has_text="钱外住")
    expect(owner_row).to_contain_text("不在此居住")
    expect(owner_row).to_contain_text("137****1111")

    page.locator("tbody tr", has_text="刘振华").get_by_role(
        "button", name="终止产权"
    ).click()
    expect(page.locator("main")).to_contain_text("刘振华的产权已终止")
    expect(page.locator("main")).to_contain_text("原产权人")
    screenshot(page, "properties-edit")
    assert Person.objects.get(name="钱外住").status == PersonStatus.ELSEWHERE
    assert not Owner.objects.filter(person__name="刘振华", until__isnull=True).exists()


def test_an_import_with_a_bad_row_is_listed_by_row_and_column(page, street, tmp_path):
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/residents/properties/")
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "导入专有部分面积和产权人"
    )
    path = tmp_path / "产权.xlsx"
    path.write_bytes(
        workbook_bytes(
            [row(), row(住址="航院小区/1号楼/1单元/201", 专有部分面积="八十")],
            titles=TITLES,
            sheet_title="房屋产权",
        )
    )
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="校验并导入").click()
    errors = page.locator("table", has_text="专有部分面积").first
    expect(page.locator("main")).to_contain_text("未导入")
    expect(errors).to_contain_text("第 3 行")
    expect(page.get_by_role("link", name="下载错误报告（.xlsx）")).to_be_visible()
    screenshot(page, "properties-import-rejected")
    assert not Person.objects.filter(name="钱多多").exists()
