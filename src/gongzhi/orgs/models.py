"""Party organizations, the other parties of an estate, co-building units
and their agreements, and party members' 双报到.

A 社区大党委, a co-building unit (共建单位) or a social organization belongs
to a community; a 小区党支部, a homeowners' committee (业委会) and a property
company (物业) to an estate. With the estate's building leaders they make
the five-level service chain (社区大党委—小区党支部—业委会—物业—党员楼栋长).

A party member reports to the community she lives in (双报到): she
registers with her work unit, the community confirms, and she joins the
pool activities and requests draw on; her service hours are counted for
reporting back to her unit. A registration is never edited away: a
decision or an end is recorded on it with who and when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area, Kind
from gongzhi.core import crypto
from gongzhi.core.models import TransitionRecord


class OrgKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Community Party committee")
    PARTY_BRANCH = "party_branch", _("Estate Party branch")
    OWNERS_COMMITTEE = "owners_committee", _("Homeowners' committee")
    PROPERTY = "property", _("Property management company")
    CO_BUILDING = "co_building", _("Co-building unit")
    SOCIAL = "social", _("Social organization")


# Where each kind belongs in the area tree.
KIND_PLACE: dict[str, str] = {
    OrgKind.PARTY_COMMITTEE: Kind.COMMUNITY,
    OrgKind.CO_BUILDING: Kind.COMMUNITY,
    OrgKind.SOCIAL: Kind.COMMUNITY,
    OrgKind.PARTY_BRANCH: Kind.ESTATE,
    OrgKind.OWNERS_COMMITTEE: Kind.ESTATE,
    OrgKind.PROPERTY: Kind.ESTATE,
}

# A community has one Party committee; an estate one branch, one
# homeowners' committee and one property company at a time.
SINGLE_KINDS = (
    OrgKind.PARTY_COMMITTEE,
    OrgKind.PARTY_BRANCH,
    OrgKind.OWNERS_COMMITTEE,
    OrgKind.PROPERTY,
)


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organization"),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone_encrypted = models.TextField(
        _("contact phone (encrypted)"), blank=True
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["area__path", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "kind"],
                condition=Q(active=True, kind__in=SINGLE_KINDS),
                name="orgs_one_active_per_kind_and_place",
            ),
            models.UniqueConstraint(
                fields=["area", "name"],
                condition=Q(active=True),
                name="orgs_active_name_unique_in_area",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone(self) -> str:
        return crypto.decrypt(self.contact_phone_encrypted)

    @property
    def contact_phone_masked(self) -> str:
        return crypto.mask_phone(self.contact_phone)


class Agreement(models.Model):
    """A co-building agreement (共建协议) between a unit and a community:
    what the unit commits to, from when and for how long."""

    unit = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("co-building unit"),
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"))
    commitments = models.TextField(_("commitments"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("co-building agreement")
        verbose_name_plural = _("co-building agreements")
        ordering = ["-signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("signed_on")),
                name="orgs_agreement_ends_after_signing",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.community}"

    def is_current(self, day) -> bool:
        return self.signed_on <= day <= self.ends_on


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    ENDED = "ended", _("Ended")


# A person has at most one registration in these states.
REGISTRATION_OPEN = (RegistrationStatus.REGISTERED, RegistrationStatus.CONFIRMED)


class PartyRegistration(models.Model):
    """A party member's report to the community she lives in (双报到)."""

    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("party member"),
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    work_unit = models.CharField(_("work unit"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("party member registration")
        verbose_name_plural = _("party member registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=REGISTRATION_OPEN),
                name="orgs_one_open_registration_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="orgs_reg_community"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.community_id}"


class RegistrationStep(TransitionRecord):
    """One step of a registration's history: registered, confirmed,
    declined, ended, by whom, when and why."""

    registration = models.ForeignKey(
        PartyRegistration,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("registration"),
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("registration step")
        verbose_name_plural = _("registration steps")
        indexes = [
            models.Index(fields=["registration", "at"], name="orgs_reg_step_at"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
