"""The points supermarket in the workbench: figures by community and month
with the monthly statement in Excel (points.view); the counter, the shelf,
the deed catalog and the approval of large awards (points.manage); a
resident's points with awarding (points.award) and redeeming at the counter
for a resident without a phone (points.manage).

A community or a resident outside the login's reach for the page's
permission answers 404, as everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.residents.selectors.people import person_get

from ..models import (
    Award,
    AwardStatus,
    AwardStep,
    EarningItem,
    Goods,
    LimitPeriod,
    Order,
    OrderStatus,
    PointsPolicy,
)
from ..selectors import (
    entries_of,
    goods_on_shelf,
    month_figures,
    year_by_month,
)
from ..services import earning, shop
from ..services.accounts import policy_set, resident_account
from ..services.ledger import MAX_AWARD, MAX_CAP, MAX_LIMIT, MAX_PRICE, MAX_STOCK
from ..services.statement import statement_filename, statement_write

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 30


def _community(request, community_id: int, perm: str) -> Area:
    return get_object_or_404(
        scoped(
            Area.objects.filter(kind=Kind.COMMUNITY),
            user=request.user,
            via="",
            perm=perm,
        ),
        pk=community_id,
    )


def _month(value: str | None) -> tuple[int, int]:
    """``YYYY-MM`` from the query string, this month when absent or bad."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        dt.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    return year, month


def _year(value: str | None) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


# Figures and statements (points.view)


@perm_required(Perm.POINTS_VIEW)
def points_home(request):
    """Each community in reach with the month's figures and a total row."""
    year, month = _month(request.GET.get("month"))
    communities = scoped(
        Area.objects.filter(kind=Kind.COMMUNITY, retired_at__isnull=True),
        user=request.user,
        via="",
        perm=Perm.POINTS_VIEW,
    ).order_by("path")
    lines = list(month_figures(communities, year=year, month=month).values())
    total = {
        field: sum(getattr(line, field) for line in lines)
        for field in (
            "issued",
            "redeemed",
            "expired",
            "adjusted",
            "outstanding",
            "participants",
        )
    }
    streets = scoped(
        Area.objects.filter(kind=Kind.STREET, retired_at__isnull=True),
        user=request.user,
        via="",
        perm=Perm.POINTS_POLICY,
    ).order_by("path")
    pooling = set(
        PointsPolicy.objects.filter(
            street__in=streets, household_pooling=True
        ).values_list("street_id", flat=True)
    )
    context = {
        "streets": [(street, street.pk in pooling) for street in streets],
        "lines": lines,
        "total": total,
        "month_value": f"{year}-{month:02d}",
        "year": year,
        "month": month,
    }
    return render(request, "points/workbench/home.html", context)


@perm_required(Perm.POINTS_VIEW)
def points_community(request, community_id: int):
    """A community's year by month, each month with its statement."""
    community = _community(request, community_id, Perm.POINTS_VIEW)
    year = _year(request.GET.get("year"))
    months = year_by_month(community, year)
    manage = in_scope(request.user, community, Perm.POINTS_MANAGE)
    context = {
        "community": community,
        "year": year,
        "months": months,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "manage": manage,
        "pending": Award.objects.filter(
            community=community, status=AwardStatus.PENDING
        ).count()
        if manage
        else 0,
    }
    return render(request, "points/workbench/community.html", context)


@perm_required(Perm.POINTS_VIEW)
def points_statement(request, community_id: int, year: int, month: int):
    """The month's statement of a community as an Excel workbook."""
    community = _community(request, community_id, Perm.POINTS_VIEW)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    out = io.BytesIO()
    statement_write(
        community=community,
        year=year,
        month=month,
        by=request.user,
        out=out,
        request=request,
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    filename = statement_filename(community, year, month)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@perm_required(Perm.POINTS_POLICY)
@require_POST
def street_policy(request, street_id: int):
    """A street turns household accounts on or off for its communities."""
    street = get_object_or_404(
        scoped(
            Area.objects.filter(kind=Kind.STREET),
            user=request.user,
            via="",
            perm=Perm.POINTS_POLICY,
        ),
        pk=street_id,
    )
    policy = policy_set(
        street=street,
        household_pooling=request.POST.get("household_pooling") == "on",
        by=request.user,
    )
    messages.success(
        request,
        (
            _("%(street)s keeps household accounts.")
            if policy.household_pooling
            else _("%(street)s keeps no household accounts.")
        )
        % {"street": street.name},
    )
    return redirect("points:home")


# The counter (points.manage)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Pickup code"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": "000000",
            }
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("A pickup code is six digits."))
        return code


