"""THE scoping matrix: every page and endpoint, every demo login, every
named place of the demo street.

A user reaches a place when one of her roles sits on it or above it and
grants what the page needs. Inside, a page answers its success code; a place
she sees but may not act on is refused (the web answers 404, the API 403);
anywhere else answers 404, exactly as for a place that does not exist, never
403 and never 200.

Adding a page or endpoint is one ``Row`` (tests/test_scoping_complete.py
fails for one left without); adding a login is one ``REACH`` entry.
``{area}`` in a row is filled with each named place in turn (or only
those in ``places``); ``{grant}`` with the demo grant sitting on that place;
any other ``{name}`` with that named place.

Each app adds its own rows in ``gongzhi/<app>/tests/scoping_rows.py``: a
``ROWS`` list, and optionally ``PLACE_NAMES``, a dict of name to a function
of the place (an ``Area``) giving the id to fill in for ``{name}`` (say, a
person living there, or 0 when none does). ``needs="perm:personal.view"``
reaches the places where the login's role grants that permission.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from conftest import restore_baseline
from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import perms_for
from gongzhi.accounts.services import user_create
from gongzhi.areas.models import Area
from gongzhi.seeding import demo

ANYWHERE = "*"  # a page that names no place

ALL = frozenset(
    {
        "district",
        "street",
        "community",
        "other_community",
        "grid",
        "sibling_grid",
        "other_grid",
        "estate",
        "building",
        "entrance",
        "household",
        "neighbour_household",
        "other_household",
    }
)
STREET = ALL - {"district"}
COMMUNITY = frozenset(
    {
        "community",
        "grid",
        "sibling_grid",
        "estate",
        "building",
        "entrance",
        "household",
        "neighbour_household",
    }
)
GRID = COMMUNITY - {"community", "sibling_grid"}
OTHER_GRID = frozenset({"other_grid", "other_household"})
BUILDING = frozenset({"building", "entrance", "household", "neighbour_household"})
HOME = frozenset({"household"})

# Places with exactly one demo grant on them, for the revoke rows.
GRANTED = "household grid other_grid building"


@dataclass(frozen=True)
class Reach:
    """Where one login reaches, by what a page needs."""

    view: frozenset
    manage: frozenset = frozenset()
    grant: frozenset = frozenset()
    root: str = ""  # the node a managing role sits on: not moved or retired
    workbench: bool = True
    pages: frozenset = frozenset()  # "audit", "account"
    role: str = ""
    # Where a page of her own (``pages``) may name a place: a resident signs
    # up for the sessions of her street.
    near: frozenset = frozenset()

    def places(self, needs: str) -> frozenset:
        anywhere = frozenset({ANYWHERE})
        if needs.startswith("anywhere:"):
            return anywhere if needs[9:] in perms_for(self.role) else frozenset()
        if needs.startswith("perm:"):
            return self.view if needs[5:] in perms_for(self.role) else frozenset()
        if needs == "view":
            return self.view
        if needs == "workbench":
            return self.view | anywhere if self.workbench else frozenset()
        if needs == "manage":
            return self.manage
        if needs == "manage_below":
            return self.manage - {self.root}
        if needs == "grant":
            return self.grant | anywhere if self.grant else frozenset()
        if needs == "login":
            return anywhere
        return anywhere | self.near if needs in self.pages else frozenset()


_REACH = {
    "district_manager": Reach(ALL, manage=ALL, grant=ALL, root="district"),
    "street_manager": Reach(STREET, manage=STREET, grant=STREET, root="street"),
    "secretary": Reach(COMMUNITY, manage=COMMUNITY, grant=COMMUNITY, root="community"),
    "staff": Reach(COMMUNITY),
    "grid_worker": Reach(GRID),
    "other_grid_worker": Reach(OTHER_GRID),
    "building_leader": Reach(BUILDING),
    "unit": Reach(COMMUNITY),
    "resident": Reach(
        HOME,
        workbench=False,
        # "follows": following the requests of her own community (rows
        # name only the places of her community, or none of them).
        pages=frozenset(
            {"own_points", "own_activities", "follows", "own_councils", "own_notices"}
        ),
        near=STREET,
    ),
    "system_admin": Reach(
        ALL, manage=ALL, root="district", pages=frozenset({"account"})
    ),
    "security_admin": Reach(ALL, grant=ALL),
    "audit_admin": Reach(ALL, pages=frozenset({"audit"})),
}
_ROLE_OF = {
    "other_grid_worker": "grid_worker",
}
REACH = {
    key: Reach(**{**reach.__dict__, "role": _ROLE_OF.get(key, key)})
    for key, reach in _REACH.items()
}


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: str
    api: bool = False
    needs: str = "view"  # view, workbench, manage, manage_below, grant, login…
    ok: int = 200  # inside
    seen: int = 404  # a place she sees but may not act on
    outside: int = 404
    places: str = ""  # only these places, space separated; default all
    body: dict = field(default_factory=dict)
    listing: bool = False  # a filtered list: outside is empty, not 404
    multipart: bool = False  # an API form with files: the body as a form

    def __str__(self) -> str:
        return self.name


CORE_ROWS = [
    # Pages of the workbench and the portal
    Row("workbench home", "GET", "/workbench/", needs="workbench"),
    Row("portal", "GET", "/portal/", needs="login"),
    Row("own account page", "GET", "/account/", needs="login"),
    Row("password page", "GET", "/accounts/password/", needs="login"),
    Row("area search", "GET", "/workbench/areas/search/?q=楼", needs="workbench"),
    Row("audit trail", "GET", "/workbench/audit/", needs="audit"),
    Row("new account page", "GET", "/accounts/new/", needs="account"),
    Row("grant list page", "GET", "/accounts/grants/", needs="grant"),
    Row("area page", "GET", "/workbench/areas/{area}/", needs="workbench"),
    Row(
        "area page with retired",
        "GET",
        "/workbench/areas/{area}/?retired=1",
        needs="workbench",
    ),
    Row("add page", "GET", "/workbench/areas/{area}/add/", needs="manage"),
    Row("rename page", "GET", "/workbench/areas/{area}/rename/", needs="manage"),
    Row("move page", "GET", "/workbench/areas/{area}/move/", needs="manage"),
    Row("retire page", "GET", "/workbench/areas/{area}/retire/", needs="manage"),
    Row("delete page", "GET", "/workbench/areas/{area}/delete/", needs="manage"),
    Row(
        "rename form post",
        "POST",
        "/workbench/areas/{area}/rename/",
        needs="manage",
        ok=302,
        body={"name": "矩阵改名"},
    ),
    Row("grants of a node page", "GET", "/accounts/grants/?area={area}", needs="grant"),
    Row("grant form", "GET", "/accounts/grants/new/{area}/", needs="grant"),
    Row(
        "revoke form post",
        "POST",
        "/accounts/grants/{grant}/revoke/",
        needs="grant",
        ok=302,
        places=GRANTED,
    ),
    # The API
    Row("api me", "GET", "/api/v1/me", api=True, needs="login"),
    Row("api my to-do", "GET", "/api/v1/me/todo", api=True, needs="login"),
    Row("api area roots", "GET", "/api/v1/areas", api=True, needs="login"),
    Row("api area detail", "GET", "/api/v1/areas/{area}", api=True),
    Row("api children", "GET", "/api/v1/areas/{area}/children", api=True),
    Row(
        "api children with retired",
        "GET",
        "/api/v1/areas/{area}/children?include_retired=true&limit=5&offset=1",
        api=True,
    ),
    Row("api ancestors", "GET", "/api/v1/areas/{area}/ancestors", api=True),
    Row(
        "api create",  # the parent is in the body: outside is "no such area"
        "POST",
        "/api/v1/areas",
        api=True,
        needs="manage",
        ok=201,
        seen=403,
        outside=400,
        places="estate other_grid",
        body={"parent_id": "{area}", "kind": "building", "name": "矩阵楼"},
    ),
    Row(
        "api rename",
        "PATCH",
        "/api/v1/areas/{area}",
        api=True,
        needs="manage",
        seen=403,
        body={"name": "矩阵改名"},
    ),
    Row(
        "api move",  # under its own parent: reached, and nothing moves
        "POST",
        "/api/v1/areas/{area}/move",
        api=True,
        needs="manage_below",
        seen=403,
        places="estate",
        body={"parent_id": "{grid}"},
    ),
    Row(
        "api retire",
        "POST",
        "/api/v1/areas/{area}/retire",
        api=True,
        needs="manage_below",
        seen=403,
    ),
    Row(
        "api restore",  # nothing in the demo is retired: reached, then refused
        "POST",
        "/api/v1/areas/{area}/restore",
        api=True,
        needs="manage",
        ok=400,
        seen=403,
    ),
    Row(
        "api delete",  # people live there: reached, then refused
        "DELETE",
        "/api/v1/areas/{area}",
        api=True,
        needs="manage_below",
        ok=400,
        seen=403,
        places="neighbour_household other_household",
    ),
    Row(
        "api grants of a node",
        "GET",
        "/api/v1/grants?area_id={area}",
        api=True,
        needs="grant",
        listing=True,
    ),
    Row(
        "api grant create",  # the node is in the body: outside is "no such area"
        "POST",
        "/api/v1/grants",
        api=True,
        needs="grant",
        ok=201,
        seen=400,
        outside=400,
        places="grid other_grid",
        body={"phone": "13800000009", "area_id": "{area}", "role": "grid_worker"},
    ),
    Row(
        "api grant revoke",
        "DELETE",
        "/api/v1/grants/{grant}",
        api=True,
        needs="grant",
        ok=204,
        places=GRANTED,
    ),
    Row(
        "api token revoke",
        "DELETE",
        "/api/v1/auth/token",
        api=True,
        needs="login",
        ok=204,
    ),
]


def _app_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.tests.scoping_rows")
        except ModuleNotFoundError as exc:
            if exc.name not in {
                f"{config.name}.tests",
                f"{config.name}.tests.scoping_rows",
            }:
                raise


ROWS = CORE_ROWS + [row for module in _app_modules() for row in module.ROWS]


def _place_names() -> dict:
    """Every app's place names, one dict. Two apps naming the same
    placeholder would let the later one's function silently fill the
    other's rows, so a repeat stops the collection, naming both."""
    names, owners = {}, {}
    for module in _app_modules():
        for name, function in getattr(module, "PLACE_NAMES", {}).items():
            if name in names:
                raise RuntimeError(
                    f"place name {{{name}}} is defined by {owners[name]} "
                    f"and {module.__name__}: give one of them another name"
                )
            names[name], owners[name] = function, module.__name__
    return names


