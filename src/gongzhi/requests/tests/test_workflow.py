"""The loop as people live it: 点单, 派单, 接单, 办结, 评价, and what goes
wrong on the way."""

import pytest

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.requests import services
from gongzhi.requests.models import Actor, Callback, ServiceRequest, Transition
from gongzhi.requests.states import Rating, Status

from .conftest import T0, hours, photo, raise_wall


def _actions(item):
    return list(item.transitions.values_list("action", flat=True))


def test_the_whole_loop_from_raise_to_satisfied(world):
    item = raise_wall(world)
    assert item.number == "GZ2026112300001"
    assert item.status == Status.SUBMITTED
    assert item.community == world.community
    item = services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.5)
    )
    assert item.status == Status.DISPATCHED
    assert item.response_due == hours(2.5)
    assert item.resolve_due == hours(24.5)
    item = services.request_accept(service_request=item, by=world.a, now=hours(1))
    assert item.responded_at == hours(1)
    item = services.request_start(service_request=item, by=world.a, now=hours(2))
    item = services.request_resolve(
        service_request=item,
        by=world.a,
        resolution="加固围墙,清理碎砖",
        photos=[photo()],
        now=hours(20),
    )
    assert item.status == Status.RESOLVED
    assert item.photos.get().kind == "result"
    item = services.request_rate(
        service_request=item,
        by=world.resident,
        rating=Rating.SATISFIED,
        comment="谢谢",
        now=hours(21),
    )
    assert item.status == Status.CLOSED
    assert item.closed_at == hours(21)
    assert not item.is_overdue
    assert _actions(item) == ["raise", "dispatch", "accept", "start", "resolve", "rate"]
    actors = list(item.transitions.values_list("actor", flat=True))
    assert actors == [
        Actor.REPORTER,
        Actor.DISPATCHER,
        Actor.HANDLER,
        Actor.HANDLER,
        Actor.HANDLER,
        Actor.REPORTER,
    ]


def test_numbers_count_up_within_a_day_and_start_again_the_next(world):
    first = raise_wall(world)
    second = raise_wall(world, description="另一处围墙")
    third = raise_wall(world, now=hours(24))
    assert [first.number, second.number, third.number] == [
        "GZ2026112300001",
        "GZ2026112300002",
        "GZ2026112400001",
    ]


def test_a_default_assignee_routes_the_request_on_raise(world):
    world.light.default_organization = world.company
    world.light.save()
    item = raise_wall(world, category=world.light)
    assert item.status == Status.DISPATCHED
    assert item.organization == world.company
    assert item.dispatcher is None
    assert _actions(item) == ["raise", "dispatch"]
    assert item.transitions.last().actor == Actor.SYSTEM


def test_a_pool_category_pools_and_the_first_team_takes_it(world, pool_category):
    item = raise_wall(world, category=pool_category)
    assert item.status == Status.POOLED
    assert item.dispatched_at == T0
    item = services.request_take(
        service_request=item, team=world.team_b, by=world.b, now=hours(1)
    )
    assert item.status == Status.ACCEPTED
    assert item.team == world.team_b
    assert item.responded_at == hours(1)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.request_take(service_request=item, team=world.team_a, by=world.a)
    assert "水电服务队" in str(refused.value)


def test_a_team_outside_the_pool_cannot_take(world, pool_category):
    item = raise_wall(world, category=pool_category)
    with pytest.raises(ValidationFailed) as refused:
        services.request_take(
            service_request=item, team=world.other_team, by=world.a, now=hours(1)
        )
    assert refused.value.field == "team"
    with pytest.raises(NotAllowed):
        services.request_take(service_request=item, team=world.team_a, by=world.b)
    item.refresh_from_db()
    assert item.status == Status.POOLED and item.team is None


def test_rotation_hands_requests_round_the_teams_in_turn(world, rotation_category):
    teams = [
        raise_wall(world, category=rotation_category, description=f"第{i}处").team
        for i in range(4)
    ]
    assert teams == [world.team_a, world.team_b, world.team_a, world.team_b]


def test_accepting_a_request_dispatched_to_another_team_is_refused(world):
    item = raise_wall(world)
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    with pytest.raises(NotAllowed) as refused:
        services.request_accept(service_request=item, by=world.b)
    assert "维修服务队" in str(refused.value)
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED and item.responded_at is None


def test_a_return_goes_back_to_the_dispatcher_with_its_reason(world):
    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(1)
    )
    with pytest.raises(ValidationFailed) as refused:
        services.request_return(service_request=item, by=world.a, reason=" ")
    assert refused.value.field == "reason"
    item = services.request_return(
        service_request=item, by=world.a, reason="不属于本队业务", now=hours(2)
    )
    assert item.status == Status.SUBMITTED
    assert item.team is None
    assert item.resolve_due == hours(25)  # the clock keeps running
    assert item.transitions.last().note == "不属于本队业务"


