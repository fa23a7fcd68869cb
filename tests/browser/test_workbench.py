"""What a grid worker, a secretary and a resident see in a real browser."""

import pytest
from playwright.sync_api import expect

from gongzhi.seeding import demo

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_browses_her_grid_down_to_a_household(page, areas):
    log_in(page, "13800000005")

    expect(page.get_by_role("heading", name="陈静，您好")).to_be_visible()
    expect(page.locator(".place")).to_contain_text("网格员")
    expect(page.locator(".place")).to_contain_text("三盛里社区")
    expect(page.locator(".place")).to_contain_text("第一网格")
    expect(page.get_by_role("link", name="航院小区")).to_be_visible()
    # Another grid's estates are nowhere on the page.
    expect(page.locator("body")).not_to_contain_text("睦南里")
    screenshot(page, "workbench-grid-worker")

    page.get_by_role("link", name="航院小区").click()
    page.get_by_role("link", name="1号楼").click()
    page.get_by_role("link", name="1单元").click()
    expect(page.get_by_role("link", name="101")).to_be_visible()
    page.get_by_role("link", name="101").click()
    expect(page.get_by_role("heading", name="101")).to_be_visible()
    expect(page.locator(".breadcrumbs")).to_contain_text("航院小区")
    screenshot(page, "workbench-household")


def test_grid_worker_gets_404_for_another_grids_household(page, areas):
    log_in(page, "13800000005")
    response = page.goto(page.base + f"/workbench/areas/{areas['other_household'].pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("裕华园")


def test_switching_to_english_translates_the_workbench(page, areas):
    log_in(page, "13800000005")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Hello, 陈静")).to_be_visible()
    expect(page.locator(".place")).to_contain_text("Grid worker")
    expect(page.get_by_role("link", name="Area tree")).to_be_visible()
    screenshot(page, "workbench-english")
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    expect(page.locator(".place")).to_contain_text("网格员")


def test_wrong_password_says_so_in_chinese_and_keeps_the_phone(page, areas):
    log_in(page, "13800000005", password="wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("手机号或密码不正确")
    expect(page.get_by_label("手机号")).to_have_value("13800000005")
    assert "/accounts/login/" in page.url


def test_malformed_phone_names_the_field(page, areas):
    log_in(page, "1380000", password="whatever-pass")
    expect(page.locator(".field.has-error")).to_contain_text("手机号")
    expect(page.locator(".field.has-error")).to_contain_text("11")


def test_secretary_adds_a_building_and_sees_a_duplicate_refused(page, areas):
    estate = areas["estate"]
    log_in(page, "13800000003")
    page.goto(page.base + f"/workbench/areas/{estate.pk}/")
    form = page.locator("form[action$='/add/']")
    form.get_by_label("类型").select_option("building")
    form.get_by_label("名称").fill("4号楼")
    form.get_by_role("button", name="添加").click()
    expect(page.get_by_role("link", name="4号楼")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("4号楼")

    form = page.locator("form[action$='/add/']")
    form.get_by_label("类型").select_option("building")
    form.get_by_label("名称").fill("1号楼")
    form.get_by_role("button", name="添加").click()
    expect(page.locator(".field.has-error")).to_contain_text("此处已有")
    screenshot(page, "workbench-duplicate-name")


def test_resident_portal_at_phone_width(phone_page, demo_people):
    log_in(phone_page, demo.LOGINS[8].phone)
    assert phone_page.url.endswith("/portal/")
    expect(phone_page.get_by_role("heading", name="周桂兰，您好")).to_be_visible()
    mine = phone_page.get_by_test_id("mine")
    expect(mine).to_contain_text("我的事项")
    expect(mine.get_by_test_id("todo-requests")).to_contain_text("办理中的诉求")
    expect(mine.get_by_test_id("todo-points").locator(".todo-count")).to_have_text("0")
    expect(phone_page.locator(".home-card")).to_contain_text("航院小区")
    expect(phone_page.locator(".home-card")).to_contain_text("101")
    expect(phone_page.get_by_role("link", name="我的", exact=True)).to_be_visible()
    # Nothing overflows the phone's width.
    assert_fits_phone(phone_page)
    screenshot(phone_page, "portal-phone")

    response = phone_page.goto(phone_page.base + "/workbench/")
    assert response.status == 404
