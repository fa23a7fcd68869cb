"""Publishing activities and their sessions, and cancelling them.

An activity's status moves through ``ACTIVITY_FLOW`` (``core.workflow``):
published (on creation) → finished (its last session has begun) or
cancelled (called off with a reason, its sessions still to come with it).
Each step is recorded in ``ActivityStep``; a finished or cancelled
activity takes no sign-ups."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.photos import photo_check
from gongzhi.core.workflow import Workflow, move, transition

from ..models import (
    Activity,
    ActivityStatus,
    ActivityStep,
    ActivityType,
    Audience,
    Occurrence,
    PlaceKind,
    SignUp,
    SignUpStatus,
    Team,
)
from ..recurrence import Rule, occurrences
from .changes import sessions_changed
from .rules import leads, may_organize, require_organizer, unit_check

TITLE_MAX = Activity._meta.get_field("title").max_length
PLACE_MAX = Activity._meta.get_field("place").max_length
REASON_MAX = Occurrence._meta.get_field("cancel_reason").max_length
# No session runs past a day; a longer event is several sessions.
LONGEST = dt.timedelta(hours=24)
# The bounds of what an organizer enters; forms and the API say the same.
MAX_CAPACITY = 100_000
MAX_CLOSES_HOURS = 720
MAX_POINTS_PER_HOUR = 100

ORGANIZER, SYSTEM = "organizer", "system"


def _permit(user: User | None, who: frozenset, activity: Activity) -> bool:
    if user is None:
        return SYSTEM in who
    return ORGANIZER in who and may_organize(user, activity)


def _to_come(activity: Activity, now: dt.datetime):
    return Occurrence.objects.filter(
        activity=activity, cancelled_at__isnull=True, starts_at__gt=now
    )


S = ActivityStatus
ACTIVITY_FLOW = Workflow(
    model=Activity,
    history=ActivityStep,
    subject="activity",
    moves={
        "finish": move({S.PUBLISHED}, S.FINISHED, ORGANIZER, SYSTEM),
        "cancel": move({S.PUBLISHED}, S.CANCELLED, ORGANIZER, reason=True),
    },
    labels={
        "publish": gettext_lazy("Published"),
        "finish": gettext_lazy("Finished"),
        "cancel": gettext_lazy("Cancelled"),
    },
    permit=_permit,
    refusal=lambda who, row: _("Only the organizer or community staff may do this."),
    refused=gettext_lazy("This activity is “%(status)s”; it cannot be “%(action)s”."),
    related=("team__leader", "community"),
    reason_max=REASON_MAX,
)


def _choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose one of the options."), field=field)
    return value


def _whole(value, *, field: str, least: int = 0, most: int | None = None):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give a whole number."), field=field)
    if value < least or (most is not None and value > most):
        raise ValidationFailed(
            _("Give a whole number from %(least)d to %(most)d.")
            % {"least": least, "most": most}
            if most is not None
            else _("Give a whole number of at least %(least)d.") % {"least": least},
            field=field,
        )
    return value


def _session_times(starts_at: dt.datetime, ends_at: dt.datetime) -> dt.timedelta:
    if ends_at <= starts_at:
        raise ValidationFailed(_("The end must come after the start."), field="ends_at")
    if ends_at - starts_at > LONGEST:
        raise ValidationFailed(
            _("A session lasts at most a day; repeat it for longer events."),
            field="ends_at",
        )
    return ends_at - starts_at


@transaction.atomic
def activity_create(
    *,
    community: Area,
    title: str,
    kind: str,
    place_kind: str,
    place: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    by: User,
    team: Team | None = None,
    unit=None,
    audience: str = Audience.ALL,
    signup_required: bool = True,
    capacity: int | None = None,
    signup_closes_hours: int = 0,
    points_per_hour: int = 0,
    description: str = "",
    photo=None,
    repeat: Rule | None = None,
    now: dt.datetime | None = None,
) -> Activity:
    """Publish an activity: one session from ``starts_at`` to ``ends_at``,
    or, with ``repeat``, a session on each date the rule gives, at the same
    time of day. The rule must end (a date or a count): sessions are written
    up front, never without bound.

    The organizer is ``team``, or ``unit`` (an active organization within
    the community), or, with neither, the community itself. Staff with
    activity.manage there publish, and so does the team's leader for her
    team. A photo must be a real image within the size limit; it is stored
    under a name of its own, never the uploader's."""
    now = now or timezone.now()
    if community.kind not in (Kind.COMMUNITY, Kind.STREET):
        raise ValidationFailed(
            _("An activity belongs to a community or a street."), field="community"
        )
    if not (
        in_scope(by, community, Perm.ACTIVITY_MANAGE)
        or (team is not None and leads(by, team))
    ):
        raise NotAllowed(_("You may not publish activities here."))
    if team is not None and not (
        is_within(community.path, team.area.path)
        or is_within(team.area.path, community.path)
    ):
        raise ValidationFailed(_("This team works elsewhere."), field="team")
    if team is not None and unit is not None:
        raise ValidationFailed(
            _("Choose a team or a unit as the organizer, not both."), field="unit"
        )
    unit_check(unit, community)
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    kind = _choice(kind, ActivityType, field="kind")
    place_kind = _choice(place_kind, PlaceKind, field="place_kind")
    place = text_clean(place, field="place", limit=PLACE_MAX, required=True)
    audience = _choice(audience, Audience, field="audience")
    capacity = _whole(capacity, field="capacity", least=1, most=MAX_CAPACITY)
    hours_before = _whole(
        signup_closes_hours, field="signup_closes_hours", most=MAX_CLOSES_HOURS
    )
    points_per_hour = _whole(
        points_per_hour, field="points_per_hour", most=MAX_POINTS_PER_HOUR
    )
    length = _session_times(starts_at, ends_at)
    if starts_at < now:
        raise ValidationFailed(_("The start has passed."), field="starts_at")
    extension = photo_check(photo, field="photo") if photo else None
    local = timezone.localtime(starts_at)
    days = occurrences(repeat, start=local.date()) if repeat else [local.date()]
    activity = Activity.objects.create(
        title=title,
        kind=kind,
        community=community,
        team=team,
        unit=unit,
        place_kind=place_kind,
        place=place,
        audience=audience,
        signup_required=bool(signup_required),
        capacity=capacity,
        signup_closes_hours=hours_before,
        points_per_hour=points_per_hour,
        description=str(description or "").strip(),
        repeat=repeat.as_dict() if repeat else {},
        created_by=by,
        created_at=now,
    )
    Occurrence.objects.bulk_create(
        _occurrence(activity, day, local.timetz(), length) for day in days
    )
    if photo:
        activity.photo.save(
            f"{activity.pk}-{secrets.token_hex(4)}.{extension}", photo, save=True
        )
    ACTIVITY_FLOW.begin(activity, action="publish", by=by, now=now)
    sessions_changed(community_ids=[community.pk], days=days)
    return activity


