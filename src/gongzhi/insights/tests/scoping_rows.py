"""Scoping rows: the three rates (三率), read from the rollups (their API
and page keep the paths they had under requests).

The API takes a district, a street or a community (a place below a
community is a field error, 400, so only those are asked): request.view
there answers 200, seeing it without request.view 403, elsewhere 404.
The page needs request.view somewhere and shows only what is in reach,
whatever area it is asked for.
"""

from tests.test_scoping_matrix import Row

R = "/api/v1/requests/rates"
VIEW = "perm:request.view"
AREAS = "district street community other_community"

ROWS = [
    Row(
        "requests: the three rates",
        "GET",
        R + "?area_id={area}&group_by=team",
        api=True,
        needs=VIEW,
        seen=403,
        places=AREAS,
    ),
    Row(
        "requests: the three rates' ranking",
        "GET",
        R + "/ranking?area_id={area}&by=team&rate=response",
        api=True,
        needs=VIEW,
        seen=403,
        places=AREAS,
    ),
    Row(
        "requests: the three rates page",
        "GET",
        "/workbench/requests/rates/",
        needs="anywhere:request.view",
    ),
]
