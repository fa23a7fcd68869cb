"""The points ledger of the 文明实践积分超市.

Points move only as transfers of balanced entries: a community's issuing
account goes negative by what it has handed out, residents' accounts hold
what they earned, and sink accounts collect what was redeemed or expired.
Entries are appended, never edited or deleted; a mistake is undone by a
reversing transfer. Each account caches its balance, moved in the same
database transaction as its entries, so a balance is one row read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core.models import TransitionRecord


class AccountKind(models.TextChoices):
    ISSUING = "issuing", _("Issuing account")
    PERSON = "person", _("Resident account")
    HOUSEHOLD = "household", _("Household account")
    REDEEMED = "redeemed", _("Redeemed points")
    EXPIRED = "expired", _("Expired points")


# The one kind of account whose balance may go below zero: its negative
# balance is the points the community has issued and not yet taken back.
MAY_GO_NEGATIVE = {AccountKind.ISSUING}

# How many accounts a community's redeemed points are spread over.
SINK_SHARDS = 8


class Account(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=AccountKind.choices)
    # The community that issues the points for issuing and sink accounts, and
    # for a resident's account; the household node for a household account.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    balance = models.BigIntegerField(_("balance"), default=0)
    # A community's redeemed-points account is kept as SINK_SHARDS accounts:
    # every order pays into one of them (chosen by the paying account), so
    # orders of one community do not queue behind one locked row. Every
    # other account has the one shard 0.
    shard = models.PositiveSmallIntegerField(_("shard"), default=0)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(kind=AccountKind.PERSON),
                name="points_one_account_per_person",
            ),
            models.UniqueConstraint(
                fields=["kind", "area", "shard"],
                condition=~Q(kind=AccountKind.PERSON),
                name="points_one_account_per_kind_area_and_shard",
            ),
            models.CheckConstraint(
                condition=Q(shard=0)
                | Q(kind=AccountKind.REDEEMED, shard__lt=SINK_SHARDS),
                name="points_only_sinks_are_sharded",
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.PERSON, person__isnull=False)
                | (~Q(kind=AccountKind.PERSON) & Q(person__isnull=True)),
                name="points_person_account_names_its_person",
            ),
            # The last line of defence behind the service's own check.
            models.CheckConstraint(
                condition=Q(kind__in=MAY_GO_NEGATIVE) | Q(balance__gte=0),
                name="points_balance_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class TransferKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    REFUND = "refund", _("Refunded")
    ADJUST = "adjust", _("Adjusted")
    EXPIRE = "expire", _("Expired")
    POOL = "pool", _("Pooled into the household")
    REVERSAL = "reversal", _("Reversed")


class Transfer(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=TransferKind.choices)
    # The community whose ledger this is; scoping reads it.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    reason = models.CharField(_("reason"), max_length=200)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    # A client's retry carries the same key and gets the first transfer
    # back; the fingerprint tells a retry from a different request that
    # reused the key.
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, unique=True
    )
    fingerprint = models.CharField(max_length=64)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("points transfer")
        verbose_name_plural = _("points transfers")
        indexes = [models.Index(fields=["area", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    transfer = models.ForeignKey(
        Transfer,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("transfer"),
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("account"),
    )
    amount = models.BigIntegerField(_("points"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(amount=0), name="points_entry_amount_not_zero"
            ),
            models.UniqueConstraint(
                fields=["transfer", "account"], name="points_one_entry_per_account"
            ),
        ]

    def __str__(self):
        return f"{self.amount:+d} → {self.account}"


class LimitPeriod(models.TextChoices):
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


# A whole sentence per period: "2 每月" glued to "每人限兑" reads wrong in
# Chinese, where the period goes before the verb (每人每月限兑 2 件).
LIMIT_TEXTS = {
    LimitPeriod.DAY: _("At most %(n)d per person per day"),
    LimitPeriod.WEEK: _("At most %(n)d per person per week"),
    LimitPeriod.MONTH: _("At most %(n)d per person per month"),
    LimitPeriod.YEAR: _("At most %(n)d per person per year"),
}


def goods_photo_path(instance, filename: str) -> str:
    return f"goods/{instance.community_id}/{filename}"


class Goods(models.Model):
    """Something on the shelf of a community's points supermarket (or of a
    partner store that holds it for the community)."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    store = models.CharField(
        _("held at"),
        max_length=60,
        blank=True,
        help_text=_("A partner store that holds the goods; empty for the community."),
    )
    price = models.PositiveIntegerField(_("points price"))
    # Cached like a balance: always the sum of the goods' stock moves.
    stock = models.PositiveIntegerField(_("stock"), default=0)
    limit = models.PositiveSmallIntegerField(
        _("limit per person"), null=True, blank=True
    )
    limit_period = models.CharField(
        _("limit period"),
        max_length=8,
        choices=LimitPeriod.choices,
        default=LimitPeriod.MONTH,
    )
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("on the shelf"), default=True)
    photo = models.FileField(_("photo"), upload_to=goods_photo_path, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("goods")
        verbose_name_plural = _("goods")
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gt=0), name="points_goods_price_positive"
            ),
            models.UniqueConstraint(
                fields=["community", "name", "store"], name="points_goods_unique_name"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def limit_display(self) -> str:
        """The limit as one sentence, "每人每月限兑 2 件"; empty if none."""
        if self.limit is None:
            return ""
        return str(LIMIT_TEXTS[self.limit_period]) % {"n": self.limit}


class StockMoveKind(models.TextChoices):
    INITIAL = "initial", _("Initial stock")
    RESTOCK = "restock", _("Restocked")
    REDEEM = "redeem", _("Redeemed")
    RETURN = "return", _("Returned")


class StockMove(models.Model):
    goods = models.ForeignKey(
        Goods, on_delete=models.PROTECT, related_name="moves", verbose_name=_("goods")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=StockMoveKind.choices)
    quantity = models.IntegerField(_("quantity"))
    order = models.ForeignKey(
        "Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("order"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="points_stock_move_not_zero"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quantity:+d}"


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Awaiting pickup")
    HANDED_OVER = "handed_over", _("Picked up")
    CANCELLED = "cancelled", _("Cancelled, points refunded")


class Order(models.Model):
    """A redemption: points taken when placed, goods handed over against
    the pickup code, points refunded when cancelled or left unclaimed."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("account"),
    )
    goods = models.ForeignKey(
        Goods, on_delete=models.PROTECT, related_name="orders", verbose_name=_("goods")
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.PLACED,
    )
    code = models.CharField(_("pickup code"), max_length=6)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, unique=True
    )
    fingerprint = models.CharField(max_length=64)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, related_name="+", verbose_name=_("payment")
    )
    refund = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("refund"),
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now)
    pickup_by = models.DateTimeField(_("pick up by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    cancel_reason = models.CharField(
        _("reason for cancelling"), max_length=200, blank=True
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["account", "goods", "placed_at"]),
            models.Index(fields=["status", "pickup_by"]),
        ]
        constraints = [
            # A code the counter types finds one waiting order.
            models.UniqueConstraint(
                fields=["community", "code"],
                condition=Q(status="placed"),
                name="points_one_waiting_order_per_code",
            ),
        ]

    def __str__(self):
        return f"{self.goods} × {self.quantity} ({self.code})"


class EarningItem(models.Model):
    """A deed on the community's catalog (垃圾分类, 文明养犬, 楼道清理,
    见义勇为 …): points for each award, at most ``cap`` awards per person
    in each period."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=60)
    points = models.PositiveIntegerField(_("points"))
    cap = models.PositiveSmallIntegerField(_("times per person"), null=True, blank=True)
    cap_period = models.CharField(
        _("period"),
        max_length=8,
        choices=LimitPeriod.choices,
        default=LimitPeriod.MONTH,
    )
    active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("earning item")
        verbose_name_plural = _("earning items")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0), name="points_item_points_positive"
            ),
            models.UniqueConstraint(
                fields=["community", "name"], name="points_item_unique_name"
            ),
        ]

    def __str__(self):
        return self.name


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Award(models.Model):
    """Points given to a resident: for a catalog deed, for service hours,
    or once with a reason. Over the approval threshold it waits for a second
    person (maker–checker) before any point moves."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("account"),
    )
    item = models.ForeignKey(
        EarningItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("earning item"),
    )
    points = models.PositiveIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=AwardStatus.choices)
    idempotency_key = models.CharField(
        _("idempotency key"), max_length=100, unique=True
    )
    fingerprint = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("awarded by"),
    )
    requested_at = models.DateTimeField(_("awarded at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)
    transfer = models.OneToOneField(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award",
        verbose_name=_("transfer"),
    )

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        indexes = [
            models.Index(fields=["account", "item", "requested_at"]),
            models.Index(fields=["community", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0), name="points_award_points_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(transfer__isnull=False),
                name="points_paid_award_has_transfer",
            ),
        ]

    def __str__(self):
        return f"{self.reason} +{self.points}"


class OrderStep(TransitionRecord):
    """One step of a redemption order: placed, handed over, cancelled
    (with the refund's transfer in ``extra``)."""

    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="steps", verbose_name=_("order")
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")
        indexes = [models.Index(fields=["order", "at"], name="points_order_step_at")]

    def __str__(self):
        return f"{self.order_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class AwardStep(TransitionRecord):
    """One step of an award: made (and paid at once, or waiting),
    approved, rejected, withdrawn or reversed."""

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="steps", verbose_name=_("award")
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("award step")
        verbose_name_plural = _("award steps")
        indexes = [models.Index(fields=["award", "at"], name="points_award_step_at")]

    def __str__(self):
        return f"{self.award_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class PointsPolicy(models.Model):
    """What a street chooses for the points of its communities."""

    street = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("street"),
    )
    household_pooling = models.BooleanField(
        _("household accounts"),
        default=False,
        help_text=_(
            "Residents may move points into their household's shared account, "
            "which every member can redeem from."
        ),
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("points policy")
        verbose_name_plural = _("points policies")

    def __str__(self):
        return str(self.street)
