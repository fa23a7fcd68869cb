"""Same-named teams and units side by side in the rates and rankings:
each reads with its community where its name repeats."""

import pytest

from gongzhi.insights.selectors_rates import ranking, rates

from .test_rates import NOV, tell


@pytest.fixture
def story(world):
    # Two communities each have a 维修服务队.
    world.other_team.name = "维修服务队"
    world.other_team.save(update_fields=["name"])
    return tell(world)


def test_same_named_teams_read_with_their_community(world, story):
    found = rates(user=world.street_manager, area=world.street, group_by="team", **NOV)
    names = {g["name"] for g in found["groups"]}
    here, there = world.community.name, world.areas["other_community"].name
    assert {f"维修服务队 · {here}", f"维修服务队 · {there}"} <= names
    assert "维修服务队" not in names
    assert "水电服务队" in names  # a name that is not repeated stays as it is


def test_the_ranking_tells_them_apart_too(world, story):
    found = ranking(
        user=world.street_manager, area=world.street, by="team", min_sample=1, **NOV
    )
    names = [row["name"] for row in found["rows"]]
    assert len(names) == len(set(names))
    assert f"维修服务队 · {world.community.name}" in names
