"""Acting on one request at the same moment, on real concurrent
PostgreSQL connections: two dispatchers, one wins and the other is told;
teams taking from the pool, exactly one gets it; rotation gives each of
simultaneous requests its own turn; a resident's double tap on 关注
follows once. SQLite serialises writers as a whole,
so this module runs in the PostgreSQL pass."""

import pytest
from django.db import connection

from conftest import race, restore_migration_data
from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.requests import services
from gongzhi.requests.models import Follow, ServiceRequest, Transition
from gongzhi.requests.states import Status

from .conftest import raise_wall, unit_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


@pytest.fixture
def ready(django_db_blocker, request):
    with django_db_blocker.unblock():
        restore_migration_data()
    return request.getfixturevalue("world")


def test_two_dispatchers_at_once_one_wins_the_other_is_told(ready):
    world = ready
    item = raise_wall(world)
    seen = item.version
    choices = [(world.staff, world.team_a), (world.secretary, world.team_b)]

    def dispatch(index):
        by, team = choices[index]
        return services.request_dispatch(
            service_request=item.pk, to=team, by=by, version=seen
        )

    results, errors = race(dispatch, 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], services.StaleRequest)
    assert errors[0].field == "version"
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED
    assert item.team == results[0].team
    steps = Transition.objects.filter(request=item).order_by("pk")
    assert [s.action for s in steps] == ["raise", "dispatch"]
    assert steps.last().team == item.team
    assert item.version == seen + 1


def test_teams_taking_from_the_pool_at_once_exactly_one_gets_it(ready, request):
    world = ready
    pool_category = request.getfixturevalue("pool_category")
    item = raise_wall(world, category=pool_category)
    assert item.status == Status.POOLED
    # Four handlers: two for each team.
    takers = [
        (world.a, world.team_a),
        (world.b, world.team_b),
        (unit_user("13900000031", "队员甲", world.community), world.team_a),
        (unit_user("13900000032", "队员乙", world.community), world.team_b),
    ]
    for user, team in takers[2:]:
        services.handler_add(user=user, to=team, by=world.staff)

    def take(index):
        user, team = takers[index]
        return services.request_take(service_request=item.pk, team=team, by=user)

    results, errors = race(take, 4)
    assert len(results) == 1 and len(errors) == 3
    assert all(isinstance(e, TransitionNotAllowed) for e in errors)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED and item.team == results[0].team
    assert Transition.objects.filter(request=item, action="take").count() == 1


def test_simultaneous_requests_in_rotation_take_turns(ready, request):
    world = ready
    rotation_category = request.getfixturevalue("rotation_category")

    def raise_one(index):
        return raise_wall(world, category=rotation_category, description=f"第{index}处")

    results, errors = race(raise_one, 6)
    assert errors == []
    teams = [r.team_id for r in ServiceRequest.objects.order_by("pk")]
    assert teams.count(world.team_a.pk) == 3 and teams.count(world.team_b.pk) == 3
    numbers = set(ServiceRequest.objects.values_list("number", flat=True))
    assert len(numbers) == 6


def test_a_double_tap_on_follow_follows_once(ready):
    world = ready
    item = raise_wall(world, by=world.staff, reporter=world.neighbour)

    def follow(index):
        return services.request_follow(service_request=item, by=world.resident)

    results, errors = race(follow, 2)
    assert errors == []
    assert sorted(r.replayed for r in results) == [False, True]
    assert results[0].pk == results[1].pk
    assert Follow.objects.filter(request=item).count() == 1