def test_a_transfer_waits_for_the_dispatchers_consent(world):
    item = raise_wall(world)
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    item = services.request_transfer(
        service_request=item, to=world.team_b, by=world.a, reason="水电问题"
    )
    assert item.status == Status.TRANSFER_REQUESTED
    assert item.team == world.team_a and item.transfer_team == world.team_b
    with pytest.raises(NotAllowed):
        services.request_transfer_decide(service_request=item, approve=True, by=world.a)
    item = services.request_transfer_decide(
        service_request=item, approve=True, by=world.staff
    )
    assert item.status == Status.DISPATCHED
    assert item.team == world.team_b and item.transfer_team is None


def test_a_declined_transfer_needs_a_reason_and_stays(world):
    item = raise_wall(world)
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    services.request_transfer(
        service_request=item, to=world.team_b, by=world.a, reason="水电问题"
    )
    with pytest.raises(ValidationFailed):
        services.request_transfer_decide(
            service_request=item, approve=False, by=world.staff
        )
    item = services.request_transfer_decide(
        service_request=item, approve=False, by=world.staff, note="就是墙体问题"
    )
    assert item.status == Status.DISPATCHED and item.team == world.team_a


def test_escalation_reaches_a_department_through_the_street(world):
    item = raise_wall(world)
    with pytest.raises(ValidationFailed) as refused:
        services.request_dispatch(
            service_request=item, to=world.department, by=world.staff
        )
    assert refused.value.field == "to"
    item = services.request_escalate(
        service_request=item, by=world.staff, note="需水务部门协调", now=hours(1)
    )
    assert item.status == Status.ESCALATED and item.escalated_at == hours(1)
    with pytest.raises(NotAllowed):
        services.request_street_dispatch(
            service_request=item, to=world.department, by=world.staff
        )
    item = services.request_street_dispatch(
        service_request=item, to=world.department, by=world.street_manager
    )
    assert item.status == Status.DISPATCHED and item.department == world.department
    assert item.transitions.last().actor == Actor.STREET
    services.request_accept(service_request=item, by=world.shuiwu)
    item = services.request_return(
        service_request=item, by=world.shuiwu, reason="需区水务局"
    )
    assert item.status == Status.ESCALATED  # back to the street, not the community


def test_a_department_gets_its_own_deadline_from_when_it_receives_the_work(world):
    item = raise_wall(world)
    item = services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.5)
    )
    services.request_accept(service_request=item, by=world.a, now=hours(1))
    assert item.resolve_due == hours(24.5)
    services.sweep_overdue(now=hours(30))
    item = services.request_escalate(
        service_request=item, by=world.staff, note="需水务部门协调", now=hours(30)
    )
    item.refresh_from_db()
    assert item.resolve_overdue  # the community missed its deadline
    item = services.request_street_dispatch(
        service_request=item,
        to=world.department,
        by=world.street_manager,
        now=hours(40),
    )
    assert item.resolve_due == hours(40 + 24)
    assert not item.is_overdue
    assert item.response_due == hours(2.5)  # the response counts once
    services.sweep_overdue(now=hours(41))
    item.refresh_from_db()
    assert not item.is_overdue and item.department == world.department
    services.sweep_overdue(now=hours(65))
    item.refresh_from_db()
    assert item.resolve_overdue


def test_rating_someone_elses_request_is_refused(world):
    item = _resolved(world)
    with pytest.raises(NotAllowed):
        services.request_rate(
            service_request=item, by=world.staff, rating=Rating.SATISFIED
        )
    item.refresh_from_db()
    assert item.status == Status.RESOLVED and item.rating == ""


def test_rating_twice_is_refused(world):
    item = _resolved(world)
    services.request_rate(service_request=item, by=world.resident, rating="basic")
    with pytest.raises(TransitionNotAllowed) as refused:
        services.request_rate(
            service_request=item, by=world.resident, rating="satisfied"
        )
    assert refused.value.field == "rating"
    item.refresh_from_db()
    assert item.rating == Rating.BASIC


def test_an_unknown_rating_names_the_field(world):
    item = _resolved(world)
    with pytest.raises(ValidationFailed) as refused:
        services.request_rate(service_request=item, by=world.resident, rating="meh")
    assert refused.value.field == "rating"


def test_dissatisfied_reopens_once_with_the_dispatcher(world):
    item = _resolved(world)
    services.request_rate(
        service_request=item, by=world.resident, rating=Rating.DISSATISFIED
    )
    item = services.request_reopen(
        service_request=item, by=world.resident, reason="墙还是歪的", now=hours(30)
    )
    assert item.status == Status.SUBMITTED
    assert item.team is None and item.rating == "" and item.reopened_count == 1
    assert item.resolve_due is None
    item = services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(31)
    )
    assert item.resolve_due == hours(31 + 24)
    services.request_accept(service_request=item, by=world.a)
    services.request_resolve(service_request=item, by=world.a, resolution="重砌")
    services.request_rate(
        service_request=item, by=world.resident, rating=Rating.DISSATISFIED
    )
    with pytest.raises(TransitionNotAllowed):
        services.request_reopen(service_request=item, by=world.resident, reason="又")
    ratings = item.transitions.filter(action="rate").values_list("rating", flat=True)
    assert list(ratings) == [Rating.DISSATISFIED, Rating.DISSATISFIED]


