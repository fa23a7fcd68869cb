"""A selection from nomination to the honour roll, and what it refuses."""

import datetime as dt

import pytest

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.points.models import Award
from gongzhi.selections import selectors
from gongzhi.selections.models import (
    Ballot,
    Nomination,
    NominationStatus,
    Objection,
    SelectionStatus,
)
from gongzhi.selections.services import nominations, publicity, running, voting
from gongzhi.selections.services.running import commitment_of, draw_key

N = NominationStatus


def nominate(world, person, by, story="常年帮邻居买菜、送药"):
    return nominations.nomination_create(
        selection=world.selection, by=by, person=person, story=story
    )


def candidate(world, person, by=None):
    made = nominate(world, person, by or world.staff)
    if made.status == N.ASKED:
        made = nominations.nomination_act(
            nomination=made, action="consent", by=world.staff
        )
    return nominations.nomination_act(nomination=made, action="approve", by=world.staff)


def test_a_resident_nominating_her_neighbour_asks_the_neighbour_first(world):
    made = nominate(world, world.wang, world.resident)
    assert made.source == "neighbour" and made.status == N.ASKED
    assert [s["action"] for s in nominations.NOMINATION_FLOW.timeline(made)] == [
        "nominate"
    ]


def test_a_self_nomination_goes_straight_to_review(world):
    made = nominate(world, world.zhou, world.resident)
    assert (made.source, made.status) == ("self", N.REVIEW)


def test_a_declined_nomination_shows_nowhere_and_cannot_be_made_again(world):
    made = nominate(world, world.zhou, world.staff)
    nominations.nomination_act(nomination=made, action="decline", by=world.resident)
    assert selectors.nominations_of(world.selection) == []
    assert not selectors.nominations_in_scope(user=world.staff).filter(pk=made.pk)
    with pytest.raises(ValidationFailed) as refused:
        nominate(world, world.zhou, world.staff)
    assert refused.value.field == "nominee"


def test_only_the_nominee_or_staff_answer_for_the_nominee(world, users):
    made = nominate(world, world.wang, world.resident)
    with pytest.raises(NotAllowed):
        nominations.nomination_act(nomination=made, action="consent", by=users["unit"])
    made.refresh_from_db()
    assert made.status == N.ASKED


def test_a_second_nomination_of_the_same_nominee_merges_into_the_first(world):
    first = nominate(world, world.wang, world.resident, story="帮我修好了水管")
    again = nominate(world, world.wang, world.staff, story="社区活动的热心人")
    assert again.pk == first.pk and again.merged_on_create
    first.refresh_from_db()
    assert "帮我修好了水管" in first.story and "社区活动的热心人" in first.story
    assert Nomination.objects.filter(selection=world.selection).count() == 1


def test_nominating_someone_outside_the_area_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        nominate(world, world.outsider, world.staff)
    assert refused.value.field == "nominee"
    assert not Nomination.objects.exists()


def test_nominating_someone_not_in_the_registry_is_refused(world, areas):
    entrance = areas["entrance"]
    with pytest.raises(ValidationFailed) as refused:
        nominations.nominee_find(
            selection=world.selection, place=entrance, room="102", name="不存在的人"
        )
    assert refused.value.field == "name"
    found = nominations.nominee_find(
        selection=world.selection, place=entrance, room="102", name="王秀梅"
    )
    assert found == {"person": world.wang}


def test_a_place_outside_the_area_is_refused_when_naming_by_address(world, areas):
    from gongzhi.areas.models import Area

    other = Area.objects.get_parent(areas["other_household"])
    with pytest.raises(ValidationFailed) as refused:
        nominations.nominee_find(
            selection=world.selection, place=other, room="101", name="李春来"
        )
    assert refused.value.field == "place"


def test_a_committee_member_comments_and_an_outsider_may_not(world, users):
    made = nominate(world, world.zhou, world.resident)
    nominations.comment_add(
        nomination=made, by=world.secretary, eligible=True, comment="事迹属实"
    )
    with pytest.raises(NotAllowed):
        nominations.comment_add(
            nomination=made, by=users["unit"], eligible=True, comment="x"
        )
    assert made.comments.count() == 1


def _open(world):
    return running.vote_open(selection=world.selection, by=world.staff)


def test_the_vote_opens_with_a_published_commitment_and_unreviewed_lapse(world):
    zhou = candidate(world, world.zhou)
    waiting = nominate(world, world.wang, world.resident)
    opened = _open(world)
    assert opened.status == SelectionStatus.VOTING
    assert opened.draw_commitment == commitment_of(opened.draw_secret)
    zhou.refresh_from_db()
    waiting.refresh_from_db()
    assert (zhou.status, waiting.status) == (N.VOTING, N.NOT_SELECTED)


