"""The scale seeder: a tiny plan built with bulk inserts must be the same
valid treebeard tree that ``add_child`` would have built, and idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import subtree_q
from gongzhi.seeding import bulk, names

# 2 streets x 2 communities x 2 grids x 2 estates x 2 buildings; estates
# alternate a walk-up (2 entrances x 2 floors x 2 doors) and a tower
# (1 entrance x 3 floors x 1 door).
TINY = bulk.Plan(
    code="120199",
    name="测试区",
    streets=2,
    communities=2,
    grids=2,
    estates=2,
    buildings=2,
    styles=(
        bulk.Style("多层", entrances=2, floors=2, doors=2),
        bulk.Style("高层", entrances=1, floors=3, doors=1),
    ),
    seed=7,
)


def _seed(plan=TINY):
    out = StringIO()
    counts = bulk.seed_plan(plan=plan, stdout=out)
    return counts, out.getvalue()


def _subtree(plan=TINY):
    root = Area.objects.get(code=plan.code)
    return root, Area.objects.filter(subtree_q([root.path])).order_by("path")


def test_plan_counts_multiply_out_the_shape():
    assert TINY.counts() == {
        "district": 1,
        "street": 2,
        "community": 4,
        "grid": 8,
        "estate": 16,
        "building": 32,
        # Per community: 2 walk-up estates x 2 buildings x 2 entrances, 2
        # tower estates x 2 buildings x 1 entrance.
        "entrance": 4 * (2 * 2 * 2 + 2 * 2 * 1),
        "household": 4 * (2 * 2 * 8 + 2 * 2 * 3),
    }


def test_scales_have_the_promised_sizes():
    households = {name: p.counts()["household"] for name, p in bulk.SCALES.items()}
    assert 3_500 <= households["community"] <= 4_500
    assert 35_000 <= households["street"] <= 45_000
    assert 950_000 <= households["district"] <= 1_050_000
    codes = [p.code for p in bulk.SCALES.values()]
    assert len(set(codes)) == len(codes)
    # The demo's district is 120101; no scale may share its code prefix.
    assert not any(code.startswith("120101") for code in codes)


def test_step_is_a_four_character_base36_path_step():
    assert bulk.step(1) == "0001"
    assert bulk.step(35) == "000Z"
    assert bulk.step(36) == "0010"
    with pytest.raises(OverflowError):
        bulk.step(36**4)


def test_grids_are_numbered_in_chinese():
    assert names.grid_name(1) == "第一网格"
    assert names.grid_name(10) == "第十网格"
    assert names.grid_name(12) == "第十二网格"
    assert names.grid_name(40) == "第四十网格"
    assert names.household_name(floor=18, door=2) == "1802"


@pytest.mark.django_db
def test_counts_per_kind_equal_the_plan():
    counts, output = _seed()
    assert counts == TINY.counts()
    _, nodes = _subtree()
    assert dict(Counter(nodes.values_list("kind", flat=True))) == TINY.counts()
    assert "household" in output and "peak memory" in output


@pytest.mark.django_db
def test_tree_is_valid_for_treebeard():
    _seed()
    root, nodes = _subtree()
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.get_descendant_count(root) == sum(TINY.counts().values()) - 1
    for node in nodes:
        assert node.depth == len(node.path) // 4
        assert node.numchild == Area.objects.get_children(node).count()
    assert [s.kind for s in Area.objects.get_children(root)] == [
        Kind.STREET
    ] * TINY.streets


@pytest.mark.django_db
def test_every_kind_hangs_under_its_allowed_parent_with_a_child_code():
    from gongzhi.areas.models import ALLOWED_PARENTS

    _seed()
    _, nodes = _subtree()
    by_path = {node.path: node for node in nodes}
    for node in nodes:
        parent = by_path.get(node.path[:-4])
        assert (parent.kind if parent else None) in ALLOWED_PARENTS[node.kind]
        if parent is not None:
            assert node.code.startswith(parent.code)


@pytest.mark.django_db
def test_sibling_names_are_unique_and_read_like_addresses():
    _seed()
    _, nodes = _subtree()
    siblings = Counter((node.path[:-4], node.name) for node in nodes)
    assert max(siblings.values()) == 1
    for node in nodes:
        if node.kind == Kind.STREET:
            assert node.name.endswith("街道")
        elif node.kind == Kind.COMMUNITY:
            assert node.name.endswith("社区")
        elif node.kind == Kind.GRID:
            assert node.name.startswith("第") and node.name.endswith("网格")
        elif node.kind == Kind.ESTATE:
            assert node.name.endswith(names.ESTATE_SUFFIXES)
        elif node.kind == Kind.BUILDING:
            assert node.name.endswith("号楼")
        elif node.kind == Kind.ENTRANCE:
            assert node.name.endswith("单元")
        elif node.kind == Kind.HOUSEHOLD:
            assert node.name.isdigit() and len(node.name) >= 3


@pytest.mark.django_db
def test_a_second_run_changes_nothing():
    _seed()
    before = list(Area.objects.order_by("path").values_list("path", "name", "code"))
    counts, output = _seed()
    assert counts is None
    assert "already seeded" in output
    after = list(Area.objects.order_by("path").values_list("path", "name", "code"))
    assert after == before


@pytest.mark.django_db
def test_add_child_works_on_a_seeded_entrance():
    _seed()
    root, _ = _subtree()
    entrance = (
        Area.objects.filter(subtree_q([root.path]), kind=Kind.ENTRANCE)
        .order_by("path")
        .first()
    )
    last = Area.objects.get_children(entrance).order_by("path").last()
    child = Area.objects.add_child(
        entrance, {"kind": Kind.HOUSEHOLD, "name": "501", "code": "x-501"}
    )
    assert child.path == entrance.path + bulk.step(int(last.path[-4:], 36) + 1)
    assert child.depth == entrance.depth + 1
    entrance.refresh_from_db()
    assert entrance.numchild == Area.objects.get_children(entrance).count()
    assert Area.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_seeds_beside_an_existing_tree(demo_street):
    demo_root = Area.objects.get(code="120101")
    _seed()
    root, _ = _subtree()
    assert root.path > demo_root.path
    assert root.depth == 1
    assert Area.objects.find_problems() == ([], [], [], [], [])
    # A root added later lands after the seeded one, as treebeard computes it.
    later = Area.objects.add_root(
        {"kind": Kind.DISTRICT, "name": "红桥区", "code": "120106"}
    )
    assert later.path == bulk.step(int(root.path, 36) + 1)


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_names():
    twin = bulk.Plan(**{**TINY.__dict__, "code": "120198", "name": "孪生区"})
    _seed()
    _seed(twin)
    _, first = _subtree()
    _, second = _subtree(twin)
    assert (
        list(first.values_list("name", flat=True))[1:]
        == list(second.values_list("name", flat=True))[1:]
    )


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_leaves_nothing(monkeypatch):
    write = bulk._Builder.write
    calls = []

    def failing_write(self, rows):
        calls.append(len(rows))
        if len(calls) == 4:
            raise RuntimeError("disk full")
        write(self, rows)

    monkeypatch.setattr(bulk._Builder, "write", failing_write)
    with pytest.raises(RuntimeError, match="disk full"):
        _seed()
    assert not Area.objects.filter(code__startswith=TINY.code).exists()


@pytest.mark.django_db
def test_an_active_root_of_the_same_name_is_refused():
    Area.objects.add_root({"kind": Kind.DISTRICT, "name": TINY.name, "code": "999999"})
    with pytest.raises(ValueError, match=TINY.name):
        _seed()
    assert Area.objects.count() == 1


@pytest.mark.django_db
def test_seed_command_builds_the_community_scale():
    out = StringIO()
    # The year of points has tests of its own (test_points.py); at this
    # scale it would take minutes.
    call_command("seed", scale="community", points_communities=0, stdout=out)
    plan = bulk.SCALES["community"]
    _, nodes = _subtree(plan)
    assert nodes.count() == sum(plan.counts().values())
    assert "already seeded" not in out.getvalue()
    call_command("seed", scale="community", points_communities=0, stdout=out)
    assert "already seeded" in out.getvalue()
