"""Scoping rows: requests (急难愁盼).

``{request}`` is a request waiting for dispatch placed at the named place
(a community or below; 0 elsewhere), in a platform-wide category, with a
contact phone; made on first use and rolled back with the test. Staff
lists and details need request.view where the request is placed; steps
need request.dispatch there (403 where the caller sees it without it);
the reveal needs personal.full. Raising needs request.raise at the place
(anywhere else is a field error, 400). A caller's own lists answer every
login, empty for those without requests or queues. Following (关注) is
for a resident, the open requests of her own community: anyone else is
refused as for a request she may not open (403 where she sees the place).
"""

from django.utils import timezone

from gongzhi.areas.models import Kind
from gongzhi.areas.tree import community_of
from gongzhi.core import crypto
from gongzhi.requests.models import Category, ServiceRequest
from tests.test_scoping_matrix import Row

R = "/api/v1/requests"
MARK = "矩阵"
PLACED = (
    "community other_community grid sibling_grid other_grid estate building "
    "entrance household neighbour_household other_household"
)
# The demo resident's community, and the rest of the street.
HER_COMMUNITY = (
    "community grid sibling_grid estate building entrance household neighbour_household"
)
ELSEWHERE = "other_community other_grid other_household"
VIEW = "perm:request.view"
DISPATCH = "perm:request.dispatch"


def _category() -> Category:
    category, _made = Category.objects.get_or_create(
        area=None,
        code="matrix",
        defaults={"name": MARK, "response_hours": 2, "resolve_hours": 24},
    )
    return category


def category_at(area) -> int:
    return _category().pk


def request_at(area) -> int:
    if area.kind in (Kind.DISTRICT, Kind.STREET):
        return 0
    found = ServiceRequest.objects.filter(area=area, description=MARK).first()
    if found is None:
        now = timezone.now()
        found = ServiceRequest.objects.create(
            number=f"GZM{area.pk:012d}",
            category=_category(),
            area=area,
            community=community_of(area),
            description=MARK,
            contact_phone_encrypted=crypto.encrypt("13912340000"),
            channel="staff",
            created_at=now,
            updated_at=now,
        )
    return found.pk


PLACE_NAMES = {"request": request_at, "category": category_at}


def following_rows(name: str, method: str, url: str, **kwargs) -> list[Row]:
    """Following: the resident's for the requests of her community; the
    same refused to everyone for those of another."""
    elsewhere = {key: value for key, value in kwargs.items() if key != "ok"}
    api = url.startswith(R)
    return [
        Row(
            f"{name}: her community",
            method,
            url,
            api=api,
            needs="follows",
            places=HER_COMMUNITY,
            **kwargs,
        ),
        Row(
            f"{name}: another community",
            method,
            url,
            api=api,
            needs="nobody",
            places=ELSEWHERE,
            **elsewhere,
        ),
    ]


ROWS = [
    Row(
        "requests: categories at a place",
        "GET",
        R + "/categories?area_id={area}",
        api=True,
    ),
    Row(
        "requests: raise",
        "POST",
        R,
        api=True,
        needs="perm:request.raise",
        ok=201,
        seen=400,
        outside=400,
        # A resident reports anywhere in her own community (her building
        # too), so only households are asked here.
        places="household other_household",
        body={"category_id": "{category}", "area_id": "{area}", "description": MARK},
    ),
    Row("requests: my requests", "GET", R + "/mine", api=True, needs="login"),
    Row("requests: my queue", "GET", R + "/queue", api=True, needs="login"),
    Row("requests: my teams' pool", "GET", R + "/pool", api=True, needs="login"),
    Row(
        "requests: staff list",
        "GET",
        R + "?area_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "requests: a community's dispatching desk",
        "GET",
        R + "/communities/{area}/queue",
        api=True,
        needs=DISPATCH,
        seen=403,
        places="community other_community",
    ),
    Row(
        "requests: a street's desk",
        "GET",
        R + "/streets/{area}/queue",
        api=True,
        needs=DISPATCH,
        seen=403,
        places="street",
    ),
    Row(
        "requests: a request",
        "GET",
        R + "/{request}",
        api=True,
        needs=VIEW,
        seen=403,
        places=PLACED,
    ),
    Row(
        "requests: a request's timeline",
        "GET",
        R + "/{request}/timeline",
        api=True,
        needs=VIEW,
        seen=403,
        places=PLACED,
    ),
    Row(
        "requests: reject",
        "POST",
        R + "/{request}/reject",
        api=True,
        needs=DISPATCH,
        seen=403,
        places=PLACED,
        body={"reason": MARK},
    ),
    Row(
        "requests: escalate",
        "POST",
        R + "/{request}/escalate",
        api=True,
        needs=DISPATCH,
        seen=403,
        places=PLACED,
        body={"note": MARK},
    ),
    Row(
        "requests: accept (only the assignee's handlers)",
        "POST",
        R + "/{request}/accept",
        api=True,
        needs=VIEW,  # who opens it is told its status allows no accept
        ok=409,
        seen=403,
        places=PLACED,
        body={},
    ),
    Row("requests: what I follow", "GET", R + "/following", api=True, needs="login"),
    *following_rows(
        "requests: follow", "POST", R + "/{request}/follow", ok=201, seen=403
    ),
    *following_rows(
        "requests: stop following (none followed: nothing changes)",
        "DELETE",
        R + "/{request}/follow",
        ok=204,
        seen=403,
    ),
    Row(
        "requests: the reporter's phone revealed on the page",
        "POST",
        "/workbench/requests/{request}/phone/",
        needs="perm:personal.full",
        places=PLACED,
    ),
    Row(
        "requests: reveal the reporter's phone",
        "POST",
        R + "/{request}/reveal",
        api=True,
        needs="perm:personal.full",
        seen=403,
        places=PLACED,
    ),
]

# The pages and the settings keep their rows beside their own tests
# (the three rates' are in insights).
from .scoping_rows_pages import ROWS as PAGE_ROWS  # noqa: E402
from .scoping_rows_setup import PLACE_NAMES as SETUP_NAMES  # noqa: E402
from .scoping_rows_setup import ROWS as SETUP_ROWS  # noqa: E402
from .scoping_rows_steps import PLACE_NAMES as STEP_NAMES  # noqa: E402
from .scoping_rows_steps import ROWS as STEP_ROWS  # noqa: E402

ROWS += PAGE_ROWS + SETUP_ROWS + STEP_ROWS
PLACE_NAMES.update(SETUP_NAMES)
PLACE_NAMES.update(STEP_NAMES)
