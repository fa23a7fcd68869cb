import pytest

from gongzhi.points.models import Account, Award, AwardStatus, Order
from gongzhi.points.services.earning import item_create

URL = "/api/v1/points"


def write(client, path, body, key):
    """POST JSON with an Idempotency-Key, as every points write takes."""
    return client.post(
        path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_a_resident_sees_her_balance_history_and_the_shelf(api_client, users, shop):
    api_client.login_api(users["resident"])
    me = api_client.get(f"{URL}/me").json()
    assert (me["name"], me["community"], me["balance"]) == ("周桂兰", "三盛里社区", 100)
    history = api_client.get(f"{URL}/me/entries").json()["items"]
    assert [(e["kind_label"], e["points"]) for e in history] == [("获得", 100)]
    goods = api_client.get(f"{URL}/me/goods").json()
    assert [(g["name"], g["price"], g["stock"]) for g in goods] == [("食用油", 30, 5)]


def test_redeeming_twice_with_one_key_spends_once(api_client, users, shop):
    api_client.login_api(users["resident"])
    body = {"goods_id": shop["oil"].pk, "quantity": 2}
    first = write(api_client, f"{URL}/me/orders", body, "tap-1")
    assert first.status_code == 201
    order = first.json()
    assert order["status_label"] == "待领取" and len(order["code"]) == 6
    again = write(api_client, f"{URL}/me/orders", body, "tap-1")
    assert again.status_code == 200
    assert again.json() == order
    conflict = write(
        api_client,
        f"{URL}/me/orders",
        {"goods_id": shop["oil"].pk, "quantity": 1},
        "tap-1",
    )
    assert conflict.status_code == 409
    assert conflict.json()["field"] == "idempotency_key"
    assert api_client.get(f"{URL}/me").json()["balance"] == 40
    assert Order.objects.count() == 1


def test_a_write_without_an_idempotency_key_is_refused(api_client, users, shop):
    api_client.login_api(users["resident"])
    response = api_client.post(
        f"{URL}/me/orders",
        {"goods_id": shop["oil"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"quantity": 6}, 409, "quantity"),
        ({"quantity": 4}, 409, "amount"),  # 120 points, she has 100
        ({"quantity": 0}, 400, "quantity"),
        ({"goods_id": 999999}, 400, "goods_id"),
    ],
)
def test_bad_orders_are_refused_naming_the_field(
    api_client, users, shop, body, status, field
):
    api_client.login_api(users["resident"])
    response = write(
        api_client, f"{URL}/me/orders", {"goods_id": shop["oil"].pk} | body, "bad"
    )
    assert response.status_code == status
    assert response.json()["field"] == field
    assert Account.objects.get(pk=shop["account"].pk).balance == 100
    assert not Order.objects.exists()


def test_the_counter_hands_over_and_the_resident_cancels_only_her_own(
    api_client, users, shop, areas
):
    api_client.login_api(users["resident"])
    order = write(
        api_client, f"{URL}/me/orders", {"goods_id": shop["oil"].pk}, "o1"
    ).json()
    api_client.login_api(users["staff"])
    assert (
        write(api_client, f"{URL}/me/orders/{order['id']}/cancel", {}, "c0").status_code
        == 404
    )  # staff has no resident record
    outside = write(
        api_client,
        f"{URL}/communities/{areas['other_community'].pk}/hand-over",
        {"code": order["code"]},
        "h0",
    )
    assert outside.status_code == 404
    for _ in range(2):  # the counter's retry answers the same
        done = write(
            api_client,
            f"{URL}/communities/{shop['community'].pk}/hand-over",
            {"code": order["code"]},
            "h1",
        )
        assert done.status_code == 200
        assert done.json()["status_label"] == "已领取"
    api_client.login_api(users["resident"])
    late = write(api_client, f"{URL}/me/orders/{order['id']}/cancel", {}, "c1")
    assert late.status_code == 409
    assert api_client.get(f"{URL}/me").json()["balance"] == 70


def test_awards_and_approval_through_the_api(api_client, users, shop):
    item = item_create(
        community=shop["community"], name="垃圾分类", points=5, by=users["staff"]
    )
    api_client.login_api(users["grid_worker"])
    paid = write(
        api_client,
        f"{URL}/awards",
        {"person_id": shop["person"].pk, "item_id": item.pk},
        "a1",
    )
    assert paid.status_code == 201
    assert paid.json()["status_label"] == "已发放"
    big = write(
        api_client,
        f"{URL}/awards",
        {"person_id": shop["person"].pk, "points": 80, "reason": "组织楼道大扫除"},
        "a2",
    ).json()
    assert big["status_label"] == "待审核"
    # The grid worker may award but not approve.
    approve = f"{URL}/awards/{big['id']}/approve"
    assert api_client.post(approve, HTTP_IDEMPOTENCY_KEY="p0").status_code == 403
    api_client.login_api(users["other_grid_worker"])
    assert api_client.get(f"{URL}/people/{shop['person'].pk}").status_code == 404
    api_client.login_api(users["secretary"])
    for _ in range(2):  # a retried approval pays once
        approved = api_client.post(approve, HTTP_IDEMPOTENCY_KEY="p1")
        assert approved.status_code == 200
        assert approved.json()["status_label"] == "已发放"
    assert Award.objects.get(pk=big["id"]).status == AwardStatus.PAID
    balance = api_client.get(f"{URL}/people/{shop['person'].pk}").json()["balance"]
    assert balance == 185


@pytest.mark.usefixtures("dashboards_live")
def test_a_street_manager_reads_a_communitys_months(api_client, users, shop):
    api_client.login_api(users["street_manager"])
    year = shop["account"].created_at.year
    months = api_client.get(
        f"{URL}/communities/{shop['community'].pk}/figures", {"year": year}
    ).json()
    this = months[-1]
    assert (this["issued"], this["outstanding"], this["participants"]) == (100, 100, 1)
    assert all(m["issued"] == 0 for m in months[:-1])


def test_a_resident_cancelling_twice_is_refunded_once(api_client, users, shop):
    api_client.login_api(users["resident"])
    order = write(
        api_client, f"{URL}/me/orders", {"goods_id": shop["oil"].pk}, "o1"
    ).json()
    for _ in range(2):
        cancelled = write(api_client, f"{URL}/me/orders/{order['id']}/cancel", {}, "c1")
        assert cancelled.status_code == 200
        assert cancelled.json()["status_label"] == "已取消，积分已退回"
    assert api_client.get(f"{URL}/me").json()["balance"] == 100
    missing = api_client.post(
        f"{URL}/me/orders/{order['id']}/cancel", {}, content_type="application/json"
    )
    assert missing.status_code in (400, 422)  # the key is required


@pytest.mark.parametrize("points", [10_001, 10**12])
def test_an_award_beyond_the_bound_names_the_field_and_pays_nothing(
    api_client, users, shop, points
):
    api_client.login_api(users["staff"])
    body = {"person_id": shop["person"].pk, "points": points, "reason": "一万亿"}
    response = write(api_client, f"{URL}/awards", body, "huge")
    assert 400 <= response.status_code < 500
    assert response.json()["field"] == "points"
    assert api_client.get(f"{URL}/people/{shop['person'].pk}").json()["balance"] == 100
