"""Minutes drafted during the meeting, commented on by those who came,
finalised by the chair, then never changed."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.councils.models import MinutesVersion
from gongzhi.councils.services import meetings, minutes, votes

from .conftest import VOTING, present


@pytest.fixture
def held(hall):
    """The meeting voted on the fee and closed."""
    present(hall, *VOTING)
    vote = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    votes.vote_open(vote=vote, by=hall.staff)
    for key in ("party", "committee", "owners", "unit"):
        votes.ballot_cast(vote=vote, choice="yes", by=hall.holders[key].user)
    minutes.minutes_save(meeting=hall.meeting, text="一、物业费调整", by=hall.staff)
    votes.vote_close(vote=vote, by=hall.staff)
    meetings.meeting_step(meeting=hall.meeting, action="close", by=hall.staff)
    minutes.minutes_save(
        meeting=hall.meeting, text="一、物业费调整：通过", by=hall.staff
    )
    return hall


def test_each_save_is_a_new_version(held):
    numbers = list(
        MinutesVersion.objects.filter(minutes__meeting=held.meeting).values_list(
            "number", flat=True
        )
    )
    assert numbers == [1, 2]


def test_an_attendee_comments_while_the_minutes_are_open(held):
    minutes.minutes_open_comments(meeting=held.meeting, by=held.staff)
    made = minutes.minutes_comment(
        meeting=held.meeting, text="请补充缴费时间", by=held.holders["owners"].user
    )
    assert made.version == 2


def test_someone_who_did_not_attend_cannot_comment(held):
    minutes.minutes_open_comments(meeting=held.meeting, by=held.staff)
    with pytest.raises(ValidationFailed):
        minutes.minutes_comment(
            meeting=held.meeting, text="我没来", by=held.holders["deputy"].user
        )


def test_the_chair_finalises_after_the_comment_days(held):
    minutes.minutes_open_comments(meeting=held.meeting, by=held.staff)
    with pytest.raises(TransitionNotAllowed):
        minutes.minutes_finalise(meeting=held.meeting, by=held.staff)
    later = timezone.now() + dt.timedelta(days=3)
    final = minutes.minutes_finalise(meeting=held.meeting, by=held.staff, now=later)
    assert final.final and final.number == 3
    # The record says who came, the count and who was recused.
    assert "王主任" in final.text
    assert "物业张经理" in final.text  # recused, and named so
    assert "4" in final.text


def test_final_minutes_cannot_be_edited(held):
    minutes.minutes_open_comments(meeting=held.meeting, by=held.staff)
    later = timezone.now() + dt.timedelta(days=3)
    minutes.minutes_finalise(meeting=held.meeting, by=held.staff, now=later)
    with pytest.raises(TransitionNotAllowed) as refused:
        minutes.minutes_save(meeting=held.meeting, text="改一下", by=held.staff)
    assert refused.value.field == "text"
    assert MinutesVersion.objects.filter(minutes__meeting=held.meeting).count() == 3
