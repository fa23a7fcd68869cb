"""Changes to the area tree: what each service does, refuses and records."""

import pytest

from gongzhi.accounts.models import Grant
from gongzhi.accounts.services import grant_create
from gongzhi.areas.models import Area
from gongzhi.areas.services import (
    area_create,
    area_delete,
    area_move,
    area_rename,
    area_restore,
    area_retire,
)
from gongzhi.audit.models import Event
from gongzhi.core.errors import NotAllowed, ValidationFailed

pytestmark = pytest.mark.django_db


def _snapshot():
    """Everything a refused change must leave as it was."""
    return (
        list(
            Area.objects.order_by("pk").values_list("pk", "path", "name", "retired_at")
        ),
        Event.objects.count(),
    )


def _children_names(area):
    return [a.name for a in Area.objects.get_children(Area.objects.get(pk=area.pk))]


def _parent(area):
    return Area.objects.get_parent(Area.objects.get(pk=area.pk))


@pytest.fixture
def secretary(users):
    return users["secretary"]


# area_create


def test_secretary_adds_a_building_under_an_estate_and_the_trail_says_so(
    secretary, areas
):
    node = area_create(
        parent=areas["estate"], kind="building", name="  7号楼 ", by=secretary
    )
    assert node.name == "7号楼"  # spaces trimmed
    assert _parent(node) == areas["estate"]
    assert node.path.startswith(areas["estate"].path)
    event = Event.objects.get(action="area_created")
    assert event.actor == secretary
    assert event.target_id == str(node.pk)
    assert event.target_type == "areas.area"
    assert event.area_path == node.path


def test_inner_whitespace_in_a_name_collapses_to_one_space(secretary, areas):
    node = area_create(
        parent=areas["estate"], kind="building", name="东\t\t 配楼", by=secretary
    )
    assert node.name == "东 配楼"


def test_a_name_of_exactly_100_characters_is_accepted(secretary, areas):
    node = area_create(
        parent=areas["estate"], kind="building", name="楼" * 100, by=secretary
    )
    assert len(node.name) == 100


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("楼" * 101, "101"),
        ("", ""),
        ("   ", ""),
    ],
    ids=["101 characters", "empty", "only spaces"],
)
def test_an_empty_or_over_long_name_is_refused_naming_the_field(
    secretary, areas, name, words
):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(parent=areas["estate"], kind="building", name=name, by=secretary)
    assert refused.value.field == "name"
    assert words in str(refused.value.message)
    assert _snapshot() == before


