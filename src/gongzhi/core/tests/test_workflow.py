"""The workflow engine (``core.workflow``), on a real table: 双报到
registrations. An illegal move is refused naming the status and changes
nothing; a legal one writes the row and one history step with who, when,
why, from and to; two moves racing on PostgreSQL lock the row, so exactly
one wins."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone, translation

from conftest import race, restore_migration_data
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.workflow import move, transition
from gongzhi.orgs.models import PartyRegistration, RegistrationStep
from gongzhi.orgs.models import RegistrationStatus as Status
from gongzhi.orgs.services.registrations import FLOW, registration_create
from gongzhi.residents.models import Person

AT = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def registered(demo_people, users):
    zhou = Person.objects.get(user=users["resident"])
    return registration_create(person=zhou, work_unit="和平区教育局", by=zhou.user)


def test_a_legal_move_changes_the_row_and_records_who_when_why(registered, users):
    done = transition(
        FLOW,
        row=registered,
        action="decline",
        by=users["staff"],
        reason="单位填写有误",
        now=AT,
    )
    assert done.status == Status.DECLINED
    step = done.steps.get(action="decline")
    assert (step.from_status, step.to_status) == (Status.REGISTERED, Status.DECLINED)
    assert step.by == users["staff"]
    assert step.at == AT
    assert step.note == "单位填写有误"
    assert done.step == step


def test_creation_starts_the_history(registered, users):
    (first,) = registered.steps.all()
    assert first.action == "register"
    assert (first.from_status, first.to_status) == ("", Status.REGISTERED)
    assert first.by == users["resident"]


def test_an_illegal_move_is_refused_naming_the_status_and_changes_nothing(
    registered, users
):
    transition(FLOW, row=registered, action="decline", by=users["staff"])
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as no:
        transition(FLOW, row=registered, action="confirm", by=users["staff"])
    assert no.value.field == "status"
    assert "未通过" in str(no.value.message)
    registered.refresh_from_db()
    assert registered.status == Status.DECLINED
    assert [s.action for s in registered.steps.all()] == ["register", "decline"]


def test_an_unknown_action_is_refused_naming_the_field(registered, users):
    with pytest.raises(ValidationFailed) as no:
        transition(FLOW, row=registered, action="approve", by=users["staff"])
    assert no.value.field == "action"
    assert registered.steps.count() == 1


def test_a_user_the_table_does_not_name_is_refused_and_nothing_changes(
    registered, users
):
    with pytest.raises(NotAllowed):
        transition(FLOW, row=registered, action="confirm", by=users["resident"])
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED
    assert registered.steps.count() == 1


def test_a_required_reason_is_refused_when_missing(registered, users):
    strict = dataclasses.replace(
        FLOW,
        moves={
            **FLOW.moves,
            "decline": dataclasses.replace(FLOW.moves["decline"], reason=True),
        },
    )
    with pytest.raises(ValidationFailed) as no:
        transition(strict, row=registered, action="decline", by=users["staff"])
    assert no.value.field == "note"
    assert registered.steps.count() == 1


def test_a_guard_refuses_on_the_rows_other_fields(registered, users):
    def not_from_this_unit(row, by):
        if row.work_unit == "和平区教育局":
            raise TransitionNotAllowed("不接受该单位", field="work_unit")

    guarded = dataclasses.replace(
        FLOW,
        moves={
            "confirm": move(
                {Status.REGISTERED}, Status.CONFIRMED, "staff", guard=not_from_this_unit
            )
        },
    )
    with pytest.raises(TransitionNotAllowed) as no:
        transition(guarded, row=registered, action="confirm", by=users["staff"])
    assert no.value.field == "work_unit"
    registered.refresh_from_db()
    assert registered.status == Status.REGISTERED


def test_a_refusal_inside_the_change_rolls_everything_back(registered, users):
    def change(item, now):
        item.work_unit = "改过的"
        raise ValidationFailed("不行", field="work_unit")

    with pytest.raises(ValidationFailed):
        transition(
            FLOW, row=registered, action="confirm", by=users["staff"], change=change
        )
    registered.refresh_from_db()
    assert registered.work_unit == "和平区教育局"
    assert registered.status == Status.REGISTERED
    assert registered.steps.count() == 1


def test_the_timeline_reads_in_order_with_labels(registered, users):
    transition(FLOW, row=registered, action="confirm", by=users["staff"])
    transition(FLOW, row=registered, action="end", by=users["resident"], reason="搬家")
    with translation.override("zh-hans"):
        shown = FLOW.timeline(registered)
    assert [s["action"] for s in shown] == ["register", "confirm", "end"]
    assert shown[-1]["note"] == "搬家"
    assert shown[-1]["status"] == Status.ENDED
    assert shown[1]["by"] == users["staff"].name
    assert FLOW.timeline(registered, names=False)[1]["by"] == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)
def test_two_racing_moves_lock_the_row_and_exactly_one_wins(django_db_blocker, request):
    with django_db_blocker.unblock():
        restore_migration_data()
    users = request.getfixturevalue("users")
    request.getfixturevalue("demo_people")
    zhou = Person.objects.get(user=users["resident"])
    made = registration_create(person=zhou, work_unit="和平区教育局", by=zhou.user)
    deciders = [users["staff"], users["secretary"]]

    def decide(index):
        return transition(
            FLOW,
            row=made.pk,
            action="confirm" if index == 0 else "decline",
            by=deciders[index],
            now=timezone.now(),
        )

    results, errors = race(decide, 2)
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], TransitionNotAllowed)
    assert errors[0].field == "status"
    made = PartyRegistration.objects.get(pk=made.pk)
    assert made.status == results[0].status
    steps = RegistrationStep.objects.filter(registration=made)
    assert [s.action for s in steps] == ["register", results[0].step.action]
