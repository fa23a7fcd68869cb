"""Scoping rows: notices, read receipts, the message centre, the outbox.

Messages, preferences and quiet hours are one's own (no place). A notice
that reached the demo resident (``{notices_mine}``, at her building, with her
receipt) and a message of hers (``{my_message}``) are hers alone: everyone
else gets 404. ``{notice}`` is a notice published to the street (for the
street) or to the place's community; its receipts are read under a place
where the login holds notice.view.
"""

from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.areas.tree import ancestor_of_kind, community_of
from gongzhi.notices.models import (
    Category,
    FileKind,
    Message,
    Notice,
    NoticeFile,
    NoticeReceipt,
)
from gongzhi.residents.models import Person
from gongzhi.seeding import demo
from tests.scoping_on_use import on_use
from tests.test_scoping_matrix import Row

MARK = "矩阵通知"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")
VIEW = "perm:notice.view"
PUBLISH = "perm:notice.publish"
NOT_DISTRICT = (
    "street community other_community grid sibling_grid other_grid estate "
    "building entrance household neighbour_household other_household"
)
W = "/workbench/notices"
A = "/api/v1"


def _publisher() -> User:
    return User.objects.order_by("pk").first()


def _with_file(notice: Notice) -> Notice:
    if not notice.files.exists():
        from gongzhi.volunteering.tests.scoping_rows import matrix_photo

        file = NoticeFile(
            notice=notice,
            kind=FileKind.IMAGE,
            name="matrix.png",
            content_type="image/png",
            size=1,
        )
        file.file.name = matrix_photo()
        file.save()
    return notice


def notice_at(area) -> int:
    top = area if area.kind == Kind.STREET else community_of(area)
    if top is None:
        return 0
    notice = Notice.objects.filter(area=top, title=MARK).first()
    if notice is None:
        notice = Notice.objects.create(
            area=top, title=MARK, body=MARK, published_by=_publisher()
        )
    return _with_file(notice).pk


def notice_file_at(area) -> int:
    pk = notice_at(area)
    return (
        NoticeFile.objects.filter(notice_id=pk).values_list("pk", flat=True).first()
        or 0
    )


def _mine() -> tuple[User, Person]:
    user = user_find_by_phone(phone=RESIDENT_PHONE)
    return user, Person.objects.get(user=user)


def _my_notice(area) -> Notice:
    user, person = _mine()
    building = ancestor_of_kind(person.household, Kind.BUILDING)
    notice = Notice.objects.filter(area=building, title=MARK).first()
    if notice is None:
        notice = Notice.objects.create(
            area=building, title=MARK, body=MARK, published_by=_publisher()
        )
        NoticeReceipt.objects.create(
            notice=notice,
            person=person,
            user=user,
            household=person.household,
            building=building,
        )
    return _with_file(notice)


def _my_message(area) -> int:
    user, _person = _mine()
    message, _made = Message.objects.get_or_create(
        user=user,
        key="matrix",
        defaults={
            "category": Category.NOTICE,
            "title": MARK,
            "url": "/portal/",
            "area": area,
            "created_at": timezone.now(),
        },
    )
    return message.pk


def _my_notice_file(area) -> int:
    return _my_notice(area).files.values_list("pk", flat=True).first()


PLACE_NAMES = {
    "notice": notice_at,
    "notice_file": notice_file_at,
    "notices_mine": on_use(lambda area: _my_notice(area).pk),
    "my_notice_file": on_use(_my_notice_file),
    "my_message": on_use(_my_message),
}

OWN = "own_notices"

ROWS = [
    # The message centre: one's own
    Row("messages: my messages", "GET", "/messages/", needs="login"),
    Row("messages: unread only", "GET", "/messages/?unread=1", needs="login"),
    Row("messages: settings", "GET", "/messages/settings/", needs="login"),
    Row("messages: read all", "POST", "/messages/read-all/", needs="login", ok=302),
    Row(
        "messages: open mine",
        "GET",
        "/messages/{my_message}/",
        needs=OWN,
        ok=302,
        places="household",
    ),
    # Notices on the phone
    Row("notices: for me", "GET", "/portal/notices/", needs="login"),
    Row(
        "notices: one for me",
        "GET",
        "/portal/notices/{notices_mine}/",
        needs=OWN,
        places="household",
    ),
    Row(
        "notices: a file of one for me",
        "GET",
        "/portal/notices/{notices_mine}/files/{my_notice_file}/",
        needs=OWN,
        places="household",
    ),
    # The workbench
    Row("notices: list", "GET", W + "/", needs="anywhere:notice.view"),
    Row("notices: publish page", "GET", W + "/new/", needs="anywhere:notice.publish"),
    Row(
        "notices: read receipts",
        "GET",
        W + "/{notice}/areas/{area}/",
        needs=VIEW,
        places=NOT_DISTRICT,
    ),
    Row(
        "notices: a file",
        "GET",
        W + "/{notice}/areas/{area}/files/{notice_file}/",
        needs=VIEW,
        places="community grid household other_grid",
    ),
    Row("notices: outbox", "GET", "/workbench/outbox/", needs="anywhere:outbox.view"),
    Row(
        "notices: outbox failed",
        "GET",
        "/workbench/outbox/?status=failed",
        needs="anywhere:outbox.view",
    ),
    Row(
        "notices: outbox retry",
        "POST",
        "/workbench/outbox/retry/",
        needs="anywhere:outbox.view",
        ok=302,
    ),
    # The API
    Row("api messages: mine", "GET", A + "/messages", api=True, needs="login"),
    Row(
        "api messages: unread count",
        "GET",
        A + "/messages/unread-count",
        api=True,
        needs="login",
    ),
    Row(
        "api messages: read all",
        "POST",
        A + "/messages/read-all",
        api=True,
        needs="login",
    ),
    Row(
        "api messages: read mine",
        "POST",
        A + "/messages/{my_message}/read",
        api=True,
        needs=OWN,
        places="household",
    ),
    Row(
        "api messages: preferences",
        "GET",
        A + "/messages/preferences",
        api=True,
        needs="login",
    ),
    Row(
        "api messages: a preference",
        "PUT",
        A + "/messages/preferences/notice",
        api=True,
        needs="login",
        body={"sms": False, "wechat": True, "wecom": False},
    ),
    Row(
        "api messages: quiet hours",
        "PUT",
        A + "/messages/quiet-hours",
        api=True,
        needs="login",
        body={"start": "22:00", "end": "07:00"},
    ),
    Row(
        "api messages: bind an address",
        "PUT",
        A + "/messages/addresses/wechat",
        api=True,
        needs="login",
        body={"value": "matrix-openid"},
    ),
    Row("api notices: for me", "GET", A + "/notices/mine", api=True, needs="login"),
    Row(
        "api notices: one for me",
        "GET",
        A + "/notices/mine/{notices_mine}",
        api=True,
        needs=OWN,
        places="household",
    ),
    Row(
        "api notices: list",
        "GET",
        A + "/notices",
        api=True,
        needs="anywhere:notice.view",
    ),
    Row(
        "api notices: publish",
        "POST",
        A + "/notices",
        api=True,
        needs=PUBLISH,
        ok=201,
        seen=400,
        outside=400,
        places="street community other_community grid other_grid estate building",
        body={"area_id": "{area}", "title": MARK, "body": MARK},
    ),
    Row(
        "api notices: read receipts",
        "GET",
        A + "/notices/{notice}/receipts?area_id={area}",
        api=True,
        needs=VIEW,
        places=NOT_DISTRICT,
    ),
]
