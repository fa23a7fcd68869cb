"""Requests announce their changes and the rollups follow: no caller
refreshes them by hand, and a block of bulk work still re-sums once."""

import datetime as dt

from gongzhi.core.hooks import subscribers
from gongzhi.insights.models import RequestFact, RequestRollup
from gongzhi.insights.rollups import on_requests_changed, rollups_deferred
from gongzhi.requests import events, services
from gongzhi.requests.tests.conftest import T0, hours, raise_wall

from .test_rates import recomputed, snapshot


def test_insights_listens_to_what_requests_announce():
    assert on_requests_changed in subscribers(events.CHANGED)


def test_every_step_keeps_the_rollups_current_by_itself(world):
    item = raise_wall(world)
    fact = RequestFact.objects.get(request=item)
    assert (fact.valid, fact.dispatched) == (True, False)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.25)
    )
    bucket = RequestRollup.objects.get(
        assignee_kind="team", assignee_id=world.team_a.pk
    )
    assert (bucket.raised, bucket.valid, bucket.dispatched) == (1, 1, 1)
    assert snapshot() == recomputed()


def test_the_sweeps_overdue_marks_reach_the_rollups(world):
    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.25)
    )
    assert not RequestFact.objects.get(request=item).overdue
    services.sweep_overdue(now=T0 + dt.timedelta(days=3))
    assert RequestFact.objects.get(request=item).overdue
    assert snapshot() == recomputed()


def test_steps_inside_a_deferred_block_are_summed_when_it_ends(world):
    with rollups_deferred() as noted:
        item = raise_wall(world)
        services.request_dispatch(
            service_request=item, to=world.team_a, by=world.staff, now=hours(0.25)
        )
        assert noted == {item.pk}
        assert not RequestFact.objects.filter(request=item).exists()
    assert RequestFact.objects.get(request=item).dispatched
    assert snapshot() == recomputed()