def _occurrence(activity, day: dt.date, at: dt.time, length) -> Occurrence:
    starts_at = timezone.make_aware(
        dt.datetime.combine(day, at.replace(tzinfo=None)),
        timezone.get_current_timezone(),
    )
    closes = (
        starts_at - dt.timedelta(hours=activity.signup_closes_hours)
        if activity.signup_required
        else None
    )
    return Occurrence(
        activity=activity,
        community=activity.community,
        starts_at=starts_at,
        ends_at=starts_at + length,
        signup_closes_at=closes,
        capacity=activity.capacity,
        secret=secrets.token_hex(32),
    )


@transaction.atomic
def occurrence_cancel(
    *, occurrence: Occurrence, reason: str, by: User, now: dt.datetime | None = None
) -> Occurrence:
    """Call off one session before it starts; its sign-ups are cancelled
    with it."""
    now = now or timezone.now()
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("activity__team__leader")
        .get(pk=occurrence.pk)
    )
    require_organizer(by, occurrence)
    reason = text_clean(reason, field="reason", limit=REASON_MAX, required=True)
    if occurrence.cancelled_at is not None:
        raise TransitionNotAllowed(
            _("This session has been cancelled already."), field="occurrence"
        )
    if now >= occurrence.starts_at:
        raise TransitionNotAllowed(
            _("The session has started; it cannot be cancelled now."),
            field="occurrence",
        )
    occurrence.cancelled_at = now
    occurrence.cancel_reason = reason
    occurrence.signed_up = 0
    occurrence.save(update_fields=["cancelled_at", "cancel_reason", "signed_up"])
    SignUp.objects.filter(occurrence=occurrence).exclude(
        status=SignUpStatus.CANCELLED
    ).update(status=SignUpStatus.CANCELLED, cancelled_at=now)
    sessions_changed(occurrences=[occurrence])
    return occurrence


@transaction.atomic
def activity_cancel(
    *, activity: Activity, reason: str, by: User, now: dt.datetime | None = None
) -> Activity:
    """Call the whole activity off, saying why: its sessions still to come
    are cancelled with their sign-ups (locked, so a sign-up racing the
    cancellation waits for it and is then refused); past ones stay as
    they were. Refused for an activity finished or cancelled already."""

    def change(item: Activity, at: dt.datetime) -> None:
        item.cancelled_at = at
        coming = list(
            Occurrence.objects.select_for_update()
            .filter(activity=item, cancelled_at__isnull=True, starts_at__gt=at)
            .values_list("pk", flat=True)
        )
        Occurrence.objects.filter(pk__in=coming).update(
            cancelled_at=at, cancel_reason=reason, signed_up=0
        )
        SignUp.objects.filter(occurrence_id__in=coming).exclude(
            status=SignUpStatus.CANCELLED
        ).update(status=SignUpStatus.CANCELLED, cancelled_at=at)
        sessions_changed(occurrences=Occurrence.objects.filter(pk__in=coming))

    reason = text_clean(reason, field="reason", limit=REASON_MAX, required=True)
    return transition(
        ACTIVITY_FLOW,
        row=activity,
        action="cancel",
        by=by,
        reason=reason,
        now=now,
        change=change,
    )


@transaction.atomic
def activity_finish(
    *, activity: Activity, by: User | None, now: dt.datetime | None = None
) -> Activity:
    """Mark the activity finished once its last session has begun (the
    organizer, or the system with ``by=None``); it takes no more
    sign-ups."""

    def change(item: Activity, at: dt.datetime) -> None:
        if _to_come(item, at).exists():
            raise TransitionNotAllowed(
                _("Sessions are still to come; cancel the activity instead."),
                field="status",
            )
        item.finished_at = at

    return transition(
        ACTIVITY_FLOW, row=activity, action="finish", by=by, now=now, change=change
    )


def activities_finish_ended(*, now: dt.datetime | None = None) -> int:
    """Finish every published activity none of whose sessions is still to
    begin; each in a transaction of its own."""
    now = now or timezone.now()
    ended = (
        Activity.objects.filter(status=ActivityStatus.PUBLISHED)
        .exclude(Exists(_to_come(OuterRef("pk"), now)))
        .values_list("pk", flat=True)
    )
    done = 0
    for pk in list(ended):
        try:
            activity_finish(activity=pk, by=None, now=now)
        except TransitionNotAllowed:
            continue  # cancelled, or given a session, meanwhile
        done += 1
    return done
