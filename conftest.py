"""Fixtures shared by every app's tests: the demo street and its logins."""

import pytest

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area
from gongzhi.seeding import demo


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, as its database starts empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def demo_street(db):
    """The demo street (三盛里, 裕华园, 团结巷) with every role's login."""
    demo.seed_demo()
    return {area.code: area for area in Area.objects.filter(code__isnull=False)}


@pytest.fixture
def demo_people(demo_street):
    """The demo street with families in every household (about 850 people,
    key-population tags included); the demo resident is 周桂兰 of 101."""
    demo.seed_demo_people()
    return demo_street


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
