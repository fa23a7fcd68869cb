"""Reads for display: sessions a resident may join, a session's roster,
a volunteer's service record and the counts the reports quote."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import ancestor_path, subtree
from gongzhi.residents.homes import last_known_community
from gongzhi.residents.models import PersonStatus
from gongzhi.residents.selectors.people import PeopleFilter, people_search

from .models import (
    Attendance,
    MemberStatus,
    Occurrence,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
)


def _hours(total) -> Decimal:
    """A sum of hours as the database gives it (None for none), to the
    hundredth as hours are kept."""
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def sessions_for_resident(person, *, since: dt.datetime | None = None):
    """Sessions of the resident's street from ``since`` (now) on, soonest
    first, not cancelled."""
    community = last_known_community(person)
    if community is None:
        return Occurrence.objects.none()
    return (
        subtree(
            Occurrence.objects, ancestor_path(community, Kind.STREET), via="community"
        )
        .filter(
            ends_at__gt=since or timezone.now(),
            cancelled_at__isnull=True,
            activity__cancelled_at__isnull=True,
        )
        .select_related(
            "activity",
            "activity__team",
            "activity__team__unit",
            "activity__unit",
            "community",
        )
        .order_by("starts_at", "pk")
    )


def team_find(pk: int) -> Team | None:
    """The team ``pk`` with its area and leader; None when there is none.
    Unscoped: the caller checks where the team may be named."""
    return Team.objects.filter(pk=pk).select_related("area", "leader").first()


def sessions_on_count(area: Area, day: dt.date) -> int:
    """Sessions within ``area`` starting on ``day``, not cancelled."""
    return (
        subtree(Occurrence.objects, area, via="community")
        .filter(starts_at__date=day, cancelled_at__isnull=True)
        .count()
    )


def my_signups(person, occurrences) -> dict[int, SignUp]:
    """The resident's live sign-up for each of ``occurrences``, by id."""
    return {
        signup.occurrence_id: signup
        for signup in SignUp.objects.filter(
            person=person, occurrence__in=[o.pk for o in occurrences]
        ).exclude(status=SignUpStatus.CANCELLED)
    }


def signups_coming(person, *, now: dt.datetime | None = None):
    """The resident's live sign-ups for sessions still to come, soonest
    first: what the home tile 已报名的活动 counts."""
    return (
        SignUp.objects.filter(
            person=person,
            status__in=(SignUpStatus.CONFIRMED, SignUpStatus.WAITING),
            occurrence__starts_at__gte=now or timezone.now(),
            occurrence__cancelled_at__isnull=True,
        )
        .select_related("occurrence__activity")
        .order_by("occurrence__starts_at", "pk")
    )


def waiting_position(signup: SignUp) -> int | None:
    """1 for the first in line, …; None unless on the waiting list."""
    if signup.status != SignUpStatus.WAITING:
        return None
    return (
        SignUp.objects.filter(
            occurrence_id=signup.occurrence_id, status=SignUpStatus.WAITING
        )
        .filter(
            Q(created_at__lt=signup.created_at)
            | Q(created_at=signup.created_at, pk__lt=signup.pk)
        )
        .count()
        + 1
    )


def roster(occurrence: Occurrence) -> list[dict]:
    """Everyone signed up or present, with their place and attendance."""
    rows: dict[int, dict] = {}
    for signup in (
        SignUp.objects.filter(occurrence=occurrence)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("person")
        .order_by("created_at", "pk")
    ):
        rows[signup.person_id] = {"person": signup.person, "signup": signup}
    for attendance in Attendance.objects.filter(occurrence=occurrence).select_related(
        "person"
    ):
        rows.setdefault(attendance.person_id, {"person": attendance.person})[
            "attendance"
        ] = attendance
    return list(rows.values())


# A search shows this many people at most: type more to narrow it.
WALKINS_SHOWN = 20


def _walkins(*, user, occurrence: Occurrence, q: str = ""):
    """Residents who may be marked in at ``occurrence`` without a sign-up:
    those living where it is held, within the reach where ``user`` sees
    personal data (the residents search's own scoping), not yet present;
    with ``q``, those the residents search finds by it."""
    return people_search(
        user=user,
        filters=PeopleFilter(
            q=q, area=occurrence.community, status=PersonStatus.ACTIVE
        ),
        perm=Perm.PERSONAL_VIEW,
    ).exclude(pk__in=Attendance.objects.filter(occurrence=occurrence).values("person"))


def walkin_candidates(*, user, occurrence: Occurrence, q: str) -> list:
    """The walk-ins whose name, pinyin initials or phone ``q`` matches;
    none for an empty ``q``."""
    if not q.strip():
        return []
    return list(
        _walkins(user=user, occurrence=occurrence, q=q).select_related(
            "last_household"
        )[:WALKINS_SHOWN]
    )


def walkin_person(*, user, occurrence: Occurrence, pk: int):
    """One walk-in by id, or None where ``walkin_candidates`` would not
    find her."""
    return _walkins(user=user, occurrence=occurrence).filter(pk=pk).first()


