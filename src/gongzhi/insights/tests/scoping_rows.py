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

# The 数据大屏 (insights.view): its pages, JSON and downloads, and every
# panel over the API, for a district, a street or a community (a place
# below a community is a field error, so only those are asked). Seeing
# the place without insights.view answers 404, as does elsewhere.
SCREEN = "/workbench/insights/screen/"
INSIGHTS_API = "/api/v1/insights"
INSIGHTS = "perm:insights.view"
PANELS = ("tree", "trends", "categories", "rates", "care", "volunteering", "points")

ROWS += [
    Row(
        "insights: the data screen's front door",
        "GET",
        SCREEN,
        needs="anywhere:insights.view",
        ok=302,
    ),
    Row(
        "insights: a data screen",
        "GET",
        SCREEN + "{area}/",
        needs=INSIGHTS,
        places=AREAS,
    ),
    Row(
        "insights: a data screen's JSON",
        "GET",
        SCREEN + "{area}/data.json",
        needs=INSIGHTS,
        places=AREAS,
    ),
    Row(
        "insights: a data screen's workbook",
        "GET",
        SCREEN + "{area}/download",
        needs=INSIGHTS,
        places=AREAS,
    ),
    Row(
        "insights: a data screen's chart as CSV",
        "GET",
        SCREEN + "{area}/download?format=csv&panel=trends",
        needs=INSIGHTS,
        places=AREAS,
    ),
    Row(
        "insights: the comparison page",
        "GET",
        "/workbench/insights/compare/",
        needs="anywhere:insights.view",
    ),
    Row(
        "insights: every panel at once",
        "GET",
        INSIGHTS_API + "/areas/{area}/screen",
        api=True,
        needs=INSIGHTS,
        places=AREAS,
    ),
    *(
        Row(
            f"insights: the {panel} panel",
            "GET",
            INSIGHTS_API + f"/areas/{{area}}/{panel}",
            api=True,
            needs=INSIGHTS,
            places=AREAS,
        )
        for panel in PANELS
    ),
    Row(
        "insights: a street's communities side by side",
        "GET",
        INSIGHTS_API + "/compare?area_id={area}",
        api=True,
        needs=INSIGHTS,
        places="district street",
    ),
]
