"""The demo street's 房屋产权: every household has a floor area and an
owner, mostly its head; a few owners live elsewhere, one flat has two
co-owners, one buyer owns two units; seeding again adds nothing."""

import time
from collections import Counter
from decimal import Decimal

import pytest

from gongzhi.areas.models import Area, Kind
from gongzhi.residents.models import Membership, Owner, PersonStatus, Property
from gongzhi.residents.selectors.owners import double_majority, owner_roll
from gongzhi.seeding import demo
from gongzhi.seeding.owners import seed_owners


@pytest.mark.django_db
def test_every_demo_household_has_a_floor_area_and_an_owner(demo_people, areas):
    households = Area.objects.filter(kind=Kind.HOUSEHOLD)
    assert Property.objects.count() == households.count()
    areas_m2 = list(Property.objects.values_list("floor_area", flat=True))
    assert min(areas_m2) >= Decimal("55") and max(areas_m2) <= Decimal("140")
    roll = owner_roll(areas["street"])
    assert len(roll) == households.count()
    # Complete: an owners' vote can be counted on any part of the street.
    assert double_majority(roll, {}, special=False).total_heads < len(roll)


@pytest.mark.django_db
def test_owners_are_mostly_heads_with_a_few_living_elsewhere(demo_people, areas):
    owners = Owner.objects.filter(until__isnull=True).select_related("person")
    heads = set(
        Membership.objects.filter(relation="head", moved_out=None).values_list(
            "person_id", flat=True
        )
    )
    elsewhere = [o for o in owners if o.person.status == PersonStatus.ELSEWHERE]
    assert sum(o.person_id in heads for o in owners) > len(owners) * 0.8
    assert 5 <= len(elsewhere) <= 40
    assert all(o.person.household_id is None for o in elsewhere)
    units = Counter(o.person_id for o in owners)
    assert sorted(units.values())[-1] == 2  # one buyer of two units
    assert list(units.values()).count(2) == 1
    home = Owner.objects.filter(property__area=areas["household"]).select_related(
        "person"
    )
    assert sorted(o.person.name for o in home) == ["刘振华", "周桂兰"]


@pytest.mark.django_db
def test_seeding_owners_again_adds_nothing_and_is_quick(demo_people, areas):
    owners = Owner.objects.count()
    assert seed_owners(root=areas["street"]) == 0
    assert demo.seed_demo_people() == 0
    assert Owner.objects.count() == owners
    Owner.objects.all().delete()
    Property.objects.all().delete()
    started = time.perf_counter()
    assert seed_owners(root=areas["street"]) == owners - 1  # the co-owner
    assert time.perf_counter() - started < 5  # generous: a shared machine
