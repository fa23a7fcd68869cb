"""Selections and honours (评选表彰): 身边好人, 道德模范, 最美楼栋, 最美楼栋长,
文明家庭.

A street configures its kinds of selection (with defaults). A selection
runs at a level of the tree (a community, a street, a district) for a
year; residents, staff and organizations nominate people, households or
buildings of the registry within it; the nominee is asked and may decline;
the committee reviews; candidates go to a public vote (one ballot per
registered resident) and the committee's secret ballot; the winners are
publicised (公示) and, unless an objection is sustained, honoured. Winners
of one level go forward to the level above with their story and history
(层层筛选).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core.models import TransitionRecord
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import Activity


class NomineeType(models.TextChoices):
    PERSON = "person", _("A person")
    HOUSEHOLD = "household", _("A household")
    BUILDING = "building", _("A building")


class SelectionKind(models.Model):
    """A kind of selection a street runs: its name, what is nominated and
    the categories a ballot is counted in."""

    street = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("street")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=40)
    nominee_type = models.CharField(
        _("nominee"), max_length=16, choices=NomineeType.choices
    )
    categories = models.JSONField(_("categories"), default=list, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("kind of selection")
        verbose_name_plural = _("kinds of selection")
        constraints = [
            models.UniqueConstraint(
                fields=["street", "code"], name="selection_kind_unique_code"
            )
        ]
        ordering = ["street", "pk"]

    def __str__(self):
        return self.name

    @property
    def categories_text(self) -> str:
        """The categories one a line, as the kinds page edits them."""
        return "\n".join(self.categories)


class SelectionStatus(models.TextChoices):
    NOMINATING = "nominating", _("Taking nominations")
    VOTING = "voting", _("Voting")
    PUBLICITY = "publicity", _("In publicity (公示)")
    CLOSED = "closed", _("Honoured")
    CANCELLED = "cancelled", _("Cancelled")


class Selection(models.Model):
    """One selection at one node of the tree, for one year."""

    kind = models.ForeignKey(
        SelectionKind,
        on_delete=models.PROTECT,
        related_name="selections",
        verbose_name=_("kind"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("level")
    )
    title = models.CharField(_("title"), max_length=80)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SelectionStatus.choices,
        default=SelectionStatus.NOMINATING,
    )
    description = models.TextField(_("description"), blank=True)
    vote_opens = models.DateTimeField(_("voting opens"))
    vote_closes = models.DateTimeField(_("voting closes"))
    # Each ballot: at most this many choices in one category, and in all.
    per_category = models.PositiveSmallIntegerField(
        _("choices per category"), default=10
    )
    per_ballot = models.PositiveSmallIntegerField(_("choices per ballot"), default=50)
    ballot_changeable = models.BooleanField(
        _("ballots may be changed until the vote closes"), default=True
    )
    results_hidden = models.BooleanField(
        _("results hidden until the vote closes"), default=True
    )
    public_weight = models.PositiveSmallIntegerField(
        _("weight of the public vote (%)"), default=60
    )
    seats = models.PositiveSmallIntegerField(_("honoured per category"), default=3)
    publicity_days = models.PositiveSmallIntegerField(_("days of publicity"), default=7)
    points = models.PositiveIntegerField(
        _("points for each honoured person"), default=0
    )
    # The tie-break draw: the secret is chosen when the vote opens and only
    # its SHA-256 is published then; it is revealed when the vote closes,
    # so anyone can check the hash and recompute the draw.
    draw_commitment = models.CharField(_("draw commitment"), max_length=64, blank=True)
    draw_secret = models.CharField(_("draw value"), max_length=64, blank=True)
    publicity_ends = models.DateTimeField(_("publicity ends"), null=True, blank=True)
    committee = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("review committee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-year", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(public_weight__lte=100), name="selection_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(vote_closes__gt=models.F("vote_opens")),
                name="selection_window_order",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def committee_weight(self) -> int:
        return 100 - self.public_weight


class SelectionStep(TransitionRecord):
    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("selection"),
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("selection step")
        verbose_name_plural = _("selection steps")


class NominationStatus(models.TextChoices):
    ASKED = "asked", _("Waiting for the nominee's consent")
    REVIEW = "review", _("In review")
    CANDIDATE = "candidate", _("Candidate")
    VOTING = "voting", _("In the vote")
    PUBLICITY = "publicity", _("In publicity (公示)")
    HONOURED = "honoured", _("Honoured")
    DECLINED = "declined", _("Declined by the nominee")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    NOT_SELECTED = "not_selected", _("Not selected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another nomination")


class Source(models.TextChoices):
    SELF = "self", _("Self-nominated")
    NEIGHBOUR = "neighbour", _("Nominated by a neighbour")
    STAFF = "staff", _("Nominated by the community")
    ORGANIZATION = "organization", _("Nominated by an organization")
    FORWARDED = "forwarded", _("Put forward from the level below")


class Nomination(models.Model):
    """A nominee in one selection, with the story (事迹) that puts them
    forward. Exactly one of ``person``, ``household`` and ``building``
    names the nominee, as the selection's kind says; ``home`` is where the
    nominee is (the person's household, or the household or building
    itself), what scoping and the roll read."""

    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="nominations",
        verbose_name=_("selection"),
    )
    category = models.CharField(_("category"), max_length=20, blank=True)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    building = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    home = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("where")
    )
    # What the roll and the ballots call the nominee: a name, "周家", or a
    # building's place.
    label = models.CharField(_("nominee"), max_length=100)
    story = models.TextField(_("story (事迹)"))
    source = models.CharField(_("nominated as"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=NominationStatus.choices
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    forwarded_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forwarded",
        verbose_name=_("put forward from"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    score = models.DecimalField(
        _("score"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    public_votes = models.PositiveIntegerField(_("public votes"), default=0)
    committee_votes = models.PositiveIntegerField(_("committee votes"), default=0)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    drawn = models.BooleanField(_("placed by the draw"), default=False)
    award = models.PositiveIntegerField(_("points award"), null=True, blank=True)
    honoured_at = models.DateTimeField(_("honoured at"), null=True, blank=True)
    created_at = models.DateTimeField(_("nominated at"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["selection", "category", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, household__isnull=True, building=None)
                    | Q(person__isnull=True, household__isnull=False, building=None)
                    | Q(person__isnull=True, household__isnull=True)
                    & Q(building__isnull=False)
                ),
                name="nomination_one_nominee",
            )
        ]
        indexes = [models.Index(fields=["selection", "status"], name="nom_status")]

    def __str__(self):
        return self.label

    @property
    def level(self) -> str:
        return self.selection.area.get_kind_display()


class NominationStep(TransitionRecord):
    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("nomination"),
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("nomination step")
        verbose_name_plural = _("nomination steps")


class NominationPhoto(models.Model):
    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("nomination"),
    )
    image = models.ImageField(_("photo"), upload_to="selections/%Y/%m/")
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("nomination photo")
        verbose_name_plural = _("nomination photos")
        ordering = ["pk"]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class ReviewComment(models.Model):
    """A committee member's check of a nomination's eligibility."""

    nomination = models.ForeignKey(
        Nomination,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("nomination"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    eligible = models.BooleanField(_("eligible"))
    comment = models.TextField(_("comment"))
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class Ballot(models.Model):
    """One registered resident's ballot in one selection's public vote.
    ``building`` and ``network`` are what the fraud signals group by."""

    selection = models.ForeignKey(
        Selection,
        on_delete=models.PROTECT,
        related_name="ballots",
        verbose_name=_("selection"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("voter")
    )
    building = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("building"),
    )
    network = models.GenericIPAddressField(_("network address"), null=True)
    cast_at = models.DateTimeField(_("cast at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "person"], name="ballot_one_per_voter"
            )
        ]
        indexes = [models.Index(fields=["selection", "cast_at"], name="ballot_cast")]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class BallotChoice(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "nomination"], name="ballot_choice_once"
            )
        ]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class CommitteeBallot(models.Model):
    """That a member has cast the committee's secret ballot: who voted, and
    nothing of for whom (the marks are kept apart, unlinked)."""

    selection = models.ForeignKey(
        Selection, on_delete=models.PROTECT, related_name="committee_ballots"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    cast_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "member"], name="committee_ballot_once"
            )
        ]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class CommitteeMark(models.Model):
    """One mark of the committee's secret ballot, tied to no member."""

    selection = models.ForeignKey(
        Selection, on_delete=models.PROTECT, related_name="committee_marks"
    )
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class SignalKind(models.TextChoices):
    BUILDING = "building", _("Many ballots from one building")
    NETWORK = "network", _("Many ballots from one network address")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    KEPT = "kept", _("Ballots kept")
    VOIDED = "voided", _("Ballots voided")


