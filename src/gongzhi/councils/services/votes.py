"""Votes on a topic at a meeting: yes / no / abstain, named or secret,
results hidden until the vote closes where the council says so, what
passes as data (a majority of votes cast, of the seats present, two thirds
of all seats; abstentions counted as the rule says), the seats of the
topic's interested parties recused. One ballot per voter per vote: a
``Voted`` row unique per seat, under a lock on the vote."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.workflow import transition

from ..models import (
    Ballot,
    Choice,
    Meeting,
    Party,
    PassRule,
    Result,
    Seat,
    Topic,
    TopicStatus,
    Vote,
    Voted,
    VoteKind,
    VoteStatus,
)
from . import owners, topics
from .meetings import require_quorum, seats_on
from .rules import may_manage, require_manage


def votable_check(meeting: Meeting, topic: Topic, *, by) -> None:
    """Refuse a vote (of the council or of owners) on ``topic`` unless the
    caller runs the meeting, the topic is on its agenda, waits for a
    decision and has no vote prepared or open already."""
    require_manage(by, meeting.council.community)
    if not meeting.agenda.filter(topic=topic).exists():
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic")
    topic.refresh_from_db()
    if topic.status not in (TopicStatus.SCHEDULED, TopicStatus.DELIBERATED):
        raise TransitionNotAllowed(
            _("“%(topic)s” is %(status)s: there is nothing to vote on.")
            % {"topic": topic.title, "status": topic.get_status_display()},
            field="topic",
        )
    if Vote.objects.filter(
        meeting=meeting, topic=topic, status__in=(VoteStatus.DRAFT, VoteStatus.OPEN)
    ).exists():
        raise ValidationFailed(
            _("A vote on this topic is prepared already."), field="topic"
        )


@transaction.atomic
def vote_create(
    *,
    meeting: Meeting,
    topic: Topic,
    by,
    secret: bool | None = None,
    now: dt.datetime | None = None,
) -> Vote:
    """A vote on an agenda topic, its rules copied from the council (secret
    as the council says unless given), its recused parties from the topic."""
    votable_check(meeting, topic, by=by)
    council = meeting.council
    return Vote.objects.create(
        meeting=meeting,
        topic=topic,
        kind=VoteKind.COUNCIL,
        secret=council.secret if secret is None else bool(secret),
        hide_results=council.hide_results,
        pass_rule=council.pass_rule,
        abstain_counts=council.abstain_counts,
        recused=list(topic.interested),
        created_at=now or timezone.now(),
    )


def lock_vote(vote: Vote | int) -> Vote:
    pk = getattr(vote, "pk", vote)
    return (
        Vote.objects.select_for_update(of=("self",))
        .select_related("meeting__council__community", "topic")
        .get(pk=pk)
    )


# Announced when a vote opens (``vote``): the notices tell whoever may
# cast it, the voting seats or, for an owners' decision, the owners.
VOTE_OPENED = "councils.vote_opened"


@transaction.atomic
def vote_open(*, vote: Vote, by, now: dt.datetime | None = None) -> Vote:
    """Open a vote: only in a meeting in session that has quorum. Its
    topic is then deliberated."""
    now = now or timezone.now()
    vote = lock_vote(vote)
    require_manage(by, vote.meeting.council.community)
    if vote.status != VoteStatus.DRAFT:
        raise TransitionNotAllowed(_("This vote was opened already."), field="vote")
    if vote.kind == VoteKind.OWNERS:
        owners.owners_vote_open(vote, by=by, now=now)
    else:
        require_quorum(vote.meeting)
    vote.status = VoteStatus.OPEN
    vote.opened_at = now
    vote.save(update_fields=["status", "opened_at"])
    if vote.topic.status == TopicStatus.SCHEDULED:
        transition(topics.FLOW, row=vote.topic, action="deliberate", by=by, now=now)
    announce(VOTE_OPENED, vote=vote)
    return vote


def eligible_seats(vote: Vote) -> list[Seat]:
    """The voting seats of the council on the meeting's day, less the
    recused parties'."""
    day = timezone.localdate(vote.meeting.starts_at)
    return [
        seat
        for seat in seats_on(vote.meeting.council, day)
        if seat.votes and seat.party not in vote.recused
    ]