def teams_led(person):
    """The active teams ``person`` leads, by name."""
    return Team.objects.filter(leader=person, active=True).select_related("area")


def service_record(person, *, start: dt.date | None = None, end: dt.date | None = None):
    """A volunteer's hours, sessions and teams, within [start, end] if given."""
    attendances = (
        Attendance.objects.filter(person=person)
        .select_related("occurrence__activity", "occurrence__community")
        .order_by("-occurrence__starts_at")
    )
    if start:
        attendances = attendances.filter(occurrence__starts_at__date__gte=start)
    if end:
        attendances = attendances.filter(occurrence__starts_at__date__lte=end)
    totals = attendances.aggregate(hours=Sum("hours"), sessions=Count("pk"))
    teams = (
        TeamMember.objects.filter(person=person, status=MemberStatus.MEMBER)
        .select_related("team")
        .order_by("team__name")
    )
    return {
        "hours": _hours(totals["hours"]),
        "sessions": totals["sessions"],
        "attendances": attendances,
        "teams": [member.team for member in teams],
    }


def figures(
    area: Area, *, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> dict:
    """What the reports count within ``area`` from ``start`` to ``end``
    (inclusive): sessions held (not cancelled, started), participations
    (人次), distinct participants and service hours, in total and by
    activity type, team and place."""
    held = Occurrence.objects.filter(
        community__path__within=area.path,
        starts_at__date__gte=start,
        starts_at__date__lte=end,
        starts_at__lte=now or timezone.now(),
        cancelled_at__isnull=True,
    )
    came = Attendance.objects.filter(occurrence__in=held)

    def by(field: str) -> list[dict]:
        sessions = dict(
            held.values_list(f"activity__{field}").annotate(n=Count("pk")).order_by()
        )
        rows = (
            came.values(f"occurrence__activity__{field}")
            .annotate(
                participations=Count("pk"),
                participants=Count("person", distinct=True),
                hours=Sum("hours"),
            )
            .order_by()
        )
        out = {
            row[f"occurrence__activity__{field}"]: {
                "key": row[f"occurrence__activity__{field}"],
                "sessions": sessions.get(row[f"occurrence__activity__{field}"], 0),
                "participations": row["participations"],
                "participants": row["participants"],
                "hours": _hours(row["hours"]),
            }
            for row in rows
        }
        for key, n in sessions.items():
            out.setdefault(
                key,
                {
                    "key": key,
                    "sessions": n,
                    "participations": 0,
                    "participants": 0,
                    "hours": _hours(None),
                },
            )
        return sorted(out.values(), key=lambda row: -row["participations"])

    totals = came.aggregate(
        participations=Count("pk"),
        participants=Count("person", distinct=True),
        hours=Sum("hours"),
    )
    return {
        "sessions": held.count(),
        "participations": totals["participations"],
        "participants": totals["participants"],
        "hours": _hours(totals["hours"]),
        "by_kind": by("kind"),
        "by_team": by("team__name"),
        "by_place": by("place"),
    }


# What the figures page and API read through: the dashboards' rollups,
# which insights registers when it starts (``figures_read_from``); counted
# from the rows (``figures``) only where insights is not installed.
_figures_reader: list = []


def figures_read_from(reader) -> None:
    """Read figures through ``reader(area, start=, end=)``, which answers
    what ``figures`` answers."""
    _figures_reader[:] = [reader]


def figures_read(area: Area, *, start: dt.date, end: dt.date) -> dict:
    """The figures of ``area`` from ``start`` to ``end``, for display."""
    if _figures_reader:
        return _figures_reader[0](area, start=start, end=end)
    return figures(area, start=start, end=end)


def hours_by_person(
    person_ids, *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, dict]:
    """Each of ``person_ids``' hours and sessions within [start, end] if
    given, counted as ``service_record`` counts them, in one query: what a
    roster of many volunteers reads instead of one record each. Everyone
    asked about is answered, with zeros when she never served."""
    ids = list(person_ids)
    attendances = Attendance.objects.filter(person_id__in=ids)
    if start:
        attendances = attendances.filter(occurrence__starts_at__date__gte=start)
    if end:
        attendances = attendances.filter(occurrence__starts_at__date__lte=end)
    totals = {
        row["person_id"]: row
        for row in attendances.values("person_id")
        .annotate(hours=Sum("hours"), sessions=Count("pk"))
        .order_by()
    }
    return {
        pk: {
            "hours": _hours(totals.get(pk, {}).get("hours")),
            "sessions": totals.get(pk, {}).get("sessions", 0),
        }
        for pk in ids
    }


def activities_reach(activity_ids, *, now: dt.datetime | None = None) -> dict:
    """What a set of activities did (talks an honouree gave, say): the
    sessions held (not cancelled, started by ``now``) and the residents
    reached, each checked-in person once however many she came to."""
    held = Occurrence.objects.filter(
        activity_id__in=list(activity_ids),
        cancelled_at__isnull=True,
        starts_at__lte=now or timezone.now(),
    )
    reached = (
        Attendance.objects.filter(occurrence__in=held)
        .values("person_id")
        .distinct()
        .count()
    )
    return {"held": held.count(), "reached": reached}
