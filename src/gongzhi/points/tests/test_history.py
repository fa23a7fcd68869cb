"""Orders and awards move through their tables (``core.workflow``): each
step is recorded with who, when and why, an illegal one is refused with
nothing changed, and the history is shown on the order's page and in the
API's answers."""

import pytest
from django.utils import translation

from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.points.models import Award, AwardStatus, AwardStep, OrderStatus, OrderStep
from gongzhi.points.services.earning import (
    award_approve,
    award_create,
    award_reject,
    award_withdraw,
)
from gongzhi.points.services.shop import order_cancel, order_hand_over, order_place

URL = "/api/v1/points"


def _order(shop, users, key="h1"):
    return order_place(
        account=shop["account"],
        goods=shop["oil"],
        quantity=1,
        by=users["resident"],
        idempotency_key=key,
    )


def _big(shop, users, key="b1"):
    return award_create(
        account=shop["account"],
        points=80,
        reason="组织楼道大扫除",
        by=users["grid_worker"],
        idempotency_key=key,
    )


def test_an_order_records_placing_and_cancelling_with_the_reason(shop, users):
    order = _order(shop, users)
    done = order_cancel(order=order, by=users["resident"], reason="选错了")
    steps = list(OrderStep.objects.filter(order=order))
    assert [(s.action, s.from_status, s.to_status) for s in steps] == [
        ("place", "", OrderStatus.PLACED),
        ("cancel", OrderStatus.PLACED, OrderStatus.CANCELLED),
    ]
    assert steps[1].by == users["resident"] and steps[1].note == "选错了"
    assert steps[1].extra == {"refund": done.refund_id}


def test_a_handed_over_order_cannot_be_cancelled_and_nothing_changes(shop, users):
    order = _order(shop, users)
    order_hand_over(community=shop["community"], code=order.code, by=users["staff"])
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as no:
        order_cancel(order=order, by=users["staff"], reason="晚了")
    assert no.value.field == "status"
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER and order.refund_id is None
    assert list(order.steps.values_list("action", flat=True)) == ["place", "hand_over"]
    assert order.steps.last().by == users["staff"]


def test_an_award_records_its_making_and_its_second_persons_decision(shop, users):
    award = _big(shop, users)
    award_approve(award=award, by=users["secretary"])
    steps = list(AwardStep.objects.filter(award=award))
    assert [(s.action, s.to_status, s.by) for s in steps] == [
        ("award", AwardStatus.PENDING, users["grid_worker"]),
        ("approve", AwardStatus.PAID, users["secretary"]),
    ]


def test_a_decided_award_cannot_be_rejected_and_nothing_changes(shop, users):
    award = _big(shop, users)
    award_approve(award=award, by=users["secretary"])
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as no:
        award_reject(award=award, by=users["secretary"], note="不该发")
    assert no.value.field == "status"
    award.refresh_from_db()
    assert award.status == AwardStatus.PAID and award.decision_note == ""
    assert award.steps.count() == 2


def test_withdrawing_records_a_rejection_or_a_reversal_once(shop, users):
    waiting = _big(shop, users)
    award_withdraw(award=waiting, reason="时长更正", by=None)
    assert list(waiting.steps.values_list("action", "note")) == [
        ("award", "组织楼道大扫除"),
        ("withdraw", "时长更正"),
    ]
    paid = award_create(
        account=shop["account"],
        points=5,
        reason="楼道清理",
        by=users["grid_worker"],
        idempotency_key="s1",
    )
    for _ in range(2):  # a retry reverses once and records once
        award_withdraw(award=paid, reason="时长更正", by=None)
    assert list(paid.steps.values_list("action", "to_status")) == [
        ("award", AwardStatus.PAID),
        ("reverse", AwardStatus.PAID),
    ]


def test_the_api_answers_an_awards_history(api_client, users, shop):
    award = _big(shop, users)
    api_client.login_api(users["secretary"])
    answer = api_client.post(
        f"{URL}/awards/{award.pk}/approve", HTTP_IDEMPOTENCY_KEY="p1"
    ).json()
    assert [(s["action"], s["action_label"]) for s in answer["history"]] == [
        ("award", "发起奖励"),
        ("approve", "已审核并发放"),
    ]
    assert answer["history"][1]["by"] == users["secretary"].name
    assert Award.objects.get(pk=award.pk).status == AwardStatus.PAID


def test_the_api_answers_an_orders_history_without_staff_names(api_client, users, shop):
    order = _order(shop, users)
    api_client.login_api(users["resident"])
    answer = api_client.post(
        f"{URL}/me/orders/{order.pk}/cancel",
        {"reason": "不要了"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="c1",
    ).json()
    assert [(s["action"], s["status_label"], s["note"]) for s in answer["history"]] == [
        ("place", "待领取", ""),
        ("cancel", "已取消，积分已退回", "不要了"),
    ]
    assert {s["by"] for s in answer["history"]} == {""}


def test_the_order_page_shows_its_history(client, users, shop):
    order = _order(shop, users)
    order_cancel(order=order, by=users["resident"], reason="选错了")
    client.force_login(users["resident"])
    page = client.get(f"/portal/points/orders/{order.pk}/").content.decode()
    assert 'data-testid="steps"' in page
    assert "已下单" in page and "选错了" in page


def test_the_awards_page_shows_a_decided_awards_history(client, users, shop):
    award = _big(shop, users)
    award_reject(award=award, by=users["secretary"], note="重复申报")
    client.force_login(users["secretary"])
    page = client.get(
        f"/workbench/points/communities/{shop['community'].pk}/awards/"
    ).content.decode()
    assert 'data-testid="steps"' in page and "重复申报" in page
