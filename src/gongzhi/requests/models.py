"""急难愁盼 requests: 群众点单 — 社区派单 — 队伍接单 — 办结 — 评价.

A resident raises a request (点单) in a category at a place in the area
tree, down to her building or household; a building leader, a grid worker
or staff may raise it on her behalf, a care visit may turn a need into one,
and the API and Open311 take them too. It gets a tracking number
(``GZ2026112300012``: GZ, the local date, the day's sequence).

Community staff dispatch it (派单) to exactly one assignee: a service team
(``volunteering.Team``), an organization (``orgs.Organization``: a property
company, a co-building unit) or, after the community blows the whistle
(吹哨) and the street routes it, a street department (``Department``,
部门报到). A category decides how it routes itself: assigned by staff,
put in a pool that its eligible teams take from (抢单, first wins), or
handed round its teams in turn (轮派); a default assignee routes common
requests on raise. The assignee accepts (接单) or returns it (退单), may ask
to transfer it (转单, the dispatcher consents), works it and resolves it
(办结) with what was done and photos. The reporter rates it once
(满意 / 基本满意 / 不满意); 不满意 may reopen it once. Staff call back
(回访) those who do not rate; unrated requests close after the category's
period. Invalid requests are rejected with a reason the resident sees;
duplicates are merged into one. A resident who has the same problem
follows (关注) the request already raised instead of raising it again, and
the reporter of a merged duplicate follows the request it went into.

The statuses and the one transition table are in ``states.py``; every
write goes through ``services``, which lock the request row, check the
table and write a ``Transition`` (the resident's timeline, never deleted).
Deadlines run from the first dispatch of a round (a round starts on raise
and on reopen): respond within the category's response hours (responded =
accepted, taken from the pool or first contact recorded), resolve within
its resolution hours. ``tasks.sweep_overdue`` flags what is late,
escalates categories configured for it and closes unrated requests.

Who works a queue: a ``Handler`` row links a user to a team, an
organization or a department (the team's leader needs none).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core import crypto
from gongzhi.core.models import TransitionRecord

from .states import Channel, Rating, Status, Urgency

# The three kinds of assignee; a request (and a handler, a default) names
# at most one of them.
ASSIGNEE_FIELDS = ("team", "organization", "department")


def _at_most_one(prefix: str = "") -> Q:
    team, org, dept = (f"{prefix}{name}__isnull" for name in ASSIGNEE_FIELDS)
    return (
        Q(**{team: True, org: True})
        | Q(**{team: True, dept: True})
        | Q(**{org: True, dept: True})
    )


def _exactly_one(prefix: str = "") -> Q:
    team, org, dept = (f"{prefix}{name}__isnull" for name in ASSIGNEE_FIELDS)
    return (
        Q(**{team: False, org: True, dept: True})
        | Q(**{team: True, org: False, dept: True})
        | Q(**{team: True, org: True, dept: False})
    )


class DispatchMode(models.TextChoices):
    ASSIGN = "assign", _("Assigned by staff (指派)")
    POOL = "pool", _("Pool: the first team to take it (抢单)")
    ROTATION = "rotation", _("In turn among the teams (轮派)")


class Department(models.Model):
    """A street-level government department (水务, 城管, 房管 …) that
    receives the requests a community escalates (吹哨, 部门报到)."""

    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "name"], name="requests_department_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """What a request is about, and how it is routed and timed.

    A category belongs to a street or a community (applying below it) or,
    with no area, to the whole platform. Its ``code`` is its Open311
    ``service_code``: unique where it applies, and the most specific
    category with a code wins at a place (``selectors.category_for_code``).
    """

    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applies in"),
        help_text=_("A street or a community; empty for everywhere."),
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    response_hours = models.PositiveIntegerField(_("respond within (hours)"))
    resolve_hours = models.PositiveIntegerField(_("resolve within (hours)"))
    dispatch_mode = models.CharField(
        _("dispatch mode"),
        max_length=10,
        choices=DispatchMode.choices,
        default=DispatchMode.ASSIGN,
    )
    # Where a new request goes by itself (at most one); staff may override.
    default_team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
    )
    default_organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default organization"),
    )
    default_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default department"),
    )
    # The teams that see the pool, or take turns.
    teams = models.ManyToManyField(
        "volunteering.Team",
        blank=True,
        related_name="+",
        verbose_name=_("teams for pool or rotation"),
    )
    # Rotation state: the team that got the last request in turn. Moved
    # only under a row lock on the category.
    rotation_last = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last team in turn"),
    )
    auto_escalate = models.BooleanField(
        _("escalate to the street when overdue"), default=False
    )
    auto_close_days = models.PositiveIntegerField(
        _("close unrated after (days)"), default=7
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("request category")
        verbose_name_plural = _("request categories")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "code"], name="requests_category_code_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(area__isnull=True),
                name="requests_category_global_code_unique",
            ),
            models.CheckConstraint(
                condition=_at_most_one("default_"),
                name="requests_category_one_default",
            ),
            models.CheckConstraint(
                condition=Q(response_hours__gt=0) & Q(resolve_hours__gt=0),
                name="requests_category_deadlines_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def default_assignee(self):
        return self.default_team or self.default_organization or self.default_department


class NumberSequence(models.Model):
    """The last tracking number given on a day; locked to count on."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class ServiceRequest(models.Model):
    """One 急难愁盼 request from raise to close."""

    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name=_("category"),
    )
    # Copied from the category on raise: queues sort by it without a join.
    urgency = models.CharField(
        _("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("location")
    )
    # The community the location lies in: whose dispatchers own it.
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description = models.TextField(_("description"))
    public = models.BooleanField(_("may be shown publicly"), default=False)
    reporter = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reporter"),
    )
    # For a reporter not in the registry (Open311, the API): personal data,
    # the phone encrypted like every other.
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone_encrypted = models.TextField(
        _("contact phone (encrypted)"), blank=True
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # The current assignee: at most one of the three (none while waiting
    # for the dispatcher, in the pool or escalated).
    team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    # A transfer (转单) asked for and awaiting the dispatcher: to this team.
    transfer_team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transfer to"),
    )
    dispatcher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispatched by"),
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    response_due = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    response_overdue = models.BooleanField(_("response overdue"), default=False)
    resolve_overdue = models.BooleanField(_("resolution overdue"), default=False)
    resolution = models.TextField(_("what was done"), blank=True)
    rating = models.CharField(
        _("rating"), max_length=16, choices=Rating.choices, blank=True
    )
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    reject_reason = models.CharField(_("why rejected"), max_length=500, blank=True)
    # Counts the steps taken: a client sends the version it saw, so of two
    # dispatchers acting on what they both saw, the second is told.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The raiser's idempotency key (namespaced by user) and what it asked,
    # so a retried raise answers the first request.
    idempotency_key = models.CharField(max_length=120, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_at_most_one(), name="requests_request_one_assignee"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")),
                name="requests_request_not_merged_into_itself",
            ),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="requests_request_idempotency_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "status"], name="req_community_status"),
            models.Index(fields=["team", "status"], name="req_team_status"),
            models.Index(fields=["organization", "status"], name="req_org_status"),
            models.Index(fields=["department", "status"], name="req_dept_status"),
            models.Index(fields=["status", "resolve_due"], name="req_status_due"),
            models.Index(fields=["status", "resolved_at"], name="req_status_resolved"),
            models.Index(fields=["reporter", "created_at"], name="req_reporter"),
            models.Index(fields=["category", "status"], name="req_category_status"),
            models.Index(fields=["created_at"], name="req_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def assignee(self):
        """The team, organization or department holding it, or None."""
        return self.team or self.organization or self.department

    @property
    def is_overdue(self) -> bool:
        return self.response_overdue or self.resolve_overdue

    @property
    def contact_phone(self) -> str:
        return crypto.decrypt(self.contact_phone_encrypted)

    @property
    def contact_phone_masked(self) -> str:
        return crypto.mask_phone(self.contact_phone)


class Actor(models.TextChoices):
    """In what capacity someone made a transition: the resident's timeline
    shows this, never a staff member's name."""

    REPORTER = "reporter", _("You")
    RAISER = "raiser", _("Reported on your behalf")
    DISPATCHER = "dispatcher", _("Community")
    STREET = "street", _("Street")
    HANDLER = "handler", _("Service team")
    SYSTEM = "system", _("System")


class Transition(TransitionRecord):
    """One step of a request's history (the timeline residents see).
    Appended by the services (``core.workflow``), never changed or
    deleted. Its steps carry typed columns, not ``extra``."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="transitions",
        verbose_name=_("request"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    actor = models.CharField(_("as"), max_length=12, choices=Actor.choices)
    extra = None
    # The assignee after the step, as it was then.
    team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    assignee_name = models.CharField(_("assignee"), max_length=100, blank=True)
    rating = models.CharField(
        _("rating"), max_length=16, choices=Rating.choices, blank=True
    )

    class Meta:
        verbose_name = _("request step")
        verbose_name_plural = _("request steps")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_at_most_one(), name="requests_transition_one_assignee"
            )
        ]
        indexes = [
            models.Index(fields=["request", "at"], name="req_transition_at"),
            models.Index(fields=["action", "at"], name="req_transition_action"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance, filename: str) -> str:
    return f"requests/{instance.request_id}/{filename}"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("As reported")
    RESULT = "result", _("After the work")


class RequestPhoto(models.Model):
    """A photo of the problem (on raise) or of the result (on resolve).
    Personal data: served only through views that check scope."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("request"),
    )
    transition = models.ForeignKey(
        Transition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("step"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    image = models.FileField(_("photo"), upload_to=photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.image.name


class Callback(models.Model):
    """A call back (回访) to a reporter who did not rate: whether she was
    reached and what she said."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        related_name="callbacks",
        verbose_name=_("request"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("called by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    reached = models.BooleanField(_("reached"))
    rating = models.CharField(
        _("answer"), max_length=16, choices=Rating.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("call back")
        verbose_name_plural = _("call backs")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.at:%Y-%m-%d %H:%M}"


class Follow(models.Model):
    """A resident following (关注) someone else's request: she sees it in
    her list in every status until she stops. Counted, never named, on
    the workbench."""

    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("request"),
    )
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("resident"),
    )
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "person"], name="requests_follow_unique"
            )
        ]
        indexes = [
            models.Index(fields=["person", "created_at"], name="req_follow_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.request_id}"


class Handler(models.Model):
    """A user who works one queue: a team's, an organization's or a
    department's. Ending keeps the row (who, when)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="request_desks",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request handler")
        verbose_name_plural = _("request handlers")
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one(), name="requests_handler_one_queue"
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", name],
                    condition=Q(ended_at__isnull=True, **{f"{name}__isnull": False}),
                    name=f"requests_handler_unique_{name}",
                )
                for name in ASSIGNEE_FIELDS
            ),
        ]

    def __str__(self) -> str:
        queue = self.team or self.organization or self.department
        return f"{self.user_id} @ {queue}"
