"""公示 is public, and only what is decided: a community's page shows its
own topics once decided, never another community's, never a voter."""

import re

from gongzhi.councils.models import Topic
from gongzhi.councils.services import topics, votes

from .conftest import VOTING, present


def _decide(hall):
    present(hall, *VOTING)
    vote = votes.vote_create(
        meeting=hall.meeting, topic=hall.topic, secret=True, by=hall.staff
    )
    votes.vote_open(vote=vote, by=hall.staff)
    votes.ballot_cast(vote=vote, choice="yes", by=hall.holders["party"].user)
    votes.ballot_cast(vote=vote, choice="no", by=hall.holders["owners"].user)
    votes.vote_close(vote=vote, by=hall.staff)


def test_a_topic_not_yet_decided_is_not_public(client, hall):
    community = hall.world.community
    url = f"/public/councils/{community.pk}/topics/{hall.topic.pk}/"
    assert client.get(url).status_code == 404
    assert (
        hall.topic.title
        not in client.get(f"/public/councils/{community.pk}/").content.decode()
    )


def test_a_decided_topic_is_public_with_its_count_and_no_voter(client, hall):
    _decide(hall)
    community = hall.world.community
    page = client.get(f"/public/councils/{community.pk}/").content.decode()
    assert hall.topic.title in page
    assert re.search(r"1\D+1\D+0", page)
    assert "业委会李" not in page and hall.holders["party"].name not in page


def test_another_communitys_page_does_not_show_it(client, hall, areas):
    _decide(hall)
    other = areas["other_community"]
    page = client.get(f"/public/councils/{other.pk}/").content.decode()
    assert hall.topic.title not in page
    url = f"/public/councils/{other.pk}/topics/{hall.topic.pk}/"
    assert client.get(url).status_code == 404


def test_a_place_that_is_no_community_has_no_public_page(client, areas):
    assert client.get(f"/public/councils/{areas['estate'].pk}/").status_code == 404


def test_a_declined_topic_stays_off_the_public_page(client, hall):
    other = topics.topic_open(
        community=hall.world.community, title="不公开的议题", by=hall.staff
    )
    topics.topic_step(topic=other, action="decline", reason="不宜", by=hall.staff)
    page = client.get(f"/public/councils/{hall.world.community.pk}/").content.decode()
    assert "不公开的议题" not in page
    assert Topic.objects.filter(title="不公开的议题").exists()