def test_a_name_taken_by_an_active_sibling_is_refused_whatever_its_case(
    secretary, areas
):
    area_create(parent=areas["estate"], kind="building", name="Tower A", by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(
            parent=areas["estate"], kind="building", name="tower a", by=secretary
        )
    assert refused.value.field == "name"
    assert _snapshot() == before


def test_an_existing_demo_name_is_refused_among_its_siblings(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        area_create(parent=areas["estate"], kind="building", name="1号楼", by=secretary)
    assert _snapshot() == before


def test_the_same_name_is_fine_under_another_parent(secretary, areas):
    # Names are unique among siblings only: 第二网格 may have its own 航院小区.
    node = area_create(
        parent=areas["sibling_grid"], kind="estate", name="航院小区", by=secretary
    )
    assert node.name == "航院小区"


def test_a_retired_siblings_name_may_be_used_again(secretary, areas):
    old = area_create(
        parent=areas["estate"], kind="building", name="旧楼", by=secretary
    )
    area_retire(area=old, by=secretary)
    new = area_create(
        parent=areas["estate"], kind="building", name="旧楼", by=secretary
    )
    assert new.pk != old.pk


def test_a_building_cannot_be_placed_under_a_street(users, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(
            parent=areas["street"],
            kind="building",
            name="9号楼",
            by=users["street_manager"],
        )
    assert refused.value.field == "kind"
    assert _snapshot() == before


def test_an_unknown_kind_is_refused(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(parent=areas["estate"], kind="planet", name="火星", by=secretary)
    assert refused.value.field == "kind"
    assert _snapshot() == before


def test_nothing_can_be_added_under_a_retired_parent(secretary, areas):
    area_retire(area=areas["estate"], by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(parent=areas["estate"], kind="building", name="9号楼", by=secretary)
    assert refused.value.field == "parent"
    assert _snapshot() == before


def test_a_code_already_in_use_is_refused(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_create(
            parent=areas["estate"],
            kind="building",
            name="9号楼",
            code=areas["building"].code,
            by=secretary,
        )
    assert refused.value.field == "code"
    assert _snapshot() == before


def test_a_grid_worker_may_not_add_nodes_even_in_her_own_grid(users, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_create(
            parent=areas["estate"],
            kind="building",
            name="9号楼",
            by=users["grid_worker"],
        )
    assert _snapshot() == before


def test_a_secretary_may_not_add_nodes_in_another_community(secretary, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_create(
            parent=areas["other_grid"], kind="estate", name="新小区", by=secretary
        )
    assert _snapshot() == before


# area_rename


def test_rename_records_old_and_new_name(secretary, areas):
    renamed = area_rename(area=areas["estate"], name="航院新村", by=secretary)
    assert Area.objects.get(pk=areas["estate"].pk).name == "航院新村" == renamed.name
    event = Event.objects.get(action="area_renamed")
    assert event.detail == {"from": "航院小区", "to": "航院新村"}
    assert event.actor == secretary
    assert event.area_path == areas["estate"].path


def test_a_secretary_may_rename_the_community_her_role_sits_on(secretary, areas):
    area_rename(area=areas["community"], name="三盛里新社区", by=secretary)
    assert Area.objects.get(pk=areas["community"].pk).name == "三盛里新社区"


def test_renaming_to_the_same_name_writes_nothing(secretary, areas):
    before = _snapshot()
    area_rename(area=areas["estate"], name=" 航院小区 ", by=secretary)
    assert _snapshot() == before


def test_renaming_onto_a_siblings_name_is_refused_whatever_its_case(secretary, areas):
    area_create(parent=areas["estate"], kind="building", name="Block B", by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_rename(area=areas["building"], name="BLOCK b", by=secretary)
    assert refused.value.field == "name"
    assert _snapshot() == before


@pytest.mark.parametrize("name", ["名" * 101, "", " \n "])
def test_renaming_to_an_empty_or_over_long_name_is_refused(secretary, areas, name):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_rename(area=areas["estate"], name=name, by=secretary)
    assert refused.value.field == "name"
    assert _snapshot() == before


def test_a_grid_worker_may_not_rename(users, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_rename(area=areas["estate"], name="改名", by=users["grid_worker"])
    assert _snapshot() == before


# area_move


def test_moving_a_building_takes_its_whole_subtree_along(secretary, areas):
    building = areas["building"]
    below = Area.objects.get_descendant_count(building)
    target = Area.objects.get(name="大理道小区", code__startswith=areas["grid"].code)
    # 大理道小区 already has 1号楼 and 2号楼: move 航院 3号楼 there.
    three = Area.objects.get_children(areas["estate"]).get(name="3号楼")
    moved = area_move(area=three, parent=target, by=secretary)
    assert _parent(moved) == target
    assert Area.objects.get_descendant_count(moved) == below
    assert all(
        a.path.startswith(moved.path)
        for a in Area.objects.filter(code__startswith=three.code)
    )
    assert "3号楼" not in _children_names(areas["estate"])
    event = Event.objects.get(action="area_moved")
    assert event.detail == {"from": "航院小区", "to": "大理道小区"}
    assert event.actor == secretary


def test_an_estate_moves_to_the_sibling_grid(secretary, areas):
    moved = area_move(area=areas["estate"], parent=areas["sibling_grid"], by=secretary)
    assert _parent(moved) == areas["sibling_grid"]
    household = Area.objects.get(pk=areas["household"].pk)
    assert household.path.startswith(areas["sibling_grid"].path)


def test_moving_under_the_current_parent_changes_nothing(secretary, areas):
    before = _snapshot()
    area_move(area=areas["estate"], parent=areas["grid"], by=secretary)
    assert _snapshot() == before


def test_moving_beside_a_sibling_of_the_same_name_is_refused(secretary, areas):
    target = Area.objects.get(name="大理道小区", code__startswith=areas["grid"].code)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_move(area=areas["building"], parent=target, by=secretary)  # 1号楼
    assert refused.value.field == "name"
    assert _snapshot() == before


@pytest.mark.parametrize("below", ["grid", "estate", "building"])
def test_a_node_cannot_move_into_itself_or_below_itself(secretary, areas, below):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_move(area=areas["grid"], parent=areas[below], by=secretary)
    assert refused.value.field == "parent"
    assert _snapshot() == before


def test_a_node_cannot_move_under_a_parent_of_the_wrong_kind(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_move(area=areas["building"], parent=areas["community"], by=secretary)
    assert refused.value.field == "parent"
    assert _snapshot() == before


def test_a_node_cannot_move_outside_the_movers_managed_subtree(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_move(area=areas["estate"], parent=areas["other_grid"], by=secretary)
    assert refused.value.field == "parent"
    assert _snapshot() == before


def test_a_node_outside_the_movers_subtree_cannot_be_moved_in(secretary, areas):
    other_estate = Area.objects.get_children(areas["other_grid"]).first()
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_move(area=other_estate, parent=areas["grid"], by=secretary)
    assert _snapshot() == before


def test_the_node_ones_own_role_sits_on_cannot_be_moved(secretary, areas):
    # With a second community she could name a parent she manages; the
    # node her first role sits on still stays put.
    grant_create(
        user=secretary, area=areas["other_community"], role="secretary", by=None
    )
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_move(
            area=areas["community"], parent=areas["other_community"], by=secretary
        )
    assert _snapshot() == before


def test_a_street_manager_may_move_an_estate_to_another_community(users, areas):
    moved = area_move(
        area=areas["estate"], parent=areas["other_grid"], by=users["street_manager"]
    )
    assert _parent(moved) == areas["other_grid"]
    household = Area.objects.get(pk=areas["household"].pk)
    assert household.path.startswith(areas["other_grid"].path)


def test_nothing_can_be_moved_under_a_retired_parent(secretary, areas):
    area_retire(area=areas["sibling_grid"], by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_move(area=areas["estate"], parent=areas["sibling_grid"], by=secretary)
    assert refused.value.field == "parent"
    assert _snapshot() == before


def test_a_grid_worker_may_not_move_anything(users, areas):
    target = Area.objects.get(name="大理道小区", code__startswith=areas["grid"].code)
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_move(area=areas["building"], parent=target, by=users["grid_worker"])
    assert _snapshot() == before


# area_retire and area_restore


def test_retiring_an_estate_retires_everything_below_it(secretary, areas):
    estate = areas["estate"]
    size = Area.objects.get_descendant_count(estate) + 1
    assert area_retire(area=estate, by=secretary) == size
    below = Area.objects.filter(path__startswith=estate.path)
    assert below.filter(retired_at__isnull=True).count() == 0
    assert len({a.retired_at for a in below}) == 1
    event = Event.objects.get(action="area_retired")
    assert event.detail == {"nodes": size}
    assert event.area_path == estate.path
    # The grants on retired nodes stay, as history.
    assert Grant.objects.filter(area=areas["household"], revoked_at=None).exists()


def test_the_node_ones_own_role_sits_on_cannot_be_retired(secretary, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_retire(area=areas["community"], by=secretary)
    assert _snapshot() == before


def test_retiring_twice_is_refused(secretary, areas):
    area_retire(area=areas["building"], by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        area_retire(area=areas["building"], by=secretary)
    assert _snapshot() == before


def test_a_grid_worker_may_not_retire(users, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_retire(area=areas["building"], by=users["grid_worker"])
    assert _snapshot() == before


def test_restore_brings_back_only_the_nodes_retired_with_it(secretary, areas):
    area_retire(area=areas["neighbour_household"], by=secretary)
    retired_alone_at = Area.objects.get(pk=areas["neighbour_household"].pk).retired_at
    count = area_retire(area=areas["entrance"], by=secretary)
    assert count == 6  # the entrance and its five still-active households
    assert area_restore(area=areas["entrance"], by=secretary) == 6
    assert not Area.objects.get(pk=areas["entrance"].pk).is_retired
    assert not Area.objects.get(pk=areas["household"].pk).is_retired
    neighbour = Area.objects.get(pk=areas["neighbour_household"].pk)
    assert neighbour.retired_at == retired_alone_at
    event = Event.objects.get(action="area_restored")
    assert event.detail == {"nodes": 6}


def test_restoring_an_active_node_is_refused(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        area_restore(area=areas["estate"], by=secretary)
    assert _snapshot() == before


def test_a_node_cannot_be_restored_under_a_retired_parent(secretary, areas):
    area_retire(area=areas["estate"], by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        area_restore(area=Area.objects.get(pk=areas["building"].pk), by=secretary)
    assert _snapshot() == before


def test_restore_is_refused_when_an_active_sibling_took_the_name(secretary, areas):
    area_retire(area=areas["building"], by=secretary)  # 1号楼
    area_create(parent=areas["estate"], kind="building", name="1号楼", by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_restore(area=Area.objects.get(pk=areas["building"].pk), by=secretary)
    assert refused.value.field == "name"
    assert _snapshot() == before


def test_a_grid_worker_may_not_restore(users, areas, secretary):
    area_retire(area=areas["building"], by=secretary)
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_restore(
            area=Area.objects.get(pk=areas["building"].pk), by=users["grid_worker"]
        )
    assert _snapshot() == before


# area_delete


def test_a_leaf_entered_by_mistake_is_deleted_and_the_trail_files_it_above(
    secretary, areas
):
    node = area_create(
        parent=areas["estate"], kind="building", name="错楼", by=secretary
    )
    area_delete(area=node, by=secretary)
    assert not Area.objects.filter(pk=node.pk).exists()
    assert "错楼" not in _children_names(areas["estate"])
    assert Area.objects.get(pk=areas["estate"].pk).numchild == 3
    event = Event.objects.get(action="area_deleted")
    assert event.detail == {"deleted": "错楼"}
    assert event.area_path == areas["estate"].path
    assert event.actor == secretary


def test_a_node_with_children_cannot_be_deleted(secretary, areas):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_delete(area=areas["building"], by=secretary)
    assert refused.value.field == "area"
    assert _snapshot() == before


def test_a_node_someone_holds_a_role_on_cannot_be_deleted(secretary, areas):
    household = areas["household"]  # the demo resident's
    before = _snapshot()
    with pytest.raises(ValidationFailed) as refused:
        area_delete(area=household, by=secretary)
    assert refused.value.field == "area"
    assert _snapshot() == before
    assert Grant.objects.filter(area=household, role="resident").exists()


def test_a_revoked_grant_still_keeps_its_node_from_deletion(secretary, areas, users):
    grant = Grant.objects.get(user=users["resident"])
    from gongzhi.accounts.services import grant_revoke

    grant_revoke(grant=grant, by=secretary)
    before = _snapshot()
    with pytest.raises(ValidationFailed):
        area_delete(area=areas["household"], by=secretary)
    assert _snapshot() == before


def test_the_node_ones_own_role_sits_on_cannot_be_deleted(users, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_delete(area=areas["district"], by=users["system_admin"])
    assert _snapshot() == before


def test_a_grid_worker_may_not_delete(users, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_delete(area=areas["neighbour_household"], by=users["grid_worker"])
    assert _snapshot() == before


def test_a_secretary_may_not_delete_in_another_community(secretary, areas):
    before = _snapshot()
    with pytest.raises(NotAllowed):
        area_delete(area=areas["other_household"], by=secretary)
    assert _snapshot() == before