def recused_seats(vote: Vote) -> list[Seat]:
    day = timezone.localdate(vote.meeting.starts_at)
    return [
        seat
        for seat in seats_on(vote.meeting.council, day)
        if seat.votes and seat.party in vote.recused
    ]


def _refuse_seat(vote: Vote, seat: Seat | None) -> Seat:
    if seat is None or seat.council_id != vote.meeting.council_id:
        raise ValidationFailed(_("Only the council's members vote here."), field="seat")
    if not seat.votes:
        raise ValidationFailed(
            _("%(name)s is an invited guest and does not vote.")
            % {"name": seat.person.name},
            field="seat",
        )
    if not seat.sits_on(timezone.localdate(vote.meeting.starts_at)):
        raise ValidationFailed(_("Only the council's members vote here."), field="seat")
    if seat.party in vote.recused:
        raise ValidationFailed(
            _("%(party)s is an interested party in this topic: its seats are recused.")
            % {"party": Party(seat.party).label},
            field="seat",
        )
    if not vote.meeting.presences.filter(seat=seat).exists():
        raise ValidationFailed(
            _("%(name)s is not checked in at this meeting.")
            % {"name": seat.person.name},
            field="seat",
        )
    return seat


def seat_of_user(vote: Vote, user) -> Seat | None:
    person = getattr(user, "person", None)
    if person is None:
        return None
    day = timezone.localdate(vote.meeting.starts_at)
    for seat in vote.meeting.council.seats.filter(person=person).select_related(
        "person"
    ):
        if seat.sits_on(day):
            return seat
    return None


@transaction.atomic
def ballot_cast(
    *,
    vote: Vote | int,
    choice: str,
    by,
    seat: Seat | None = None,
    now: dt.datetime | None = None,
) -> Ballot:
    """One ballot: by the seat holder herself (``seat`` None: hers), or
    entered by the chair for a present seat (a paper or hand vote). Refused,
    writing nothing: a vote not open (before it opened or after it closed),
    a voter who is no voting member, recused, not present, or who voted
    already (the database refuses the second ``Voted`` row whatever the
    device)."""
    now = now or timezone.now()
    if choice not in Choice.values:
        raise ValidationFailed(_("Choose yes, no or abstain."), field="choice")
    vote = lock_vote(vote)
    if vote.status == VoteStatus.DRAFT:
        raise TransitionNotAllowed(_("This vote has not opened yet."), field="vote")
    if vote.status == VoteStatus.CLOSED:
        raise TransitionNotAllowed(_("This vote is closed."), field="vote")
    method = "phone"
    if seat is None:
        seat = seat_of_user(vote, by)
    else:
        require_manage(by, vote.meeting.council.community)
        method = "hand"
    seat = _refuse_seat(vote, seat)
    try:
        with transaction.atomic():
            Voted.objects.create(vote=vote, seat=seat, at=now, by=by, method=method)
    except IntegrityError:
        raise TransitionNotAllowed(
            _("%(name)s has voted already.") % {"name": seat.person.name},
            field="seat",
        ) from None
    return Ballot.objects.create(
        vote=vote, choice=choice, seat=None if vote.secret else seat
    )


@dataclass(frozen=True)
class Tally:
    yes: int
    no: int
    abstain: int
    voted: int  # ballots cast
    eligible: int  # seats that may vote (recused left out)
    present: int  # of them present
    base: int  # what the rule counts against
    needed: int  # yes needed to pass
    met: bool
    rule: str

    @property
    def short(self) -> int:
        return max(self.needed - self.yes, 0)