PLACE_NAMES = _place_names()


# The demo street is seeded once for this module; each test runs in a
# transaction rolled back after it, and every place's request in a savepoint
# of its own, so no request sees another's writes.


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        demo.seed_demo()
        demo.seed_demo_people()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        restore_baseline()  # later tests on this worker start from it


@pytest.fixture
def demo_street(seeded, db):
    return {area.code: area for area in Area.objects.filter(code__isnull=False)}


def _fill(value, names: dict):
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return names[value[1:-1]]  # a whole placeholder keeps its int type
    if isinstance(value, str):
        return value.format(**names)
    return value


def _targets(row: Row) -> list[str]:
    placed = ["{area}", "{grant}", *(f"{{{name}}}" for name in PLACE_NAMES)]
    if not any(mark in row.url + str(row.body) for mark in placed):
        return [ANYWHERE]
    return row.places.split() if row.places else sorted(ALL)


def _request(client, row: Row, url: str, body: dict):
    method = getattr(client, row.method.lower())
    if row.api and row.method != "GET":
        # Writes that must not repeat take a key; the rest ignore it.
        if row.multipart:
            return method(url, body, HTTP_IDEMPOTENCY_KEY=f"matrix {row.name}")
        return method(
            url,
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"matrix {row.name}",
        )
    if row.method == "POST":
        return method(url, body)
    return method(url)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _outcome(client, row: Row, areas: dict, place: str):
    names = {name: area.pk for name, area in areas.items()}
    if place != ANYWHERE:
        # Only the names this row is filled with are made: each is a row or
        # two written for the place, and the rest would go unread.
        wanted = set(_PLACEHOLDER.findall(row.url + str(row.body)))
        names["area"] = areas[place].pk
        for name, function in PLACE_NAMES.items():
            if name in wanted:
                names[name] = function(areas[place])
        if "grant" in wanted:
            grant = Grant.objects.filter(area=areas[place], revoked_at=None).first()
            names["grant"] = grant.pk if grant else 0
    url, body = _fill(row.url, names), _fill(row.body, names)
    with transaction.atomic():
        response = _request(client, row, url, body)
        transaction.set_rollback(True)
    return response


