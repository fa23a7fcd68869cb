"""Scoping rows: volunteering and activities.

Organizers act where they hold activity.manage over the community a session
is held in; activity.view reads sessions, teams, figures and volunteers'
records within the login's reach. ``{session}`` is a session next month in
a community place (its activity with a photo, ``{activity}``),
``{past_session}`` one that ended an hour ago, ``{team}``
a team of that community with ``{member}`` an application to it, each made
on first use and rolled back with the test. A resident's own endpoints
answer her alone (``own_activities``); the page where a team's leader
publishes answers nobody here, as no demo login leads a team (the
volunteering tests walk a leader through it, in and out of her team).
"""

import datetime as dt
import io
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.residents.models import Person
from gongzhi.seeding import demo
from gongzhi.volunteering.models import (
    Activity,
    Attendance,
    MemberStatus,
    Method,
    Occurrence,
    Team,
    TeamMember,
)
from gongzhi.volunteering.services import signup
from tests.scoping_on_use import on_use
from tests.test_scoping_matrix import Row

MANAGE = "perm:activity.manage"
VIEW = "perm:activity.view"
MINE = "own_activities"
COMMUNITIES = "community other_community"
HOUSEHOLDS = "household neighbour_household other_household"
V = "/api/v1/volunteering"
MARK = "矩阵"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")


PHOTO = "activities/matrix.png"


def matrix_photo() -> str:
    """One small PNG in storage for every matrix activity, written once."""
    if not default_storage.exists(PHOTO):
        out = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(out, "PNG")
        default_storage.save(PHOTO, ContentFile(out.getvalue()))
    return PHOTO


def _session(area, *, past: bool, label: str = "") -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    title = f"{MARK}{'已结束' if past else ''}{label}"
    found = Occurrence.objects.filter(community=area, activity__title=title).first()
    if found is None:
        activity = Activity.objects.create(
            title=title,
            kind="service",
            community=area,
            place_kind="station",
            place=MARK,
            signup_required=True,
            capacity=10,
            photo=matrix_photo(),
        )
        now = timezone.now()
        starts = now - dt.timedelta(hours=3) if past else now + dt.timedelta(days=30)
        found = Occurrence.objects.create(
            activity=activity,
            community=area,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            signup_closes_at=starts,
            capacity=10,
            secret=secrets.token_hex(32),
        )
    return found.pk


def session_at(area) -> int:
    return _session(area, past=False)


def past_session_at(area) -> int:
    return _session(area, past=True)


def activity_at(area) -> int:
    session = session_at(area)
    return Occurrence.objects.get(pk=session).activity_id if session else 0


def team_at(area) -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    team, _made = Team.objects.get_or_create(
        area=area, name=MARK, defaults={"kind": "repair"}
    )
    return team.pk


def member_at(area) -> int:
    team = team_at(area)
    if not team:
        return 0
    person = Person.objects.filter(
        household__path__startswith=area.path, user__isnull=True
    ).first()
    member, _made = TeamMember.objects.get_or_create(
        team_id=team, person=person, defaults={"status": MemberStatus.APPLIED}
    )
    return member.pk


def community_person_at(area) -> int:
    """Someone living in a community place, with no login."""
    if area.kind != Kind.COMMUNITY:
        return 0
    person = Person.objects.filter(
        household__path__within=area.path, user__isnull=True
    ).first()
    return person.pk


def _attendance_at(area) -> int:
    """``{community_person}`` came to a session of its own that ended."""
    session = _session(area, past=True, label="签到")
    if not session:
        return 0
    occurrence = Occurrence.objects.get(pk=session)
    found, _made = Attendance.objects.get_or_create(
        occurrence=occurrence,
        person_id=community_person_at(area),
        defaults={
            "checked_in_at": occurrence.starts_at,
            "checked_out_at": occurrence.ends_at,
            "in_method": Method.HAND,
            "out_method": Method.HAND,
            "hours": 2,
        },
    )
    return found.pk


def _resident():
    return user_find_by_phone(phone=RESIDENT_PHONE).person


def _my_signup_at(area) -> int:
    """The demo resident signed up for a session of its own (not
    ``{session}``, which her sign-up rows sign up for)."""
    session = _session(area, past=False, label="已报名")
    if not session:
        return 0
    made = signup.signup_create(
        occurrence=Occurrence.objects.get(pk=session), person=_resident(), by=None
    )
    return made.pk


