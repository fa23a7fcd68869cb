"""The councils API: the same services and refusals as the pages, each a
``{"detail", "field"}`` answer that changes nothing."""

import datetime as dt

from django.utils import timezone

from gongzhi.councils.models import Ballot, Minutes, MinutesVersion, Suggestion
from gongzhi.councils.services import meetings, minutes, votes

from .conftest import VOTING, present, resident

A = "/api/v1/councils"


def _json(client, method, url, body=None):
    call = getattr(client, method)
    return call(url, body or {}, content_type="application/json")


def test_a_resident_sends_and_supports_through_the_api(api_client, world, collection):
    api_client.login_api(world.resident)
    made = api_client.post(
        f"{A}/me/collections/{collection.pk}/suggestions",
        {"text": "加装路灯"},
        HTTP_IDEMPOTENCY_KEY="phone-1",
    )
    assert made.status_code == 201, made.content
    again = api_client.post(
        f"{A}/me/collections/{collection.pk}/suggestions",
        {"text": "加装路灯"},
        HTTP_IDEMPOTENCY_KEY="phone-1",
    )
    assert again.json()["id"] == made.json()["id"]
    assert Suggestion.objects.count() == 1
    mine = api_client.get(f"{A}/me").json()
    assert [c["title"] for c in mine["collections"]] == ["航院小区改造建议征集"]
    assert mine["suggestions"][0]["text"] == "加装路灯"


def test_a_suggestion_outside_ones_area_answers_404(api_client, world, collection):
    outsider = resident("13900000501", "外社区", world.areas["other_household"])
    api_client.login_api(outsider.user)
    response = api_client.post(
        f"{A}/me/collections/{collection.pk}/suggestions", {"text": "越界"}
    )
    assert response.status_code == 404
    assert not Suggestion.objects.exists()


def test_the_chair_runs_a_vote_and_reads_the_live_tally(api_client, hall):
    api_client.login_api(hall.staff)
    m = hall.meeting.pk
    for key in VOTING:
        r = _json(
            api_client,
            "post",
            f"{A}/meetings/{m}/presence",
            {"seat_id": hall.seats[key].pk},
        )
        assert r.status_code == 200
    assert api_client.get(f"{A}/meetings/{m}").json()["quorum"]["met"] is True
    vote = _json(
        api_client, "post", f"{A}/meetings/{m}/votes", {"topic_id": hall.topic.pk}
    ).json()
    assert vote["recused"] == ["property"]
    assert api_client.post(f"{A}/votes/{vote['id']}/open").status_code == 200
    for key in ("party", "committee", "owners"):
        r = _json(
            api_client,
            "post",
            f"{A}/votes/{vote['id']}/ballots",
            {"choice": "yes", "seat_id": hall.seats[key].pk},
        )
        assert r.status_code == 201
    tally = api_client.get(f"{A}/votes/{vote['id']}").json()["tally"]
    assert (tally["yes"], tally["met"]) == (3, True)
    closed = api_client.post(f"{A}/votes/{vote['id']}/close").json()
    assert closed["result"] == "passed"


def test_a_vote_after_it_closed_is_refused(api_client, hall):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    votes.vote_close(vote=vote, by=hall.staff)
    api_client.login_api(hall.holders["party"].user)
    response = _json(
        api_client, "post", f"{A}/me/votes/{vote.pk}/ballot", {"choice": "yes"}
    )
    assert response.status_code == 409
    assert response.json()["field"] == "vote"
    assert not Ballot.objects.filter(vote=vote).exists()


def test_a_vote_before_it_opened_is_refused(api_client, hall):
    present(hall, *VOTING)
    vote = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    api_client.login_api(hall.holders["party"].user)
    response = _json(
        api_client, "post", f"{A}/me/votes/{vote.pk}/ballot", {"choice": "yes"}
    )
    assert response.status_code == 409
    assert response.json()["field"] == "vote"
    assert not Ballot.objects.exists()


def test_a_second_ballot_is_refused(api_client, hall):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    api_client.login_api(hall.holders["party"].user)
    url = f"{A}/me/votes/{vote.pk}/ballot"
    assert _json(api_client, "post", url, {"choice": "yes"}).status_code == 201
    second = _json(api_client, "post", url, {"choice": "no"})
    assert second.status_code == 409 and second.json()["field"] == "seat"
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["yes"]


def test_a_ballot_by_a_recused_seat_is_refused(api_client, hall):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    api_client.login_api(hall.holders["property"].user)
    response = _json(
        api_client, "post", f"{A}/me/votes/{vote.pk}/ballot", {"choice": "no"}
    )
    assert response.status_code == 400 and response.json()["field"] == "seat"
    assert not Ballot.objects.exists()


def test_a_ballot_by_a_non_member_is_not_found(api_client, hall, world):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    stranger = resident("13900000502", "路人", world.areas["neighbour_household"])
    api_client.login_api(stranger.user)
    response = _json(
        api_client, "post", f"{A}/me/votes/{vote.pk}/ballot", {"choice": "yes"}
    )
    assert response.status_code == 404
    assert not Ballot.objects.exists()


def test_a_decision_without_quorum_is_refused(api_client, hall):
    api_client.login_api(hall.staff)
    response = _json(
        api_client,
        "post",
        f"{A}/meetings/{hall.meeting.pk}/decide",
        {"topic_id": hall.topic.pk, "outcome": "passed"},
    )
    assert response.status_code == 409
    assert response.json()["field"] == "quorum"
    hall.topic.refresh_from_db()
    assert hall.topic.status == "scheduled"


def test_editing_final_minutes_is_refused(api_client, hall):
    present(hall, *VOTING)
    minutes.minutes_save(meeting=hall.meeting, text="纪要", by=hall.staff)
    meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    minutes.minutes_open_comments(meeting=hall.meeting, by=hall.staff)
    minutes.minutes_finalise(
        meeting=hall.meeting, by=hall.staff, now=timezone.now() + dt.timedelta(days=3)
    )
    api_client.login_api(hall.staff)
    response = _json(
        api_client, "put", f"{A}/meetings/{hall.meeting.pk}/minutes", {"text": "改一下"}
    )
    assert response.status_code == 409 and response.json()["field"] == "text"
    assert MinutesVersion.objects.filter(minutes__meeting=hall.meeting).count() == 2
    assert Minutes.objects.get(meeting=hall.meeting).status == "final"


def test_a_wrong_choice_and_a_bad_date_name_their_field(api_client, hall, world):
    api_client.login_api(hall.staff)
    bad = _json(
        api_client,
        "post",
        f"{A}/collections",
        {
            "area_id": world.community.pk,
            "title": "征集",
            "opens_on": "2026-12-31",
            "closes_on": "2026-12-01",
        },
    )
    assert bad.status_code == 400 and bad.json()["field"] == "closes_on"
    step = _json(
        api_client, "post", f"{A}/topics/{hall.topic.pk}/step", {"action": "explode"}
    )
    assert step.status_code == 400 and step.json()["field"] == "action"
