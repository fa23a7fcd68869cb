"""双报到 as people use it: 周桂兰, a retired teacher still on the books of
和平区教育局, reports to her community on her phone; the community's staff
confirm her in the workbench, and she finds herself confirmed."""

import pytest
from playwright.sync_api import expect

from gongzhi.orgs.models import OrgKind, PartyRegistration, RegistrationStatus
from gongzhi.orgs.services.organizations import org_create

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"


@pytest.fixture
def chain(default_tags, demo_people, areas, users):
    """三盛里's Party committee and 航院小区's branch and property company."""
    committee = org_create(
        area=areas["community"],
        kind=OrgKind.PARTY_COMMITTEE,
        name="三盛里社区大党委",
        contact_name="张丽华",
        contact_phone="13800000003",
        by=users["staff"],
    )
    org_create(
        area=areas["estate"],
        kind=OrgKind.PARTY_BRANCH,
        name="航院小区党支部",
        parent=committee,
        by=users["staff"],
    )
    org_create(
        area=areas["estate"],
        kind=OrgKind.PROPERTY,
        name="华泰物业",
        contact_name="钱经理",
        contact_phone="022-23456789",
        by=users["staff"],
    )


def test_a_member_registers_on_her_phone_and_staff_confirm(
    phone_page, page, chain, areas
):
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    phone.get_by_role("link", name="党员双报到").click()
    expect(phone.get_by_role("heading", name="党员双报到")).to_be_visible()
    expect(phone.get_by_text("您将向三盛里社区报到。")).to_be_visible()
    phone.get_by_label("工作单位").fill("和平区教育局")
    assert_fits_phone(phone)
    screenshot(phone, "orgs-register-phone")
    phone.get_by_role("button", name="提交报到").click()
    expect(phone.get_by_text("报到已提交，社区将尽快确认。")).to_be_visible()
    expect(phone.get_by_test_id("status")).to_have_text("待确认")
    expect(phone.get_by_test_id("registration")).to_contain_text("和平区教育局")
    assert_fits_phone(phone)
    screenshot(phone, "orgs-registered-phone")

    log_in(page, STAFF)
    page.goto(page.base + "/workbench/")
    page.get_by_role("link", name="组织", exact=True).click()
    expect(page.get_by_test_id("orgs")).to_contain_text("三盛里社区大党委")
    expect(page.get_by_test_id("orgs")).to_contain_text("022*****6789")
    screenshot(page, "orgs-workbench-home")
    page.get_by_role("link", name="航院小区").first.click()
    chain_list = page.get_by_test_id("chain")
    expect(chain_list).to_contain_text("社区大党委")
    expect(chain_list).to_contain_text("航院小区党支部")
    expect(chain_list).to_contain_text("华泰物业")
    expect(chain_list).to_contain_text("赵德明")
    screenshot(page, "orgs-workbench-chain")

    page.get_by_role("link", name="党员双报到").first.click()
    row = page.get_by_test_id("waiting").locator("tr", has_text="周桂兰")
    expect(row).to_contain_text("和平区教育局")
    row.get_by_role("button", name="确认").click()
    expect(page.get_by_text("已确认周桂兰的党员报到。")).to_be_visible()
    pool = page.get_by_test_id("pool")
    expect(pool).to_contain_text("周桂兰")
    expect(pool).to_contain_text("和平区教育局")
    screenshot(page, "orgs-workbench-pool")
    registration = PartyRegistration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED

    phone.reload()
    expect(phone.get_by_test_id("status")).to_have_text("已确认")
    expect(phone.get_by_test_id("hours")).to_have_text("0")
    assert_fits_phone(phone)
    screenshot(phone, "orgs-confirmed-phone")


def test_staff_read_the_report_back_to_work_units(
    page, default_tags, demo_people, areas, users
):
    """Three members of two units, two of whom served this year: the page
    groups them by unit with their hours, and offers the workbook."""
    import datetime as dt

    from django.utils import timezone

    from gongzhi.orgs.services.registrations import (
        registration_create,
        registration_transition,
    )
    from gongzhi.orgs.tests.conftest import make_person, served

    staff = users["staff"]
    today = timezone.localdate()
    for name, unit, hours in (
        ("王建国", "和平区教育局", "3.5"),
        ("李秀英", "和平区教育局", "2"),
        ("赵敏", "和平区税务局", None),
    ):
        person = make_person(areas["neighbour_household"], name)
        made = registration_create(person=person, work_unit=unit, by=staff)
        registration_transition(registration=made, action="confirm", by=staff)
        if hours:
            served(person, areas["community"], hours, day=today - dt.timedelta(days=1))
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/orgs/party-members/")
    page.get_by_test_id("by-unit").click()
    units = page.get_by_test_id("units")
    expect(units.locator("tr", has_text="和平区教育局")).to_contain_text("5.5")
    expect(units.locator("tr", has_text="和平区税务局")).to_contain_text("0")
    expect(page.get_by_test_id("unit").first).to_contain_text("王建国")
    screenshot(page, "orgs-workbench-by-unit")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.startswith("党员双报到服务情况反馈表_")
