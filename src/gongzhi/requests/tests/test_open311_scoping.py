"""Scoping of the Open311 POST, for every demo login at every named place
of the demo street: an api_key reports where its login may raise requests
(request.raise at the place, a community or below) and nowhere else.

The project's matrix (tests/test_scoping_matrix.py) does not take these
rows: its API rows authenticate with a bearer header and expect 401 when
anonymous, where GeoReport v2 sends ``api_key`` in the form and answers
403. So the same REACH table is walked here.
"""

import pytest
from django.db import transaction

from gongzhi.accounts.roles import Perm, perms_for
from gongzhi.accounts.services import token_issue
from gongzhi.requests.models import Category, ServiceRequest
from gongzhi.requests.services.raising import PLACE_KINDS
from tests.test_scoping_matrix import REACH


@pytest.fixture
def everywhere(db):
    return Category.objects.create(
        area=None, code="matrix", name="矩阵", response_hours=2, resolve_hours=24
    )


def _post(client, raw, area):
    with transaction.atomic():
        response = client.post(
            "/open311/v2/requests.json",
            {
                "api_key": raw,
                "service_code": "matrix",
                "address_id": str(area.pk),
                "description": "矩阵",
            },
        )
        transaction.set_rollback(True)
    return response.status_code


@pytest.mark.parametrize("key", sorted(REACH))
def test_a_key_reports_only_where_its_login_may_raise(
    client, users, areas, everywhere, key
):
    reach = REACH[key]
    raw, _token = token_issue(user=users[key])
    may_raise = Perm.REQUEST_RAISE in perms_for(reach.role)
    inside = reach.places(f"perm:{Perm.REQUEST_RAISE}")
    wrong = []
    for place, area in sorted(areas.items()):
        if not may_raise:
            expected = 403  # the key may not raise anywhere
        elif place in inside and area.kind in PLACE_KINDS:
            expected = 200
        else:
            expected = 400  # "address_id: no such place in your area"
        got = _post(client, raw, area)
        if got != expected:
            wrong.append((place, got, expected))
    assert wrong == [], f"{key}: (place, got, expected)"
    assert not ServiceRequest.objects.exists()