def signed_session_at(area) -> int:
    return _session(area, past=False, label="已报名")


PLACE_NAMES = {
    "session": session_at,
    "past_session": past_session_at,
    "activity": activity_at,
    "signed_session": signed_session_at,
    "team": team_at,
    "member": member_at,
    "community_person": community_person_at,
    "attendance": on_use(_attendance_at),
    "attendance_session": on_use(lambda area: _session(area, past=True, label="签到")),
    "my_signup": on_use(_my_signup_at),
    # Within ``{past_session}``: it started three hours ago.
    "checked_in": lambda area: (
        timezone.now() - dt.timedelta(hours=2, minutes=30)
    ).isoformat(),
}

FUTURE = "2031-03-03T09:00:00+08:00"

ROWS = [
    Row(
        "volunteering: sessions in an area",
        "GET",
        V + "/areas/{area}/sessions",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "volunteering: publish an activity",
        "POST",
        V + "/areas/{area}/activities",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES + " street",
        body={
            "title": MARK,
            "kind": "talk",
            "place_kind": "station",
            "place": "文明实践站",
            "starts_at": FUTURE,
            "ends_at": "2031-03-03T10:00:00+08:00",
        },
    ),
    Row(
        "volunteering: a session's roster",
        "GET",
        V + "/sessions/{session}",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: a session's check-in code",
        "GET",
        V + "/sessions/{session}/code",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: cancel a session",
        "POST",
        V + "/sessions/{session}/cancel",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"reason": MARK},
    ),
    Row(
        "volunteering: an activity and its history",
        "GET",
        V + "/activities/{activity}",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: cancel an activity",
        "POST",
        V + "/activities/{activity}/cancel",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"reason": MARK},
    ),
    Row(
        "volunteering: finish an activity (refused while sessions are to come)",
        "POST",
        V + "/activities/{activity}/finish",
        api=True,
        needs=MANAGE,
        ok=409,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: confirm a session's attendance",
        "POST",
        V + "/sessions/{past_session}/confirm",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: a volunteer's record",
        "GET",
        V + "/people/{person}/service",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "volunteering: figures",
        "GET",
        V + "/areas/{area}/figures?start=2026-01-01&end=2026-12-31",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "volunteering: teams in an area",
        "GET",
        V + "/areas/{area}/teams",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "volunteering: set up a team",
        "POST",
        V + "/areas/{area}/teams",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"name": "矩阵维修队", "kind": "repair"},
    ),
    Row(
        "volunteering: a team's members",
        "GET",
        V + "/teams/{team}/members",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "volunteering: decide an application",
        "POST",
        V + "/members/{member}/decide",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"approve": True},
    ),
    Row(
        "volunteering: my sessions",
        "GET",
        V + "/me/sessions",
        api=True,
        needs=MINE,
    ),
    Row(
        "volunteering: my service record",
        "GET",
        V + "/me/service",
        api=True,
        needs=MINE,
    ),
    Row(
        "volunteering: sign up",
        "POST",
        V + "/me/sessions/{session}/signup",
        api=True,
        needs=MINE,
        ok=201,
        places="community",
    ),
    Row(
        "volunteering: apply to a team",
        "POST",
        V + "/teams/{team}/apply",
        api=True,
        needs=MINE,
        ok=201,
        places="community",
    ),
    # The resident's pages: any login; one without a record is told how
    Row("activities page: what is on", "GET", "/portal/activities/", needs="login"),
    Row("activities page: my hours", "GET", "/portal/activities/mine/", needs="login"),
    Row(
        "activities page: a session",
        "GET",
        "/portal/activities/{session}/",
        needs=MINE,
        places="community",
    ),
    Row(
        "activities page: sign up",
        "POST",
        "/portal/activities/{session}/signup/",
        needs=MINE,
        ok=302,
        places="community",
    ),
    Row(
        "activities page: the scan link",
        "GET",
        "/portal/activities/{session}/scan/?c=in.1.0",
        needs=MINE,
        places="community",
    ),
    Row(
        "activities page: a session's photo",
        "GET",
        "/portal/activities/{session}/photo/",
        needs=MINE,
        places="community",
    ),
    # A team's leader publishing from her phone: no demo login leads one
    Row(
        "activities page: publish for my team",
        "GET",
        "/portal/activities/new/",
        needs="team_leader",
    ),
    Row(
        "activities page: publish for my team, posted",
        "POST",
        "/portal/activities/new/",
        needs="team_leader",
        body={"title": MARK},
    ),
    # The organizer's phone
    Row(
        "activities page: the check-in code",
        "GET",
        "/portal/activities/{session}/code/",
        needs=MANAGE,
        places=COMMUNITIES,
    ),
    # The workbench
    Row(
        "activities: sessions",
        "GET",
        "/workbench/activities/",
        needs="anywhere:" + VIEW[5:],
    ),
    Row(
        "activities: publish form",
        "GET",
        "/workbench/activities/new/",
        needs="anywhere:" + MANAGE[5:],
    ),
    Row(
        "activities: figures",
        "GET",
        "/workbench/activities/figures/",
        needs="anywhere:" + VIEW[5:],
    ),
    Row(
        "activities: teams",
        "GET",
        "/workbench/activities/teams/",
        needs="anywhere:" + VIEW[5:],
    ),
    Row(
        "activities: a session's page",
        "GET",
        "/workbench/activities/sessions/{session}/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "activities: a session's photo",
        "GET",
        "/workbench/activities/sessions/{session}/photo/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "activities: walk-in search",
        "GET",
        "/workbench/activities/sessions/{session}/walkins/?q=王",
        needs=MANAGE,
        places=COMMUNITIES,
    ),
    Row(  # nobody chosen: reached, then refused
        "activities: mark a walk-in",
        "POST",
        "/workbench/activities/sessions/{past_session}/walkins/",
        needs=MANAGE,
        ok=400,
        places=COMMUNITIES,
        body={"walkin-person": "0"},
    ),
    Row(
        "activities: confirm a session",
        "POST",
        "/workbench/activities/sessions/{past_session}/confirm/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
    ),
    Row(
        "activities: cancel a session",
        "POST",
        "/workbench/activities/sessions/{session}/cancel/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"reason": MARK},
    ),
    Row(
        "activities: cancel the whole activity",
        "POST",
        "/workbench/activities/sessions/{session}/activity/cancel/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"reason": MARK},
    ),
    Row(
        "activities: finish the activity (refused while sessions are to come)",
        "POST",
        "/workbench/activities/sessions/{session}/activity/finish/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
    ),
    Row(
        "activities: decide an application",
        "POST",
        "/workbench/activities/applications/{member}/decide/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"approve": "1"},
    ),
    Row(
        "activities: a service certificate",
        "GET",
        "/workbench/activities/people/{person}/certificate/",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    # Attendance: by hand and corrected (the organizer's), scanned and
    # given up (the resident's)
    Row(
        "volunteering: mark a volunteer present",
        "POST",
        V + "/sessions/{past_session}/attendance",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={
            "person_id": "{community_person}",
            "checked_in_at": "{checked_in}",
            "reason": MARK,
        },
    ),
    Row(
        "volunteering: correct a volunteer's hours",
        "POST",
        V + "/attendances/{attendance}/hours",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"hours": "1.5", "reason": MARK},
    ),
    Row(  # a wrong code: reached, then refused naming the field
        "volunteering: check in with the code",
        "POST",
        V + "/me/sessions/{session}/scan",
        api=True,
        needs=MINE,
        ok=400,
        places="community",
        body={"code": "in.1.0"},
    ),
    Row(
        "volunteering: give up my place",
        "POST",
        V + "/me/signups/{my_signup}/cancel",
        api=True,
        needs=MINE,
        places="community",
    ),
    Row(
        "activities page: give up my place",
        "POST",
        "/portal/activities/{signed_session}/cancel/?signup={my_signup}",
        needs=MINE,
        ok=302,
        places="community",
    ),
    Row(  # nobody chosen: reached, then refused
        "activities: mark present by hand",
        "POST",
        "/workbench/activities/sessions/{past_session}/mark/",
        needs=MANAGE,
        ok=400,
        places=COMMUNITIES,
    ),
    Row(
        "activities: correct hours",
        "POST",
        "/workbench/activities/sessions/{attendance_session}/hours/{attendance}/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"hours": "1.5", "reason": MARK},
    ),
]