def _expected(row: Row, reach: Reach, place: str) -> int:
    if place in reach.places(row.needs):
        return row.ok
    if place in reach.places("view" if row.api else "workbench"):
        return row.seen
    return row.outside


@pytest.mark.parametrize("key", sorted(REACH))
@pytest.mark.parametrize("row", ROWS, ids=str)
def test_scoping_matrix(row, key, client, api_client, users, areas):
    user, reach = users[key], REACH[key]
    if row.api:
        api_client.login_api(user)
    else:
        client.force_login(user)
    wrong = []
    for place in _targets(row):
        response = _outcome(client, row, areas, place)
        if row.listing:
            inside = place in reach.places(row.needs)
            expected = (
                set(
                    Grant.objects.filter(
                        area=areas[place], revoked_at=None
                    ).values_list("pk", flat=True)
                )
                if inside
                else set()
            )
            got = {item["id"] for item in response.json()["items"]}
            if response.status_code != 200 or got != expected:
                wrong.append((place, response.status_code, got, expected))
            continue
        expected = _expected(row, reach, place)
        if response.status_code != expected:
            wrong.append((place, response.status_code, expected))
    assert wrong == [], f"{row.name} as {key}: (place, got, expected)"


# Masking: no page and no API response carries a full ID or phone number.
# The full value leaves through the audited reveal alone (a POST), and an
# export only as an .xlsx, whose audit the export tests check.

