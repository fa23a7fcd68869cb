"""Scoping rows: the 房屋产权 pages and endpoints.

A place's list and its export read where the login sees personal data; a
household's page too, its forms post where she manages residents; the
import and template where she imports them. A household's page is a
household's: the rows name the three households of the demo. Outside,
404; the API answers 403 where the place is seen but the role lacks the
permission. ``{property_owner}`` is a current owner of the place's household.
"""

from gongzhi.residents.idnumbers import check_char
from tests.test_scoping_matrix import Row

VIEW = "perm:personal.view"
MANAGE = "perm:resident.manage"
IMPORT = "perm:resident.import"
W = "/workbench/residents/properties/"
API = "/api/v1/residents/properties"
HOUSEHOLDS = "household neighbour_household other_household"
_FIRST17 = "11010519700707051"
OWNER_ID = _FIRST17 + check_char(_FIRST17)


def owner_at(area) -> int:
    from gongzhi.residents.models import Owner

    owner = Owner.objects.filter(property__area=area, until__isnull=True).first()
    return owner.pk if owner else 0


ROWS = [
    Row("properties: list of a place", "GET", W + "?area={area}", needs=VIEW),
    Row("properties: list, first estate", "GET", W, needs="anywhere:personal.view"),
    Row(
        "properties: a household's page",
        "GET",
        W + "{area}/",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    Row(
        "properties: floor area form post",
        "POST",
        W + "{area}/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"action": "property", "floor_area": "88.8"},
    ),
    Row(
        "properties: end an ownership",
        "POST",
        W + "{area}/owners/{property_owner}/end/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
    ),
    Row("properties: import page", "GET", W + "import/?area={area}", needs=IMPORT),
    Row(
        "properties: import without a file",
        "POST",
        W + "import/?area={area}",
        needs=IMPORT,
        ok=400,
    ),
    Row(
        "properties: import template",
        "GET",
        W + "import/template.xlsx?area={area}",
        needs=IMPORT,
    ),
    Row("properties: export", "GET", W + "export.xlsx?area={area}", needs=VIEW),
    Row(
        "api properties: list",
        "GET",
        API + "?area_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "api properties: one household",
        "GET",
        API + "/{area}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api properties: set the floor area",
        "PUT",
        API + "/{area}",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"floor_area": "88.8"},
    ),
    Row(
        "api properties: add an owner living elsewhere",
        "POST",
        API + "/{area}/owners",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=HOUSEHOLDS,
        body={"name": "矩阵业主", "id_number": OWNER_ID},
    ),
    Row(
        "api properties: end an ownership",
        "POST",
        API + "/{area}/owners/{property_owner}/end",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api properties: import without a file",
        "POST",
        API + "/imports?area_id={area}",
        api=True,
        needs=IMPORT,
        ok=400,
        seen=403,
    ),
    Row(
        "api properties: import template",
        "GET",
        API + "/imports/template?area_id={area}",
        api=True,
        needs=IMPORT,
        seen=403,
    ),
    Row(
        "api properties: export",
        "GET",
        API + "/export?area_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
]
PLACE_NAMES = {"property_owner": owner_at}
