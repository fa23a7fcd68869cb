"""Household accounts, where a street chooses them: members pool points
and any member redeems from the pool."""

import pytest
from django.http import Http404

from gongzhi.core.errors import ValidationFailed
from gongzhi.points.models import Account, AccountKind, Order, TransferKind
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.accounts import (
    household_account,
    policy_set,
    pool_into_household,
)
from gongzhi.points.services.shop import order_place

URL = "/api/v1/points"


@pytest.fixture
def pooling(shop, areas, users):
    policy_set(
        street=areas["street"], household_pooling=True, by=users["street_manager"]
    )
    return shop


def test_a_street_that_keeps_no_household_accounts_refuses_pooling(shop, users):
    with pytest.raises(ValidationFailed) as refused:
        pool_into_household(
            account=shop["account"],
            points=10,
            by=users["resident"],
            idempotency_key="p",
        )
    assert refused.value.field == "points"
    assert not Account.objects.filter(kind=AccountKind.HOUSEHOLD).exists()


def test_only_the_street_sets_its_policy(areas, users):
    with pytest.raises(Http404):
        policy_set(street=areas["street"], household_pooling=True, by=users["staff"])


def test_a_resident_pools_once_per_key_and_a_member_redeems_from_the_pool(
    pooling, users
):
    account = pooling["account"]
    for _ in range(2):
        transfer = pool_into_household(
            account=account, points=60, by=users["resident"], idempotency_key="p1"
        )
    assert transfer.kind == TransferKind.POOL
    account.refresh_from_db()
    shared = household_account(pooling["person"])
    assert (account.balance, shared.balance) == (40, 60)
    order = order_place(
        account=shared,
        goods=pooling["oil"],
        quantity=2,
        by=users["resident"],
        idempotency_key="o1",
    )
    shared.refresh_from_db()
    assert (order.points, shared.balance) == (60, 0)
    assert ledger_problems() == []


def test_pooling_more_than_the_balance_moves_nothing(pooling, users):
    with pytest.raises(Exception, match="积分不足"):
        pool_into_household(
            account=pooling["account"],
            points=101,
            by=users["resident"],
            idempotency_key="p",
        )
    assert household_account(pooling["person"]) is None or (
        household_account(pooling["person"]).balance == 0
    )


def test_pooling_through_the_api_and_redeeming_from_the_household(
    api_client, pooling, users
):
    api_client.login_api(users["resident"])
    pooled = api_client.post(
        f"{URL}/me/pool",
        {"points": 30},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="pool-1",
    )
    assert pooled.status_code == 201
    assert pooled.json() == {"balance": 70, "household_balance": 30}
    me = api_client.get(f"{URL}/me").json()
    assert (me["balance"], me["household_balance"]) == (70, 30)
    placed = api_client.post(
        f"{URL}/me/orders",
        {"goods_id": pooling["oil"].pk, "from_household": True},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="order-1",
    )
    assert placed.status_code == 201
    order = Order.objects.get()
    assert order.account.kind == AccountKind.HOUSEHOLD
    mine = api_client.get(f"{URL}/me/orders").json()
    assert [o["id"] for o in mine] == [order.pk]


def test_pooling_from_the_phone(client, pooling, users):
    client.force_login(users["resident"])
    page = client.get("/portal/points/").content.decode()
    assert "家庭积分" in page and "转入家庭账户" in page
    client.post("/portal/points/pool/", {"points": 40, "key": "k"})
    client.post("/portal/points/pool/", {"points": 40, "key": "k"})  # resent
    assert household_account(pooling["person"]).balance == 40
    form = client.get(f"/portal/points/shop/{pooling['oil'].pk}/").content.decode()
    assert "用哪里的积分" in form and "家庭积分" in form
    client.post(
        f"/portal/points/shop/{pooling['oil'].pk}/",
        {"quantity": 1, "pay_from": "household", "key": "o"},
    )
    assert household_account(pooling["person"]).balance == 10


def test_a_street_manager_turns_household_accounts_on(client, areas, users):
    client.force_login(users["street_manager"])
    page = client.get("/workbench/points/").content.decode()
    assert "家庭积分账户" in page
    client.post(
        f"/workbench/points/streets/{areas['street'].pk}/policy/",
        {"household_pooling": "on"},
    )
    from gongzhi.points.selectors import pooling_allowed

    assert pooling_allowed(areas["community"])
    client.force_login(users["staff"])
    response = client.post(
        f"/workbench/points/streets/{areas['street'].pk}/policy/", {}
    )
    assert response.status_code == 404
    assert pooling_allowed(areas["community"])
