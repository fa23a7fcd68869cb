"""The outbox through each provider's fake: sent once, throttling kept,
failures told apart from passing faults, a worker dying mid-send resumed
without a duplicate."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.notices import channels
from gongzhi.notices.models import Category, Delivery, DeliveryStatus
from gongzhi.notices.services import outbox
from gongzhi.notices.services.messages import address_set, notify, preference_set

from .fakes import FakeTencentSms, FakeWecom, FakeWeixin, serving


def _tell(user, key="event:1", title="航院小区 1号楼 墙体维修", now=None):
    return notify(
        key=key,
        user_ids=[user.pk],
        category=Category.WORK,
        title=title,
        body="请接单",
        now=now,
    )


def _deliveries(channel):
    return list(Delivery.objects.filter(channel=channel).order_by("pk"))


@pytest.fixture
def staff_user(users):
    user = users["unit"]
    preference_set(user=user, category=Category.WORK, sms=True, wechat=True, wecom=True)
    address_set(user=user, channel="wechat", value="openid-sun")
    address_set(user=user, channel="wecom", value="sunzhiqiang")
    return user


def _provider(settings, name: str, fake, **config):
    """Serve ``fake`` and point the channel's settings at it."""
    with serving(fake):
        setattr(
            settings,
            name,
            {
                **getattr(settings, name),
                "endpoint": fake.url,
                "per_second": 100,
                **config,
            },
        )
        channels.reset()
        yield fake


@pytest.fixture
def sms(settings):
    yield from _provider(
        settings,
        "NOTICES_SMS",
        FakeTencentSms(),
        secret_id="AKIDtest",
        secret_key="sekrit",
        sdk_app_id="1400006666",
        sign_name="共治",
        template_id="1110",
    )


@pytest.fixture
def wechat(settings):
    yield from _provider(
        settings,
        "NOTICES_WECHAT",
        FakeWeixin(),
        app_id="wx123",
        app_secret="s",
        template_id="tmpl",
    )


@pytest.fixture
def wecom(settings):
    yield from _provider(
        settings,
        "NOTICES_WECOM",
        FakeWecom(),
        corp_id="ww1",
        corp_secret="s",
        agent_id="1000002",
    )


def test_unconfigured_channels_keep_their_messages_in_the_outbox(staff_user):
    _tell(staff_user)
    counts = outbox.deliver_due()
    assert counts["sent"] == 3
    assert {d.backend for d in Delivery.objects.all()} == {"outbox"}
    assert {d.status for d in Delivery.objects.all()} == {DeliveryStatus.SENT}


def test_an_event_told_twice_is_delivered_once_per_channel(staff_user):
    _tell(staff_user)
    _tell(staff_user)
    assert Delivery.objects.count() == 3
    outbox.deliver_due()
    outbox.deliver_due()
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3


def test_sms_is_signed_and_sent_through_tencent_cloud(staff_user, sms):
    _tell(staff_user)
    outbox.deliver_due()
    (delivery,) = _deliveries("sms")
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.backend == "tencent_sms"
    assert delivery.provider_ref.startswith("2433:")
    (sent,) = sms.delivered
    assert sent["to"] == "+86" + staff_user.phone
    assert sent["TemplateParamSet"] == ["航院小区 1号楼 墙体维修"]
    assert sent["SessionContext"] == delivery.key


def test_a_wrong_sms_secret_fails_with_the_providers_code(staff_user, sms, settings):
    settings.NOTICES_SMS = {**settings.NOTICES_SMS, "secret_key": "wrong"}
    channels.reset()
    _tell(staff_user)
    outbox.deliver_due()
    (delivery,) = _deliveries("sms")
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error.startswith("AuthFailure.SignatureFailure")
    assert sms.delivered == []


