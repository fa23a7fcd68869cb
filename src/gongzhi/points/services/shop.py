"""The shop: goods and their stock, redemption orders, the counter.

Every path that touches both stock and points locks the goods row first and
the accounts after it (inside ``transfer_create``), so an order and a
cancellation of the same goods wait for each other instead of deadlocking.
Stock moves like points: a cached count beside appended moves.
"""

import datetime as dt
import hashlib
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import DomainError, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.idempotency import idempotency_key_clean, replay
from gongzhi.core.photos import photo_check
from gongzhi.core.workflow import Workflow, move, transition

from ..events import ORDER_READY
from ..models import (
    Account,
    AccountKind,
    Entry,
    Goods,
    LimitPeriod,
    Order,
    OrderStatus,
    OrderStep,
    StockMove,
    StockMoveKind,
    TransferKind,
)
from .changes import points_changed
from .ledger import (
    MAX_LIMIT,
    MAX_PRICE,
    MAX_STOCK,
    Leg,
    accounts_lock,
    sink_for,
    transfer_create,
    whole_number,
)

NAME_MAX = Goods._meta.get_field("name").max_length
STORE_MAX = Goods._meta.get_field("store").max_length
NOTE_MAX = 200


class OutOfStock(DomainError):
    default_message = _("Sold out.")
    status_code = 409


class LimitReached(DomainError):
    default_message = _("The limit per person is reached.")
    status_code = 409


def _pickup_days() -> int:
    return getattr(settings, "GONGZHI_PICKUP_DAYS", 7)


@transaction.atomic
def goods_create(
    *,
    community: Area,
    name: str,
    price: int,
    stock: int,
    by: User | None,
    description: str = "",
    store: str = "",
    limit: int | None = None,
    limit_period: str = LimitPeriod.MONTH,
    available_from: dt.datetime | None = None,
    available_until: dt.datetime | None = None,
    photo=None,
    now: dt.datetime | None = None,
) -> Goods:
    """Put goods on a community's shelf with their opening stock, recorded
    as the first stock move. Refuses a blank or duplicate name, a price
    that is not a whole number of points above zero, a negative stock, a
    limit below one, a window that ends before it starts and a photo that
    is not one."""
    if community.kind != Kind.COMMUNITY:
        raise ValidationFailed(
            _("Points are issued by a community."), field="community"
        )
    whole_number(stock, field="stock", least=0, most=MAX_STOCK)
    now = now or timezone.now()
    goods = Goods(community=community, stock=stock, created_at=now)
    _goods_fill(
        goods,
        name=name,
        description=description,
        store=store,
        price=price,
        limit=limit,
        limit_period=limit_period,
        available_from=available_from,
        available_until=available_until,
        photo=photo,
    )
    if stock:
        StockMove.objects.create(
            goods=goods,
            kind=StockMoveKind.INITIAL,
            quantity=stock,
            by=by,
            created_at=now,
        )
    return goods


