"""Service teams, their members, activities and who came.

An activity is what is offered (a talk, a market, a patrol) and how it
recurs; each time it is held is an occurrence (场次), generated up front
and bounded, so sign-up, check-in and hours always name one dated session.
A sign-up holds a place or waits in line for one; an attendance is who came,
checked in and out by the organizer's changing QR code or marked by hand,
and its hours reach the points ledger through a points service.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core.models import TransitionRecord


class TeamType(models.TextChoices):
    PUBLICITY = "publicity", _("Publicity talks")
    PARTY = "party", _("Party members' vanguard")
    ELDERLY = "elderly", _("Elderly care")
    ENVIRONMENT = "environment", _("Environment")
    PATROL = "patrol", _("Safety patrol")
    MEDIATION = "mediation", _("Mediation")
    REPAIR = "repair", _("Repairs")
    CULTURE = "culture", _("Culture and sports")
    MEDICAL = "medical", _("Medical")
    OTHER = "other", _("Other")


class Team(models.Model):
    """A service team (服务队) under a community or a street."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("type"), max_length=16, choices=TeamType.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    # The unit (a co-building unit, the property company…) the team is
    # under, if not the community itself.
    unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    leader = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leader"),
    )
    description = models.TextField(_("description"), blank=True)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"], name="volunteering_team_name_unique_in_area"
            )
        ]

    def __str__(self):
        return self.name


class MemberStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    MEMBER = "member", _("Member")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


# A person has at most one membership in these states per team.
MEMBER_OPEN = (MemberStatus.APPLIED, MemberStatus.MEMBER)


class TeamMember(models.Model):
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=Q(status__in=MEMBER_OPEN),
                name="volunteering_one_open_membership",
            )
        ]

    def __str__(self):
        return f"{self.team} · {self.person}"


class ActivityType(models.TextChoices):
    SERVICE = "service", _("Volunteer service")
    TALK = "talk", _("Talk or policy briefing")
    CLINIC = "clinic", _("Free clinic")
    CLASS = "class", _("Class or training")
    CULTURE = "culture", _("Culture and sports")
    MARKET = "market", _("Market")
    FESTIVAL = "festival", _("Festival")
    PATROL = "patrol", _("Patrol")
    OTHER = "other", _("Other")


class PlaceKind(models.TextChoices):
    PRACTICE_STATION = "station", _("Civilization practice station")
    SERVICE_CENTER = "center", _("Party–mass service center")
    SQUARE = "square", _("Square")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    ADDRESS = "address", _("Other address")


