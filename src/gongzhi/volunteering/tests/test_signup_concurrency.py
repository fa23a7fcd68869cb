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


def test_sign_ups_racing_the_activitys_cancellation_leave_no_place_taken(crowd, event):
    from gongzhi.core.errors import TransitionNotAllowed
    from gongzhi.volunteering.models import ActivityStep
    from gongzhi.volunteering.services.activities import activity_cancel

    def act(index):
        if index == 0:
            return activity_cancel(
                activity=event.activity, reason="暴雨", by=event.staff, now=PUBLISHED
            )
        return signup_create(
            occurrence=event.occurrence,
            person=crowd[index],
            by=None,
            wait=True,
            now=PUBLISHED,
        )

    results, errors = race(act, 8)
    assert all(isinstance(e, TransitionNotAllowed) for e in errors)
    assert len(results) + len(errors) == 8
    assert Occurrence.objects.get(pk=event.occurrence.pk).signed_up == 0
    assert not SignUp.objects.exclude(status=SignUpStatus.CANCELLED).exists()
    steps = ActivityStep.objects.filter(activity=event.activity)
    assert [s.action for s in steps] == ["publish", "cancel"]


def test_two_organizers_cancelling_at_once_record_one_cancellation(crowd, event, users):
    from gongzhi.core.errors import TransitionNotAllowed
    from gongzhi.volunteering.models import ActivityStep
    from gongzhi.volunteering.services.activities import activity_cancel

    organizers = [event.staff, users["secretary"]]

    def cancel(index):
        return activity_cancel(
            activity=event.activity, reason="暴雨", by=organizers[index], now=PUBLISHED
        )

    results, errors = race(cancel, 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], TransitionNotAllowed)
    assert errors[0].field == "status"
    steps = ActivityStep.objects.filter(activity=event.activity, action="cancel")
    assert [s.by for s in steps] == [results[0].step.by]