def _goods_fill(
    goods: Goods,
    *,
    name,
    description,
    store,
    price,
    limit,
    limit_period,
    available_from,
    available_until,
    photo,
) -> None:
    """Check and save what staff may set on goods (all but the stock)."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Enter the name of the goods."), field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(
            _("The name is longer than %(max)d characters.") % {"max": NAME_MAX},
            field="name",
        )
    whole_number(price, field="price", least=1, most=MAX_PRICE)
    if limit is not None:
        whole_number(limit, field="limit", least=1, most=MAX_LIMIT)
    if limit_period not in LimitPeriod.values:
        raise ValidationFailed(_("Unknown limit period."), field="limit_period")
    if available_from and available_until and available_until <= available_from:
        raise ValidationFailed(
            _("The end of availability must come after its start."),
            field="available_until",
        )
    store = (store or "").strip()
    if len(store) > STORE_MAX:
        raise ValidationFailed(
            _("The store's name is longer than %(max)d characters.")
            % {"max": STORE_MAX},
            field="store",
        )
    taken = Goods.objects.filter(community=goods.community, name=name, store=store)
    if taken.exclude(pk=goods.pk).exists():
        raise ValidationFailed(
            _("Goods of this name are already on the shelf."), field="name"
        )
    extension = photo_check(photo, field="photo") if photo else None
    goods.name = name
    goods.description = (description or "").strip()
    goods.store = store
    goods.price = price
    goods.limit = limit
    goods.limit_period = limit_period
    goods.available_from = available_from
    goods.available_until = available_until
    goods.save()
    if photo:
        goods.photo.save(f"{goods.pk}-{secrets.token_hex(4)}.{extension}", photo)


@transaction.atomic
def goods_update(
    *,
    goods: Goods,
    by: User | None,
    name: str,
    price: int,
    description: str = "",
    store: str = "",
    limit: int | None = None,
    limit_period: str = LimitPeriod.MONTH,
    available_from: dt.datetime | None = None,
    available_until: dt.datetime | None = None,
    active: bool = True,
    photo=None,
) -> Goods:
    """Change what goods are and cost, take them off the shelf or put them
    back; the stock changes only by restocking and orders. Orders already
    placed keep the price they were placed at."""
    goods = Goods.objects.select_for_update().get(pk=goods.pk)
    goods.active = bool(active)
    _goods_fill(
        goods,
        name=name,
        description=description,
        store=store,
        price=price,
        limit=limit,
        limit_period=limit_period,
        available_from=available_from,
        available_until=available_until,
        photo=photo,
    )
    return goods


# An order's table: who may act is the calling view's and API's check
# (the counter's points.manage, the resident's own account).
ORDER_FLOW = Workflow(
    model=Order,
    history=OrderStep,
    subject="order",
    moves={
        "hand_over": move({OrderStatus.PLACED}, OrderStatus.HANDED_OVER),
        "cancel": move(
            {OrderStatus.PLACED},
            OrderStatus.CANCELLED,
            reason=True,
            refused=_("Only an order awaiting pickup can be cancelled."),
        ),
    },
    labels={
        "place": _("Placed"),
        "hand_over": _("Picked up"),
        "cancel": _("Cancelled, points refunded"),
    },
    related=("community", "goods", "account__person"),
    reason_max=NOTE_MAX,
)


def _note(value: str, *, field: str) -> str:
    return text_clean(value, field=field, limit=NOTE_MAX)


@transaction.atomic
def goods_restock(
    *,
    goods: Goods,
    quantity: int,
    by: User | None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Goods:
    """Add ``quantity`` to the shelf, recorded as a stock move."""
    whole_number(quantity, field="quantity", least=1, most=MAX_STOCK)
    note = _note(note, field="note")
    Goods.objects.filter(pk=goods.pk).update(stock=F("stock") + quantity)
    StockMove.objects.create(
        goods=goods,
        kind=StockMoveKind.RESTOCK,
        quantity=quantity,
        note=note,
        by=by,
        created_at=now or timezone.now(),
    )
    goods.refresh_from_db()
    return goods


def period_start(period: str, now: dt.datetime) -> dt.datetime:
    """The local midnight that opens the day, week (Monday), month or year
    containing ``now``: per-person limits count orders from it."""
    local = timezone.localtime(now)
    day = local.date()
    if period == LimitPeriod.WEEK:
        day -= dt.timedelta(days=day.weekday())
    elif period == LimitPeriod.MONTH:
        day = day.replace(day=1)
    elif period == LimitPeriod.YEAR:
        day = day.replace(month=1, day=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _new_code() -> str:
    # Six digits, as a shop's pickup codes are. They are unique among the
    # orders waiting in the community by a partial unique index: the order's
    # insert draws again when the code is taken, so no look-up comes first.
    return f"{secrets.randbelow(10**6):06d}"


def _out_of_stock(stock: int) -> OutOfStock:
    return OutOfStock(
        _("Only %(stock)d left.") % {"stock": stock} if stock else _("Sold out."),
        field="quantity",
    )


@transaction.atomic
def order_place(
    *,
    account: Account,
    goods: Goods,
    quantity: int,
    by: User | None,
    idempotency_key: str,
    now: dt.datetime | None = None,
) -> Order:
    """Redeem ``quantity`` of ``goods`` from a resident's (or household's)
    account: take the points, take the stock, give a pickup code.

    Locks the resident's account and the one of the community's
    redeemed-points shards it pays into (in key order, as every transfer
    does), checks the limit and the balance under that lock, and takes the
    stock last, by a conditional update: the goods row, which every order
    of those goods shares, is held only from there to the commit, and no
    order waits behind another resident's. Refuses, writing nothing: goods
    of another community, off the shelf or outside their window, more than
    the stock, more than the per-person limit in its period, more points
    than the balance. A retry with the same key returns the first order
    (``replayed`` set); the key with another request is a conflict.
    """
    now = now or timezone.now()
    whole_number(quantity, field="quantity", least=1, most=MAX_STOCK)
    key = idempotency_key_clean(idempotency_key)
    if account.kind not in (AccountKind.PERSON, AccountKind.HOUSEHOLD):
        raise ValidationFailed(
            _("Only a resident's account can redeem."), field="account"
        )
    fingerprint = hashlib.sha256(
        json.dumps([account.pk, goods.pk, quantity, by.pk if by else None]).encode()
    ).hexdigest()
    if (first := replay(Order.objects, key=key, fingerprint=fingerprint)) is not None:
        return first
    goods = Goods.objects.select_related("community").get(pk=goods.pk)
    if not is_within(account.area.path, goods.community.path):
        raise ValidationFailed(
            _("These goods are in another community's shop."), field="goods"
        )
    if not goods.active:
        raise ValidationFailed(_("These goods are off the shelf."), field="goods")
    if goods.available_from and now < goods.available_from:
        raise ValidationFailed(_("These goods are not available yet."), field="goods")
    if goods.available_until and now >= goods.available_until:
        raise ValidationFailed(_("These goods are no longer available."), field="goods")
    if goods.stock < quantity:
        raise _out_of_stock(goods.stock)
    sink = sink_for(account, goods.community)
    locked = accounts_lock([account, sink])
    # A concurrent retry may have committed while this one waited.
    if (first := replay(Order.objects, key=key, fingerprint=fingerprint)) is not None:
        return first
    if goods.limit is not None:
        had = (
            Order.objects.filter(
                account=account,
                goods=goods,
                placed_at__gte=period_start(goods.limit_period, now),
            )
            .exclude(status=OrderStatus.CANCELLED)
            .aggregate(n=Sum("quantity"))["n"]
            or 0
        )
        if had + quantity > goods.limit:
            raise LimitReached(
                _(
                    "At most %(limit)d %(period)s for each person; "
                    "%(had)d already redeemed."
                )
                % {
                    "limit": goods.limit,
                    "period": goods.get_limit_period_display(),
                    "had": had,
                },
                field="quantity",
            )
    points = goods.price * quantity
    transfer = transfer_create(
        kind=TransferKind.REDEEM,
        area=goods.community,
        legs=[Leg(account, -points), Leg(sink, points)],
        by=by,
        reason=f"{goods.name} × {quantity}",
        idempotency_key=f"order:{key}",
        now=now,
        locked=locked,
    )
    taken = Goods.objects.filter(pk=goods.pk, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    if not taken:  # sold meanwhile: everything above rolls back with this
        left = Goods.objects.values_list("stock", flat=True).get(pk=goods.pk)
        raise _out_of_stock(left)
    order = None
    while order is None:
        try:
            with transaction.atomic():
                order = Order.objects.create(
                    community=goods.community,
                    account=account,
                    goods=goods,
                    quantity=quantity,
                    points=points,
                    code=_new_code(),
                    idempotency_key=key,
                    fingerprint=fingerprint,
                    transfer=transfer,
                    placed_by=by,
                    placed_at=now,
                    pickup_by=now + dt.timedelta(days=_pickup_days()),
                )
        except IntegrityError:
            continue  # the code was taken meanwhile: draw another
    ORDER_FLOW.begin(order, action="place", by=by, now=now)
    StockMove.objects.create(
        goods=goods,
        kind=StockMoveKind.REDEEM,
        quantity=-quantity,
        order=order,
        by=by,
        created_at=now,
    )
    announce(ORDER_READY, order_id=order.pk, account_id=account.pk, now=now)
    points_changed(community_id=order.community_id, moments=[now])
    order.replayed = False
    return order


def _closed_order(community: Area, code: str) -> Order | None:
    return (
        Order.objects.filter(community=community, code=code)
        .exclude(status=OrderStatus.PLACED)
        .order_by("-closed_at")
        .first()
    )


def order_waiting(
    *, community: Area, code: str, now: dt.datetime | None = None, lock=False
) -> Order:
    """The order waiting in ``community`` under a pickup code. Refuses,
    naming the code, a malformed code, one no waiting order has (saying
    when it was already picked up, or that it was cancelled) and an order
    past its pickup date."""
    now = now or timezone.now()
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationFailed(_("A pickup code is six digits."), field="code")
    orders = Order.objects.select_related("goods", "account__person")
    if lock:
        orders = orders.select_for_update(of=("self",))
    order = orders.filter(
        community=community, code=code, status=OrderStatus.PLACED
    ).first()
    if order is None:
        closed = _closed_order(community, code)
        if closed is not None and closed.status == OrderStatus.HANDED_OVER:
            raise ValidationFailed(
                _("This pickup code was already used on %(when)s.")
                % {
                    "when": timezone.localtime(closed.closed_at).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                },
                field="code",
            )
        if closed is not None:
            raise ValidationFailed(
                _("This order was cancelled and its points refunded."), field="code"
            )
        raise ValidationFailed(
            _("No order is waiting with this pickup code."), field="code"
        )
    if order.pickup_by < now:
        raise ValidationFailed(
            _("This order was not picked up in time; its points will be refunded."),
            field="code",
        )
    return order


@transaction.atomic
def order_hand_over(
    *, community: Area, code: str, by: User | None, now: dt.datetime | None = None
) -> Order:
    """Hand the goods over at the counter against the pickup code; refuses
    as ``order_waiting`` does, writing nothing."""
    now = now or timezone.now()
    order = order_waiting(community=community, code=code, now=now, lock=True)

    def change(item: Order, at: dt.datetime) -> None:
        item.closed_at, item.closed_by = at, by

    order = transition(
        ORDER_FLOW, row=order, action="hand_over", by=by, now=now, change=change
    )
    points_changed(community_id=order.community_id, moments=[order.placed_at])
    return order


@transaction.atomic
def order_cancel(
    *, order: Order, by: User | None, reason: str, now: dt.datetime | None = None
) -> Order:
    """Cancel a waiting order: refund its points by a transfer of its own
    out of the redeemed-points account it paid into, put its goods back on
    the shelf. Locks the order, then (in ``transfer_create``) the
    accounts, then the goods row by the update, in the order an order
    takes them. Refuses an order that is no longer waiting."""
    now = now or timezone.now()
    reason = _note(reason, field="reason")
    if not reason:
        raise ValidationFailed(_("Give a reason for cancelling."), field="reason")
    extra = {}

    def change(item: Order, at: dt.datetime) -> None:
        sink = Entry.objects.get(transfer_id=item.transfer_id, amount__gt=0).account
        refund = transfer_create(
            kind=TransferKind.REFUND,
            area=item.community,
            legs=[Leg(sink, -item.points), Leg(item.account, item.points)],
            by=by,
            reason=reason,
            idempotency_key=f"refund:{item.pk}",
            now=at,
        )
        Goods.objects.filter(pk=item.goods_id).update(stock=F("stock") + item.quantity)
        StockMove.objects.create(
            goods_id=item.goods_id,
            kind=StockMoveKind.RETURN,
            quantity=item.quantity,
            order=item,
            by=by,
            created_at=at,
        )
        item.refund = refund
        item.closed_at, item.closed_by = at, by
        item.cancel_reason = reason
        extra["refund"] = refund.pk

    order = transition(
        ORDER_FLOW,
        row=order,
        action="cancel",
        by=by,
        reason=reason,
        now=now,
        change=change,
        extra=extra,
    )
    points_changed(community_id=order.community_id, moments=[order.placed_at])
    return order


def orders_cancel_unclaimed(*, now: dt.datetime | None = None) -> int:
    """Cancel and refund every order left past its pickup date; each in a
    transaction of its own, so one failure leaves the others done."""
    now = now or timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        reason = gettext("Not picked up in time; points refunded.")
    late = Order.objects.filter(status=OrderStatus.PLACED, pickup_by__lt=now)
    done = 0
    for order in late.order_by("pk").iterator():
        try:
            order_cancel(order=order, by=None, reason=reason, now=now)
        except TransitionNotAllowed:
            continue  # picked up or cancelled meanwhile
        done += 1
    return done
