"""The audit trail as the audit administrator reads it."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.areas.services import area_rename
from gongzhi.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(users, areas):
    area_rename(area=areas["estate"], name="航院新村", by=users["secretary"])
    area_rename(area=areas["other_grid"], name="第九网格", by=users["street_manager"])


def test_audit_admin_filters_by_action_and_person(client, users, renamed):
    client.force_login(users["audit_admin"])
    html = client.get(
        "/workbench/audit/", {"action": "area_renamed", "actor": "张丽华"}
    ).content.decode()
    assert "航院新村" in html
    assert "第九网格" not in html


def test_audit_filter_by_dates_is_inclusive_and_checked(client, users, renamed):
    client.force_login(users["audit_admin"])
    today = timezone.localdate()
    html = client.get(
        "/workbench/audit/", {"since": today.isoformat(), "until": today.isoformat()}
    ).content.decode()
    assert "航院新村" in html
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    html = client.get("/workbench/audit/", {"until": yesterday}).content.decode()
    assert "航院新村" not in html
    bad = client.get(
        "/workbench/audit/", {"since": today.isoformat(), "until": yesterday}
    ).content.decode()
    assert 'class="error"' in bad


def test_events_are_recorded_with_the_place_they_concern(users, areas, renamed):
    event = Event.objects.get(action="area_renamed", target_label="航院新村")
    assert event.actor == users["secretary"]
    assert event.area_path == areas["estate"].path
    assert event.detail == {"from": "航院小区", "to": "航院新村"}
