"""The request pages on a 375 px phone: a long pasted URL wraps, the desk
turns into cards with each request's description, the team sees who and
where at once (the place in full, the resident's and the 办结 photos
apart, the steps before the history, a number to call), the rating's
circles sit beside their answers, and so do the activity form's 节日."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from gongzhi.core import crypto
from gongzhi.requests import services
from gongzhi.requests.tests.conftest import (
    hours,
    photo,
    raise_wall,
    world,  # noqa: F401
)

from .conftest import assert_fits_phone, log_in, screenshot
from .test_requests import _step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESIDENT = "13800000009"
STAFF = "13800000004"
UNIT = "13800000008"
PHONE = "13912345678"
URL = "https://example.org/" + "a1b2c3d4e5" * 18
SHOTS = Path("/tmp/shots-ui")


def _shot(page, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _resolved_with_photos(world):  # noqa: F811
    world.zhou.phone_encrypted = crypto.encrypt(PHONE)
    world.zhou.save(update_fields=["phone_encrypted"])
    item = raise_wall(
        world,
        now=hours(0),
        description=f"围墙倾斜，照片和说明见 {URL}",
        photos=[photo("wall.png", size=(64, 48))],
    )
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.1)
    )
    return item


def _same_line(page, box_selector: str, text: str) -> None:
    """The circle or box and its answer share one line."""
    label = page.locator("label").filter(has_text=re.compile(rf"^\s*{text}\s*$")).first
    box = label.locator(box_selector)
    lb, bb = label.bounding_box(), box.bounding_box()
    assert (
        bb["y"] >= lb["y"] - 1 and bb["y"] + bb["height"] <= lb["y"] + lb["height"] + 1
    )
    assert bb["x"] < lb["x"] + 40  # the box leads its own line


def test_the_team_works_a_request_on_a_phone(
    phone_page,
    media,
    world,  # noqa: F811
):
    item = _resolved_with_photos(world)
    phone = phone_page
    log_in(phone, UNIT)
    phone.goto(phone.base + "/workbench/requests/mine/")
    place = f"{world.areas['estate'].name} {world.areas['building'].name}"
    expect(phone.get_by_test_id("place").first).to_contain_text(place)
    assert_fits_phone(phone)
    _shot(phone, "requests-mine-places-phone")

    phone.goto(phone.base + f"/workbench/requests/{item.pk}/")
    expect(phone.get_by_test_id("description")).to_contain_text("a1b2c3d4e5")
    assert_fits_phone(phone)
    expect(phone.get_by_test_id("place")).to_contain_text(place)
    expect(phone.get_by_test_id("photos-report")).to_contain_text("居民上传的照片")
    steps = phone.get_by_test_id("steps").bounding_box()
    timeline = phone.get_by_test_id("timeline").bounding_box()
    assert steps["y"] < timeline["y"]
    assert steps["y"] < 2 * 740  # within the first two screens
    phone.get_by_test_id("show-phone").click()
    call = phone.get_by_test_id("call")
    expect(call).to_have_text(PHONE)
    assert call.get_attribute("href") == f"tel:{PHONE}"
    assert_fits_phone(phone)
    _shot(phone, "requests-detail-team-phone")

    # 办结 with a photo: the two groups are labelled apart.
    _step(phone, "接单").locator("button[type=submit]").click()
    expect(phone.locator(".messages")).to_contain_text("接单")
    opened = _step(phone, "办结")
    opened.locator("textarea[name=resolution]").fill("已加固围墙")
    opened.locator("input[type=file]").set_input_files(
        files=[{"name": "done.png", "mimeType": "image/png", "buffer": _png()}]
    )
    opened.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("photos-result")).to_contain_text("办结照片")
    expect(phone.get_by_test_id("photos-report")).to_contain_text("居民上传的照片")
    assert_fits_phone(phone)
    _shot(phone, "requests-detail-photos-phone")

    # She rates it: each circle beside its answer.
    phone.context.clear_cookies()
    log_in(phone, RESIDENT)
    phone.goto(phone.base + f"/portal/requests/{item.pk}/")
    expect(phone.locator("main")).to_contain_text("a1b2c3d4e5")
    for answer in ("满意", "基本满意", "不满意"):
        _same_line(phone, "input[type=radio]", answer)
    assert_fits_phone(phone)
    _shot(phone, "requests-rate-radios-phone")


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 40)).save(out, "PNG")
    return out.getvalue()


def test_the_desk_fits_a_phone_with_each_description(
    phone_page,
    world,  # noqa: F811
):
    raise_wall(world, now=hours(0), description=f"围墙倾斜 {URL}")
    raise_wall(
        world, now=hours(1), description="楼道灯不亮", area=world.areas["household"]
    )
    phone = phone_page
    log_in(phone, STAFF)
    phone.goto(phone.base + "/workbench/requests/")
    queue = phone.get_by_test_id("queue")
    expect(queue).to_contain_text("楼道灯不亮")
    expect(queue).to_contain_text("围墙倾斜")
    household = world.areas["household"]
    expect(queue).to_contain_text(f"{world.areas['estate'].name} ")
    expect(queue).to_contain_text(household.name)
    assert_fits_phone(phone)
    _shot(phone, "requests-desk-phone")
    phone.locator("details.more > summary").first.click()
    expect(queue).to_contain_text("a1b2c3d4e5a1b2c3d4e5")
    assert_fits_phone(phone)
    _shot(phone, "requests-desk-description-phone")


def test_the_activity_forms_festivals_sit_beside_their_boxes(
    phone_page,
    world,  # noqa: F811
):
    phone = phone_page
    log_in(phone, STAFF)
    phone.goto(phone.base + "/workbench/activities/new/")
    expect(phone.locator("input[name=festivals]").first).to_be_attached()
    for festival in ("春节", "元宵节", "中秋节"):
        _same_line(phone, "input[type=checkbox]", festival)
    assert_fits_phone(phone)
    _shot(phone, "activity-festivals-phone")


def test_her_own_request_is_not_offered_to_follow(
    phone_page,
    world,  # noqa: F811
):
    raise_wall(world, now=hours(0))
    phone = phone_page
    log_in(phone, RESIDENT)
    phone.goto(phone.base + "/portal/requests/new/")
    phone.locator("#id_category").select_option(label="墙体维修")
    phone.locator("#id_area").select_option(label="航院小区 1号楼")
    panel = phone.get_by_test_id("duplicates")
    expect(panel.get_by_test_id("own")).to_have_text("我提交的")
    expect(panel).not_to_contain_text("关注这条")
    phone.locator("#id_description").fill(URL)
    assert_fits_phone(phone)
    _shot(phone, "requests-raise-own-duplicate-phone")
