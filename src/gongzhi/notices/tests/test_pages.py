"""The pages: the bell, the message centre, notices on the phone, publishing
and read receipts, the outbox."""

from gongzhi.notices.models import Category, Delivery, Message, Notice, Preference
from gongzhi.notices.services.messages import notify, preference_set
from gongzhi.notices.services.outbox import deliver_due

from .conftest import photo
from .test_notices import docx, fan_out


def test_the_bell_counts_unread_messages_on_portal_and_workbench(client, users):
    notify(
        key="a",
        user_ids=[users["resident"].pk, users["staff"].pk],
        category=Category.NOTICE,
        title="通知",
    )
    for key in ("resident", "staff"):
        client.force_login(users[key])
        page = client.get(
            "/portal/" if key == "resident" else "/workbench/"
        ).content.decode()
        assert 'data-testid="bell-count">1<' in page


def test_opening_a_message_reads_it_and_follows_its_link(client, users):
    notify(
        key="a",
        user_ids=[users["resident"].pk],
        category=Category.POINTS,
        title="积分",
        url="/portal/points/",
    )
    message = Message.objects.get()
    client.force_login(users["resident"])
    page = client.get("/messages/").content.decode()
    assert "积分" in page and "全部标为已读" in page
    response = client.get(f"/messages/{message.pk}/")
    assert response.status_code == 302 and response.url == "/portal/points/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_settings_page_saves_a_preference_and_refuses_an_unknown_category(
    client, users
):
    client.force_login(users["resident"])
    assert "消息设置" in client.get("/messages/settings/").content.decode()
    response = client.post("/messages/settings/", {"category": "request", "sms": "on"})
    assert response.status_code == 302
    assert Preference.objects.get(user=users["resident"]).sms is True
    response = client.post("/messages/settings/", {"category": "lottery", "sms": "on"})
    assert response.status_code == 400
    assert "没有“lottery”这一消息类别。" in response.content.decode()
    assert Preference.objects.count() == 1


def test_staff_publish_on_the_workbench_and_the_resident_reads_it(
    client, demo_people, users, areas, django_capture_on_commit_callbacks
):
    client.force_login(users["staff"])
    form = client.get("/workbench/notices/new/").content.decode()
    assert "航院小区" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/workbench/notices/new/",
            {
                "area": areas["estate"].pk,
                "title": "停水通知",
                "body": "明天停水",
                "pinned": "on",
                "images": [photo()],
                "attachments": [docx()],
            },
        )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert response.url == f"/workbench/notices/{notice.pk}/areas/{areas['estate'].pk}/"
    notice.refresh_from_db()
    assert notice.recipients > 0  # fanned out after the commit (inline)
    page = client.get(response.url).content.decode()
    assert "航院小区 1号楼" in page and "尚未阅读" in page
    client.force_login(users["resident"])
    home = client.get("/portal/").content.decode()
    assert "停水通知" in home and "置顶" in home
    detail = client.get(f"/portal/notices/{notice.pk}/").content.decode()
    assert "明天停水" in detail and "通知.docx" in detail
    (image, attachment) = notice.files.order_by("kind")
    assert (
        client.get(f"/portal/notices/{notice.pk}/files/{attachment.pk}/").status_code
        == 200
    )


def test_the_publish_form_refuses_a_place_outside_and_an_empty_text(
    client, users, areas
):
    client.force_login(users["staff"])
    response = client.post(
        "/workbench/notices/new/",
        {"area": areas["other_community"].pk, "title": "x", "body": "x"},
    )
    assert response.status_code == 400
    response = client.post(
        "/workbench/notices/new/",
        {"area": areas["estate"].pk, "title": "x", "body": ""},
    )
    assert response.status_code == 400
    assert (
        "正文: 此项为必填项。" in response.content.decode()
        or "正文：此项为必填项。" in response.content.decode()
    )
    assert not Notice.objects.exists()


def test_a_grid_worker_reads_the_receipts_of_her_grid_only(
    client, demo_people, users, areas
):
    from gongzhi.notices.services.notices import notice_publish

    notice = fan_out(
        notice_publish(
            by=users["staff"], area=areas["community"], title="社区通知", body="x"
        )
    )
    client.force_login(users["grid_worker"])
    listing = client.get("/workbench/notices/").content.decode()
    assert f"/workbench/notices/{notice.pk}/areas/{areas['grid'].pk}/" in listing
    assert (
        client.get(
            f"/workbench/notices/{notice.pk}/areas/{areas['grid'].pk}/"
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/workbench/notices/{notice.pk}/areas/{areas['community'].pk}/"
        ).status_code
        == 404
    )
    assert (
        client.get(
            f"/workbench/notices/{notice.pk}/areas/{areas['sibling_grid'].pk}/"
        ).status_code
        == 404
    )


def test_the_outbox_page_shows_what_the_embedded_default_kept(client, users):
    preference_set(
        user=users["staff"], category=Category.WORK, sms=True, wechat=False, wecom=False
    )
    from gongzhi.areas.models import Area

    notify(
        key="a",
        user_ids=[users["staff"].pk],
        category=Category.WORK,
        title="新派单：航院小区 1号楼 居家小修",
        area=Area.objects.get(code__isnull=False, depth=2),
    )
    deliver_due()
    client.force_login(users["system_admin"])
    page = client.get("/workbench/outbox/").content.decode()
    assert "新派单：航院小区 1号楼 居家小修" in page and "outbox" in page
    assert Delivery.objects.get().status == "sent"
    client.force_login(users["staff"])
    assert client.get("/workbench/outbox/").status_code == 404
