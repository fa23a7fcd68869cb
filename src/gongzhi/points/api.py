"""The points API: a resident's balance, history, shop and orders; staff's
awards, approvals and the counter.

Every write takes an ``Idempotency-Key`` header: the same request sent
again answers the same (200 instead of 201) and pays or spends once; the
key reused for another request is a 409. A transition (cancel, approve,
reject, hand over) sent again by whoever made it answers the state it
left rather than refusing it as done. Objects are looked up where the
caller sees their area (404 elsewhere, 403 where her role may not act).
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, area_seen, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Kind
from gongzhi.core.errors import ValidationFailed
from gongzhi.core.schemas import StepOut
from gongzhi.residents.selectors.people import person_seen

from .models import (
    Account,
    AccountKind,
    Award,
    AwardStatus,
    EarningItem,
    Goods,
    Order,
    OrderStatus,
)
from .selectors import entries_of, goods_on_shelf, orders_of, year_by_month
from .services import earning, shop
from .services.accounts import (
    household_account,
    pool_into_household,
    resident_account,
)
from .services.ledger import MAX_AWARD, MAX_POOL, MAX_STOCK

router = Router(tags=["points"])

KEY = Header(..., alias="Idempotency-Key", description="Unique per intended write")


class AccountOut(Schema):
    account_id: int
    person_id: int
    name: str
    community: str
    balance: int
    household_balance: int | None = None


class EntryOut(Schema):
    at: dt.datetime
    kind: str
    kind_label: str
    reason: str
    points: int


class GoodsOut(Schema):
    id: int
    name: str
    description: str
    store: str
    price: int
    stock: int
    limit: int | None
    limit_period: str


class OrderOut(Schema):
    id: int
    goods_id: int
    goods: str
    quantity: int
    points: int
    status: str
    status_label: str
    code: str
    placed_at: dt.datetime
    pickup_by: dt.datetime


class OrderDetailOut(OrderOut):
    history: list[StepOut]


class OrderIn(Schema):
    goods_id: int
    quantity: int = Field(1, le=MAX_STOCK)
    from_household: bool = False


class PoolIn(Schema):
    points: int = Field(le=MAX_POOL)


class PoolOut(Schema):
    balance: int
    household_balance: int


class CancelIn(Schema):
    reason: str = ""


class HandOverIn(Schema):
    code: str


class AwardIn(Schema):
    person_id: int
    item_id: int | None = None
    points: int | None = Field(None, le=MAX_AWARD)
    reason: str = ""


class AwardOut(Schema):
    id: int
    person_id: int
    points: int
    reason: str
    status: str
    status_label: str
    history: list[StepOut]


class MonthOut(Schema):
    month: str
    issued: int
    redeemed: int
    refunded: int
    expired: int
    adjusted: int
    outstanding: int
    participants: int


class RejectIn(Schema):
    note: str


def _account_out(account) -> dict:
    person = account.person
    return {
        "account_id": account.pk,
        "person_id": person.pk,
        "name": person.name,
        "community": account.area.name,
        "balance": account.balance,
    }


def _order_out(order: Order) -> dict:
    return {
        "id": order.pk,
        "goods_id": order.goods_id,
        "goods": order.goods.name,
        "quantity": order.quantity,
        "points": order.points,
        "status": order.status,
        "status_label": order.get_status_display(),
        "code": order.code if order.status == OrderStatus.PLACED else "",
        "placed_at": order.placed_at,
        "pickup_by": order.pickup_by,
    }


def _order_detail(order: Order) -> dict:
    """One order with its history, answered by each write on it."""
    return {
        **_order_out(order),
        "history": shop.ORDER_FLOW.timeline(order, names=False),
    }


def _award_out(award: Award) -> dict:
    return {
        "id": award.pk,
        "person_id": award.account.person_id,
        "points": award.points,
        "reason": award.reason,
        "status": award.status,
        "status_label": award.get_status_display(),
        "history": earning.AWARD_FLOW.timeline(award),
    }


def _my_account(request, *, with_person: bool = True):
    # One query for the common case, an account opened already; the first
    # visit opens it where the resident lives. A login has one person and a
    # person one account, so a slice finds it without first()'s ORDER BY.
    related = ("area", "person") if with_person else ("area",)
    accounts = Account.objects.select_related(*related).filter(
        kind=AccountKind.PERSON, person__user=request.user
    )
    account = next(iter(accounts[:1]), None)
    if account is not None:
        return account
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("No resident record is linked to this login."))
    return resident_account(person)


# A transition (cancel, approve, reject, hand over) sent again by the one
# who made it answers the state it left, as a retried write should, instead
# of refusing it as already done.
RETRY_WINDOW = dt.timedelta(minutes=10)


def _done_by(status: str, target: str, actor_id: int | None, request) -> bool:
    return status == target and actor_id == request.user.pk


def _written(obj, out: dict):
    """201 for a new row, 200 for a retry answered with the first."""
    return Status(200 if getattr(obj, "replayed", False) else 201, out)


@router.get(
    "/me", response={200: AccountOut, **NOT_ALLOWED}, summary="My points balance"
)
def my_account(request):
    account = _my_account(request)
    shared = household_account(account.person)
    return {
        **_account_out(account),
        "household_balance": shared.balance if shared else None,
    }


@router.post(
    "/me/pool",
    response={200: PoolOut, 201: PoolOut, **ERRORS},
    summary="Move my points into my household's shared account",
)
def my_pool(request, payload: PoolIn, idempotency_key: str = KEY):
    account = _my_account(request)
    transfer = pool_into_household(
        account=account,
        points=payload.points,
        by=request.user,
        idempotency_key=idempotency_key,
    )
    account.refresh_from_db()
    shared = household_account(account.person)
    out = {"balance": account.balance, "household_balance": shared.balance}
    return _written(transfer, out)


@router.get("/me/entries", response=list[EntryOut], summary="My points history")
@paginate(LimitOffsetPagination, page_size=50)
def my_entries(request):
    return [
        {
            "at": e.transfer.created_at,
            "kind": e.transfer.kind,
            "kind_label": e.transfer.get_kind_display(),
            "reason": e.transfer.reason,
            "points": e.amount,
        }
        for e in entries_of(_my_account(request))[:500]
    ]


@router.get("/me/goods", response=list[GoodsOut], summary="Goods I can redeem now")
def my_goods(request):
    account = _my_account(request)
    return list(goods_on_shelf(community=account.area, now=timezone.now()))


@router.get("/me/orders", response=list[OrderOut], summary="My orders, newest first")
def my_orders(request):
    account = _my_account(request)
    orders = orders_of(account).select_related("goods")
    return [_order_out(o) for o in orders.order_by("-placed_at", "-pk")[:200]]


@router.post(
    "/me/orders",
    response={200: OrderDetailOut, 201: OrderDetailOut, **ERRORS},
    summary="Redeem goods; answers the pickup code",
)
def my_order_place(request, payload: OrderIn, idempotency_key: str = KEY):
    # Only an order paid from the household's account reads the person.
    mine = account = _my_account(request, with_person=payload.from_household)
    if payload.from_household:
        account = household_account(mine.person)
        if account is None:
            raise ValidationFailed(
                _("Your household has no shared account."), field="from_household"
            )
    try:
        # The service reads the goods again under its lock and refuses
        # another community's; no need to read them twice.
        order = shop.order_place(
            account=account,
            goods=Goods(pk=payload.goods_id),
            quantity=payload.quantity,
            by=request.user,
            idempotency_key=idempotency_key,
        )
    except Goods.DoesNotExist:
        raise ValidationFailed(
            _("No such goods in your community's shop."), field="goods_id"
        ) from None
    return _written(order, _order_detail(order))


@router.post(
    "/me/orders/{int:order_id}/cancel",
    response={200: OrderDetailOut, **ERRORS},
    summary="Cancel my order awaiting pickup; the points come back",
)
def my_order_cancel(
    request, order_id: int, payload: CancelIn, idempotency_key: str = KEY
):
    account = _my_account(request)
    order = get_object_or_404(orders_of(account).select_related("goods"), pk=order_id)
    if _done_by(order.status, OrderStatus.CANCELLED, order.closed_by_id, request):
        return _order_detail(order)
    order = shop.order_cancel(
        order=order,
        by=request.user,
        reason=payload.reason or _("Cancelled by the resident."),
    )
    return _order_detail(order)


@router.get(
    "/people/{int:person_id}",
    response={200: AccountOut, **NOT_ALLOWED},
    summary="A resident's points balance",
)
def person_account(request, person_id: int):
    person = person_seen(request, person_id, Perm.POINTS_AWARD)
    return _account_out(resident_account(person))


@router.post(
    "/awards",
    response={200: AwardOut, 201: AwardOut, **ERRORS},
    summary="Award points for a catalog deed or once, with a reason",
)
def award_create(request, payload: AwardIn, idempotency_key: str = KEY):
    person = person_seen(request, payload.person_id, Perm.POINTS_AWARD)
    account = resident_account(person)
    item = None
    if payload.item_id is not None:
        item = EarningItem.objects.filter(
            pk=payload.item_id, community=account.area
        ).first()
        if item is None:
            raise ValidationFailed(
                _("This deed is not on the community's catalog."), field="item_id"
            )
    award = earning.award_create(
        account=account,
        item=item,
        points=payload.points,
        reason=payload.reason,
        by=request.user,
        idempotency_key=idempotency_key,
    )
    return _written(award, _award_out(award))


def _award(request, award_id: int) -> Award:
    return seen(
        Award.objects.select_related("account__person__last_household"),
        request,
        award_id,
        via="account__person__last_household",
        perm=Perm.POINTS_MANAGE,
    )


@router.post(
    "/awards/{int:award_id}/approve",
    response={200: AwardOut, **ERRORS},
    summary="Approve a large award (not one's own); the points move",
)
def award_approve(request, award_id: int, idempotency_key: str = KEY):
    award = _award(request, award_id)
    if _done_by(award.status, AwardStatus.PAID, award.decided_by_id, request):
        return _award_out(award)
    return _award_out(earning.award_approve(award=award, by=request.user))


@router.post(
    "/awards/{int:award_id}/reject",
    response={200: AwardOut, **ERRORS},
    summary="Turn a large award down with a note",
)
def award_reject(request, award_id: int, payload: RejectIn, idempotency_key: str = KEY):
    award = _award(request, award_id)
    if _done_by(award.status, AwardStatus.REJECTED, award.decided_by_id, request):
        return _award_out(award)
    award = earning.award_reject(award=award, by=request.user, note=payload.note)
    return _award_out(award)


@router.post(
    "/communities/{int:community_id}/hand-over",
    response={200: OrderDetailOut, **ERRORS},
    summary="Hand goods over at the community's counter against the pickup code",
)
def counter_hand_over(
    request, community_id: int, payload: HandOverIn, idempotency_key: str = KEY
):
    community = area_seen(request, community_id, Perm.POINTS_MANAGE)
    if community.kind != Kind.COMMUNITY:
        raise Http404
    # The counter's retry of a hand-over it just made answers that order.
    just_now = timezone.now() - RETRY_WINDOW
    done = (
        Order.objects.select_related("goods")
        .filter(
            community=community,
            code=(payload.code or "").strip(),
            status=OrderStatus.HANDED_OVER,
            closed_by=request.user,
            closed_at__gte=just_now,
        )
        .order_by("-closed_at")
        .first()
    )
    if done is not None:
        return _order_detail(done)
    order = shop.order_hand_over(
        community=community, code=payload.code, by=request.user
    )
    return _order_detail(order)


@router.get(
    "/communities/{int:community_id}/figures",
    response={200: list[MonthOut], **NOT_ALLOWED},
    summary="A community's points by month of a year, up to this month",
)
def community_figures(request, community_id: int, year: int | None = None):
    community = area_seen(request, community_id, Perm.POINTS_VIEW)
    if community.kind != Kind.COMMUNITY:
        raise Http404
    year = year or timezone.localdate().year
    return [
        {
            "month": f"{year}-{line.month:02d}",
            "issued": line.issued,
            "redeemed": line.redeemed,
            "refunded": line.refunded,
            "expired": line.expired,
            "adjusted": line.adjusted,
            "outstanding": line.outstanding,
            "participants": line.participants,
        }
        for line in year_by_month(community, year)
    ]
