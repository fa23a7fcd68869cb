"""The five-level chain of the demo estate and the pool with hours."""

import datetime as dt
from decimal import Decimal

from gongzhi.accounts.models import Grant
from gongzhi.orgs import selectors
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)

from .conftest import make_person, served


def test_the_chain_of_the_demo_estate_reads_top_down(chain_orgs, areas, users):
    levels = selectors.chain(areas["estate"])
    assert [level.key for level in levels] == [
        "party_committee",
        "party_branch",
        "owners_committee",
        "property",
        "building_leader",
    ]
    assert [[o.name for o in level.orgs] for level in levels[:4]] == [
        ["三盛里社区大党委"],
        ["航院小区党支部"],
        ["航院小区业委会"],
        ["华泰物业"],
    ]
    # 赵德明 leads 1号楼 in the demo.
    assert levels[4].leaders == [{"name": "赵德明", "place": "1号楼"}]


def test_a_revoked_building_leader_leaves_the_chain(chain_orgs, areas):
    from django.utils import timezone

    Grant.objects.filter(role="building_leader").update(revoked_at=timezone.now())
    assert selectors.chain(areas["estate"])[4].leaders == []


def test_an_estate_with_nothing_recorded_shows_empty_levels(demo_street, areas):
    levels = selectors.chain(areas["estate"])
    assert [level.orgs for level in levels[:4]] == [[], [], [], []]


def test_the_pool_lists_confirmed_members_with_their_hours(zhou, areas, users):
    neighbour = make_person(areas["neighbour_household"], "王建国")
    waiting = make_person(areas["neighbour_household"], "李秀英")
    for person, unit in ((zhou, "和平区教育局"), (neighbour, "和平区卫健委")):
        made = registration_create(person=person, work_unit=unit, by=users["staff"])
        registration_transition(registration=made, action="confirm", by=users["staff"])
    registration_create(person=waiting, work_unit="某单位", by=users["staff"])
    served(zhou, areas["community"], "2.5", day=dt.date(2026, 3, 8))
    served(zhou, areas["community"], "3", day=dt.date(2026, 5, 1))
    served(zhou, areas["community"], "4", day=dt.date(2025, 12, 1))  # last year
    served(neighbour, areas["community"], "1", day=dt.date(2026, 4, 1))
    rows = selectors.pool(
        areas["community"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert [(r["person"].name, r["hours"], r["sessions"]) for r in rows] == [
        ("周桂兰", Decimal("5.50"), 2),
        ("王建国", Decimal("1.00"), 1),
    ]
    # A grid worker's grid holds the same members: they live there.
    in_grid = selectors.pool(
        areas["grid"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert len(in_grid) == 2
    assert (
        selectors.pool(
            areas["other_community"],
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        )
        == []
    )


def _confirmed(person, unit, staff):
    made = registration_create(person=person, work_unit=unit, by=staff)
    return registration_transition(registration=made, action="confirm", by=staff)


def test_the_pool_by_unit_groups_members_with_their_service(zhou, areas, users):
    staff = users["staff"]
    wang = make_person(areas["neighbour_household"], "王建国")
    li = make_person(areas["neighbour_household"], "李秀英")
    waiting = make_person(areas["neighbour_household"], "赵敏")
    _confirmed(zhou, "和平区教育局", staff)
    _confirmed(wang, "和平区 教育局", staff)  # the same unit, typed with a space
    _confirmed(li, "和平区税务局", staff)
    registration_create(person=waiting, work_unit="和平区税务局", by=staff)
    served(zhou, areas["community"], "2.5", day=dt.date(2026, 3, 8))
    served(zhou, areas["community"], "3", day=dt.date(2026, 5, 1))
    served(zhou, areas["community"], "4", day=dt.date(2025, 12, 1))  # last year
    served(wang, areas["community"], "1", day=dt.date(2026, 4, 1))
    units = selectors.pool_by_unit(
        areas["community"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert [
        (
            unit.work_unit,
            [(r["person"].name, r["sessions"], r["hours"]) for r in unit.rows],
            unit.sessions,
            unit.hours,
            unit.active,
        )
        for unit in units
    ] == [
        (
            "和平区教育局",
            [("周桂兰", 2, Decimal("5.50")), ("王建国", 1, Decimal("1.00"))],
            3,
            Decimal("6.50"),
            2,
        ),
        ("和平区税务局", [("李秀英", 0, Decimal("0.00"))], 0, Decimal("0.00"), 0),
    ]
    # Another community's members are not there; nor in the other's report.
    assert (
        selectors.pool_by_unit(
            areas["other_community"],
            start=dt.date(2026, 1, 1),
            end=dt.date(2026, 12, 31),
        )
        == []
    )


def test_the_pool_by_unit_reads_in_two_queries_however_many_members(
    areas, users, django_assert_num_queries
):
    for index in range(6):
        person = make_person(areas["neighbour_household"], f"党员{index}")
        _confirmed(person, f"单位{index % 3}", users["staff"])
        served(person, areas["community"], "2", day=dt.date(2026, 6, 1))
    with django_assert_num_queries(2):  # the registrations, then the hours
        units = selectors.pool_by_unit(
            areas["community"], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
    assert [(u.work_unit, len(u.rows), u.hours) for u in units] == [
        ("单位0", 2, Decimal("4.00")),
        ("单位1", 2, Decimal("4.00")),
        ("单位2", 2, Decimal("4.00")),
    ]
