"""Reads of councils, topics, meetings and votes for display, already
scoped: staff through council.view over the row's area; a resident by
where she lives and the seats she holds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import scoped
from gongzhi.areas.tree import ancestor_paths
from gongzhi.residents.homes import current_home

from .models import (
    Collection,
    Council,
    Meeting,
    MeetingStatus,
    Objection,
    Seat,
    Suggestion,
    Topic,
    TopicStatus,
    Vote,
    VoteKind,
    VoteStatus,
)
from .services import owners, topics

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.areas.models import Area

VIEW = Perm.COUNCIL_VIEW
# What the public page shows: topics decided, in hand or done.
SHOWN = (
    TopicStatus.PASSED,
    TopicStatus.NOT_PASSED,
    TopicStatus.CARRYING_OUT,
    TopicStatus.DONE,
    TopicStatus.PUBLICISED,
)
UPCOMING = (MeetingStatus.NOTICED, MeetingStatus.IN_SESSION)


def collection_list(*, user: User, perm: str = VIEW) -> QuerySet[Collection]:
    return scoped(
        Collection.objects.select_related("area", "community"),
        user=user,
        perm=perm,
    ).annotate(n=Count("suggestions"))


def collection_get(*, user: User, pk: int, perm: str = VIEW) -> Collection:
    return get_object_or_404(collection_list(user=user, perm=perm), pk=pk)


def topic_list(*, user: User, perm: str = VIEW) -> QuerySet[Topic]:
    return scoped(
        Topic.objects.select_related("area", "community", "proposer"),
        user=user,
        perm=perm,
    )


def topic_get(*, user: User, pk: int, perm: str = VIEW) -> Topic:
    return get_object_or_404(topic_list(user=user, perm=perm), pk=pk)


def council_list(*, user: User, perm: str = VIEW) -> QuerySet[Council]:
    return scoped(
        Council.objects.select_related("area", "community"), user=user, perm=perm
    )


def council_get(*, user: User, pk: int, perm: str = VIEW) -> Council:
    return get_object_or_404(council_list(user=user, perm=perm), pk=pk)


def meeting_list(*, user: User, perm: str = VIEW) -> QuerySet[Meeting]:
    return scoped(
        Meeting.objects.select_related("council__area", "council__community"),
        user=user,
        via="council__area",
        perm=perm,
    )


def meeting_get(*, user: User, pk: int, perm: str = VIEW) -> Meeting:
    return get_object_or_404(meeting_list(user=user, perm=perm), pk=pk)


def vote_get(*, user: User, pk: int, perm: str = VIEW) -> Vote:
    votes = scoped(
        Vote.objects.select_related("meeting__council__community", "topic"),
        user=user,
        via="meeting__council__area",
        perm=perm,
    )
    return get_object_or_404(votes, pk=pk)


def objection_list(*, user: User, perm: str = VIEW) -> QuerySet[Objection]:
    return scoped(
        Objection.objects.select_related("topic", "person"),
        user=user,
        via="topic__area",
        perm=perm,
    )


def topics_to_accept(*, user: User, community: Area) -> QuerySet[Topic]:
    return topic_list(user=user, perm=Perm.COUNCIL_MANAGE).filter(
        community=community, status=TopicStatus.PROPOSED
    )


def objections_to_answer(*, user: User, community: Area) -> QuerySet[Objection]:
    return objection_list(user=user, perm=Perm.COUNCIL_MANAGE).filter(
        topic__community=community, answered_at__isnull=True
    )


def topic_timeline(topic: Topic) -> list[dict]:
    return topics.FLOW.timeline(topic)


# The resident's


def _around(person) -> Q:
    """Rows whose area contains the person's home (her household, entrance,
    building, estate, grid or community)."""
    home = current_home(person)
    if home is None:
        return Q(pk__in=[])
    return Q(area__path__in=ancestor_paths(home.path, include_self=True))


def collections_open_for(person, *, today: dt.date | None = None):
    today = today or timezone.localdate()
    return (
        Collection.objects.filter(_around(person))
        .filter(opens_on__lte=today, closes_on__gte=today)
        .select_related("area")
        .annotate(n=Count("suggestions"))
        .order_by("closes_on", "pk")
    )


def collection_for_resident(person, pk: int) -> Collection:
    """A collection of her area (open or not): elsewhere 404."""
    return get_object_or_404(
        Collection.objects.filter(_around(person)).select_related("area", "community"),
        pk=pk,
    )


def suggestions_of(person) -> QuerySet[Suggestion]:
    return (
        Suggestion.objects.filter(author=person)
        .select_related("collection", "topic", "area")
        .order_by("-created_at", "-pk")
    )


def supported_by(person, suggestions) -> set[int]:
    return set(
        person_supports(person)
        .filter(suggestion__in=suggestions)
        .values_list("suggestion_id", flat=True)
    )


def person_supports(person):
    from .models import Support

    return Support.objects.filter(person=person)


def seats_of(person, *, today: dt.date | None = None) -> list[Seat]:
    today = today or timezone.localdate()
    return [
        s
        for s in Seat.objects.filter(person=person).select_related("council")
        if s.sits_on(today)
    ]


def meetings_upcoming_for(person, *, now: dt.datetime | None = None):
    """Meetings noticed or in session: of the public councils of her area,
    and of the councils she sits on."""
    now = now or timezone.now()
    home = current_home(person)
    paths = ancestor_paths(home.path, include_self=True) if home else []
    councils = Seat.objects.filter(person=person).values("council_id")
    return (
        Meeting.objects.filter(status__in=UPCOMING)
        .filter(
            Q(council__public=True, council__area__path__in=paths)
            | Q(council__in=councils)
        )
        .filter(starts_at__gte=now - dt.timedelta(hours=12))
        .select_related("council")
        .order_by("starts_at", "pk")
    )


def meeting_for_resident(person, pk: int) -> Meeting:
    home = current_home(person)
    paths = ancestor_paths(home.path, include_self=True) if home else []
    councils = Seat.objects.filter(person=person).values("council_id")
    return get_object_or_404(
        Meeting.objects.filter(
            Q(council__public=True, council__area__path__in=paths)
            | Q(council__in=councils)
        )
        .exclude(status=MeetingStatus.PLANNED)
        .select_related("council__community"),
        pk=pk,
    )


def _owned_votes(person, votes) -> list[int]:
    """The owners' votes among ``votes`` whose roll has a household she
    owns now."""
    return [
        vote.pk
        for vote in votes.filter(kind=VoteKind.OWNERS).select_related(
            "meeting__council__area"
        )
        if owners.households_of(vote, person)
    ]


def votes_open_for(person):
    """Open votes of the councils she sits on (the services decide whether
    her seat may cast), and open owners' votes over a home she owns."""
    councils = Seat.objects.filter(person=person).values("council_id")
    opened = Vote.objects.filter(status=VoteStatus.OPEN)
    mine = Q(meeting__council__in=councils, kind=VoteKind.COUNCIL) | Q(
        pk__in=_owned_votes(person, opened)
    )
    return (
        opened.filter(mine)
        .select_related("topic", "meeting__council")
        .order_by("opened_at", "pk")
    )


def vote_for_resident(person, pk: int) -> Vote:
    councils = Seat.objects.filter(person=person).values("council_id")
    candidates = Vote.objects.filter(pk=pk)
    mine = Q(meeting__council__in=councils, kind=VoteKind.COUNCIL) | Q(
        pk__in=_owned_votes(person, candidates)
    )
    return get_object_or_404(
        candidates.filter(mine).select_related("topic", "meeting__council__community"),
        pk=pk,
    )


def topics_public(community: Area) -> QuerySet[Topic]:
    """What the public page of a community shows."""
    return (
        Topic.objects.filter(community=community, status__in=SHOWN)
        .select_related("area")
        .order_by("-created_at", "-pk")
    )


def topic_public_get(community: Area, pk: int) -> Topic:
    return get_object_or_404(topics_public(community), pk=pk)


def notices_for(person):
    """Topics of her community under public notice."""
    home = current_home(person)
    if home is None:
        return Topic.objects.none()
    today = timezone.localdate()
    return (
        Topic.objects.filter(
            community__path__in=ancestor_paths(home.path, include_self=True),
            status=TopicStatus.PUBLICISED,
            notice_until__gte=today,
        )
        .select_related("community")
        .order_by("notice_until", "pk")
    )
