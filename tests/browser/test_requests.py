"""The whole loop as people use it: 周桂兰 reports the leaning wall on her
phone (点单) and gets a tracking number; 刘洋 dispatches it to 维修服务队 at
the community's desk (派单); 孙志强 of that team accepts and resolves it on
his phone (接单, 办结); 周桂兰 rates it 满意 and reads the timeline. And
a report raised already she follows (关注) instead of raising it again."""

import re

import pytest
from playwright.sync_api import expect

from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.states import Status
from gongzhi.requests.tests.conftest import world  # noqa: F401

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"
UNIT = "13800000008"
NUMBER = re.compile(r"GZ\d{13}")


def _phone(browser, live_server):
    context = browser.new_context(
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    return context, page


def _step(page, summary: str):
    page.locator("details.step > summary", has_text=summary).click()
    return page.locator("details.step[open]", has_text=summary)


def test_a_request_goes_round_the_whole_loop(
    phone_page,
    page,
    browser,
    live_server,
    world,  # noqa: F811
):
    # 点单 on her phone
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    phone.locator(".tabbar a", has_text="诉求").click()
    expect(phone.locator("h1")).to_contain_text("我的诉求")
    screenshot(phone, "requests-mine-empty-phone")
    phone.locator("a", has_text="我要点单").first.click()
    phone.locator("#id_category").select_option(label="墙体维修")
    phone.locator("#id_area").select_option(label="航院小区 1号楼")
    phone.locator("#id_description").fill("大理道20号围墙倾斜，怕倒")
    assert_fits_phone(phone)
    screenshot(phone, "requests-raise-phone")
    phone.locator("button[type=submit]", has_text=re.compile(".")).last.click()
    number = phone.get_by_test_id("number")
    expect(number).to_have_text(NUMBER)
    tracking = number.inner_text()
    expect(phone.locator(".messages")).to_contain_text(tracking)
    expect(phone.get_by_test_id("timeline")).to_contain_text("大理道20号围墙倾斜")
    assert_fits_phone(phone)
    screenshot(phone, "requests-raised-phone")

    # 派单 at the community's desk
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/")
    waiting = page.get_by_test_id("todo-dispatch")
    expect(waiting).to_contain_text("待派单")
    expect(waiting.locator(".todo-count")).to_have_text("1")
    screenshot(page, "workbench-todo")
    waiting.click()
    row = page.locator("tr", has_text=tracking)
    expect(row).to_contain_text("墙体维修")
    expect(row).to_contain_text("急")
    screenshot(page, "requests-desk")
    row.get_by_role("link", name=tracking).click()
    expect(page.get_by_test_id("reporter")).to_contain_text("周桂兰")
    form = _step(page, "派单")
    form.locator("select[name=to]").select_option(label="维修服务队")
    screenshot(page, "requests-detail-staff")
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("assignee")).to_contain_text("维修服务队")
    expect(page.locator(".messages")).to_contain_text("派单")

    # 接单 and 办结 on the team member's phone
    context, unit = _phone(browser, live_server)
    try:
        log_in(unit, UNIT)
        unit.goto(unit.base + "/workbench/")
        mine = unit.get_by_test_id("todo-queue")
        expect(mine).to_contain_text("在办工单")
        expect(mine.locator(".todo-count")).to_have_text("1")
        assert_fits_phone(unit)
        screenshot(unit, "workbench-todo-unit-phone")
        mine.click()
        card = unit.locator(".req-item", has_text=tracking)
        expect(card).to_contain_text("墙体维修")
        assert_fits_phone(unit)
        screenshot(unit, "requests-mine-unit-phone")
        card.click()
        _step(unit, "接单").locator("button[type=submit]").click()
        expect(unit.locator(".messages")).to_contain_text("接单")
        resolve = _step(unit, "办结")
        resolve.locator("textarea[name=resolution]").fill("已拆除危墙并重新砌筑")
        assert_fits_phone(unit)
        screenshot(unit, "requests-resolve-unit-phone")
        resolve.locator("button[type=submit]").click()
        expect(unit.locator(".messages")).to_contain_text("办结")
    finally:
        context.close()
    assert ServiceRequest.objects.get(number=tracking).status == Status.RESOLVED

    # 评价 on her phone
    phone.reload()
    expect(phone.get_by_test_id("resolution")).to_have_text("已拆除危墙并重新砌筑")
    rate = phone.get_by_test_id("rate")
    rate.get_by_label("满意", exact=False).first.check()
    rate.locator("textarea[name=comment]").fill("很及时，谢谢")
    screenshot(phone, "requests-rate-phone")
    rate.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("rating")).to_contain_text("满意")
    timeline = phone.get_by_test_id("timeline")
    expect(timeline).to_contain_text("维修服务队")
    expect(timeline).to_contain_text("已拆除危墙并重新砌筑")
    expect(timeline).not_to_contain_text("刘洋")
    assert_fits_phone(phone)
    screenshot(phone, "requests-closed-phone")
    item = ServiceRequest.objects.get(number=tracking)
    assert item.status == Status.CLOSED and item.rating == "satisfied"


def test_a_neighbour_follows_the_request_already_raised(phone_page, world):  # noqa: F811
    """王建国 reported the leaning wall already; 周桂兰, about to report it
    again, follows his instead and finds it under 我关注的."""
    from gongzhi.requests import services

    theirs = services.request_raise(
        category=world.wall,
        area=world.areas["building"],
        description="1号楼北侧围墙倾斜",
        by=world.staff,
        reporter=world.neighbour,
        public=True,
    )
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/requests/new/")
    phone.locator("#id_category").select_option(label="墙体维修")
    phone.locator("#id_area").select_option(label="航院小区 1号楼")
    duplicates = phone.get_by_test_id("duplicates")
    expect(duplicates).to_contain_text(theirs.number)
    duplicates.get_by_role("link", name="关注这条").click()
    expect(phone.get_by_test_id("number")).to_have_text(theirs.number)
    follow = phone.get_by_test_id("follow-button")
    expect(follow).to_contain_text("关注")
    assert_fits_phone(phone)
    screenshot(phone, "requests-follow-phone")
    follow.click()
    expect(phone.locator(".messages")).to_contain_text(theirs.number)
    expect(phone.get_by_test_id("unfollow")).to_contain_text("取消关注")
    screenshot(phone, "requests-following-phone")
    phone.locator(".tabbar a", has_text="诉求").click()
    followed = phone.get_by_test_id("followed")
    expect(followed).to_contain_text(theirs.number)
    expect(followed).to_contain_text("1号楼北侧围墙倾斜")
    expect(phone.locator("h2", has_text="我关注的")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "requests-followed-phone")
    assert not ServiceRequest.objects.filter(reporter=world.zhou).exists()
