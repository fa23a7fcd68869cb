"""The seeded organizations and 双报到: every demo estate's chain whole,
co-building units with their agreements, party members in every state,
and the pool showing the volunteers' hours."""

import datetime as dt
from io import StringIO

import pytest
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.orgs import selectors
from gongzhi.orgs.models import (
    Agreement,
    Organization,
    OrgKind,
    PartyRegistration,
    RegistrationStatus,
)
from gongzhi.residents.models import Person
from gongzhi.seeding import bulk
from gongzhi.seeding.orgs import (
    CONFIRMED,
    DECLINE_NOTE,
    WAITING,
    seed_demo_orgs,
    seed_scale_orgs,
)
from gongzhi.seeding.people import seed_people
from gongzhi.seeding.points import seed_demo_points
from gongzhi.seeding.volunteering import seed_demo_volunteering

from .test_bulk import TINY

NOW = timezone.make_aware(dt.datetime(2026, 11, 23, 9, 30))
TODAY = timezone.localdate(NOW)


@pytest.fixture
def demo_orgs(demo_people):
    """A short year of points and volunteering on the demo street, then
    its organizations and 双报到."""
    seed_demo_points(now=NOW, days=30, most=5)
    seed_demo_volunteering(now=NOW, days=120)
    out = StringIO()
    tally = seed_demo_orgs(now=NOW, stdout=out)
    return tally, out.getvalue()


def _kinds(area: Area) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind in Organization.objects.filter(
        active=True, area__path__startswith=area.path
    ).values_list("kind", flat=True):
        found[kind] = found.get(kind, 0) + 1
    return found


def test_the_demo_street_gets_its_organizations_and_party_members(demo_orgs):
    """One test over one seeding (it takes seconds)."""
    tally, printed = demo_orgs
    assert printed.splitlines()[-1].startswith("Organizations: ")
    communities = list(Area.objects.filter(kind=Kind.COMMUNITY).order_by("path"))
    assert len(communities) == 3
    assert tally.communities == 3
    for community in communities:
        estates = Area.objects.filter(
            kind=Kind.ESTATE, path__startswith=community.path
        ).count()
        assert _kinds(community) == {
            OrgKind.PARTY_COMMITTEE: 1,
            OrgKind.CO_BUILDING: 5,
            OrgKind.SOCIAL: 2,
            OrgKind.PARTY_BRANCH: estates,
            OrgKind.OWNERS_COMMITTEE: estates,
            OrgKind.PROPERTY: estates,
        }
        committee = Organization.objects.get(
            area=community, kind=OrgKind.PARTY_COMMITTEE
        )
        assert committee.name == f"{community.name}大党委"
        assert set(
            Organization.objects.filter(kind=OrgKind.PARTY_BRANCH)
            .filter(area__path__startswith=community.path)
            .values_list("parent", flat=True)
        ) == {committee.pk}
        # Each unit has a current agreement; the first an ended one too.
        agreements = Agreement.objects.filter(community=community)
        assert agreements.count() == 6
        units = Organization.objects.filter(area=community, kind=OrgKind.CO_BUILDING)
        for unit in units:
            assert unit.contact_name
            assert any(a.is_current(TODAY) for a in unit.agreements.all())
        assert sum(a.ends_on < TODAY for a in agreements) == 1
        assert "派出所" in "".join(units.values_list("name", flat=True))
        # 双报到 in every state.
        statuses = list(
            PartyRegistration.objects.filter(community=community).values_list(
                "status", flat=True
            )
        )
        assert sorted(statuses) == sorted(
            [RegistrationStatus.CONFIRMED] * CONFIRMED
            + [RegistrationStatus.REGISTERED] * WAITING
            + [RegistrationStatus.DECLINED, RegistrationStatus.ENDED]
        )
    assert Agreement.objects.get(
        unit__name="天津民航大学", ends_on__gte=TODAY
    ).commitments.count("航院小区")
    declined = PartyRegistration.objects.filter(status=RegistrationStatus.DECLINED)
    assert set(declined.values_list("note", flat=True)) == {DECLINE_NOTE}
    ended = PartyRegistration.objects.filter(status=RegistrationStatus.ENDED)
    assert all(r.decided_at < r.ended_at < NOW for r in ended)
    waiting = PartyRegistration.objects.filter(status=RegistrationStatus.REGISTERED)
    assert all(NOW - r.registered_at < dt.timedelta(days=7) for r in waiting)

    # Every estate's five-level chain is whole.
    for estate in Area.objects.filter(kind=Kind.ESTATE):
        levels = selectors.chain(estate)
        assert [bool(level.orgs or level.leaders) for level in levels] == [True] * 5

    # The pool shows the volunteers' hours, and the report groups them.
    street = Area.objects.get(kind=Kind.STREET)
    start = TODAY - dt.timedelta(days=365)
    rows = selectors.pool(street, start=start, end=TODAY)
    assert len(rows) == 3 * CONFIRMED
    assert sum(row["hours"] > 0 for row in rows) >= 3 * CONFIRMED // 2
    units = selectors.pool_by_unit(street, start=start, end=TODAY)
    assert sum(len(unit.rows) for unit in units) == 3 * CONFIRMED
    assert any(len(unit.rows) > 1 and unit.hours > 0 for unit in units)

    # Seeding again adds nothing.
    before = (Organization.objects.count(), PartyRegistration.objects.count())
    assert seed_demo_orgs(now=NOW) is None
    assert (Organization.objects.count(), PartyRegistration.objects.count()) == before


def test_a_scale_seed_gets_its_organizations_without_volunteering(db):
    bulk.seed_plan(plan=TINY, stdout=StringIO())
    root = Area.objects.get(code=TINY.code)
    seed_people(root=root, stdout=StringIO())
    out = StringIO()

    tally = seed_scale_orgs(root=root, now=NOW, stdout=out)

    communities = Area.objects.filter(kind=Kind.COMMUNITY, path__startswith=root.path)
    assert tally.communities == communities.count() == 4
    assert "Organizations: " in out.getvalue()
    for community in communities:
        kinds = _kinds(community)
        estates = Area.objects.filter(
            kind=Kind.ESTATE, path__startswith=community.path
        ).count()
        assert kinds[OrgKind.PARTY_COMMITTEE] == 1
        assert kinds[OrgKind.PARTY_BRANCH] == kinds[OrgKind.PROPERTY] == estates
        assert kinds[OrgKind.CO_BUILDING] == 5
    registered = PartyRegistration.objects.filter(community__in=communities)
    assert registered.filter(status=RegistrationStatus.CONFIRMED).exists()
    # Each member lives in the community she reports to.
    for registration in registered.select_related("person__household"):
        assert registration.person.household.path.startswith(
            registration.community.path
        )
    again = StringIO()
    seed_scale_orgs(root=root, now=NOW, stdout=again)
    assert "seeded already" in again.getvalue()
    assert Person.objects.filter(user__isnull=False).count() == 0  # no leaders