MASKING_LOGINS = ("staff", "grid_worker", "street_manager", "resident")


def _full_numbers() -> set[str]:
    from gongzhi.residents.models import Person

    numbers = set()
    for person in Person.objects.all():
        numbers.update(v for v in (person.id_number, person.phone) if v)
    return numbers


_NUMBER_RUNS = re.compile(r"[0-9X]{11,}")


def _carried(numbers: set[str], text: str) -> list[str]:
    """The numbers found in ``text``: exactly ``[n for n in numbers if n in
    text]``, without searching the whole page once per number. A number of
    eleven or more digits and X can only sit inside a run of them; any other
    (a passport's, say) is searched for as it is."""
    runs = {n for n in numbers if _NUMBER_RUNS.fullmatch(n)}
    lengths = {len(n) for n in runs}
    found = {n for n in numbers - runs if n in text}
    for run in _NUMBER_RUNS.findall(text):
        for size in lengths:
            found.update(
                run[i : i + size]
                for i in range(len(run) - size + 1)
                if run[i : i + size] in runs
            )
    return sorted(found)


def test_the_leak_search_finds_what_a_plain_search_finds():
    numbers = {"110101195001011234", "11010119500101123X", "13912345678", "E1234567"}
    texts = [
        "身份证 110101195001011234，电话 13912345678",
        "x11010119500101123X0 and 0013912345678",  # inside longer runs
        "110***********1234 139****5678",  # masked: nothing
        "护照 E1234567",
        "11010119500101123",  # one digit short
    ]
    for text in texts:
        assert _carried(numbers, text) == sorted(n for n in numbers if n in text)


@pytest.mark.parametrize("key", MASKING_LOGINS)
def test_no_response_carries_a_full_personal_number(
    key, client, api_client, users, areas
):
    numbers = _full_numbers()
    assert len(numbers) > 1000  # the demo families are there to be leaked
    user = users[key]
    api_client.login_api(user)
    client.force_login(user)
    leaks, pages = [], 0
    for row in ROWS:
        if row.method != "GET" or "export" in row.url:
            continue
        for place in _targets(row):
            response = _outcome(client, row, areas, place)
            if response.status_code != 200 or response.streaming:
                continue
            pages += 1
            leaked = _carried(numbers, response.content.decode(errors="replace"))
            if leaked:
                leaks.append((row.name, place, leaked[:3]))
    assert pages > 20
    assert leaks == []


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_anonymous_visitors_are_sent_to_log_in_or_told_401(row, client, areas):
    response = _outcome(client, row, areas, _targets(row)[0])
    if row.api:
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


# The same rules, told as the stories people rely on


def test_a_grid_worker_sees_her_grids_household_but_not_another_grids(
    api_client, users, areas
):
    api_client.login_api(users["grid_worker"])
    assert api_client.get(f"/api/v1/areas/{areas['household'].pk}").status_code == 200
    other = api_client.get(f"/api/v1/areas/{areas['other_household'].pk}")
    assert other.status_code == 404


def test_a_resident_sees_only_her_own_household(client, api_client, users, areas):
    api_client.login_api(users["resident"])
    client.force_login(users["resident"])
    assert api_client.get(f"/api/v1/areas/{areas['household'].pk}").status_code == 200
    neighbour = api_client.get(f"/api/v1/areas/{areas['neighbour_household'].pk}")
    assert neighbour.status_code == 404
    assert client.get("/portal/").status_code == 200


