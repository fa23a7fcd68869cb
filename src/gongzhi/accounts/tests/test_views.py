"""Grant, revoke, create accounts and change passwords from the workbench."""

import pytest

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.services import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(demo_street):
    return user_create(
        phone="13900001111", name="新网格员", password="Newcomer#2026", by=None
    )


def test_secretary_grants_a_grid_role_then_revokes_it(client, users, areas, newcomer):
    client.force_login(users["secretary"])
    form = client.get(f"/accounts/grants/new/{areas['grid'].pk}/").content.decode()
    assert 'value="grid_worker"' in form
    assert 'value="secretary"' not in form  # above what she may hand out

    response = client.post(
        f"/accounts/grants/new/{areas['grid'].pk}/",
        {"phone": "139 0000 1111", "role": "grid_worker"},
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user=newcomer, revoked_at__isnull=True)
    assert (grant.area, grant.role) == (areas["grid"], "grid_worker")

    listing = client.get(f"/accounts/grants/?area={areas['grid'].pk}").content.decode()
    assert "新网格员" in listing and "139****1111" in listing
    assert "13900001111" not in listing

    client.post(f"/accounts/grants/{grant.pk}/revoke/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert grant.revoked_by == users["secretary"]


def test_granting_to_an_unknown_phone_says_to_create_the_account(client, users, areas):
    client.force_login(users["secretary"])
    response = client.post(
        f"/accounts/grants/new/{areas['grid'].pk}/",
        {"phone": "13911112222", "role": "grid_worker"},
    )
    assert response.status_code == 400
    assert (
        not Grant.objects.filter(area=areas["grid"], role="grid_worker")
        .exclude(user=users["grid_worker"])
        .exists()
    )


def test_forged_post_of_a_role_she_may_not_grant_changes_nothing(
    client, users, areas, newcomer
):
    client.force_login(users["secretary"])
    response = client.post(
        f"/accounts/grants/new/{areas['community'].pk}/",
        {"phone": "13900001111", "role": "secretary"},
    )
    assert response.status_code == 400
    assert not newcomer.grants.exists()


def test_system_admin_creates_an_account_that_sees_nothing_until_granted(client, users):
    client.force_login(users["system_admin"])
    response = client.post(
        "/accounts/new/",
        {"phone": "13700000001", "name": "王小明", "password": "Xiaoming#2026"},
    )
    assert response.status_code == 302
    created = User.objects.get(name="王小明")
    assert created.check_password("Xiaoming#2026")
    client.force_login(created)
    assert client.get("/workbench/").status_code == 404
    portal = client.get("/portal/").content.decode()
    assert 'class="empty"' in portal  # "not linked to a household yet"
    assert "航院小区" not in portal


def test_account_creation_refuses_a_duplicate_phone_and_weak_password(client, users):
    client.force_login(users["system_admin"])
    before = User.objects.count()
    response = client.post(
        "/accounts/new/",
        {"phone": "13800000005", "name": "重复", "password": "Another#2026"},
    )
    assert response.status_code == 400
    response = client.post(
        "/accounts/new/",
        {"phone": "13700000002", "name": "弱密码", "password": "12345678"},
    )
    assert response.status_code == 400
    assert User.objects.count() == before


def test_only_the_system_admin_may_create_accounts(client, users):
    client.force_login(users["secretary"])
    assert client.get("/accounts/new/").status_code == 404


def test_password_change_needs_the_current_password(client, users):
    user = users["grid_worker"]
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password": "Brand-new#2026"},
    )
    assert response.status_code == 400
    response = client.post(
        "/accounts/password/",
        {"old_password": "Gongzhi@2026", "new_password": "Brand-new#2026"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new#2026")
    # Still logged in after the change.
    assert client.get("/workbench/").status_code == 200
