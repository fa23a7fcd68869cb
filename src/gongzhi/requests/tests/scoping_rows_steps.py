"""Scoping rows: every step of the workflow, on the API and the pages.

Each step is taken on ``{request}``, the matrix's request waiting for
dispatch (see ``scoping_rows``). A step is looked up among the requests the
caller may open first: outside reach it answers 404, where she sees the
place without request.view 403 (the pages: 404). Then the transition
table decides, the request's status first and who may act second
(``services.workflow.check``): a step a waiting request cannot take answers
409 to everyone who may open it, which still proves where it reaches; a
step it can take answers 403 to those without request.dispatch, and the
step's own answer to those with it. ``{request_team}`` is the matrix team
of the request's community and ``{request_department}`` the matrix
department of its street, for the steps naming one (both are looked up
before the request, so they must exist). ``{request_photo}`` is a photo of
the request (the matrix's one stored photo). The lead merges ``ROWS`` and
``PLACE_NAMES`` into ``scoping_rows``.
"""

from gongzhi.areas.tree import community_of, street_of
from gongzhi.requests.models import PhotoKind, RequestPhoto
from gongzhi.requests.tests.scoping_rows_setup import department_at
from gongzhi.volunteering.tests.scoping_rows import matrix_photo, team_at
from tests.test_scoping_matrix import Row

from .scoping_rows import (
    DISPATCH,
    ELSEWHERE,
    HER_COMMUNITY,
    MARK,
    PLACED,
    VIEW,
    request_at,
)

R = "/api/v1/requests"
W = "/workbench/requests"
P = "/portal/requests"


def request_team_at(area) -> int:
    community = community_of(area)
    return team_at(community) if community is not None else 0


def request_department_at(area) -> int:
    street = street_of(area)
    return department_at(street) if street is not None else 0


def request_photo_at(area) -> int:
    pk = request_at(area)
    if not pk:
        return 0
    photo = RequestPhoto.objects.filter(request_id=pk).first()
    if photo is None:
        photo = RequestPhoto.objects.create(
            request_id=pk, kind=PhotoKind.REPORT, image=matrix_photo()
        )
    return photo.pk


PLACE_NAMES = {
    "request_team": request_team_at,
    "request_department": request_department_at,
    "request_photo": request_photo_at,
}


def _refused_step(name: str, step: str, body: dict) -> Row:
    """A step a waiting request cannot take: 409 to whoever may open it."""
    return Row(
        f"requests: {name} (a waiting request cannot)",
        "POST",
        f"{R}/{{request}}/{step}",
        api=True,
        needs=VIEW,
        ok=409,
        seen=403,
        places=PLACED,
        body=body,
    )


ROWS = [
    # Suggested duplicates while raising: a place she sees, or (a
    # resident) anywhere in her own community; staff answer as they see.
    Row(
        "requests: duplicates at a place",
        "GET",
        R + "/duplicates?category_id={category}&area_id={area}",
        api=True,
        places="district street " + ELSEWHERE,
    ),
    Row(
        "requests: duplicates in her own community",
        "GET",
        R + "/duplicates?category_id={category}&area_id={area}",
        api=True,
        needs="follows",
        seen=200,  # staff see the place: the same answer
        places=HER_COMMUNITY,
    ),
    Row(  # no photos sent: reached, then refused naming the field
        "requests: add photos",
        "POST",
        R + "/{request}/photos",
        api=True,
        needs=VIEW,
        ok=400,
        seen=403,
        places=PLACED,
    ),
    Row(
        "requests: dispatch to a team",
        "POST",
        R + "/{request}/dispatch",
        api=True,
        needs=DISPATCH,
        seen=403,
        places=PLACED,
        body={"team_id": "{request_team}"},
    ),
    Row(  # no team takes the matrix category from a pool: refused, 400
        "requests: put in the pool",
        "POST",
        R + "/{request}/pool",
        api=True,
        needs=DISPATCH,
        ok=400,
        seen=403,
        places=PLACED,
    ),
    _refused_step("take", "take", {"team_id": "{request_team}"}),
    _refused_step("contact", "contact", {}),
    _refused_step("return", "return", {"reason": MARK}),
    _refused_step(
        "transfer", "transfer", {"team_id": "{request_team}", "reason": MARK}
    ),
    _refused_step("decide a transfer", "transfer/decide", {"approve": True}),
    _refused_step(
        "street dispatch",
        "street-dispatch",
        {"department_id": "{request_department}"},
    ),
    _refused_step("start", "start", {}),
    Row(  # a form with photos: sent as one
        "requests: resolve (a waiting request cannot)",
        "POST",
        R + "/{request}/resolve",
        api=True,
        needs=VIEW,
        ok=409,
        seen=403,
        places=PLACED,
        body={"resolution": MARK},
        multipart=True,
    ),
    _refused_step("rate", "rate", {"rating": "satisfied"}),
    _refused_step("reopen", "reopen", {"reason": MARK}),
    _refused_step("call back", "callback", {"reached": True, "rating": "satisfied"}),
    # The pages
    Row("requests pages: my work", "GET", W + "/mine/", needs="workbench"),
    Row("requests pages: the pool", "GET", W + "/pool/", needs="workbench"),
    Row(
        "requests pages: find a resident to raise for",
        "GET",
        W + "/new/people/?community={area}&q=王",
        needs="perm:request.raise",
        places="community other_community",
    ),
    Row(  # none of her teams takes it: back to the pool with a message
        "requests pages: take from the pool",
        "POST",
        W + "/{request}/take/",
        needs=VIEW,
        ok=302,
        places=PLACED,
    ),
    Row(
        "requests pages: a request's photo",
        "GET",
        W + "/{request}/photos/{request_photo}/",
        needs=VIEW,
        places=PLACED,
    ),
    # The portal's steps are the reporter's: the matrix request has none.
    Row(
        "requests pages: a photo on the portal",
        "GET",
        P + "/{request}/photos/{request_photo}/",
        needs="own_requests",
        places=PLACED,
    ),
    Row(
        "requests pages: rate on the portal",
        "POST",
        P + "/{request}/rate/",
        needs="own_requests",
        places=PLACED,
        body={"rating": "satisfied"},
    ),
    Row(
        "requests pages: reopen on the portal",
        "POST",
        P + "/{request}/reopen/",
        needs="own_requests",
        places=PLACED,
        body={"reason": MARK},
    ),
    Row(  # any login: a list, empty for a place outside her community
        "requests pages: duplicates while raising on the phone",
        "GET",
        P + "/duplicates/?category={category}&area={area}",
        needs="follows",
        places="household other_household",
    ),
]