@perm_required(Perm.POINTS_MANAGE)
def points_counter(request, community_id: int):
    """Type or scan a pickup code, see the order, hand it over."""
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    order = None
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                done = shop.order_hand_over(
                    community=community, code=form.cleaned_data["code"], by=request.user
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Handed over: %(goods)s × %(n)d to %(name)s.")
                    % {
                        "goods": done.goods.name,
                        "n": done.quantity,
                        "name": done.account.person.name,
                    },
                )
                return redirect("points:counter", community_id=community.pk)
    elif "code" in request.GET:
        form = CodeForm(request.GET)
        if form.is_valid():
            try:
                order = shop.order_waiting(
                    community=community, code=form.cleaned_data["code"]
                )
            except DomainError as exc:
                add_domain_error(form, exc)
    else:
        form = CodeForm()
    waiting = (
        Order.objects.filter(community=community, status=OrderStatus.PLACED)
        .select_related("goods", "account__person")
        .order_by("pickup_by", "pk")[:50]
    )
    context = {
        "community": community,
        "form": form,
        "order": order,
        "waiting": waiting,
        "now": timezone.now(),
    }
    return render(request, "points/workbench/counter.html", context)


# The shelf (points.manage)


class GoodsForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=60)
    price = forms.IntegerField(
        label=gettext_lazy("Points price"), min_value=1, max_value=MAX_PRICE
    )
    stock = forms.IntegerField(
        label=gettext_lazy("Opening stock"),
        min_value=0,
        max_value=MAX_STOCK,
        initial=0,
    )
    limit = forms.IntegerField(
        label=gettext_lazy("Limit per person"),
        min_value=1,
        max_value=MAX_LIMIT,
        required=False,
        help_text=gettext_lazy("Empty: no limit."),
    )
    limit_period = forms.ChoiceField(
        label=gettext_lazy("Limit period"),
        choices=LimitPeriod.choices,
        initial=LimitPeriod.MONTH,
    )
    store = forms.CharField(
        label=gettext_lazy("Held at"),
        max_length=60,
        required=False,
        help_text=gettext_lazy(
            "A partner store that holds the goods; empty for the community."
        ),
    )
    available_from = forms.DateTimeField(
        label=gettext_lazy("Available from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    available_until = forms.DateTimeField(
        label=gettext_lazy("Available until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    active = forms.BooleanField(
        label=gettext_lazy("On the shelf"), required=False, initial=True
    )


def _goods_values(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("stock", None)
    return data


@perm_required(Perm.POINTS_MANAGE)
def goods_list(request, community_id: int):
    """The shelf with stock, a form to add goods and to restock."""
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    if request.method == "POST":
        form = GoodsForm(request.POST, request.FILES)
        form.fields.pop("active")
        if form.is_valid():
            try:
                goods = shop.goods_create(
                    community=community, by=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("%(name)s is on the shelf.") % {"name": goods.name}
                )
                return redirect("points:goods", community_id=community.pk)
    else:
        form = GoodsForm()
        form.fields.pop("active")
    goods = Goods.objects.filter(community=community).order_by("-active", "name")
    on_shelf = set(
        goods_on_shelf(community=community, now=timezone.now()).values_list(
            "pk", flat=True
        )
    )
    context = {
        "community": community,
        "form": form,
        "goods": goods,
        "on_shelf": on_shelf,
    }
    return render(request, "points/workbench/goods.html", context)


def _goods(request, community_id: int, goods_id: int) -> Goods:
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    return get_object_or_404(Goods, pk=goods_id, community=community)


@perm_required(Perm.POINTS_MANAGE)
def goods_edit(request, community_id: int, goods_id: int):
    goods = _goods(request, community_id, goods_id)
    if request.method == "POST":
        form = GoodsForm(request.POST, request.FILES)
        form.fields.pop("stock")
        if form.is_valid():
            try:
                shop.goods_update(goods=goods, by=request.user, **_goods_values(form))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("points:goods", community_id=community_id)
    else:
        initial = {
            field: getattr(goods, field)
            for field in (
                "name",
                "price",
                "limit",
                "limit_period",
                "store",
                "available_from",
                "available_until",
                "description",
                "active",
            )
        }
        for field in ("available_from", "available_until"):
            if initial[field]:
                initial[field] = timezone.localtime(initial[field]).strftime(
                    "%Y-%m-%dT%H:%M"
                )
        form = GoodsForm(initial=initial)
        form.fields.pop("stock")
    context = {"community": goods.community, "goods": goods, "form": form}
    return render(request, "points/workbench/goods_edit.html", context)


class RestockForm(forms.Form):
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=MAX_STOCK
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


@perm_required(Perm.POINTS_MANAGE)
@require_POST
def goods_restock(request, community_id: int, goods_id: int):
    goods = _goods(request, community_id, goods_id)
    form = RestockForm(request.POST)
    if form.is_valid():
        try:
            shop.goods_restock(goods=goods, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, f"{goods.name}: {exc.message}")
        else:
            messages.success(
                request,
                _("%(name)s restocked by %(n)d.")
                % {"name": goods.name, "n": form.cleaned_data["quantity"]},
            )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label
            messages.error(request, f"{goods.name} · {label}：{errors[0]}")
    return redirect("points:goods", community_id=community_id)


@perm_required(Perm.WORKBENCH)
def goods_photo(request, community_id: int, goods_id: int):
    community = _community(request, community_id, Perm.AREA_VIEW)
    goods = get_object_or_404(Goods, pk=goods_id, community=community)
    return photo_file_response(goods.photo)


# Large awards waiting for a second person (points.manage)


@perm_required(Perm.POINTS_MANAGE)
def awards(request, community_id: int):
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    base = Award.objects.filter(community=community).select_related(
        "account__person", "item", "requested_by", "decided_by"
    )
    decided = Paginator(
        base.exclude(status=AwardStatus.PENDING)
        .order_by("-decided_at", "-pk")
        .prefetch_related(Prefetch("steps", AwardStep.objects.select_related("by"))),
        PAGE,
    ).get_page(request.GET.get("page"))
    for award in decided.object_list:
        award.history = earning.AWARD_FLOW.shown(award.steps.all())
    context = {
        "community": community,
        "pending": base.filter(status=AwardStatus.PENDING).order_by("requested_at"),
        "decided": decided,
    }
    return render(request, "points/workbench/awards.html", context)


@perm_required(Perm.POINTS_MANAGE)
@require_POST
def award_decide(request, community_id: int, award_id: int, decision: str):
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    award = get_object_or_404(
        Award.objects.select_related("account__person"),
        pk=award_id,
        community=community,
    )
    try:
        if decision == "approve":
            earning.award_approve(award=award, by=request.user)
            messages.success(
                request,
                _("Approved: %(points)d points to %(name)s.")
                % {"points": award.points, "name": award.account.person.name},
            )
        else:
            earning.award_reject(
                award=award, by=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("Turned down."))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("points:awards", community_id=community.pk)


# The deed catalog (points.manage)


class ItemForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Deed"), max_length=60)
    points = forms.IntegerField(
        label=gettext_lazy("Points"), min_value=1, max_value=MAX_AWARD
    )
    cap = forms.IntegerField(
        label=gettext_lazy("Times per person"),
        min_value=1,
        max_value=MAX_CAP,
        required=False,
        help_text=gettext_lazy("Empty: no cap."),
    )
    cap_period = forms.ChoiceField(
        label=gettext_lazy("Cap period"),
        choices=LimitPeriod.choices,
        initial=LimitPeriod.MONTH,
    )


@perm_required(Perm.POINTS_MANAGE)
def items(request, community_id: int):
    community = _community(request, community_id, Perm.POINTS_MANAGE)
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                earning.item_create(
                    community=community, by=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Added to the catalog."))
                return redirect("points:items", community_id=community.pk)
    else:
        form = ItemForm()
    catalog = EarningItem.objects.filter(community=community).annotate(
        awarded=Count("awards", filter=~Q(awards__status=AwardStatus.REJECTED))
    )
    context = {
        "community": community,
        "form": form,
        "catalog": catalog.order_by("position", "pk"),
        "threshold": earning.approval_threshold(),
    }
    return render(request, "points/workbench/items.html", context)


# A resident's points (points.award; redeeming at the counter: points.manage)


class AwardForm(forms.Form):
    item = forms.ModelChoiceField(
        label=gettext_lazy("Deed"),
        queryset=EarningItem.objects.none(),
        required=False,
        empty_label=gettext_lazy("— once, with a reason —"),
    )
    points = forms.IntegerField(
        label=gettext_lazy("Points"),
        min_value=1,
        max_value=MAX_AWARD,
        required=False,
        help_text=gettext_lazy("Only for an award once; a deed brings its own."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=200, required=False
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = EarningItem.objects.filter(
            community=community, active=True
        ).order_by("position", "pk")

    def clean(self):
        data = super().clean()
        if not data.get("item") and not data.get("points"):
            self.add_error("points", _("Choose a deed or enter the points."))
        return data


class CounterRedeemForm(forms.Form):
    goods = forms.ModelChoiceField(
        label=gettext_lazy("Goods"), queryset=Goods.objects.none()
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=99, initial=1
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goods"].queryset = goods_on_shelf(
            community=community, now=timezone.now()
        )


def _fresh_key() -> str:
    return uuid.uuid4().hex


@perm_required(Perm.POINTS_AWARD)
def person_points(request, person_id: int):
    """A resident's balance and history; award points, and for the
    counter's staff, redeem goods for her and hand them over at once."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.POINTS_AWARD)
    account = resident_account(person)
    community = account.area
    may_redeem = in_scope(request.user, community, Perm.POINTS_MANAGE)
    award_form = AwardForm(community=community, initial={"key": _fresh_key()})
    redeem_form = CounterRedeemForm(community=community, initial={"key": _fresh_key()})
    if request.method == "POST" and request.POST.get("form") == "award":
        award_form = AwardForm(request.POST, community=community)
        if award_form.is_valid():
            data = award_form.cleaned_data
            try:
                award = earning.award_create(
                    account=account,
                    item=data["item"],
                    points=None if data["item"] else data["points"],
                    reason=data["reason"],
                    by=request.user,
                    idempotency_key=data["key"],
                )
            except DomainError as exc:
                add_domain_error(award_form, exc)
            else:
                if award.status == AwardStatus.PENDING:
                    messages.success(
                        request,
                        _(
                            "%(points)d points wait for a second person's "
                            "approval before they reach %(name)s."
                        )
                        % {"points": award.points, "name": person.name},
                    )
                else:
                    messages.success(
                        request,
                        _("%(points)d points awarded to %(name)s.")
                        % {"points": award.points, "name": person.name},
                    )
                return redirect("points:person", person_id=person.pk)
    elif request.method == "POST" and request.POST.get("form") == "redeem":
        if not may_redeem:
            raise Http404
        redeem_form = CounterRedeemForm(request.POST, community=community)
        if redeem_form.is_valid():
            data = redeem_form.cleaned_data
            try:
                order = shop.order_place(
                    account=account,
                    goods=data["goods"],
                    quantity=data["quantity"],
                    by=request.user,
                    idempotency_key=data["key"],
                )
                if order.status == OrderStatus.PLACED:
                    shop.order_hand_over(
                        community=community, code=order.code, by=request.user
                    )
            except DomainError as exc:
                add_domain_error(redeem_form, exc)
            else:
                messages.success(
                    request,
                    _("Redeemed and handed over: %(goods)s × %(n)d.")
                    % {"goods": order.goods.name, "n": order.quantity},
                )
                return redirect("points:person", person_id=person.pk)
    account.refresh_from_db()
    context = {
        "person": person,
        "account": account,
        "community": community,
        "award_form": award_form,
        "redeem_form": redeem_form if may_redeem else None,
        "page": Paginator(entries_of(account), PAGE).get_page(request.GET.get("page")),
        "pending": Award.objects.filter(
            account=account, status=AwardStatus.PENDING
        ).select_related("item"),
    }
    return render(request, "points/workbench/person.html", context)


_C = "workbench/points/communities/<int:community_id>/"

urlpatterns = [
    path("workbench/points/", points_home, name="home"),
    path(
        "workbench/points/streets/<int:street_id>/policy/",
        street_policy,
        name="street_policy",
    ),
    path(_C, points_community, name="community"),
    path(
        _C + "statement/<int:year>-<int:month>.xlsx",
        points_statement,
        name="statement",
    ),
    path(_C + "counter/", points_counter, name="counter"),
    path(_C + "goods/", goods_list, name="goods"),
    path(_C + "goods/<int:goods_id>/", goods_edit, name="goods_edit"),
    path(_C + "goods/<int:goods_id>/restock/", goods_restock, name="goods_restock"),
    path(_C + "goods/<int:goods_id>/photo/", goods_photo, name="goods_photo"),
    path(_C + "awards/", awards, name="awards"),
    path(
        _C + "awards/<int:award_id>/approve/",
        award_decide,
        {"decision": "approve"},
        name="award_approve",
    ),
    path(
        _C + "awards/<int:award_id>/reject/",
        award_decide,
        {"decision": "reject"},
        name="award_reject",
    ),
    path(_C + "catalog/", items, name="items"),
    path("workbench/points/people/<int:person_id>/", person_points, name="person"),
]
