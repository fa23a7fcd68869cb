"""Many residents taking the last places at one moment, on real concurrent
PostgreSQL connections: never more sign-ups than places, and the waiting
list moves up in order. SQLite serialises writers as a whole, so this
module runs in the PostgreSQL pass of CI."""

import pytest
from django.db import connection

from conftest import race, restore_migration_data
from gongzhi.points.tests.conftest import make_person
from gongzhi.volunteering.models import Occurrence, SignUp, SignUpStatus
from gongzhi.volunteering.services.signup import Full, signup_cancel, signup_create

from .conftest import PUBLISHED, at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


@pytest.fixture
def crowd(django_db_blocker, request):
    """Thirty neighbours. The flush after a transactional test removes the
    rows data migrations wrote, which the demo people need: put them back
    before the event's fixtures run."""
    with django_db_blocker.unblock():
        restore_migration_data()
    areas = request.getfixturevalue("areas")
    request.getfixturevalue("event")
    return [make_person(areas["neighbour_household"], f"居民{i}") for i in range(30)]


def test_thirty_residents_for_three_places_get_three(crowd, event):
    def take(index):
        return signup_create(
            occurrence=event.occurrence, person=crowd[index], by=None, now=PUBLISHED
        )

    results, errors = race(take, 30)
    assert len(results) == 3
    assert len(errors) == 27 and all(isinstance(e, Full) for e in errors)
    assert Occurrence.objects.get(pk=event.occurrence.pk).signed_up == 3
    assert SignUp.objects.count() == 3


def test_waiting_list_under_concurrent_cancellations(crowd, event):
    def join(index):
        return signup_create(
            occurrence=event.occurrence,
            person=crowd[index],
            by=None,
            wait=True,
            now=PUBLISHED,
        )

    results, errors = race(join, 20)
    assert errors == []
    confirmed = [s for s in results if s.status == SignUpStatus.CONFIRMED]
    assert len(confirmed) == 3
    waiting = list(
        SignUp.objects.filter(status=SignUpStatus.WAITING).order_by("created_at", "pk")
    )
    assert len(waiting) == 17

    def leave(index):
        return signup_cancel(signup=confirmed[index], by=None, now=at(8))

    _done, errors = race(leave, 3)
    assert errors == []
    assert Occurrence.objects.get(pk=event.occurrence.pk).signed_up == 3
    promoted = SignUp.objects.filter(status=SignUpStatus.CONFIRMED)
    assert {s.pk for s in promoted} == {s.pk for s in waiting[:3]}
