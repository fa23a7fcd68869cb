"""Councils in the browser: a resident suggests and a neighbour supports on
a 375 px phone; a chair runs a meeting (a member checks in by the QR code,
the rest are marked by hand, quorum turns green, a vote is held, the
minutes are written and printed)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongzhi.councils.models import Ballot, Suggestion
from gongzhi.councils.tests.conftest import (  # noqa: F401
    PASSWORD,
    VOTING,
    collection,
    hall,
    resident,
)
from gongzhi.requests.tests.conftest import world  # noqa: F401

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"
SHOTS = Path("/tmp/shots-councils")


def _shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_resident_suggests_and_a_neighbour_supports_on_a_phone(
    phone_page,
    browser,
    live_server,
    world,  # noqa: F811
    collection,  # noqa: F811
    media,
):
    page = phone_page
    log_in(page, RESIDENT)
    page.goto(page.base + "/portal/councils/")
    expect(page.get_by_role("heading", name="社区议事")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "councils-portal-home")
    page.get_by_role("link", name="航院小区改造建议征集").click()
    page.get_by_label("您希望改进什么？").fill("小区内围墙生锈，希望除锈刷漆")
    page.get_by_role("button", name="提交建议").click()
    expect(page.get_by_text("谢谢，您的建议已提交。")).to_be_visible()
    expect(page.get_by_test_id("suggestion")).to_contain_text("您的建议")
    assert_fits_phone(page)
    _shot(page, "councils-portal-collection-sent")
    page.goto(page.base + "/portal/councils/")
    expect(page.get_by_test_id("mine")).to_contain_text("等待社区受理")

    neighbour = resident("13900000401", "邻居陈", world.areas["neighbour_household"])
    other = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN"
    ).new_page()
    other.base = live_server.url
    log_in(other, neighbour.user.phone, PASSWORD)
    other.goto(other.base + f"/portal/councils/collections/{collection.pk}/")
    other.get_by_role("button", name="附议").click()
    expect(other.get_by_text("您已附议这条建议。")).to_be_visible()
    expect(other.get_by_test_id("supports")).to_have_text("1人附议")
    expect(other.get_by_role("button", name="附议")).to_have_count(0)
    assert_fits_phone(other)
    _shot(other, "councils-portal-collection-supported")
    assert Suggestion.objects.get().supports == 1


def test_a_chair_runs_a_meeting(page, browser, live_server, hall, media):  # noqa: F811
    log_in(page, STAFF)
    url = page.base + f"/workbench/councils/meetings/{hall.meeting.pk}/"
    page.goto(url)
    expect(page.get_by_test_id("quorum")).to_contain_text("未达法定人数")

    # The committee's seat checks in by scanning the chair's screen.
    page.goto(url + "code/")
    link = page.get_by_test_id("qr").get_attribute("data-link")
    _shot(page, "councils-check-in-code")
    member = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN"
    ).new_page()
    member.base = live_server.url
    log_in(member, hall.holders["committee"].user.phone, PASSWORD)
    member.goto(link)
    member.get_by_role("button", name="立即签到").click()
    expect(member.get_by_text("签到成功，欢迎参会。")).to_be_visible()

    # The rest are marked by hand; quorum is read live.
    page.goto(url)
    attendance = page.get_by_test_id("attendance")
    for key in VOTING:
        if key == "committee":
            continue
        name = hall.holders[key].name
        attendance.get_by_role("row", name=re.compile(name)).get_by_role(
            "button", name="登记到场"
        ).click()
        page.wait_for_load_state()
    expect(page.get_by_test_id("quorum")).to_contain_text("已达法定人数")
    expect(page.get_by_test_id("quorum")).to_contain_text("7个表决席位出席7个")

    page.get_by_role("button", name="准备表决").click()
    page.get_by_role("button", name="开始表决").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("已审议")
    live = page.locator("#live")
    expect(live).to_contain_text("回避")  # the property company, on its fee
    for key in ("party", "committee", "owners", "unit"):
        row = attendance.get_by_role("row", name=re.compile(hall.holders[key].name))
        row.get_by_role("combobox").select_option("yes")
        row.get_by_role("button", name="录入选票").click()
        page.wait_for_load_state()
    expect(page.get_by_test_id("tally")).to_contain_text("赞成 4")
    expect(page.get_by_test_id("rule")).to_have_text("已达到通过要求。")
    _shot(page, "councils-chair-live-tally")
    page.get_by_role("button", name="结束表决").click()
    expect(page.get_by_test_id("agenda")).to_contain_text("通过")
    page.get_by_label("会议纪要").fill("一、航院小区物业费调整：经表决通过。")
    page.get_by_role("button", name="保存纪要").click()
    page.get_by_role("button", name="宣布散会").click()
    expect(page.get_by_test_id("status")).to_have_text("已散会")
    assert Ballot.objects.filter(vote__meeting=hall.meeting).count() == 4
    _shot(page, "councils-chair-meeting-closed")

    page.goto(url + "minutes/")
    expect(page.get_by_test_id("minutes-text")).to_contain_text("经表决通过")
    expect(page.get_by_test_id("draft")).to_be_visible()
    _shot(page, "councils-minutes-print")


def test_the_public_page_on_a_phone_and_a_residents_objection(
    phone_page,
    hall,  # noqa: F811
    media,
):
    from gongzhi.councils.models import Objection
    from gongzhi.councils.services import meetings, topics, votes

    for key in VOTING:
        meetings.meeting_mark_present(
            meeting=hall.meeting, seat=hall.seats[key], by=hall.staff
        )
    vote = votes.vote_create(
        meeting=hall.meeting, topic=hall.topic, secret=True, by=hall.staff
    )
    votes.vote_open(vote=vote, by=hall.staff)
    for key, choice in [("party", "yes"), ("committee", "yes"), ("owners", "no")]:
        votes.ballot_cast(vote=vote, choice=choice, by=hall.holders[key].user)
    votes.vote_close(vote=vote, by=hall.staff)
    meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    topics.topic_step(topic=hall.topic, action="publicise", by=hall.staff)

    page = phone_page
    community = hall.world.community
    page.goto(page.base + f"/public/councils/{community.pk}/")
    expect(page.get_by_test_id("topic")).to_contain_text("航院小区物业费调整")
    expect(page.get_by_test_id("count")).to_contain_text("赞成 2 · 反对 1 · 弃权 0")
    assert "业委会李" not in page.content()
    assert_fits_phone(page)
    _shot(page, "councils-public-community")
    page.get_by_role("link", name="航院小区物业费调整").click()
    expect(page.get_by_role("link", name="登录后提出异议")).to_be_visible()
    log_in(page, RESIDENT)
    page.goto(page.base + f"/public/councils/{community.pk}/topics/{hall.topic.pk}/")
    page.get_by_label(re.compile("您的异议")).fill("物业费涨幅过大")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_text("您的异议已提交，社区将予以答复。")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "councils-public-topic-objection")
    assert Objection.objects.get().text == "物业费涨幅过大"
