"""The scoping helper: subtrees as path ranges, and who sees which nodes."""

import pytest
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.services import grant_create, grant_revoke, user_create
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import (
    ALPHABET,
    in_scope,
    minimal_paths,
    path_upper_bound,
    require_in_scope,
    scope_paths,
    scoped,
    subtree_q,
)
from gongzhi.areas.selectors import area_list, area_roots

STEPLEN = Area.steplen


def _subtree(area):
    return set(Area.objects.filter(path__startswith=area.path))


def _in_range(path: str, prefix: str) -> bool:
    """What ``subtree_q`` asks the database, asked in Python."""
    upper = path_upper_bound(prefix)
    return path >= prefix and (upper is None or path < upper)


# path_upper_bound


def test_upper_bound_of_a_path_increments_its_last_character():
    assert path_upper_bound("0001") == "0002"
    assert path_upper_bound("00010009") == "0001000A"
    assert path_upper_bound("0001000Y") == "0001000Z"


def test_upper_bound_carries_past_a_trailing_z():
    # "001" sorts after every "000Z…" and before "0010": the shortest bound.
    assert path_upper_bound("000Z") == "001"
    assert path_upper_bound("00ZZ") == "01"
    assert path_upper_bound("0001ZZZZ") == "0002"
    assert "000Z" < "000ZZZZZ" < path_upper_bound("000Z") <= "0010"


def test_upper_bound_of_a_path_of_all_z_is_none():
    assert path_upper_bound("Z") is None
    assert path_upper_bound("ZZZZ") is None
    assert path_upper_bound("ZZZZZZZZ") is None


def test_upper_bound_of_the_empty_path_is_none():
    assert path_upper_bound("") is None


# minimal_paths


def test_minimal_paths_drops_paths_inside_another():
    assert minimal_paths(["00010001", "0001", "000100010003"]) == ["0001"]


def test_minimal_paths_keeps_siblings_and_cousins_sorted():
    assert minimal_paths(["0002", "00010002", "00010001"]) == [
        "00010001",
        "00010002",
        "0002",
    ]


def test_minimal_paths_removes_duplicates_and_accepts_any_iterable():
    assert minimal_paths(iter(["0001", "0001", "00010001"])) == ["0001"]
    assert minimal_paths(set()) == []


# subtree_q against real rows


def test_subtree_q_of_no_paths_matches_nothing(demo_street):
    assert not Area.objects.filter(subtree_q([])).exists()


def test_subtree_q_matches_a_node_and_all_its_descendants(areas):
    community = areas["community"]
    matched = set(Area.objects.filter(subtree_q([community.path])))
    assert community in matched
    assert len(matched) == Area.objects.get_descendant_count(community) + 1
    assert matched == _subtree(community)
    assert areas["other_community"] not in matched


def test_subtree_q_of_several_paths_is_their_union(areas):
    grid, other = areas["grid"], areas["other_grid"]
    matched = set(Area.objects.filter(subtree_q([grid.path, other.path])))
    assert matched == _subtree(grid) | _subtree(other)


def test_subtree_q_filters_another_field_by_name(areas):
    grants = Grant.objects.filter(subtree_q([areas["grid"].path], field="area__path"))
    roles = set(grants.values_list("role", flat=True))
    assert roles == {"grid_worker", "building_leader", "resident"}