def tally(vote: Vote) -> Tally:
    """The count now, and whether it meets the vote's rule."""
    counts = {c: 0 for c in Choice.values}
    for choice in vote.ballots.values_list("choice", flat=True):
        counts[choice] += 1
    yes, no, abstain = counts["yes"], counts["no"], counts["abstain"]
    eligible = eligible_seats(vote)
    present_ids = set(vote.meeting.presences.values_list("seat_id", flat=True))
    present = sum(1 for s in eligible if s.pk in present_ids)
    if vote.pass_rule == PassRule.CAST:
        base = yes + no + (abstain if vote.abstain_counts else 0)
        needed = base // 2 + 1
    elif vote.pass_rule == PassRule.PRESENT:
        base = present
        needed = base // 2 + 1
    else:
        base = len(eligible)
        needed = math.ceil(base * 2 / 3)
    met = base > 0 and yes >= needed
    return Tally(
        yes,
        no,
        abstain,
        yes + no + abstain,
        len(eligible),
        present,
        base,
        needed,
        met,
        str(PassRule(vote.pass_rule).label),
    )


def results_shown(vote: Vote, user) -> bool:
    """The counts are shown once the vote closed, or while it is open where
    the council does not hide them (to the chair always)."""
    return (
        vote.status == VoteStatus.CLOSED
        or not vote.hide_results
        or may_manage(user, vote.meeting.council.community)
    )


@transaction.atomic
def vote_close(*, vote: Vote, by, now: dt.datetime | None = None) -> Vote:
    """Close an open vote, count it, and record the topic's decision
    (passed or not) in the meeting."""
    now = now or timezone.now()
    vote = lock_vote(vote)
    require_manage(by, vote.meeting.council.community)
    if vote.status != VoteStatus.OPEN:
        raise TransitionNotAllowed(_("This vote is not open."), field="vote")
    if vote.kind == VoteKind.OWNERS:
        return _owners_close(vote, by=by, now=now)
    count = tally(vote)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.yes, vote.no, vote.abstain = count.yes, count.no, count.abstain
    vote.result = Result.PASSED if count.met else Result.NOT_PASSED
    vote.save()
    topics.topic_decided(
        topic=vote.topic,
        outcome=TopicStatus.PASSED if count.met else TopicStatus.NOT_PASSED,
        by=by,
        note=_("%(yes)d yes, %(no)d no, %(abstain)d abstentions (%(rule)s).")
        % {
            "yes": count.yes,
            "no": count.no,
            "abstain": count.abstain,
            "rule": count.rule,
        },
        now=now,
    )
    return vote


def _owners_close(vote: Vote, *, by, now) -> Vote:
    count = owners.owners_tally(vote)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = now
    vote.yes, vote.no, vote.abstain = (
        count.yes_heads,
        count.no_heads,
        count.abstain_heads,
    )
    vote.result = Result.PASSED if count.passed else Result.NOT_PASSED
    vote.save()
    topics.topic_decided(
        topic=vote.topic,
        outcome=TopicStatus.PASSED if count.passed else TopicStatus.NOT_PASSED,
        by=by,
        note=owners_summary(count),
        now=now,
    )
    return vote


def owners_summary(count) -> str:
    """One line of an owners' count, for the decision and the minutes."""
    return _(
        "Owners' decision: %(heads)d of %(all_heads)d owners and %(area)s of "
        "%(all_area)s m² took part; %(yes_heads)d owners with %(yes_area)s m² "
        "consented — %(result)s."
    ) % {
        "heads": count.participating_heads,
        "all_heads": count.total_heads,
        "area": count.participating_area,
        "all_area": count.total_area,
        "yes_heads": count.yes_heads,
        "yes_area": count.yes_area,
        "result": _("passed") if count.passed else _("not passed"),
    }


@transaction.atomic
def topic_decide(
    *, meeting: Meeting, topic: Topic, outcome: str, by, note: str = "", now=None
) -> Topic:
    """The chair records a decision without a ballot: deferred (any time
    in session), or passed / not passed by consensus (协商一致), which needs
    quorum like any decision."""
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    if not meeting.agenda.filter(topic=topic).exists():
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic")
    if outcome != TopicStatus.DEFERRED:
        require_quorum(meeting)
    elif Meeting.objects.get(pk=meeting.pk).status != "in_session":
        raise TransitionNotAllowed(_("The meeting is not in session."), field="meeting")
    return topics.topic_decided(topic=topic, outcome=outcome, by=by, note=note, now=now)
