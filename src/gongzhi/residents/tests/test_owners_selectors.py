"""The owners' roll and the double majority of Civil Code art. 278: the
roll reads every household below a node in a few queries; the count is
exact at two thirds, one half and three quarters, and counts one buyer of
several units once."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import ValidationFailed
from gongzhi.residents.models import Owner, Person, Property
from gongzhi.residents.selectors.owners import (
    RollEntry,
    RollIncomplete,
    double_majority,
    owner_roll,
    roll_missing,
)

TODAY = timezone.localdate()


def _person(name: str, household: Area) -> Person:
    return Person.objects.create(
        name=name, initials="x", gender="male", last_household=household
    )


# The roll, read from the registry


def test_the_roll_lists_every_household_of_an_estate_with_area_and_owners(
    areas, django_assert_num_queries
):
    estate, home = areas["estate"], areas["household"]
    owner = _person("周桂兰", home)
    spouse = _person("刘振华", home)
    sold = _person("卖房人", home)
    prop = Property.objects.create(area=home, floor_area=Decimal("86.50"))
    Owner.objects.create(property=prop, person=spouse, since=TODAY)
    Owner.objects.create(property=prop, person=owner, since=TODAY)
    Owner.objects.create(
        property=prop, person=sold, since=dt.date(2000, 1, 1), until=TODAY
    )
    with django_assert_num_queries(3):
        roll = owner_roll(estate)
    households = Area.objects.filter(
        kind=Kind.HOUSEHOLD, path__within=estate, retired_at=None
    )
    assert [e.household_id for e in roll] == list(
        households.order_by("path").values_list("pk", flat=True)
    )
    entry = next(e for e in roll if e.household_id == home.pk)
    assert entry.label == "航院小区 1号楼 1单元 101"
    assert entry.floor_area == Decimal("86.50")
    assert entry.owner_ids == tuple(sorted((owner.pk, spouse.pk)))  # not the seller
    others = [e for e in roll if e.household_id != home.pk]
    assert all(e.floor_area is None and e.owner_ids == () for e in others)


def test_the_roll_leaves_out_retired_households_and_other_estates(areas):
    neighbour = areas["neighbour_household"]
    Area.objects.filter(pk=neighbour.pk).update(retired_at=timezone.now())
    roll = owner_roll(areas["estate"])
    ids = {e.household_id for e in roll}
    assert neighbour.pk not in ids
    assert areas["household"].pk in ids
    assert areas["other_household"].pk not in ids
    assert [e.household_id for e in owner_roll(areas["household"])] == [
        areas["household"].pk
    ]


# The count: small rolls built by hand


def _unit(pk, area, *owners) -> RollEntry:
    return RollEntry(pk, f"{pk}", Decimal(area), tuple(sorted(owners or (pk,))))


def test_abstentions_take_part_but_do_not_consent():
    roll = [_unit(1, "100"), _unit(2, "100"), _unit(3, "100")]
    tally = double_majority(roll, {1: "yes", 2: "abstain", 3: "abstain"}, special=False)
    assert tally.participated
    assert tally.participating_area == Decimal("300")
    assert tally.abstain_heads == 2 and tally.yes_heads == 1
    assert not tally.consent_area.met and not tally.passed


def test_too_few_taking_part_fails_however_many_consent():
    roll = [_unit(i, "80") for i in range(1, 4)]
    tally = double_majority(roll, {1: "yes"}, special=False)
    assert tally.consent_area.met and tally.consent_heads.met
    assert not tally.participation_area.met and not tally.participated
    assert not tally.passed


def test_co_owners_of_one_unit_count_as_one_owner():
    roll = [_unit(1, "90", 11, 12), _unit(2, "90", 13), _unit(3, "90", 14)]
    tally = double_majority(roll, {1: "yes", 2: "yes"}, special=False)
    assert tally.total_heads == 3
    assert tally.yes_heads == 2
    assert tally.passed


def test_one_buyer_of_two_units_counts_once_with_both_areas():
    # Buyer 11 owns units 1 and 2; 13 and 14 one each: three owners.
    roll = [
        _unit(1, "60", 11),
        _unit(2, "60", 11),
        _unit(3, "60", 13),
        _unit(4, "60", 14),
    ]
    tally = double_majority(roll, {1: "yes", 2: "yes", 3: "no"}, special=False)
    assert tally.total_heads == 3
    assert (tally.yes_heads, tally.no_heads) == (1, 1)
    assert tally.yes_area == Decimal("120")
    # 2 of 3 owners took part (exactly 2/3), 180 of 240 m² (3/4).
    assert tally.participated
    assert not tally.consent_heads.met  # one of two is not more than half
    assert not tally.passed


def test_one_buyer_voting_two_units_differently_is_refused():
    roll = [_unit(1, "60", 11), _unit(2, "60", 11), _unit(3, "60", 13)]
    with pytest.raises(ValidationFailed) as exc:
        double_majority(roll, {1: "yes", 2: "no"}, special=False)
    assert exc.value.field == "ballots"


def test_a_roll_missing_floor_areas_is_refused_naming_how_many():
    roll = [
        RollEntry(1, "1", None, (1,)),
        RollEntry(2, "2", None, (2,)),
        RollEntry(3, "3", None, ()),
        RollEntry(4, "4", Decimal("70"), ()),
        _unit(5, "70"),
    ]
    with translation.override("zh-hans"), pytest.raises(RollIncomplete) as exc:
        double_majority(roll, {5: "yes"}, special=False)
    assert "3户缺少专有部分面积" in str(exc.value.message)
    assert "2户缺少产权人" in str(exc.value.message)
    assert exc.value.field == "floor_area"
    assert exc.value.missing.households == (1, 2, 3, 4)
    with translation.override("en"):
        assert "3 households have no exclusive floor area" in (
            roll_missing(roll).message()
        )


def test_a_roll_missing_only_owners_names_the_owners():
    with pytest.raises(RollIncomplete) as exc:
        double_majority([RollEntry(1, "1", Decimal("50"), ())], {}, special=False)
    assert exc.value.field == "owners"


@pytest.mark.parametrize(
    "ballots",
    [{1: "maybe"}, {1: "YES"}, {99: "yes"}],
    ids=["unknown choice", "wrong case", "not on the roll"],
)
def test_bad_ballots_are_refused(ballots):
    with pytest.raises(ValidationFailed) as exc:
        double_majority([_unit(1, "50")], ballots, special=False)
    assert exc.value.field == "ballots"


def test_an_empty_roll_decides_nothing():
    tally = double_majority([], {}, special=True)
    assert not tally.participated and not tally.passed
    assert tally.participation_area.share is None


# The thresholds at their exact boundaries, on any areas

cents = st.integers(min_value=1, max_value=10_000_000)  # 0.01 m² to 100,000 m²


def _m2(value: int) -> Decimal:
    return Decimal(value) / 100


@st.composite
def two_thirds_rolls(draw):
    """A roll where the units voting hold exactly two thirds of the area
    and are exactly two thirds of the owners: each unit staying away
    (area x) is matched by two voting units of areas y and 2x - y."""
    roll, voting, pk = [], [], 0
    for x in draw(st.lists(cents, min_size=1, max_size=8)):
        y = draw(st.integers(min_value=1, max_value=max(1, 2 * x - 1)))
        pk += 1
        roll.append(RollEntry(pk, str(pk), _m2(x), (pk,)))
        for part in (y, 2 * x - y):
            pk += 1
            roll.append(RollEntry(pk, str(pk), _m2(part), (pk,)))
            voting.append(pk)
    return roll, voting


@given(two_thirds_rolls())
def test_exactly_two_thirds_taking_part_is_enough(case):
    roll, voting = case
    tally = double_majority(roll, dict.fromkeys(voting, "yes"), special=True)
    assert tally.participation_area.share == Fraction(2, 3)
    assert tally.participation_heads.share == Fraction(2, 3)
    assert tally.participated and tally.passed


@given(two_thirds_rolls())
def test_one_hundredth_of_a_square_metre_short_of_two_thirds_is_not(case):
    roll, voting = case
    away = next(e for e in roll if e.household_id not in voting)
    bigger = RollEntry(
        away.household_id, away.label, away.floor_area + Decimal("0.01"), away.owner_ids
    )
    roll = [bigger if e is away else e for e in roll]
    tally = double_majority(roll, dict.fromkeys(voting, "yes"), special=False)
    assert tally.participation_area.share < Fraction(2, 3)
    assert not tally.participation_area.met and not tally.passed
    assert tally.participation_heads.met


def _split(draw, total: int, count: int) -> list[int]:
    """``total`` cents cut into ``count`` positive parts, anywhere."""
    cuts = draw(
        st.lists(
            st.integers(min_value=1, max_value=total - 1),
            min_size=count - 1,
            max_size=count - 1,
            unique=True,
        )
        if count > 1
        else st.just([])
    )
    bounds = [0, *sorted(cuts), total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def split_rolls(draw, yes_share: Fraction):
    """Everyone votes; the yes units hold exactly ``yes_share`` of the area
    and are exactly that share of the owners, in groups of
    ``yes_share.denominator`` units: ``numerator`` vote yes, the rest no."""
    num, den = yes_share.numerator, yes_share.denominator
    roll, ballots, pk = [], {}, 0
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        no_parts = draw(st.lists(cents, min_size=den - num, max_size=den - num))
        yes_total = sum(no_parts) * num // (den - num)
        assert yes_total * (den - num) == sum(no_parts) * num
        for choice, parts in (
            ("yes", _split(draw, yes_total, num)),
            ("no", no_parts),
        ):
            for part in parts:
                pk += 1
                roll.append(RollEntry(pk, str(pk), _m2(part), (pk,)))
                ballots[pk] = choice
    return roll, ballots


def _one_cent_more(roll, ballots, choice: str) -> list[RollEntry]:
    """``roll`` with 0.01 m² more on the first unit that voted ``choice``."""
    first = next(e for e in roll if ballots[e.household_id] == choice)
    bigger = Decimal("0.01") + first.floor_area
    return [
        RollEntry(e.household_id, e.label, bigger, e.owner_ids) if e is first else e
        for e in roll
    ]


@given(split_rolls(Fraction(1, 2)))
def test_exactly_half_consenting_is_not_more_than_half(case):
    roll, ballots = case
    tally = double_majority(roll, ballots, special=False)
    assert tally.consent_area.share == Fraction(1, 2)
    assert tally.consent_heads.share == Fraction(1, 2)
    assert tally.participated
    assert not tally.consent_area.met and not tally.consent_heads.met
    assert not tally.passed


@given(split_rolls(Fraction(1, 2)))
def test_half_and_one_hundredth_of_a_square_metre_passes_on_area(case):
    roll, ballots = case
    roll = _one_cent_more(roll, ballots, "yes")
    tally = double_majority(roll, ballots, special=False)
    assert tally.consent_area.met
    assert not tally.consent_heads.met  # still exactly half the owners


@given(split_rolls(Fraction(3, 4)))
def test_exactly_three_quarters_passes_a_special_decision(case):
    roll, ballots = case
    tally = double_majority(roll, ballots, special=True)
    assert tally.consent_area.share == Fraction(3, 4)
    assert tally.consent_heads.share == Fraction(3, 4)
    assert tally.consent_area.met and tally.consent_heads.met
    assert tally.passed


@given(split_rolls(Fraction(3, 4)))
def test_one_hundredth_short_of_three_quarters_fails_a_special_decision(case):
    roll, ballots = case
    roll = _one_cent_more(roll, ballots, "no")
    tally = double_majority(roll, ballots, special=True)
    assert not tally.consent_area.met and tally.consent_heads.met
    assert not tally.passed


@given(
    st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=30),
    st.data(),
)
def test_each_buyer_counts_once_however_many_units_they_own(buyer_of, data):
    """Unit i belongs to buyer ``buyer_of[i]``: the owners counted are the
    buyers, and a buyer voting on any of its units is one head."""
    roll = [
        RollEntry(i + 1, str(i + 1), Decimal("50.25"), (100 + b,))
        for i, b in enumerate(buyer_of)
    ]
    choice = {b: data.draw(st.sampled_from(["yes", "no", "abstain"])) for b in buyer_of}
    voting = [
        e for e in roll if data.draw(st.booleans(), label=f"votes {e.household_id}")
    ]
    ballots = {e.household_id: choice[e.owner_ids[0] - 100] for e in voting}
    tally = double_majority(roll, ballots, special=False)
    assert tally.total_heads == len(set(buyer_of))
    heads = {e.owner_ids for e in voting}
    assert tally.participating_heads == len(heads)
    assert tally.yes_heads == len({h for h in heads if choice[h[0] - 100] == "yes"})
    assert tally.participating_area == Decimal("50.25") * len(voting)