def _bare_nodes(paths):
    """Area rows with exactly these paths, bypassing treebeard."""
    Area.objects.bulk_create(
        Area(path=p, depth=len(p) // STEPLEN, numchild=0, kind=Kind.HOUSEHOLD, name=p)
        for p in paths
    )


@pytest.mark.django_db
def test_subtree_q_of_an_all_z_path_reaches_to_the_end_of_the_index():
    _bare_nodes(["ZZZY", "ZZZY0001", "ZZZZ", "ZZZZ0001", "ZZZZZZZZ"])
    found = Area.objects.filter(subtree_q(["ZZZZ"])).values_list("path", flat=True)
    assert sorted(found) == ["ZZZZ", "ZZZZ0001", "ZZZZZZZZ"]


@pytest.mark.django_db
def test_subtree_q_with_a_carry_stops_before_the_next_sibling():
    _bare_nodes(["000Y", "000Z", "000Z0001", "000ZZZZZ", "0010", "00100001"])
    found = Area.objects.filter(subtree_q(["000Z"])).values_list("path", flat=True)
    assert sorted(found) == ["000Z", "000Z0001", "000ZZZZZ"]


# Property: the range query equals a prefix match.

# Characters next to the carry ("Y", "Z", "0") are the interesting ones.
_chars = st.one_of(st.sampled_from("01YZ"), st.sampled_from(ALPHABET))
_steps = st.lists(_chars, min_size=STEPLEN, max_size=STEPLEN).map("".join)
_paths = st.lists(_steps, min_size=1, max_size=3).map("".join)


@given(paths=st.sets(_paths, max_size=40), prefixes=st.lists(_paths, max_size=4))
def test_range_filter_equals_startswith_for_any_paths(paths, prefixes):
    kept = {p for p in paths if any(_in_range(p, q) for q in minimal_paths(prefixes))}
    assert kept == {p for p in paths if any(p.startswith(q) for q in prefixes)}


@given(
    prefix=st.text(alphabet=_chars, min_size=1, max_size=8),
    other=st.text(alphabet=_chars, max_size=12),
)
def test_a_string_is_in_range_exactly_when_it_starts_with_the_prefix(prefix, other):
    assert _in_range(other, prefix) == other.startswith(prefix)
    assert _in_range(prefix + other, prefix)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(paths=st.sets(_paths, min_size=1, max_size=25), prefixes=st.lists(_paths))
def test_database_range_filter_equals_startswith_for_any_paths(paths, prefixes):
    """Asked of the real column, under the database's own collation."""
    with transaction.atomic():
        _bare_nodes(paths)
        found = set(
            Area.objects.filter(subtree_q(prefixes)).values_list("path", flat=True)
        )
        transaction.set_rollback(True)
    assert found == {p for p in paths if any(p.startswith(q) for q in prefixes)}


# scoped() and friends


@pytest.fixture
def two_grid_worker(users, areas):
    """A worker covering two grids in different communities."""
    user = user_create(
        phone="13900002222", name="双网格员", password="Two-Grids#2026", by=None
    )
    grant_create(user=user, area=areas["grid"], role="grid_worker", by=None)
    grant_create(user=user, area=areas["other_grid"], role="grid_worker", by=None)
    return User.objects.get(pk=user.pk)


def test_user_with_grants_on_two_grids_sees_both_subtrees_only(two_grid_worker, areas):
    seen = set(area_list(user=two_grid_worker))
    assert seen == _subtree(areas["grid"]) | _subtree(areas["other_grid"])
    assert areas["sibling_grid"] not in seen
    assert areas["community"] not in seen


def test_roots_of_a_user_with_two_grants_are_both_grant_nodes(two_grid_worker, areas):
    assert list(area_roots(user=two_grid_worker)) == [
        areas["grid"],
        areas["other_grid"],
    ]


def test_a_grant_inside_another_adds_nothing_and_is_not_counted_twice(users, areas):
    secretary = users["secretary"]
    grant_create(user=secretary, area=areas["grid"], role="grid_worker", by=None)
    assert scope_paths(secretary) == [areas["community"].path]
    listed = list(area_list(user=secretary))
    assert len(listed) == len(set(listed)) == len(_subtree(areas["community"]))


def test_user_without_any_grant_sees_nothing(demo_street):
    nobody = user_create(
        phone="13900003333", name="无角色", password="No-Role#2026", by=None
    )
    assert scope_paths(nobody) == []
    assert not area_list(user=nobody).exists()
    assert not scoped(Grant.objects.all(), user=nobody).exists()
    assert not in_scope(nobody, Area.objects.first())


def test_anonymous_and_missing_users_see_nothing(demo_street):
    from django.contrib.auth.models import AnonymousUser

    assert not area_list(user=AnonymousUser()).exists()
    assert scope_paths(None) == []


def test_a_revoked_grant_reaches_nothing(users, areas):
    grid_worker = users["grid_worker"]
    grant = Grant.objects.get(user=grid_worker, role="grid_worker")
    grant_revoke(grant=grant, by=users["secretary"])
    fresh = User.objects.get(pk=grid_worker.pk)
    assert not area_list(user=fresh).exists()


def test_scoped_follows_a_foreign_key_named_by_via(users, areas):
    grants = scoped(Grant.objects.all(), user=users["grid_worker"], via="area")
    assert {g.area for g in grants} == {
        areas["grid"],
        areas["building"],
        areas["household"],
    }


def test_a_permission_the_role_lacks_reaches_nothing(users, areas):
    resident = users["resident"]
    assert list(area_list(user=resident)) == [areas["household"]]
    assert not area_list(user=resident, perm="area.manage").exists()
    assert not area_list(user=users["grid_worker"], perm="area.manage").exists()


def test_require_in_scope_answers_404_outside_and_nothing_inside(users, areas):
    grid_worker = users["grid_worker"]
    require_in_scope(grid_worker, areas["household"])
    with pytest.raises(Http404):
        require_in_scope(grid_worker, areas["other_household"])
    with pytest.raises(Http404):
        require_in_scope(grid_worker, areas["community"])  # above her grid


def test_a_new_grant_widens_scope_on_the_same_user_object_at_once(users, areas):
    staff = users["staff"]
    assert not in_scope(staff, areas["other_grid"])
    grant_create(user=staff, area=areas["other_community"], role="staff", by=None)
    assert in_scope(staff, areas["other_grid"])
