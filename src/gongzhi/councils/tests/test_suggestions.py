"""A resident's suggestion, her neighbours' support, and what became of it."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.core.errors import DomainError, TransitionNotAllowed, ValidationFailed
from gongzhi.councils import selectors
from gongzhi.councils.models import Suggestion, Support, TopicStatus
from gongzhi.councils.services import suggestions, topics

from .conftest import photo, resident


def test_a_resident_sends_a_suggestion_with_a_photo_from_her_phone(world, collection):
    made = suggestions.suggestion_send(
        collection=collection,
        text="小区内围墙生锈，希望除锈刷漆",
        area=world.areas["building"],
        photos=[photo()],
        by=world.resident,
    )
    assert made.author == world.zhou
    assert made.area == world.areas["building"]
    assert made.photos.count() == 1
    assert list(selectors.suggestions_of(world.zhou)) == [made]


def test_a_suggestion_without_a_place_is_placed_at_her_home(world, collection):
    made = suggestions.suggestion_send(
        collection=collection, text="希望合理利用绿地", by=world.resident
    )
    assert made.area == world.areas["household"]


def test_a_retry_with_the_same_key_sends_one_suggestion(world, collection):
    first = suggestions.suggestion_send(
        collection=collection, text="加装路灯", by=world.resident, idempotency_key="k1"
    )
    again = suggestions.suggestion_send(
        collection=collection, text="加装路灯", by=world.resident, idempotency_key="k1"
    )
    assert again.pk == first.pk and again.replayed
    assert Suggestion.objects.filter(collection=collection).count() == 1


def test_a_suggestion_outside_ones_area_is_refused_and_nothing_is_written(
    world, collection
):
    outsider = resident("13900000201", "裕华园居民", world.areas["other_household"])
    with pytest.raises(ValidationFailed) as refused:
        suggestions.suggestion_send(
            collection=collection, text="我也想提建议", by=outsider.user
        )
    assert refused.value.field == "collection"
    assert "航院小区" in str(refused.value.message)
    assert not Suggestion.objects.filter(collection=collection).exists()


def test_a_place_outside_the_community_is_refused(world, collection):
    with pytest.raises(ValidationFailed) as refused:
        suggestions.suggestion_send(
            collection=collection,
            text="隔壁社区的路灯",
            area=world.areas["other_household"],
            by=world.resident,
        )
    assert refused.value.field == "area"
    assert not Suggestion.objects.exists()


def test_a_closed_collection_takes_no_suggestion(world, collection):
    later = timezone.now() + dt.timedelta(days=40)
    with pytest.raises(TransitionNotAllowed):
        suggestions.suggestion_send(
            collection=collection, text="晚了", by=world.resident, now=later
        )
    assert not Suggestion.objects.exists()


def test_a_neighbour_supports_once_and_never_her_own(world, collection):
    made = suggestions.suggestion_send(
        collection=collection, text="围墙生锈", by=world.resident
    )
    neighbour = resident("13900000202", "邻居陈", world.areas["neighbour_household"])
    suggestions.suggestion_support(suggestion=made, by=neighbour.user)
    with pytest.raises(TransitionNotAllowed) as twice:
        suggestions.suggestion_support(suggestion=made, by=neighbour.user)
    assert twice.value.field == "suggestion"
    with pytest.raises(ValidationFailed):
        suggestions.suggestion_support(suggestion=made, by=world.resident)
    made.refresh_from_db()
    assert made.supports == 1
    assert Support.objects.filter(suggestion=made).count() == 1


def test_a_declined_topic_tells_the_suggester_why(world, collection):
    made = suggestions.suggestion_send(
        collection=collection, text="拆除小区围墙", by=world.resident
    )
    topic = topics.topic_open(
        community=world.community,
        title="拆除围墙",
        suggestions=[made],
        by=world.staff,
    )
    assert topic.proposer == world.zhou
    topics.topic_step(
        topic=topic,
        action="decline",
        reason="围墙属于安全设施，不宜拆除",
        by=world.staff,
    )
    mine = selectors.suggestions_of(world.zhou).get()
    assert mine.topic.status == TopicStatus.DECLINED
    assert mine.topic.decline_reason == "围墙属于安全设施，不宜拆除"
    steps = [s["action"] for s in selectors.topic_timeline(topic)]
    assert steps == ["open", "decline"]


def test_declining_needs_a_reason(world):
    topic = topics.topic_open(community=world.community, title="议题", by=world.staff)
    with pytest.raises(ValidationFailed) as refused:
        topics.topic_step(topic=topic, action="decline", by=world.staff)
    assert refused.value.field == "reason"
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PROPOSED


def test_an_illegal_step_is_refused_and_changes_nothing(world):
    topic = topics.topic_open(community=world.community, title="议题", by=world.staff)
    with pytest.raises(TransitionNotAllowed):
        topics.topic_step(topic=topic, action="finish", by=world.staff)
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PROPOSED
    assert topic.steps.count() == 1


def test_a_topic_gathers_several_similar_requests_which_stay_linked(world):
    from gongzhi.requests.tests.conftest import raise_wall

    first, second = raise_wall(world), raise_wall(world, description="围墙又歪了")
    topic = topics.topic_open(
        community=world.community,
        title="大理道20号围墙倾斜",
        requests=[first, second],
        by=world.staff,
    )
    assert set(topic.requests.all()) == {first, second}


def test_staff_of_another_community_cannot_open_a_topic_here(world, users):
    with pytest.raises(DomainError):
        topics.topic_open(
            community=world.community, title="越界", by=users["other_grid_worker"]
        )
