"""Two staff changing the tree at the same moment, on real concurrent
database connections. Row locks are PostgreSQL's to prove: the SQLite run
serialises writers as a whole, so this module runs in the PostgreSQL pass
of CI."""

import pytest
from django.db import connection

from conftest import race
from gongzhi.areas.models import Area
from gongzhi.areas.services import area_create

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def test_eight_buildings_added_at_once_under_one_estate_all_get_their_own_path(
    users, areas
):
    estate = areas["estate"]
    before = Area.objects.get_children_count(estate)

    def add(index):
        return area_create(
            parent=Area.objects.get(pk=estate.pk),
            kind="building",
            name=f"并发{index}号楼",
            by=users["secretary"],
        )

    results, errors = race(add, 8)
    assert errors == []
    assert len({node.path for node in results}) == 8
    estate.refresh_from_db()
    assert estate.numchild == before + 8
    assert Area.objects.get_children_count(estate) == before + 8
    assert not Area.objects.find_problems()[0]


def test_the_same_name_added_twice_at_once_is_created_once(users, areas):
    estate = areas["estate"]

    def add(index):
        return area_create(
            parent=Area.objects.get(pk=estate.pk),
            kind="building",
            name="同名楼",
            by=users["secretary"],
        )

    results, errors = race(add, 2)
    assert len(results) == 1
    assert len(errors) == 1
    assert errors[0].field == "name"
    assert Area.objects.filter(name="同名楼").count() == 1
