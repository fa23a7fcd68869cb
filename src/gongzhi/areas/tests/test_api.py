"""The area API: read the tree, change it, and the OpenAPI document."""

import pytest

from gongzhi.accounts.services import grant_create, user_create
from gongzhi.areas.models import Area
from gongzhi.audit.models import Event

pytestmark = pytest.mark.django_db

API = "/api/v1/areas"


def _json(client, method, url, data=None, **extra):
    return getattr(client, method)(url, data, content_type="application/json", **extra)


def _tree():
    """Everything a refused change must leave as it was."""
    return (
        list(
            Area.objects.order_by("pk").values_list("pk", "path", "name", "retired_at")
        ),
        Event.objects.count(),
    )


@pytest.fixture
def secretary_api(api_client, users):
    api_client.login_api(users["secretary"])
    return api_client


# Reading


def test_roots_are_the_nodes_the_callers_roles_sit_on(api_client, users, areas):
    api_client.login_api(users["secretary"])
    assert [a["id"] for a in api_client.get(API).json()] == [areas["community"].pk]
    api_client.login_api(users["resident"])
    assert [a["name"] for a in api_client.get(API).json()] == ["101"]


def test_a_caller_with_two_grants_gets_two_roots(api_client, areas, demo_street):
    user = user_create(
        phone="13900002222", name="双网格员", password="Two-Grids#2026", by=None
    )
    grant_create(user=user, area=areas["grid"], role="grid_worker", by=None)
    grant_create(user=user, area=areas["other_grid"], role="grid_worker", by=None)
    api_client.login_api(user)
    assert [a["id"] for a in api_client.get(API).json()] == [
        areas["grid"].pk,
        areas["other_grid"].pk,
    ]


def test_a_caller_without_grants_gets_no_roots(api_client, demo_street):
    user = user_create(
        phone="13900003333", name="无角色", password="No-Role#2026", by=None
    )
    api_client.login_api(user)
    response = api_client.get(API)
    assert response.status_code == 200
    assert response.json() == []


def test_a_node_reads_with_its_kind_label_and_child_count(secretary_api, areas):
    response = secretary_api.get(f"{API}/{areas['grid'].pk}")
    assert response.status_code == 200
    assert response.json() == {
        "id": areas["grid"].pk,
        "kind": "grid",
        "kind_label": "网格",
        "name": "第一网格",
        "code": areas["grid"].code,
        "depth": 4,
        "children_count": 2,
        "retired": False,
        "retired_at": None,
    }


def test_english_callers_get_english_labels(secretary_api, areas):
    response = secretary_api.get(f"{API}/{areas['grid'].pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["kind_label"] == "Grid"


def test_children_come_in_tree_order(secretary_api, areas):
    response = secretary_api.get(f"{API}/{areas['grid'].pk}/children")
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["items"]] == ["航院小区", "大理道小区"]
    assert body["count"] == 2


def test_children_page_with_limit_and_offset(secretary_api, areas):
    url = f"{API}/{areas['entrance'].pk}/children"
    first = secretary_api.get(f"{url}?limit=4").json()
    rest = secretary_api.get(f"{url}?limit=4&offset=4").json()
    assert first["count"] == rest["count"] == 6
    names = [c["name"] for c in first["items"] + rest["items"]]
    assert names == ["101", "102", "201", "202", "301", "302"]


def test_retired_children_are_hidden_unless_asked_for(secretary_api, areas):
    assert secretary_api.post(f"{API}/{areas['estate'].pk}/retire").status_code == 200
    url = f"{API}/{areas['grid'].pk}/children"
    assert [c["name"] for c in secretary_api.get(url).json()["items"]] == ["大理道小区"]
    both = secretary_api.get(f"{url}?include_retired=true").json()["items"]
    assert [(c["name"], c["retired"]) for c in both] == [
        ("航院小区", True),
        ("大理道小区", False),
    ]
    assert both[0]["retired_at"] is not None


def test_ancestors_name_the_nodes_above_root_first(api_client, users, areas):
    api_client.login_api(users["grid_worker"])
    response = api_client.get(f"{API}/{areas['household'].pk}/ancestors")
    assert response.status_code == 200
    assert [a["name"] for a in response.json()] == [
        "和平区",
        "五大道街道",
        "三盛里社区",
        "第一网格",
        "航院小区",
        "1号楼",
        "1单元",
    ]
    # Named, but still not hers to open.
    assert api_client.get(f"{API}/{areas['community'].pk}").status_code == 404


