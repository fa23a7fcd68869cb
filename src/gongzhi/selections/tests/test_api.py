"""The selections API end to end, and the issue's bad inputs: each refused
with a clear message in Chinese naming the field, nothing changed."""

import datetime as dt

from django.utils import timezone, translation

from gongzhi.selections.models import Ballot, Nomination, Objection, Selection
from gongzhi.selections.services import nominations, running, voting
from gongzhi.selections.tests.conftest import voter
from gongzhi.selections.tests.test_flow import candidate

S = "/api/v1/selections"


def zh(msgid: str, **values) -> str:
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % values if values else text


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _voting(world, **fields):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    if fields:
        Selection.objects.filter(pk=world.selection.pk).update(**fields)
    running.vote_open(selection=world.selection, by=world.staff)
    return zhou, wang


def test_staff_set_up_a_selection_and_read_it(api_client, world, areas):
    api_client.login_api(world.staff)
    made = post(
        api_client,
        f"{S}/areas/{areas['community'].pk}/selections",
        {
            "kind_id": world.kinds["civilised_family"].pk,
            "title": "三盛里社区文明家庭",
            "year": 2026,
            "vote_opens": "2026-12-20T09:00:00+08:00",
            "vote_closes": "2026-12-27T18:00:00+08:00",
            "public_weight": 60,
            "committee_ids": [world.secretary.pk],
        },
    )
    assert made.status_code == 201, made.json()
    body = api_client.get(f"{S}/{made.json()['id']}").json()
    assert body["nominee_type"] == "household" and body["committee_weight"] == 40
    assert [s["action"] for s in body["steps"]] == ["create"]


def test_a_weight_out_of_range_is_refused_naming_it(api_client, world, areas):
    api_client.login_api(world.staff)
    before = Selection.objects.count()
    response = post(
        api_client,
        f"{S}/areas/{areas['community'].pk}/selections",
        {
            "kind_id": world.kinds["good_people"].pk,
            "title": "权重错误",
            "year": 2026,
            "vote_opens": "2026-12-20T09:00:00+08:00",
            "vote_closes": "2026-12-27T18:00:00+08:00",
            "public_weight": 160,
        },
    )
    assert response.status_code == 400
    assert response.json()["field"] == "public_weight"
    assert Selection.objects.count() == before


def test_a_resident_nominates_a_neighbour_by_address(api_client, world, areas):
    api_client.login_api(world.resident)
    response = post(
        api_client,
        f"{S}/me/{world.selection.pk}/nominations",
        {
            "story": "帮邻居修好了水管",
            "place_id": areas["entrance"].pk,
            "room": "102",
            "name": "王秀梅",
        },
    )
    assert response.status_code == 201
    assert response.json()["status"] == "asked"
    assert response.json()["source"] == "neighbour"


