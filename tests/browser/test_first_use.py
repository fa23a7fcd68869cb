"""What a first use found, as people see it on a 375 px phone: a visit
needs what was found, an incident names its person, the redeem form says
nothing of keys, and the home tile 已报名的活动 opens on what is to come."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from gongzhi.points.services.shop import goods_create
from gongzhi.points.tests.factories import resident_funded
from gongzhi.residents.models import Incident, Person, PersonTag, TagType, Visit
from gongzhi.residents.services.care import incident_record
from gongzhi.volunteering.models import ActivityType, PlaceKind
from gongzhi.volunteering.services.activities import activity_create

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRID_WORKER = "13800000005"
RESIDENT = "13800000009"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def liu(default_tags, demo_people, areas):
    PersonTag.objects.filter(
        person__household__path__startswith=areas["grid"].path
    ).delete()
    person = Person.objects.get(household=areas["household"], name="刘振华")
    PersonTag.objects.create(
        person=person,
        tag=TagType.objects.get(code="alone_elderly", street=None),
        start=timezone.localdate() - dt.timedelta(days=30),
    )
    return person


def test_an_empty_visit_is_refused_on_the_phone(phone_page, liu):
    page = phone_page
    log_in(page, GRID_WORKER)
    page.goto(page.base + f"/workbench/residents/care/visits/new/?person={liu.pk}")
    page.get_by_label(zh("Home visit")).check()
    page.get_by_role("button", name=zh("Save the visit")).click()
    expect(page.get_by_role("alert").first).to_contain_text("请填写走访情况。")
    assert_fits_phone(page)
    screenshot(page, "first-use-empty-visit-phone")
    assert not Visit.objects.exists()


def test_an_unnamed_incident_gets_its_person_on_the_phone(
    phone_page, liu, areas, users
):
    incident = incident_record(
        by=users["grid_worker"],
        area=areas["building"],
        kind="fall",
        occurred_at=timezone.now() - dt.timedelta(hours=2),
        description="楼道里有老人摔倒",
    )
    page = phone_page
    log_in(page, GRID_WORKER)
    page.goto(page.base + "/workbench/residents/care/due/")
    card = page.locator(".due-card.follow-up")
    expect(card).to_contain_text(zh("Nobody named yet"))
    expect(card).not_to_contain_text(zh("Never visited"))
    assert_fits_phone(page)
    screenshot(page, "first-use-due-unnamed-phone")
    card.get_by_role("link", name=zh("Name the person")).click()
    page.get_by_label(zh("Who was it about")).select_option(str(liu.pk))
    assert_fits_phone(page)
    screenshot(page, "first-use-incident-name-phone")
    page.get_by_role("button", name=zh("Name the person")).click()
    expect(page.locator(".messages")).to_contain_text("刘振华")
    page.goto(page.base + "/workbench/residents/care/due/")
    card = page.locator(".due-card.follow-up")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("刘振华")
    screenshot(page, "first-use-due-named-phone")
    incident.refresh_from_db()
    assert incident.person == liu
    assert Incident.objects.count() == 1


def test_the_redeem_form_and_my_activities_read_naturally(
    phone_page, default_tags, demo_people, areas, users
):
    community = areas["community"]
    person = Person.objects.get(user=users["resident"])
    resident_funded(person, community, 120, "志愿服务 12 小时")
    oil = goods_create(
        community=community, name="食用油", price=50, stock=3, limit=2, by=None
    )
    now = timezone.now()
    activity_create(
        community=community,
        title="义诊进社区",
        kind=ActivityType.CLINIC,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="三盛里党群服务中心",
        starts_at=now + dt.timedelta(days=2),
        ends_at=now + dt.timedelta(days=2, hours=2),
        capacity=5,
        by=users["staff"],
        now=now,
    )
    page = phone_page
    log_in(page, RESIDENT)
    page.goto(page.base + f"/portal/points/shop/{oil.pk}/")
    form = page.locator("form.stack")
    expect(form).not_to_contain_text("Key")
    expect(page.locator(".facts")).to_contain_text("每人每月限兑 2 件")
    assert_fits_phone(page)
    screenshot(page, "first-use-redeem-phone")

    page.goto(page.base + "/portal/activities/")
    page.get_by_text("义诊进社区").click()
    page.get_by_role("button", name="报名").first.click()
    page.goto(page.base + "/portal/")
    page.get_by_test_id("todo-activities").click()
    coming = page.get_by_test_id("coming")
    expect(coming).to_contain_text("义诊进社区")
    expect(coming).to_contain_text("报名成功")
    assert_fits_phone(page)
    screenshot(page, "first-use-my-activities-phone")