def test_a_numbers_thirty_second_limit_waits_and_then_sends(staff_user, sms):
    start = timezone.now()
    _tell(staff_user, key="event:1", now=start)
    _tell(staff_user, key="event:2", title="第二条", now=start)
    counts = outbox.deliver_due(now=start)
    first, second = _deliveries("sms")
    assert first.status == DeliveryStatus.SENT
    assert second.status == DeliveryStatus.PENDING
    assert "PhoneNumberThirtySecondLimit" in second.error
    assert second.not_before >= start + dt.timedelta(seconds=29)
    assert counts["throttled"] >= 1
    # Not before it is due: nothing is sent, and no failure counted.
    outbox.deliver_due(now=start + dt.timedelta(seconds=5))
    assert len(sms.delivered) == 1
    sms.last_to.clear()  # 30 s have passed for the provider too
    outbox.deliver_due(now=start + dt.timedelta(seconds=31))
    second.refresh_from_db()
    assert second.status == DeliveryStatus.SENT
    assert second.attempts == 1  # the throttled try did not count
    assert len(sms.delivered) == 2


def test_the_sms_rate_limit_of_the_settings_is_kept(users, sms, settings):
    settings.NOTICES_SMS = {**settings.NOTICES_SMS, "per_second": 4}
    channels.reset()
    people = [
        users[k]
        for k in (
            "staff",
            "grid_worker",
            "unit",
            "resident",
            "secretary",
            "street_manager",
        )
    ]
    for user in people:
        preference_set(
            user=user, category=Category.WORK, sms=True, wechat=False, wecom=False
        )
    notify(
        key="many",
        user_ids=[u.pk for u in people],
        category=Category.WORK,
        title="通知",
    )
    outbox.deliver_due()
    assert len(sms.delivered) == len(people)
    assert sms.max_per_second() <= 4


def test_a_stale_wechat_token_is_fetched_again_and_the_message_sent(staff_user, wechat):
    _tell(staff_user, key="event:1")
    outbox.deliver_due()
    wechat.expire_tokens()
    _tell(staff_user, key="event:2")
    outbox.deliver_due()
    assert [d.status for d in _deliveries("wechat")] == [DeliveryStatus.SENT] * 2
    assert wechat.issued == 2
    assert [p["touser"] for p in wechat.delivered] == ["openid-sun", "openid-sun"]
    assert wechat.delivered[0]["data"]["thing1"]["value"] == "航院小区 1号楼 墙体维修"


def test_wechat_throttling_holds_the_rest_of_the_batch(users, wechat, settings):
    wechat.per_second = 1
    people = [users[k] for k in ("staff", "grid_worker", "unit")]
    for user in people:
        preference_set(
            user=user, category=Category.WORK, sms=False, wechat=True, wecom=False
        )
        address_set(user=user, channel="wechat", value=f"openid-{user.pk}")
    now = timezone.now()
    notify(
        key="many",
        user_ids=[u.pk for u in people],
        category=Category.WORK,
        title="通知",
        now=now,
    )
    counts = outbox.deliver_due(now=now)
    assert counts == {"sent": 1, "throttled": 2, "retry": 0, "failed": 0}
    assert len(wechat.calls) == 2  # after the 45009 the third was not tried
    held = [d for d in _deliveries("wechat") if d.status == DeliveryStatus.PENDING]
    assert len(held) == 2 and all(d.not_before > now for d in held)
    assert all(d.attempts == 0 for d in held)


def test_a_refused_subscription_fails_and_a_busy_provider_is_tried_again(users, wechat):
    a, b = users["staff"], users["unit"]
    for user in (a, b):
        preference_set(
            user=user, category=Category.WORK, sms=False, wechat=True, wecom=False
        )
        address_set(user=user, channel="wechat", value=f"openid-{user.pk}")
    wechat.refused.add(f"openid-{a.pk}")
    wechat.busy = 1
    now = timezone.now()
    notify(
        key="e", user_ids=[a.pk, b.pk], category=Category.WORK, title="通知", now=now
    )
    outbox.deliver_due(now=now)
    by_user = {d.message.user_id: d for d in _deliveries("wechat")}
    # The first call met "system busy": put back to try again, counted.
    (busy,) = [d for d in by_user.values() if d.status == DeliveryStatus.PENDING]
    assert busy.error == "-1: system error" and busy.attempts == 1
    assert busy.not_before > now
    outbox.deliver_due(now=now + dt.timedelta(minutes=5))
    for d in by_user.values():
        d.refresh_from_db()
    assert by_user[a.pk].status == DeliveryStatus.FAILED
    assert by_user[a.pk].error.startswith("43101")
    assert by_user[b.pk].status == DeliveryStatus.SENT


