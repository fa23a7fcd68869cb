"""The registry as its users see it: community staff find 周桂兰 by her
pinyin initials, read her ID number masked, and click 显示 to see it whole
(written to the audit trail); she herself reads her own record on her
phone, masked."""

import pytest
from playwright.sync_api import expect

from conftest import restore_migration_data
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.audit.models import Action, Event
from gongzhi.residents.models import Person

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "13800000004"
RESIDENT = "13800000009"


@pytest.fixture
def zhou(transactional_db):
    restore_migration_data()
    from gongzhi.seeding import demo

    demo.seed_demo()
    demo.seed_demo_people()
    return Person.objects.get(name="周桂兰")


def test_staff_find_a_resident_by_initials_and_reveal_her_id(page, zhou):
    log_in(page, STAFF)
    page.get_by_role("link", name="居民", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("居民")
    page.get_by_label("搜索").fill("zgl")
    page.get_by_role("button", name="搜索", exact=True).click()
    row = page.locator("tbody tr", has_text="周桂兰")
    expect(row).to_contain_text(zhou.id_number_masked)
    expect(row).to_contain_text("138****0009")
    expect(row).to_contain_text("航院小区 1号楼 1单元 101")
    expect(page.locator("main")).not_to_contain_text(zhou.id_number)
    screenshot(page, "registry-list")

    row.get_by_role("link", name="周桂兰").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("周桂兰")
    expect(page.locator("#reveal-id_number")).to_contain_text(zhou.id_number_masked)
    page.locator("#reveal-id_number").get_by_role("button", name="显示").click()
    expect(page.locator("#reveal-id_number")).to_contain_text(zhou.id_number)
    screenshot(page, "registry-person-revealed")
    event = Event.objects.get(action=Action.PERSONAL_VIEWED)
    assert event.target_id == str(zhou.pk)
    assert event.actor_id == user_find_by_phone(phone=STAFF).pk
    assert event.detail == {"field": "id_number"}


def test_a_resident_reads_her_own_record_on_her_phone(phone_page, zhou):
    page = phone_page
    log_in(page, RESIDENT)
    page.get_by_role("link", name="我的户籍信息").click()
    main = page.locator("main")
    expect(main).to_contain_text("周桂兰")
    expect(main).to_contain_text("刘振华")
    expect(main).to_contain_text(zhou.id_number_masked)
    expect(main).to_contain_text("138****0009")
    expect(main).not_to_contain_text(zhou.id_number)
    assert_fits_phone(page)
    screenshot(page, "portal-record-phone")


def test_a_full_export_asks_the_secretary_why_and_records_it(page, zhou):
    """The 导出完整信息 button opens a page that names what will go out and
    asks why; an empty reason is refused on the page, a real one downloads
    the workbook and is written to the audit trail."""
    log_in(page, "13800000003")
    page.goto(page.base + "/workbench/residents/people/")
    page.get_by_role("link", name="导出完整信息").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("导出完整信息")
    expect(page.get_by_test_id("export-subject")).to_contain_text("完整证件号码")
    reason = page.get_by_label("使用完整号码的原因")
    assert reason.evaluate("field => field.required")
    reason.fill("   ")  # blanks pass the browser's check, not the server's
    page.get_by_role("button", name="导出", exact=True).click()
    expect(page.locator("main")).to_contain_text("请说明需要完整证件号码和手机号的原因")
    screenshot(page, "registry-export-full-refused")
    assert not Event.objects.filter(action=Action.PERSONAL_EXPORTED).exists()
    page.get_by_label("使用完整号码的原因").fill("低保年审")
    screenshot(page, "registry-export-full-reason")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出", exact=True).click()
    assert download.value.suggested_filename.startswith("居民名册_")
    event = Event.objects.get(action=Action.PERSONAL_EXPORTED)
    assert event.detail["reason"] == "低保年审" and event.detail["full"] is True
