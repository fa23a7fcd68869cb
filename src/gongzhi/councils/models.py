"""议事协商: collections of suggestions, topics and their workflow, standing
councils and their seats, meetings with an agenda, attendance and quorum,
votes and ballots, minutes and their versions, the work a resolution
becomes, its budget, and objections during the public notice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core.models import TransitionRecord

USER = settings.AUTH_USER_MODEL
PERSON = "residents.Person"


class Collection(models.Model):
    """征集: staff ask an area's residents for suggestions over a period."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("collection of suggestions")
        verbose_name_plural = _("collections of suggestions")
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def is_open(self, today) -> bool:
        return self.opens_on <= today <= self.closes_on


class Suggestion(models.Model):
    collection = models.ForeignKey(
        Collection,
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("collection"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    author = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    text = models.TextField(_("suggestion"))
    supports = models.PositiveIntegerField(_("supporters"), default=0)
    topic = models.ForeignKey(
        "Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
        verbose_name=_("topic"),
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # A phone's retry on a flaky network carries the key of its first try.
    idempotency_key = models.CharField(max_length=120, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-supports", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="suggestion_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.text[:30]


class SuggestionPhoto(models.Model):
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("photo"), upload_to="councils/suggestions/%Y/%m/")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Support(models.Model):
    """附议: one neighbour's support of a suggestion, once."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="support_rows"
    )
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "person"], name="council_support_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class TopicStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SCHEDULED = "scheduled", _("Scheduled for a meeting")
    DELIBERATED = "deliberated", _("Deliberated")
    PASSED = "passed", _("Passed")
    NOT_PASSED = "not_passed", _("Not passed")
    DEFERRED = "deferred", _("Deferred")
    CARRYING_OUT = "carrying_out", _("Being carried out")
    DONE = "done", _("Done")
    PUBLICISED = "publicised", _("Publicised")


class Party(models.TextChoices):
    PARTY = "party", _("Community Party organisation (社区党组织)")
    COMMITTEE = "committee", _("Residents' committee (居委会)")
    OWNERS = "owners", _("Owners' committee (业委会)")
    PROPERTY = "property", _("Property company (物业)")
    UNIT = "unit", _("Co-building unit (共建单位)")
    RESIDENTS = "residents", _("Residents' representative (居民代表)")
    DEPUTY = "deputy", _("Deputy or CPPCC member (两代表一委员)")
    EXPERT = "expert", _("Expert")


# Invited guests speak but do not vote.
GUEST_PARTIES = {Party.DEPUTY, Party.EXPERT}


class Topic(models.Model):
    """议题: a matter for a council, from suggestions or similar requests."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("place")
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TopicStatus.choices,
        default=TopicStatus.PROPOSED,
    )
    proposer = models.ForeignKey(
        PERSON,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    requests = models.ManyToManyField(
        "requests.ServiceRequest",
        blank=True,
        related_name="+",
        verbose_name=_("linked requests"),
    )
    # Parties with an interest in the matter (物业 on a fee question): their
    # seats are recused from its votes.
    interested = models.JSONField(_("interested parties"), default=list, blank=True)
    decline_reason = models.TextField(_("why declined"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    notice_until = models.DateField(_("public notice until"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"], name="topic_status")]

    def __str__(self) -> str:
        return self.title


class TopicStep(TransitionRecord):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(
        _("from"), max_length=20, choices=TopicStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=TopicStatus.choices)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PassRule(models.TextChoices):
    CAST = "cast", _("Majority of votes cast")
    PRESENT = "present", _("Majority of seats present")
    TWO_THIRDS_ALL = "two_thirds_all", _("Two thirds of all seats")


class Council(models.Model):
    """A standing council (居民议事会, 五方联席会 …) of a community or estate,
    with its rules as data: notice, quorum, what passes, secrecy."""

    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=100)
    notice_days = models.PositiveSmallIntegerField(_("notice (days ahead)"), default=3)
    comment_days = models.PositiveSmallIntegerField(
        _("days to comment on minutes"), default=3
    )
    # Quorum: at least quorum_num/quorum_den of the voting seats present,
    # and (where set) at least one seat of each party that holds one.
    quorum_num = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_den = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    quorum_each_party = models.BooleanField(_("one seat of each party"), default=True)
    pass_rule = models.CharField(
        _("what passes"), max_length=20, choices=PassRule.choices, default="cast"
    )
    abstain_counts = models.BooleanField(
        _("abstentions count as votes cast"), default=False
    )
    secret = models.BooleanField(_("secret ballots"), default=False)
    hide_results = models.BooleanField(_("results hidden until closed"), default=True)
    public = models.BooleanField(_("notices to the area's residents"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["community", "name"]

    def __str__(self) -> str:
        return self.name


class Seat(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="seats")
    person = models.ForeignKey(
        PERSON, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    party = models.CharField(_("party"), max_length=12, choices=Party.choices)
    title = models.CharField(_("title"), max_length=100, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["council", "party", "pk"]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_party_display()})"

    @property
    def votes(self) -> bool:
        return self.party not in GUEST_PARTIES

    def sits_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    NOTICED = "noticed", _("Notice published")
    IN_SESSION = "in_session", _("In session")
    CLOSED = "closed", _("Meeting over")
    INQUORATE = "inquorate", _("Closed without quorum (流会)")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=100)
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeetingStatus.choices,
        default=MeetingStatus.PLANNED,
    )
    noticed_at = models.DateTimeField(_("notice published at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The key of the rotating check-in code; never shown.
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class MeetingStep(TransitionRecord):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(
        _("from"), max_length=20, choices=MeetingStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=MeetingStatus.choices)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "topic"], name="agenda_topic_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Method(models.TextChoices):
    QR = "qr", _("QR code")
    HAND = "hand", _("Marked by staff")


class Presence(models.Model):
    """A seat present at a meeting."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="presences"
    )
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8, choices=Method.choices)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seat"], name="presence_once")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class VoteKind(models.TextChoices):
    COUNCIL = "council", _("Council seats")
    OWNERS = "owners", _("Owners (业主共同决定)")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Not opened yet")
    OPEN = "open", _("Voting open")
    CLOSED = "closed", _("Voting over")


class Choice(models.TextChoices):
    YES = "yes", _("In favour")
    NO = "no", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class Result(models.TextChoices):
    PASSED = "passed", _("Passed")
    NOT_PASSED = "not_passed", _("Not passed")


class Vote(models.Model):
    """A vote on a topic at a meeting. Its rules are copied from the council
    when it is made, so a later change of the council's rules never changes
    a vote already held."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="votes")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="votes")
    kind = models.CharField(
        _("who votes"), max_length=10, choices=VoteKind.choices, default="council"
    )
    secret = models.BooleanField(_("secret"), default=False)
    hide_results = models.BooleanField(_("results hidden until closed"), default=True)
    pass_rule = models.CharField(
        _("what passes"), max_length=20, choices=PassRule.choices
    )
    abstain_counts = models.BooleanField(default=False)
    special = models.BooleanField(_("special matter (3/4)"), default=False)
    recused = models.JSONField(_("recused parties"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=VoteStatus.choices, default="draft"
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=12, choices=Result.choices, blank=True
    )
    # Counted when it closed, for the public page.
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Voted(models.Model):
    """That a voter took part in a vote: one row per seat (or household, in
    an owners' vote), so a second ballot is refused by the database itself,
    whatever the device. It says nothing of how she voted."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="voters")
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    method = models.CharField(max_length=8, default="phone")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "seat"],
                condition=Q(seat__isnull=False),
                name="voted_once_per_seat",
            ),
            models.UniqueConstraint(
                fields=["vote", "household"],
                condition=Q(household__isnull=False),
                name="voted_once_per_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Ballot(models.Model):
    """How a ballot went. In a secret vote it names no voter and carries no
    time, so no one can tell whose it is."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    choice = models.CharField(max_length=8, choices=Choice.choices)
    seat = models.ForeignKey(
        Seat, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    photo = models.ImageField(upload_to="councils/ballots/%Y/%m/", blank=True)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMMENTS = "comments", _("Open for comments")
    FINAL = "final", _("Final")


class Minutes(models.Model):
    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="minutes"
    )
    status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default="draft"
    )
    comments_until = models.DateField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MinutesVersion(models.Model):
    """One version of the minutes' text; never changed once written."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    final = models.BooleanField(default=False)
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "number"], name="minutes_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class MinutesComment(models.Model):
    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="comments"
    )
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Task(models.Model):
    """Work a passed resolution became: a request in the requests workflow,
    so its deadlines, 吹哨 and the three rates apply."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("title"), max_length=100)
    service_request = models.OneToOneField(
        "requests.ServiceRequest", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Milestone(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=100)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class TaskPhoto(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(upload_to="councils/tasks/%Y/%m/")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Budget(models.Model):
    """A budget line of a topic (专项资金): what was approved, and the
    receipts of what was spent."""

    topic = models.OneToOneField(Topic, on_delete=models.PROTECT, related_name="budget")
    source = models.CharField(_("source of funds"), max_length=100)
    approved = models.DecimalField(
        _("approved (yuan)"), max_digits=12, decimal_places=2
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Expense(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="expenses"
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("what for"), max_length=200)
    spent_on = models.DateField(_("spent on"))
    receipt = models.ImageField(_("receipt"), upload_to="councils/receipts/%Y/%m/")
    by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["spent_on", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Objection(models.Model):
    """A resident's objection to a topic during its public notice."""

    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="objections"
    )
    person = models.ForeignKey(PERSON, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"
