"""Deadlines with a frozen clock: counted from dispatch, flagged by the
sweep, escalated where the category says so, unrated requests closed."""

from gongzhi.requests import services
from gongzhi.requests.models import Actor
from gongzhi.requests.selectors import queue_for
from gongzhi.requests.states import Status
from gongzhi.requests.tasks import sweep_overdue_task

from .conftest import T0, hours, raise_wall


def _dispatched(world, **kwargs):
    item = raise_wall(world, **kwargs)
    return services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=T0
    )


def test_nothing_is_late_before_the_response_deadline(world):
    item = _dispatched(world)
    assert services.sweep_overdue(now=hours(2))["response_overdue"] == 0
    item.refresh_from_db()
    assert not item.is_overdue


def test_no_response_within_two_hours_is_flagged_then_the_resolution(world):
    item = _dispatched(world)
    done = services.sweep_overdue(now=hours(2.01))
    assert done["response_overdue"] == 1 and done["resolve_overdue"] == 0
    item.refresh_from_db()
    assert item.response_overdue and not item.resolve_overdue
    assert services.sweep_overdue(now=hours(3))["response_overdue"] == 0  # once
    services.request_accept(service_request=item, by=world.a, now=hours(3))
    assert services.sweep_overdue(now=hours(24.5))["resolve_overdue"] == 1
    item.refresh_from_db()
    assert item.resolve_overdue
    # A flag is a mark, not a step: the timeline is unchanged.
    assert item.transitions.count() == 3


def test_a_late_accept_is_marked_at_once(world):
    item = _dispatched(world)
    item = services.request_accept(service_request=item, by=world.a, now=hours(5))
    assert item.response_overdue


def test_a_response_in_time_is_not_late(world):
    item = _dispatched(world)
    item = services.request_contact(
        service_request=item, by=world.a, note="已电话联系", now=hours(1)
    )
    assert item.responded_at == hours(1)
    assert services.sweep_overdue(now=hours(10))["response_overdue"] == 0


def test_overdue_requests_of_an_escalating_category_go_to_the_street(world):
    world.wall.auto_escalate = True
    world.wall.save()
    item = _dispatched(world)
    done = services.sweep_overdue(now=hours(3))
    assert done["escalated"] == 1
    item.refresh_from_db()
    assert item.status == Status.ESCALATED and item.team is None
    step = item.transitions.last()
    assert step.action == "escalate" and step.actor == Actor.SYSTEM
    assert step.by is None
    assert services.sweep_overdue(now=hours(4))["escalated"] == 0


def test_others_are_flagged_but_not_escalated(world):
    item = _dispatched(world)
    services.sweep_overdue(now=hours(30))
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED and item.is_overdue


def test_unrated_requests_close_after_the_categorys_period(world):
    item = _dispatched(world)
    services.request_accept(service_request=item, by=world.a, now=hours(1))
    services.request_resolve(
        service_request=item, by=world.a, resolution="已修", now=hours(5)
    )
    assert services.sweep_overdue(now=hours(5 + 24 * 7 - 1))["closed"] == 0
    assert services.sweep_overdue(now=hours(5 + 24 * 7))["closed"] == 1
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.rating == ""
    assert item.transitions.last().action == "auto_close"


def test_the_task_runs_the_sweep(world):
    _dispatched(world)
    result = sweep_overdue_task.enqueue(now=hours(3).isoformat())
    assert result.return_value["response_overdue"] == 1


def test_queues_put_overdue_first_then_urgent_then_soonest(world):
    late = _dispatched(world)
    services.sweep_overdue(now=hours(3))
    later = raise_wall(world, category=world.light, now=hours(3))
    services.request_dispatch(
        service_request=later, to=world.team_a, by=world.staff, now=hours(3)
    )
    urgent = raise_wall(world, now=hours(3))
    services.request_dispatch(
        service_request=urgent, to=world.team_a, by=world.staff, now=hours(3)
    )
    assert list(queue_for(world.team_a)) == [late, urgent, later]