def test_nominating_someone_not_in_the_registry_is_refused(api_client, world, areas):
    api_client.login_api(world.resident)
    response = post(
        api_client,
        f"{S}/me/{world.selection.pk}/nominations",
        {"story": "x", "place_id": areas["entrance"].pk, "room": "102", "name": "无名"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": zh("Nobody of this name is registered at this address."),
        "field": "name",
    }
    assert not Nomination.objects.exists()


def test_guessing_who_lives_where_is_stopped_after_ten_wrong_names(
    api_client, world, areas
):
    """A refusal says whether a name is registered at an address, so wrong
    guesses are counted: the eleventh try in an hour is refused outright,
    even with the right name, and nothing is written."""
    from gongzhi.selections.services.nominations import LOOKUP_MISSES

    api_client.login_api(world.resident)
    url = f"{S}/me/{world.selection.pk}/nominations"
    address = {"story": "x", "place_id": areas["entrance"].pk, "room": "102"}
    for n in range(LOOKUP_MISSES):
        missed = post(api_client, url, {**address, "name": f"猜{n}"})
        assert missed.status_code == 400 and missed.json()["field"] == "name"
    stopped = post(api_client, url, {**address, "name": "王秀梅"})
    assert stopped.status_code == 429
    assert stopped.json() == {
        "detail": zh("Too many tries. Please wait a while and try again."),
        "field": "name",
    }
    assert not Nomination.objects.exists()
    # Another login is not held up by her guesses.
    api_client.login_api(world.staff)
    other = post(api_client, url.replace("/me", ""), {**address, "name": "王秀梅"})
    assert other.status_code == 201


def test_nominating_someone_outside_the_area_is_refused(api_client, world, areas):
    api_client.login_api(world.staff)
    response = post(
        api_client,
        f"{S}/{world.selection.pk}/nominations",
        {"story": "x", "person_id": world.outsider.pk},
    )
    # Out of the staff's sight is "not found", naming the field.
    assert response.status_code == 400 and response.json()["field"] == "person_id"
    api_client.login_api(world.resident)
    from gongzhi.areas.models import Area

    other_entrance = Area.objects.get_parent(areas["other_household"])
    response = post(
        api_client,
        f"{S}/me/{world.selection.pk}/nominations",
        {"story": "x", "place_id": other_entrance.pk, "room": "101", "name": "李春来"},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": zh("Choose a place within this selection's area."),
        "field": "place",
    }
    assert not Nomination.objects.exists()


def test_a_second_ballot_is_refused(api_client, world):
    zhou, _wang = _voting(world, ballot_changeable=False)
    api_client.login_api(world.resident)
    url = f"{S}/me/{world.selection.pk}/ballot"
    assert post(api_client, url, {"choices": [zhou.pk]}).status_code == 201
    again = post(api_client, url, {"choices": [zhou.pk]})
    assert again.status_code == 409
    assert again.json() == {
        "detail": zh("You have already voted in this selection."),
        "field": "choices",
    }
    assert Ballot.objects.count() == 1


def test_too_many_choices_are_refused(api_client, world):
    zhou, wang = _voting(world, per_ballot=1)
    api_client.login_api(world.resident)
    response = post(
        api_client,
        f"{S}/me/{world.selection.pk}/ballot",
        {"choices": [zhou.pk, wang.pk]},
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": zh("At most %(n)d choices on one ballot.", n=1),
        "field": "choices",
    }
    assert not Ballot.objects.exists()


def test_a_vote_outside_the_window_is_refused(api_client, world):
    zhou, _wang = _voting(world)
    Selection.objects.filter(pk=world.selection.pk).update(
        vote_closes=timezone.now() - dt.timedelta(minutes=1),
        vote_opens=timezone.now() - dt.timedelta(days=1),
    )
    api_client.login_api(world.resident)
    response = post(
        api_client, f"{S}/me/{world.selection.pk}/ballot", {"choices": [zhou.pk]}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": zh("Voting is not open now."),
        "field": "selection",
    }
    assert not Ballot.objects.exists()


def test_a_vote_from_outside_the_area_is_refused(api_client, world, areas):
    zhou, _wang = _voting(world)
    outsider = voter(areas["other_household"], "李春来", "13900008888")
    api_client.login_api(outsider.user)
    response = post(
        api_client, f"{S}/me/{world.selection.pk}/ballot", {"choices": [zhou.pk]}
    )
    assert response.status_code == 404  # not her selection: it is not there
    assert not Ballot.objects.exists()
    refusal = voting_refusal(world, outsider.user, zhou)
    assert str(refusal.message) == zh("You do not live within this selection's area.")


def voting_refusal(world, user, nomination):
    try:
        voting.ballot_cast(selection=world.selection, by=user, choices=[nomination.pk])
    except Exception as exc:  # noqa: BLE001 - the refusal is what is checked
        return exc
    raise AssertionError("the ballot was cast")


def _publicised(world):
    zhou, _wang = _voting(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    closed = running.vote_close(selection=world.selection, by=world.staff)
    zhou.refresh_from_db()
    return zhou, closed


def test_an_objection_after_publicity_closed_is_refused(api_client, world, users):
    zhou, _closed = _publicised(world)
    Selection.objects.filter(pk=world.selection.pk).update(
        publicity_ends=timezone.now() - dt.timedelta(minutes=1)
    )
    api_client.login_api(users["grid_worker"])
    response = post(
        api_client, f"{S}/nominations/{zhou.pk}/objections", {"reason": "事迹不实"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": zh("Publicity has closed; objections are no longer taken."),
        "field": "nomination",
    }
    assert not Objection.objects.exists()


def test_a_withdrawn_nominee_is_not_on_the_roll(api_client, world, areas):
    zhou, closed = _publicised(world)
    api_client.login_api(world.staff)
    response = post(
        api_client,
        f"{S}/nominations/{zhou.pk}/act",
        {"action": "withdraw", "reason": "经核实有误"},
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    roll = api_client.get(f"{S}/roll/{areas['community'].pk}")
    assert roll.json() == []
    # Honouring it now is refused by the table, and changes nothing.
    again = post(api_client, f"{S}/nominations/{zhou.pk}/act", {"action": "approve"})
    assert again.status_code == 409 and again.json()["field"] == "status"
    zhou.refresh_from_db()
    assert zhou.status == "withdrawn"


def test_results_are_hidden_until_the_vote_closes(api_client, world):
    zhou, _wang = _voting(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    api_client.login_api(world.staff)
    hidden = api_client.get(f"{S}/{world.selection.pk}/results").json()
    assert hidden["shown"] is False and hidden["results"] == []
    assert hidden["ballots"] == 1 and hidden["draw_value"] == ""
    running.vote_close(selection=world.selection, by=world.staff)
    shown = api_client.get(f"{S}/{world.selection.pk}/results").json()
    assert shown["shown"] and shown["draw_value"]
    assert {r["label"]: r["public_votes"] for r in shown["results"]}["周桂兰"] == 1


def test_the_nominee_declines_through_the_api_and_it_shows_nowhere(
    api_client, world, users
):
    made = nominations.nomination_create(
        selection=world.selection, by=world.staff, person=world.zhou, story="热心"
    )
    api_client.login_api(world.resident)
    asked = api_client.get(f"{S}/me").json()["asked"]
    assert [n["id"] for n in asked] == [made.pk]
    response = post(
        api_client, f"{S}/me/nominations/{made.pk}/answer", {"action": "decline"}
    )
    assert response.status_code == 200
    api_client.login_api(world.staff)
    assert api_client.get(f"{S}/nominations/{made.pk}").status_code == 404
    detail = api_client.get(f"{S}/{world.selection.pk}").json()
    assert detail["nominations"] == []
