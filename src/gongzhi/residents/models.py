"""The household registry and grid care.

People live in households (area nodes of kind household) through
memberships that are never overwritten: moving out closes one, moving in
opens another. ``Person.household`` mirrors the open membership so every
list scopes through one indexed join. ID and phone numbers are personal
data: encrypted, found through blind indexes, shown masked.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core import crypto


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU = "hk_macau", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    OTHER = "other", _("Other document")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")
    # An owner (产权人) of a household here who lives somewhere else: on the
    # registry for owners' decisions, in no household's membership.
    ELSEWHERE = "elsewhere", _("Owner living elsewhere")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Residency(models.TextChoices):
    HUJI = "huji", _("Registered (户籍)")
    CHANGZHU = "changzhu", _("Permanent resident (常住)")
    LIUDONG = "liudong", _("Floating population (流动)")
    KONGGUA = "konggua", _("Registered, not living here (空挂户)")


class Person(models.Model):
    name = models.CharField(_("full name"), max_length=50)
    # Pinyin initials of the name ("zsf" for 张三丰), space separated when a
    # character reads several ways, for search by initials.
    initials = models.CharField(_("pinyin initials"), max_length=200, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_type = models.CharField(
        _("document type"),
        max_length=16,
        choices=IdType.choices,
        default=IdType.RESIDENT_ID,
    )
    id_number_encrypted = models.TextField(_("document number (encrypted)"), blank=True)
    id_number_index = models.CharField(
        _("document number index"), max_length=64, blank=True, db_index=True
    )
    phone_encrypted = models.TextField(_("phone (encrypted)"), blank=True)
    phone_index = models.CharField(
        _("phone index"), max_length=64, blank=True, db_index=True
    )
    # The last four digits alone identify nobody; they let staff find a
    # person from the masked number 138****5678 a resident reads out.
    phone_last4 = models.CharField(
        _("phone last four digits"), max_length=4, blank=True, db_index=True
    )
    household = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("household"),
        help_text=_("Where the person lives now; mirrors the open membership."),
    )
    # Where the person last lived, kept after moving out or death so the
    # record stays in its community's scope.
    last_household = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last household"),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=PersonStatus.choices,
        default=PersonStatus.ACTIVE,
    )
    status_date = models.DateField(_("status since"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("portal account"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number_index"],
                condition=~Q(id_number_index=""),
                name="person_unique_document",
            )
        ]
        indexes = [
            models.Index(fields=["last_household", "status"], name="person_home"),
            models.Index(fields=["birth_date"], name="person_birth"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted)

    @property
    def id_number_masked(self) -> str:
        return crypto.mask_id_number(self.id_number)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)


class Membership(models.Model):
    """A person's stay in a household: opened on moving in, closed (never
    edited away) on moving out."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("household"),
    )
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices
    )
    residency = models.CharField(
        _("residency type"), max_length=16, choices=Residency.choices
    )
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(moved_out__isnull=True),
                name="membership_one_open_per_person",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(moved_out__isnull=True, relation="head"),
                name="membership_one_head_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.household_id}"


