"""Schemas of the selections API."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from gongzhi.core.schemas import StepOut


class SelectionIn(Schema):
    kind_id: int
    title: str = Field(max_length=200)
    year: int
    vote_opens: dt.datetime
    vote_closes: dt.datetime
    description: str = Field("", max_length=5000)
    per_category: int = 10
    per_ballot: int = 50
    ballot_changeable: bool = True
    results_hidden: bool = True
    public_weight: int = 60
    seats: int = 3
    publicity_days: int = 7
    points: int = 0
    committee_ids: list[int] = Field(default_factory=list, max_length=50)


class SelectionOut(Schema):
    id: int
    title: str
    kind: str
    kind_code: str
    nominee_type: str
    categories: list[str]
    area_id: int
    area: str
    level: str
    year: int
    status: str
    status_label: str
    vote_opens: dt.datetime
    vote_closes: dt.datetime
    per_category: int
    per_ballot: int
    ballot_changeable: bool
    results_hidden: bool
    public_weight: int
    committee_weight: int
    seats: int
    publicity_days: int
    publicity_ends: dt.datetime | None
    points: int
    draw_commitment: str
    draw_value: str = ""


class NominationOut(Schema):
    id: int
    selection_id: int
    label: str
    category: str
    nominee_type: str
    place: str
    story: str
    source: str
    source_label: str
    status: str
    status_label: str
    photos: int
    forwarded_from_id: int | None = None
    merged_into_id: int | None = None
    score: Decimal | None = None
    public_votes: int | None = None
    committee_votes: int | None = None
    rank: int | None = None
    drawn: bool = False


class SelectionDetailOut(SelectionOut):
    nominations: list[NominationOut]
    steps: list[StepOut]


class CommentOut(Schema):
    by: str
    eligible: bool
    comment: str
    at: dt.datetime


class NominationDetailOut(NominationOut):
    comments: list[CommentOut]
    steps: list[StepOut]
    talks_held: int = 0
    residents_reached: int = 0


class ActIn(Schema):
    action: str = Field(max_length=20)
    reason: str = Field("", max_length=1000)


class NominateIn(Schema):
    story: str = Field(max_length=5000)
    category: str = Field("", max_length=40)
    # Staff name the nominee by id; anyone may name it by its address.
    person_id: int | None = None
    household_id: int | None = None
    building_id: int | None = None
    place_id: int | None = None
    room: str = Field("", max_length=40)
    name: str = Field("", max_length=100)


class NominatedOut(NominationOut):
    merged_on_create: bool = False


class CommentIn(Schema):
    eligible: bool
    comment: str = Field(max_length=2000)


class MergeIn(Schema):
    into_id: int


class ForwardIn(Schema):
    selection_id: int
    category: str = Field("", max_length=40)


class TalkIn(Schema):
    activity_id: int


class TalkOut(Schema):
    nomination_id: int
    activity_id: int
    talks_held: int
    residents_reached: int


class BallotIn(Schema):
    choices: list[int] = Field(max_length=1000)


class BallotOut(Schema):
    id: int
    selection_id: int
    choices: list[int]
    cast_at: dt.datetime
    changed_at: dt.datetime | None = None


class CommitteeBallotOut(Schema):
    selection_id: int
    cast_at: dt.datetime


class ResultOut(Schema):
    nomination_id: int
    label: str
    category: str
    public_votes: int
    committee_votes: int | None = None
    score: Decimal | None = None
    rank: int | None = None
    drawn: bool = False
    status: str


class ResultsOut(Schema):
    selection_id: int
    shown: bool
    ballots: int
    voided: int
    committee_ballots: int
    draw_commitment: str
    draw_value: str
    results: list[ResultOut]


class FlagIn(Schema):
    action: str = Field(max_length=20)
    reason: str = Field(max_length=1000)


class FlagOut(Schema):
    id: int
    selection_id: int
    kind: str
    kind_label: str
    key: str
    ballots: int
    first_at: dt.datetime
    last_at: dt.datetime
    status: str
    status_label: str
    steps: list[StepOut]


class ObjectionIn(Schema):
    reason: str = Field(max_length=5000)


class AnswerIn(Schema):
    action: str = Field(max_length=20)
    answer: str = Field(max_length=5000)


class ObjectionOut(Schema):
    id: int
    nomination_id: int
    status: str
    status_label: str
    reason: str
    answer: str


class HonourOut(Schema):
    id: int
    label: str
    kind: str
    category: str
    level: str
    area: str
    year: int
    story: str
    photos: list[str]


class MeOut(Schema):
    selections: list[SelectionOut]
    asked: list[NominationOut]
    nominated: list[NominationOut]
