"""The councils API: collections and suggestions, topics and their
workflow, councils and seats, meetings (agenda, attendance, quorum),
votes and ballots, minutes, the work a resolution becomes, its budget,
objections; and a resident's own (open collections, her suggestions,
meetings, votes open to her).

Staff objects are looked up where the caller sees their area (404
elsewhere; 403 where her role may not act); a resident's through where she
lives and the seats she holds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, area_seen, referenced, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.areas.tree import ancestor_paths
from gongzhi.core.errors import DomainError, ValidationFailed, fields_renamed
from gongzhi.core.schemas import StepOut
from gongzhi.requests.models import ServiceRequest
from gongzhi.residents.homes import current_home
from gongzhi.residents.selectors.people import person_referenced

from . import selectors
from .models import (
    Collection,
    Council,
    Meeting,
    Milestone,
    Objection,
    Party,
    Seat,
    Suggestion,
    Task,
    Topic,
    Vote,
)
from .services import (
    meetings,
    minutes,
    owners,
    publicity,
    suggestions,
    topics,
    votes,
    work,
)
from .views.choices import assignee_find, category_find

router = Router(tags=["councils"])
VIEW, MANAGE = Perm.COUNCIL_VIEW, Perm.COUNCIL_MANAGE


# --- schemas -----------------------------------------------------------------


class CollectionIn(Schema):
    area_id: int
    title: str
    description: str = ""
    opens_on: dt.date
    closes_on: dt.date


class CollectionOut(Schema):
    id: int
    area_id: int
    community_id: int
    title: str
    description: str
    opens_on: dt.date
    closes_on: dt.date
    open: bool


class SuggestionIn(Schema):
    text: str
    area_id: int | None = None


class SuggestionOut(Schema):
    id: int
    collection_id: int
    area_id: int
    text: str
    supports: int
    topic_id: int | None
    topic_status: str = ""
    topic_status_label: str = ""
    decline_reason: str = ""


class TopicIn(Schema):
    community_id: int
    title: str
    description: str = ""
    area_id: int | None = None
    suggestion_ids: list[int] = []
    request_ids: list[int] = []
    interested: list[str] = []


class TopicOut(Schema):
    id: int
    community_id: int
    area_id: int
    title: str
    description: str
    status: str
    status_label: str
    interested: list[str]
    decline_reason: str
    outcome: str
    notice_until: dt.date | None
    request_ids: list[int]
    suggestion_ids: list[int]


class TopicDetailOut(TopicOut):
    steps: list[StepOut]


class StepIn(Schema):
    action: str
    reason: str = ""
    notice_days: int | None = None


class CouncilIn(Schema):
    area_id: int
    name: str
    notice_days: int = 3
    comment_days: int = 3
    quorum_num: int = 2
    quorum_den: int = 3
    quorum_each_party: bool = True
    pass_rule: str = "cast"
    abstain_counts: bool = False
    secret: bool = False
    hide_results: bool = True
    public: bool = True


class SeatOut(Schema):
    id: int
    person_id: int
    name: str
    party: str
    party_label: str
    title: str
    starts_on: dt.date
    ends_on: dt.date | None
    votes: bool


class CouncilOut(Schema):
    id: int
    area_id: int
    community_id: int
    name: str
    notice_days: int
    comment_days: int
    quorum_num: int
    quorum_den: int
    quorum_each_party: bool
    pass_rule: str
    abstain_counts: bool
    secret: bool
    hide_results: bool
    public: bool
    seats: list[SeatOut]


class SeatIn(Schema):
    person_id: int
    party: str
    title: str = ""
    starts_on: dt.date
    ends_on: dt.date | None = None


class MeetingIn(Schema):
    title: str
    place: str
    starts_at: dt.datetime


class QuorumOut(Schema):
    seats: int
    present: int
    needed: int
    parties_missing: list[str]
    met: bool


class MeetingOut(Schema):
    id: int
    council_id: int
    title: str
    place: str
    starts_at: dt.datetime
    status: str
    status_label: str
    noticed_at: dt.datetime | None
    agenda: list[int]
    present_seat_ids: list[int]
    quorum: QuorumOut


class MeetingStepIn(Schema):
    action: str
    reason: str = ""


class AgendaIn(Schema):
    topic_id: int


class PresenceIn(Schema):
    seat_id: int


class CodeIn(Schema):
    code: str


class CodeOut(Schema):
    code: str


class VoteIn(Schema):
    topic_id: int
    secret: bool | None = None


class TallyOut(Schema):
    yes: int
    no: int
    abstain: int
    voted: int
    eligible: int
    present: int
    needed: int
    met: bool
    rule: str


class ThresholdOut(Schema):
    key: str
    count: Decimal
    of: Decimal
    met: bool


class OwnersTallyOut(Schema):
    special: bool
    total_area: Decimal
    total_heads: int
    participating_area: Decimal
    participating_heads: int
    yes_area: Decimal
    yes_heads: int
    no_heads: int
    abstain_heads: int
    thresholds: list[ThresholdOut]
    participated: bool
    passed: bool


class VoteOut(Schema):
    id: int
    meeting_id: int
    topic_id: int
    secret: bool
    status: str
    status_label: str
    pass_rule: str
    recused: list[str]
    result: str
    voted: int
    tally: TallyOut | None
    kind: str = "council"
    owners: OwnersTallyOut | None = None
    problem: str = ""


class BallotIn(Schema):
    choice: str
    seat_id: int | None = None
    household_id: int | None = None


class OwnersVoteIn(Schema):
    topic_id: int
    special: bool = False


class BallotOut(Schema):
    vote_id: int
    accepted: bool


class DecideIn(Schema):
    topic_id: int
    outcome: str
    note: str = ""


class MinutesIn(Schema):
    text: str


class MinutesOut(Schema):
    meeting_id: int
    status: str
    comments_until: dt.date | None
    version: int
    text: str
    final: bool


class CommentIn(Schema):
    text: str


class TaskIn(Schema):
    title: str
    description: str = ""
    category_id: int
    to: str


class TaskOut(Schema):
    id: int
    topic_id: int
    title: str
    request_id: int
    request_number: str
    request_status: str
    milestones: int
    milestones_done: int


class MilestoneIn(Schema):
    title: str
    due_on: dt.date | None = None


class MilestoneOut(Schema):
    id: int
    task_id: int
    title: str
    due_on: dt.date | None
    done_at: dt.datetime | None


class BudgetIn(Schema):
    source: str
    approved: Decimal


class BudgetOut(Schema):
    topic_id: int
    source: str
    approved: Decimal
    spent: Decimal
    left: Decimal


class ObjectionIn(Schema):
    text: str


class AnswerIn(Schema):
    answer: str


class ObjectionOut(Schema):
    id: int
    topic_id: int
    text: str
    at: dt.datetime
    answer: str
    answered: bool


class MineOut(Schema):
    collections: list[CollectionOut]
    suggestions: list[SuggestionOut]
    meetings: list[MeetingOut]
    votes: list[VoteOut]
    notices: list[TopicOut]


# --- shaping -----------------------------------------------------------------


def _collection_out(c: Collection) -> dict:
    return {
        "id": c.pk,
        "area_id": c.area_id,
        "community_id": c.community_id,
        "title": c.title,
        "description": c.description,
        "opens_on": c.opens_on,
        "closes_on": c.closes_on,
        "open": c.is_open(timezone.localdate()),
    }


def _suggestion_out(s: Suggestion) -> dict:
    topic = s.topic
    return {
        "id": s.pk,
        "collection_id": s.collection_id,
        "area_id": s.area_id,
        "text": s.text,
        "supports": s.supports,
        "topic_id": s.topic_id,
        "topic_status": topic.status if topic else "",
        "topic_status_label": topic.get_status_display() if topic else "",
        "decline_reason": topic.decline_reason if topic else "",
    }


def _topic_out(t: Topic) -> dict:
    return {
        "id": t.pk,
        "community_id": t.community_id,
        "area_id": t.area_id,
        "title": t.title,
        "description": t.description,
        "status": t.status,
        "status_label": t.get_status_display(),
        "interested": t.interested,
        "decline_reason": t.decline_reason,
        "outcome": t.outcome,
        "notice_until": t.notice_until,
        "request_ids": [r.pk for r in t.requests.all()],
        "suggestion_ids": [s.pk for s in t.suggestions.all()],
    }


def _seat_out(s: Seat) -> dict:
    return {
        "id": s.pk,
        "person_id": s.person_id,
        "name": s.person.name,
        "party": s.party,
        "party_label": s.get_party_display(),
        "title": s.title,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "votes": s.votes,
    }


def _council_out(c: Council) -> dict:
    return {
        **{
            f: getattr(c, f)
            for f in (
                "name",
                "notice_days",
                "comment_days",
                "quorum_num",
                "quorum_den",
                "quorum_each_party",
                "pass_rule",
                "abstain_counts",
                "secret",
                "hide_results",
                "public",
            )
        },
        "id": c.pk,
        "area_id": c.area_id,
        "community_id": c.community_id,
        "seats": [_seat_out(s) for s in c.seats.select_related("person")],
    }


def _meeting_out(m: Meeting) -> dict:
    q = meetings.quorum(m)
    return {
        "id": m.pk,
        "council_id": m.council_id,
        "title": m.title,
        "place": m.place,
        "starts_at": m.starts_at,
        "status": m.status,
        "status_label": m.get_status_display(),
        "noticed_at": m.noticed_at,
        "agenda": list(m.agenda.values_list("topic_id", flat=True)),
        "present_seat_ids": list(m.presences.values_list("seat_id", flat=True)),
        "quorum": {
            "seats": q.seats,
            "present": q.present,
            "needed": q.needed,
            "parties_missing": list(q.parties_missing),
            "met": q.met,
        },
    }


def _owners_out(count) -> dict:
    return {
        **{
            f: getattr(count, f)
            for f in (
                "special",
                "total_area",
                "total_heads",
                "participating_area",
                "participating_heads",
                "yes_area",
                "yes_heads",
                "no_heads",
                "abstain_heads",
                "participated",
                "passed",
            )
        },
        "thresholds": [
            {"key": t.key, "count": t.count, "of": t.of, "met": t.met}
            for t in count.thresholds
        ],
    }


def _vote_out(v: Vote, user) -> dict:
    if v.kind == "owners":
        shown = votes.results_shown(v, user)
        out = {
            "id": v.pk,
            "meeting_id": v.meeting_id,
            "topic_id": v.topic_id,
            "secret": False,
            "status": v.status,
            "status_label": v.get_status_display(),
            "pass_rule": v.pass_rule,
            "recused": [],
            "result": v.result,
            "voted": v.voters.count(),
            "tally": None,
            "kind": "owners",
        }
        if shown:
            try:
                out["owners"] = _owners_out(owners.owners_tally(v))
            except DomainError as exc:
                out["problem"] = str(exc.message)
        return out
    t = votes.tally(v)
    return {
        "id": v.pk,
        "meeting_id": v.meeting_id,
        "topic_id": v.topic_id,
        "secret": v.secret,
        "status": v.status,
        "status_label": v.get_status_display(),
        "pass_rule": v.pass_rule,
        "recused": v.recused,
        "result": v.result,
        "voted": t.voted,
        "tally": t.__dict__ if votes.results_shown(v, user) else None,
    }


def _minutes_out(m: Meeting) -> dict:
    record = getattr(m, "minutes", None)
    version = record.versions.order_by("-number").first() if record else None
    return {
        "meeting_id": m.pk,
        "status": record.status if record else "draft",
        "comments_until": record.comments_until if record else None,
        "version": version.number if version else 0,
        "text": version.text if version else "",
        "final": bool(version and version.final),
    }


def _task_out(t: Task) -> dict:
    stones = list(t.milestones.all())
    return {
        "id": t.pk,
        "topic_id": t.topic_id,
        "title": t.title,
        "request_id": t.service_request_id,
        "request_number": t.service_request.number,
        "request_status": t.service_request.status,
        "milestones": len(stones),
        "milestones_done": sum(1 for m in stones if m.done_at),
    }


def _milestone_out(m: Milestone) -> dict:
    return {
        "id": m.pk,
        "task_id": m.task_id,
        "title": m.title,
        "due_on": m.due_on,
        "done_at": m.done_at,
    }


def _budget_out(b) -> dict:
    spent = work.spent(b)
    return {
        "topic_id": b.topic_id,
        "source": b.source,
        "approved": b.approved,
        "spent": spent,
        "left": b.approved - spent,
    }


def _objection_out(o: Objection) -> dict:
    return {
        "id": o.pk,
        "topic_id": o.topic_id,
        "text": o.text,
        "at": o.at,
        "answer": o.answer,
        "answered": o.answered_at is not None,
    }


# --- lookups -----------------------------------------------------------------

COLLECTIONS = Collection.objects.select_related("area", "community")
TOPICS = Topic.objects.select_related("area", "community")
COUNCILS = Council.objects.select_related("area", "community")
MEETINGS = Meeting.objects.select_related("council__area", "council__community")
VOTES = Vote.objects.select_related("meeting__council__area", "topic")


def _topic(request, pk, perm=VIEW) -> Topic:
    return seen(TOPICS, request, pk, via="area", perm=perm)


def _meeting(request, pk, perm=VIEW) -> Meeting:
    return seen(MEETINGS, request, pk, via="council__area", perm=perm)


def _vote(request, pk, perm=VIEW) -> Vote:
    return seen(VOTES, request, pk, via="meeting__council__area", perm=perm)


def _me(request):
    person = getattr(request.user, "person", None)
    if person is None or current_home(person) is None:
        raise Http404(_("No resident record is linked to this login."))
    return person


# --- collections and suggestions ----------------------------------------------


@router.get("/collections", response=list[CollectionOut], summary="Collections")
def collection_list(request):
    return [
        _collection_out(c) for c in selectors.collection_list(user=request.user)[:200]
    ]


@router.post(
    "/collections",
    response={201: CollectionOut, **ERRORS},
    summary="Open a collection of suggestions (征集) for an area and a period",
)
def collection_create(request, payload: CollectionIn):
    area = referenced(
        request,
        Area.objects,
        payload.area_id,
        via="",
        field="area_id",
    )
    made = suggestions.collection_create(
        area=area,
        title=payload.title,
        description=payload.description,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        by=request.user,
    )
    return Status(201, _collection_out(made))


@router.get(
    "/collections/{int:collection_id}/suggestions",
    response={200: list[SuggestionOut], **NOT_ALLOWED},
    summary="A collection's suggestions, most supported first",
)
def collection_suggestions(request, collection_id: int):
    c = seen(COLLECTIONS, request, collection_id, via="area", perm=VIEW)
    rows = c.suggestions.select_related("topic").order_by("-supports", "pk")[:500]
    return [_suggestion_out(s) for s in rows]


@router.post(
    "/me/collections/{int:collection_id}/suggestions",
    response={201: SuggestionOut, **ERRORS},
    summary="Send a suggestion (text, a place, photos) to a collection of my area",
)
def my_suggestion(
    request,
    collection_id: int,
    payload: Form[SuggestionIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    person = _me(request)
    c = selectors.collection_for_resident(person, collection_id)
    area = None
    if payload.area_id is not None:
        area = Area.objects.filter(pk=payload.area_id).first()
        if area is None:
            raise ValidationFailed(_("Not found."), field="area_id")
    made = suggestions.suggestion_send(
        collection=c,
        text=payload.text,
        area=area,
        photos=photos or [],
        by=request.user,
        idempotency_key=idempotency_key,
    )
    return Status(201, _suggestion_out(made))


@router.post(
    "/me/suggestions/{int:suggestion_id}/support",
    response={200: SuggestionOut, **ERRORS},
    summary="Support (附议) a neighbour's suggestion, once",
)
def my_support(request, suggestion_id: int):
    person = _me(request)
    s = get_object_or_404(
        Suggestion.objects.select_related("collection"), pk=suggestion_id
    )
    selectors.collection_for_resident(person, s.collection_id)
    return _suggestion_out(
        suggestions.suggestion_support(suggestion=s, by=request.user)
    )


@router.get("/me", response={200: MineOut, **NOT_ALLOWED}, summary="My councils")
def mine(request):
    person = _me(request)
    return {
        "collections": [
            _collection_out(c) for c in selectors.collections_open_for(person)
        ],
        "suggestions": [
            _suggestion_out(s) for s in selectors.suggestions_of(person)[:100]
        ],
        "meetings": [
            _meeting_out(m) for m in selectors.meetings_upcoming_for(person)[:20]
        ],
        "votes": [_vote_out(v, request.user) for v in selectors.votes_open_for(person)],
        "notices": [_topic_out(t) for t in selectors.notices_for(person)[:20]],
    }


# --- topics --------------------------------------------------------------------


@router.get("/topics", response=list[TopicOut], summary="Topics, newest first")
def topic_list(request, status: str = ""):
    rows = selectors.topic_list(user=request.user).prefetch_related(
        "requests", "suggestions"
    )
    if status:
        rows = rows.filter(status=status)
    return [_topic_out(t) for t in rows[:200]]


@router.post(
    "/topics",
    response={201: TopicOut, **ERRORS},
    summary="Open a topic from suggestions and/or several similar requests",
)
def topic_create(request, payload: TopicIn):
    community = area_seen(request, payload.community_id, MANAGE)
    area = None
    if payload.area_id is not None:
        area = referenced(
            request,
            type(community).objects,
            payload.area_id,
            via="",
            field="area_id",
        )
    found = list(
        Suggestion.objects.filter(
            pk__in=payload.suggestion_ids, collection__community=community
        ).select_related("collection", "author")
    )
    if len(found) != len(set(payload.suggestion_ids)):
        raise ValidationFailed(_("Not found."), field="suggestion_ids")
    asked = list(
        ServiceRequest.objects.filter(pk__in=payload.request_ids, community=community)
    )
    if len(asked) != len(set(payload.request_ids)):
        raise ValidationFailed(_("Not found."), field="request_ids")
    made = topics.topic_open(
        community=community,
        area=area,
        title=payload.title,
        description=payload.description,
        suggestions=found,
        requests=asked,
        interested=payload.interested,
        by=request.user,
    )
    return Status(201, _topic_out(made))


@router.get(
    "/topics/{int:topic_id}",
    response={200: TopicDetailOut, **NOT_ALLOWED},
    summary="A topic and its history",
)
def topic_detail(request, topic_id: int):
    t = _topic(request, topic_id)
    return {**_topic_out(t), "steps": selectors.topic_timeline(t)}


@router.post(
    "/topics/{int:topic_id}/step",
    response={200: TopicOut, **ERRORS},
    summary="accept, decline (reason), finish or publicise (notice_days) a topic",
)
def topic_step(request, topic_id: int, payload: StepIn):
    t = _topic(request, topic_id, MANAGE)
    return _topic_out(
        topics.topic_step(
            topic=t,
            action=payload.action,
            by=request.user,
            reason=payload.reason,
            notice_days=payload.notice_days,
        )
    )


# --- councils and seats ----------------------------------------------------------


@router.get("/councils", response=list[CouncilOut], summary="Councils")
def council_list(request):
    rows = selectors.council_list(user=request.user)[:100]
    return [_council_out(c) for c in rows]


@router.post(
    "/councils",
    response={201: CouncilOut, **ERRORS},
    summary="Set up a standing council with its rules",
)
def council_create(request, payload: CouncilIn):
    area = area_seen(request, payload.area_id, MANAGE)
    data = payload.dict()
    data.pop("area_id")
    made = meetings.council_create(area=area, by=request.user, **data)
    return Status(201, _council_out(made))


@router.get(
    "/councils/{int:council_id}",
    response={200: CouncilOut, **NOT_ALLOWED},
    summary="A council, its rules and seats",
)
def council_detail(request, council_id: int):
    return _council_out(seen(COUNCILS, request, council_id, via="area", perm=VIEW))


@router.post(
    "/councils/{int:council_id}/seats",
    response={201: SeatOut, **ERRORS},
    summary="Give someone a seat, for a party, from–until",
)
def seat_create(request, council_id: int, payload: SeatIn):
    c = seen(COUNCILS, request, council_id, via="area", perm=MANAGE)
    person = person_referenced(request, payload.person_id, field="person_id")
    if payload.party not in Party.values:
        raise ValidationFailed(_("Choose one of the options."), field="party")
    made = meetings.seat_add(
        council=c,
        person=person,
        party=payload.party,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        by=request.user,
    )
    return Status(201, _seat_out(made))


@router.post(
    "/councils/{int:council_id}/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="Plan a meeting",
)
def meeting_create(request, council_id: int, payload: MeetingIn):
    c = seen(COUNCILS, request, council_id, via="area", perm=MANAGE)
    made = meetings.meeting_plan(
        council=c,
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
        by=request.user,
    )
    return Status(201, _meeting_out(made))


# --- meetings --------------------------------------------------------------------


@router.get(
    "/meetings/{int:meeting_id}",
    response={200: MeetingOut, **NOT_ALLOWED},
    summary="A meeting: agenda, who is present, quorum now",
)
def meeting_detail(request, meeting_id: int):
    return _meeting_out(_meeting(request, meeting_id))


@router.post(
    "/meetings/{int:meeting_id}/step",
    response={200: MeetingOut, **ERRORS},
    summary="publish the notice, open, close (流会 without quorum) or cancel",
)
def meeting_step(request, meeting_id: int, payload: MeetingStepIn):
    m = _meeting(request, meeting_id, MANAGE)
    return _meeting_out(
        meetings.meeting_step(
            meeting=m, action=payload.action, by=request.user, reason=payload.reason
        )
    )


@router.post(
    "/meetings/{int:meeting_id}/agenda",
    response={200: MeetingOut, **ERRORS},
    summary="Put an accepted topic on the agenda",
)
def meeting_agenda(request, meeting_id: int, payload: AgendaIn):
    m = _meeting(request, meeting_id, MANAGE)
    topic = referenced(request, TOPICS, payload.topic_id, via="area", field="topic_id")
    meetings.agenda_add(meeting=m, topic=topic, by=request.user)
    return _meeting_out(m)


@router.post(
    "/meetings/{int:meeting_id}/presence",
    response={200: MeetingOut, **ERRORS},
    summary="Mark a seat present by hand",
)
def meeting_presence(request, meeting_id: int, payload: PresenceIn):
    m = _meeting(request, meeting_id, MANAGE)
    seat = m.council.seats.filter(pk=payload.seat_id).first()
    if seat is None:
        raise ValidationFailed(_("Not found."), field="seat_id")
    meetings.meeting_mark_present(meeting=m, seat=seat, by=request.user)
    return _meeting_out(m)


@router.get(
    "/meetings/{int:meeting_id}/code",
    response={200: CodeOut, **ERRORS},
    summary="This minute's check-in code, for the QR on the chair's screen",
)
def meeting_code(request, meeting_id: int):
    m = _meeting(request, meeting_id, MANAGE)
    return {"code": meetings.check_in_code(m)}


@router.post(
    "/meetings/{int:meeting_id}/decide",
    response={200: TopicOut, **ERRORS},
    summary="Record a decision without a ballot: deferred, or by consensus",
)
def meeting_decide(request, meeting_id: int, payload: DecideIn):
    m = _meeting(request, meeting_id, MANAGE)
    entry = m.agenda.filter(topic_id=payload.topic_id).select_related("topic").first()
    if entry is None:
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic_id")
    return _topic_out(
        votes.topic_decide(
            meeting=m,
            topic=entry.topic,
            outcome=payload.outcome,
            note=payload.note,
            by=request.user,
        )
    )


@router.post(
    "/me/meetings/{int:meeting_id}/check-in",
    response={200: MeetingOut, **ERRORS},
    summary="Check in at a meeting with the code on the chair's screen",
)
def my_check_in(request, meeting_id: int, payload: CodeIn):
    person = _me(request)
    m = selectors.meeting_for_resident(person, meeting_id)
    meetings.meeting_check_in(meeting=m, code=payload.code, by=request.user)
    return _meeting_out(m)


# --- votes -------------------------------------------------------------------------


@router.post(
    "/meetings/{int:meeting_id}/votes",
    response={201: VoteOut, **ERRORS},
    summary="Prepare a vote on an agenda topic",
)
def vote_create(request, meeting_id: int, payload: VoteIn):
    m = _meeting(request, meeting_id, MANAGE)
    entry = m.agenda.filter(topic_id=payload.topic_id).select_related("topic").first()
    if entry is None:
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic_id")
    made = votes.vote_create(
        meeting=m, topic=entry.topic, secret=payload.secret, by=request.user
    )
    return Status(201, _vote_out(made, request.user))


@router.get(
    "/votes/{int:vote_id}",
    response={200: VoteOut, **NOT_ALLOWED},
    summary="A vote and, where shown, its live tally and whether the rule is met",
)
def vote_detail(request, vote_id: int):
    return _vote_out(_vote(request, vote_id), request.user)


@router.post(
    "/votes/{int:vote_id}/open",
    response={200: VoteOut, **ERRORS},
    summary="Open a vote (only with quorum)",
)
def vote_open(request, vote_id: int):
    v = _vote(request, vote_id, MANAGE)
    return _vote_out(votes.vote_open(vote=v, by=request.user), request.user)


@router.post(
    "/votes/{int:vote_id}/close",
    response={200: VoteOut, **ERRORS},
    summary="Close a vote: counted, and the topic decided",
)
def vote_close(request, vote_id: int):
    v = _vote(request, vote_id, MANAGE)
    return _vote_out(votes.vote_close(vote=v, by=request.user), request.user)


@router.post(
    "/votes/{int:vote_id}/ballots",
    response={201: BallotOut, **ERRORS},
    summary="The chair enters a present seat's paper or hand ballot",
)
def vote_ballot(request, vote_id: int, payload: BallotIn):
    v = _vote(request, vote_id, MANAGE)
    seat = v.meeting.council.seats.filter(pk=payload.seat_id or 0).first()
    if seat is None:
        raise ValidationFailed(_("Not found."), field="seat_id")
    votes.ballot_cast(vote=v, seat=seat, choice=payload.choice, by=request.user)
    return Status(201, {"vote_id": v.pk, "accepted": True})


@router.post(
    "/me/votes/{int:vote_id}/ballot",
    response={201: BallotOut, **ERRORS},
    summary="Cast my ballot on a vote open to my seat",
)
def my_ballot(request, vote_id: int, payload: BallotIn):
    person = _me(request)
    v = selectors.vote_for_resident(person, vote_id)
    if v.kind == "owners":
        with fields_renamed(household="household_id"):
            owners.owner_ballot_cast(
                vote=v,
                household_id=payload.household_id or 0,
                choice=payload.choice,
                by=request.user,
            )
    else:
        votes.ballot_cast(vote=v, choice=payload.choice, by=request.user)
    return Status(201, {"vote_id": v.pk, "accepted": True})


@router.post(
    "/meetings/{int:meeting_id}/owners-votes",
    response={201: VoteOut, **ERRORS},
    summary="Prepare an owners' vote (业主共同决定) on an agenda topic",
)
def owners_vote_create(request, meeting_id: int, payload: OwnersVoteIn):
    m = _meeting(request, meeting_id, MANAGE)
    entry = m.agenda.filter(topic_id=payload.topic_id).select_related("topic").first()
    if entry is None:
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic_id")
    made = owners.owners_vote_create(
        meeting=m, topic=entry.topic, special=payload.special, by=request.user
    )
    return Status(201, _vote_out(made, request.user))


@router.post(
    "/votes/{int:vote_id}/paper-ballots",
    response={201: BallotOut, **ERRORS},
    summary="Enter a household's signed paper ballot, with its photo",
)
def owners_paper_ballot(
    request,
    vote_id: int,
    household_id: Form[int],
    choice: Form[str],
    photo: File[UploadedFile] = None,
):
    v = _vote(request, vote_id, MANAGE)
    if photo is None:
        raise ValidationFailed(
            _("Add the photo of the signed paper ballot."), field="photo"
        )
    with fields_renamed(household="household_id"):
        owners.owner_ballot_cast(
            vote=v,
            household_id=household_id,
            choice=choice,
            photo=photo,
            by=request.user,
        )
    return Status(201, {"vote_id": v.pk, "accepted": True})


# --- minutes -----------------------------------------------------------------------


@router.get(
    "/meetings/{int:meeting_id}/minutes",
    response={200: MinutesOut, **NOT_ALLOWED},
    summary="The minutes' latest version",
)
def minutes_detail(request, meeting_id: int):
    return _minutes_out(_meeting(request, meeting_id))


@router.put(
    "/meetings/{int:meeting_id}/minutes",
    response={200: MinutesOut, **ERRORS},
    summary="Save a new version of the draft minutes",
)
def minutes_put(request, meeting_id: int, payload: MinutesIn):
    m = _meeting(request, meeting_id, MANAGE)
    minutes.minutes_save(meeting=m, text=payload.text, by=request.user)
    return _minutes_out(Meeting.objects.get(pk=m.pk))


@router.post(
    "/meetings/{int:meeting_id}/minutes/comments-open",
    response={200: MinutesOut, **ERRORS},
    summary="Send the minutes round to the attendees for comments",
)
def minutes_comments_open(request, meeting_id: int):
    m = _meeting(request, meeting_id, MANAGE)
    minutes.minutes_open_comments(meeting=m, by=request.user)
    return _minutes_out(Meeting.objects.get(pk=m.pk))


@router.post(
    "/meetings/{int:meeting_id}/minutes/finalise",
    response={200: MinutesOut, **ERRORS},
    summary="Finalise the minutes once the comment days are over",
)
def minutes_finalise(request, meeting_id: int):
    m = _meeting(request, meeting_id, MANAGE)
    minutes.minutes_finalise(meeting=m, by=request.user)
    return _minutes_out(Meeting.objects.get(pk=m.pk))


@router.post(
    "/me/meetings/{int:meeting_id}/minutes/comments",
    response={201: MinutesOut, **ERRORS},
    summary="Comment on the minutes of a meeting I attended",
)
def my_minutes_comment(request, meeting_id: int, payload: CommentIn):
    person = _me(request)
    m = selectors.meeting_for_resident(person, meeting_id)
    minutes.minutes_comment(meeting=m, text=payload.text, by=request.user)
    return Status(201, _minutes_out(m))


# --- work, budget, objections -----------------------------------------------------


@router.get(
    "/topics/{int:topic_id}/tasks",
    response={200: list[TaskOut], **NOT_ALLOWED},
    summary="The tasks a resolution became, with their requests' status",
)
def task_list(request, topic_id: int):
    t = _topic(request, topic_id)
    rows = t.tasks.select_related("service_request").prefetch_related("milestones")
    return [_task_out(x) for x in rows]


@router.post(
    "/topics/{int:topic_id}/tasks",
    response={201: TaskOut, **ERRORS},
    summary="Hand a task of a passed resolution to a team, unit or department",
)
def task_create(request, topic_id: int, payload: TaskIn):
    t = _topic(request, topic_id, MANAGE)
    made = work.task_create(
        topic=t,
        title=payload.title,
        description=payload.description,
        category=category_find(t.area, str(payload.category_id)),
        to=assignee_find(t.community, payload.to),
        by=request.user,
    )
    return Status(201, _task_out(made))


@router.post(
    "/tasks/{int:task_id}/milestones",
    response={201: MilestoneOut, **ERRORS},
    summary="Add a milestone to a task",
)
def milestone_create(request, task_id: int, payload: MilestoneIn):
    task = seen(
        Task.objects.select_related("topic__area", "topic__community"),
        request,
        task_id,
        via="topic__area",
        perm=MANAGE,
    )
    made = work.milestone_add(
        task=task, title=payload.title, due_on=payload.due_on, by=request.user
    )
    return Status(201, _milestone_out(made))


@router.post(
    "/milestones/{int:milestone_id}/done",
    response={200: MilestoneOut, **ERRORS},
    summary="A milestone is reached",
)
def milestone_done(request, milestone_id: int):
    found = seen(
        Milestone.objects.select_related("task__topic__area", "task__topic__community"),
        request,
        milestone_id,
        via="task__topic__area",
        perm=MANAGE,
    )
    return _milestone_out(work.milestone_done(milestone=found, by=request.user))


@router.put(
    "/topics/{int:topic_id}/budget",
    response={200: BudgetOut, **ERRORS},
    summary="Set the topic's budget line (专项资金)",
)
def budget_put(request, topic_id: int, payload: BudgetIn):
    t = _topic(request, topic_id, MANAGE)
    made = work.budget_set(
        topic=t, source=payload.source, approved=payload.approved, by=request.user
    )
    return _budget_out(made)


@router.get(
    "/topics/{int:topic_id}/budget",
    response={200: BudgetOut, **NOT_ALLOWED},
    summary="Approved, spent and left",
)
def budget_get(request, topic_id: int):
    t = _topic(request, topic_id)
    budget = getattr(t, "budget", None)
    if budget is None:
        raise Http404
    return _budget_out(budget)


@router.post(
    "/topics/{int:topic_id}/expenses",
    response={201: BudgetOut, **ERRORS},
    summary="Add an expense with the photo of its receipt",
)
def expense_create(
    request,
    topic_id: int,
    amount: Form[Decimal],
    note: Form[str],
    spent_on: Form[dt.date],
    receipt: File[UploadedFile] = None,
):
    t = _topic(request, topic_id, MANAGE)
    budget = getattr(t, "budget", None)
    if budget is None:
        raise ValidationFailed(_("Set the budget first."), field="approved")
    work.expense_add(
        budget=budget,
        amount=amount,
        note=note,
        spent_on=spent_on,
        receipt=receipt,
        by=request.user,
    )
    return Status(201, _budget_out(budget))


@router.get(
    "/objections",
    response=list[ObjectionOut],
    summary="Objections waiting for an answer",
)
def objection_list(request):
    rows = selectors.objection_list(user=request.user).filter(answered_at__isnull=True)
    return [_objection_out(o) for o in rows.order_by("at")[:200]]


@router.post(
    "/objections/{int:objection_id}/answer",
    response={200: ObjectionOut, **ERRORS},
    summary="Answer an objection",
)
def objection_answer(request, objection_id: int, payload: AnswerIn):
    found = seen(
        Objection.objects.select_related("topic__area", "topic__community"),
        request,
        objection_id,
        via="topic__area",
        perm=MANAGE,
    )
    return _objection_out(
        publicity.objection_answer(
            objection=found, answer=payload.answer, by=request.user
        )
    )


@router.post(
    "/me/topics/{int:topic_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    summary="Object to a topic of my community during its public notice",
)
def my_objection(request, topic_id: int, payload: ObjectionIn):
    person = _me(request)
    topic = get_object_or_404(
        Topic.objects.select_related("community"),
        pk=topic_id,
        community__path__in=ancestor_paths(current_home(person).path),
    )
    made = publicity.objection_raise(topic=topic, text=payload.text, by=request.user)
    return Status(201, _objection_out(made))
