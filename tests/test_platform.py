"""Health, security headers, login throttling, keys, demo seeding: what an
operator and a security reviewer rely on."""

import io
import stat
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client

from gongzhi.accounts.models import Grant, User
from gongzhi.areas.models import Area
from gongzhi.core import crypto
from gongzhi.core.keys import load_or_create_key
from gongzhi.seeding import demo


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(client, db):
    with mock.patch(
        "gongzhi.web.views.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.content


def test_login_form_refuses_a_post_without_csrf_token(demo_street):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"phone": "13800000005", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_lands_staff_on_the_workbench_and_residents_on_the_portal(
    client, demo_street
):
    response = client.post(
        "/accounts/login/", {"phone": "13800000005", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(response.url).url == "/workbench/"
    client.logout()
    response = client.post(
        "/accounts/login/",
        {"phone": "+86 138 0000 0009", "password": demo.DEMO_PASSWORD},
    )
    assert client.get(response.url).url == "/portal/"


def test_five_failed_logins_lock_the_phone_out_even_with_the_right_password(
    client, demo_street
):
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"phone": "13800000005", "password": "wrong-one"}
        )
    response = client.post(
        "/accounts/login/", {"phone": "13800000005", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_records_hold_no_phone_numbers(client, demo_street):
    from axes.models import AccessAttempt

    client.post("/accounts/login/", {"phone": "13800000005", "password": "nope-nope"})
    attempt = AccessAttempt.objects.get()
    assert "13800000005" not in attempt.username
    assert attempt.username == crypto.blind_index("13800000005", purpose="phone")


def test_sessions_expire_and_cookies_are_http_only(settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY


def test_phone_numbers_are_encrypted_at_rest(demo_street):
    user = User.objects.get(name="陈静")
    assert "13800000005" not in user.phone_encrypted
    assert user.phone == "13800000005"
    assert user.phone_masked == "138****0005"
    assert user.phone_index == crypto.blind_index("13800000005", purpose="phone")


def test_masking_keeps_only_the_first_three_and_last_four_digits():
    assert crypto.mask_id_number("110101199003071234") == "110***********1234"
    assert crypto.mask_phone("13812345678") == "138****5678"


def test_keys_are_generated_once_with_owner_only_permissions(tmp_path):
    path = tmp_path / "data_key"
    first = load_or_create_key(path, length=32)
    assert load_or_create_key(path, length=32) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_demo_seed_twice_changes_nothing(db):
    demo.seed_demo()
    counts = (Area.objects.count(), User.objects.count(), Grant.objects.count())
    demo.seed_demo()
    assert (Area.objects.count(), User.objects.count(), Grant.objects.count()) == counts
    kinds = set(Area.objects.values_list("kind", flat=True))
    assert kinds == {
        "district",
        "street",
        "community",
        "grid",
        "estate",
        "building",
        "entrance",
        "household",
    }
    assert Area.objects.filter(kind="community").count() >= 3
    assert {g.role for g in Grant.objects.all()} >= {
        "resident",
        "building_leader",
        "grid_worker",
        "staff",
        "secretary",
        "unit",
        "street_manager",
        "district_manager",
        "system_admin",
        "security_admin",
        "audit_admin",
    }


def test_demo_command_prints_every_login(db):
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    text = out.getvalue()
    for login in demo.LOGINS:
        assert login.phone in text
    assert demo.DEMO_PASSWORD in text
    assert "三盛里社区 › 第一网格" in text


@pytest.mark.parametrize("path", ["/workbench/", "/portal/", "/accounts/grants/"])
def test_pages_send_anonymous_visitors_to_the_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_pages_stay_chinese_for_an_english_browser_until_the_user_switches(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "手机号" in page.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Phone number" in page.content.decode()


def test_api_errors_follow_accept_language(client, db):
    payload = {"phone": "13800000005", "password": "wrong-password"}
    chinese = client.post(
        "/api/v1/auth/token", payload, content_type="application/json"
    )
    english = client.post(
        "/api/v1/auth/token",
        payload,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert chinese.json()["detail"] == "手机号或密码不正确。"
    assert english.json() == {
        "detail": "The phone number or password is not correct.",
        "field": "password",
    }


def test_the_data_folder_and_the_database_are_the_service_users_only(tmp_path):
    """Under an ordinary umask (022) the embedded default once created its
    SQLite file world-readable beside 0600 keys."""
    import os
    import subprocess
    import sys

    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["GONGZHI_DATA_DIR"] = str(data)
    import gongzhi

    here = str(Path(gongzhi.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([here, env.get("PYTHONPATH", "")])
    script = (
        "import os; os.umask(0o022); "
        "import gongzhi.config.settings.base as s; "
        "import sqlite3; c = sqlite3.connect(s.DATABASES['default']['NAME']); "
        "c.execute('pragma journal_mode=wal'); c.execute('create table t(x)'); "
        "c.commit()"
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True)
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(data) == 0o700
    assert mode(data / "gongzhi.sqlite3") == 0o600
    assert mode(data / "secret_key") == 0o600
    assert mode(data / "data_key") == 0o600
    for extra in data.glob("gongzhi.sqlite3-*"):  # WAL and shared memory
        assert mode(extra) & 0o077 == 0, extra


def test_download_names_follow_the_language_of_the_page(areas):
    """A workbook downloaded from the English pages is named in English;
    from the Chinese pages, in Chinese. Only the place in it is data."""
    import datetime as dt

    from django.utils import translation

    from gongzhi.orgs.services.reports import pool_report_filename
    from gongzhi.points.services.statement import statement_filename
    from gongzhi.residents.services.exports import export_filename
    from gongzhi.residents.services.imports import import_template_filename

    community = areas["community"]
    day = dt.date(2026, 11, 1)

    def names():
        return [
            export_filename(),
            import_template_filename(),
            statement_filename(community, 2026, 11),
            pool_report_filename(community, day, day),
        ]

    with translation.override("en"):
        english = names()
    with translation.override("zh-hans"):
        chinese = names()
    assert [name.split("_")[0] for name in english] == [
        "Residents register",
        "Resident import template.xlsx",
        "Points ledger",
        "Party members service report",
    ]
    assert [name.split("_")[0] for name in chinese] == [
        "居民名册",
        "居民导入模板.xlsx",
        "积分台账",
        "党员双报到服务情况反馈表",
    ]
    assert community.name in english[2] and english[2].endswith("202611.xlsx")
