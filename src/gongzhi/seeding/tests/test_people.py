"""Seeded residents: valid, unique, in every household, tagged in believable
shares, and never doubled by seeding again."""

from collections import Counter
from io import StringIO

import pytest
from django.db.models import Count

from gongzhi.areas.models import Area, Kind
from gongzhi.residents.idnumbers import parse_resident_id
from gongzhi.residents.models import Membership, Person, PersonTag, Relation
from gongzhi.seeding import bulk, demo
from gongzhi.seeding.people import id_number, seed_people

from .test_bulk import TINY


def test_id_numbers_are_valid_and_distinct_for_every_member_slot():
    import datetime as dt

    birth = dt.date(1960, 2, 29)
    numbers = {
        id_number(household, index, birth, gender)
        for household in (1, 2, 99, 100, 101, 1_070_000)
        for index in range(5)
        for gender in ("male", "female")
    }
    assert len(numbers) == 6 * 5 * 2
    for number in numbers:
        parsed = parse_resident_id(number)
        assert parsed.birth_date == birth
    assert parse_resident_id(id_number(7, 0, birth, "male")).gender == "male"
    assert parse_resident_id(id_number(7, 0, birth, "female")).gender == "female"


@pytest.mark.django_db
def test_demo_people_fill_every_household_once(demo_people):
    households = Area.objects.filter(kind=Kind.HOUSEHOLD).count()
    heads = Membership.objects.filter(relation=Relation.HEAD, moved_out=None)
    assert heads.count() == households == 312
    per_household = Counter(
        Membership.objects.values_list("household_id", flat=True)
    ).values()
    assert min(per_household) >= 1 and max(per_household) <= 5

    people = Person.objects.count()
    assert 600 <= people <= 1200
    assert demo.seed_demo_people() == 0
    assert Person.objects.count() == people


@pytest.mark.django_db
def test_demo_people_carry_valid_documents_and_consistent_births(demo_people):
    for person in Person.objects.all()[:200]:
        parsed = parse_resident_id(person.id_number)
        assert parsed.birth_date == person.birth_date
        assert parsed.gender == person.gender
        assert person.phone == "" or len(person.phone) == 11
        assert person.initials


@pytest.mark.django_db
def test_the_demo_resident_is_linked_to_her_own_record(demo_people, users, areas):
    person = Person.objects.get(user=users["resident"])
    assert person.name == "周桂兰"
    assert person.household == areas["household"]
    assert person.phone == "13800000009"
    assert person.memberships.get().relation == Relation.HEAD


@pytest.mark.django_db
def test_key_population_tags_come_in_believable_shares(demo_people):
    people = Person.objects.count()
    shares = dict(
        PersonTag.objects.values_list("tag__code")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("tag__code", "n")
    )
    # Old people living alone and elderly couples are the commonest care
    # cases; disability about one person in forty.
    assert shares["alone_elderly"] > 0 and shares["empty_nest"] > 0
    assert shares["oldest_old"] > 0
    assert 0.005 * people <= shares.get("disabled", 0) <= 0.06 * people
    graded = PersonTag.objects.filter(tag__code="disabled")
    assert all(1 <= t.grade <= 4 for t in graded)
    for tag in PersonTag.objects.filter(tag__code="alone_elderly"):
        assert tag.person.memberships.count() == 1
        assert Membership.objects.filter(household=tag.person.household).count() == 1


@pytest.mark.django_db
def test_scale_seed_fills_a_bulk_tree_in_proportion(db):
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    out = StringIO()
    added = seed_people(root=root, stdout=out)
    households = TINY.counts()["household"]
    assert Membership.objects.filter(relation=Relation.HEAD).count() == households
    assert households * 1.5 <= added <= households * 4
    assert "people seeded" in out.getvalue()
    assert seed_people(root=root, stdout=StringIO()) == 0


@pytest.mark.django_db
def test_partial_occupancy_picks_the_same_households_every_run(db):
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    households = TINY.counts()["household"]
    seed_people(root=root, occupancy=0.4, stdout=StringIO())
    lived_in = Membership.objects.values("household").distinct().count()
    assert 0.2 * households <= lived_in <= 0.6 * households
    assert seed_people(root=root, occupancy=0.4, stdout=StringIO()) == 0
    assert Membership.objects.values("household").distinct().count() == lived_in


def test_the_demo_grid_worker_opens_a_working_mornings_due_list(demo_people, users):
    """Most people under a care plan were visited within it; a few are
    overdue by days, not years; seeding again adds nothing."""
    from gongzhi.residents.models import Visit
    from gongzhi.residents.selectors.care import care_due

    added = demo.seed_demo_visits()
    assert added > 50
    assert demo.seed_demo_visits() == 0
    assert Visit.objects.count() == added
    rows = [r for r in care_due(user=users["grid_worker"]) if r.person_id]
    covered = Visit.objects.filter(worker=users["grid_worker"]).count()
    overdue = [r for r in rows if r.days_overdue > 0]
    assert covered > 10
    assert 0 < len(overdue) < covered / 2
    assert max(r.days_overdue for r in overdue) < 100


def test_the_demo_commands_towers_bring_a_few_thousand_residents(demo_street):
    """The demo command adds 团结巷's towers before the families: 864 more
    households, about 3,000 residents in all; again, nothing doubles."""
    assert demo.seed_demo_towers() == 864
    assert demo.seed_demo_towers() == 864
    demo.seed_demo_people()
    assert Area.objects.filter(kind=Kind.HOUSEHOLD).count() == 312 + 864
    assert 2500 < Person.objects.count() < 4000
    tower = Area.objects.get(code__endswith="0301010118" + "03")
    assert tower.name == "1803"
