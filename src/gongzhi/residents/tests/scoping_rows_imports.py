"""Scoping rows: Excel import and export.

The pages and endpoints take an optional place (``?area=``, ``area_id``):
the import's addresses are looked up under it, the export lists the people
under it. Naming a place outside the login's reach answers 404; the API
answers 403 where the place is seen but the role lacks the permission.
Uploads without a file are reached, then refused (400).
"""

from tests.test_scoping_matrix import Row

IMPORT = "perm:resident.import"

ROWS = [
    Row("import page", "GET", "/workbench/residents/import/?area={area}", needs=IMPORT),
    Row(
        "import upload without a file",
        "POST",
        "/workbench/residents/import/?area={area}",
        needs=IMPORT,
        ok=400,
    ),
    Row(
        "import template",
        "GET",
        "/workbench/residents/import/template.xlsx?area={area}",
        needs=IMPORT,
    ),
    Row(
        "people export",
        "GET",
        "/workbench/residents/people/export.xlsx?area={area}",
        needs="perm:personal.view",
    ),
    Row(
        "people export in full: the page asking why",
        "GET",
        "/workbench/residents/people/export.xlsx?area={area}&full=1",
        needs=IMPORT,
    ),
    Row(
        "people export in full, with the reason",
        "POST",
        "/workbench/residents/people/export.xlsx?area={area}&full=1",
        needs=IMPORT,
        body={"reason": "矩阵核对"},
    ),
    Row(
        "api import without a file",
        "POST",
        "/api/v1/residents/imports?area_id={area}",
        api=True,
        needs=IMPORT,
        ok=400,
        seen=403,
    ),
    Row(
        "api import template",
        "GET",
        "/api/v1/residents/imports/template?area_id={area}",
        api=True,
        needs=IMPORT,
        seen=403,
    ),
    Row(
        "api people export",
        "GET",
        "/api/v1/residents/people/export?area_id={area}",
        api=True,
        needs="perm:personal.view",
        seen=403,
    ),
    Row(
        "api people export in full",
        "GET",
        "/api/v1/residents/people/export?area_id={area}&full=true&reason=matrix",
        api=True,
        needs=IMPORT,
        seen=403,
    ),
]
PLACE_NAMES = {}