@pytest.mark.parametrize(
    "suffix", ["", "/children", "/ancestors"], ids=["detail", "children", "ancestors"]
)
def test_a_node_outside_the_callers_subtree_answers_404_like_a_missing_one(
    api_client, users, areas, suffix
):
    api_client.login_api(users["grid_worker"])
    outside = api_client.get(f"{API}/{areas['other_household'].pk}{suffix}")
    missing = api_client.get(f"{API}/999999{suffix}")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


# Adding


def test_secretary_adds_a_building_and_gets_it_back_with_201(secretary_api, areas):
    response = _json(
        secretary_api,
        "post",
        API,
        {"parent_id": areas["estate"].pk, "kind": "building", "name": "7号楼"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["kind"], body["depth"]) == ("7号楼", "building", 6)
    node = Area.objects.get(pk=body["id"])
    assert Area.objects.get_parent(node) == areas["estate"]
    event = Event.objects.get(action="area_created")
    assert event.target_id == str(node.pk)
    assert event.ip == "127.0.0.1"


def test_an_over_long_name_is_a_400_naming_name_in_chinese(secretary_api, areas):
    before = _tree()
    response = _json(
        secretary_api,
        "post",
        API,
        {"parent_id": areas["estate"].pk, "kind": "building", "name": "楼" * 101},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "name"
    assert "最多 100 个字符" in body["detail"]
    assert "101" in body["detail"]
    assert _tree() == before


def test_an_over_long_name_is_explained_in_english_to_english_callers(
    secretary_api, areas
):
    response = _json(
        secretary_api,
        "post",
        API,
        {"parent_id": areas["estate"].pk, "kind": "building", "name": "楼" * 101},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "at most 100 characters" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "building", "name": "  "}, "name"),
        ({"kind": "street", "name": "新街道"}, "kind"),
        ({"kind": "planet", "name": "火星"}, "kind"),
        ({"kind": "building", "name": "1号楼"}, "name"),
    ],
    ids=["blank name", "wrong kind", "unknown kind", "taken name"],
)
def test_a_node_that_cannot_be_added_is_a_400_naming_the_field(
    secretary_api, areas, payload, field
):
    before = _tree()
    response = _json(
        secretary_api, "post", API, {"parent_id": areas["estate"].pk, **payload}
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert _tree() == before


@pytest.mark.parametrize("parent", ["nowhere", "other_grid"])
def test_a_parent_missing_or_outside_is_a_400_naming_parent_id(
    secretary_api, areas, parent
):
    parent_id = areas[parent].pk if parent in areas else 999_999
    before = _tree()
    response = _json(
        secretary_api,
        "post",
        API,
        {"parent_id": parent_id, "kind": "estate", "name": "新小区"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "该区域不存在。", "field": "parent_id"}
    assert _tree() == before


def test_a_missing_field_is_a_422_naming_it(secretary_api, areas):
    before = _tree()
    response = _json(
        secretary_api, "post", API, {"parent_id": areas["estate"].pk, "kind": "x"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    assert _tree() == before


def test_a_grid_worker_may_not_add_nodes_403(api_client, users, areas):
    api_client.login_api(users["grid_worker"])
    before = _tree()
    response = _json(
        api_client,
        "post",
        API,
        {"parent_id": areas["estate"].pk, "kind": "building", "name": "9号楼"},
    )
    assert response.status_code == 403
    assert _tree() == before


# Renaming


def test_rename_answers_with_the_new_name(secretary_api, areas):
    response = _json(
        secretary_api, "patch", f"{API}/{areas['estate'].pk}", {"name": "航院新村"}
    )
    assert response.status_code == 200
    assert response.json()["name"] == "航院新村"
    assert Area.objects.get(pk=areas["estate"].pk).name == "航院新村"


@pytest.mark.parametrize(
    ("name", "words"), [("名" * 101, "最多"), ("", ""), ("大理道小区", "已有")]
)
def test_a_rename_that_cannot_be_is_a_400_naming_name(
    secretary_api, areas, name, words
):
    before = _tree()
    response = _json(
        secretary_api, "patch", f"{API}/{areas['estate'].pk}", {"name": name}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert words in response.json()["detail"]
    assert _tree() == before


# Moving


def test_a_move_puts_the_subtree_under_the_new_parent(secretary_api, areas):
    response = _json(
        secretary_api,
        "post",
        f"{API}/{areas['estate'].pk}/move",
        {"parent_id": areas["sibling_grid"].pk},
    )
    assert response.status_code == 200
    ancestors = secretary_api.get(f"{API}/{areas['household'].pk}/ancestors").json()
    assert [a["name"] for a in ancestors][3:5] == ["第二网格", "航院小区"]


@pytest.mark.parametrize("below", ["grid", "estate", "building"])
def test_a_move_that_would_make_a_cycle_is_a_400_naming_the_parent(
    secretary_api, areas, below
):
    before = _tree()
    response = _json(
        secretary_api,
        "post",
        f"{API}/{areas['grid'].pk}/move",
        {"parent_id": areas[below].pk},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "parent_id"
    assert "自身" in body["detail"]
    assert _tree() == before


def test_a_move_to_a_parent_outside_is_a_400_naming_parent_id(secretary_api, areas):
    before = _tree()
    response = _json(
        secretary_api,
        "post",
        f"{API}/{areas['estate'].pk}/move",
        {"parent_id": areas["other_grid"].pk},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "parent_id"
    assert _tree() == before


def test_moving_the_node_ones_role_sits_on_is_a_403(api_client, users, areas):
    # With a second community she could name a parent she manages.
    api_client.login_api(users["secretary"])
    grant_create(
        user=users["secretary"],
        area=areas["other_community"],
        role="secretary",
        by=None,
    )
    before = _tree()
    response = _json(
        api_client,
        "post",
        f"{API}/{areas['community'].pk}/move",
        {"parent_id": areas["other_community"].pk},
    )
    assert response.status_code == 403
    assert _tree() == before


# Retiring, restoring, deleting


def test_retire_then_restore_answer_with_the_number_of_nodes(secretary_api, areas):
    size = Area.objects.get_descendant_count(areas["building"]) + 1
    retired = secretary_api.post(f"{API}/{areas['building'].pk}/retire")
    assert retired.status_code == 200
    assert retired.json() == {"retired": size}
    assert secretary_api.get(f"{API}/{areas['building'].pk}").json()["retired"]
    restored = secretary_api.post(f"{API}/{areas['building'].pk}/restore")
    assert restored.json() == {"restored": size}
    assert not secretary_api.get(f"{API}/{areas['building'].pk}").json()["retired"]


def test_restoring_an_active_node_is_a_400(secretary_api, areas):
    before = _tree()
    response = secretary_api.post(f"{API}/{areas['building'].pk}/restore")
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"
    assert _tree() == before


def test_retiring_ones_own_node_is_a_403(secretary_api, areas):
    before = _tree()
    assert (
        secretary_api.post(f"{API}/{areas['community'].pk}/retire").status_code == 403
    )
    assert _tree() == before


def test_delete_removes_a_fresh_leaf_with_204(secretary_api, areas):
    created = _json(
        secretary_api,
        "post",
        API,
        {"parent_id": areas["estate"].pk, "kind": "building", "name": "错楼"},
    ).json()
    response = secretary_api.delete(f"{API}/{created['id']}")
    assert response.status_code == 204
    assert not Area.objects.filter(pk=created["id"]).exists()
    assert secretary_api.get(f"{API}/{created['id']}").status_code == 404


@pytest.mark.parametrize("place", ["building", "household"])
def test_a_node_with_children_or_grants_is_not_deleted(secretary_api, areas, place):
    before = _tree()
    response = secretary_api.delete(f"{API}/{areas[place].pk}")
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"
    assert "停用" in response.json()["detail"]  # "retire it instead"
    assert _tree() == before


# The OpenAPI document and its viewer

EXPECTED_PATHS = {
    "/api/v1/auth/token": {"post", "delete"},
    "/api/v1/me": {"get"},
    "/api/v1/grants": {"get", "post"},
    "/api/v1/grants/{grant_id}": {"delete"},
    "/api/v1/areas": {"get", "post"},
    "/api/v1/areas/{area_id}": {"get", "patch", "delete"},
    "/api/v1/areas/{area_id}/children": {"get"},
    "/api/v1/areas/{area_id}/ancestors": {"get"},
    "/api/v1/areas/{area_id}/move": {"post"},
    "/api/v1/areas/{area_id}/retire": {"post"},
    "/api/v1/areas/{area_id}/restore": {"post"},
}


def test_the_openapi_document_describes_every_endpoint_and_the_bearer_scheme(
    client, db
):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    scheme = spec["components"]["securitySchemes"]["BearerToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operations = {
        path: set(methods) & {"get", "post", "patch", "put", "delete"}
        for path, methods in spec["paths"].items()
    }
    missing = {
        path: methods - operations.get(path, set())
        for path, methods in EXPECTED_PATHS.items()
        if methods - operations.get(path, set())
    }
    assert missing == {}
    for path, methods in EXPECTED_PATHS.items():
        for method in methods:
            assert spec["paths"][path][method].get("summary"), (method, path)


def test_the_openapi_document_documents_the_name_limit(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    name = spec["components"]["schemas"]["AreaCreateIn"]["properties"]["name"]
    assert name["maxLength"] == 100


def test_the_api_docs_page_serves_swagger_from_local_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "https://"):
        assert cdn not in html
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200
