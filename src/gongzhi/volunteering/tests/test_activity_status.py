"""An activity's status (``ACTIVITY_FLOW``): published on creation,
cancelled with a reason (its sessions to come and their sign-ups end with
it) or finished once no session is still to begin. Finished or cancelled,
it takes no sign-ups; each step is in its history, an illegal one is
refused with nothing changed."""

import datetime as dt

import pytest

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    ActivityStep,
    SignUp,
    SignUpStatus,
)
from gongzhi.volunteering.services.activities import (
    activities_finish_ended,
    activity_cancel,
    activity_finish,
)
from gongzhi.volunteering.services.signup import signup_create

from .conftest import ENDS, PUBLISHED

V = "/api/v1/volunteering"
W = "/workbench/activities"
AFTER = ENDS + dt.timedelta(hours=1)


def _sign(event, person, now=PUBLISHED):
    return signup_create(occurrence=event.occurrence, person=person, by=None, now=now)


def test_a_new_activity_is_published_and_its_history_says_so(event):
    assert event.activity.status == ActivityStatus.PUBLISHED
    (step,) = ActivityStep.objects.filter(activity=event.activity)
    assert (step.action, step.to_status, step.by) == (
        "publish",
        ActivityStatus.PUBLISHED,
        event.staff,
    )


def test_cancelling_ends_the_sessions_to_come_and_their_sign_ups(event):
    _sign(event, event.zhou)
    done = activity_cancel(
        activity=event.activity, reason="场地维修", by=event.staff, now=PUBLISHED
    )
    assert done.status == ActivityStatus.CANCELLED
    event.occurrence.refresh_from_db()
    assert event.occurrence.cancelled_at == PUBLISHED
    assert event.occurrence.cancel_reason == "场地维修"
    assert SignUp.objects.get().status == SignUpStatus.CANCELLED
    last = done.steps.last()
    assert (last.action, last.by, last.note) == ("cancel", event.staff, "场地维修")
    with pytest.raises(TransitionNotAllowed) as refused:
        _sign(event, event.neighbours[0])
    assert refused.value.field == "occurrence"


def test_a_cancellation_needs_a_reason_and_an_organizer(event, users):
    with pytest.raises(ValidationFailed) as refused:
        activity_cancel(activity=event.activity, reason=" ", by=event.staff)
    assert refused.value.field == "reason"
    with pytest.raises(NotAllowed):
        activity_cancel(activity=event.activity, reason="不办了", by=users["resident"])
    event.activity.refresh_from_db()
    assert event.activity.status == ActivityStatus.PUBLISHED
    assert event.activity.steps.count() == 1


def test_finishing_waits_for_the_last_session_then_takes_no_sign_ups(event):
    with pytest.raises(TransitionNotAllowed) as refused:
        activity_finish(activity=event.activity, by=event.staff, now=PUBLISHED)
    assert refused.value.field == "status"
    assert Activity.objects.get(pk=event.activity.pk).status == ActivityStatus.PUBLISHED
    done = activity_finish(activity=event.activity, by=event.staff, now=AFTER)
    assert (done.status, done.finished_at) == (ActivityStatus.FINISHED, AFTER)
    with pytest.raises(TransitionNotAllowed, match="finished|结束"):
        _sign(event, event.zhou)
    assert not SignUp.objects.exists()


def test_a_finished_activity_cannot_be_cancelled_and_nothing_changes(event):
    activity_finish(activity=event.activity, by=event.staff, now=AFTER)
    with pytest.raises(TransitionNotAllowed) as refused:
        activity_cancel(activity=event.activity, reason="晚了", by=event.staff)
    assert refused.value.field == "status"
    event.activity.refresh_from_db()
    assert event.activity.status == ActivityStatus.FINISHED
    assert event.activity.cancelled_at is None
    assert [s.action for s in event.activity.steps.all()] == ["publish", "finish"]


def test_the_system_finishes_what_has_ended_once(event):
    assert activities_finish_ended(now=PUBLISHED) == 0
    assert activities_finish_ended(now=AFTER) == 1
    assert activities_finish_ended(now=AFTER) == 0
    step = event.activity.steps.last()
    assert (step.action, step.by) == ("finish", None)


def test_the_api_cancels_and_answers_the_history(api_client, event, users):
    api_client.login_api(users["grid_worker"])
    url = f"{V}/activities/{event.activity.pk}"
    assert api_client.post(
        f"{url}/cancel", {"reason": "暴雨"}, content_type="application/json"
    ).status_code in (403, 404)
    api_client.login_api(users["staff"])
    done = api_client.post(
        f"{url}/cancel", {"reason": "暴雨"}, content_type="application/json"
    ).json()
    assert done["status"] == "cancelled"
    # (The fixture publishes "tomorrow": compare the steps, not their order.)
    assert {(s["action"], s["note"]) for s in done["history"]} == {
        ("publish", ""),
        ("cancel", "暴雨"),
    }
    again = api_client.post(
        f"{url}/cancel", {"reason": "暴雨"}, content_type="application/json"
    )
    assert (again.status_code, again.json()["field"]) == (409, "status")
    assert api_client.get(url).json()["status_label"] == "已取消"
    session = api_client.get(f"{V}/sessions/{event.occurrence.pk}").json()["session"]
    assert session["activity_status"] == "cancelled"


def test_the_session_page_shows_the_activity_and_cancels_it(client, event):
    client.force_login(event.staff)
    page = f"{W}/sessions/{event.occurrence.pk}/"
    html = client.get(page).content.decode()
    assert 'data-testid="activity-status"' in html and "已发布" in html
    response = client.post(f"{page}activity/cancel/", {"reason": "场地维修"})
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "已取消" in html and "场地维修" in html
    assert ActivityStep.objects.filter(activity=event.activity).count() == 2
    refused = client.post(f"{page}activity/finish/")
    assert refused.status_code == 302
    assert Activity.objects.get(pk=event.activity.pk).status == "cancelled"


def test_the_portal_says_a_finished_activity_takes_no_sign_ups(client, event, users):
    activity_finish(activity=event.activity, by=event.staff, now=AFTER)
    client.force_login(users["resident"])
    html = client.get(f"/portal/activities/{event.occurrence.pk}/").content.decode()
    assert "该活动已结束，不再接受报名。" in html
