"""Scoping rows: organizations, the service chain and 双报到.

org.view reads organizations, agreements, chains and registrations within
the login's reach; org.manage records organizations and agreements and
decides registrations of the communities where it is held. ``{unit}`` is a
co-building unit of a community place and ``{registration}`` a registration
awaiting confirmation there, each made on first use and rolled back with
the test. A resident's own registration answers her alone; it shares the
resident's own-pages bucket of the matrix (``own_activities``).
"""

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.orgs.models import Organization, OrgKind, PartyRegistration
from gongzhi.residents.models import Person
from gongzhi.seeding import demo
from tests.scoping_on_use import on_use
from tests.test_scoping_matrix import Row

MANAGE = "perm:org.manage"
VIEW = "perm:org.view"
MINE = "own_activities"
COMMUNITIES = "community other_community"
# The places the pool pages offer: streets, communities and grids.
POOL_PLACES = "street community other_community grid sibling_grid other_grid"
API = "/api/v1/orgs"
W = "/workbench/orgs/"
MARK = "矩阵"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")


def unit_at(area) -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    unit, _made = Organization.objects.get_or_create(
        area=area, name=MARK, defaults={"kind": OrgKind.CO_BUILDING}
    )
    return unit.pk


def registration_at(area) -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    person = Person.objects.filter(
        household__path__startswith=area.path, user__isnull=True
    ).first()
    found, _made = PartyRegistration.objects.get_or_create(
        person=person,
        community=area,
        defaults={"work_unit": MARK},
    )
    return found.pk


def _my_registration_at(area) -> int:
    """The demo resident's own registration, in her community; made only
    for the row ending it, as her other rows register anew."""
    if area.kind != Kind.COMMUNITY:
        return 0
    person = user_find_by_phone(phone=RESIDENT_PHONE).person
    found, _made = PartyRegistration.objects.get_or_create(
        person=person, community=area, defaults={"work_unit": MARK}
    )
    return found.pk


PLACE_NAMES = {
    "unit": unit_at,
    "registration": registration_at,
    "my_registration": on_use(_my_registration_at),
}

ROWS = [
    Row(
        "orgs: organizations in an area",
        "GET",
        API + "/areas/{area}/orgs",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "orgs: record an organization",
        "POST",
        API + "/areas/{area}/orgs",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"kind": "social", "name": "矩阵协会"},
    ),
    Row(
        "orgs: agreements in an area",
        "GET",
        API + "/areas/{area}/agreements",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "orgs: record an agreement",
        "POST",
        API + "/units/{unit}/agreements",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"signed_on": "2026-01-01", "ends_on": "2027-01-01", "commitments": MARK},
    ),
    Row(
        "orgs: an estate's chain",
        "GET",
        API + "/estates/{area}/chain",
        api=True,
        needs=VIEW,
        seen=403,
        places="estate",
    ),
    Row(
        "orgs: registrations in an area",
        "GET",
        API + "/areas/{area}/registrations",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "orgs: the party-member pool",
        "GET",
        API + "/areas/{area}/pool",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "orgs: the pool by work unit",
        "GET",
        API + "/areas/{area}/pool/by-unit?start=2026-01-01&end=2026-12-31",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "orgs: confirm a registration",
        "POST",
        API + "/registrations/{registration}/confirm",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "orgs: decline a registration",
        "POST",
        API + "/registrations/{registration}/decline",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"note": MARK},
    ),
    Row("orgs: my registration", "GET", API + "/me/registration", api=True, needs=MINE),
    Row(
        "orgs: register as a party member",
        "POST",
        API + "/me/registration",
        api=True,
        needs=MINE,
        ok=201,
        body={"work_unit": MARK},
    ),
    Row(  # the query only makes her registration for this row
        "orgs: end my registration",
        "POST",
        API + "/me/registration/end?made={my_registration}",
        api=True,
        needs=MINE,
        places="community",
    ),
    # The resident's page: any login; one without a record is told how
    Row("orgs page: 双报到 on the phone", "GET", "/portal/party/", needs="login"),
    # The workbench
    Row("orgs: organizations page", "GET", W, needs="anywhere:org.view"),
    Row("orgs: record form", "GET", W + "new/", needs="anywhere:org.manage"),
    Row(
        "orgs: agreement form",
        "GET",
        W + "agreements/new/",
        needs="anywhere:org.manage",
    ),
    Row("orgs: pool page", "GET", W + "party-members/", needs="anywhere:org.view"),
    Row(
        "orgs: by-unit page",
        "GET",
        W + "party-members/by-unit/",
        needs="anywhere:org.view",
    ),
    # A place asked for outside reach is 404, not the default place.
    Row(
        "orgs: by-unit page of a place",
        "GET",
        W + "party-members/by-unit/?area={area}",
        needs=VIEW,
        places=POOL_PLACES,
    ),
    Row(
        "orgs: by-unit workbook of a place",
        "GET",
        W + "party-members/by-unit/export.xlsx?area={area}&start=2026-01-01",
        needs=VIEW,
        places=POOL_PLACES,
    ),
    Row(
        "orgs: chain page",
        "GET",
        W + "estates/{area}/chain/",
        needs=VIEW,
        places="estate",
    ),
    Row(
        "orgs: decide a registration",
        "POST",
        W + "registrations/{registration}/decide/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"approve": "1"},
    ),
]
