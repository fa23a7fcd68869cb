"""A meeting: its notice in time, attendance by QR or by hand, quorum read
live from the council's rules, 流会 when it closes without quorum."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.councils.models import MeetingStatus, Presence, TopicStatus
from gongzhi.councils.services import meetings, topics, votes

from .conftest import VOTING, present


def test_a_notice_less_than_the_councils_days_ahead_is_refused(hall):
    soon = meetings.meeting_plan(
        council=hall.council,
        title="临时会",
        place="居委会",
        starts_at=timezone.now() + dt.timedelta(days=2),
        by=hall.staff,
    )
    other = topics.topic_open(
        community=hall.world.community, title="临时议题", by=hall.staff
    )
    topics.topic_step(topic=other, action="accept", by=hall.staff)
    meetings.agenda_add(meeting=soon, topic=other, by=hall.staff)
    with pytest.raises(TransitionNotAllowed) as refused:
        meetings.meeting_step(meeting=soon, action="publish", by=hall.staff)
    assert "3" in str(refused.value.message)
    soon.refresh_from_db()
    assert soon.status == MeetingStatus.PLANNED and soon.noticed_at is None


def test_quorum_needs_two_thirds_of_the_seats_and_every_party(hall):
    present(hall, "party", "committee", "owners", "unit", "residents")
    found = meetings.quorum(hall.meeting)
    assert (found.seats, found.present, found.needed) == (7, 5, 5)
    assert not found.met  # nobody of the property company is there
    assert len(found.parties_missing) == 1
    present(hall, "property")
    assert meetings.quorum(hall.meeting).met


def test_guests_do_not_count_towards_quorum(hall):
    present(hall, "deputy", "expert", "party")
    found = meetings.quorum(hall.meeting)
    assert found.present == 1


def test_a_seat_holder_checks_in_with_the_code_on_the_chairs_screen(hall):
    code = meetings.check_in_code(hall.meeting)
    user = hall.holders["committee"].user
    made = meetings.meeting_check_in(meeting=hall.meeting, code=code, by=user)
    assert made.seat == hall.seats["committee"] and made.method == "qr"
    with pytest.raises(TransitionNotAllowed):
        meetings.meeting_check_in(meeting=hall.meeting, code=code, by=user)


def test_a_code_from_two_minutes_ago_is_refused(hall):
    old = meetings.check_in_code(
        hall.meeting, now=timezone.now() - dt.timedelta(minutes=3)
    )
    with pytest.raises(ValidationFailed) as refused:
        meetings.meeting_check_in(
            meeting=hall.meeting, code=old, by=hall.holders["committee"].user
        )
    assert refused.value.field == "code"
    assert not Presence.objects.filter(meeting=hall.meeting).exists()


def test_someone_without_a_seat_cannot_check_in(hall):
    code = meetings.check_in_code(hall.meeting)
    with pytest.raises(ValidationFailed):
        meetings.meeting_check_in(meeting=hall.meeting, code=code, by=hall.staff)


def test_a_decision_without_quorum_is_refused_and_nothing_changes(hall):
    present(hall, "party", "committee")
    with pytest.raises(TransitionNotAllowed) as refused:
        votes.topic_decide(
            meeting=hall.meeting, topic=hall.topic, outcome="passed", by=hall.staff
        )
    assert refused.value.field == "quorum"
    assert "2" in str(refused.value.message)
    hall.topic.refresh_from_db()
    assert hall.topic.status == TopicStatus.SCHEDULED


def test_a_vote_cannot_open_without_quorum(hall):
    vote = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    with pytest.raises(TransitionNotAllowed):
        votes.vote_open(vote=vote, by=hall.staff)
    vote.refresh_from_db()
    assert vote.status == "draft"


def test_a_meeting_closing_without_quorum_is_recorded_as_liuhui(hall):
    present(hall, "party")
    closed = meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    assert closed.status == MeetingStatus.INQUORATE
    hall.topic.refresh_from_db()
    assert hall.topic.status == TopicStatus.DEFERRED
    assert [s["status"] for s in meetings.MEETING_FLOW.timeline(closed)][-1] == (
        "inquorate"
    )


def test_a_meeting_with_quorum_closes_normally(hall):
    present(hall, *VOTING)
    closed = meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    assert closed.status == MeetingStatus.CLOSED


def test_publishing_the_notice_is_announced_for_whoever_delivers_it(hall):
    from gongzhi.core.hooks import subscribe, unsubscribe

    heard = []

    def listen(meeting):
        heard.append(meeting.pk)

    later = meetings.meeting_plan(
        council=hall.council,
        title="十二月议事会",
        place="居委会",
        starts_at=timezone.now() + dt.timedelta(days=10),
        by=hall.staff,
    )
    other = topics.topic_open(
        community=hall.world.community, title="十二月议题", by=hall.staff
    )
    topics.topic_step(topic=other, action="accept", by=hall.staff)
    meetings.agenda_add(meeting=later, topic=other, by=hall.staff)
    subscribe(meetings.MEETING_NOTICED, listen)
    try:
        meetings.meeting_step(meeting=later, action="publish", by=hall.staff)
    finally:
        unsubscribe(meetings.MEETING_NOTICED, listen)
    assert heard == [later.pk]
