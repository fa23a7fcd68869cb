"""诉求设置 as 张丽华 (三盛里's secretary) sees it: the categories with their
deadlines and dispatch modes, the edit form, who works a team's queue; the
street's departments as 李秀英 sees them; and 陈静 (grid worker) turning a
visit's need into a request (转为诉求)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.tests.conftest import world  # noqa: F401
from gongzhi.residents.models import Visit, VisitForm

from .conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRETARY = "13800000003"
STREET = "13800000002"
GRID = "13800000005"


def test_a_secretary_sets_up_categories_and_handlers(page, world):  # noqa: F811
    log_in(page, SECRETARY)
    page.goto(page.base + "/workbench/requests/")
    page.get_by_role("link", name="诉求设置").first.click()
    expect(page.locator("[data-testid=categories]")).to_contain_text("墙体维修")
    screenshot(page, "requests-setup-categories")
    page.locator("#new-category [name=code]").fill("wall")
    page.locator("#new-category [name=name]").fill("又一个")
    page.locator("#new-category [name=response_hours]").fill("4")
    page.locator("#new-category [name=resolve_hours]").fill("2")
    page.locator("#new-category button[type=submit]").click()
    expect(page.locator(".has-error").first).to_be_visible()
    screenshot(page, "requests-setup-category-errors")
    page.goto(page.base + f"/workbench/requests/setup/categories/{world.wall.pk}/")
    screenshot(page, "requests-setup-category-edit")
    page.goto(page.base + f"/workbench/requests/setup/handlers/team/{world.team_a.pk}/")
    expect(page.locator("[data-testid=handlers]")).to_contain_text("孙志强")
    screenshot(page, "requests-setup-handlers")


def test_the_street_lists_its_departments(page, world):  # noqa: F811
    log_in(page, STREET)
    page.goto(page.base + "/workbench/requests/setup/departments/")
    expect(page.locator("[data-testid=departments]")).to_contain_text("水务办")
    screenshot(page, "requests-setup-departments")


def test_a_grid_worker_raises_a_request_from_a_visit(page, world):  # noqa: F811
    visit = Visit.objects.create(
        person=world.zhou,
        household=world.areas["household"],
        worker=world.grid_worker,
        visited_on=dt.date(2026, 11, 20),
        form=VisitForm.HOME,
        findings="独居，身体尚可",
        needs="厨房水管老化漏水",
    )
    log_in(page, GRID)
    page.goto(page.base + f"/workbench/residents/care/visits/{visit.pk}/")
    card = page.locator("[data-testid=visit-request]")
    expect(card).to_contain_text("转为诉求")
    screenshot(page, "requests-visit-raise")
    card.locator("select[name=category]").select_option(label="墙体维修")
    card.get_by_role("button").click()
    number = ServiceRequest.objects.get().number
    expect(page.locator("[data-testid=visit-request]")).to_contain_text(number)
    screenshot(page, "requests-visit-raised")
