"""Recording floor areas and owners: the range and the decimals of an
area, an owner named once, an owner living elsewhere registered without a
household, ownerships ended but kept; each refusal names its field and
writes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.audit.models import Action, Event
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.models import Membership, Owner, Person, PersonStatus, Property
from gongzhi.residents.services import owners as services

TODAY = timezone.localdate()


def make_id(birth="19700101", seq="321", region="110101") -> str:
    first17 = region + birth + seq
    return first17 + check_char(first17)


@pytest.fixture
def bare(demo_people, areas):
    """The neighbour's flat with no property row yet."""
    household = areas["neighbour_household"]
    Owner.objects.filter(property__area=household).delete()
    Property.objects.filter(area=household).delete()
    return household


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("86.5", Decimal("86.50")),
        ("86.50㎡", Decimal("86.50")),
        (" 120 平方米", Decimal("120.00")),
        ("1,234.5", Decimal("1234.50")),
        (92.3, Decimal("92.30")),
        (Decimal("100000"), Decimal("100000.00")),
        ("", None),
        (None, None),
    ],
)
def test_floor_areas_are_read_as_people_write_them(typed, stored):
    assert services.clean_floor_area(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["0", "-5", "100000.01", "86.555", "abc", "NaN", "Infinity", "1e400", True],
)
def test_floor_areas_out_of_range_or_not_numbers_are_refused(typed):
    with pytest.raises(ValidationFailed) as exc:
        services.clean_floor_area(typed)
    assert exc.value.field == "floor_area"


def test_setting_a_floor_area_records_it_and_the_audit_trail(bare, users):
    prop = services.property_update(
        household=bare,
        floor_area="76.25",
        certificate_no="津(2015)和平区不动产权第0012345号",
        by=users["grid_worker"],
    )
    assert prop.floor_area == Decimal("76.25")
    event = Event.objects.get(action=Action.PERSON_UPDATED)
    assert event.detail["floor_area"] == "76.25"
    assert event.area_path == bare.path


def test_a_bad_floor_area_changes_nothing(bare, users):
    services.property_update(household=bare, floor_area="70", by=users["grid_worker"])
    with pytest.raises(ValidationFailed) as exc:
        services.property_update(
            household=bare, floor_area="700000", by=users["grid_worker"]
        )
    assert exc.value.field == "floor_area"
    assert Property.objects.get(area=bare).floor_area == Decimal("70.00")


def test_a_certificate_number_too_long_is_refused(bare, users):
    with pytest.raises(ValidationFailed) as exc:
        services.property_update(
            household=bare, floor_area="70", certificate_no="号" * 51, by=users["staff"]
        )
    assert exc.value.field == "certificate_no"
    assert not Property.objects.filter(area=bare).exists()


def test_only_households_take_a_floor_area(areas, users):
    with pytest.raises(ValidationFailed) as exc:
        services.property_update(
            household=areas["building"], floor_area="70", by=users["staff"]
        )
    assert exc.value.field == "household"


def test_outside_her_area_a_worker_may_not_record_owners(bare, users, areas):
    with pytest.raises(NotAllowed):
        services.property_update(
            household=bare, floor_area="70", by=users["other_grid_worker"]
        )
    person = Person.objects.filter(household=bare).first()
    with pytest.raises(NotAllowed):
        services.owner_add(household=bare, person=person, by=users["building_leader"])
    assert not Owner.objects.filter(property__area=bare).exists()


def test_a_resident_is_named_owner_once(bare, users):
    person = Person.objects.filter(household=bare).first()
    owner = services.owner_add(
        household=bare, person=person, since=dt.date(2010, 5, 1), by=users["staff"]
    )
    assert owner.until is None and owner.since == dt.date(2010, 5, 1)
    with pytest.raises(ValidationFailed) as exc:
        services.owner_add(household=bare, person=person, by=users["staff"])
    assert exc.value.field == "person"
    assert Owner.objects.filter(property__area=bare).count() == 1


def test_an_owner_since_a_future_day_is_refused(bare, users):
    person = Person.objects.filter(household=bare).first()
    with pytest.raises(ValidationFailed) as exc:
        services.owner_add(
            household=bare,
            person=person,
            since=TODAY + dt.timedelta(days=1),
            by=users["staff"],
        )
    assert exc.value.field == "since"


def test_an_owner_living_elsewhere_is_registered_without_a_household(bare, users):
    owner = services.owner_register(
        household=bare,
        name="钱房东",
        id_number=make_id(),
        phone="13912340000",
        by=users["staff"],
    )
    person = owner.person
    assert person.status == PersonStatus.ELSEWHERE
    assert person.household_id is None and person.last_household_id == bare.pk
    assert not Membership.objects.filter(person=person).exists()
    assert "13912340000" not in person.phone_encrypted
    assert person.phone_masked == "139****0000"
    assert person.birth_date == dt.date(1970, 1, 1)
    assert Event.objects.filter(
        action=Action.PERSON_CREATED, target_id=str(person.pk)
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": ""}, "id_number"),
        ({"id_number": make_id()[:17] + "0"}, "id_number"),
        ({"name": ""}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"since": TODAY + dt.timedelta(days=3)}, "since"),
    ],
)
def test_a_bad_owner_living_elsewhere_is_refused_and_nobody_registered(
    bare, users, changes, field
):
    values = {"name": "钱房东", "id_number": make_id(seq="323"), **changes}
    if field == "id_number" and values["id_number"] == make_id()[:17] + "0":
        values["id_number"] = make_id(seq="323")[:17] + (
            "0" if make_id(seq="323")[17] != "0" else "1"
        )
    people = Person.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.owner_register(household=bare, by=users["staff"], **values)
    assert exc.value.field == field
    assert Person.objects.count() == people
    assert not Owner.objects.filter(property__area=bare).exists()


def test_the_same_document_cannot_be_registered_twice(bare, users, areas):
    services.owner_register(
        household=bare, name="钱房东", id_number=make_id(), by=users["staff"]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.owner_register(
            household=areas["household"],
            name="钱房东",
            id_number=make_id(),
            by=users["staff"],
        )
    assert exc.value.field == "id_number"


def test_ending_an_ownership_keeps_it_as_history(bare, users):
    person = Person.objects.filter(household=bare).first()
    owner = services.owner_add(
        household=bare, person=person, since=dt.date(2001, 1, 1), by=users["staff"]
    )
    with pytest.raises(ValidationFailed) as exc:
        services.owner_end(owner=owner, until=dt.date(2000, 1, 1), by=users["staff"])
    assert exc.value.field == "until"
    services.owner_end(owner=owner, until=TODAY, by=users["staff"])
    owner.refresh_from_db()
    assert owner.until == TODAY
    with pytest.raises(ValidationFailed):
        services.owner_end(owner=owner, by=users["staff"])
    # Ended, the same person may own it again.
    services.owner_add(household=bare, person=person, by=users["staff"])
    assert Owner.objects.filter(property__area=bare).count() == 2
