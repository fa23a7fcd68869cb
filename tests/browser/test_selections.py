"""Selections in a browser: a resident nominating a neighbour and voting
on her phone; staff reviewing, opening and closing a vote at the
workbench; the public honour roll on a 375 px phone."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.residents.models import Person
from gongzhi.selections.models import Ballot, Nomination
from gongzhi.selections.services import nominations, running, voting
from gongzhi.selections.services.kinds import kinds_ensure

from .conftest import assert_fits_phone, log_in, screenshot

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-selections")
RESIDENT = "13800000009"
STAFF = "13800000004"


def shot(page, name):
    path = screenshot(page, f"selections-{name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / path.name).write_bytes(path.read_bytes())


def _selection(areas, **extra):
    kinds = {k.code: k for k in kinds_ensure(areas["street"])}
    now = timezone.now()
    return running.selection_create(
        kind=kinds["good_people"],
        area=areas["community"],
        title="三盛里社区身边好人评选",
        year=now.year,
        vote_opens=now - dt.timedelta(hours=1),
        vote_closes=now + dt.timedelta(days=7),
        by=user_find_by_phone(phone=STAFF),
        **extra,
    )


def _neighbour(areas):
    return Person.objects.filter(household=areas["neighbour_household"]).first()


def test_a_resident_nominates_her_neighbour_and_votes_on_her_phone(
    phone_page, demo_people, areas
):
    selection = _selection(areas)
    neighbour = _neighbour(areas)
    page = phone_page
    log_in(page, RESIDENT)
    page.goto(page.base + "/portal/")
    page.get_by_test_id("selections-link").click()
    page.get_by_role("link", name=selection.title).click()
    page.get_by_test_id("nominate").click()
    page.get_by_label("楼栋 / 单元").select_option(label="航院小区 1号楼 1单元")
    page.get_by_label("房号").fill("102")
    page.get_by_label("被提名人姓名").fill(neighbour.name)
    page.get_by_label("事迹").fill("楼里停水时挨家挨户送水，还自费修好了单元门禁。")
    assert_fits_phone(page)
    shot(page, "portal-nominate")
    page.get_by_test_id("submit").click()
    page.wait_for_load_state()
    assert f"我们会征求{neighbour.name}本人的意见" in page.content()
    made = Nomination.objects.get(selection=selection)
    assert (made.person, made.source, made.status) == (neighbour, "neighbour", "asked")

    staff = user_find_by_phone(phone=STAFF)
    nominations.nomination_act(nomination=made, action="consent", by=staff)
    nominations.nomination_act(nomination=made, action="approve", by=staff)
    running.vote_open(selection=selection, by=staff)

    page.reload()
    ballot = page.get_by_test_id("ballot")
    ballot.get_by_label(neighbour.name).check()
    assert_fits_phone(page)
    shot(page, "portal-ballot")
    page.get_by_test_id("cast").click()
    page.wait_for_load_state()
    assert "感谢您的投票" in page.content()
    assert page.get_by_test_id("voted").is_visible()
    assert Ballot.objects.filter(selection=selection).count() == 1


def test_staff_review_open_and_close_a_vote(page, demo_people, areas):
    selection = _selection(areas, seats=1)
    staff = user_find_by_phone(phone=STAFF)
    people = list(
        Person.objects.filter(
            household__path__within=areas["entrance"].path, user__isnull=True
        ).order_by("pk")[:2]
    )
    made = [
        nominations.nomination_create(
            selection=selection, by=staff, person=person, story="热心帮助独居老人"
        )
        for person in people
    ]
    for nomination in made:
        nominations.nomination_act(nomination=nomination, action="consent", by=staff)
    log_in(page, STAFF)
    page.goto(page.base + "/workbench/selections/")
    page.get_by_role("link", name=selection.title).click()
    for person in people:
        page.get_by_test_id("nominations").get_by_role("link", name=person.name).click()
        page.get_by_label("评价意见").fill("事迹经走访核实")
        page.get_by_role("button", name="添加意见").click()
        page.get_by_test_id("approve").click()
        page.wait_for_load_state()
        assert page.get_by_test_id("status").inner_text() == "候选人"
        page.get_by_role("link", name=f"‹ {selection.title}").click()
    shot(page, "workbench-review")
    page.get_by_role("button", name="开始投票").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "投票"
    resident = user_find_by_phone(phone=RESIDENT)
    voting.ballot_cast(selection=selection, by=resident, choices=[made[1].pk])
    page.get_by_test_id("close-vote").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "公示中"
    table = page.get_by_test_id("nominations").inner_text()
    assert "入选公示" not in table and "公示中" in table and "未入选" in table
    shot(page, "workbench-closed")
    made[1].refresh_from_db()
    assert made[1].status == "publicity" and made[1].rank == 1


def _png():
    out = io.BytesIO()
    Image.new("RGB", (240, 240), (200, 40, 40)).save(out, "PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_the_public_roll_on_a_phone(phone_page, page, demo_people, areas):
    selection = _selection(areas, seats=1)
    staff = user_find_by_phone(phone=STAFF)
    person = _neighbour(areas)
    made = nominations.nomination_create(
        selection=selection,
        by=staff,
        person=person,
        story="二十年如一日照顾瘫痪在床的婆婆，邻里都称她是孝顺媳妇。",
        photos=[_png()],
    )
    nominations.nomination_act(nomination=made, action="consent", by=staff)
    nominations.nomination_act(nomination=made, action="approve", by=staff)
    running.vote_open(selection=selection, by=staff)
    closed = running.vote_close(selection=selection, by=staff)
    running.honour(selection=closed, by=staff, now=closed.publicity_ends)

    phone_page.goto(phone_page.base + f"/honours/{areas['community'].pk}/")
    roll = phone_page.get_by_test_id("roll")
    assert person.name in roll.inner_text()
    assert "孝顺媳妇" in roll.inner_text()
    assert f"{selection.year} · 身边好人" in phone_page.content()
    assert roll.locator("img").first.evaluate("i => i.naturalWidth") == 240
    assert_fits_phone(phone_page)
    shot(phone_page, "public-roll")

    log_in(page, STAFF)
    page.goto(page.base + f"/workbench/selections/nominations/{made.pk}/certificate/")
    assert person.name in page.get_by_test_id("certificate").inner_text()
    shot(page, "certificate")
    page.emulate_media(media="print")
    assert not page.locator(".topbar").is_visible()
    assert page.get_by_test_id("certificate").is_visible()
