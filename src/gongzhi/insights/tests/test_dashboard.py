"""The dashboards' rollups on a seeded street: kept by the services'
announcements they equal a rebuild from scratch, in every domain; the
数据大屏's panels equal what the raw rows say; the pages read rollups and
no raw history; bad input is a field error and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.insights.dashboard_rollups import (
    month_end,
    rollups_paused,
    rollups_rebuild,
)
from gongzhi.insights.domains import COVER_DAYS, DOMAINS, bounds
from gongzhi.insights.models import Rollup
from gongzhi.orgs.models import PartyRegistration, RegistrationStatus
from gongzhi.points import selectors as point_selectors
from gongzhi.points.models import Order, OrderStatus
from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.states import SATISFIED, Status
from gongzhi.residents.models import (
    IncidentKind,
    Person,
    PersonStatus,
    PersonTag,
    Visit,
    VisitForm,
)
from gongzhi.residents.services.care import incident_record, visit_record
from gongzhi.residents.services.people import person_move_out, tag_end
from gongzhi.seeding import demo
from gongzhi.seeding.orgs import seed_demo_orgs
from gongzhi.seeding.points import seed_demo_points
from gongzhi.seeding.requests import seed_demo_requests
from gongzhi.seeding.volunteering import seed_demo_volunteering
from gongzhi.volunteering import selectors as volunteering_selectors
from gongzhi.volunteering.models import Attendance, Occurrence

DAYS = 21


def _table() -> set[tuple]:
    return set(
        Rollup.objects.values_list(
            "domain", "tier", "period", "area_id", "metric", "dim", "value"
        )
    )


def _play(users) -> Area:
    """Six weeks of points, volunteering, 双报到 and requests through the
    services, and visits, an incident, a tag ended and a move through the
    residents services."""
    now = timezone.now()
    today = timezone.localdate()
    seed_demo_points(now=now, days=DAYS, most=6)
    seed_demo_volunteering(now=now, days=DAYS, turnout=0.5)
    seed_demo_orgs(now=now)
    seed_demo_requests(now=now, days=DAYS)
    street = Area.objects.get(code=demo.STREET[0])
    worker = users["grid_worker"]
    grid = Area.objects.get(code=f"{demo.C1}01")
    tagged = list(
        Person.objects.filter(
            household__path__startswith=grid.path,
            status=PersonStatus.ACTIVE,
            tags__start__isnull=False,
            tags__end__isnull=True,
        )
        .distinct()
        .order_by("pk")[:12]
    )
    for n, person in enumerate(tagged[:9]):
        visit_record(
            person=person,
            by=worker,
            visited_on=today - dt.timedelta(days=n * 3),
            form=VisitForm.HOME if n % 2 else VisitForm.PHONE,
            findings="身体不错",
        )
    incident_record(
        by=worker,
        area=tagged[0].household,
        kind=IncidentKind.FALL,
        occurred_at=now - dt.timedelta(days=2),
        description="老人在家中摔倒",
        person=tagged[0],
    )
    ended = PersonTag.objects.filter(person=tagged[9], end__isnull=True).first()
    # As the command line records them (the seeded people name no last
    # household to check a login against).
    tag_end(person_tag=ended, end=today - dt.timedelta(days=20), by=None)
    person_move_out(person=tagged[10], on=today - dt.timedelta(days=10), by=None)
    return street


@pytest.fixture
def kept(demo_people, users):
    """The demo street: its people rebuilt once (they were written in bulk,
    as an import would), then ``_play``: every rollup after the baseline
    kept by the announcements alone."""
    rollups_rebuild()
    return _play(users)


@pytest.fixture
def seeded(demo_people, users):
    """The same street and weeks built as the seeding builds them: the
    refreshes paused, one rebuild at the end."""
    with rollups_paused():
        street = _play(users)
    rollups_rebuild()
    return street


@pytest.mark.django_db(transaction=False)
def test_rollups_kept_by_the_services_equal_a_rebuild_in_every_domain(kept):
    kept = _table()
    assert {row[0] for row in kept} == set(DOMAINS)  # every domain has figures
    Rollup.objects.all().delete()
    rollups_rebuild()
    rebuilt = _table()
    missing, extra = rebuilt - kept, kept - rebuilt
    assert not missing and not extra, (sorted(missing)[:8], sorted(extra)[:8])


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _raw(street: Area, month: dt.date) -> dict:
    """The month's figures of the street counted from the raw rows,
    independently of domains.py."""
    today = timezone.localdate()
    low, high = bounds(month, month_end(month))
    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__startswith=street.path)
    )
    requests = ServiceRequest.objects.filter(
        community__in=communities, created_at__gte=low, created_at__lt=high
    )
    valid = requests.exclude(status__in=[Status.REJECTED, Status.MERGED])
    held = Occurrence.objects.filter(
        community__in=communities,
        starts_at__gte=low,
        starts_at__lt=high,
        cancelled_at__isnull=True,
    )
    came = Attendance.objects.filter(occurrence__in=held)
    people = sum(
        came.filter(occurrence__community=c).values("person").distinct().count()
        for c in communities
    )
    hours = sum(a.hours or 0 for a in came)
    day = min(month_end(month), today)
    tagged, covered = defaultdict(int), defaultdict(int)
    for tag in PersonTag.objects.filter(
        person__household__path__startswith=street.path,
        person__status=PersonStatus.ACTIVE,
        start__lte=day,
    ).select_related("tag"):
        if tag.end is not None and tag.end < day:
            continue
        tagged[tag.tag.code] += 1
        if Visit.objects.filter(
            person_id=tag.person_id,
            visited_on__gt=day - dt.timedelta(days=COVER_DAYS),
            visited_on__lte=day,
        ).exists():
            covered[tag.tag.code] += 1
    points = point_selectors.figures(communities, start=low, end=high)
    members = sum(
        1
        for r in PartyRegistration.objects.filter(
            community__in=communities, status=RegistrationStatus.CONFIRMED
        )
        if timezone.localdate(r.decided_at or r.registered_at) <= day
    )
    return {
        "raised": requests.count(),
        "valid": valid.count(),
        "resolved": valid.filter(resolved_at__isnull=False).count(),
        "rated": valid.exclude(rating="").count(),
        "satisfied": valid.filter(rating__in=list(SATISFIED)).count(),
        "by_category": {
            row["category_id"]: row["n"]
            for row in requests.values("category_id").annotate(n=Count("pk")).order_by()
        },
        "visits": Visit.objects.filter(
            household__path__startswith=street.path,
            visited_on__gte=month,
            visited_on__lte=month_end(month),
        ).count(),
        "sessions": held.count(),
        "participations": came.count(),
        "participants": people,
        "hours": float(hours),
        "tagged": dict(tagged),
        "covered": dict(covered),
        "earned": sum(f.issued for f in points.values()),
        "redeemed": sum(f.redeemed for f in points.values()),
        "expired": sum(f.expired for f in points.values()),
        "outstanding": sum(f.outstanding for f in points.values()),
        "point_people": sum(f.participants for f in points.values()),
        "orders": Order.objects.filter(
            community__in=communities, placed_at__gte=low, placed_at__lt=high
        )
        .exclude(status=OrderStatus.CANCELLED)
        .count(),
        "members": members,
    }


@pytest.mark.django_db(transaction=False)
def test_the_screen_says_what_the_raw_rows_say(seeded, api_client, users):
    today = timezone.localdate()
    api_client.login_api(users["street_manager"])
    for month in (_month_of(today), _month_of(_month_of(today) - dt.timedelta(1))):
        raw = _raw(seeded, month)
        got = api_client.get(
            f"/api/v1/insights/areas/{seeded.pk}/screen",
            {"month": month.strftime("%Y-%m")},
        )
        assert got.status_code == 200, got.content
        panels = got.json()["panels"]
        counts = panels["rates"]["counts"]
        for name in ("raised", "valid", "resolved", "rated", "satisfied"):
            assert counts[name] == raw[name], (month, name)
        assert panels["tree"]["total"]["raised"] == raw["raised"]
        assert {c["id"]: c["raised"] for c in panels["categories"]["categories"]} == {
            k: v for k, v in raw["by_category"].items()
        }
        care = panels["care"]
        assert care["visits"] == raw["visits"]
        assert {p["code"]: p["tagged"] for p in care["people"]} == raw["tagged"]
        assert {p["code"]: p["covered"] for p in care["people"] if p["covered"]} == raw[
            "covered"
        ]
        vol = panels["volunteering"]
        assert vol["sessions"] == raw["sessions"]
        assert vol["participations"] == raw["participations"]
        assert vol["participants"] == raw["participants"]
        assert vol["hours"] == pytest.approx(raw["hours"])
        assert vol["party"]["members"] == raw["members"]
        points = panels["points"]
        assert points["earned"] == raw["earned"]
        assert points["redeemed"] == raw["redeemed"]
        assert points["expired"] == raw["expired"]
        assert points["outstanding"] == raw["outstanding"]
        assert points["participants"] == raw["point_people"]
        assert points["orders"] == raw["orders"]
        trends = panels["trends"]
        assert trends["series"]["requests.raised"][-1] == raw["raised"]
        assert trends["series"]["visits.visits"][-1] == raw["visits"]
    # The month has figures to compare at all.
    assert raw["raised"] and raw["participations"] and raw["earned"]
    assert any(raw["covered"].values()) and raw["members"]


@pytest.mark.django_db(transaction=False)
def test_the_figures_pages_read_the_rollups_and_agree_with_the_rows(seeded):
    today = timezone.localdate()
    month = _month_of(today) - dt.timedelta(days=1)
    start = _month_of(month)
    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__startswith=seeded.path)
    )
    low, high = bounds(start, month)
    with CaptureQueriesContext(connection) as read:
        from_rollups = point_selectors.month_figures(
            communities, year=start.year, month=start.month
        )
    assert from_rollups == point_selectors.figures(communities, start=low, end=high)
    assert not any("points_entry" in q["sql"] for q in read.captured_queries)
    with CaptureQueriesContext(connection) as read:
        shown = volunteering_selectors.figures_read(seeded, start=start, end=month)
    assert not any("attendance" in q["sql"] for q in read.captured_queries)
    counted = volunteering_selectors.figures(seeded, start=start, end=month)
    for name in ("sessions", "participations", "hours"):
        assert shown[name] == counted[name]
    assert shown["participations"]
    by_kind = {row["key"]: row for row in counted["by_kind"]}
    for row in shown["by_kind"]:
        assert row["participations"] == by_kind[row["key"]]["participations"]
    # People are counted over whole months: a few days give none.
    part = volunteering_selectors.figures_read(
        seeded, start=start + dt.timedelta(days=3), end=month
    )
    assert part["participants"] is None and part["participations"] is not None


@pytest.mark.django_db(transaction=False)
def test_no_panel_reads_raw_history(seeded, client, users):
    client.force_login(users["district_manager"])
    district = Area.objects.get(code=demo.DISTRICT[0])
    with CaptureQueriesContext(connection) as read:
        answer = client.get(f"/workbench/insights/screen/{district.pk}/data.json")
    assert answer.status_code == 200
    raw = (
        "requests_servicerequest",
        "requests_requestfact",
        "residents_visit",
        "residents_persontag",
        "volunteering_attendance",
        "volunteering_occurrence",
        "points_entry",
        "points_transfer",
        "points_order",
        "orgs_partyregistration",
    )
    touched = [
        q["sql"] for q in read.captured_queries if any(t in q["sql"] for t in raw)
    ]
    assert not touched, touched[:2]
    assert len(read.captured_queries) < 40


def test_the_nightly_rebuild_runs_as_a_command_and_a_scheduled_task(seeded, settings):
    from django.utils.module_loading import import_string

    before = _table()
    call_command("insights_rebuild", "--days", "40")
    assert _table() == before  # the same numbers again
    entry = settings.GONGZHI_SCHEDULE["insights-rebuild"]
    assert entry["at"] and ":" in entry["at"]
    task = import_string(entry["task"])
    result = task.enqueue(days=3)
    assert result.return_value["people"] > 0
    assert _table() == before
