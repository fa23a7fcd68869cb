"""One ballot per voter, proven with casts at one moment on real concurrent
PostgreSQL connections (a double tap, two tabs, a script). SQLite
serialises writers as a whole, so this module runs in the PostgreSQL pass
of CI."""

import pytest
from django.db import connection

from conftest import race
from gongzhi.selections.models import Ballot, BallotChoice, Selection
from gongzhi.selections.services import running, voting
from gongzhi.selections.tests.conftest import voter
from gongzhi.selections.tests.test_flow import candidate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def _voting(world, *, changeable: bool):
    zhou, wang = candidate(world, world.zhou), candidate(world, world.wang)
    Selection.objects.filter(pk=world.selection.pk).update(ballot_changeable=changeable)
    running.vote_open(selection=world.selection, by=world.staff)
    return zhou, wang


def test_eight_casts_at_once_by_one_voter_make_one_ballot(world):
    zhou, _wang = _voting(world, changeable=False)

    def cast(index):
        return voting.ballot_cast(
            selection=world.selection, by=world.resident, choices=[zhou.pk]
        )

    results, errors = race(cast, 8)
    assert len(results) == 1
    assert len(errors) == 7
    assert all(isinstance(e, voting.AlreadyVoted) for e in errors)
    assert Ballot.objects.filter(selection=world.selection).count() == 1
    assert BallotChoice.objects.count() == 1


def test_changes_at_once_leave_one_ballot_with_one_set_of_choices(world):
    zhou, wang = _voting(world, changeable=True)

    def cast(index):
        return voting.ballot_cast(
            selection=world.selection,
            by=world.resident,
            choices=[zhou.pk] if index % 2 else [wang.pk],
        )

    results, errors = race(cast, 8)
    assert errors == [] and len(results) == 8
    ballot = Ballot.objects.get(selection=world.selection)
    assert ballot.choices.count() == 1


def test_many_voters_at_once_are_each_counted_once(world, areas):
    zhou, _wang = _voting(world, changeable=False)
    voters = [
        voter(areas["neighbour_household"], f"邻居{i}", f"1390000666{i}")
        for i in range(6)
    ]

    def cast(index):
        return voting.ballot_cast(
            selection=world.selection, by=voters[index].user, choices=[zhou.pk]
        )

    results, errors = race(cast, 6)
    assert errors == []
    assert Ballot.objects.filter(selection=world.selection).count() == 6
