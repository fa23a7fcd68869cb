"""The volunteering API: a resident's sessions, sign-ups, check-in and
service record; organizers' activities, rosters, codes, attendance and
hours; teams; the counts reports quote.

A resident's check-in here is the portal's: both call ``attendance_scan``
with the code her phone read from the organizer's screen. Objects are
looked up where the caller sees their area (404 elsewhere, 403 where her
role may not act); a team's leader runs her team's sessions wherever she
lives.
"""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, area_seen, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.core.errors import NotAllowed, ValidationFailed, fields_renamed
from gongzhi.core.rotating import CODE_SECONDS
from gongzhi.core.schemas import StepOut
from gongzhi.orgs.selectors import org_list
from gongzhi.residents.selectors.people import person_seen

from . import selectors
from .models import Activity, Attendance, Occurrence, SignUp, Team, TeamMember
from .recurrence import Rule
from .services import activities, attendance, signup, teams
from .services.rules import may_organize

router = Router(tags=["volunteering"])


class SessionOut(Schema):
    id: int
    activity_id: int
    title: str
    kind: str
    kind_label: str
    team: str
    unit_id: int | None = None
    organizer: str = ""
    community: str
    place: str
    audience_label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    signup_required: bool
    signup_closes_at: dt.datetime | None
    capacity: int | None
    signed_up: int
    points_per_hour: int
    cancelled: bool
    activity_status: str
    activity_status_label: str
    my_status: str = ""
    my_status_label: str = ""
    my_signup_id: int | None = None


class SignUpIn(Schema):
    wait: bool = False


class SignUpOut(Schema):
    id: int
    session_id: int
    person_id: int
    name: str
    status: str
    status_label: str
    waiting_position: int | None = None


class ScanIn(Schema):
    code: str


class AttendanceOut(Schema):
    id: int
    session_id: int
    person_id: int
    name: str
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None
    hours: Decimal | None
    corrected: bool


class ServiceOut(Schema):
    person_id: int
    name: str
    hours: Decimal
    sessions: int
    teams: list[str]
    attendances: list[AttendanceOut]


class RepeatIn(Schema):
    frequency: str
    interval: int = 1
    weekdays: list[int] = []
    month_days: list[int] = []
    lunar_days: list[int] = []
    festivals: list[str] = []
    until: dt.date | None = None
    count: int | None = None


class ActivityIn(Schema):
    title: str
    kind: str
    place_kind: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    team_id: int | None = None
    unit_id: int | None = None
    audience: str = "all"
    signup_required: bool = True
    capacity: int | None = Field(None, le=activities.MAX_CAPACITY)
    signup_closes_hours: int = Field(0, le=activities.MAX_CLOSES_HOURS)
    points_per_hour: int = Field(0, le=activities.MAX_POINTS_PER_HOUR)
    description: str = ""
    repeat: RepeatIn | None = None


class ActivityDetailOut(Schema):
    id: int
    title: str
    status: str
    status_label: str
    history: list[StepOut]


class ActivityOut(Schema):
    id: int
    title: str
    sessions: list[SessionOut]


class RosterOut(Schema):
    session: SessionOut
    signups: list[SignUpOut]
    attendances: list[AttendanceOut]


class CodeOut(Schema):
    direction: str
    code: str
    valid_until: dt.datetime


class MarkIn(Schema):
    person_id: int
    checked_in_at: dt.datetime
    checked_out_at: dt.datetime | None = None
    reason: str


class HoursIn(Schema):
    hours: Decimal
    reason: str


class ReasonIn(Schema):
    reason: str


class TeamIn(Schema):
    name: str
    kind: str
    leader_id: int | None = None
    unit_id: int | None = None
    description: str = ""
    skills: str = ""
    availability: str = ""


class TeamOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    area: str
    unit_id: int | None = None
    unit: str = ""
    leader: str
    members: int


class ApplyIn(Schema):
    skills: str = ""
    availability: str = ""
    note: str = ""


class MemberOut(Schema):
    id: int
    team_id: int
    person_id: int
    name: str
    status: str
    status_label: str


class DecideIn(Schema):
    approve: bool
    note: str = ""


class FigureRow(Schema):
    key: str | None
    sessions: int
    participations: int
    participants: int | None
    hours: Decimal


class FiguresOut(Schema):
    sessions: int
    participations: int
    participants: int | None
    hours: Decimal
    by_kind: list[FigureRow]
    by_team: list[FigureRow]
    by_place: list[FigureRow]


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


