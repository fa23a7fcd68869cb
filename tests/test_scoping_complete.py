"""The scoping matrix is complete: every page and every API operation has a
row in it (tests/test_scoping_matrix.py), or an exemption below saying why
not. A new app's page without a row fails here, naming it.

A page is a URL pattern of the project, matched by a row whose URL (its
``{name}`` places filled, its query string dropped) resolves to it. An API
operation is a method and a path of the OpenAPI document, matched by an API
row of that method whose URL fits the path. No database is needed.
"""

from __future__ import annotations

import re

from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from gongzhi.config.api import api
from tests.test_scoping_matrix import ROWS

API_PREFIX = "/api/v1/"

# Pages no row can or need take, each with its reason.
EXEMPT_PAGES = {
    "/": "the front door redirects to the portal or the workbench; no place",
    "/accounts/login/": "logging in is for the anonymous; no place to scope",
    "/accounts/logout/": "logging out ends any session; no place to scope",
    "/healthz": "the load balancer's probe: public, reads no data",
    "/favicon.ico": "a redirect to the static icon: public, reads no data",
    "/i18n/setlang/": "Django's language switch: a cookie, no data",
    # A calendar app fetches a feed with no login: the signed token in the
    # address is the key, so the matrix's logins have nothing to say.
    # gongzhi/volunteering/tests/test_feeds.py proves a wrong token or an
    # unknown feed is 404, a token opens its own feed only, and a feed
    # leaves out other communities' sessions.
    "/calendar/community/<int:pk>/<slug:token>.ics": "signed feed: test_feeds.py",
    "/calendar/team/<int:pk>/<slug:token>.ics": "signed feed: test_feeds.py",
    # The error report of the caller's own rejected upload, under a token
    # kept half an hour; no place in it. gongzhi/residents/tests/
    # test_imports.py (a rejected upload ... offers a report) proves another
    # login's fetch of it is 404.
    "/workbench/residents/import/report/<str:token>.xlsx": "own: test_imports.py",
    # How far one's own background job is, polled by its page; no place in
    # it. gongzhi/jobs/tests/test_views.py proves another login's poll of it
    # is 404.
    "/workbench/jobs/<str:pk>/status/": "own: jobs/tests/test_views.py",
}

# Whole parts of the site no row can take, each with its reason.
EXEMPT_PREFIXES = {
    # Open311 (GeoReport v2) is public by the specification for reads and
    # authenticates writes with an api_key in the form, never the session
    # or bearer token of the matrix. Its jurisdiction scoping is proved in
    # gongzhi/requests/tests/test_open311.py (a jurisdiction keeps its own
    # requests and bounds where a POST may place) and, for every demo login
    # at every named place, in gongzhi/requests/tests/test_open311_scoping.py.
    "/open311/": "Open311: test_open311.py and test_open311_scoping.py",
}

# API operations no row can or need take, each with its reason.
EXEMPT_OPERATIONS = {
    ("POST", "/api/v1/auth/token"): "exchanging a password for a token: no place",
    # The request merged into is looked up before the duplicate, so those
    # who see the place without request.view answer 400 where those with it
    # but without request.dispatch answer 403: one row cannot tell them
    # apart. gongzhi/requests/tests/test_merge_scoping.py does, inside the
    # area and outside it.
    ("POST", "/api/v1/requests/{request_id}/merge"): "test_merge_scoping.py",
}


def _clean(route: str) -> str:
    """One spelling for a route, whether Django joined it or we did."""
    return "/" + re.sub(r"(^|/)\^", r"\1", route).replace("$", "")


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield _clean(prefix + str(pattern.pattern))


def _pages() -> set[str]:
    # The API's own URL patterns (its operations, docs and schema) are
    # checked by operation below.
    return {
        route
        for route in _walk(get_resolver().url_patterns)
        if not route.startswith((API_PREFIX, *EXEMPT_PREFIXES))
    }


def _operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix=API_PREFIX)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def _path(row) -> str:
    """The row's URL as a request would send it: places filled, no query."""
    return re.sub(r"\{[^}]+\}", "1", row.url.split("?")[0])


def _route_of(row) -> str | None:
    try:
        return _clean(resolve(_path(row)).route)
    except Resolver404:
        return None


def _fits(path: str, row) -> bool:
    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path))
    return re.fullmatch(pattern, _path(row)) is not None


def test_every_page_has_a_row_in_the_scoping_matrix():
    covered = {_route_of(row) for row in ROWS if not row.api}
    missing = sorted(_pages() - covered - set(EXEMPT_PAGES))
    assert missing == [], (
        "pages with no row in the scoping matrix (add one in the app's "
        "tests/scoping_rows.py, or an exemption with its reason here):\n"
        + "\n".join(missing)
    )


def test_every_api_operation_has_a_row_in_the_scoping_matrix():
    rows = [row for row in ROWS if row.api]
    missing = sorted(
        f"{method} {path}"
        for method, path in _operations() - set(EXEMPT_OPERATIONS)
        if not any(row.method == method and _fits(path, row) for row in rows)
    )
    assert missing == [], (
        "API operations with no row in the scoping matrix (add one in the "
        "app's tests/scoping_rows.py, or an exemption with its reason "
        "here):\n" + "\n".join(missing)
    )


def test_every_row_names_a_page_or_operation_that_exists():
    operations = _operations()
    stale = [
        row.name
        for row in ROWS
        if (
            not any(
                row.method == method and _fits(path, row) for method, path in operations
            )
            if row.api
            else _route_of(row) is None
        )
    ]
    assert stale == [], "rows whose URL no longer answers:\n" + "\n".join(stale)


def test_every_exemption_still_names_a_page_or_operation():
    assert set(EXEMPT_PAGES) - _pages() == set()
    assert set(EXEMPT_OPERATIONS) - _operations() == set()