def test_the_vote_does_not_open_without_a_candidate(world):
    with pytest.raises(TransitionNotAllowed):
        _open(world)
    world.selection.refresh_from_db()
    assert world.selection.status == SelectionStatus.NOMINATING
    assert not world.selection.steps.filter(action="open_vote").exists()


def test_one_ballot_per_voter_changed_where_allowed(world):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    _open(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    again = voting.ballot_cast(
        selection=world.selection, by=world.resident, choices=[wang.pk]
    )
    assert again.changed
    assert Ballot.objects.count() == 1
    assert [c.nomination_id for c in again.choices.all()] == [wang.pk]


def test_a_second_ballot_is_refused_where_ballots_cannot_change(world):
    zhou = candidate(world, world.zhou)
    world.selection.ballot_changeable = False
    world.selection.save()
    _open(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    with pytest.raises(voting.AlreadyVoted):
        voting.ballot_cast(
            selection=world.selection, by=world.resident, choices=[zhou.pk]
        )
    assert Ballot.objects.count() == 1


def test_too_many_choices_are_refused_and_nothing_is_cast(world, areas):
    from gongzhi.points.tests.conftest import make_person

    people = [world.zhou, world.wang, make_person(areas["household"], "刘振华")]
    picked = [candidate(world, p).pk for p in people]
    _open(world)
    with pytest.raises(ValidationFailed) as refused:
        voting.ballot_cast(selection=world.selection, by=world.resident, choices=picked)
    assert refused.value.field == "choices"
    assert "2" in str(refused.value.message)
    assert not Ballot.objects.exists()


def test_a_vote_outside_the_window_or_the_area_is_refused(world, areas):
    from gongzhi.selections.tests.conftest import voter

    zhou = candidate(world, world.zhou)
    _open(world)
    late = world.selection.vote_closes + dt.timedelta(minutes=1)
    with pytest.raises(TransitionNotAllowed):
        voting.ballot_cast(
            selection=world.selection, by=world.resident, choices=[zhou.pk], now=late
        )
    outsider = voter(areas["other_household"], "李春来", "13900008888")
    with pytest.raises(NotAllowed):
        voting.ballot_cast(
            selection=world.selection, by=outsider.user, choices=[zhou.pk]
        )
    with pytest.raises(NotAllowed):  # staff are no registered residents
        voting.ballot_cast(selection=world.selection, by=world.staff, choices=[zhou.pk])
    assert not Ballot.objects.exists()


def test_a_burst_from_one_building_is_flagged_and_staff_decide(world, areas, settings):
    from gongzhi.selections.tests.conftest import voter

    settings.SELECTIONS_BURST_BALLOTS = 3
    zhou = candidate(world, world.zhou)
    _open(world)
    voters = [
        voter(areas["neighbour_household"], f"邻居{i}", f"1390000777{i}")
        for i in range(3)
    ]
    for person in voters:
        voting.ballot_cast(selection=world.selection, by=person.user, choices=[zhou.pk])
    flag = world.selection.flags.get()
    assert flag.kind == "building" and flag.ballots.count() == 3
    with pytest.raises(TransitionNotAllowed):
        running.vote_close(selection=world.selection, by=world.staff)
    voting.flag_decide(
        flag=flag, action="void", reason="同一时间集中投票", by=world.staff
    )
    assert Ballot.objects.filter(voided_at__isnull=False).count() == 3
    assert flag.steps.filter(action="void", note="同一时间集中投票").exists()


def test_the_count_blends_public_and_committee_and_breaks_ties_by_the_draw(world):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    _open(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    voting.committee_ballot_cast(
        selection=world.selection, by=world.staff, choices=[wang.pk]
    )
    voting.committee_ballot_cast(
        selection=world.selection, by=world.secretary, choices=[wang.pk]
    )
    closed = running.vote_close(selection=world.selection, by=world.staff)
    zhou.refresh_from_db()
    wang.refresh_from_db()
    # 周: 60 × 1/1 = 60; 王: 40 × 2/2 = 40. One seat.
    assert (zhou.score, wang.score) == (60, 40)
    assert (zhou.status, wang.status) == (N.PUBLICITY, N.NOT_SELECTED)
    assert closed.publicity_ends == closed.vote_closes + dt.timedelta(days=7)


def test_a_tie_is_broken_by_the_committed_draw(world):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    opened = _open(world)
    running.vote_close(selection=world.selection, by=world.staff)
    first = min([zhou, wang], key=lambda n: draw_key(opened.draw_secret, n.pk))
    first.refresh_from_db()
    assert first.status == N.PUBLICITY and first.drawn and first.rank == 1


def _in_publicity(world):
    zhou = candidate(world, world.zhou)
    _open(world)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    closed = running.vote_close(selection=world.selection, by=world.staff)
    zhou.refresh_from_db()
    return zhou, closed


def test_a_sustained_objection_withdraws_and_the_roll_says_nothing(world, users):
    zhou, closed = _in_publicity(world)
    objection = publicity.objection_raise(
        nomination=zhou, by=users["grid_worker"], reason="事迹与事实不符"
    )
    with pytest.raises(TransitionNotAllowed):  # objections first
        running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    publicity.objection_answer(
        objection=objection, action="sustain", answer="经核实属实", by=world.staff
    )
    zhou.refresh_from_db()
    assert zhou.status == N.WITHDRAWN
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    assert selectors.roll(world.community) == []
    assert not Award.objects.exists()


def test_an_objection_after_publicity_closed_is_refused(world, users):
    zhou, closed = _in_publicity(world)
    with pytest.raises(TransitionNotAllowed) as refused:
        publicity.objection_raise(
            nomination=zhou,
            by=users["grid_worker"],
            reason="迟到的异议",
            now=closed.publicity_ends,
        )
    assert refused.value.field == "nomination"
    assert not Objection.objects.exists()


def test_honouring_waits_for_publicity_then_pays_points_once(world):
    zhou, closed = _in_publicity(world)
    with pytest.raises(TransitionNotAllowed):
        running.honour(selection=closed, by=world.staff)
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    zhou.refresh_from_db()
    assert zhou.status == N.HONOURED and zhou.award == 20
    assert [n.pk for n in selectors.roll(world.community)] == [zhou.pk]
    from gongzhi.selections.services.honours import honour_points

    honour_points(nomination=zhou, now=closed.publicity_ends)  # a retry
    assert Award.objects.filter(points=20).count() == 1


def test_the_honoured_go_forward_to_the_street_keeping_story_and_history(
    world, areas, users
):
    zhou, closed = _in_publicity(world)
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    zhou.refresh_from_db()
    street = running.selection_create(
        kind=world.kinds["moral_model"],
        area=areas["street"],
        title="五大道街道道德模范",
        year=2026,
        vote_opens=world.now + dt.timedelta(days=30),
        vote_closes=world.now + dt.timedelta(days=40),
        by=users["street_manager"],
    )
    from gongzhi.selections.services.honours import nomination_forward

    with pytest.raises(ValidationFailed):  # the street's kind has categories
        nomination_forward(nomination=zhou, to=street, by=world.staff)
    up = nomination_forward(
        nomination=zhou, to=street, by=world.staff, category="助人为乐"
    )
    assert up.forwarded_from == zhou and up.story == zhou.story
    assert up.source == "forwarded" and up.status == N.CANDIDATE


def test_a_withdrawn_nominee_cannot_be_honoured(world):
    zhou, closed = _in_publicity(world)
    nominations.nomination_act(
        nomination=zhou, action="withdraw", by=world.staff, reason="本人搬离"
    )
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    zhou.refresh_from_db()
    assert zhou.status == N.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        nominations.nomination_act(nomination=zhou, action="approve", by=world.staff)
    assert selectors.roll(world.community) == []


def test_a_street_renames_a_kind_sets_its_categories_and_adds_its_own(
    client, world, users, areas
):
    client.force_login(users["street_manager"])
    kind = world.kinds["good_people"]
    client.post(
        "/workbench/selections/kinds/",
        {
            "kind": kind.pk,
            "name": "好人榜",
            "categories": "助人为乐\n\n孝老爱亲\n助人为乐",
        },
    )
    kind.refresh_from_db()
    assert (kind.name, kind.categories, kind.active) == (
        "好人榜",
        ["助人为乐", "孝老爱亲"],
        False,
    )
    client.post(
        "/workbench/selections/kinds/",
        {"street": areas["street"].pk, "name": "最美母亲", "nominee_type": "person"},
    )
    page = client.get("/workbench/selections/kinds/").content.decode()
    assert "最美母亲" in page and "助人为乐\n孝老爱亲" in page


def test_community_staff_may_not_change_the_street_s_kinds(client, world, users):
    client.force_login(users["staff"])
    kind = world.kinds["good_people"]
    client.post("/workbench/selections/kinds/", {"kind": kind.pk, "name": "改名"})
    kind.refresh_from_db()
    assert kind.name == "身边好人"
