"""The workbench and portal pages as people use them."""

from gongzhi.selections.models import Nomination, NominationPhoto
from gongzhi.selections.services import running
from gongzhi.selections.tests.test_flow import candidate
from gongzhi.selections.tests.test_public import png


def test_staff_nominate_with_a_photo_and_review_on_the_workbench(client, world, areas):
    client.force_login(world.staff)
    url = f"/workbench/selections/{world.selection.pk}/nominate/"
    assert "航院小区 1号楼 1单元" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "place": areas["entrance"].pk,
            "room": "102",
            "name": "王秀梅",
            "story": "坚持为独居老人送餐",
            "photos": [png()],
        },
    )
    made = Nomination.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{made.pk}/")
    assert NominationPhoto.objects.filter(nomination=made).count() == 1
    page = client.get(response.url).content.decode()
    assert "坚持为独居老人送餐" in page and "/workbench/selections/photos/" in page
    photo = made.photos.get()
    assert client.get(f"/workbench/selections/photos/{photo.pk}/").status_code == 200
    act = f"/workbench/selections/nominations/{made.pk}/act/"
    client.post(act, {"action": "consent"})
    client.post(act, {"action": "comment", "comment": "属实", "eligible": "1"})
    client.post(act, {"action": "approve"})
    made.refresh_from_db()
    assert made.status == "candidate" and made.comments.count() == 1


def test_a_bad_nominee_on_the_form_is_shown_on_its_field(client, world, areas):
    client.force_login(world.staff)
    response = client.post(
        f"/workbench/selections/{world.selection.pk}/nominate/",
        {"place": areas["entrance"].pk, "room": "102", "name": "不在册", "story": "x"},
    )
    assert response.status_code == 200
    assert "该住址没有登记此姓名的居民。" in response.content.decode()
    assert not Nomination.objects.exists()


def test_the_portal_shows_the_ballot_and_refuses_too_many(client, world, areas):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    world.selection.per_ballot = 1
    world.selection.save()
    running.vote_open(selection=world.selection, by=world.staff)
    client.force_login(world.resident)
    page = f"/portal/selections/{world.selection.pk}/"
    assert "王秀梅" in client.get(page).content.decode()
    response = client.post(
        f"/portal/selections/{world.selection.pk}/vote/",
        {"choices": [zhou.pk, wang.pk]},
        follow=True,
    )
    assert "每张选票最多选 1 名。" in response.content.decode()
    assert not world.selection.ballots.exists()


def test_the_portal_speaks_chinese_and_english(client, world, settings):
    client.force_login(world.resident)
    assert "社区和街道的评选" in client.get("/portal/selections/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get("/portal/selections/").content.decode()
    assert "Selections here" in text and "社区和街道的评选" not in text
