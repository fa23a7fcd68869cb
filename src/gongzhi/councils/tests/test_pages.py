"""The pages people use: the chair runs a meeting in the workbench, a
resident suggests and votes on her phone, anyone reads the public page."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gongzhi.councils.models import Ballot, Objection, Suggestion
from gongzhi.councils.services import meetings, suggestions, topics, votes

from .conftest import VOTING, present


def test_the_chair_runs_a_meeting_from_her_page(client, hall):
    client.force_login(hall.staff)
    url = f"/workbench/councils/meetings/{hall.meeting.pk}/"
    page = client.get(url).content.decode()
    assert "十一月议事会" in page and "航院小区物业费调整" in page
    act = url + "act/"
    for key in VOTING:
        client.post(act, {"action": "present", "seat": hall.seats[key].pk})
    live = client.get(url + "live/").content.decode()
    assert "7" in live and "Quorum is met" in live or "法定人数" in live
    client.post(act, {"action": "vote", "topic": hall.topic.pk})
    vote = hall.meeting.votes.get()
    client.post(act, {"action": "vote_open", "vote": vote.pk})
    for key in ("party", "committee", "owners", "unit"):
        client.post(
            act,
            {
                "action": "ballot",
                "vote": vote.pk,
                "seat": hall.seats[key].pk,
                "choice": "yes",
            },
        )
    assert Ballot.objects.filter(vote=vote).count() == 4
    client.post(act, {"action": "vote_close", "vote": vote.pk})
    client.post(act, {"action": "minutes", "text": "一、物业费调整：通过"})
    client.post(act, {"action": "close"})
    hall.topic.refresh_from_db()
    assert hall.topic.status == "passed"
    minutes_page = client.get(url + "minutes/").content.decode()
    assert "物业费调整：通过" in minutes_page
    notice = client.get(url + "notice/").content.decode()
    assert "三盛里党群服务中心" in notice and "print.css" in notice


def test_a_refusal_on_a_page_names_the_field(client, hall):
    client.force_login(hall.staff)
    url = f"/workbench/councils/meetings/{hall.meeting.pk}/"
    response = client.post(
        url + "act/",
        {"action": "decide", "topic": hall.topic.pk, "outcome": "passed"},
        follow=True,
    )
    text = response.content.decode()
    assert "Quorum" in text or "法定人数" in text
    hall.topic.refresh_from_db()
    assert hall.topic.status == "scheduled"


def test_the_check_in_code_page_shows_a_qr_for_the_phone(client, hall):
    client.force_login(hall.staff)
    page = client.get(f"/workbench/councils/meetings/{hall.meeting.pk}/code/")
    link = re.search(r'data-link="([^"]+)"', page.content.decode()).group(1)
    member = hall.holders["committee"].user
    client.force_login(member)
    path = link.split("testserver", 1)[1].replace("&amp;", "&")
    code = path.split("c=", 1)[1]
    client.post(path.split("?")[0], {"c": code})
    assert hall.meeting.presences.filter(seat=hall.seats["committee"]).exists()


def test_a_resident_suggests_and_supports_on_her_phone(client, world, collection):
    client.force_login(world.resident)
    home = client.get("/portal/councils/").content.decode()
    assert "航院小区改造建议征集" in home
    url = f"/portal/councils/collections/{collection.pk}/"
    client.post(url, {"text": "小区内围墙生锈"})
    mine = Suggestion.objects.get(collection=collection)
    from .conftest import resident

    neighbour = resident("13900000301", "邻居", world.areas["neighbour_household"])
    client.force_login(neighbour.user)
    page = client.get(url).content.decode()
    assert "小区内围墙生锈" in page
    client.post(f"/portal/councils/suggestions/{mine.pk}/support/")
    mine.refresh_from_db()
    assert mine.supports == 1


def test_a_resident_of_another_community_does_not_see_the_collection(
    client, world, collection
):
    from .conftest import resident

    outsider = resident("13900000302", "外社区", world.areas["other_household"])
    client.force_login(outsider.user)
    response = client.get(f"/portal/councils/collections/{collection.pk}/")
    assert response.status_code == 404


def test_a_member_votes_on_her_phone(client, hall):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    client.force_login(hall.holders["committee"].user)
    assert "航院小区物业费调整" in client.get("/portal/councils/").content.decode()
    client.post(f"/portal/councils/votes/{vote.pk}/", {"choice": "no"})
    client.post(f"/portal/councils/votes/{vote.pk}/", {"choice": "yes"})
    assert list(Ballot.objects.filter(vote=vote).values_list("choice", flat=True)) == [
        "no"
    ]


@pytest.fixture
def publicised(hall):
    present(hall, *VOTING)
    vote = votes.vote_create(
        meeting=hall.meeting, topic=hall.topic, secret=True, by=hall.staff
    )
    votes.vote_open(vote=vote, by=hall.staff)
    for key in ("party", "committee", "owners"):
        votes.ballot_cast(vote=vote, choice="yes", by=hall.holders[key].user)
    votes.ballot_cast(vote=vote, choice="no", by=hall.holders["unit"].user)
    votes.vote_close(vote=vote, by=hall.staff)
    meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    topics.topic_step(topic=hall.topic, action="publicise", by=hall.staff)
    return hall


def test_the_public_page_needs_no_login_and_names_no_voter(client, publicised):
    community = publicised.world.community
    page = client.get(f"/public/councils/{community.pk}/").content.decode()
    assert "航院小区物业费调整" in page
    detail = client.get(
        f"/public/councils/{community.pk}/topics/{publicised.topic.pk}/"
    ).content.decode()
    assert re.search(r"3\D+1\D+0", detail)  # yes 3, no 1, abstain 0
    for key in ("committee", "owners", "unit"):
        assert publicised.holders[key].name not in detail


def test_a_resident_objects_during_the_notice_and_staff_see_it(client, publicised):
    w = publicised.world
    client.force_login(w.resident)
    url = f"/public/councils/{w.community.pk}/topics/{publicised.topic.pk}/"
    client.post(url, {"text": "物业费涨得太多"})
    objection = Objection.objects.get()
    client.force_login(w.staff)
    desk = client.get("/workbench/councils/").content.decode()
    assert "物业费涨得太多" in desk
    todo = client.get("/workbench/").content.decode()
    assert "待答复的议事异议" in todo
    client.post(
        f"/workbench/councils/topics/{publicised.topic.pk}/act/",
        {"action": "answer", "objection": objection.pk, "answer": "按评估价调整"},
    )
    objection.refresh_from_db()
    assert objection.answer == "按评估价调整"


def test_an_objection_after_the_notice_is_refused(client, publicised):
    from gongzhi.core.errors import TransitionNotAllowed
    from gongzhi.councils.services import publicity

    later = timezone.now() + dt.timedelta(days=30)
    with pytest.raises(TransitionNotAllowed):
        publicity.objection_raise(
            topic=publicised.topic, text="晚了", by=publicised.world.resident, now=later
        )
    assert not Objection.objects.exists()


def test_workbench_pages_answer(client, hall, collection):
    client.force_login(hall.staff)
    suggestions.suggestion_send(
        collection=collection, text="加装路灯", by=hall.world.resident
    )
    for url in [
        "/workbench/councils/",
        "/workbench/councils/collections/new/",
        f"/workbench/councils/collections/{collection.pk}/",
        "/workbench/councils/topics/new/",
        f"/workbench/councils/topics/{hall.topic.pk}/",
        "/workbench/councils/councils/new/",
        f"/workbench/councils/councils/{hall.council.pk}/",
    ]:
        assert client.get(url).status_code == 200, url
