"""Tree arithmetic in one place: ancestors of a kind, subtrees as index
ranges, and the nodes on a line through a user's grants."""

import pytest
from django.db.models import F

from gongzhi.areas import tree
from gongzhi.areas.models import Area, Kind
from gongzhi.residents.models import Person


def test_ancestors_of_each_kind(areas):
    household = areas["household"]
    assert tree.community_of(household) == areas["community"]
    assert tree.street_of(household) == areas["street"]
    assert tree.district_of(household) == areas["district"]
    assert tree.community_of(areas["community"]) == areas["community"]
    assert tree.community_of(areas["street"]) is None
    assert tree.ancestor_of_kind(household, Kind.ESTATE) == areas["estate"]


def test_ancestor_paths_and_fixed_depth_paths(areas):
    household = areas["household"]
    above = tree.ancestor_paths(household.path)
    assert above[0] == areas["district"].path
    assert household.path not in above
    assert tree.ancestor_paths(household.path, include_self=True)[-1] == (
        household.path
    )
    assert tree.ancestor_path(household, Kind.STREET) == areas["street"].path
    assert tree.ancestor_path(household.path, Kind.COMMUNITY) == (
        areas["community"].path
    )
    assert tree.ancestor_path(areas["district"], Kind.STREET) is None


def test_parent_root_and_common_paths(areas):
    household, estate = areas["household"], areas["estate"]
    assert tree.parent_path(areas["community"].path) == areas["street"].path
    assert tree.is_root(areas["district"].path)
    assert not tree.is_root(areas["street"].path)
    assert tree.common_path([household.path, estate.path]) == estate.path
    two_communities = [household.path, areas["other_community"].path]
    assert tree.common_path(two_communities) == areas["street"].path
    assert tree.ancestor_paths_of([household.path, estate.path]) == set(
        tree.ancestor_paths(household.path, include_self=True)
    )


def test_chains_and_labels_are_read_in_one_query(areas, django_assert_num_queries):
    household, estate = areas["household"], areas["estate"]
    with django_assert_num_queries(1):
        chains = tree.chains_of([household.path, estate.path])
    assert [node.path for node in chains[household.path]] == tree.ancestor_paths(
        household.path, include_self=True
    )
    assert chains[estate.path][-1] == estate
    kinds = {Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD}
    with django_assert_num_queries(1):
        labels = tree.labels_of([household.path], kinds=kinds, sep="/")
    names = [
        node.name
        for node in Area.objects.filter(
            path__in=tree.ancestor_paths(household.path, include_self=True),
            kind__in=kinds,
        ).order_by("path")
    ]
    assert labels[household.path] == "/".join(names)
    assert labels[household.path].startswith(estate.name)


def test_within_matches_the_subtree_and_nothing_else(areas, demo_people):
    community = areas["community"]
    by_prefix = set(
        Area.objects.filter(path__startswith=community.path).values_list("pk")
    )
    assert set(Area.objects.filter(path__within=community).values_list("pk")) == (
        by_prefix
    )
    assert areas["other_community"].pk not in {pk for (pk,) in by_prefix}
    people = Person.objects.filter(household__path__within=community.path)
    assert people.exists()
    assert not people.filter(household__path__within=areas["other_community"])
    assert "LIKE" not in str(people.query).upper()


def test_within_refuses_an_expression(areas):
    with pytest.raises(TypeError):
        list(Area.objects.filter(path__within=F("name")))


def test_subtree_and_is_within(areas):
    estate = areas["estate"]
    inside = tree.subtree(Area.objects.all(), estate, via="")
    assert inside.filter(pk=areas["household"].pk).exists()
    assert not inside.filter(pk=areas["other_household"].pk).exists()
    assert tree.is_within(areas["household"].path, estate.path)
    assert not tree.is_within(estate.path, areas["household"].path)


def test_reach_goes_down_from_a_district_and_up_from_a_community(users, areas):
    district = set(tree.reach(users["district_manager"], "area.view", Kind.STREET))
    assert areas["street"] in district
    staff = set(tree.reach(users["secretary"], "area.view", Kind.STREET))
    assert staff == {areas["street"]}
    assert not tree.reach_within(users["secretary"], "area.view", Kind.STREET)
    communities = set(
        tree.reach_within(users["secretary"], "area.view", Kind.COMMUNITY)
    )
    assert communities == {areas["community"]}