def test_a_street_manager_sees_all_three_communities(api_client, users, areas):
    api_client.login_api(users["street_manager"])
    children = api_client.get(f"/api/v1/areas/{areas['street'].pk}/children").json()
    assert [c["name"] for c in children["items"]] == [
        "三盛里社区",
        "裕华园社区",
        "团结巷社区",
    ]


def test_the_system_admin_sees_the_tree_but_not_the_audit_trail(client, users, areas):
    client.force_login(users["system_admin"])
    assert client.get(f"/workbench/areas/{areas['household'].pk}/").status_code == 200
    assert client.get("/workbench/audit/").status_code == 404


def test_area_search_finds_only_nodes_inside(client, users, areas):
    client.force_login(users["other_grid_worker"])
    html = client.get("/workbench/areas/search/?q=101").content.decode()
    assert f"/workbench/areas/{areas['other_household'].pk}/" in html
    assert f"/workbench/areas/{areas['household'].pk}/" not in html


def test_api_roots_are_each_logins_own_nodes(api_client, users, areas):
    for key, place in [
        ("district_manager", "district"),
        ("secretary", "community"),
        ("grid_worker", "grid"),
        ("resident", "household"),
    ]:
        api_client.login_api(users[key])
        roots = api_client.get("/api/v1/areas").json()
        assert [r["id"] for r in roots] == [areas[place].pk], key


def test_a_user_without_any_grant_reaches_no_place(client, api_client, areas):
    nobody = user_create(
        phone="13900003333", name="无角色", password="No-Role#2026", by=None
    )
    api_client.login_api(nobody)
    for place in sorted(ALL):
        response = api_client.get(f"/api/v1/areas/{areas[place].pk}")
        assert response.status_code == 404, place
    client.force_login(nobody)
    assert client.get("/workbench/").status_code == 404
    assert client.get(f"/workbench/areas/{areas['household'].pk}/").status_code == 404


# Query counts: a page of a node does not grow with its children.


def _queries(client, url: str) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _add_buildings(estate: Area, count: int) -> None:
    for number in range(count):
        Area.objects.add_child(
            Area.objects.get(pk=estate.pk), {"kind": "building", "name": f"加{number}"}
        )


def test_area_page_queries_stay_few_and_do_not_grow_with_children(
    client, users, areas, django_assert_max_num_queries
):
    client.force_login(users["secretary"])
    url = f"/workbench/areas/{areas['estate'].pk}/"
    with django_assert_max_num_queries(13):  # 12, and the bell's unread count
        assert client.get(url).status_code == 200
    few = _queries(client, url)
    _add_buildings(areas["estate"], 30)
    assert _queries(client, url) == few


def test_children_endpoint_queries_stay_few_and_do_not_grow_with_children(
    api_client, users, areas, django_assert_max_num_queries
):
    api_client.login_api(users["secretary"])
    url = f"/api/v1/areas/{areas['estate'].pk}/children"
    with django_assert_max_num_queries(6):  # 5, and a token touch once a minute
        assert api_client.get(url).status_code == 200
    few = _queries(api_client, url)
    _add_buildings(areas["estate"], 30)
    assert _queries(api_client, url) == few


def _add_residents(household: Area, count: int) -> None:
    for number in range(count):
        person = user_create(
            phone=f"1390000{number:04d}",
            name=f"居民{number}",
            password="Resident#2026",
            by=None,
        )
        Grant.objects.create(user=person, area=household, role="resident")


def test_grant_list_endpoint_queries_do_not_grow_with_grants(
    api_client, users, areas, django_assert_max_num_queries
):
    api_client.login_api(users["secretary"])
    url = "/api/v1/grants"
    with django_assert_max_num_queries(5):
        assert api_client.get(url).status_code == 200
    few = _queries(api_client, url)
    _add_residents(areas["neighbour_household"], 10)
    assert _queries(api_client, url) == few


def test_grant_list_page_queries_do_not_grow_with_grants(
    client, users, areas, django_assert_max_num_queries
):
    client.force_login(users["secretary"])
    url = f"/accounts/grants/?area={areas['household'].pk}"  # one grant
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    few = _queries(client, url)
    _add_residents(areas["household"], 10)
    assert _queries(client, url) == few
