"""Accounts, grants and API tokens: what the services accept, refuse and
record."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from gongzhi.accounts.models import ApiToken, Grant, User, token_digest
from gongzhi.accounts.selectors import user_can, user_find_by_phone
from gongzhi.accounts.services import (
    grant_create,
    grant_revoke,
    token_authenticate,
    token_issue,
    token_revoke,
    user_create,
    user_set_password,
)
from gongzhi.audit.models import Event
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.seeding.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PASSWORD = "Newcomer#2026"


def _users_and_events():
    return (
        list(User.objects.order_by("pk").values_list("pk", "phone_index", "password")),
        Event.objects.count(),
    )


def _grants_and_events():
    return (
        list(
            Grant.objects.order_by("pk").values_list(
                "pk", "user_id", "area_id", "role", "revoked_at"
            )
        ),
        Event.objects.count(),
    )


@pytest.fixture
def newcomer(demo_street):
    return user_create(phone="13900001111", name="新人", password=PASSWORD, by=None)


# user_create


@pytest.mark.parametrize(
    "raw",
    ["+86 139 0000 1111", "139-0000-1111", "0086 13900001111", " 13900001111 "],
)
def test_a_phone_number_is_stored_without_prefix_spaces_or_dashes(db, raw):
    user = user_create(phone=raw, name="新人", password=PASSWORD, by=None)
    assert user.phone == "13900001111"
    assert user_find_by_phone(phone="13900001111") == user


@pytest.mark.parametrize(
    "raw",
    ["12345", "2381234567", "1380000000a", "12800000000", "138000000001", "", "   "],
    ids=["short", "ten digits", "letter", "second digit 2", "twelve", "empty", "blank"],
)
def test_a_malformed_phone_number_is_refused_and_no_account_is_made(db, raw):
    with pytest.raises(ValidationFailed) as refused:
        user_create(phone=raw, name="新人", password=PASSWORD, by=None)
    assert refused.value.field == "phone"
    assert not User.objects.exists()


def test_a_phone_number_already_registered_is_refused_in_any_spelling(newcomer):
    before = _users_and_events()
    with pytest.raises(ValidationFailed) as refused:
        user_create(phone="+86 139-0000-1111", name="别人", password=PASSWORD, by=None)
    assert refused.value.field == "phone"
    assert _users_and_events() == before


@pytest.mark.parametrize(
    "password",
    ["Ab1!", "12345678901", "password", "13900001111"],
    ids=["too short", "all digits", "common", "the phone number"],
)
def test_a_weak_password_is_refused(db, password):
    with pytest.raises(ValidationFailed) as refused:
        user_create(phone="13900001111", name="新人", password=password, by=None)
    assert refused.value.field == "password"
    assert not User.objects.exists()


def test_a_name_over_fifty_characters_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        user_create(phone="13900001111", name="名" * 51, password=PASSWORD, by=None)
    assert refused.value.field == "name"
    assert "51" in str(refused.value.message)
    assert not User.objects.exists()


def test_an_empty_name_is_refused(db):
    with pytest.raises(ValidationFailed) as refused:
        user_create(phone="13900001111", name="  ", password=PASSWORD, by=None)
    assert refused.value.field == "name"
    assert not User.objects.exists()


def test_the_system_admin_opens_accounts_and_the_trail_records_it(users):
    admin = users["system_admin"]
    user = user_create(phone="13900001111", name="新人", password=PASSWORD, by=admin)
    event = Event.objects.get(action="user_created")
    assert event.actor == admin
    assert event.target_id == str(user.pk)
    assert "13900001111" not in event.target_label  # masked: 139****1111
    assert "139****1111" in event.target_label


@pytest.mark.parametrize("key", ["secretary", "security_admin", "grid_worker"])
def test_roles_without_account_manage_may_not_open_accounts(users, key):
    before = _users_and_events()
    with pytest.raises(NotAllowed):
        user_create(phone="13900001111", name="新人", password=PASSWORD, by=users[key])
    assert _users_and_events() == before


def test_the_phone_number_is_encrypted_in_the_database_and_found_by_blind_index(
    newcomer,
):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone_index, phone_encrypted FROM accounts_user WHERE id = %s",
            [newcomer.pk],
        )
        index, encrypted = cursor.fetchone()
    for column in (index, encrypted):
        assert "13900001111" not in column
        assert "00001111" not in column
    assert index == crypto.blind_index("13900001111", purpose="phone")
    assert index != crypto.blind_index("13900001111", purpose="id_number")
    assert User.objects.get(phone_index=index) == newcomer
    assert crypto.decrypt(encrypted) == "13900001111"


def test_the_same_number_encrypts_differently_each_time(db):
    assert crypto.encrypt("13900001111") != crypto.encrypt("13900001111")


# Login


def _login(rf, phone, password):
    request = rf.post("/accounts/login/", {"phone": phone})
    return authenticate(request, phone=phone, password=password)


def test_login_by_phone_and_password_in_any_spelling_of_the_number(rf, users):
    for phone in ["13800000005", "+86 138 0000 0005", "138-0000-0005"]:
        assert _login(rf, phone, DEMO_PASSWORD) == users["grid_worker"]


def test_login_fails_with_a_wrong_password_or_an_unknown_number(rf, users):
    assert _login(rf, "13800000005", "not-the-password") is None
    assert _login(rf, "13911119999", DEMO_PASSWORD) is None
    assert _login(rf, "12345", DEMO_PASSWORD) is None


def test_five_failures_lock_the_number_out_of_authenticate(rf, users):
    for i in range(5):
        assert _login(rf, "13800000005", f"wrong-{i}") is None
    assert _login(rf, "+86 138 0000 0005", DEMO_PASSWORD) is None
    assert _login(rf, "13800000003", DEMO_PASSWORD) == users["secretary"]


def test_a_successful_login_forgets_earlier_failures(client, users):
    from axes.models import AccessAttempt

    for i in range(4):
        client.post("/accounts/login/", {"phone": "13800000005", "password": f"x{i}"})
    response = client.post(
        "/accounts/login/", {"phone": "13800000005", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    client.logout()
    client.post("/accounts/login/", {"phone": "13800000005", "password": "typo"})
    assert (
        _login(RequestFactory(), "13800000005", DEMO_PASSWORD) == users["grid_worker"]
    )


def test_a_disabled_account_cannot_log_in(rf, users):
    User.objects.filter(pk=users["grid_worker"].pk).update(is_active=False)
    assert _login(rf, "13800000005", DEMO_PASSWORD) is None


# grant_create: who may hand out what, where


def test_secretary_grants_a_grid_worker_on_a_grid_in_her_community(
    users, areas, newcomer
):
    secretary = users["secretary"]
    grant = grant_create(
        user=newcomer, area=areas["sibling_grid"], role="grid_worker", by=secretary
    )
    assert (grant.user, grant.area, grant.role) == (
        newcomer,
        areas["sibling_grid"],
        "grid_worker",
    )
    assert grant.granted_by == secretary and grant.is_active
    event = Event.objects.get(action="grant_created")
    assert event.actor == secretary
    assert event.detail == {"role": "grid_worker", "user": newcomer.pk}
    assert event.area_path == areas["sibling_grid"].path
    # The new grid worker reaches her grid at once, and nothing beside it.
    assert user_can(user=newcomer, perm="personal.view", area=areas["sibling_grid"])
    assert not user_can(user=newcomer, perm="area.view", area=areas["estate"])


def test_secretary_may_not_grant_the_secretary_role(users, areas, newcomer):
    before = _grants_and_events()
    with pytest.raises(NotAllowed):
        grant_create(
            user=newcomer,
            area=areas["community"],
            role="secretary",
            by=users["secretary"],
        )
    assert _grants_and_events() == before


def test_secretary_may_not_grant_in_another_community(users, areas, newcomer):
    before = _grants_and_events()
    with pytest.raises(ValidationFailed) as refused:
        grant_create(
            user=newcomer,
            area=areas["other_grid"],
            role="grid_worker",
            by=users["secretary"],
        )
    assert refused.value.field == "area"  # "no such area": nothing leaks
    assert _grants_and_events() == before


def test_nobody_grants_themselves_a_role(users, areas):
    before = _grants_and_events()
    with pytest.raises(NotAllowed):
        grant_create(
            user=users["secretary"],
            area=areas["grid"],
            role="grid_worker",
            by=users["secretary"],
        )
    assert _grants_and_events() == before


@pytest.mark.parametrize(
    ("role", "place"),
    [
        ("grid_worker", "estate"),
        ("resident", "building"),
        ("staff", "grid"),
        ("building_leader", "household"),
    ],
)
def test_a_role_on_the_wrong_kind_of_node_is_refused(
    users, areas, newcomer, role, place
):
    before = _grants_and_events()
    with pytest.raises(ValidationFailed) as refused:
        grant_create(user=newcomer, area=areas[place], role=role, by=users["secretary"])
    assert refused.value.field == "area"
    assert _grants_and_events() == before


def test_an_unknown_role_is_refused(users, areas, newcomer):
    before = _grants_and_events()
    with pytest.raises(ValidationFailed) as refused:
        grant_create(
            user=newcomer,
            area=areas["community"],
            role="emperor",
            by=users["secretary"],
        )
    assert refused.value.field == "role"
    assert _grants_and_events() == before


def test_a_role_the_user_already_holds_there_is_refused(users, areas):
    before = _grants_and_events()
    with pytest.raises(ValidationFailed) as refused:
        grant_create(
            user=users["grid_worker"],
            area=areas["grid"],
            role="grid_worker",
            by=users["secretary"],
        )
    assert refused.value.field == "role"
    assert _grants_and_events() == before


def test_a_revoked_role_can_be_granted_again(users, areas):
    secretary, worker = users["secretary"], users["grid_worker"]
    old = Grant.objects.get(user=worker, role="grid_worker")
    grant_revoke(grant=old, by=secretary)
    new = grant_create(
        user=worker, area=areas["grid"], role="grid_worker", by=secretary
    )
    assert new.pk != old.pk
    rows = Grant.objects.filter(user=worker, area=areas["grid"], role="grid_worker")
    assert rows.count() == 2
    assert rows.filter(revoked_at__isnull=True).get() == new


def test_no_role_is_granted_on_a_retired_node(users, areas, newcomer):
    from gongzhi.areas.services import area_retire

    area_retire(area=areas["sibling_grid"], by=users["secretary"])
    retired = type(areas["sibling_grid"]).objects.get(pk=areas["sibling_grid"].pk)
    before = _grants_and_events()
    with pytest.raises(ValidationFailed) as refused:
        grant_create(
            user=newcomer, area=retired, role="grid_worker", by=users["secretary"]
        )
    assert refused.value.field == "area"
    assert _grants_and_events() == before


def test_street_manager_may_appoint_a_secretary_but_not_a_street_manager(
    users, areas, newcomer
):
    boss = users["street_manager"]
    grant_create(
        user=newcomer, area=areas["other_community"], role="secretary", by=boss
    )
    before = _grants_and_events()
    with pytest.raises(NotAllowed):
        grant_create(
            user=newcomer, area=areas["street"], role="street_manager", by=boss
        )
    assert _grants_and_events() == before


@pytest.mark.parametrize("role", ["system_admin", "audit_admin", "security_admin"])
def test_only_the_security_admin_creates_administrators(users, areas, newcomer, role):
    grant = grant_create(
        user=newcomer, area=areas["street"], role=role, by=users["security_admin"]
    )
    assert grant.role == role
    before = _grants_and_events()
    for key in ("district_manager", "system_admin", "secretary"):
        with pytest.raises((NotAllowed, ValidationFailed)):
            grant_create(
                user=newcomer, area=areas["community"], role=role, by=users[key]
            )
    assert _grants_and_events() == before


@pytest.mark.parametrize("key", ["grid_worker", "staff", "audit_admin", "resident"])
def test_roles_without_grant_manage_grant_nothing(users, areas, newcomer, key):
    before = _grants_and_events()
    with pytest.raises((NotAllowed, ValidationFailed)):
        grant_create(
            user=newcomer, area=areas["household"], role="resident", by=users[key]
        )
    assert _grants_and_events() == before


# grant_revoke


def test_secretary_revokes_a_grid_worker_and_the_row_keeps_who_and_when(users):
    secretary = users["secretary"]
    grant = Grant.objects.get(user=users["grid_worker"], role="grid_worker")
    grant_revoke(grant=grant, by=secretary)
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == secretary
    assert Event.objects.get(action="grant_revoked").detail == {
        "role": "grid_worker",
        "user": users["grid_worker"].pk,
    }
    worker = User.objects.get(pk=users["grid_worker"].pk)
    assert not user_can(user=worker, perm="area.view")


def test_secretary_may_not_revoke_a_grant_in_another_community(users):
    grant = Grant.objects.get(user=users["other_grid_worker"])
    before = _grants_and_events()
    with pytest.raises(ValidationFailed):
        grant_revoke(grant=grant, by=users["secretary"])
    assert _grants_and_events() == before


def test_nobody_revokes_their_own_role(users):
    grant = Grant.objects.get(user=users["street_manager"])
    before = _grants_and_events()
    with pytest.raises(NotAllowed):
        grant_revoke(grant=grant, by=users["street_manager"])
    assert _grants_and_events() == before


def test_secretary_may_not_revoke_a_role_she_could_not_grant(users, areas):
    colleague = user_create(
        phone="13900002222", name="副书记", password=PASSWORD, by=None
    )
    grant = grant_create(
        user=colleague, area=areas["community"], role="secretary", by=None
    )
    before = _grants_and_events()
    with pytest.raises(NotAllowed):
        grant_revoke(grant=grant, by=users["secretary"])
    assert _grants_and_events() == before


def test_revoking_twice_is_refused(users):
    grant = Grant.objects.get(user=users["resident"])
    grant_revoke(grant=grant, by=users["secretary"])
    before = _grants_and_events()
    with pytest.raises(ValidationFailed):
        grant_revoke(grant=grant, by=users["secretary"])
    assert _grants_and_events() == before


# 三员分立


@pytest.mark.parametrize("key", ["system_admin", "security_admin", "audit_admin"])
def test_platform_administrators_do_not_see_personal_data(users, areas, key):
    admin = users[key]
    for place in ("district", "community", "household"):
        assert user_can(user=admin, perm="personal.view", area=areas[place]) is False
        assert user_can(user=admin, perm="personal.full", area=areas[place]) is False
    assert user_can(user=admin, perm="area.view", area=areas["household"])


def test_the_three_administrators_hold_separate_powers(users, areas):
    street = areas["street"]
    can = {
        key: {
            perm
            for perm in ("area.manage", "grant.manage", "audit.view", "account.manage")
            if user_can(user=users[key], perm=perm, area=street)
        }
        for key in ("system_admin", "security_admin", "audit_admin")
    }
    assert can == {
        "system_admin": {"area.manage", "account.manage"},
        "security_admin": {"grant.manage"},
        "audit_admin": {"audit.view"},
    }


def test_the_grid_worker_sees_personal_data_in_her_grid_only(users, areas):
    worker = users["grid_worker"]
    assert user_can(user=worker, perm="personal.view", area=areas["household"])
    assert not user_can(
        user=worker, perm="personal.view", area=areas["other_household"]
    )


# API tokens


def test_an_issued_token_authenticates_its_user_and_only_its_digest_is_stored(users):
    worker = users["grid_worker"]
    raw, token = token_issue(user=worker, name="小程序")
    assert raw.startswith("gz_") and len(raw) > 40
    assert token.digest == token_digest(raw)
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert token_authenticate(raw) == worker
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert Event.objects.filter(action="token_issued", actor=worker).exists()


@pytest.mark.parametrize("raw", ["", "gz_", "gz_not-a-token", "Bearer abc", "abc"])
def test_unknown_tokens_authenticate_nobody(db, raw):
    assert token_authenticate(raw) is None


def test_an_expired_token_authenticates_nobody(users):
    raw, token = token_issue(user=users["grid_worker"])
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert token_authenticate(raw) is None


def test_tokens_expire_after_the_configured_lifetime(users, settings):
    before = timezone.now()
    _, token = token_issue(user=users["grid_worker"])
    after = timezone.now()
    lifetime = settings.API_TOKEN_LIFETIME
    assert before + lifetime <= token.expires_at <= after + lifetime


def test_a_revoked_token_authenticates_nobody_and_the_trail_says_so(users):
    worker = users["grid_worker"]
    raw, _ = token_issue(user=worker)
    token_revoke(raw=raw, by=worker)
    assert token_authenticate(raw) is None
    assert Event.objects.filter(action="token_revoked", actor=worker).count() == 1
    token_revoke(raw=raw, by=worker)  # again: harmless, recorded once
    assert Event.objects.filter(action="token_revoked").count() == 1


def test_nobody_revokes_another_persons_token(users):
    raw, token = token_issue(user=users["grid_worker"])
    with pytest.raises(ValidationFailed):
        token_revoke(raw=raw, by=users["secretary"])
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token_authenticate(raw) == users["grid_worker"]


def test_a_disabled_accounts_tokens_stop_working(users):
    raw, _ = token_issue(user=users["grid_worker"])
    User.objects.filter(pk=users["grid_worker"].pk).update(is_active=False)
    assert token_authenticate(raw) is None


# Passwords


def test_changing_ones_password_revokes_every_api_token(users):
    worker = users["grid_worker"]
    first, _ = token_issue(user=worker)
    second, _ = token_issue(user=worker)
    user_set_password(
        user=worker, password="Another#Pass2026", old_password=DEMO_PASSWORD, by=worker
    )
    assert token_authenticate(first) is None
    assert token_authenticate(second) is None
    assert User.objects.get(pk=worker.pk).check_password("Another#Pass2026")
    assert Event.objects.filter(action="password_set", actor=worker).exists()


def test_a_wrong_current_password_changes_nothing(users):
    worker = users["grid_worker"]
    raw, _ = token_issue(user=worker)
    with pytest.raises(ValidationFailed) as refused:
        user_set_password(
            user=worker, password="Another#Pass2026", old_password="wrong", by=worker
        )
    assert refused.value.field == "old_password"
    assert User.objects.get(pk=worker.pk).check_password(DEMO_PASSWORD)
    assert token_authenticate(raw) == worker


def test_a_weak_new_password_changes_nothing(users):
    worker = users["grid_worker"]
    raw, _ = token_issue(user=worker)
    with pytest.raises(ValidationFailed) as refused:
        user_set_password(
            user=worker, password="12345678", old_password=DEMO_PASSWORD, by=worker
        )
    assert refused.value.field == "password"
    assert User.objects.get(pk=worker.pk).check_password(DEMO_PASSWORD)
    assert token_authenticate(raw) == worker


def test_the_system_admin_resets_another_persons_password(users):
    worker = users["grid_worker"]
    raw, _ = token_issue(user=worker)
    user_set_password(user=worker, password="Reset#Pass2026", by=users["system_admin"])
    assert User.objects.get(pk=worker.pk).check_password("Reset#Pass2026")
    assert token_authenticate(raw) is None


def test_a_secretary_may_not_reset_another_persons_password(users):
    worker = users["grid_worker"]
    with pytest.raises(NotAllowed):
        user_set_password(user=worker, password="Reset#Pass2026", by=users["secretary"])
    assert User.objects.get(pk=worker.pk).check_password(DEMO_PASSWORD)
