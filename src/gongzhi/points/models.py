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


class AccountKind(models.TextChoices):
    ISSUING = "issuing", _("Issuing account")
    PERSON = "person", _("Resident account")
    HOUSEHOLD = "household", _("Household account")
    REDEEMED = "redeemed", _("Redeemed points")
    EXPIRED = "expired", _("Expired points")


# The one kind of account whose balance may go below zero: its negative
# balance is the points the community has issued and not yet taken back.
MAY_GO_NEGATIVE = {AccountKind.ISSUING}


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
                fields=["kind", "area"],
                condition=~Q(kind=AccountKind.PERSON),
                name="points_one_account_per_kind_and_area",
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
