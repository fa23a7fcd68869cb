"""The accounts API: bearer tokens, the caller, grants."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, Grant
from gongzhi.accounts.services import user_create
from gongzhi.audit.models import Event
from gongzhi.seeding.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"
WRONG = "手机号或密码不正确"  # the one answer to every failed login


def _post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def _login(client, phone="13800000005", password=DEMO_PASSWORD):
    return _post(client, TOKEN_URL, {"phone": phone, "password": password})


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def newcomer(demo_street):
    return user_create(
        phone="13900001111", name="新网格员", password="Newcomer#2026", by=None
    )


def _grants():
    return list(
        Grant.objects.order_by("pk").values_list("pk", "user_id", "role", "revoked_at")
    )


# POST /auth/token


def test_phone_and_password_buy_a_bearer_token_that_opens_the_api(client, users):
    response = _login(client, phone="+86 138 0000 0005")
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("gz_")
    assert body["expires_at"]
    me = client.get("/api/v1/me", **_bearer(body["token"]))
    assert me.status_code == 200
    assert me.json()["name"] == "陈静"
    event = Event.objects.get(action="token_issued")
    assert event.actor == users["grid_worker"]
    assert event.ip == "127.0.0.1"


def test_a_wrong_password_gets_no_token(client, users):
    response = _login(client, password="not-the-password")
    assert response.status_code == 400
    assert response.json()["field"] == "password"
    assert WRONG in response.json()["detail"]
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "phone", ["13911119999", "12345", "1380000000a"], ids=["unknown", "short", "letter"]
)
def test_an_unknown_or_malformed_number_gets_the_same_answer_as_a_wrong_password(
    client, users, phone
):
    wrong_password = _login(client, password="not-the-password").json()
    response = _login(client, phone=phone)
    assert response.status_code == 400
    assert response.json() == wrong_password  # no hint which accounts exist
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "13800000005"}, "password"),
        ({"password": DEMO_PASSWORD}, "phone"),
        ({}, "phone"),
    ],
    ids=["no password", "no phone", "nothing"],
)
def test_a_missing_field_is_named_in_a_422(client, users, payload, field):
    response = _post(client, TOKEN_URL, payload)
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == field
    assert body["detail"].startswith(field)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"phone": "  ", "password": DEMO_PASSWORD}, "phone"),
        ({"phone": "13800000005", "password": ""}, "password"),
    ],
)
def test_a_blank_field_is_named_in_a_400(client, users, payload, field):
    response = _post(client, TOKEN_URL, payload)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert not ApiToken.objects.exists()


def test_five_failed_logins_lock_the_number_out_even_with_the_right_password(
    client, users
):
    statuses = [_login(client, password=f"wrong-{i}").status_code for i in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    response = _login(client)
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    assert response.json()["field"] == "phone"
    assert not ApiToken.objects.exists()
    # Another number from the same address is not locked out.
    assert _login(client, phone="13800000003").status_code == 201


def test_a_successful_login_resets_the_failure_count(client, users):
    for i in range(4):
        _login(client, password=f"wrong-{i}")
    assert _login(client).status_code == 201
    for i in range(4):
        _login(client, password=f"wrong-again-{i}")
    assert _login(client).status_code == 201


# Using and ending tokens


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer gz_nonsense", "Token abc", "gz_abc"],
    ids=["none", "empty bearer", "unknown token", "wrong scheme", "no scheme"],
)
def test_a_missing_or_unknown_token_answers_401(client, users, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/v1/me", **extra)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_an_expired_token_answers_401(api_client, users):
    api_client.login_api(users["grid_worker"])
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


def test_delete_token_revokes_the_token_in_use_and_only_it(client, users):
    first = _login(client).json()["token"]
    second = _login(client).json()["token"]
    response = client.delete(TOKEN_URL, **_bearer(first))
    assert response.status_code == 204
    assert client.get("/api/v1/me", **_bearer(first)).status_code == 401
    assert client.get("/api/v1/me", **_bearer(second)).status_code == 200
    assert client.delete(TOKEN_URL, **_bearer(first)).status_code == 401


def test_a_token_revoked_in_the_database_answers_401(api_client, users):
    api_client.login_api(users["grid_worker"])
    ApiToken.objects.update(revoked_at=timezone.now())
    assert api_client.get("/api/v1/me").status_code == 401


def test_a_disabled_account_is_shut_out_at_once(api_client, users):
    api_client.login_api(users["grid_worker"])
    users["grid_worker"].__class__.objects.filter(pk=users["grid_worker"].pk).update(
        is_active=False
    )
    assert api_client.get("/api/v1/me").status_code == 401


# GET /me


def test_me_lists_the_callers_grants_and_permissions_with_a_masked_phone(
    api_client, users, areas
):
    api_client.login_api(users["grid_worker"])
    response = api_client.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "陈静"
    assert body["phone"] == "138****0005"
    assert "13800000005" not in response.content.decode()
    assert "personal.full" in body["perms"] and "area.manage" not in body["perms"]
    [grant] = body["grants"]
    assert grant["role"] == "grid_worker"
    assert grant["role_label"] == "网格员"
    assert grant["area"] == {"id": areas["grid"].pk, "kind": "grid", "name": "第一网格"}
    assert grant["revoked_at"] is None


def test_me_drops_a_revoked_grant(api_client, users):
    Grant.objects.filter(user=users["grid_worker"]).update(revoked_at=timezone.now())
    api_client.login_api(users["grid_worker"])
    body = api_client.get("/api/v1/me").json()
    assert body["grants"] == [] and body["perms"] == []


# GET /grants


def test_secretary_lists_the_grants_in_her_community_only(api_client, users):
    api_client.login_api(users["secretary"])
    body = api_client.get("/api/v1/grants").json()
    names = {item["user"]["name"] for item in body["items"]}
    assert names == {"张丽华", "刘洋", "陈静", "赵德明", "孙志强", "周桂兰"}
    assert body["count"] == 6
    assert all("****" in item["user"]["phone"] for item in body["items"])


def test_grants_filter_by_node_and_page_with_limit_and_offset(api_client, users, areas):
    api_client.login_api(users["secretary"])
    body = api_client.get(f"/api/v1/grants?area_id={areas['grid'].pk}").json()
    assert [i["user"]["name"] for i in body["items"]] == ["陈静"]
    first = api_client.get("/api/v1/grants?limit=2").json()
    rest = api_client.get("/api/v1/grants?limit=10&offset=2").json()
    assert first["count"] == rest["count"] == 6
    assert len(first["items"]) == 2 and len(rest["items"]) == 4
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 6


def test_revoked_grants_are_listed_only_when_asked(api_client, users):
    grant = Grant.objects.get(user=users["resident"])
    Grant.objects.filter(pk=grant.pk).update(revoked_at=timezone.now())
    api_client.login_api(users["secretary"])
    default = api_client.get("/api/v1/grants").json()
    everything = api_client.get("/api/v1/grants?include_revoked=true").json()
    assert grant.pk not in [i["id"] for i in default["items"]]
    [revoked] = [i for i in everything["items"] if i["id"] == grant.pk]
    assert revoked["revoked_at"] is not None


def test_grants_filtered_by_a_node_outside_come_back_empty(api_client, users, areas):
    api_client.login_api(users["secretary"])
    response = api_client.get(f"/api/v1/grants?area_id={areas['other_grid'].pk}")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


@pytest.mark.parametrize("key", ["grid_worker", "resident", "audit_admin", "staff"])
def test_roles_that_manage_no_grants_list_none(api_client, users, key):
    api_client.login_api(users[key])
    assert api_client.get("/api/v1/grants").json() == {"items": [], "count": 0}


# POST /grants


def test_secretary_grants_a_role_by_phone_number(api_client, users, areas, newcomer):
    api_client.login_api(users["secretary"])
    response = _post(
        api_client,
        "/api/v1/grants",
        {
            "phone": "+86 139 0000 1111",
            "area_id": areas["sibling_grid"].pk,
            "role": "grid_worker",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert body["user"] == {
        "id": newcomer.pk,
        "name": "新网格员",
        "phone": "139****1111",
    }
    assert body["area"]["id"] == areas["sibling_grid"].pk
    grant = Grant.objects.get(pk=body["id"])
    assert (grant.user, grant.role, grant.granted_by) == (
        newcomer,
        "grid_worker",
        users["secretary"],
    )


@pytest.mark.parametrize(
    ("place", "area_id"),
    [("nowhere", 999_999), ("other community", None)],
)
def test_a_grant_on_a_node_that_does_not_exist_or_is_outside_names_area_id(
    api_client, users, areas, newcomer, place, area_id
):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {
            "phone": "13900001111",
            "area_id": area_id or areas["other_grid"].pk,
            "role": "grid_worker",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "该区域不存在。", "field": "area_id"}
    assert _grants() == before


@pytest.mark.parametrize(
    ("phone", "status", "field"),
    [("13911119999", 400, "phone"), ("12345", 400, "phone"), ("", 400, "phone")],
    ids=["no such account", "malformed", "empty"],
)
def test_a_grant_to_an_unusable_phone_number_names_the_phone(
    api_client, users, areas, phone, status, field
):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": phone, "area_id": areas["grid"].pk, "role": "grid_worker"},
    )
    assert response.status_code == status
    assert response.json()["field"] == field
    assert _grants() == before


def test_a_role_above_the_granters_own_is_refused_with_403(
    api_client, users, areas, newcomer
):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": "13900001111", "area_id": areas["community"].pk, "role": "secretary"},
    )
    assert response.status_code == 403
    assert "社区书记" in response.json()["detail"]
    assert _grants() == before


def test_a_role_on_the_wrong_kind_of_node_is_refused(
    api_client, users, areas, newcomer
):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": "13900001111", "area_id": areas["estate"].pk, "role": "grid_worker"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"
    assert "网格" in response.json()["detail"]
    assert _grants() == before


def test_a_grant_already_held_is_refused(api_client, users, areas):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": "13800000005", "area_id": areas["grid"].pk, "role": "grid_worker"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "role"
    assert _grants() == before


def test_a_grant_without_a_role_is_a_422_naming_role(api_client, users, areas):
    api_client.login_api(users["secretary"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": "13800000009", "area_id": areas["grid"].pk},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "role"
    assert _grants() == before


def test_a_grid_worker_cannot_grant_even_in_her_grid(
    api_client, users, areas, newcomer
):
    api_client.login_api(users["grid_worker"])
    before = _grants()
    response = _post(
        api_client,
        "/api/v1/grants",
        {"phone": "13900001111", "area_id": areas["household"].pk, "role": "resident"},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"
    assert _grants() == before


# DELETE /grants/{id}


def test_secretary_revokes_a_grant_in_her_community(api_client, users):
    grant = Grant.objects.get(user=users["grid_worker"])
    api_client.login_api(users["secretary"])
    response = api_client.delete(f"/api/v1/grants/{grant.pk}")
    assert response.status_code == 204
    grant.refresh_from_db()
    assert grant.revoked_by == users["secretary"]
    assert grant.revoked_at is not None


@pytest.mark.parametrize("target", ["other_grid_worker", None])
def test_revoking_a_grant_outside_or_unknown_answers_404(api_client, users, target):
    pk = Grant.objects.get(user=users[target]).pk if target else 999_999
    api_client.login_api(users["secretary"])
    before = _grants()
    assert api_client.delete(f"/api/v1/grants/{pk}").status_code == 404
    assert _grants() == before


def test_revoking_ones_own_grant_is_refused(api_client, users):
    grant = Grant.objects.get(user=users["street_manager"])
    api_client.login_api(users["street_manager"])
    before = _grants()
    assert api_client.delete(f"/api/v1/grants/{grant.pk}").status_code == 403
    assert _grants() == before


def test_revoking_a_revoked_grant_is_refused(api_client, users):
    grant = Grant.objects.get(user=users["resident"])
    api_client.login_api(users["secretary"])
    assert api_client.delete(f"/api/v1/grants/{grant.pk}").status_code == 204
    before = _grants()
    response = api_client.delete(f"/api/v1/grants/{grant.pk}")
    assert response.status_code == 400
    assert response.json()["field"] == "grant"
    assert _grants() == before
