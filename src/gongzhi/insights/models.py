"""The rollups the three rates (三率) are read from.

``RequestFact`` is what one request contributes: its bucket (the day it
was raised, its community and street, its category, the assignee it is
counted for) and one yes/no per count. ``RequestRollup`` is one bucket:
the sums of its facts. Both are written only by ``rollups.py``; pages and
the API read ``RequestRollup`` alone. The definitions are in
``rollups.py``.

The tables keep the names they had when these models lived in
``requests`` (``db_table``), so moving them here moved no row.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssigneeKind(models.TextChoices):
    NONE = "none", _("Not assigned")
    TEAM = "team", _("Service team")
    ORGANIZATION = "organization", _("Organization")
    DEPARTMENT = "department", _("Street department")


# The counts a fact says yes or no to, and a bucket sums. ``raised`` is
# every fact: a bucket's row count.
COUNTS = (
    "valid",
    "dispatched",
    "responded_in_time",
    "resolved",
    "rated",
    "satisfied",
    "dissatisfied",
    "overdue",
    "reopened",
)


class _Bucket(models.Model):
    day = models.DateField(_("day raised"))
    community = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
    )
    street = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("street"),
    )
    category = models.ForeignKey(
        "requests.Category",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    assignee_kind = models.CharField(
        _("assignee kind"),
        max_length=12,
        choices=AssigneeKind.choices,
        default=AssigneeKind.NONE,
    )
    # The team's, organization's or department's id; 0 for none (never
    # null, so that the bucket key stays unique on every database).
    assignee_id = models.PositiveBigIntegerField(_("assignee"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def key(self) -> tuple:
        return (
            self.day,
            self.community_id,
            self.street_id,
            self.category_id,
            self.assignee_kind,
            self.assignee_id,
        )


class RequestFact(_Bucket):
    """One request's part in the rollups, as of its last refresh."""

    request = models.OneToOneField(
        "requests.ServiceRequest",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("request"),
    )
    valid = models.BooleanField(default=False)
    dispatched = models.BooleanField(default=False)
    responded_in_time = models.BooleanField(default=False)
    resolved = models.BooleanField(default=False)
    rated = models.BooleanField(default=False)
    satisfied = models.BooleanField(default=False)
    dissatisfied = models.BooleanField(default=False)
    overdue = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False)

    class Meta:
        db_table = "requests_requestfact"
        verbose_name = _("request fact")
        verbose_name_plural = _("request facts")
        indexes = [
            models.Index(
                fields=["day", "community", "category"], name="req_fact_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} @ {self.day}"


class RequestRollup(_Bucket):
    """One bucket's counts: the requests raised on one day in one
    community and category, counted for one assignee."""

    raised = models.PositiveIntegerField(_("raised"), default=0)
    valid = models.PositiveIntegerField(_("valid"), default=0)
    dispatched = models.PositiveIntegerField(_("dispatched"), default=0)
    responded_in_time = models.PositiveIntegerField(_("responded in time"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied"), default=0)
    dissatisfied = models.PositiveIntegerField(_("dissatisfied"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)

    class Meta:
        db_table = "requests_requestrollup"
        verbose_name = _("request rollup")
        verbose_name_plural = _("request rollups")
        ordering = ["day", "community", "category", "assignee_kind", "assignee_id"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "community",
                    "street",
                    "category",
                    "assignee_kind",
                    "assignee_id",
                ],
                name="requests_rollup_bucket_unique",
            )
        ]
        indexes = [
            models.Index(fields=["community", "day"], name="req_rollup_community"),
            models.Index(fields=["street", "day"], name="req_rollup_street"),
            models.Index(
                fields=["assignee_kind", "assignee_id", "day"],
                name="req_rollup_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.community_id} {self.category_id}"


class Tier(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class Rollup(models.Model):
    """One figure of one area node (a community, a street or a district)
    over one day, month or year: what the dashboards (数据大屏), the
    rankings and the figures pages read instead of raw history.

    ``domain`` and ``metric`` name the figure (``volunteering`` /
    ``hours``); ``dim`` splits it (``""`` the total, ``kind:clinic``,
    ``tag:alone``, ``cat:7`` …). ``period`` is the day, or the first day of
    the month or year. Hours are kept in hundredths. Only non-zero figures
    have a row. Written only by ``dashboard_rollups.py``; the definitions
    are in ``domains.py``.
    """

    domain = models.CharField(_("domain"), max_length=16)
    metric = models.CharField(_("figure"), max_length=32)
    dim = models.CharField(_("split"), max_length=120, default="", blank=True)
    tier = models.CharField(_("tier"), max_length=5, choices=Tier.choices)
    period = models.DateField(_("period"))
    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("area"),
    )
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "tier", "domain", "period", "metric", "dim"],
                name="insights_rollup_cell_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["tier", "domain", "period"], name="insights_rollup_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.tier} {self.period} {self.domain}.{self.metric}"
