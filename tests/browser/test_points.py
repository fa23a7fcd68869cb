"""The points supermarket as people use it: 周桂兰 redeems cooking oil on
her phone and gets a pickup code; 刘洋 at the community counter types the
code and hands the oil over; the month's figures show what moved."""

import pytest
from playwright.sync_api import expect

from gongzhi.points.models import Order, OrderStatus
from gongzhi.points.services.earning import item_create
from gongzhi.points.services.shop import goods_create
from gongzhi.points.tests.factories import resident_funded
from gongzhi.residents.models import Person

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"
STREET_MANAGER = "13800000002"


@pytest.fixture
def shelf(default_tags, demo_people, areas, users):
    community = areas["community"]
    person = Person.objects.get(user=users["resident"])
    account = resident_funded(person, community, 120, "志愿服务 12 小时")
    goods_create(community=community, name="食用油", price=50, stock=3, by=None)
    goods_create(community=community, name="抽纸", price=10, stock=0, by=None)
    item_create(community=community, name="垃圾分类", points=2, by=users["staff"])
    return {"account": account, "community": community}


def test_a_resident_redeems_on_her_phone_and_staff_hand_over_by_code(
    phone_page, page, shelf
):
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    phone.get_by_role("link", name="积分", exact=True).click()
    expect(phone.get_by_test_id("balance")).to_have_text("120")
    assert_fits_phone(phone)
    screenshot(phone, "points-mine-phone")

    phone.get_by_role("link", name="积分超市").click()
    expect(phone.get_by_text("您有 120 积分。")).to_be_visible()
    oil = phone.locator(".goods-card", has_text="食用油")
    expect(oil).to_contain_text("50 积分")
    expect(oil).to_contain_text("剩 3 件")
    expect(phone.locator(".goods-card", has_text="抽纸")).to_contain_text("已兑完")
    assert_fits_phone(phone)
    screenshot(phone, "points-shop-phone")

    oil.get_by_role("link", name="兑换").click()
    phone.get_by_label("数量").fill("3")
    phone.get_by_role("button", name="确认兑换").click()
    expect(phone.get_by_role("alert")).to_contain_text("积分不足：余额 120，需要 150。")
    phone.get_by_label("数量").fill("2")
    phone.get_by_role("button", name="确认兑换").click()
    expect(phone.get_by_text("兑换成功。请到社区柜台出示取货码。")).to_be_visible()
    code = phone.get_by_test_id("pickup-code").inner_text()
    assert len(code) == 6 and code.isdigit()
    expect(phone.locator(".qr svg")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "points-order-phone")
    phone.go_back()  # the form again, with the key it was sent with
    phone.get_by_role("button", name="确认兑换").click()
    expect(phone.get_by_test_id("pickup-code")).to_have_text(code)
    assert Order.objects.count() == 1

    log_in(page, STAFF)
    page.goto(page.base + "/workbench/")
    page.get_by_role("link", name="积分超市").click()
    page.get_by_role("link", name="三盛里社区").click()
    page.get_by_role("link", name="兑换柜台").click()
    page.get_by_label("取货码").fill(code)
    page.get_by_role("button", name="查询").click()
    found = page.get_by_test_id("found-order")
    expect(found).to_contain_text("食用油 × 2")
    expect(found).to_contain_text("周桂兰")
    screenshot(page, "points-counter")
    page.get_by_role("button", name="确认交付").click()
    expect(page.get_by_text("已交付：食用油 × 2，领取人 周桂兰。")).to_be_visible()
    assert Order.objects.get().status == OrderStatus.HANDED_OVER
    page.get_by_label("取货码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("alert")).to_contain_text("该取货码已于")

    phone.goto(phone.base + "/portal/points/")
    expect(phone.get_by_test_id("balance")).to_have_text("20")
    expect(phone.get_by_text("待领取")).to_have_count(0)


@pytest.mark.usefixtures("dashboards_live")
def test_a_street_manager_reads_the_months_figures(page, shelf):
    log_in(page, STREET_MANAGER)
    page.goto(page.base + "/workbench/points/")
    row = page.locator("tr", has_text="三盛里社区")
    expect(row.locator("td").nth(1)).to_have_text("120")  # issued
    expect(row.locator("td").nth(5)).to_have_text("120")  # outstanding
    expect(row.locator("td").nth(6)).to_have_text("1")  # participants
    screenshot(page, "points-figures")
    page.get_by_role("link", name="三盛里社区").click()
    expect(page.get_by_role("heading", name="三盛里社区 · 积分超市")).to_be_visible()
    expect(page.get_by_role("link", name="兑换柜台")).to_have_count(0)
    screenshot(page, "points-community-year")


def test_a_resident_pools_points_for_her_family_on_her_phone(
    phone_page, shelf, areas, users
):
    from gongzhi.points.services.accounts import policy_set

    policy_set(
        street=areas["street"], household_pooling=True, by=users["street_manager"]
    )
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/points/")
    household = phone.get_by_test_id("household")
    expect(household).to_contain_text("家庭积分")
    household.get_by_label("转入家庭账户").fill("70")
    household.get_by_role("button", name="转入").click()
    expect(phone.get_by_text("已转入家庭账户 70 积分。")).to_be_visible()
    expect(phone.get_by_test_id("balance")).to_have_text("50")
    expect(phone.get_by_test_id("household")).to_contain_text("70")
    assert_fits_phone(phone)
    screenshot(phone, "points-household-phone")
    phone.get_by_role("link", name="积分超市").click()
    phone.locator(".goods-card", has_text="食用油").get_by_role("link").click()
    phone.get_by_label("家庭积分").check()
    phone.get_by_role("button", name="确认兑换").click()
    expect(phone.get_by_test_id("pickup-code")).to_be_visible()
    phone.goto(phone.base + "/portal/points/")
    expect(phone.get_by_test_id("household")).to_contain_text("20")
    expect(phone.get_by_test_id("balance")).to_have_text("50")