def test_wecom_sends_a_text_with_the_duplicate_check(staff_user, wecom):
    _tell(staff_user)
    outbox.deliver_due()
    (sent,) = wecom.delivered
    assert sent["touser"] == "sunzhiqiang" and sent["agentid"] == 1000002
    assert sent["enable_duplicate_check"] == 1
    assert sent["text"]["content"].startswith("航院小区 1号楼 墙体维修")


class Killed(BaseException):
    """A worker killed: not an error any code catches."""


@pytest.mark.parametrize("when", ["before the call", "after the provider took it"])
def test_a_worker_killed_mid_send_resumes_without_a_duplicate(
    staff_user, wecom, monkeypatch, when
):
    _tell(staff_user)
    adapter = channels.adapter_for("wecom")
    real = adapter.send

    def dying(**kwargs):
        if when == "after the provider took it":
            real(**kwargs)
        raise Killed

    monkeypatch.setattr(adapter, "send", dying)
    now = timezone.now()
    with pytest.raises(Killed):
        outbox.deliver_due(now=now)
    (delivery,) = _deliveries("wecom")
    assert delivery.status == DeliveryStatus.SENDING  # claimed, not sent
    monkeypatch.setattr(adapter, "send", real)
    # Another worker at once: the dead one's claim still holds.
    outbox.deliver_due(now=now)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENDING
    # Past the lease it is taken again and sent with the same key.
    outbox.deliver_due(now=now + outbox.LEASE + dt.timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert len(wecom.delivered) == 1


def test_quiet_hours_hold_external_channels_but_not_the_message_centre(
    staff_user,
):
    from gongzhi.notices.models import Message
    from gongzhi.notices.services.messages import quiet_hours_set

    quiet_hours_set(user=staff_user, start="22:00", end="07:00")
    night = timezone.make_aware(dt.datetime(2026, 12, 3, 23, 30))
    _tell(staff_user, now=night)
    assert Message.objects.filter(user=staff_user).count() == 1
    morning = timezone.make_aware(dt.datetime(2026, 12, 4, 7, 0))
    assert {d.not_before for d in Delivery.objects.all()} == {morning}
    assert outbox.deliver_due(now=night + dt.timedelta(hours=1))["sent"] == 0
    assert outbox.deliver_due(now=morning)["sent"] == 3


def test_a_failed_delivery_can_be_put_back_in_the_queue(staff_user, wechat):
    wechat.refused.add("openid-sun")
    _tell(staff_user)
    outbox.deliver_due()
    (failed,) = _deliveries("wechat")
    assert failed.status == DeliveryStatus.FAILED
    wechat.refused.clear()
    assert outbox.deliveries_retry(ids=[failed.pk]) == 1
    outbox.deliver_due()
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.SENT


def test_tencents_request_limit_is_throttling_not_failure(staff_user, sms):
    sms.per_second = 0  # every call over the account's frequency limit
    now = timezone.now()
    _tell(staff_user, now=now)
    assert outbox.deliver_due(now=now)["throttled"] == 1
    (delivery,) = _deliveries("sms")
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.error.startswith("RequestLimitExceeded")
    assert delivery.attempts == 0 and sms.delivered == []


def test_a_wecom_userid_that_does_not_exist_fails(staff_user, wecom):
    wecom.users = {"someone-else"}
    _tell(staff_user)
    outbox.deliver_due()
    (delivery,) = _deliveries("wecom")
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "invaliduser: sunzhiqiang"


def test_wecom_throttling_holds_the_delivery(staff_user, wecom):
    wecom.per_second = 0
    now = timezone.now()
    _tell(staff_user, now=now)
    outbox.deliver_due(now=now)
    (delivery,) = _deliveries("wecom")
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.error.startswith("45009")
    assert delivery.not_before >= now + dt.timedelta(seconds=59)