def test_a_satisfied_request_does_not_reopen(world):
    item = _resolved(world)
    services.request_rate(service_request=item, by=world.resident, rating="satisfied")
    with pytest.raises(TransitionNotAllowed) as refused:
        services.request_reopen(service_request=item, by=world.resident, reason="x")
    assert refused.value.field == "rating"


def test_a_callback_records_the_answer_as_the_rating(world):
    item = _resolved(world)
    services.request_callback(service_request=item, by=world.staff, reached=False)
    item.refresh_from_db()
    assert item.status == Status.RESOLVED
    item = services.request_callback(
        service_request=item,
        by=world.staff,
        reached=True,
        rating=Rating.BASIC,
        note="电话回访",
    )
    assert item.status == Status.CLOSED and item.rating == Rating.BASIC
    assert Callback.objects.filter(request=item).count() == 2
    assert _actions(item)[-2:] == ["callback_missed", "callback"]


def test_reject_tells_the_resident_why(world):
    item = raise_wall(world)
    item = services.request_reject(
        service_request=item, by=world.staff, reason="属于私人住宅内部维修"
    )
    assert item.status == Status.REJECTED
    assert item.reject_reason == "属于私人住宅内部维修"


def test_a_duplicate_is_merged_into_the_first(world):
    first = raise_wall(world)
    second = raise_wall(world, reporter=world.neighbour, by=world.grid_worker)
    with pytest.raises(ValidationFailed):
        services.request_merge(service_request=second, into=second, by=world.staff)
    item = services.request_merge(service_request=second, into=first, by=world.staff)
    assert item.status == Status.MERGED and item.merged_into == first
    assert item.transitions.last().note == first.number


def test_a_stale_version_is_told_who_came_first(world):
    item = raise_wall(world)
    seen = item.version
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, version=seen
    )
    with pytest.raises(services.StaleRequest) as refused:
        services.request_dispatch(
            service_request=item, to=world.team_b, by=world.secretary, version=seen
        )
    assert refused.value.field == "version"
    item.refresh_from_db()
    assert item.team == world.team_a
    assert item.transitions.filter(action="dispatch").count() == 1


# Bad input on raise: a clear error naming the field, nothing written


@pytest.mark.parametrize(
    "change, field",
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"photos": [photo(name="big.png", size=(1, 1))] * 10}, "photos"),
        ({"latitude": "north"}, "latitude"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_on_raise_names_the_field(world, change, field):
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(world, **change)
    assert refused.value.field == field
    assert not ServiceRequest.objects.exists()
    assert not Transition.objects.exists()


def test_a_file_that_is_no_photo_is_refused(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("wall.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(world, photos=[fake])
    assert refused.value.field == "photos"
    assert not ServiceRequest.objects.exists()


def test_an_oversized_photo_is_refused(world, monkeypatch):
    from gongzhi.core import photos

    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 10)
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(world, photos=[photo()])
    assert refused.value.field == "photos"
    assert not ServiceRequest.objects.exists()


def test_a_place_outside_the_reporters_community_is_refused(world):
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(world, category=world.light, area=world.areas["other_household"])
    assert refused.value.field == "area"
    assert not ServiceRequest.objects.exists()


def test_a_grid_worker_raises_only_in_her_grid(world):
    item = raise_wall(world, by=world.grid_worker)
    assert item.channel == "grid" and item.raised_by == world.grid_worker
    assert item.transitions.get().actor == Actor.RAISER
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(
            world,
            by=world.grid_worker,
            reporter=None,
            area=world.areas["sibling_grid"],
        )
    assert refused.value.field == "area"


def test_a_category_not_used_at_the_place_is_refused(world):
    world.wall.active = False
    world.wall.save()
    with pytest.raises(ValidationFailed) as refused:
        raise_wall(world)
    assert refused.value.field == "category"


def test_a_retry_with_the_same_key_answers_the_first_request(world):
    first = raise_wall(world, idempotency_key="abc")
    again = raise_wall(world, idempotency_key="abc")
    assert again.pk == first.pk and again.replayed
    assert ServiceRequest.objects.count() == 1
    with pytest.raises(Exception) as conflict:
        raise_wall(world, idempotency_key="abc", description="别的事")
    assert conflict.value.field == "idempotency_key"


def _resolved(world):
    item = raise_wall(world)
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    services.request_accept(service_request=item, by=world.a)
    return services.request_resolve(
        service_request=item, by=world.a, resolution="已加固"
    )