class TagType(models.Model):
    """A key-population tag (独居老人, 残疾人 …). ``street`` None is a default
    offered everywhere; a street adds its own."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=30)
    street = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("street"),
    )
    has_grade = models.BooleanField(_("has a grade"), default=False)
    # Default care plan: how often a person with this tag is visited.
    visit_every_days = models.PositiveIntegerField(
        _("visit every (days)"), null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("key-population tag")
        verbose_name_plural = _("key-population tags")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "code"], name="tagtype_unique_code"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(street__isnull=True),
                name="tagtype_unique_default_code",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="tags", verbose_name=_("person")
    )
    tag = models.ForeignKey(
        TagType, on_delete=models.PROTECT, related_name="+", verbose_name=_("tag")
    )
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    start = models.DateField(_("from"))
    end = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("person's tag")
        verbose_name_plural = _("people's tags")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"],
                condition=Q(end__isnull=True),
                name="persontag_one_open",
            )
        ]
        indexes = [models.Index(fields=["tag", "end"], name="persontag_tag")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.tag_id}"


class CarePlan(models.Model):
    """How often people with a tag are visited in an area's subtree; the
    nearest plan above a person wins over the tag's default."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    tag = models.ForeignKey(
        TagType, on_delete=models.PROTECT, related_name="+", verbose_name=_("tag")
    )
    visit_every_days = models.PositiveIntegerField(_("visit every (days)"))

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        constraints = [
            models.UniqueConstraint(fields=["area", "tag"], name="careplan_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tag_id} every {self.visit_every_days} d"


class VisitForm(models.TextChoices):
    HOME = "home", _("Home visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")


class Visit(models.Model):
    """One visit (入户走访) to a person, by a grid worker or staff."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("visited by"),
    )
    visited_on = models.DateField(_("date"))
    form = models.CharField(_("form"), max_length=8, choices=VisitForm.choices)
    findings = models.TextField(_("findings"), blank=True)
    needs = models.TextField(_("needs raised"), blank=True)
    # The service request a need became (转为诉求), set through
    # ``visit_request_link``; a request that is gone leaves the visit as it
    # was before.
    service_request = models.ForeignKey(
        "requests.ServiceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service request"),
    )
    incident = models.ForeignKey(
        "Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of incident"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["person", "visited_on"], name="visit_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.visited_on}"


def visit_photo_path(instance, filename: str) -> str:
    return f"visits/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="photos", verbose_name=_("visit")
    )
    image = models.FileField(_("photo"), upload_to=visit_photo_path)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.image.name


class IncidentKind(models.TextChoices):
    FALL = "fall", _("Fall")
    ILLNESS = "illness", _("Sudden illness")
    FIRE = "fire", _("Fire")
    MISSING = "missing", _("Missing person")
    CONFLICT = "conflict", _("Dispute or conflict")
    OTHER = "other", _("Other emergency")


class Incident(models.Model):
    """An emergency (an elderly man living alone falls): what happened, who
    responded, whom they called, how it ended; a follow-up visit is due."""

    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("person"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("where")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("what happened"))
    responders = models.CharField(_("who responded"), max_length=200, blank=True)
    # [{"to": "120"|"110"|"119"|"family"|…, "at": iso time, "note": str}]
    calls = models.JSONField(_("calls made"), default=list, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    follow_up_due = models.DateField(_("follow-up visit due"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class IncidentEvent(models.Model):
    """The incident's timeline: appended, never edited."""

    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("incident"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"))

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class Pairing(models.Model):
    """结对帮扶: a household paired with a co-building unit or a volunteer."""

    household = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    partner_name = models.CharField(_("partner"), max_length=100)
    partner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner account"),
    )
    started_on = models.DateField(_("paired since"))
    ended_on = models.DateField(_("paired until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")

    def __str__(self) -> str:
        return f"{self.partner_name} → {self.household_id}"


class PairingDelivery(models.Model):
    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("pairing"),
    )
    delivered_on = models.DateField(_("date"))
    what = models.CharField(_("what was delivered"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("pairing delivery")
        verbose_name_plural = _("pairing deliveries")

    def __str__(self) -> str:
        return f"{self.pairing_id} {self.delivered_on}"


FLOOR_AREA_MIN = Decimal("0.01")
FLOOR_AREA_MAX = Decimal("100000")


class Property(models.Model):
    """房屋产权: a household's exclusive part (专有部分) as owners' decisions
    count it (Civil Code art. 278): its floor area and its owners."""

    area = models.OneToOneField(
        Area,
        on_delete=models.PROTECT,
        related_name="property",
        verbose_name=_("household"),
    )
    floor_area = models.DecimalField(
        _("exclusive floor area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(FLOOR_AREA_MIN),
            MaxValueValidator(FLOOR_AREA_MAX),
        ],
    )
    certificate_no = models.CharField(
        _("property certificate number"), max_length=50, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        constraints = [
            models.CheckConstraint(
                condition=Q(floor_area__isnull=True)
                | Q(floor_area__gt=0, floor_area__lte=FLOOR_AREA_MAX),
                name="property_floor_area_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.floor_area} m²"


class Owner(models.Model):
    """One owner (产权人) of a property, from ``since`` until ``until``; a
    current owner has no ``until``. Co-owners are several rows."""

    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        related_name="owners",
        verbose_name=_("property"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="ownerships",
        verbose_name=_("owner"),
    )
    since = models.DateField(_("owner since"))
    until = models.DateField(_("owner until"), null=True, blank=True)

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        constraints = [
            models.UniqueConstraint(
                fields=["property", "person"],
                condition=Q(until__isnull=True),
                name="owner_one_current_per_person",
            )
        ]
        indexes = [models.Index(fields=["person", "until"], name="owner_person")]

    def __str__(self) -> str:
        return f"{self.person_id} owns {self.property_id}"
