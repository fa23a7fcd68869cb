"""Publishing a notice, its fan-out, reading it, and its read receipts;
bad input refused naming the field, nothing written."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core.errors import ValidationFailed
from gongzhi.notices import selectors
from gongzhi.notices.models import Message, Notice, NoticeFile, NoticeReceipt
from gongzhi.notices.services.notices import (
    notice_fan_out_range,
    notice_publish,
    notice_ranges,
    notice_read,
)
from gongzhi.residents.models import Person, PersonStatus, TagType

from .conftest import photo


def fan_out(notice):
    for start, stop in notice_ranges(notice=notice):
        notice_fan_out_range(notice_id=notice.pk, start=start, stop=stop)
    notice.refresh_from_db()
    return notice


def publish(users, areas, **fields):
    values = {
        "by": users["staff"],
        "area": areas["estate"],
        "title": "停水通知",
        "body": "12月5日 9:00—17:00 航院小区停水，请提前储水。",
    }
    values.update(fields)
    return notice_publish(**values)


def living_under(area):
    return Person.objects.filter(
        household__path__startswith=area.path, status=PersonStatus.ACTIVE
    )


def docx(name="通知.docx"):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, out.getvalue(), content_type="")


def test_a_notice_reaches_everyone_living_there_once(demo_people, users, areas):
    notice = fan_out(publish(users, areas))
    people = living_under(areas["estate"])
    assert notice.recipients == people.count() > 50
    assert set(notice.receipts.values_list("person_id", flat=True)) == set(
        people.values_list("pk", flat=True)
    )
    # A second fan-out (a task retried) writes nothing more.
    assert fan_out(notice).recipients == people.count()
    # The demo resident has a login: the message centre tells her, once.
    (message,) = Message.objects.filter(user=users["resident"])
    assert message.title == "停水通知"
    assert message.url == f"/portal/notices/{notice.pk}/"


def test_the_fan_out_is_set_based_not_a_query_per_person(demo_people, users, areas):
    small = publish(users, areas, area=areas["building"])
    big = publish(users, areas, area=areas["community"])
    counts = []
    for notice in (small, big):
        (span,) = notice_ranges(notice=notice, size=10**9)
        with CaptureQueriesContext(connection) as queries:
            notice_fan_out_range(notice_id=notice.pk, start=span[0], stop=span[1])
        counts.append(len(queries))
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.recipients > 5 * small.recipients
    assert counts[1] <= counts[0] + 4  # a batch more, not a query per person


def test_a_group_notice_reaches_only_that_group(demo_people, users, areas):
    tag = TagType.objects.get(code="alone_elderly", street__isnull=True)
    notice = fan_out(publish(users, areas, area=areas["community"], tag=tag))
    tagged = living_under(areas["community"]).filter(
        tags__tag=tag, tags__end__isnull=True
    )
    assert notice.recipients == tagged.count() > 0
    assert set(notice.receipts.values_list("person_id", flat=True)) == set(
        tagged.values_list("pk", flat=True)
    )


def test_a_team_notice_reaches_its_members(event, users, areas):
    from gongzhi.volunteering.models import MemberStatus, TeamMember

    for person in event.neighbours[:2]:
        TeamMember.objects.create(
            team=event.team, person=person, status=MemberStatus.MEMBER
        )
    notice = fan_out(publish(users, areas, area=areas["community"], team=event.team))
    members = set(
        TeamMember.objects.filter(
            team=event.team, status=MemberStatus.MEMBER
        ).values_list("person_id", flat=True)
    )
    assert {p.pk for p in event.neighbours[:2]} <= members  # and its leader
    assert set(notice.receipts.values_list("person_id", flat=True)) == members
    assert event.neighbours[2].pk not in members


def test_reading_marks_her_receipt_and_her_message_and_counts_per_building(
    demo_people, users, areas
):
    notice = fan_out(publish(users, areas))
    counts = selectors.receipt_counts(notice=notice, area=areas["estate"])
    assert sum(r["read"] for r in counts) == 0
    notice_read(user=users["resident"], notice=notice)
    counts = {
        r["building"]: r
        for r in selectors.receipt_counts(notice=notice, area=areas["estate"])
    }
    assert counts["航院小区 1号楼"]["read"] == 1
    assert counts["航院小区 1号楼"]["unread"] == counts["航院小区 1号楼"]["total"] - 1
    assert Message.objects.get(user=users["resident"]).read_at is not None
    unread = selectors.unread_people(notice=notice, area=areas["building"])
    assert users["resident"].person.pk not in {r.person_id for r in unread}


def test_a_resident_sees_only_notices_that_reached_her_and_not_expired(
    demo_people, users, areas
):
    import datetime as dt

    from django.utils import timezone

    mine = fan_out(publish(users, areas))
    fan_out(publish(users, areas, area=areas["sibling_grid"], title="别处"))
    soon = fan_out(
        publish(
            users,
            areas,
            title="快过期",
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
    )
    seen = selectors.notices_for_resident(user=users["resident"])
    assert [n.title for n in seen] == ["快过期", "停水通知"]
    later = selectors.notices_for_resident(
        user=users["resident"], now=timezone.now() + dt.timedelta(hours=2)
    )
    assert [n.pk for n in later] == [mine.pk]
    assert soon.pk not in [n.pk for n in later]


def test_images_and_a_real_attachment_are_kept(demo_street, users, areas):
    pdf = SimpleUploadedFile(
        "通知.pdf", b"%PDF-1.4\n...", content_type="application/pdf"
    )
    notice = publish(users, areas, images=[photo()], attachments=[pdf, docx()])
    kinds = sorted(notice.files.values_list("kind", "content_type"))
    assert kinds == [
        ("attachment", "application/pdf"),
        (
            "attachment",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("image", "image/png"),
    ]


# Bad input: a clear error naming the field, nothing written.


def _refused(field, users, areas, **fields):
    before = (Notice.objects.count(), NoticeFile.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        publish(users, areas, **fields)
    assert refused.value.field == field
    assert (Notice.objects.count(), NoticeFile.objects.count()) == before
    return str(refused.value.message)


def test_a_notice_outside_ones_area_is_refused(demo_street, users, areas):
    message = _refused("area", users, areas, area=areas["other_community"])
    assert "辖区" in message


def test_a_grid_worker_may_not_publish(demo_street, users, areas):
    _refused("area", users, areas, by=users["grid_worker"], area=areas["grid"])


@pytest.mark.parametrize("field", ["title", "body"])
def test_an_empty_notice_is_refused(demo_street, users, areas, field):
    assert _refused(field, users, areas, **{field: "   "}) == "此项为必填项。"


def test_an_attachment_that_is_not_what_it_claims_is_refused(demo_street, users, areas):
    fake_pdf = SimpleUploadedFile(
        "通知.pdf", b"MZ\x90\x00 an executable", content_type="application/pdf"
    )
    message = _refused("attachments", users, areas, attachments=[docx(), fake_pdf])
    assert "名不副实" in message
    renamed = SimpleUploadedFile("表格.xlsx", docx().read(), content_type="")
    _refused("attachments", users, areas, attachments=[renamed])
    typed = SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="image/png")
    _refused("attachments", users, areas, attachments=[typed])


def test_an_image_that_is_not_an_image_is_refused(demo_street, users, areas):
    bogus = SimpleUploadedFile("x.png", b"not a picture", content_type="image/png")
    _refused("images", users, areas, images=[bogus])


def test_a_group_and_a_team_at_once_or_an_expiry_past_are_refused(event, users, areas):
    import datetime as dt

    from django.utils import timezone

    tag = TagType.objects.filter(street__isnull=True).first()
    _refused("team", users, areas, tag=tag, team=event.team)
    _refused(
        "expires_at", users, areas, expires_at=timezone.now() - dt.timedelta(days=1)
    )
    assert not NoticeReceipt.objects.exists()
