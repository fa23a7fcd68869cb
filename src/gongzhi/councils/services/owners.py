"""Owners' decisions (业主共同决定, Civil Code art. 278): one ballot per
household of the council's area, by one of its current owners on the
phone or entered by staff from the paper ballot (its photo kept); the
double majority counted live from the owners' roll of the registry. A
roll with a household lacking its floor area or its owner is refused, so
no owners' vote is prepared or counted on it."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.photos import photo_check
from gongzhi.residents.selectors.owners import (
    RollEntry,
    RollIncomplete,
    Tally,
    double_majority,
    owner_roll,
    roll_missing,
)

from ..models import (
    Ballot,
    Choice,
    Meeting,
    PassRule,
    Topic,
    Vote,
    Voted,
    VoteKind,
    VoteStatus,
)
from .rules import require_manage
from .suggestions import photo_content


def roll_of(vote_or_meeting) -> list[RollEntry]:
    meeting = getattr(vote_or_meeting, "meeting", vote_or_meeting)
    return owner_roll(meeting.council.area)


def roll_check(roll: list[RollEntry]) -> None:
    missing = roll_missing(roll)
    if missing:
        raise RollIncomplete(missing)


@transaction.atomic
def owners_vote_create(
    *, meeting: Meeting, topic: Topic, special: bool, by, now=None
) -> Vote:
    """An owners' vote on an agenda topic, over the households of the
    council's area; ``special`` for the matters that need three quarters
    (maintenance funds, rebuilding, a change of use of common parts).
    Refused, writing nothing, where the registry lacks a household's floor
    area or owner."""
    from .votes import votable_check

    votable_check(meeting, topic, by=by)
    roll = roll_of(meeting)
    if not roll:
        raise ValidationFailed(
            _("No household lies in %(area)s.") % {"area": meeting.council.area},
            field="topic",
        )
    roll_check(roll)
    return Vote.objects.create(
        meeting=meeting,
        topic=topic,
        kind=VoteKind.OWNERS,
        secret=False,
        hide_results=meeting.council.hide_results,
        pass_rule=PassRule.CAST,
        special=bool(special),
        created_at=now or timezone.now(),
    )


def owners_vote_open(vote: Vote, *, by, now: dt.datetime) -> None:
    """Called by ``votes.vote_open`` under its lock: the roll must still be
    complete; the council's quorum does not apply, the owners' participation
    does (its topic is deliberated by the caller)."""
    roll_check(roll_of(vote))


def households_of(vote: Vote, person) -> list[RollEntry]:
    """The households of the vote's roll that ``person`` owns now."""
    if person is None:
        return []
    return [e for e in roll_of(vote) if person.pk in e.owner_ids]


@transaction.atomic
def owner_ballot_cast(
    *,
    vote: Vote | int,
    household_id: int,
    choice: str,
    by,
    photo=None,
    now: dt.datetime | None = None,
) -> Ballot:
    """One household's ballot: by one of its current owners (no photo), or
    entered by staff with the photo of the signed paper ballot. Refused,
    writing nothing: a vote not open, a household not on the roll, a voter
    who owns no part of it, a paper ballot without its photo, a second
    ballot of the household (the database refuses it whatever the
    device)."""
    from .votes import lock_vote

    now = now or timezone.now()
    if choice not in Choice.values:
        raise ValidationFailed(_("Choose yes, no or abstain."), field="choice")
    vote = lock_vote(vote)
    if vote.kind != VoteKind.OWNERS:
        raise ValidationFailed(_("This is not an owners' vote."), field="vote")
    if vote.status == VoteStatus.DRAFT:
        raise TransitionNotAllowed(_("This vote has not opened yet."), field="vote")
    if vote.status == VoteStatus.CLOSED:
        raise TransitionNotAllowed(_("This vote is closed."), field="vote")
    entry = next((e for e in roll_of(vote) if e.household_id == household_id), None)
    if entry is None:
        raise ValidationFailed(
            _("This household is not on the owners' roll of this vote."),
            field="household",
        )
    method = "phone"
    if photo is not None:
        require_manage(by, vote.meeting.council.community)
        extension = photo_check(photo, field="photo")
        method = "paper"
    else:
        person = getattr(by, "person", None)
        if person is None or person.pk not in entry.owner_ids:
            raise ValidationFailed(
                _(
                    "Only a current owner of %(home)s votes for it; staff enter "
                    "a paper ballot with its photo."
                )
                % {"home": entry.label},
                field="household",
            )
    try:
        with transaction.atomic():
            Voted.objects.create(
                vote=vote, household_id=household_id, at=now, by=by, method=method
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("%(home)s has voted already.") % {"home": entry.label},
            field="household",
        ) from None
    ballot = Ballot(vote=vote, choice=choice, household_id=household_id)
    if photo is not None:
        ballot.photo.save(
            f"b{vote.pk}-{household_id}.{extension}",
            photo_content(photo, extension),
            save=False,
        )
    ballot.save()
    return ballot


def owners_tally(vote: Vote) -> Tally:
    """The double majority now, from the registry's roll and the ballots
    cast (refused where the roll has lost a floor area or an owner)."""
    ballots = dict(
        vote.ballots.filter(household__isnull=False).values_list(
            "household_id", "choice"
        )
    )
    return double_majority(roll_of(vote), ballots, special=vote.special)
