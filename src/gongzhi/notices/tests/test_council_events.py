"""Councils and selections tell people through the message centre: a
meeting's notice reaches its members and the community's residents, an
open vote those who may cast it, a selection's vote and its result the
area's residents and those who took part (selections/tests/
test_told.py). Once each."""

from gongzhi.councils.services import votes
from gongzhi.councils.tests.conftest import VOTING, hall, present  # noqa: F401
from gongzhi.notices.models import Category, Message
from gongzhi.requests.tests.conftest import world  # noqa: F401
from gongzhi.residents.models import Person


def _told(key: str) -> set[int]:
    return set(Message.objects.filter(key=key).values_list("user_id", flat=True))


def test_a_meeting_notice_reaches_its_members_and_the_communitys_residents(hall):  # noqa: F811
    told = _told(f"councils.meeting:{hall.meeting.pk}")
    members = {person.user_id for person in hall.holders.values()}
    assert members <= told
    living = set(
        Person.objects.filter(
            household__path__startswith=hall.council.community.path,
            user__isnull=False,
        ).values_list("user_id", flat=True)
    )
    assert living <= told and told == members | living
    message = Message.objects.filter(key=f"councils.meeting:{hall.meeting.pk}").first()
    assert message.category == Category.COUNCIL
    assert hall.meeting.title in message.title and hall.meeting.place in message.title
    # Publishing again (a retry of the step) tells nobody twice.
    from gongzhi.notices.events import on_meeting_noticed

    on_meeting_noticed(meeting=hall.meeting)
    assert Message.objects.filter(
        key=f"councils.meeting:{hall.meeting.pk}"
    ).count() == (len(told))


def test_an_open_vote_reaches_the_seats_that_may_cast_it_not_the_recused(hall):  # noqa: F811
    present(hall, *VOTING, "deputy")
    made = votes.vote_create(meeting=hall.meeting, topic=hall.topic, by=hall.staff)
    opened = votes.vote_open(vote=made, by=hall.staff)
    told = _told(f"councils.vote:{opened.pk}")
    voting = {hall.holders[key].user_id for key in VOTING if key != "property"}
    assert told == voting  # the property company is recused; guests do not vote