class FraudFlag(models.Model):
    """A burst of ballots flagged to staff with its evidence (the ballots);
    staff decide, and the decision is recorded."""

    selection = models.ForeignKey(
        Selection, on_delete=models.PROTECT, related_name="flags"
    )
    kind = models.CharField(_("signal"), max_length=16, choices=SignalKind.choices)
    key = models.CharField(_("where from"), max_length=100)
    ballots = models.ManyToManyField(Ballot, related_name="flags")
    first_at = models.DateTimeField(_("first ballot"))
    last_at = models.DateTimeField(_("last ballot"))
    status = models.CharField(
        _("status"), max_length=16, choices=FlagStatus.choices, default="open"
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("fraud signal")
        verbose_name_plural = _("fraud signals")
        ordering = ["-raised_at", "-pk"]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class FlagStep(TransitionRecord):
    flag = models.ForeignKey(FraudFlag, on_delete=models.PROTECT, related_name="steps")

    class Meta(TransitionRecord.Meta):
        verbose_name = _("fraud signal step")
        verbose_name_plural = _("fraud signal steps")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Being investigated")
    SUSTAINED = "sustained", _("Sustained")
    DISMISSED = "dismissed", _("Dismissed")


class Objection(models.Model):
    """An objection raised during publicity (公示), investigated and answered
    by staff."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="objections"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default="open"
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"


class ObjectionStep(TransitionRecord):
    objection = models.ForeignKey(
        Objection, on_delete=models.PROTECT, related_name="steps"
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("objection step")
        verbose_name_plural = _("objection steps")


class Talk(models.Model):
    """An honouree speaking at an activity (道德模范进小区宣讲)."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, related_name="talks"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nomination", "activity"], name="talk_once")
        ]

    def __str__(self):
        return f"{type(self).__name__} {self.pk}"