def _session_out(o: Occurrence, mine: SignUp | None = None) -> dict:
    activity = o.activity
    return {
        "id": o.pk,
        "activity_id": activity.pk,
        "title": activity.title,
        "kind": activity.kind,
        "kind_label": activity.get_kind_display(),
        "team": activity.team.name if activity.team_id else "",
        "unit_id": activity.unit_id,
        "organizer": activity.organizer,
        "community": o.community.name,
        "place": activity.place,
        "audience_label": activity.get_audience_display(),
        "starts_at": o.starts_at,
        "ends_at": o.ends_at,
        "signup_required": activity.signup_required,
        "signup_closes_at": o.signup_closes_at,
        "capacity": o.capacity,
        "signed_up": o.signed_up,
        "points_per_hour": activity.points_per_hour,
        "cancelled": bool(o.cancelled_at or activity.cancelled_at),
        "activity_status": activity.status,
        "activity_status_label": activity.get_status_display(),
        "my_status": mine.status if mine else "",
        "my_status_label": mine.get_status_display() if mine else "",
        "my_signup_id": mine.pk if mine else None,
    }


def _signup_out(s: SignUp) -> dict:
    return {
        "id": s.pk,
        "session_id": s.occurrence_id,
        "person_id": s.person_id,
        "name": s.person.name,
        "status": s.status,
        "status_label": s.get_status_display(),
        "waiting_position": selectors.waiting_position(s),
    }


def _attendance_out(a: Attendance) -> dict:
    return {
        "id": a.pk,
        "session_id": a.occurrence_id,
        "person_id": a.person_id,
        "name": a.person.name,
        "checked_in_at": a.checked_in_at,
        "checked_out_at": a.checked_out_at,
        "hours": a.hours,
        "corrected": a.corrected,
    }


