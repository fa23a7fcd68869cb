"""The seeded year of requests: every path of the workflow walked through
the services, histories consistent with statuses, believable three rates
read from rollups that equal the requests' rows, a queue for the demo's
unit login, the same numbers from the same seed, and no second seeding."""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.db.models import Count, F, Q
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.insights.models import RequestFact, RequestRollup
from gongzhi.insights.selectors_rates import rates
from gongzhi.requests import selectors
from gongzhi.requests.models import (
    Callback,
    Category,
    Follow,
    NumberSequence,
    ServiceRequest,
    Transition,
)
from gongzhi.requests.states import OPEN, SATISFIED, Channel, Status
from gongzhi.seeding import bulk
from gongzhi.seeding.orgs import seed_demo_orgs
from gongzhi.seeding.people import seed_people
from gongzhi.seeding.points import seed_demo_points
from gongzhi.seeding.requests import (
    DEMO_YEARLY,
    seed_demo_requests,
    seed_scale_requests,
)
from gongzhi.seeding.volunteering import seed_demo_volunteering

from .test_bulk import TINY

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 30))
TODAY = timezone.localdate(NOW)
START = TODAY - dt.timedelta(days=366)


@pytest.fixture
def before_requests(demo_people):
    """A short year of points and volunteering (the teams), then the
    organizations (property companies, co-building units)."""
    seed_demo_points(now=NOW, days=30, most=5)
    seed_demo_volunteering(now=NOW, days=60)
    seed_demo_orgs(now=NOW)
    return demo_people


def invariants_check(requests) -> None:
    """Each request's history starts with its raise, runs in time order,
    chains each step's status to the next and ends at its status."""
    steps: dict[int, list] = {}
    for step in Transition.objects.filter(request__in=requests).order_by(
        "request_id", "at", "pk"
    ):
        steps.setdefault(step.request_id, []).append(step)
    for item in requests:
        history = steps[item.pk]
        assert history[0].action == "raise"
        assert history[0].at == item.created_at
        assert history[-1].to_status == item.status, item.number
        for before, after in zip(history, history[1:], strict=False):
            assert before.to_status == after.from_status, [
                (s.action, s.from_status, s.to_status, str(s.at)) for s in history
            ]
        assert item.updated_at == history[-1].at
        assert item.version == len(history)
        if item.status in (Status.CLOSED, Status.REJECTED, Status.MERGED):
            assert item.closed_at is not None
        if item.status in (Status.RESOLVED, Status.CLOSED):
            assert item.resolved_at is not None and item.resolution


def rollups_check(requests) -> None:
    """The rollups sum to what the requests' rows say, by the definitions
    in ``insights.rollups``."""
    valid = requests.exclude(status__in=[Status.REJECTED, Status.MERGED])
    dispatched = valid.filter(dispatched_at__isnull=False)
    expected = {
        "raised": requests.count(),
        "valid": valid.count(),
        "dispatched": dispatched.count(),
        "responded_in_time": dispatched.filter(
            responded_at__isnull=False,
            response_due__isnull=False,
            responded_at__lte=F("response_due"),
        ).count(),
        "resolved": valid.filter(resolved_at__isnull=False).count(),
        "rated": valid.exclude(rating="").count(),
        "satisfied": valid.filter(rating__in=SATISFIED).count(),
        "reopened": valid.filter(reopened_count__gt=0).count(),
    }
    communities = requests.values("community").distinct()
    rollups = RequestRollup.objects.filter(community__in=communities)
    summed = {name: 0 for name in expected}
    for row in rollups:
        for name in expected:
            summed[name] += getattr(row, name)
    assert summed == expected
    assert RequestFact.objects.filter(request__in=requests).count() == len(requests)


