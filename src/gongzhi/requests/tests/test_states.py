"""The whole transition table: for every action, from every status, the
step is taken where the table allows it (and recorded), and refused where
it does not, with nothing changed."""

import pytest
from django.forms.models import model_to_dict

from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.requests import services
from gongzhi.requests.models import Callback, RequestPhoto, Transition
from gongzhi.requests.states import ACTIONS, NEW, TRANSITIONS, Rating, Status

from .conftest import raise_wall


def bring_to(world, status):
    """A request of 墙体维修 in ``status``, dispatched (where it is) to
    维修服务队."""
    item = _bring_to(world, status)
    item.refresh_from_db()
    return item


def _bring_to(world, status):
    item = raise_wall(world)
    staff, a = world.staff, world.a
    go = {"service_request": item}
    if status == Status.SUBMITTED:
        return item
    if status == Status.POOLED:
        return services.request_pool(**go, by=staff)
    if status == Status.ESCALATED:
        return services.request_escalate(**go, by=staff, note="吹哨")
    if status == Status.REJECTED:
        return services.request_reject(**go, by=staff, reason="无效")
    if status == Status.MERGED:
        other = raise_wall(world, description="同一处")
        return services.request_merge(**go, into=other, by=staff)
    services.request_dispatch(**go, to=world.team_a, by=staff)
    if status == Status.DISPATCHED:
        return item
    if status == Status.TRANSFER_REQUESTED:
        return services.request_transfer(**go, to=world.team_b, by=a, reason="转")
    services.request_accept(**go, by=a)
    if status == Status.ACCEPTED:
        return item
    services.request_start(**go, by=a)
    if status == Status.IN_PROGRESS:
        return item
    services.request_resolve(**go, by=a, resolution="已修")
    if status == Status.RESOLVED:
        return item
    assert status == Status.CLOSED
    return services.request_rate(**go, by=world.resident, rating=Rating.DISSATISFIED)


def act(world, action, item):
    """Take ``action`` on ``item`` as whoever the table lets take it."""
    item.refresh_from_db()
    go = {"service_request": item}
    handler = world.shuiwu if item.department_id else world.a
    staff = world.staff
    if action == "dispatch":
        to = world.team_b if item.team_id == world.team_a.pk else world.team_a
        return services.request_dispatch(**go, to=to, by=staff)
    if action == "pool":
        return services.request_pool(**go, by=staff)
    if action == "take":
        return services.request_take(**go, team=world.team_a, by=world.a)
    if action in ("accept", "start", "contact"):
        return services.SERVICES[action](**go, by=handler)
    if action == "return":
        return services.request_return(**go, by=handler, reason="退")
    if action == "transfer":
        return services.request_transfer(**go, to=world.team_b, by=handler, reason="转")
    if action in ("transfer_approve", "transfer_decline"):
        return services.request_transfer_decide(
            **go, approve=action == "transfer_approve", by=staff, note="定"
        )
    if action == "escalate":
        return services.request_escalate(**go, by=staff, note="吹哨")
    if action == "street_dispatch":
        return services.request_street_dispatch(
            **go, to=world.department, by=world.street_manager
        )
    if action == "resolve":
        return services.request_resolve(**go, by=handler, resolution="已修")
    if action == "rate":
        return services.request_rate(**go, by=world.resident, rating="satisfied")
    if action in ("callback", "callback_missed"):
        return services.request_callback(
            **go,
            by=staff,
            reached=action == "callback",
            rating="satisfied" if action == "callback" else "",
        )
    if action == "auto_close":
        return services.request_auto_close(**go)
    if action == "reopen":
        return services.request_reopen(**go, by=world.resident, reason="不满意")
    if action == "reject":
        return services.request_reject(**go, by=staff, reason="无效")
    if action == "merge":
        other = raise_wall(world, description="另一条")
        return services.request_merge(**go, into=other, by=staff)
    raise AssertionError(action)


STATUSES = list(Status.values)
STEPPED = [a for a in ACTIONS if a != "raise"]


def _snapshot(item):
    item.refresh_from_db()
    return (
        model_to_dict(item),
        Transition.objects.filter(request=item).count(),
        Callback.objects.filter(request=item).count(),
        RequestPhoto.objects.filter(request=item).count(),
    )


def test_every_status_is_reachable_and_every_action_is_in_the_table():
    reached = {rule.target for rule in TRANSITIONS.values()} - {None}
    assert reached | {Status.SUBMITTED} >= set(Status.values) - {NEW}
    assert TRANSITIONS["raise"].sources == {NEW}


@pytest.mark.parametrize("action", STEPPED)
def test_each_action_from_each_status(world, action):
    rule = TRANSITIONS[action]
    for status in STATUSES:
        item = bring_to(world, status)
        assert item.status == status
        before = _snapshot(item)
        if status in rule.sources:
            done = act(world, action, item)
            done.refresh_from_db()
            step = Transition.objects.filter(request=item).order_by("-pk").first()
            assert step.action == action, status
            assert step.from_status == status
            assert step.to_status == done.status
            expected = rule.target or status
            if action == "return" and item.department_id:
                expected = Status.ESCALATED
            assert done.status == expected, (action, status)
            assert done.version == before[0]["version"] + 1
        else:
            with pytest.raises(TransitionNotAllowed):
                act(world, action, item)
            assert _snapshot(item) == before, (action, status)
