"""Scoping rows: 诉求设置 (categories, departments, who works a queue) and
转为诉求 from a care visit.

Set-up needs request.configure where the category, department or queue
is: the API answers 403 where the caller sees it without, 404 elsewhere
(a place named in a body: 400, as for one that does not exist); the pages
answer 404 to anyone without it. ``{setup_category}`` is a category of
the named street or community, ``{department}`` a department of the named
street, ``{handler}`` someone working the matrix team of the named
community (``{team}``, from the volunteering rows); each 0 elsewhere.
``{visit}`` is the residents rows' care visit to the named household.
"""

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.requests.models import Category, Department, Handler
from gongzhi.seeding import demo
from gongzhi.volunteering.models import Team
from tests.test_scoping_matrix import Row

R = "/api/v1/requests"
W = "/workbench/requests"
MARK = "矩阵"
CONFIGURE = "perm:request.configure"
PLACES = "street community other_community"
COMMUNITIES = "community other_community"
UNIT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "unit")
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")


def setup_category_at(area) -> int:
    if area.kind not in (Kind.STREET, Kind.COMMUNITY):
        return 0
    category, _made = Category.objects.get_or_create(
        area=area,
        code="matrix-setup",
        defaults={"name": MARK, "response_hours": 2, "resolve_hours": 24},
    )
    return category.pk


def department_at(area) -> int:
    if area.kind != Kind.STREET:
        return 0
    department, _made = Department.objects.get_or_create(street=area, name=MARK)
    return department.pk


def handler_at(area) -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    team, _made = Team.objects.get_or_create(
        area=area, name=MARK, defaults={"kind": "repair"}
    )
    # The demo resident: holding no unit role, she works no queue for it.
    user = user_find_by_phone(phone=RESIDENT_PHONE)
    handler, _made = Handler.objects.get_or_create(team=team, user=user, ended_at=None)
    return handler.pk


PLACE_NAMES = {
    "setup_category": setup_category_at,
    "department": department_at,
    "handler": handler_at,
}

ROWS = [
    Row(
        "requests setup: create a category",
        "POST",
        R + "/categories",
        api=True,
        needs=CONFIGURE,
        ok=201,
        seen=403,
        outside=400,
        places=PLACES,
        body={
            "area_id": "{area}",
            "code": "matrix-new",
            "name": MARK,
            "response_hours": 2,
            "resolve_hours": 24,
        },
    ),
    Row(
        "requests setup: change a category",
        "PATCH",
        R + "/categories/{setup_category}",
        api=True,
        needs=CONFIGURE,
        seen=403,
        places=PLACES,
        body={"name": "矩阵改名"},
    ),
    Row(
        "requests setup: a street's departments",
        "GET",
        R + "/departments?street_id={area}",
        api=True,
        needs="perm:request.view",
        seen=403,
        places="street",
    ),
    Row(
        "requests setup: add a department",
        "POST",
        R + "/departments",
        api=True,
        needs=CONFIGURE,
        ok=201,
        seen=403,
        outside=400,
        places="street",
        body={"street_id": "{area}", "name": "矩阵科"},
    ),
    Row(
        "requests setup: who works a team's queue",
        "GET",
        R + "/handlers?team_id={team}",
        api=True,
        needs=CONFIGURE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "requests setup: who works a department's queue",
        "GET",
        R + "/handlers?department_id={department}",
        api=True,
        needs=CONFIGURE,
        seen=403,
        places="street",
    ),
    Row(
        "requests setup: add a handler",
        "POST",
        R + "/handlers",
        api=True,
        needs=CONFIGURE,
        ok=201,
        seen=403,
        outside=400,
        # The demo unit login holds the unit role in 三盛里 only.
        places="community",
        body={"team_id": "{team}", "phone": UNIT_PHONE},
    ),
    Row(
        "requests setup: end a handler",
        "POST",
        R + "/handlers/{handler}/end",
        api=True,
        needs=CONFIGURE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "requests setup pages: categories",
        "GET",
        W + "/setup/?area={area}",
        needs=CONFIGURE,
        places=PLACES,
    ),
    Row(
        "requests setup pages: a category",
        "GET",
        W + "/setup/categories/{setup_category}/",
        needs=CONFIGURE,
        places=PLACES,
    ),
    Row(
        "requests setup pages: change a category",
        "POST",
        W + "/setup/categories/{setup_category}/",
        needs=CONFIGURE,
        ok=302,
        places=PLACES,
        body={
            "name": "矩阵改名",
            "urgency": "normal",
            "response_hours": "2",
            "resolve_hours": "24",
            "dispatch_mode": "assign",
            "auto_close_days": "7",
            "active": "on",
        },
    ),
    Row(
        "requests setup pages: departments",
        "GET",
        W + "/setup/departments/?street={area}",
        needs=CONFIGURE,
        places="street",
    ),
    Row(
        "requests setup pages: add a department",
        "POST",
        W + "/setup/departments/",
        needs=CONFIGURE,
        ok=302,
        places="street",
        body={"street": "{area}", "name": "矩阵科"},
    ),
    Row(
        "requests setup pages: a team's handlers",
        "GET",
        W + "/setup/handlers/team/{team}/",
        needs=CONFIGURE,
        places=COMMUNITIES,
    ),
    Row(
        "requests setup pages: a department's handlers",
        "GET",
        W + "/setup/handlers/department/{department}/",
        needs=CONFIGURE,
        places="street",
    ),
    Row(
        "requests setup pages: end a handler",
        "POST",
        W + "/setup/handlers/{handler}/end/",
        needs=CONFIGURE,
        ok=302,
        places=COMMUNITIES,
    ),
    # 转为诉求: the visit's page must be open to the login (personal.view)
    # and the household in her reach for request.raise. The demo
    # resident's own household is left out: she raises there but may not
    # read visits.
    Row(
        "requests pages: raise from a care visit",
        "GET",
        W + "/from-visit/{visit}/",
        needs="perm:request.raise",
        places="neighbour_household other_household",
    ),
]