def test_the_demo_street_gets_a_believable_year_of_requests(before_requests, users):
    """One test over one seeding (it takes a minute)."""
    out = StringIO()
    tally = seed_demo_requests(now=NOW, stdout=out)
    printed = out.getvalue()
    assert printed.splitlines()[-1].startswith("Requests: ")
    assert tally.refused == 0
    requests = ServiceRequest.objects.all()
    assert requests.count() == tally.requests == sum(DEMO_YEARLY)
    street = Area.objects.get(kind=Kind.STREET)
    for community, yearly in zip(
        Area.objects.filter(kind=Kind.COMMUNITY).order_by("path"),
        DEMO_YEARLY,
        strict=True,
    ):
        assert requests.filter(community=community).count() == yearly

    # Set up through the services: departments, Open311 codes, handlers.
    codes = set(Category.objects.filter(area=street).values_list("code", flat=True))
    assert {"repair-water", "street-light", "building-safety", "charging"} <= codes
    assert Category.objects.filter(code="home-repair", area__kind=Kind.COMMUNITY)
    modes = set(Category.objects.values_list("dispatch_mode", flat=True))
    assert modes == {"assign", "pool", "rotation"}
    assert Category.objects.filter(auto_escalate=True).count() == 2

    # Every path walked.
    statuses = Counter(requests.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 0.8 * sum(DEMO_YEARLY)
    assert statuses[Status.REJECTED] >= 2
    assert statuses[Status.MERGED] >= 1
    still_open = requests.filter(status__in=OPEN)
    assert 5 <= still_open.count() <= 60
    assert still_open.filter(
        Q(response_overdue=True) | Q(resolve_overdue=True)
    ).exists()
    channels = Counter(requests.values_list("channel", flat=True))
    assert channels[Channel.PORTAL] > channels[Channel.GRID] > channels[Channel.STAFF]
    assert channels[Channel.CARE_VISIT] and channels[Channel.OPEN311]
    actions = Counter(Transition.objects.values_list("action", flat=True))
    for action in (
        "raise",
        "dispatch",
        "pool",
        "take",
        "accept",
        "contact",
        "return",
        "transfer",
        "escalate",
        "street_dispatch",
        "start",
        "resolve",
        "rate",
        "callback",
        "callback_missed",
        "auto_close",
        "reopen",
        "reject",
        "merge",
    ):
        assert actions[action] > 0, action
    assert Transition.objects.filter(action="escalate", by__isnull=True).exists()
    assert Callback.objects.filter(reached=True).exists()
    assert requests.filter(reopened_count=1).exists()
    # Neighbours follow open requests, and a merged duplicate's reporter
    # follows the one kept.
    assert tally.followed == Follow.objects.count() > 0
    merged = requests.filter(status=Status.MERGED, reporter__isnull=False).first()
    assert Follow.objects.filter(
        request=merged.merged_into, person=merged.reporter
    ).exists()

    # Timestamps within the year, and the demo's unit login has a queue.
    first = requests.order_by("created_at").first()
    assert first.created_at >= NOW - dt.timedelta(days=366)
    assert Transition.objects.filter(at__gt=NOW).count() == 0
    queue = selectors.queue_for_handler(user=users["unit"])
    assert queue.exists()
    assert Transition.objects.filter(by=users["unit"]).count() > 10

    invariants_check(list(requests))
    rollups_check(requests)

    # The three rates, read as the rates page reads them.
    found = rates(user=users["street_manager"], area=street, start=START, end=TODAY)
    total = found["total"]["rates"]
    assert 0.90 <= total["response"] <= 0.97, total
    assert 0.90 <= total["resolve"] <= 0.95, total
    assert 0.92 <= total["satisfaction"] <= 0.98, total
    assert len(found["groups"]) == 3

    # Seeding again adds nothing.
    before = (requests.count(), Transition.objects.count())
    assert seed_demo_requests(now=NOW) is None
    assert (ServiceRequest.objects.count(), Transition.objects.count()) == before


def _signature():
    return sorted(
        ServiceRequest.objects.values_list(
            "number",
            "category__code",
            "status",
            "channel",
            "created_at",
            "updated_at",
            "rating",
            "response_overdue",
            "resolve_overdue",
            "description",
        )
    )


def _forget_requests():
    """Remove every request (the rows the services append) and put the
    rotation cursors back."""
    Callback.objects.all().delete()
    RequestFact.objects.all().delete()
    RequestRollup.objects.all().delete()
    Transition.objects.all().delete()
    ServiceRequest.objects.filter(merged_into__isnull=False).delete()
    ServiceRequest.objects.all().delete()
    NumberSequence.objects.all().delete()
    Category.objects.update(rotation_last=None)


def test_the_same_seed_gives_the_same_requests(before_requests):
    first = seed_demo_requests(now=NOW, days=45)
    signature = _signature()
    assert signature
    _forget_requests()

    second = seed_demo_requests(now=NOW, days=45)

    assert _signature() == signature
    assert second.requests == first.requests
    assert second.transitions == first.transitions


def test_a_scale_seed_keeps_the_invariants_without_teams(db):
    """Scale communities without volunteering or organizations still get
    their year: staff dispatch what no team takes to the street."""
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    seed_people(root=root, stdout=StringIO())
    out = StringIO()

    tally = seed_scale_requests(
        root=root, communities=2, now=NOW, days=90, per_household=2, stdout=out
    )

    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__startswith=root.path).order_by(
            "path"
        )
    )
    seeded = ServiceRequest.objects.filter(community__in=communities[:2])
    assert tally.requests == seeded.count() > 20
    assert not ServiceRequest.objects.filter(community__in=communities[2:]).exists()
    assert tally.refused == 0
    assert "requests/s" in out.getvalue()
    invariants_check(list(seeded))
    rollups_check(seeded)
    per_community = dict(
        seeded.values_list("community").annotate(n=Count("pk")).order_by()
    )
    assert len(per_community) == 2
    again = StringIO()
    seed_scale_requests(root=root, communities=2, now=NOW, days=90, stdout=again)
    assert "seeded already" in again.getvalue()