class Audience(models.TextChoices):
    ALL = "all", _("All residents")
    ELDERLY = "elderly", _("Older people")
    MINORS = "minors", _("Children and teenagers")
    WOMEN = "women", _("Women")
    FAMILIES = "families", _("Families")
    PARTY = "party", _("Party members")
    VOLUNTEERS = "volunteers", _("Volunteers")
    DISABLED = "disabled", _("People with disabilities")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """What is offered and how it recurs. Its sessions are Occurrences.
    Published, it takes sign-ups; finished or cancelled, none
    (``services.activities.ACTIVITY_FLOW``)."""

    title = models.CharField(_("title"), max_length=80)
    kind = models.CharField(_("type"), max_length=16, choices=ActivityType.choices)
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organizing team"),
    )
    # The organizer is the team, or else this unit, or else (both empty)
    # the community itself.
    unit = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organizing unit"),
    )
    place_kind = models.CharField(
        _("kind of place"), max_length=16, choices=PlaceKind.choices
    )
    place = models.CharField(_("place"), max_length=100)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.ALL
    )
    signup_required = models.BooleanField(_("sign-up needed"), default=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    # Sign-up closes this many hours before each session starts.
    signup_closes_hours = models.PositiveIntegerField(
        _("sign-up closes (hours before)"), default=0
    )
    points_per_hour = models.PositiveSmallIntegerField(_("points per hour"), default=0)
    description = models.TextField(_("description"), blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="activities/%Y/%m/", null=True, blank=True
    )
    # The recurrence, as given; the sessions are generated from it once.
    repeat = models.JSONField(_("repeats"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PUBLISHED,
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title

    @property
    def organizer(self) -> str:
        """Who runs it, as a notice says: the team (with its unit), the
        unit, or the community."""
        if self.team_id:
            if self.team.unit_id:
                return f"{self.team.name}（{self.team.unit.name}）"
            return self.team.name
        if self.unit_id:
            return self.unit.name
        return self.community.name


class ActivityStep(TransitionRecord):
    """One step of an activity: published, finished, cancelled (and why)."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("activity"),
    )

    class Meta(TransitionRecord.Meta):
        verbose_name = _("activity step")
        verbose_name_plural = _("activity steps")
        indexes = [
            models.Index(fields=["activity", "at"], name="vol_activity_step_at"),
        ]

    def __str__(self):
        return f"{self.activity_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class Occurrence(models.Model):
    """One session of an activity: a date, a time, its own places."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.PROTECT,
        related_name="occurrences",
        verbose_name=_("activity"),
    )
    # Copied from the activity so that lists and counts need no join.
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    signup_closes_at = models.DateTimeField(
        _("sign-up closes at"), null=True, blank=True
    )
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    signed_up = models.PositiveIntegerField(_("signed up"), default=0)
    # The key behind the check-in QR codes: each minute's code is derived
    # from it, so a photographed code stops working a minute later.
    secret = models.CharField(max_length=64)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)
    confirmed_at = models.DateTimeField(
        _("attendance confirmed at"), null=True, blank=True
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="volunteering_occurrence_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True)
                | Q(signed_up__lte=models.F("capacity")),
                name="volunteering_occurrence_not_overbooked",
            ),
        ]

    def __str__(self):
        return f"{self.activity} {self.starts_at:%Y-%m-%d %H:%M}"


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Place confirmed")
    WAITING = "waiting", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class SignUp(models.Model):
    occurrence = models.ForeignKey(
        Occurrence,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name=_("session"),
    )
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("participant"),
    )
    status = models.CharField(_("status"), max_length=16, choices=SignUpStatus.choices)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    promoted_at = models.DateTimeField(
        _("moved up from the waiting list at"), null=True, blank=True
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed up by"),
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "person"],
                condition=~Q(status="cancelled"),
                name="volunteering_one_signup_per_session",
            )
        ]

    def __str__(self):
        return f"{self.occurrence} · {self.person}"


class Method(models.TextChoices):
    QR = "qr", _("QR code")
    HAND = "hand", _("Marked by staff")


class Attendance(models.Model):
    """Who came to a session, when they checked in and out, their hours."""

    occurrence = models.ForeignKey(
        Occurrence,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("session"),
    )
    person = models.ForeignKey(
        "residents.Person",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("volunteer"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    in_method = models.CharField(
        _("checked in by"), max_length=8, choices=Method.choices
    )
    out_method = models.CharField(
        _("checked out by"), max_length=8, choices=Method.choices, blank=True
    )
    hours = models.DecimalField(
        _("service hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    corrected = models.BooleanField(_("corrected"), default=False)
    # The points award for these hours once attendance is confirmed; a
    # correction after that reverses it and awards the corrected hours.
    award = models.ForeignKey(
        "points.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("points award"),
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "person"],
                name="volunteering_one_attendance_per_session",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="volunteering_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="volunteering_hours_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.occurrence} · {self.person}"


class ChangeKind(models.TextChoices):
    CHECKED_IN = "in", _("Checked in")
    CHECKED_OUT = "out", _("Checked out")
    MARKED = "marked", _("Marked by hand")
    CORRECTED = "corrected", _("Hours corrected")
    CONFIRMED = "confirmed", _("Confirmed; points posted")


class AttendanceChange(models.Model):
    """The record of every change to an attendance: who, when, why."""

    attendance = models.ForeignKey(
        Attendance,
        on_delete=models.PROTECT,
        related_name="changes",
        verbose_name=_("attendance"),
    )
    kind = models.CharField(_("change"), max_length=16, choices=ChangeKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    hours_before = models.DecimalField(
        _("hours before"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    hours_after = models.DecimalField(
        _("hours after"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.attendance} {self.get_kind_display()}"
