"""The 数据大屏 on a 1920×1080 screen in the 党群服务中心: the district
manager opens it, every chart is drawn, and she drills down from the
district to a street and on to a community; the comparison sets the
street's communities side by side; a laptop shows the same screen scaled."""

import shutil
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.insights.dashboard_rollups import rollups_paused, rollups_rebuild
from gongzhi.seeding import demo
from gongzhi.seeding.points import seed_demo_points

from .conftest import log_in, screenshot

SHOTS = Path("/tmp/shots-dashboard")
CHARTS = ("tree", "trends", "rates", "categories", "care", "volunteering", "points")


@pytest.fixture
def screen(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def street_year(demo_people):
    """A month of the points supermarket on the demo street, its rollups
    built as the seeding builds them."""
    with rollups_paused():
        seed_demo_points(now=timezone.now(), days=30, most=4)
    rollups_rebuild()
    return demo_people


def _drawn(page) -> dict[str, int]:
    """Each chart's canvas: how many of its pixels are painted."""
    page.locator("#screen[data-drawn=yes]").wait_for()
    return {
        name: page.locator(f"#chart-{name} canvas").first.evaluate(
            """canvas => {
                const data = canvas.getContext("2d")
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i]) painted++;
                return painted;
            }"""
        )
        for name in CHARTS
    }


def _keep(path: Path, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / f"{name}.png")


def test_the_district_screen_draws_every_chart_and_drills_down(screen, street_year):
    page = screen
    log_in(page, demo.LOGINS[0].phone)  # 王建国, district manager
    page.goto(page.base + "/workbench/insights/screen/")
    assert "和平区数据大屏" in page.locator("h1").inner_text()
    painted = _drawn(page)
    assert all(count > 500 for count in painted.values()), painted
    assert "积分" in page.locator("#kpis").inner_text()
    _keep(screenshot(page, "insights-screen-district"), "district-1920")

    page.get_by_test_id("drill").filter(has_text="五大道街道").click()
    page.wait_for_load_state()
    assert "五大道街道数据大屏" in page.locator("h1").inner_text()
    assert all(count > 500 for count in _drawn(page).values())
    drills = page.get_by_test_id("drill")
    assert drills.count() == 3
    _keep(screenshot(page, "insights-screen-street"), "street-1920")

    drills.filter(has_text="三盛里社区").click()
    page.wait_for_load_state()
    assert "三盛里社区数据大屏" in page.locator("h1").inner_text()
    assert all(count > 500 for count in _drawn(page).values())
    # The way back up names the street and the district.
    assert page.get_by_test_id("up").all_inner_texts() == ["和平区", "五大道街道"]
    _keep(screenshot(page, "insights-screen-community"), "community-1920")


def test_a_laptop_shows_the_same_screen_scaled(browser, live_server, street_year):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN"
    )
    page = context.new_page()
    page.base = live_server.url
    log_in(page, demo.LOGINS[1].phone)  # the street manager
    page.goto(page.base + "/workbench/insights/screen/")
    page.locator("#screen[data-drawn=yes]").wait_for()
    box = page.locator("#screen").bounding_box()
    assert box["width"] <= 1366 and box["height"] <= 768
    _keep(screenshot(page, "insights-screen-laptop"), "street-laptop")
    context.close()


def test_the_comparison_sets_communities_side_by_side(page, street_year):
    log_in(page, demo.LOGINS[1].phone)
    page.goto(page.base + "/workbench/insights/compare/")
    for name in ("三盛里社区", "裕华园社区", "团结巷社区"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="对比").click()
    table = page.get_by_test_id("compare-table")
    assert "积分发放" in table.inner_text()
    assert table.locator("thead th").count() == 4
    _keep(screenshot(page, "insights-compare"), "compare")
