"""Scoping of merging a duplicate (POST /api/v1/requests/{id}/merge).

The matrix (tests/test_scoping_matrix.py) takes no row for it: the request
merged into is looked up among those the caller may open before the
duplicate is, so a login who sees the place without request.view is told
``into_id`` is not found (400) where one with request.view but not
request.dispatch is refused (403), and the matrix's rows answer one code
for both. Here each case is told apart, inside the area and outside it.
"""

import pytest

from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.states import Status

from .conftest import raise_wall

R = "/api/v1/requests"


@pytest.fixture
def pair(world):
    """Two reports of the same wall in 三盛里, and one of 裕华园's."""
    first, second = raise_wall(world), raise_wall(world)
    theirs = raise_wall(
        world,
        category=world.light,
        area=world.areas["other_household"],
        reporter=world.other,
        by=world.users["other_grid_worker"],
    )
    return first, second, theirs


def _merge(api_client, user, item, into):
    api_client.login_api(user)
    return api_client.post(
        f"{R}/{item.pk}/merge",
        {"into_id": into.pk},
        content_type="application/json",
    )


def _status(item) -> str:
    return ServiceRequest.objects.get(pk=item.pk).status


def test_a_dispatcher_merges_a_duplicate_of_her_community(api_client, world, pair):
    first, second, _theirs = pair
    response = _merge(api_client, world.staff, second, first)
    assert response.status_code == 200
    assert response.json()["status"] == Status.MERGED
    assert _status(second) == Status.MERGED


def test_one_who_may_open_it_but_not_dispatch_is_refused(api_client, world, pair):
    first, second, _theirs = pair
    response = _merge(api_client, world.grid_worker, second, first)
    assert response.status_code == 403
    assert _status(second) == Status.SUBMITTED


def test_one_who_sees_the_place_without_request_view_finds_no_request(
    api_client, world, pair
):
    first, second, _theirs = pair
    response = _merge(api_client, world.users["security_admin"], second, first)
    assert response.status_code == 400
    assert response.json()["field"] == "into_id"
    assert _status(second) == Status.SUBMITTED


def test_outside_her_area_a_request_is_not_found(api_client, world, pair):
    first, second, theirs = pair
    other = world.users["other_grid_worker"]
    # The duplicate outside her area, into one of hers: as for none.
    assert _merge(api_client, other, second, theirs).status_code == 404
    # Into a request outside her area: that one is not found.
    into_elsewhere = _merge(api_client, world.staff, second, theirs)
    assert into_elsewhere.status_code == 400
    assert into_elsewhere.json()["field"] == "into_id"
    assert _status(second) == Status.SUBMITTED
    assert _status(theirs) == Status.SUBMITTED
