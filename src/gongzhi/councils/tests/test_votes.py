"""Votes: what passes is data, interested parties are recused, one ballot
per seat, results hidden until the vote closes."""

import pytest

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.councils.models import Ballot, TopicStatus, Voted
from gongzhi.councils.services import votes

from .conftest import VOTING, present


@pytest.fixture
def vote(hall):
    present(hall, *VOTING, "deputy")
    made = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    return votes.vote_open(vote=made, by=hall.staff)


def cast(hall, vote, key, choice):
    return votes.ballot_cast(vote=vote, choice=choice, by=hall.holders[key].user)


def test_the_property_company_is_recused_from_its_fee_question(hall, vote):
    assert [s.party for s in votes.recused_seats(vote)] == ["property"]
    with pytest.raises(ValidationFailed) as refused:
        cast(hall, vote, "property", "yes")
    assert refused.value.field == "seat"
    assert "物业" in str(refused.value.message) or "Property" in str(
        refused.value.message
    )
    assert not Ballot.objects.filter(vote=vote).exists()
    assert votes.tally(vote).eligible == 6


def test_a_majority_of_votes_cast_passes_and_the_topic_is_decided(hall, vote):
    for key, choice in [("party", "yes"), ("committee", "yes"), ("owners", "no")]:
        cast(hall, vote, key, choice)
    cast(hall, vote, "unit", "abstain")
    count = votes.tally(vote)
    assert (count.yes, count.no, count.abstain, count.needed, count.met) == (
        2,
        1,
        1,
        2,
        True,
    )
    closed = votes.vote_close(vote=vote, by=hall.staff)
    assert closed.result == "passed" and (closed.yes, closed.no) == (2, 1)
    hall.topic.refresh_from_db()
    assert hall.topic.status == TopicStatus.PASSED


def test_abstentions_count_against_when_the_rule_says_so(hall, vote):
    vote.abstain_counts = True
    vote.save()
    for key, choice in [("party", "yes"), ("committee", "yes"), ("owners", "no")]:
        cast(hall, vote, key, choice)
    cast(hall, vote, "unit", "abstain")
    assert not votes.tally(vote).met  # 2 of 4 is no majority


def test_two_thirds_of_all_seats_needs_four_of_six(hall, vote):
    vote.pass_rule = "two_thirds_all"
    vote.save()
    for key in ("party", "committee", "owners"):
        cast(hall, vote, key, "yes")
    count = votes.tally(vote)
    assert (count.needed, count.met) == (4, False)
    cast(hall, vote, "unit", "yes")
    assert votes.tally(vote).met


def test_a_majority_of_seats_present(hall, vote):
    vote.pass_rule = "present"
    vote.save()
    for key in ("party", "committee", "owners"):
        cast(hall, vote, key, "yes")
    count = votes.tally(vote)
    assert (count.present, count.needed, count.met) == (6, 4, False)


def test_a_second_ballot_is_refused(hall, vote):
    cast(hall, vote, "party", "yes")
    with pytest.raises(TransitionNotAllowed) as twice:
        cast(hall, vote, "party", "no")
    assert twice.value.field == "seat"
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Ballot.objects.get(vote=vote).choice == "yes"


def test_the_chair_cannot_enter_a_second_ballot_for_one_who_voted_by_phone(hall, vote):
    cast(hall, vote, "party", "yes")
    with pytest.raises(TransitionNotAllowed):
        votes.ballot_cast(
            vote=vote, seat=hall.seats["party"], choice="no", by=hall.staff
        )
    assert Voted.objects.filter(vote=vote).count() == 1


def test_a_ballot_by_a_non_member_is_refused(hall, vote):
    with pytest.raises(ValidationFailed):
        votes.ballot_cast(vote=vote, choice="yes", by=hall.world.staff)
    assert not Ballot.objects.filter(vote=vote).exists()


def test_an_invited_guest_does_not_vote(hall, vote):
    with pytest.raises(ValidationFailed) as refused:
        cast(hall, vote, "deputy", "yes")
    assert (
        "guest" in str(refused.value.message)
        or "列席" in str(refused.value.message)
        or "嘉宾" in str(refused.value.message)
    )


def test_a_ballot_before_the_vote_opened_is_refused(hall):
    present(hall, *VOTING)
    made = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    with pytest.raises(TransitionNotAllowed) as refused:
        cast(hall, made, "party", "yes")
    assert refused.value.field == "vote"
    assert not Ballot.objects.exists()


def test_a_ballot_after_the_vote_closed_is_refused(hall, vote):
    cast(hall, vote, "party", "yes")
    votes.vote_close(vote=vote, by=hall.staff)
    with pytest.raises(TransitionNotAllowed):
        cast(hall, vote, "committee", "yes")
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_a_secret_ballot_names_no_one(hall):
    present(hall, *VOTING)
    made = votes.vote_create(
        meeting=hall.meeting, topic=hall.topic, secret=True, by=hall.staff
    )
    votes.vote_open(vote=made, by=hall.staff)
    cast(hall, made, "party", "no")
    ballot = Ballot.objects.get(vote=made)
    assert ballot.seat_id is None and ballot.household_id is None
    assert Voted.objects.filter(vote=made, seat=hall.seats["party"]).exists()


def test_results_are_hidden_from_members_until_the_vote_closes(hall, vote):
    member = hall.holders["committee"].user
    assert not votes.results_shown(vote, member)
    assert votes.results_shown(vote, hall.staff)  # the chair's live tally
    votes.vote_close(vote=vote, by=hall.staff)
    vote.refresh_from_db()
    assert votes.results_shown(vote, member)
