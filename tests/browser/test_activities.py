"""Activities as people use them: 周桂兰 finds the 楼道清理 of her
community on her phone, signs up for the last place, and at the door scans
the code on the organizer's phone to check in; a neighbour who comes too
late for a place joins the waiting list."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from gongzhi.volunteering.models import ActivityType, Attendance, PlaceKind
from gongzhi.volunteering.services.activities import activity_create

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"


@pytest.fixture
def cleanup(default_tags, demo_people, areas, users):
    """楼道清理 in three minutes, one place, 3 points an hour; a talk next
    week with room for everyone."""
    now = timezone.now()
    session = activity_create(
        community=areas["community"],
        title="楼道清理",
        kind=ActivityType.SERVICE,
        place_kind=PlaceKind.ADDRESS,
        place="航院小区1号楼",
        starts_at=now + dt.timedelta(minutes=3),
        ends_at=now + dt.timedelta(hours=2),
        capacity=1,
        points_per_hour=3,
        description="带上扫帚和手套。",
        by=users["staff"],
        now=now,
    ).occurrences.get()
    activity_create(
        community=areas["community"],
        title="消防安全课",
        kind=ActivityType.CLASS,
        place_kind=PlaceKind.MARKET,
        place="三盛里菜市场",
        starts_at=now + dt.timedelta(days=7),
        ends_at=now + dt.timedelta(days=7, hours=1),
        signup_required=False,
        by=users["staff"],
        now=now,
    )
    return session


def test_a_volunteer_signs_up_and_checks_in_on_her_phone(
    phone_page, browser, live_server, cleanup
):
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/")
    phone.get_by_role("link", name="活动", exact=True).click()
    expect(phone.get_by_role("heading", name="活动", exact=True)).to_be_visible()
    card = phone.locator(".session", has_text="楼道清理")
    expect(card).to_contain_text("航院小区1号楼")
    expect(card).to_contain_text("已报 0 / 1 人")
    expect(phone.locator(".session", has_text="消防安全课")).to_contain_text("无需报名")
    assert_fits_phone(phone)
    screenshot(phone, "activities-list-phone")

    card.click()
    expect(phone.get_by_text("带上扫帚和手套。")).to_be_visible()
    phone.get_by_role("button", name="报名", exact=True).click()
    expect(phone.get_by_text("报名成功，到时见！")).to_be_visible()
    expect(phone.get_by_test_id("places")).to_have_text("已报 1 / 1 人")
    expect(phone.get_by_test_id("my-place")).to_contain_text("报名成功")
    assert_fits_phone(phone)
    screenshot(phone, "activities-session-phone")

    # The organizer's phone shows this minute's code as a QR code.
    organizer_context = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN"
    )
    organizer = organizer_context.new_page()
    organizer.base = live_server.url
    log_in(organizer, STAFF)
    organizer.goto(f"{organizer.base}/portal/activities/{cleanup.pk}/code/")
    expect(organizer.get_by_role("heading", name="签到码")).to_be_visible()
    qr = organizer.get_by_test_id("qr")
    expect(qr.locator("svg")).to_be_visible()
    expect(organizer.get_by_text("0 人已签到 · 0 人已签退")).to_be_visible()
    screenshot(organizer, "activities-code-phone")
    link = qr.get_attribute("data-link")
    assert link.startswith(live_server.url) and "?c=in." in link

    # Her camera opens the link; she confirms.
    phone.goto(link)
    expect(phone.get_by_role("heading", name="签到")).to_be_visible()
    assert_fits_phone(phone)
    screenshot(phone, "activities-scan-phone")
    phone.get_by_role("button", name="立即签到").click()
    expect(phone.get_by_text("签到成功，感谢参与！")).to_be_visible()
    expect(phone.get_by_test_id("attendance")).to_contain_text("签到")
    assert Attendance.objects.get().person.name == "周桂兰"
    # The same link again: she is in already.
    phone.goto(link)
    phone.get_by_role("button", name="立即签到").click()
    expect(phone.locator(".msg-error")).to_contain_text("已于")
    organizer.reload()
    expect(organizer.get_by_text("1 人已签到 · 0 人已签退")).to_be_visible()
    organizer_context.close()


def test_a_forged_code_is_refused_on_the_phone(phone_page, cleanup):
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(f"{phone.base}/portal/activities/{cleanup.pk}/scan/?c=in.1.0000")
    phone.get_by_role("button", name="立即签到").click()
    expect(phone.locator(".msg-error")).to_contain_text("这不是本场活动的签到码")
    assert not Attendance.objects.exists()


@pytest.fixture
def ended(default_tags, demo_people, areas, users):
    """A 义诊 that ended an hour ago with 周桂兰 signed up."""
    from gongzhi.residents.models import Person
    from gongzhi.volunteering.services.signup import signup_create

    now = timezone.now().replace(second=0, microsecond=0)
    earlier = now - dt.timedelta(hours=4)
    session = activity_create(
        community=areas["community"],
        title="义诊进社区",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="三盛里党群服务中心",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
        capacity=20,
        points_per_hour=2,
        by=users["staff"],
        now=earlier,
    ).occurrences.get()
    zhou = Person.objects.get(user=users["resident"])
    signup_create(occurrence=session, person=zhou, by=None, now=earlier)
    return session


def test_staff_mark_a_volunteer_by_hand_and_confirm(page, ended):
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/")
    page.get_by_role("link", name="活动", exact=True).click()
    row = page.locator("tr", has_text="义诊进社区")
    expect(row).to_contain_text("待确认")
    expect(row).to_contain_text("1 / 20")
    screenshot(page, "activities-workbench-home")
    row.get_by_role("link", name="义诊进社区").click()
    page.get_by_label("志愿者", exact=True).select_option(label="周桂兰（报名成功）")
    page.get_by_label("手工登记原因").fill("老人没有智能手机")
    # The walk-in card beside it has a button of its own.
    by_hand = page.locator("form", has=page.get_by_label("手工登记原因"))
    by_hand.get_by_role("button", name="登记到场").click()
    expect(page.get_by_text("周桂兰 已登记到场。")).to_be_visible()
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("工作人员登记")
    expect(roster).to_contain_text("2")
    page.get_by_role("button", name="确认签到").click()
    expect(page.get_by_text("签到已确认，服务时长已按积分发放。")).to_be_visible()
    expect(page.get_by_test_id("status")).to_contain_text("已确认签到")
    screenshot(page, "activities-workbench-session")


@pytest.fixture
def photo_file(tmp_path, settings):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "楼道.png"
    Image.new("RGB", (640, 360), (200, 40, 40)).save(path, "PNG")
    return path


def test_a_team_leader_publishes_from_her_phone(
    phone_page, default_tags, demo_people, areas, users, photo_file
):
    from gongzhi.residents.models import Person
    from gongzhi.volunteering.models import Activity, TeamType
    from gongzhi.volunteering.services.teams import team_create

    zhou = Person.objects.get(user=users["resident"])
    team_create(
        area=areas["community"],
        name="楼道服务队",
        kind=TeamType.ENVIRONMENT,
        leader=zhou,
        by=users["staff"],
    )
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/activities/")
    phone.get_by_test_id("publish").click()
    assert_fits_phone(phone)
    screenshot(phone, "activities-publish-phone")
    start = timezone.localtime() + dt.timedelta(days=2)
    form = phone.locator("form.publish-form")
    form.locator("[name=title]").fill("楼道大扫除")
    form.locator("[name=kind]").select_option("service")
    form.locator("[name=place]").fill("航院小区1号楼")
    form.locator("[name=starts_at]").fill(start.strftime("%Y-%m-%dT15:00"))
    form.locator("[name=ends_at]").fill(start.strftime("%Y-%m-%dT17:00"))
    form.locator("[name=capacity]").fill("8")
    form.locator("[name=description]").fill("带上扫帚和手套。")
    form.locator("[name=photo]").set_input_files(str(photo_file))
    form.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    expect(phone.get_by_test_id("organizer")).to_have_text("楼道服务队")
    expect(phone.get_by_test_id("photo")).to_be_visible()
    # Visible once laid out; its pixels may still be on their way.
    expect(phone.get_by_test_id("photo")).to_have_js_property("naturalWidth", 640)
    expect(phone.get_by_test_id("places")).to_have_text("已报 0 / 8 人")
    assert_fits_phone(phone)
    screenshot(phone, "activities-published-phone")
    assert Activity.objects.get().team.name == "楼道服务队"


def test_staff_mark_a_walk_in_present(page, ended, areas):
    from gongzhi.orgs.models import PartyRegistration
    from gongzhi.residents.models import Person

    zhou = Person.objects.get(name="周桂兰")
    PartyRegistration.objects.create(
        person=zhou,
        community=areas["community"],
        work_unit="区税务局",
        status="confirmed",
    )
    walk_in = (
        Person.objects.filter(household__path__startswith=areas["community"].path)
        .exclude(pk=zhou.pk)
        .exclude(phone_encrypted="")
        .first()
    )
    log_in(page, STAFF)
    page.goto(f"{page.base}/workbench/activities/sessions/{ended.pk}/")
    roster = page.get_by_test_id("roster")
    expect(
        roster.locator("tr", has_text="周桂兰").get_by_test_id("party")
    ).to_be_visible()
    box = page.get_by_test_id("walk-in")
    box.get_by_role("searchbox").fill(walk_in.name)
    box.get_by_role("searchbox").press("Enter")
    results = box.get_by_test_id("walkin-results")
    expect(results).to_contain_text(walk_in.phone_masked)
    assert walk_in.phone not in results.inner_text()
    results.get_by_text(walk_in.name).click()
    box.locator("[name=walkin-reason]").fill("未报名，现场参加")
    screenshot(page, "activities-walkin-search")
    box.locator("button[type=submit].button:not(.secondary)").click()
    page.wait_for_load_state()
    expect(roster.locator("tr", has_text=walk_in.name)).to_contain_text("工作人员登记")
    assert Attendance.objects.get(person=walk_in).in_method == "hand"
    screenshot(page, "activities-workbench-session-walkin")
