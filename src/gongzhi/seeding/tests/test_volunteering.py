"""The seeded year of volunteering: teams filled through applications,
sessions played through sign-up, check-in and confirmation, hours posted
as points that reconcile, and the coming weeks open for sign-up."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from lunardate import LunarDate

from gongzhi.areas.models import Area, Kind
from gongzhi.points.models import Award, AwardStatus
from gongzhi.points.selectors import ledger_problems
from gongzhi.residents.models import Person
from gongzhi.seeding import bulk
from gongzhi.seeding.demo import STREET
from gongzhi.seeding.people import seed_people
from gongzhi.seeding.points import seed_demo_points
from gongzhi.seeding.volunteering import (
    seed_demo_volunteering,
    seed_scale_volunteering,
)
from gongzhi.volunteering import selectors
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Attendance,
    AttendanceChange,
    MemberStatus,
    Method,
    Occurrence,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
)

from .test_bulk import TINY

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 30))
DAYS = 365


@pytest.fixture
def demo_year(demo_people):
    """A year of volunteering on the demo street, after a short points year
    (which opens the accounts the service hours are paid into)."""
    seed_demo_points(now=NOW, days=60, most=10)
    out = StringIO()
    tally = seed_demo_volunteering(now=NOW, days=DAYS, stdout=out)
    return tally, out.getvalue()


def test_the_seeded_year_shows_every_path_and_reconciles(demo_year, users):
    """One test over one seeding (it takes seconds): the teams, the year's
    sessions and who came, the points for their hours, the coming weeks,
    the report's figures; seeding again adds nothing."""
    tally, printed = demo_year
    assert tally.refused == 0
    assert printed.splitlines()[-1].startswith("Volunteering: ")
    assert f"{tally.attendances:,} attendances" in printed

    # Every community has its teams, each with members; a few
    # applications were declined and a few still wait.
    communities = Area.objects.filter(kind=Kind.COMMUNITY)
    assert communities.count() == 3
    for community in communities:
        teams = Team.objects.filter(area=community)
        assert 4 <= teams.count() <= 6
        assert {"治安巡逻队", "红色宣讲队"} & set(teams.values_list("name", flat=True))
        for team in teams:
            assert team.leader is not None
            members = TeamMember.objects.filter(team=team, status=MemberStatus.MEMBER)
            assert members.count() >= 3
    statuses = set(TeamMember.objects.values_list("status", flat=True))
    assert {MemberStatus.DECLINED, MemberStatus.APPLIED} <= statuses
    assert "暖心调解队" in set(Team.objects.values_list("name", flat=True))

    # Sessions held over the year, with who came and their hours: checked
    # in by scan and by hand, a few hours corrected, waiting lists, places
    # given up, sessions called off, attendance confirmed.
    held = Occurrence.objects.filter(starts_at__lte=NOW, cancelled_at=None)
    assert 200 <= held.count() <= 600
    came = Attendance.objects.filter(occurrence__starts_at__lte=NOW)
    assert came.filter(hours__gt=0).count() >= 800
    assert Attendance.objects.count() <= 3000
    assert {Method.QR, Method.HAND} <= set(came.values_list("in_method", flat=True))
    assert came.filter(corrected=True).exists()
    assert AttendanceChange.objects.filter(kind="corrected").exists()
    assert SignUp.objects.filter(status=SignUpStatus.WAITING).exists()
    assert SignUp.objects.filter(promoted_at__isnull=False).exists()
    assert SignUp.objects.filter(status=SignUpStatus.CANCELLED).exists()
    assert Occurrence.objects.exclude(cancelled_at=None).exists()
    assert held.exclude(confirmed_at=None).count() > held.count() * 0.9
    first = NOW - dt.timedelta(days=DAYS)
    assert came.order_by("checked_in_at").first().checked_in_at < first + dt.timedelta(
        days=14
    )
    assert all(
        when <= NOW
        for when in Attendance.objects.values_list("checked_in_at", flat=True)
    )
    assert all(
        when <= NOW
        for when in SignUp.objects.values_list("created_at", flat=True)
        if when is not None
    )
    assert all(
        when <= NOW for when in Activity.objects.values_list("created_at", flat=True)
    )

    # Weekly patrols (each community on its evening), eight 义诊, the five
    # festivals, the one-offs.
    evenings = set()
    for community in communities:
        patrols = held.filter(community=community, activity__kind=ActivityType.PATROL)
        assert patrols.count() >= 45
        days = {timezone.localtime(o.starts_at).weekday() for o in patrols}
        assert len(days) == 1
        evenings |= days
    assert len(evenings) == 3
    clinics = Occurrence.objects.filter(activity__title="爱心义诊进社区")
    assert clinics.count() == 3 * 8
    festivals = set(
        Activity.objects.filter(kind=ActivityType.FESTIVAL).values_list(
            "title", flat=True
        )
    )
    assert {"新春送福·写春联", "闹元宵·猜灯谜", "九九重阳·敬老饺子宴"} <= festivals
    assert Activity.objects.filter(title="无人机进校园", place_kind="school").exists()
    assert Activity.objects.filter(title="消防课堂进市场", place_kind="market").exists()
    assert Activity.objects.filter(title="文明交通 你我同行").exists()

    # The market on every lunar 初一 and 十五, no sign-up needed.
    markets = Occurrence.objects.filter(activity__kind=ActivityType.MARKET)
    assert markets.filter(starts_at__lte=NOW).count() >= 3 * 20
    assert not markets.filter(activity__signup_required=True).exists()
    for occurrence in markets:
        day = timezone.localdate(occurrence.starts_at)
        assert LunarDate.from_solar_date(day.year, day.month, day.day).day in (1, 15)
    assert Attendance.objects.filter(occurrence__in=markets).exists()

    # Hours became points: each confirmed attendance's award names its
    # activity, and the ledger reconciles.
    awarded = Attendance.objects.exclude(award=None).select_related(
        "award", "occurrence__activity"
    )
    assert awarded.count() >= 800
    for attendance in awarded[:200]:
        assert attendance.occurrence.activity.title in attendance.award.reason
        assert attendance.award.status == AwardStatus.PAID
    assert Award.objects.filter(reason__contains="平安巡逻").exists()
    out = StringIO()
    call_command("reconcile", stdout=out, stderr=StringIO())
    assert "Ledger reconciles" in out.getvalue()
    assert ledger_problems() == []

    # The coming weeks: sessions open for sign-up in every community, and
    # the demo resident holds places in them, serves on a team and has
    # earned points for her hours.
    for community in communities:
        upcoming = Occurrence.objects.filter(
            community=community,
            starts_at__gt=NOW,
            cancelled_at=None,
            signup_closes_at__gt=NOW,
        )
        assert upcoming.exists()
        assert SignUp.objects.filter(occurrence__in=upcoming).exists()
    zhou = Person.objects.get(user=users["resident"])
    assert (
        SignUp.objects.filter(person=zhou, occurrence__starts_at__gt=NOW)
        .exclude(status=SignUpStatus.CANCELLED)
        .count()
        == 2
    )
    assert TeamMember.objects.filter(person=zhou, status=MemberStatus.MEMBER).exists()
    record = selectors.service_record(zhou)
    assert record["sessions"] >= 5
    assert record["hours"] > 0
    assert Attendance.objects.filter(person=zhou).exclude(award=None).exists()

    # The reports count the year.
    street = Area.objects.get(code=STREET[0])
    figures = selectors.figures(
        street, start=timezone.localdate(first), end=timezone.localdate(NOW), now=NOW
    )
    assert (
        figures["participations"]
        == tally.attendances
        - Attendance.objects.filter(occurrence__starts_at__gt=NOW).count()
    )
    assert figures["participations"] > 800
    assert figures["participants"] > 150
    assert figures["hours"] > 0
    kinds = {row["key"] for row in figures["by_kind"] if row["participations"]}
    assert {ActivityType.PATROL, ActivityType.MARKET, ActivityType.CLINIC} <= kinds

    # Seeding again adds nothing.
    attendances, signups = Attendance.objects.count(), SignUp.objects.count()
    assert seed_demo_volunteering(now=NOW, days=DAYS) is None
    assert Attendance.objects.count() == attendances
    assert SignUp.objects.count() == signups


@pytest.mark.django_db
def test_a_sample_of_a_scale_seed_gets_its_year_too():
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    seed_people(root=root, stdout=StringIO())
    out = StringIO()

    tally = seed_scale_volunteering(
        root=root, communities=1, now=NOW, days=60, stdout=out
    )

    assert tally.attendances > 0
    assert tally.refused == 0
    assert "Volunteering: " in out.getvalue()
    assert Team.objects.values("area").distinct().count() == 1
    assert ledger_problems() == []
    again = StringIO()
    seed_scale_volunteering(root=root, communities=1, now=NOW, days=60, stdout=again)
    assert "seeded already" in again.getvalue()
