"""Fixtures shared by every app's tests: the demo street and its logins."""

import pytest
from hypothesis import settings

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area
from gongzhi.seeding import demo

# No example is timed: on a shared machine a slow moment is not a failure
# (speed is measured in bench/, never in a test).
settings.register_profile("gongzhi", deadline=None)
settings.load_profile("gongzhi")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, as its database starts empty,
    and in the default language: a request through LocaleMiddleware leaves
    its language active in the thread, so an English page of one test
    would otherwise make the next one's messages English."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    translation.deactivate()
    yield
    cache.clear()


@pytest.fixture
def dashboards_live(settings):
    """The dashboards' rollups follow every change, as in production: for
    a test that reads a figures page right after writing (the test
    settings switch it off for the rest)."""
    settings.GONGZHI_DASHBOARD_LIVE = True


def restore_migration_data() -> None:
    """Put back the rows data migrations write (the default key-population
    tags), which a flush removes: call it after a flush, or at the start of
    a transactional test."""
    import importlib

    from django.apps import apps

    importlib.import_module(
        "gongzhi.residents.migrations.0002_default_tags"
    ).add_defaults(apps, None)


def race(worker, count: int):
    """Run ``worker(index)`` on ``count`` threads released at one moment,
    each on its own database connection: what it returns, and the domain
    refusals it raised."""
    import threading

    from django.db import connections

    from gongzhi.core.errors import DomainError

    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(index):
        try:
            barrier.wait()
            results.append(worker(index))
        except DomainError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Each worker's test database gets the demo street once, committed
    before its first test: every test then starts from it inside its own
    transaction, and the rollback at its end puts it back untouched."""
    with django_db_blocker.unblock():
        before = _row_counts()
        demo.seed_demo()
        after = _row_counts()
    BASELINE_TABLES[:] = sorted(t for t in after if after[t] > before.get(t, 0))


# The tables the demo street fills; a test that asks for no demo street
# gets them emptied inside its own transaction.
BASELINE_TABLES: list[str] = []


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def _empty_baseline() -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sql_flush(
        no_style(), BASELINE_TABLES, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    restore_migration_data()  # a cascade may have reached them


@pytest.fixture(autouse=True)
def _no_demo_unless_asked(request):
    """A test that does not ask for the demo street starts, as before, from
    a database holding only what the migrations wrote."""
    names = set(request.fixturenames)
    if "demo_street" in names or not (
        {"db", "transactional_db", "live_server"} & names
        or request.node.get_closest_marker("django_db")
    ):
        return
    request.getfixturevalue("transactional_db" if _flushes(request.node) else "db")
    _empty_baseline()


def restore_baseline() -> None:
    """Put back what every test starts from after a flush emptied the
    database: the data migrations' rows and the demo street."""
    restore_migration_data()
    demo.seed_demo()


def _flushes(item) -> bool:
    """A transactional test empties the database when it ends."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    # After the last test the test database is gone already.
    if nextitem is not None and _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_baseline()


def _demo_nodes() -> dict[str, Area]:
    return {area.code: area for area in Area.objects.filter(code__isnull=False)}


@pytest.fixture
def demo_street(db):
    """The demo street (三盛里, 裕华园, 团结巷) with every role's login.

    It is already in the database (``django_db_setup``, and again after
    each flush: ``pytest_runtest_teardown``); should anything else have
    emptied the database, the test seeds it for itself."""
    nodes = _demo_nodes()
    if demo.STREET[0] not in nodes:
        demo.seed_demo()
        nodes = _demo_nodes()
    return nodes


@pytest.fixture
def demo_people(demo_street):
    """The demo street with families in every household (about 850 people,
    key-population tags included), every household's floor area and
    owners; the demo resident is 周桂兰 of 101.

    The first test on a worker seeds them; the tests after it get the very
    same rows written back (the rollback took them away), which is what
    seeding again would write, without generating and encrypting them
    again. Only a street with no one on it yet is filled from the copy."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from gongzhi.residents.models import Membership, Owner, Person, PersonTag, Property

    # Ages are counted from today; a flush gives the street another id.
    key = (demo_street[demo.STREET[0]].pk, timezone.localdate())
    if Person.objects.exists() or Membership.objects.exists():
        demo.seed_demo_people()  # some people are there: seed around them
        return demo_street
    copy = _PEOPLE_COPY.get(key)
    if copy is not None:
        try:
            with transaction.atomic():
                for model, rows in copy:
                    model.objects.bulk_create([_fresh(row) for row in rows])
            return demo_street
        except IntegrityError:  # an id taken by a row this test made first
            pass
    demo.seed_demo_people()
    _PEOPLE_COPY[key] = [
        (model, list(model.objects.order_by("pk")))
        for model in (Person, Membership, PersonTag, Property, Owner)
    ]
    return demo_street


# The demo families as first seeded on this worker, by the street's id and
# the day they were seeded on.
_PEOPLE_COPY: dict = {}


def _fresh(row):
    """A copy of a saved row that ``bulk_create`` inserts again, id kept,
    stamped with the time as a new row is."""
    import copy

    from django.utils import timezone

    clone = copy.copy(row)
    clone._state = type(row._state)()
    now = timezone.now()
    for field in row._meta.concrete_fields:
        if getattr(field, "auto_now_add", False) or field.default is timezone.now:
            setattr(clone, field.attname, now)
    return clone


def _login_user(role_key: str) -> User:
    login = LOGIN_BY_KEY[role_key]
    return user_find_by_phone(phone=login.phone)


# Keys used across tests: one per demo login.
LOGIN_BY_KEY = {
    "district_manager": demo.LOGINS[0],
    "street_manager": demo.LOGINS[1],
    "secretary": demo.LOGINS[2],
    "staff": demo.LOGINS[3],
    "grid_worker": demo.LOGINS[4],
    "other_grid_worker": demo.LOGINS[5],
    "building_leader": demo.LOGINS[6],
    "unit": demo.LOGINS[7],
    "resident": demo.LOGINS[8],
    "system_admin": demo.LOGINS[9],
    "security_admin": demo.LOGINS[10],
    "audit_admin": demo.LOGINS[11],
}


@pytest.fixture
def users(demo_street):
    """Demo users by key: users["grid_worker"], users["resident"], …"""
    return {key: _login_user(key) for key in LOGIN_BY_KEY}


@pytest.fixture
def areas(demo_street):
    """Named demo nodes for readable tests."""
    c1, c2 = demo.C1, demo.C2
    return {
        "district": demo_street[demo.DISTRICT[0]],
        "street": demo_street[demo.STREET[0]],
        "community": demo_street[c1],  # 三盛里社区
        "other_community": demo_street[c2],  # 裕华园社区
        "grid": demo_street[f"{c1}01"],  # 三盛里 第一网格
        "sibling_grid": demo_street[f"{c1}02"],  # 三盛里 第二网格
        "other_grid": demo_street[f"{c2}01"],  # 裕华园 第一网格
        "estate": demo_street[f"{c1}0101"],  # 航院小区
        "building": demo_street[f"{c1}010101"],  # 航院小区 1号楼
        "entrance": demo_street[f"{c1}01010101"],
        "household": demo_street[f"{c1}01010101101"],  # the demo resident's
        "neighbour_household": demo_street[f"{c1}01010101102"],
        "other_household": demo_street[f"{c2}01010101101"],
    }


@pytest.fixture
def api_client(client):
    """A Django test client with ``login_api(user)`` setting a bearer token."""
    from gongzhi.accounts.services import token_issue

    def login_api(user):
        raw, _ = token_issue(user=user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return raw

    client.login_api = login_api
    return client
