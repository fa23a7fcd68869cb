"""The area pages of the workbench: browse, add, rename, move, retire."""

import pytest

from gongzhi.areas.models import Area
from gongzhi.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary_client(client, users):
    client.force_login(users["secretary"])
    return client


def test_area_page_lists_children_and_links_reachable_breadcrumbs(
    secretary_client, areas
):
    response = secretary_client.get(f"/workbench/areas/{areas['grid'].pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "航院小区" in html and "大理道小区" in html
    # 三盛里社区 is hers: a link; 五大道街道 above it is only a name.
    assert f'href="/workbench/areas/{areas["community"].pk}/"' in html
    assert f'href="/workbench/areas/{areas["street"].pk}/"' not in html
    assert "五大道街道" in html


def test_own_grant_node_offers_no_move_retire_or_delete(secretary_client, areas):
    html = secretary_client.get(
        f"/workbench/areas/{areas['community'].pk}/"
    ).content.decode()
    assert f"/workbench/areas/{areas['community'].pk}/rename/" in html
    assert f"/workbench/areas/{areas['community'].pk}/move/" not in html
    assert f"/workbench/areas/{areas['community'].pk}/retire/" not in html


def test_grid_worker_sees_no_management_actions(client, users, areas):
    client.force_login(users["grid_worker"])
    html = client.get(f"/workbench/areas/{areas['estate'].pk}/").content.decode()
    assert "/rename/" not in html and "/add/" not in html
    assert (
        client.get(f"/workbench/areas/{areas['estate'].pk}/rename/").status_code == 404
    )
    response = client.post(
        f"/workbench/areas/{areas['estate'].pk}/add/",
        {"kind": "building", "name": "9号楼"},
    )
    assert response.status_code == 404
    assert not Area.objects.filter(name="9号楼").exists()


def test_secretary_adds_a_building_under_an_estate(secretary_client, areas):
    response = secretary_client.post(
        f"/workbench/areas/{areas['estate'].pk}/add/",
        {"kind": "building", "name": " 7号楼 ", "code": ""},
    )
    assert response.status_code == 302
    node = Area.objects.get(name="7号楼")
    assert node.kind == "building"
    assert Area.objects.get_parent(node) == areas["estate"]
    assert Event.objects.filter(action="area_created", target_id=str(node.pk)).exists()


def test_a_kind_that_cannot_sit_there_is_refused_and_nothing_is_added(
    secretary_client, areas
):
    before = Area.objects.count()
    response = secretary_client.post(
        f"/workbench/areas/{areas['estate'].pk}/add/",
        {"kind": "street", "name": "新街道"},
    )
    assert response.status_code == 400
    assert Area.objects.count() == before


def test_an_over_long_name_is_refused_whole_not_cut(secretary_client, areas):
    name = "楼" * 101
    response = secretary_client.post(
        f"/workbench/areas/{areas['estate'].pk}/add/",
        {"kind": "building", "name": name},
    )
    assert response.status_code == 400
    assert "101" in response.content.decode()
    assert not Area.objects.filter(name__startswith="楼楼楼").exists()
    # What she typed is still in the form for her to shorten.
    assert name in response.content.decode()


def test_rename_with_a_siblings_name_is_refused(secretary_client, areas):
    response = secretary_client.post(
        f"/workbench/areas/{areas['estate'].pk}/rename/", {"name": "大理道小区"}
    )
    assert response.status_code == 400
    areas["estate"].refresh_from_db()
    assert areas["estate"].name == "航院小区"


def test_move_offers_only_fitting_parents_and_moves_the_subtree(
    secretary_client, areas
):
    estate, sibling_grid = areas["estate"], areas["sibling_grid"]
    html = secretary_client.get(f"/workbench/areas/{estate.pk}/move/").content.decode()
    assert f'value="{sibling_grid.pk}"' in html
    assert f'value="{areas["other_grid"].pk}"' not in html  # not hers
    households_before = Area.objects.filter(
        path__startswith=estate.path, kind="household"
    ).count()

    response = secretary_client.post(
        f"/workbench/areas/{estate.pk}/move/", {"parent": sibling_grid.pk}
    )
    assert response.status_code == 302
    estate.refresh_from_db()
    assert Area.objects.get_parent(estate) == sibling_grid
    assert (
        Area.objects.filter(path__startswith=estate.path, kind="household").count()
        == households_before
    )


def test_move_into_its_own_subtree_is_refused(secretary_client, areas):
    grid, estate = areas["grid"], areas["estate"]
    response = secretary_client.post(
        f"/workbench/areas/{grid.pk}/move/", {"parent": estate.pk}
    )
    assert response.status_code == 400
    grid.refresh_from_db()
    assert Area.objects.get_parent(grid) == areas["community"]


def test_retire_asks_first_then_retires_the_subtree_and_restore_brings_it_back(
    secretary_client, areas
):
    building = areas["building"]
    below = Area.objects.filter(path__startswith=building.path).count()
    confirm = secretary_client.get(f"/workbench/areas/{building.pk}/retire/")
    assert confirm.status_code == 200
    assert str(below - 1) in confirm.content.decode()
    building.refresh_from_db()
    assert building.retired_at is None  # a GET changes nothing

    secretary_client.post(f"/workbench/areas/{building.pk}/retire/")
    assert (
        Area.objects.filter(
            path__startswith=building.path, retired_at__isnull=False
        ).count()
        == below
    )
    listing = secretary_client.get(f"/workbench/areas/{areas['estate'].pk}/")
    assert "1号楼" not in listing.content.decode()
    shown = secretary_client.get(f"/workbench/areas/{areas['estate'].pk}/?retired=1")
    assert "1号楼" in shown.content.decode()

    secretary_client.post(f"/workbench/areas/{building.pk}/restore/")
    assert not Area.objects.filter(
        path__startswith=building.path, retired_at__isnull=False
    ).exists()


def test_delete_removes_an_empty_leaf_but_not_a_household_with_a_resident(
    secretary_client, areas
):
    secretary_client.post(
        f"/workbench/areas/{areas['estate'].pk}/add/",
        {"kind": "building", "name": "错录楼"},
    )
    typo = Area.objects.get(name="错录楼")
    secretary_client.post(f"/workbench/areas/{typo.pk}/delete/")
    assert not Area.objects.filter(pk=typo.pk).exists()

    household = areas["household"]  # the demo resident's grant hangs on it
    secretary_client.post(f"/workbench/areas/{household.pk}/delete/")
    assert Area.objects.filter(pk=household.pk).exists()


def test_search_finds_only_areas_in_scope(client, users):
    client.force_login(users["grid_worker"])
    html = client.get("/workbench/areas/search/", {"q": "小区"}).content.decode()
    assert "航院小区" in html
    assert "睦南里" not in html


def test_district_manager_sees_the_true_counts_below_the_district(client, users):
    client.force_login(users["district_manager"])
    html = client.get("/workbench/").content.decode()
    expected = {
        "街道": Area.objects.filter(kind="street").count(),
        "社区": Area.objects.filter(kind="community").count(),
        "网格": Area.objects.filter(kind="grid").count(),
        "户": Area.objects.filter(kind="household").count(),
    }
    assert expected["户"] == 312
    for label, n in expected.items():
        assert f"<dt>{label}</dt><dd>{n}</dd>" in html


def test_counts_follow_a_change_to_the_tree_at_once(
    secretary_client, areas, django_capture_on_commit_callbacks
):
    url = f"/workbench/areas/{areas['estate'].pk}/"
    assert "<dt>楼栋</dt><dd>3</dd>" in secretary_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        secretary_client.post(
            f"/workbench/areas/{areas['estate'].pk}/add/",
            {"kind": "building", "name": "4号楼"},
        )
    assert "<dt>楼栋</dt><dd>4</dd>" in secretary_client.get(url).content.decode()
