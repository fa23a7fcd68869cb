"""A real worker process killed while 企业微信 holds its send: the next
worker takes the delivery again after the lease and sends it with the same
content, which the provider's duplicate check keeps from reaching the
person twice; our side records it sent once."""

import signal
import threading

import pytest

from gongzhi.accounts.services import user_create
from gongzhi.jobs.tests.conftest import (  # noqa: F401
    db_backend,
    probe_dir,
    shared_db,
    start_worker,
    wait_for,
)
from gongzhi.notices.models import Category, Delivery, DeliveryStatus
from gongzhi.notices.services.messages import address_set, notify, preference_set

from .fakes import FakeWecom, serving

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULE = {
    "notices-deliver": {"task": "gongzhi.notices.tasks.deliver_outbox", "every": 1}
}


class HangingWecom(FakeWecom):
    """Holds the first send (after taking it) until released."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.release = threading.Event()
        self.held = threading.Event()

    def send(self, payload):
        answer = super().send(payload)
        if not self.held.is_set():
            self.held.set()
            self.release.wait(30)
        return answer


def test_a_worker_killed_mid_send_resumes_without_a_duplicate(
    start_worker,  # noqa: F811
    monkeypatch,
):
    with serving(HangingWecom()) as fake:
        for name, value in {
            "GONGZHI_WECOM_ENDPOINT": fake.url,
            "GONGZHI_WECOM_CORP_ID": "ww1",
            "GONGZHI_WECOM_CORP_SECRET": "s",
            "GONGZHI_WECOM_AGENT_ID": "1000002",
            "GONGZHI_NOTICES_LEASE": "2",
        }.items():
            monkeypatch.setenv(name, value)
        user = user_create(
            phone="13900000077", name="孙志强", password="Unit#2026x", by=None
        )
        preference_set(
            user=user, category=Category.WORK, sms=False, wechat=False, wecom=True
        )
        address_set(user=user, channel="wecom", value="sunzhiqiang")
        notify(
            key="request:1:2",
            user_ids=[user.pk],
            category=Category.WORK,
            title="新派单：航院小区 1号楼 居家小修",
        )
        first = start_worker(SCHEDULE)
        assert fake.held.wait(60), "the worker never sent"
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        fake.release.set()
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.SENDING  # claimed by the dead
        start_worker(SCHEDULE)  # its log is worker-1.log
        wait_for(
            lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists(),
            timeout=90,
        )
        delivery.refresh_from_db()
        assert delivery.attempts == 2  # sent again under the same key
        assert len(fake.calls) == 2
        assert len(fake.delivered) == 1  # she got it once
