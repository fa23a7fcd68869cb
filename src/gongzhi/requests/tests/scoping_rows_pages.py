"""Scoping rows: the request pages (portal and workbench).

``{request}`` is the matrix's request waiting for dispatch at the named
place (see ``scoping_rows``: no reporter, so no resident's portal shows
it). The workbench's request page needs request.view where the request is
placed; a step (reject) needs request.dispatch there, and answers 404 to
anyone else, as pages do. Desks answer for communities and streets in
reach only. Another's request opens on the portal, to follow, to a
resident of its community alone. The lead merges ``ROWS`` into
``scoping_rows``.
"""

from tests.test_scoping_matrix import Row

from .scoping_rows import DISPATCH, MARK, PLACED, VIEW, following_rows

W = "/workbench/requests"
P = "/portal/requests"

ROWS = [
    Row("requests pages: my requests", "GET", P + "/", needs="login"),
    Row("requests pages: raise on the phone", "GET", P + "/new/", needs="login"),
    Row(
        "requests pages: someone else's request on the portal",
        "GET",
        P + "/{request}/",
        needs="own_requests",
        places=PLACED,
    ),
    *following_rows(
        "requests pages: another's request to follow", "GET", P + "/similar/{request}/"
    ),
    *following_rows(
        "requests pages: follow it", "POST", P + "/similar/{request}/follow/", ok=302
    ),
    *following_rows(
        "requests pages: stop following it",
        "POST",
        P + "/similar/{request}/unfollow/",
        ok=302,
    ),
    Row(
        "requests pages: a community's desk",
        "GET",
        W + "/?community={area}",
        needs=VIEW,
        places="community other_community",
    ),
    Row(
        "requests pages: a street's desk",
        "GET",
        W + "/street/?street={area}",
        needs=DISPATCH,
        places="street",
    ),
    Row(
        "requests pages: raise for a resident",
        "GET",
        W + "/new/?community={area}",
        needs="perm:request.raise",
        places="community other_community",
    ),
    Row(
        "requests pages: a request",
        "GET",
        W + "/{request}/",
        needs=VIEW,
        places=PLACED,
    ),
    Row(
        "requests pages: reject a request",
        "POST",
        W + "/{request}/reject/",
        needs=DISPATCH,
        ok=302,
        places=PLACED,
        body={"reason": MARK},
    ),
]
