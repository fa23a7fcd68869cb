"""The message centre and notices through the API the mini-program uses."""

import pytest

from gongzhi.notices.models import Category, Message, Notice, Preference, QuietHours
from gongzhi.notices.services.messages import notify

from .test_notices import fan_out


def _json(response, status):
    assert response.status_code == status, response.content
    return response.json()


def test_messages_listed_counted_and_marked_read(api_client, users, areas):
    user = users["resident"]
    for n in range(3):
        notify(
            key=f"k{n}", user_ids=[user.pk], category=Category.POINTS, title=f"第{n}条"
        )
    notify(
        key="other",
        user_ids=[users["staff"].pk],
        category=Category.WORK,
        title="别人的",
    )
    api_client.login_api(user)
    items = _json(api_client.get("/api/v1/messages"), 200)["items"]
    assert [m["title"] for m in items] == ["第2条", "第1条", "第0条"]
    assert _json(api_client.get("/api/v1/messages/unread-count"), 200) == {"unread": 3}
    first = items[0]["id"]
    assert _json(api_client.post(f"/api/v1/messages/{first}/read"), 200)["read"] is True
    assert _json(api_client.get("/api/v1/messages?unread=true"), 200)["count"] == 2
    assert _json(api_client.post("/api/v1/messages/read-all"), 200) == {"marked": 2}
    assert _json(api_client.get("/api/v1/messages/unread-count"), 200) == {"unread": 0}
    # Someone else's message is not there.
    theirs = Message.objects.get(key="other").pk
    _json(api_client.post(f"/api/v1/messages/{theirs}/read"), 404)
    assert Message.objects.get(key="other").read_at is None


def test_preferences_and_quiet_hours(api_client, users):
    api_client.login_api(users["resident"])
    answer = _json(
        api_client.put(
            "/api/v1/messages/preferences/request",
            {"sms": True, "wechat": False, "wecom": False},
            content_type="application/json",
        ),
        200,
    )
    row = next(c for c in answer["categories"] if c["category"] == "request")
    assert row == {
        "category": "request",
        "label": "我的诉求",
        "sms": True,
        "wechat": False,
        "wecom": False,
    }
    answer = _json(
        api_client.put(
            "/api/v1/messages/quiet-hours",
            {"start": "22:00", "end": "07:00"},
            content_type="application/json",
        ),
        200,
    )
    assert answer["quiet_hours"] == {"start": "22:00", "end": "07:00"}


def test_a_preference_for_a_category_that_does_not_exist_is_refused(api_client, users):
    api_client.login_api(users["resident"])
    answer = _json(
        api_client.put(
            "/api/v1/messages/preferences/lottery",
            {"sms": True},
            content_type="application/json",
        ),
        400,
    )
    assert answer == {"detail": "没有“lottery”这一消息类别。", "field": "category"}
    assert not Preference.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"start": "25:00", "end": "07:00"}, "start"),
        ({"start": "22:00", "end": "22:00"}, "end"),
        ({"start": "22:00"}, "end"),
    ],
)
def test_bad_quiet_hours_are_refused_naming_the_field(api_client, users, body, field):
    api_client.login_api(users["resident"])
    answer = _json(
        api_client.put(
            "/api/v1/messages/quiet-hours", body, content_type="application/json"
        ),
        400,
    )
    assert answer["field"] == field
    assert not QuietHours.objects.exists()


def test_binding_an_openid_and_refusing_another_channel(api_client, users):
    api_client.login_api(users["resident"])
    answer = _json(
        api_client.put(
            "/api/v1/messages/addresses/wechat",
            {"value": "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"},
            content_type="application/json",
        ),
        200,
    )
    assert answer == {"channel": "wechat", "bound": True}
    answer = _json(
        api_client.put(
            "/api/v1/messages/addresses/sms",
            {"value": "x"},
            content_type="application/json",
        ),
        400,
    )
    assert answer["field"] == "channel"


def test_staff_publish_and_read_receipts(api_client, demo_people, users, areas):
    api_client.login_api(users["staff"])
    answer = _json(
        api_client.post(
            "/api/v1/notices",
            {
                "area_id": areas["building"].pk,
                "title": "电梯检修",
                "body": "周五上午电梯检修。",
            },
            content_type="application/json",
        ),
        201,
    )
    notice = fan_out(Notice.objects.get(pk=answer["id"]))
    receipts = _json(
        api_client.get(
            f"/api/v1/notices/{notice.pk}/receipts", {"area_id": areas["building"].pk}
        ),
        200,
    )
    assert receipts["total"] == notice.recipients and receipts["read"] == 0
    assert [b["building"] for b in receipts["buildings"]] == ["航院小区 1号楼"]
    person = receipts["not_read"][0]
    assert "*" in person["phone"] or person["phone"] == ""
    assert person["household"].startswith("航院小区 1号楼")
    # The resident reads it in the mini-program.
    api_client.login_api(users["resident"])
    mine = _json(api_client.get("/api/v1/notices/mine"), 200)["items"]
    assert [(n["title"], n["unread"]) for n in mine] == [("电梯检修", True)]
    detail = _json(api_client.get(f"/api/v1/notices/mine/{notice.pk}"), 200)
    assert detail["body"] == "周五上午电梯检修。"
    api_client.login_api(users["staff"])
    receipts = _json(
        api_client.get(
            f"/api/v1/notices/{notice.pk}/receipts", {"area_id": areas["building"].pk}
        ),
        200,
    )
    assert receipts["read"] == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x", "body": ""}, "body"),
        ({"title": "x", "body": "x", "area": "other_community"}, "area_id"),
        ({"title": "x", "body": "x", "tag_id": 99999}, "tag_id"),
    ],
)
def test_bad_notices_are_refused_naming_the_field(
    api_client, users, areas, body, field
):
    api_client.login_api(users["staff"])
    area = areas[body.pop("area", "estate")]
    answer = _json(
        api_client.post(
            "/api/v1/notices",
            {"area_id": area.pk, **body},
            content_type="application/json",
        ),
        400,
    )
    assert answer["field"] == field
    assert not Notice.objects.exists()
