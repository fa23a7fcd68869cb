"""A grid worker on her phone: the due list, a home visit in under a
minute, and an emergency recorded with its follow-up visit.

Labels are looked up in the default language's catalogue (``zh``), so
the test reads what a 网格员 reads on her screen.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import expect

from gongzhi.residents.models import Person, PersonTag, TagType, Visit

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRID_WORKER = "13800000005"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#c8161d").save(buffer, format="PNG")
    return buffer.getvalue()


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Photos land in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def due(default_tags, demo_people, areas):
    """Two people due in 陈静's grid: 刘振华 living alone, never visited
    since his tag started 30 days ago, and a neighbour on 低保 whose visit
    is 5 days overdue."""
    today = timezone.localdate()
    PersonTag.objects.filter(
        person__household__path__startswith=areas["grid"].path
    ).delete()
    liu = Person.objects.get(household=areas["household"], name="刘振华")
    PersonTag.objects.create(
        person=liu,
        tag=TagType.objects.get(code="alone_elderly", street=None),
        start=today - dt.timedelta(days=30),
    )
    neighbour = (
        Person.objects.filter(household=areas["neighbour_household"])
        .order_by("pk")
        .first()
    )
    PersonTag.objects.create(
        person=neighbour,
        tag=TagType.objects.get(code="dibao", street=None),
        start=today - dt.timedelta(days=400),
    )
    from gongzhi.accounts.models import User

    Visit.objects.create(
        person=neighbour,
        household=neighbour.household,
        worker=User.objects.order_by("pk").first(),
        visited_on=today - dt.timedelta(days=95),
        form="home",
    )
    return liu, neighbour


def test_grid_worker_records_a_home_visit_on_her_phone(phone_page, due):
    liu, neighbour = due
    page = phone_page
    log_in(page, GRID_WORKER)
    page.goto(page.base + "/workbench/residents/care/due/")
    first = page.locator(".due-card").first
    expect(first).to_contain_text("刘振华")
    expect(first).to_contain_text("独居老人")
    expect(first).to_contain_text("航院小区 1号楼 1单元 101")
    expect(page.locator(".due-card").nth(1)).to_contain_text(neighbour.name)
    assert_fits_phone(page)
    screenshot(page, "care-due-list-phone")

    first.get_by_role("link", name=zh("Record a visit")).click()
    expect(page.get_by_role("heading", name="刘振华")).to_be_visible()
    page.get_by_label(zh("Home visit")).check()
    page.get_by_label(zh("Findings")).fill("老人精神不错，屋里暖和")
    page.get_by_label(zh("Needs raised")).fill("卫生间想装扶手")
    page.get_by_label(zh("Photos")).set_input_files(
        {"name": "门口.png", "mimeType": "image/png", "buffer": _png()}
    )
    assert_fits_phone(page)
    screenshot(page, "care-visit-form-phone")
    page.get_by_role("button", name=zh("Save the visit")).click()

    message = zh("Visit to %(name)s recorded.") % {"name": "刘振华"}
    expect(page.locator(".messages")).to_contain_text(message)
    expect(page.locator(".due-card").first).to_contain_text(neighbour.name)
    expect(page.locator(".due-list")).not_to_contain_text("刘振华")
    screenshot(page, "care-due-list-after-visit")
    visit = Visit.objects.get(person=liu)
    assert visit.form == "home"
    assert visit.needs == "卫生间想装扶手"

    # The photo is served to her through the visit's page, nowhere else.
    page.goto(page.base + f"/workbench/residents/care/visits/{visit.pk}/")
    expect(page.locator(".facts")).to_contain_text("卫生间想装扶手")
    image = page.locator(".photos img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    # Its pixels may still be on their way: the assertion waits for them.
    expect(image).to_have_js_property("naturalWidth", 40)
    screenshot(page, "care-visit-detail-phone")


def test_grid_worker_records_a_fall_and_sees_the_follow_up_first(phone_page, due):
    liu, neighbour = due
    page = phone_page
    log_in(page, GRID_WORKER)
    page.goto(page.base + f"/workbench/residents/care/incidents/new/?person={liu.pk}")
    page.get_by_label(zh("Fall")).check()
    page.get_by_label(zh("What happened")).fill("老人在家中摔倒，无法起身，伴有呕吐")
    page.get_by_label(zh("Who responded")).fill("网格员两人")
    page.locator("#id_calls-0-to").select_option("120")
    page.locator("#id_calls-0-at").fill("09:05")
    page.locator("#id_calls-1-to").select_option("family")
    page.locator("#id_calls-1-at").fill("09:08")
    page.locator("#id_calls-1-note").fill("子女直接去医院")
    assert_fits_phone(page)
    page.locator("#id_occurred_at").fill(
        (timezone.localtime() - dt.timedelta(days=1))
        .replace(hour=9, minute=0)
        .strftime("%Y-%m-%dT%H:%M")
    )
    screenshot(page, "care-incident-form-phone")
    page.get_by_role("button", name=zh("Record the emergency")).click()
    expect(page.locator(".timeline li")).to_have_count(3)
    expect(page.locator(".timeline")).to_contain_text("子女直接去医院")
    screenshot(page, "care-incident-phone")

    page.goto(page.base + "/workbench/residents/care/due/")
    first = page.locator(".due-card").first
    expect(first).to_contain_text("刘振华")
    expect(first).to_have_class("due-card follow-up")
    # It fell yesterday: the follow-up visit is due today, whatever his plan.
    expect(first.locator(".due-state")).to_have_text(zh("Follow-up due today"))
    screenshot(page, "care-due-list-follow-up")


def test_street_manager_sets_a_weekly_plan_for_a_grid(page, due, areas):
    log_in(page, "13800000002")
    page.goto(page.base + f"/workbench/residents/care/plans/?area={areas['grid'].pk}")
    page.get_by_label("独居老人").fill("5")
    page.get_by_label("低保户").fill("0")
    page.get_by_role("button", name=zh("Save the plans")).click()
    expect(page.locator(".plans .has-error")).to_contain_text("低保户")
    page.get_by_label("低保户").fill("")
    page.get_by_role("button", name=zh("Save the plans")).click()
    expect(page.locator(".messages")).to_contain_text("第一网格")
    expect(page.get_by_label("独居老人")).to_have_value("5")
    screenshot(page, "care-plans")


def test_grid_worker_pairs_a_household_and_records_winter_supplies(
    phone_page, due, areas
):
    page = phone_page
    log_in(page, GRID_WORKER)
    page.goto(
        page.base
        + f"/workbench/residents/care/pairings/new/?household={areas['household'].pk}"
    )
    page.get_by_label(zh("Partner"), exact=True).fill("天津民航大学")
    page.get_by_role("button", name=zh("Pair"), exact=True).click()
    page.get_by_label(zh("What was delivered")).fill("冬季慰问品：米、面、油")
    page.get_by_role("button", name=zh("Record the delivery")).click()
    expect(page.locator(".plain")).to_contain_text("冬季慰问品")
    expect(page.locator(".facts")).to_contain_text("刘振华")
    assert_fits_phone(page)
    screenshot(page, "care-pairing-phone")
