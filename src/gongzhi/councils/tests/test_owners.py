"""Owners' decisions (业主共同决定, Civil Code art. 278) at 航院小区: one
ballot per household, on an owner's phone or from the signed paper; the
double majority counted from the registry's floor areas and owners."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.councils.models import Ballot, TopicStatus, Vote, Voted
from gongzhi.councils.services import meetings, owners, topics, votes
from gongzhi.residents.models import Owner, Property
from gongzhi.residents.selectors.owners import owner_roll

from .conftest import photo


@pytest.fixture
def estate(demo_people, users, areas):
    """航院小区's 业委会 meeting in session with the lift renewal on its
    agenda (a maintenance-fund matter: three quarters)."""
    staff, now = users["staff"], timezone.now()
    council = meetings.council_create(
        area=areas["estate"], name="航院小区业主大会", by=staff
    )
    topic = topics.topic_open(
        community=areas["community"],
        area=areas["estate"],
        title="使用专项维修资金更换电梯",
        by=staff,
    )
    topics.topic_step(topic=topic, action="accept", by=staff)
    earlier = now - dt.timedelta(days=10)
    meeting = meetings.meeting_plan(
        council=council,
        title="业主大会",
        place="航院小区会议室",
        starts_at=now - dt.timedelta(hours=1),
        by=staff,
        now=earlier,
    )
    meetings.agenda_add(meeting=meeting, topic=topic, by=staff, now=earlier)
    meetings.meeting_step(meeting=meeting, action="publish", by=staff, now=earlier)
    meetings.meeting_step(meeting=meeting, action="open", by=staff)
    roll = owner_roll(areas["estate"])
    return SimpleNamespace(
        staff=staff,
        council=council,
        topic=topic,
        meeting=meeting,
        roll=roll,
        users=users,
        areas=areas,
    )


def _open(estate, special=True):
    vote = owners.owners_vote_create(
        meeting=estate.meeting, topic=estate.topic, special=special, by=estate.staff
    )
    return votes.vote_open(vote=vote, by=estate.staff)


def _paper(estate, vote, entries, choice):
    for entry in entries:
        owners.owner_ballot_cast(
            vote=vote,
            household_id=entry.household_id,
            choice=choice,
            photo=photo(),
            by=estate.staff,
        )


def test_an_owner_votes_for_her_home_on_her_phone(estate):
    vote = _open(estate)
    home = estate.areas["household"]
    ballot = owners.owner_ballot_cast(
        vote=vote, household_id=home.pk, choice="yes", by=estate.users["resident"]
    )
    assert ballot.household_id == home.pk and not ballot.photo


def test_her_husband_cannot_vote_again_for_the_same_flat(estate):
    vote = _open(estate)
    home = estate.areas["household"]
    owners.owner_ballot_cast(
        vote=vote, household_id=home.pk, choice="yes", by=estate.users["resident"]
    )
    with pytest.raises(TransitionNotAllowed) as twice:
        _paper(
            estate, vote, [e for e in estate.roll if e.household_id == home.pk], "no"
        )
    assert twice.value.field == "household"
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_nobody_votes_for_a_home_she_does_not_own(estate):
    vote = _open(estate)
    with pytest.raises(ValidationFailed):
        owners.owner_ballot_cast(
            vote=vote,
            household_id=estate.areas["neighbour_household"].pk,
            choice="yes",
            by=estate.users["resident"],
        )
    assert not Voted.objects.filter(vote=vote).exists()


def test_a_paper_ballot_needs_staff_and_is_counted_live(estate):
    vote = _open(estate, special=False)
    count = owners.owners_tally(vote)
    assert count.total_heads > 0 and count.participating_heads == 0
    share = (len(estate.roll) * 3) // 4 + 1
    _paper(estate, vote, estate.roll[:share], "yes")
    live = owners.owners_tally(vote)
    assert live.participated and live.passed


def test_the_lift_renewal_fails_the_double_majority(estate):
    vote = _open(estate)
    half = len(estate.roll) // 2
    _paper(estate, vote, estate.roll[:half], "yes")
    closed = votes.vote_close(vote=vote, by=estate.staff)
    assert closed.result == "not_passed"
    estate.topic.refresh_from_db()
    assert estate.topic.status == TopicStatus.NOT_PASSED
    total = owners.owners_tally(closed).total_area
    assert str(total) in estate.topic.outcome  # the areas counted, in the record


def test_an_owners_vote_where_floor_areas_are_missing_is_refused(estate):
    home = estate.areas["neighbour_household"]
    Property.objects.filter(area=home).update(floor_area=None)
    with pytest.raises(ValidationFailed) as refused:
        owners.owners_vote_create(
            meeting=estate.meeting, topic=estate.topic, special=True, by=estate.staff
        )
    assert refused.value.field == "floor_area"
    assert not Vote.objects.filter(meeting=estate.meeting).exists()


def test_a_household_losing_its_owner_stops_the_count(estate):
    vote = _open(estate)
    Owner.objects.filter(property__area=estate.areas["neighbour_household"]).update(
        until=timezone.localdate()
    )
    with pytest.raises(ValidationFailed):
        votes.vote_close(vote=vote, by=estate.staff)
    vote.refresh_from_db()
    assert vote.status == "open"


def test_the_council_ballot_is_refused_on_an_owners_vote(estate):
    vote = _open(estate)
    with pytest.raises(ValidationFailed):
        votes.ballot_cast(vote=vote, choice="yes", by=estate.users["resident"])


def test_the_owner_finds_the_vote_on_her_phone_and_casts_it(client, estate):
    vote = _open(estate)
    client.force_login(estate.users["resident"])
    assert estate.topic.title in client.get("/portal/councils/").content.decode()
    page = client.get(f"/portal/councils/votes/{vote.pk}/").content.decode()
    assert "101" in page
    client.post(
        f"/portal/councils/votes/{vote.pk}/",
        {"household": estate.areas["household"].pk, "choice": "yes"},
    )
    assert Ballot.objects.filter(vote=vote).count() == 1
    chair = client
    chair.force_login(estate.staff)
    live = chair.get(f"/workbench/councils/meetings/{estate.meeting.pk}/live/")
    assert "double-majority" in live.content.decode()
