"""Notices and the message centre as people see them: the resident's bell
turns to 1 when her request is resolved (on a 375 px phone), and staff read
who has and has not read a notice, per building."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongzhi.notices.models import Notice
from gongzhi.notices.services.messages import messages_read_all
from gongzhi.notices.services.notices import notice_publish, notice_read
from gongzhi.requests import services
from gongzhi.requests.tests.conftest import (
    hours,
    raise_wall,
    world,  # noqa: F401
)

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"
GRID = "13800000005"
ADMIN = "13800000010"
SHOTS = Path("/tmp/shots-notices")


def _shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_residents_bell_turns_to_one_when_her_request_is_resolved(
    phone_page,
    world,  # noqa: F811
):
    item = raise_wall(world, now=hours(0))
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.1)
    )
    services.request_accept(service_request=item, by=world.a, now=hours(0.5))
    messages_read_all(user=world.resident)  # she has seen "受理" already
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    bell = phone.get_by_test_id("bell-count")
    expect(bell).to_have_text("0")
    services.request_resolve(
        service_request=item, by=world.a, resolution="已加固围墙", now=hours(2)
    )
    phone.reload()
    expect(bell).to_have_text("1")
    assert_fits_phone(phone)
    _shot(phone, "notices-portal-bell-1")
    phone.get_by_role("link", name="消息").first.click()
    messages = phone.get_by_test_id("messages")
    expect(messages).to_contain_text("您的诉求已办结，请评价")
    expect(messages).to_contain_text(item.number)
    assert_fits_phone(phone)
    _shot(phone, "notices-portal-messages")
    phone.get_by_role("link", name="消息设置").click()
    phone.locator("#pref-request").get_by_label("短信").check()
    phone.locator("tr", has=phone.locator("#pref-request")).get_by_role(
        "button", name="保存"
    ).click()
    expect(phone.get_by_text("已保存。")).to_be_visible()
    expect(phone.locator("#pref-request").get_by_label("短信")).to_be_checked()
    assert_fits_phone(phone)
    _shot(phone, "notices-portal-settings")
    phone.go_back()
    phone.go_back()
    phone.goto(phone.base + "/messages/")
    phone.get_by_test_id("messages").get_by_role("link").first.click()
    expect(phone.get_by_text(item.number).first).to_be_visible()
    phone.goto(phone.base + "/portal/")
    expect(phone.get_by_test_id("bell-count")).to_have_text("0")


def test_staff_read_the_receipts_and_who_has_not_read(
    page, phone_page, demo_people, users, areas
):
    notice = notice_publish(
        by=users["staff"],
        area=areas["estate"],
        title="航院小区停水通知",
        body="因管网检修，明天 9:00—17:00 停水，请提前储水。",
        pinned=True,
    )  # fanned out inline when the transaction commits
    # The resident reads it on her phone.
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    home = phone.get_by_test_id("home-notices")
    expect(home).to_contain_text("航院小区停水通知")
    expect(home).to_contain_text("置顶")
    assert_fits_phone(phone)
    _shot(phone, "notices-portal-home")
    home.get_by_role("link", name="航院小区停水通知").click()
    expect(phone.get_by_text("因管网检修")).to_be_visible()
    assert_fits_phone(phone)
    _shot(phone, "notices-portal-notice")

    log_in(page, STAFF)
    page.goto(page.base + "/workbench/")
    page.get_by_role("link", name="通知公告").first.click()
    expect(page.get_by_test_id("notices")).to_contain_text("航院小区停水通知")
    _shot(page, "notices-workbench-list")
    page.get_by_role("link", name="阅读回执").first.click()
    notice.refresh_from_db()
    totals = page.get_by_test_id("receipt-totals")
    expect(totals).to_contain_text(
        f"共 {notice.recipients} 人：已读 1，未读 {notice.recipients - 1}"
    )
    buildings = page.get_by_test_id("receipt-buildings")
    expect(buildings).to_contain_text("航院小区 1号楼")
    unread = page.get_by_test_id("unread-people")
    expect(unread).to_contain_text("航院小区 1号楼")
    expect(unread).not_to_contain_text("周桂兰")  # she read it
    # Phones masked, never in full.
    assert "****" in unread.inner_text()
    _shot(page, "notices-workbench-receipts")


def test_publishing_a_notice_and_the_outbox_on_the_workbench(
    page, demo_people, users, areas
):
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/notices/new/")
    page.get_by_label("发往").select_option(label="楼栋 · 航院小区 1号楼")
    page.get_by_label("正文").fill("周五上午电梯检修，期间请走楼梯。")
    page.get_by_role("button", name="发布").click()  # no title
    expect(page.locator(".error").first).to_contain_text("标题")
    expect(page.locator(".error").first).to_contain_text("此项为必填项")
    assert not Notice.objects.exists()
    _shot(page, "notices-workbench-publish-refused")
    page.get_by_label("标题").fill("1号楼电梯检修")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_text("通知公告已发布。")).to_be_visible()
    expect(page.get_by_test_id("receipt-buildings")).to_contain_text("航院小区 1号楼")
    _shot(page, "notices-workbench-published")

    notice_read(user=users["resident"], notice=Notice.objects.get())
    page.context.clear_cookies()
    log_in(page, GRID)
    page.goto(page.base + "/workbench/notices/")
    expect(page.get_by_test_id("notices")).to_contain_text("1号楼电梯检修")
    page.context.clear_cookies()
    log_in(page, ADMIN)
    page.goto(page.base + "/workbench/outbox/")
    expect(
        page.get_by_role("heading", name="外发消息：短信、微信和企业微信")
    ).to_be_visible()
    _shot(page, "notices-workbench-outbox")
