"""The points supermarket on a resident's phone: her balance and pickup
codes, the shelf, redeeming, her orders and her history.

Each page reads the account of the login's own resident record; a login
with no record linked sees a friendly word instead. Redeeming carries a
key drawn when the form is shown, so a double tap or a resent form
spends once and lands on the same order.
"""

from __future__ import annotations

import uuid

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response

from ..models import Goods, Order, OrderStatus
from ..selectors import entries_of, goods_on_shelf, orders_of, pooling_allowed
from ..services import shop
from ..services.accounts import (
    household_account,
    pool_into_household,
    resident_account,
)
from ..services.ledger import MAX_POOL

HISTORY_PAGE = 30


def pickup_qr(code: str) -> str:
    """The pickup code as an inline SVG QR code the counter can scan."""
    return segno.make(code, micro=False).svg_inline(scale=5, border=2, omitsize=True)


def _account_or_none(request):
    person = getattr(request.user, "person", None)
    if person is None:
        return None
    try:
        return resident_account(person)
    except Http404:
        return None


def _unlinked(request):
    return render(request, "points/portal/unlinked.html", status=200)


class RedeemForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=99, initial=1
    )
    pay_from = forms.ChoiceField(
        label=gettext_lazy("Pay with"),
        choices=[
            ("mine", gettext_lazy("My points")),
            ("household", gettext_lazy("Household points")),
        ],
        initial="mine",
        widget=forms.RadioSelect,
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, shared=None, **kwargs):
        super().__init__(*args, **kwargs)
        if shared is None:
            del self.fields["pay_from"]


class PoolForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("Points"), min_value=1, max_value=MAX_POOL
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)


@login_required
def portal_points(request):
    """My points: the balance, orders waiting with their pickup codes, the
    latest movements."""
    account = _account_or_none(request)
    if account is None:
        return _unlinked(request)
    waiting = list(
        orders_of(account)
        .filter(status=OrderStatus.PLACED)
        .select_related("goods")
        .order_by("pickup_by", "pk")
    )
    for order in waiting:
        order.qr = pickup_qr(order.code)
    pooling = pooling_allowed(account.area) and account.person.household_id
    context = {
        "account": account,
        "waiting": waiting,
        "entries": list(entries_of(account)[:5]),
        "shared": household_account(account.person),
        "pool_form": PoolForm(initial={"key": uuid.uuid4().hex}) if pooling else None,
    }
    return render(request, "points/portal/points.html", context)


@login_required
def portal_shop(request):
    """The shelf of the resident's community, cheapest first."""
    account = _account_or_none(request)
    if account is None:
        return _unlinked(request)
    goods = list(goods_on_shelf(community=account.area, now=timezone.now()))
    context = {"account": account, "goods": goods}
    return render(request, "points/portal/shop.html", context)


@login_required
def portal_redeem(request, goods_id: int):
    """Confirm redeeming goods: how many, what it costs, what is left."""
    account = _account_or_none(request)
    if account is None:
        return _unlinked(request)
    goods = get_object_or_404(
        goods_on_shelf(community=account.area, now=timezone.now()), pk=goods_id
    )
    shared = household_account(account.person)
    if shared is not None and not shared.balance:
        shared = None
    if request.method == "POST":
        form = RedeemForm(request.POST, shared=shared)
        if form.is_valid():
            pay = shared if form.cleaned_data.get("pay_from") == "household" else None
            try:
                order = shop.order_place(
                    account=pay or account,
                    goods=goods,
                    quantity=form.cleaned_data["quantity"],
                    by=request.user,
                    idempotency_key=form.cleaned_data["key"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if not getattr(order, "replayed", False):
                    messages.success(
                        request,
                        _("Redeemed. Show the pickup code at the community counter."),
                    )
                return redirect("points:portal_order", order_id=order.pk)
    else:
        form = RedeemForm(
            initial={"quantity": 1, "key": uuid.uuid4().hex}, shared=shared
        )
    context = {"account": account, "goods": goods, "form": form, "shared": shared}
    return render(request, "points/portal/redeem.html", context)


def _my_order(request, order_id: int) -> Order:
    account = _account_or_none(request)
    if account is None:
        raise Http404
    return get_object_or_404(
        orders_of(account).select_related("goods", "community"), pk=order_id
    )


@login_required
@require_POST
def portal_pool(request):
    """Move points into the household's shared account."""
    account = _account_or_none(request)
    if account is None:
        raise Http404
    form = PoolForm(request.POST)
    if form.is_valid():
        try:
            pool_into_household(
                account=account,
                points=form.cleaned_data["points"],
                by=request.user,
                idempotency_key=form.cleaned_data["key"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("%(n)d points moved into the household account.")
                % {"n": form.cleaned_data["points"]},
            )
    else:
        messages.error(request, _("Enter a whole number of points above zero."))
    return redirect("points:portal_points")


@login_required
def portal_orders(request):
    account = _account_or_none(request)
    if account is None:
        return _unlinked(request)
    orders = orders_of(account).select_related("goods").order_by("-placed_at", "-pk")
    page = Paginator(orders, HISTORY_PAGE).get_page(request.GET.get("page"))
    return render(request, "points/portal/orders.html", {"page": page})


@login_required
def portal_order(request, order_id: int):
    """One order: the pickup code large, with its QR code, while it waits."""
    order = _my_order(request, order_id)
    qr = pickup_qr(order.code) if order.status == OrderStatus.PLACED else ""
    steps = shop.ORDER_FLOW.timeline(order, names=False)
    return render(
        request,
        "points/portal/order.html",
        {"order": order, "qr": qr, "steps": steps},
    )


@login_required
@require_POST
def portal_order_cancel(request, order_id: int):
    order = _my_order(request, order_id)
    try:
        shop.order_cancel(
            order=order, by=request.user, reason=_("Cancelled by the resident.")
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Order cancelled; the points are back."))
    return redirect("points:portal_order", order_id=order.pk)


@login_required
def portal_history(request):
    """Every movement of the resident's points, newest first."""
    account = _account_or_none(request)
    if account is None:
        return _unlinked(request)
    page = Paginator(entries_of(account), HISTORY_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "points/portal/history.html", {"account": account, "page": page}
    )


@login_required
def goods_photo_mine(request, goods_id: int):
    """A photo on the resident's own shelf."""
    account = _account_or_none(request)
    if account is None:
        raise Http404
    goods = get_object_or_404(Goods, pk=goods_id, community=account.area)
    return photo_file_response(goods.photo)


urlpatterns = [
    path("portal/points/", portal_points, name="portal_points"),
    path("portal/points/shop/", portal_shop, name="portal_shop"),
    path("portal/points/shop/<int:goods_id>/", portal_redeem, name="portal_redeem"),
    path(
        "portal/points/shop/<int:goods_id>/photo/",
        goods_photo_mine,
        name="portal_goods_photo",
    ),
    path("portal/points/orders/", portal_orders, name="portal_orders"),
    path("portal/points/orders/<int:order_id>/", portal_order, name="portal_order"),
    path(
        "portal/points/orders/<int:order_id>/cancel/",
        portal_order_cancel,
        name="portal_order_cancel",
    ),
    path("portal/points/history/", portal_history, name="portal_history"),
    path("portal/points/pool/", portal_pool, name="portal_pool"),
]
