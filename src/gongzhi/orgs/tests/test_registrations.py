"""双报到: a party member registers where she lives, the community decides."""

import pytest

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.orgs.models import PartyRegistration, RegistrationStatus
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)

from .conftest import make_person


@pytest.fixture
def registered(zhou, users):
    return registration_create(
        person=zhou, work_unit="和平区教育局", by=users["resident"]
    )


def test_a_member_registers_at_the_community_she_lives_in(registered, zhou, areas):
    assert registered.community == areas["community"]
    assert registered.status == RegistrationStatus.REGISTERED
    assert registered.registered_by == zhou.user


@pytest.mark.parametrize(
    ("work_unit", "field"), [("  ", "work_unit"), ("局" * 101, "work_unit")]
)
def test_a_bad_work_unit_is_refused_naming_it(zhou, users, work_unit, field):
    with pytest.raises(ValidationFailed) as refused:
        registration_create(person=zhou, work_unit=work_unit, by=users["resident"])
    assert refused.value.field == field
    assert not PartyRegistration.objects.exists()


def test_registering_twice_is_refused(registered, zhou, users):
    with pytest.raises(TransitionNotAllowed) as refused:
        registration_create(person=zhou, work_unit="别的单位", by=users["resident"])
    assert refused.value.field == "person"
    assert PartyRegistration.objects.count() == 1


def test_after_confirmation_registering_again_is_still_refused(registered, zhou, users):
    registration_transition(
        registration=registered, action="confirm", by=users["staff"]
    )
    with pytest.raises(TransitionNotAllowed):
        registration_create(person=zhou, work_unit="别的单位", by=users["resident"])


def test_after_a_decline_she_may_register_again(registered, zhou, users):
    registration_transition(
        registration=registered,
        action="decline",
        by=users["staff"],
        note="单位填写有误",
    )
    again = registration_create(
        person=zhou, work_unit="和平区卫健委", by=users["resident"]
    )
    assert again.status == RegistrationStatus.REGISTERED


def test_nobody_registers_someone_else_but_staff_may(zhou, areas, users):
    neighbour = make_person(areas["neighbour_household"], "王建国")
    with pytest.raises(NotAllowed):
        registration_create(person=neighbour, work_unit="某单位", by=users["resident"])
    made = registration_create(person=neighbour, work_unit="某单位", by=users["staff"])
    assert made.registered_by == users["staff"]


def test_someone_without_a_home_cannot_register(zhou, users):
    zhou.household = None
    zhou.save()
    with pytest.raises(ValidationFailed) as refused:
        registration_create(person=zhou, work_unit="某单位", by=users["resident"])
    assert refused.value.field == "person"


def test_staff_of_the_community_confirm_recording_who_and_when(registered, users):
    done = registration_transition(
        registration=registered, action="confirm", by=users["staff"]
    )
    assert done.status == RegistrationStatus.CONFIRMED
    assert done.decided_by == users["staff"]
    assert done.decided_at is not None


@pytest.mark.parametrize(
    "key", ["resident", "grid_worker", "building_leader", "street_manager", "unit"]
)
def test_only_staff_of_the_community_may_confirm(registered, users, key):
    with pytest.raises(NotAllowed):
        registration_transition(
            registration=registered, action="confirm", by=users[key]
        )
    registered.refresh_from_db()
    assert registered.status == RegistrationStatus.REGISTERED
    assert registered.decided_by is None


def test_staff_of_another_community_may_not_confirm(registered, areas, users):
    from gongzhi.accounts.models import Grant

    Grant.objects.create(
        user=users["unit"], area=areas["other_community"], role="staff"
    )
    with pytest.raises(NotAllowed):
        registration_transition(
            registration=registered, action="confirm", by=users["unit"]
        )


def test_a_decided_registration_cannot_be_decided_again(registered, users):
    registration_transition(
        registration=registered, action="decline", by=users["staff"]
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        registration_transition(
            registration=registered, action="confirm", by=users["secretary"]
        )
    assert refused.value.field == "status"
    registered.refresh_from_db()
    assert registered.status == RegistrationStatus.DECLINED
    assert registered.decided_by == users["staff"]


def test_the_member_may_end_her_own_registration(registered, users):
    registration_transition(
        registration=registered, action="confirm", by=users["staff"]
    )
    ended = registration_transition(
        registration=registered, action="end", by=users["resident"]
    )
    assert ended.status == RegistrationStatus.ENDED
    assert ended.ended_by == users["resident"]


def test_an_unknown_action_or_long_note_is_refused(registered, users):
    with pytest.raises(ValidationFailed) as refused:
        registration_transition(
            registration=registered, action="approve", by=users["staff"]
        )
    assert refused.value.field == "action"
    with pytest.raises(ValidationFailed) as refused:
        registration_transition(
            registration=registered,
            action="decline",
            by=users["staff"],
            note="因" * 201,
        )
    assert refused.value.field == "note"
    registered.refresh_from_db()
    assert registered.status == RegistrationStatus.REGISTERED
