"""Registering people, moving them, tags and the audited reveal: each
refusal names its field and writes nothing; history is never rewritten."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from gongzhi.audit.models import Action, Event
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.models import Membership, Person, PersonTag, TagType
from gongzhi.residents.services import people as services

TODAY = timezone.localdate()


def make_id(birth="19800101", seq="123", region="120101") -> str:
    first17 = region + birth + seq
    return first17 + check_char(first17)


@pytest.fixture
def register(areas, users):
    def register(**kwargs):
        values = {
            "household": areas["household"],
            "name": "张三丰",
            "relation": "child",
            "residency": "huji",
            "id_number": make_id(),
            "phone": "13812345678",
            "by": users["grid_worker"],
        }
        values.update(kwargs)
        return services.person_create(**values)

    return register


def test_registering_reads_birth_and_gender_from_the_id_and_encrypts(register):
    person = register(id_number=make_id(birth="19520314", seq="011"))
    assert person.birth_date == dt.date(1952, 3, 14)
    assert person.gender == "male"
    assert person.initials.split()[0] == "zsf"
    assert make_id(birth="19520314", seq="011") not in person.id_number_encrypted
    assert "13812345678" not in person.phone_encrypted
    assert person.phone_masked == "138****5678"
    assert person.memberships.get().relation == "child"
    assert Event.objects.filter(action=Action.PERSON_CREATED).count() == 1


def test_a_bad_id_checksum_is_refused_and_nothing_is_written(register):
    good = make_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        register(id_number=bad)
    assert exc.value.field == "id_number"
    assert not Person.objects.filter(name="张三丰").exists()
    assert not Membership.objects.exists()


def test_a_future_birth_date_is_refused(register):
    with pytest.raises(ValidationFailed) as exc:
        register(
            id_type="passport",
            id_number="E1234567",
            gender="female",
            birth_date=TODAY + dt.timedelta(days=1),
        )
    assert exc.value.field == "birth_date"
    assert not Person.objects.exists()


def test_a_birth_date_disagreeing_with_the_id_is_refused(register):
    with pytest.raises(ValidationFailed) as exc:
        register(birth_date=dt.date(1990, 1, 1))
    assert exc.value.field == "birth_date"


def test_a_second_head_of_household_is_refused(register):
    register(relation="head")
    with pytest.raises(ValidationFailed) as exc:
        register(name="李四", relation="head", id_number=make_id(seq="125"))
    assert exc.value.field == "relation"
    assert Person.objects.count() == 1


def test_the_same_document_cannot_be_registered_twice(register, areas):
    register()
    with pytest.raises(ValidationFailed) as exc:
        register(name="张三", household=areas["neighbour_household"])
    assert exc.value.field == "id_number"
    assert Person.objects.count() == 1


def test_a_building_leader_may_not_register_people(register, users):
    with pytest.raises(NotAllowed):
        register(by=users["building_leader"])
    assert not Person.objects.exists()


def test_moving_out_and_in_keeps_every_stay(register, areas, users):
    person = register()
    start = person.memberships.get().moved_in
    services.person_move_out(
        person=person, on=TODAY, reason="工作调动", by=users["grid_worker"]
    )
    person.refresh_from_db()
    assert person.status == "moved_out"
    assert person.household is None
    assert person.last_household == areas["household"]
    services.person_move_in(
        person=person,
        household=areas["neighbour_household"],
        relation="tenant",
        residency="liudong",
        on=TODAY,
        by=users["grid_worker"],
    )
    stays = list(person.memberships.order_by("pk"))
    assert [(s.household, s.moved_in, s.moved_out, s.reason) for s in stays] == [
        (areas["household"], start, TODAY, "工作调动"),
        (areas["neighbour_household"], TODAY, None, ""),
    ]
    person.refresh_from_db()
    assert person.status == "active"
    assert person.household == areas["neighbour_household"]


def test_moving_to_another_household_closes_the_stay_the_same_day(
    register, areas, users
):
    person = register()
    services.person_move_in(
        person=person,
        household=areas["neighbour_household"],
        relation="other",
        residency="changzhu",
        on=TODAY,
        by=users["grid_worker"],
    )
    assert person.memberships.filter(moved_out=TODAY).count() == 1
    assert person.memberships.filter(moved_out__isnull=True).count() == 1


def test_death_ends_open_tags_and_keeps_the_record(register, users):
    person = register()
    tag = TagType.objects.get(code="dibao", street__isnull=True)
    services.tag_add(
        person=person, tag=tag, start=dt.date(2020, 1, 1), by=users["grid_worker"]
    )
    services.person_record_death(person=person, on=TODAY, by=users["grid_worker"])
    person.refresh_from_db()
    assert person.status == "deceased"
    assert PersonTag.objects.get(person=person).end == TODAY
    with pytest.raises(ValidationFailed):
        services.person_move_in(
            person=person,
            household=person.last_household,
            relation="other",
            residency="huji",
            on=TODAY,
            by=users["grid_worker"],
        )


def test_a_graded_tag_needs_its_grade(register, users):
    person = register()
    disabled = TagType.objects.get(code="disabled", street__isnull=True)
    with pytest.raises(ValidationFailed) as exc:
        services.tag_add(
            person=person, tag=disabled, start=TODAY, by=users["grid_worker"]
        )
    assert exc.value.field == "grade"
    person_tag = services.tag_add(
        person=person, tag=disabled, start=TODAY, grade=2, by=users["grid_worker"]
    )
    assert person_tag.grade == 2


def test_reveal_returns_the_value_and_audits_who_whose_which_and_where(register, users):
    person = register()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    value = services.person_reveal(
        person=person, field="phone", by=users["staff"], request=request
    )
    assert value == "13812345678"
    event = Event.objects.get(action=Action.PERSONAL_VIEWED)
    assert event.actor == users["staff"]
    assert event.target_id == str(person.pk)
    assert event.detail == {"field": "phone"}
    assert event.ip == "203.0.113.7"
    assert "13812345678" not in str(event.detail) + event.target_label


def test_reveal_is_refused_without_the_full_data_role(register, users):
    person = register()
    with pytest.raises(NotAllowed):
        services.person_reveal(
            person=person, field="id_number", by=users["street_manager"]
        )
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()
