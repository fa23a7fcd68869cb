"""One ballot per voter per vote, whatever the device: eight casts of one
seat (or one household) at the same moment, on real concurrent database
connections, leave one ballot. Row locks are PostgreSQL's to prove (the
SQLite run serialises writers as a whole), so this module runs in the
PostgreSQL pass."""

import pytest
from django.db import connection

from conftest import race
from gongzhi.councils.models import Ballot, Vote, Voted
from gongzhi.councils.services import owners, votes

from .conftest import VOTING, present
from .test_owners import _open, estate  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def test_eight_casts_of_one_seat_at_once_leave_one_ballot(hall):
    present(hall, *VOTING)
    vote = votes.vote_open(
        vote=votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff),
        by=hall.staff,
    )
    user = hall.holders["committee"].user
    choices = ["yes", "no"] * 4

    def cast(index):
        return votes.ballot_cast(
            vote=Vote.objects.get(pk=vote.pk), choice=choices[index], by=user
        )

    results, errors = race(cast, 8)
    assert len(results) == 1 and len(errors) == 7
    assert all(e.field == "seat" for e in errors)
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert Voted.objects.filter(vote=vote).count() == 1


def test_the_phone_and_the_paper_ballot_of_one_flat_at_once_count_once(
    estate,  # noqa: F811
):
    vote = _open(estate)
    home = estate.areas["household"].pk
    from .conftest import photo

    def cast(index):
        fresh = Vote.objects.get(pk=vote.pk)
        if index % 2:
            return owners.owner_ballot_cast(
                vote=fresh,
                household_id=home,
                choice="no",
                photo=photo(),
                by=estate.staff,
            )
        return owners.owner_ballot_cast(
            vote=fresh, household_id=home, choice="yes", by=estate.users["resident"]
        )

    results, errors = race(cast, 8)
    assert len(results) == 1 and len(errors) == 7
    assert Ballot.objects.filter(vote=vote).count() == 1