def _me(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404(_("No resident record is linked to this login."))
    return person


def _my_session(request, session_id: int) -> tuple[object, Occurrence]:
    person = _me(request)
    occurrence = get_object_or_404(
        selectors.sessions_for_resident(
            person, since=timezone.now() - dt.timedelta(days=1)
        ),
        pk=session_id,
    )
    return person, occurrence


SESSIONS = Occurrence.objects.select_related(
    "activity",
    "activity__team",
    "activity__team__leader",
    "activity__team__unit",
    "activity__unit",
    "community",
)


def _unit(request, unit_id: int | None):
    """An active unit (organization) where the caller holds
    activity.manage; an unknown one is refused naming ``unit_id``."""
    if unit_id is None:
        return None
    unit = (
        org_list(user=request.user, perm=Perm.ACTIVITY_MANAGE)
        .filter(pk=unit_id)
        .first()
    )
    if unit is None:
        raise ValidationFailed(_("Not found."), field="unit_id")
    return unit


def _organized(request, session_id: int) -> Occurrence:
    """A session the caller runs: as staff where it is held (404 where she
    does not see it, 403 where she sees it without activity.manage), or as
    its team's leader."""
    occurrence = get_object_or_404(SESSIONS, pk=session_id)
    if may_organize(request.user, occurrence):
        return occurrence
    if in_scope(request.user, occurrence.community, Perm.AREA_VIEW):
        raise NotAllowed(_("Your role does not allow this here."))
    raise Http404


# --- a resident --------------------------------------------------------------


@router.get(
    "/me/sessions",
    response=list[SessionOut],
    summary="Sessions I may join in my street, soonest first",
)
@paginate(LimitOffsetPagination, page_size=50)
def my_sessions(request):
    person = _me(request)
    sessions = list(selectors.sessions_for_resident(person)[:500])
    mine = selectors.my_signups(person, sessions)
    return [_session_out(o, mine.get(o.pk)) for o in sessions]


@router.post(
    "/me/sessions/{int:session_id}/signup",
    response={201: SignUpOut, **ERRORS},
    summary="Sign up for a session (or join its waiting list with wait)",
)
def my_signup(request, session_id: int, payload: SignUpIn):
    person, occurrence = _my_session(request, session_id)
    made = signup.signup_create(
        occurrence=occurrence, person=person, by=request.user, wait=payload.wait
    )
    return Status(201, _signup_out(made))


@router.post(
    "/me/signups/{int:signup_id}/cancel",
    response={200: SignUpOut, **ERRORS},
    summary="Give up my place; the first person waiting moves up",
)
def my_signup_cancel(request, signup_id: int):
    person = _me(request)
    mine = get_object_or_404(
        SignUp.objects.select_related("occurrence", "person"),
        pk=signup_id,
        person=person,
    )
    return _signup_out(signup.signup_cancel(signup=mine, by=request.user))


@router.post(
    "/me/sessions/{int:session_id}/scan",
    response={200: AttendanceOut, **ERRORS},
    summary="Check in or out with the code on the organizer's screen",
)
def my_scan(request, session_id: int, payload: ScanIn):
    person, occurrence = _my_session(request, session_id)
    done = attendance.attendance_scan(
        occurrence=occurrence, person=person, code=payload.code, by=request.user
    )
    return _attendance_out(done)


@router.get(
    "/me/service",
    response={200: ServiceOut, **NOT_ALLOWED},
    summary="My service hours, sessions and teams",
)
def my_service(request):
    person = _me(request)
    return _service_out(person, selectors.service_record(person))


def _service_out(person, record: dict) -> dict:
    return {
        "person_id": person.pk,
        "name": person.name,
        "hours": record["hours"],
        "sessions": record["sessions"],
        "teams": [team.name for team in record["teams"]],
        "attendances": [_attendance_out(a) for a in record["attendances"][:200]],
    }


@router.post(
    "/teams/{int:team_id}/apply",
    response={201: MemberOut, **ERRORS},
    summary="Ask to join a team of my street",
)
def team_apply(request, team_id: int, payload: ApplyIn):
    person = _me(request)
    team = get_object_or_404(Team.objects.filter(active=True), pk=team_id)
    with fields_renamed(team="team_id"):
        member = teams.member_apply(
            team=team, person=person, by=request.user, **payload.dict()
        )
    return Status(201, _member_out(member))


# --- organizers --------------------------------------------------------------


@router.get(
    "/areas/{int:area_id}/sessions",
    response={200: list[SessionOut], **NOT_ALLOWED},
    summary="Sessions held within an area, by start (from today on by default)",
)
@paginate(LimitOffsetPagination, page_size=50)
def area_sessions(request, area_id: int, since: dt.date | None = None):
    area = area_seen(request, area_id, Perm.ACTIVITY_VIEW)
    start = since or timezone.localdate()
    sessions = SESSIONS.filter(
        community__path__within=area.path, starts_at__date__gte=start
    ).order_by("starts_at", "pk")
    return [_session_out(o) for o in sessions[:1000]]


@router.post(
    "/areas/{int:area_id}/activities",
    response={201: ActivityOut, **ERRORS},
    summary="Publish an activity, once or repeating (lunar dates too)",
)
def activity_publish(request, area_id: int, payload: ActivityIn):
    area = area_seen(request, area_id, Perm.AREA_VIEW)
    team = None
    if payload.team_id is not None:
        team = (
            scoped(Team.objects.all(), user=request.user, via="area")
            .filter(pk=payload.team_id)
            .first()
        )
        if team is None:
            raise ValidationFailed(_("Not found."), field="team_id")
    unit = _unit(request, payload.unit_id)
    data = payload.dict(exclude={"team_id", "unit_id", "repeat"})
    repeat = None
    if payload.repeat is not None:
        repeat = Rule.from_dict(payload.repeat.dict())
    with fields_renamed(community="area_id", team="team_id", unit="unit_id"):
        made = activities.activity_create(
            community=area,
            team=team,
            unit=unit,
            by=request.user,
            repeat=repeat,
            **data,
        )
    sessions = made.occurrences.select_related(
        "activity__team__unit", "activity__unit", "community"
    )
    return Status(
        201,
        {
            "id": made.pk,
            "title": made.title,
            "sessions": [_session_out(o) for o in sessions],
        },
    )


@router.get(
    "/sessions/{int:session_id}",
    response={200: RosterOut, **NOT_ALLOWED},
    summary="A session with who signed up and who came (organizers)",
)
def session_roster(request, session_id: int):
    occurrence = _organized(request, session_id)
    signups = SignUp.objects.filter(occurrence=occurrence).exclude(status="cancelled")
    return {
        "session": _session_out(occurrence),
        "signups": [_signup_out(s) for s in signups.select_related("person")],
        "attendances": [
            _attendance_out(a)
            for a in occurrence.attendances.select_related("person").order_by("pk")
        ],
    }


@router.get(
    "/sessions/{int:session_id}/code",
    response={200: CodeOut, **ERRORS},
    summary="This minute's check-in (or check-out) code, for the QR on screen",
)
def session_code(request, session_id: int, direction: str = "in"):
    occurrence = _organized(request, session_id)
    if direction not in ("in", "out"):
        raise ValidationFailed(_("Choose in or out."), field="direction")
    now = timezone.now()
    window_end = (int(now.timestamp()) // CODE_SECONDS + 2) * (CODE_SECONDS)
    return {
        "direction": direction,
        "code": attendance.scan_code(occurrence, direction, now=now),
        "valid_until": dt.datetime.fromtimestamp(window_end, tz=dt.UTC),
    }


@router.post(
    "/sessions/{int:session_id}/attendance",
    response={200: AttendanceOut, **ERRORS},
    summary="Mark a volunteer present by hand, saying why",
)
def session_mark(request, session_id: int, payload: MarkIn):
    occurrence = _organized(request, session_id)
    person = person_seen(request, payload.person_id, Perm.AREA_VIEW)
    marked = attendance.attendance_mark(
        occurrence=occurrence,
        person=person,
        checked_in_at=payload.checked_in_at,
        checked_out_at=payload.checked_out_at,
        reason=payload.reason,
        by=request.user,
        request=request,
    )
    return _attendance_out(marked)


@router.post(
    "/attendances/{int:attendance_id}/hours",
    response={200: AttendanceOut, **ERRORS},
    summary="Correct a volunteer's hours, saying why",
)
def attendance_hours(request, attendance_id: int, payload: HoursIn):
    found = get_object_or_404(
        Attendance.objects.select_related("occurrence", "person"), pk=attendance_id
    )
    _organized(request, found.occurrence_id)
    corrected = attendance.hours_correct(
        attendance=found,
        hours=payload.hours,
        reason=payload.reason,
        by=request.user,
        request=request,
    )
    return _attendance_out(corrected)


@router.post(
    "/sessions/{int:session_id}/confirm",
    response={200: RosterOut, **ERRORS},
    summary="Confirm who came after the session; their hours become points",
)
def session_confirm(request, session_id: int):
    occurrence = _organized(request, session_id)
    attendance.occurrence_confirm(occurrence=occurrence, by=request.user)
    return session_roster(request, session_id)


@router.post(
    "/sessions/{int:session_id}/cancel",
    response={200: SessionOut, **ERRORS},
    summary="Call a session off before it starts; its sign-ups end with it",
)
def session_cancel(request, session_id: int, payload: ReasonIn):
    occurrence = _organized(request, session_id)
    activities.occurrence_cancel(
        occurrence=occurrence, reason=payload.reason, by=request.user
    )
    return _session_out(get_object_or_404(SESSIONS, pk=session_id))


def _activity_organized(request, activity_id: int) -> Activity:
    """An activity the caller runs, refused as ``_organized`` refuses."""
    activity = get_object_or_404(
        Activity.objects.select_related("community", "team__leader"), pk=activity_id
    )
    if may_organize(request.user, activity):
        return activity
    if in_scope(request.user, activity.community, Perm.AREA_VIEW):
        raise NotAllowed(_("Your role does not allow this here."))
    raise Http404


def _activity_out(activity: Activity) -> dict:
    return {
        "id": activity.pk,
        "title": activity.title,
        "status": activity.status,
        "status_label": activity.get_status_display(),
        "history": activities.ACTIVITY_FLOW.timeline(activity),
    }


@router.get(
    "/activities/{int:activity_id}",
    response={200: ActivityDetailOut, **NOT_ALLOWED},
    summary="An activity's status and its history (organizers)",
)
def activity_detail(request, activity_id: int):
    return _activity_out(_activity_organized(request, activity_id))


@router.post(
    "/activities/{int:activity_id}/cancel",
    response={200: ActivityDetailOut, **ERRORS},
    summary="Call a whole activity off, saying why; its sessions to come end with it",
)
def activity_cancel(request, activity_id: int, payload: ReasonIn):
    activity = _activity_organized(request, activity_id)
    done = activities.activity_cancel(
        activity=activity, reason=payload.reason, by=request.user
    )
    return _activity_out(done)


@router.post(
    "/activities/{int:activity_id}/finish",
    response={200: ActivityDetailOut, **ERRORS},
    summary="Mark an activity finished once its last session has begun",
)
def activity_finish(request, activity_id: int):
    activity = _activity_organized(request, activity_id)
    done = activities.activity_finish(activity=activity, by=request.user)
    return _activity_out(done)


@router.get(
    "/people/{int:person_id}/service",
    response={200: ServiceOut, **NOT_ALLOWED},
    summary="A volunteer's hours in a period, for a service certificate",
)
def person_service(
    request, person_id: int, start: dt.date | None = None, end: dt.date | None = None
):
    person = person_seen(request, person_id, Perm.ACTIVITY_VIEW)
    record = selectors.service_record(person, start=start, end=end)
    return _service_out(person, record)


@router.get(
    "/areas/{int:area_id}/figures",
    response={200: FiguresOut, **ERRORS},
    summary="Sessions held, participations, participants and hours in a period",
)
def area_figures(request, area_id: int, period: Query[PeriodIn]):
    area = area_seen(request, area_id, Perm.ACTIVITY_VIEW)
    if period.end < period.start:
        raise ValidationFailed(_("The end must come after the start."), field="end")
    if (period.end - period.start).days > 366 * 5:
        raise ValidationFailed(_("Choose at most five years."), field="end")
    return selectors.figures_read(area, start=period.start, end=period.end)


# --- teams -------------------------------------------------------------------


def _team_out(team: Team) -> dict:
    return {
        "id": team.pk,
        "name": team.name,
        "kind": team.kind,
        "kind_label": team.get_kind_display(),
        "area": team.area.name,
        "unit_id": team.unit_id,
        "unit": team.unit.name if team.unit_id else "",
        "leader": team.leader.name if team.leader_id else "",
        "members": team.members.filter(status="member").count(),
    }


def _member_out(member: TeamMember) -> dict:
    return {
        "id": member.pk,
        "team_id": member.team_id,
        "person_id": member.person_id,
        "name": member.person.name,
        "status": member.status,
        "status_label": member.get_status_display(),
    }


@router.get(
    "/areas/{int:area_id}/teams",
    response={200: list[TeamOut], **NOT_ALLOWED},
    summary="Service teams within an area",
)
def area_teams(request, area_id: int):
    area = area_seen(request, area_id, Perm.ACTIVITY_VIEW)
    found = Team.objects.filter(area__path__within=area.path, active=True)
    return [_team_out(t) for t in found.select_related("area", "leader", "unit")[:500]]


@router.post(
    "/areas/{int:area_id}/teams",
    response={201: TeamOut, **ERRORS},
    summary="Set up a service team under a community or street",
)
def team_add(request, area_id: int, payload: TeamIn):
    area = area_seen(request, area_id, Perm.ACTIVITY_MANAGE)
    leader = None
    if payload.leader_id is not None:
        leader = person_seen(request, payload.leader_id, Perm.AREA_VIEW)
    unit = _unit(request, payload.unit_id)
    with fields_renamed(area="area_id", unit="unit_id"):
        team = teams.team_create(
            area=area,
            by=request.user,
            leader=leader,
            unit=unit,
            **payload.dict(exclude={"leader_id", "unit_id"}),
        )
    return Status(201, _team_out(team))


def _team_run(request, team: Team) -> Team:
    """A team the caller runs: its leader, or staff with activity.manage
    where it works (404 where she does not see it, 403 where she may not)."""
    if not teams.may_run(request.user, team):
        seen(
            Team.objects.all(), request, team.pk, via="area", perm=Perm.ACTIVITY_MANAGE
        )
    return team


@router.get(
    "/teams/{int:team_id}/members",
    response={200: list[MemberOut], **NOT_ALLOWED},
    summary="A team's members and applications (its leader or staff)",
)
def team_members(request, team_id: int):
    team = _team_run(
        request, get_object_or_404(Team.objects.select_related("leader"), pk=team_id)
    )
    found = team.members.select_related("person").order_by("status", "applied_at")
    return [_member_out(m) for m in found]


@router.post(
    "/members/{int:member_id}/decide",
    response={200: MemberOut, **ERRORS},
    summary="Approve or decline an application to join a team",
)
def member_decide(request, member_id: int, payload: DecideIn):
    member = get_object_or_404(
        TeamMember.objects.select_related("team__leader", "person"), pk=member_id
    )
    _team_run(request, member.team)
    decided = teams.member_decide(
        member=member, approve=payload.approve, by=request.user, note=payload.note
    )
    return _member_out(decided)
