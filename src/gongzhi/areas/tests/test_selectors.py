"""Places named in full: 航院小区 1号楼 1单元 101, never a bare 1号楼 that
several estates have."""

from gongzhi.areas.models import Kind
from gongzhi.areas.selectors import place_labels, with_places
from gongzhi.areas.services import area_create


def test_a_place_reads_with_its_estate_building_and_entrance(areas):
    labels = place_labels(
        [areas[k] for k in ("household", "entrance", "building", "estate")]
    )
    estate, building = areas["estate"].name, areas["building"].name
    entrance = areas["entrance"].name
    assert labels[areas["household"].pk] == (
        f"{estate} {building} {entrance} {areas['household'].name}"
    )
    assert labels[areas["entrance"].pk] == f"{estate} {building} {entrance}"
    assert labels[areas["building"].pk] == f"{estate} {building}"
    assert labels[areas["estate"].pk] == estate
    assert "网格" not in labels[areas["household"].pk]


def test_a_community_or_above_reads_as_its_name(areas):
    labels = place_labels([areas["community"], areas["street"], areas["district"]])
    assert labels[areas["community"].pk] == areas["community"].name
    assert labels[areas["district"].pk] == areas["district"].name


def test_a_building_straight_under_a_grid_reads_with_the_grid(areas, users):
    row = area_create(
        parent=areas["grid"], kind=Kind.BUILDING, name="7号楼", by=users["secretary"]
    )
    assert place_labels([row])[row.pk] == f"{areas['grid'].name} 7号楼"


def test_many_places_are_named_in_one_query(areas, django_assert_num_queries):
    class Row:
        def __init__(self, area):
            self.area = area

    rows = [Row(areas[k]) for k in ("household", "other_household", "building")]
    with django_assert_num_queries(1):
        with_places(rows)
    assert rows[1].area.place_label.endswith(areas["other_household"].name)
    assert rows[1].area.place_label != rows[1].area.name


def test_names_that_repeat_read_with_their_community_or_street(areas):
    from gongzhi.areas.selectors import names_told_apart

    community, other = areas["community"], areas["other_community"]
    labels = names_told_apart(
        [
            ("安居物业", areas["estate"].path),
            ("安居物业", other.path),
            ("安居物业", areas["street"].path),
            ("五大道派出所", community.path),
        ]
    )
    assert labels == [
        f"安居物业 · {community.name}",
        f"安居物业 · {other.name}",
        f"安居物业 · {areas['street'].name}",
        "五大道派出所",
    ]


def test_holders_met_twice_keep_their_name_and_namesakes_are_told_apart(
    areas, django_assert_max_num_queries
):
    """The 承办方 column of a desk: a team holding several rows is one
    name, while two same-named property companies of two communities read
    with their communities, and a team and a unit that share a pk do not
    mix."""
    from gongzhi.areas.selectors import told_apart
    from gongzhi.orgs.models import Organization, OrgKind
    from gongzhi.volunteering.models import Team, TeamType

    here = Organization.objects.create(
        kind=OrgKind.PROPERTY,
        name="安居物业管理有限公司",
        area=areas["sibling_grid"],
    )
    there = Organization.objects.create(
        kind=OrgKind.PROPERTY,
        name="安居物业管理有限公司",
        area=areas["other_community"],
    )
    team = Team.objects.create(
        name="维修服务队", kind=TeamType.REPAIR, area=areas["community"]
    )
    with django_assert_max_num_queries(2):
        names = told_apart(
            [team, here, team, there, None, team], area_id_of=lambda o: o.area_id
        )
    assert names == {
        team: "维修服务队",
        here: f"安居物业管理有限公司 · {areas['community'].name}",
        there: f"安居物业管理有限公司 · {areas['other_community'].name}",
    }
