"""The public pages and endpoints show only what is publicised: the
honoured on the roll, the winners on the 公示 page while it runs, their
photos; nothing in review, withdrawn or declined."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gongzhi.selections.models import Objection
from gongzhi.selections.services import nominations, running, voting
from gongzhi.selections.tests.test_flow import candidate


def png(name="p.png"):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


@pytest.fixture
def publicised(world):
    """周桂兰 in publicity with a photo; 王秀梅 nominated, still in review,
    with a photo too."""
    zhou = candidate(world, world.zhou)
    nominations.photos_add(nomination=zhou, photos=[png()], by=world.staff)
    wang = nominations.nomination_create(
        selection=world.selection,
        by=world.staff,
        person=world.wang,
        story="审核中的事迹",
        photos=[png()],
    )
    running.vote_open(selection=world.selection, by=world.staff)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    running.vote_close(selection=world.selection, by=world.staff)
    world.selection.refresh_from_db()
    zhou.refresh_from_db()
    return zhou, wang


def test_the_publicity_page_shows_the_winner_to_anyone(client, world, publicised):
    zhou, wang = publicised
    page = client.get(f"/honours/publicity/{world.selection.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "周桂兰" in text and "王秀梅" not in text
    assert world.selection.draw_secret in text  # the draw can be checked


def test_a_photo_is_public_only_once_publicised(client, world, publicised):
    zhou, wang = publicised
    shown = zhou.photos.get()
    hidden = wang.photos.get()
    assert client.get(f"/honours/photos/{hidden.pk}/").status_code == 404
    response = client.get(f"/honours/photos/{shown.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_objecting_needs_a_login_and_any_login_may(client, users, world, publicised):
    zhou, _wang = publicised
    url = f"/honours/nominations/{zhou.pk}/object/"
    response = client.post(url, {"reason": "不实"})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Objection.objects.exists()
    client.force_login(users["audit_admin"])  # no role on this place at all
    client.post(url, {"reason": "事迹有出入"})
    assert Objection.objects.get().reason == "事迹有出入"


def test_objecting_to_one_not_in_publicity_is_404(client, users, publicised):
    _zhou, wang = publicised
    client.force_login(users["staff"])
    response = client.post(f"/honours/nominations/{wang.pk}/object/", {"reason": "x"})
    assert response.status_code == 404
    assert not Objection.objects.exists()


def test_the_roll_lists_the_honoured_only(client, world, publicised, areas):
    zhou, _wang = publicised
    url = f"/honours/{areas['community'].pk}/"
    assert "周桂兰" not in client.get(url).content.decode()  # in publicity
    running.honour(
        selection=world.selection, by=world.staff, now=world.selection.publicity_ends
    )
    text = client.get(url).content.decode()
    assert "周桂兰" in text and "王秀梅" not in text
    street = client.get(f"/honours/{areas['street'].pk}/").content.decode()
    assert "周桂兰" in street
    other = client.get(f"/honours/{areas['other_community'].pk}/").content.decode()
    assert "周桂兰" not in other


def test_the_roll_is_only_for_communities_and_streets(client, areas):
    assert client.get(f"/honours/{areas['household'].pk}/").status_code == 404
    assert client.get("/honours/99999999/").status_code == 404


def test_the_roll_and_objection_endpoints_answer_any_login(
    api_client, users, world, publicised, areas
):
    zhou, _wang = publicised
    api_client.login_api(users["audit_admin"])
    roll = api_client.get(f"/api/v1/selections/roll/{areas['community'].pk}")
    assert roll.status_code == 200 and roll.json() == []
    made = api_client.post(
        f"/api/v1/selections/nominations/{zhou.pk}/objections",
        {"reason": "请核实"},
        content_type="application/json",
    )
    assert made.status_code == 201
    refused = api_client.post(
        f"/api/v1/selections/nominations/{_wang.pk}/objections",
        {"reason": "请核实"},
        content_type="application/json",
    )
    assert refused.status_code == 404
