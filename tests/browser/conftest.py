"""Playwright on Debian's Chromium against Django's live server."""

import os
from pathlib import Path

import pytest

from conftest import restore_migration_data

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make to set up data are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def default_tags(transactional_db):
    """The default tags come from a data migration, which the flush after
    each transactional test removes: put them back."""
    restore_migration_data()


@pytest.fixture
def demo_people(default_tags, demo_people):
    """The demo street's families, their tags put back first whatever ran
    before on this worker."""
    return demo_people


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A 375 px wide phone, as residents hold it."""
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
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_fits_phone(page) -> None:
    """Nothing on the page scrolls sideways on a 375 px phone.

    A click that navigates returns before the new document exists: wait for
    its load, and measure through a locator, which waits for the element.
    (No ``wait_for_function``: its polling evaluates a string, which the
    pages' Content-Security-Policy refuses.)
    """
    page.wait_for_load_state()
    assert page.locator("html").evaluate("html => html.scrollWidth") <= 375


def log_in(page, phone: str, password: str = "Gongzhi@2026") -> None:
    page.goto(page.base + "/accounts/login/")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
