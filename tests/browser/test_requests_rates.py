"""The three rates (三率) page as the street manager sees it: the rates
of the hand-computed example in November 2026, the ranking tables."""

from gongzhi.insights.tests.test_rates import tell
from gongzhi.requests.tests.conftest import world  # noqa: F401
from gongzhi.seeding import demo

from .conftest import log_in, screenshot


def test_the_street_manager_reads_the_three_rates(page, world):  # noqa: F811
    tell(world)
    log_in(page, demo.LOGINS[1].phone)
    page.goto(
        page.base + f"/workbench/requests/rates/?area={world.street.pk}&period=custom"
        "&start=2026-11-01&end=2026-11-30&group_by=community&rank_by=response"
    )
    cards = page.get_by_test_id("rates-total")
    assert "响应率" in cards.inner_text()
    assert [
        c.inner_text().split("\n")[1] for c in cards.locator(".rate-card").all()
    ] == [
        "66.7%",
        "54.5%",
        "80.0%",
    ]
    teams = page.get_by_test_id("ranking-team")
    assert "水电服务队" in teams.inner_text()
    screenshot(page, "requests-rates")


def test_the_three_rates_hold_on_a_phone(phone_page, world):  # noqa: F811
    page = phone_page
    tell(world)
    log_in(page, demo.LOGINS[1].phone)
    page.goto(
        page.base + f"/workbench/requests/rates/?area={world.street.pk}&period=custom"
        "&start=2026-11-01&end=2026-11-30&group_by=community"
    )
    assert "66.7%" in page.get_by_test_id("rates-total").inner_text()
    groups = page.get_by_test_id("rates-groups").inner_text()
    assert "团结巷社区" in groups  # listed though it raised nothing
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    screenshot(page, "requests-rates-phone")
