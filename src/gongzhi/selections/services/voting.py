"""The public vote and the committee's secret ballot, and the fraud
signals staff decide on.

One ballot per voter: a voter is a person of the registry linked to the
login, living within the selection's area; not an IP address or a phone.
Her row is locked while she casts, so two casts at once (two tabs, a
double tap) wait for each other and the second finds the first; the
unique constraint on (selection, person) is the floor under that.

Fraud signals are not silent rules: a burst of new ballots from one
building or one network address within a few minutes (settings
``SELECTIONS_BURST_MINUTES`` and ``SELECTIONS_BURST_BALLOTS``) raises a
flag for staff with the ballots as evidence. Nothing is voided until
staff decide, and the vote is not counted while a flag waits.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.areas.models import Kind
from gongzhi.areas.tree import ancestor_of_kind, is_within
from gongzhi.core.errors import (
    DomainError,
    NotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from gongzhi.core.workflow import transition
from gongzhi.residents.models import Person, PersonStatus

from ..flows import FLAG_FLOW
from ..models import (
    Ballot,
    BallotChoice,
    CommitteeBallot,
    CommitteeMark,
    FlagStatus,
    FraudFlag,
    NominationStatus,
    Selection,
    SelectionStatus,
    SignalKind,
)


class AlreadyVoted(DomainError):
    default_message = _("You have already voted in this selection.")
    status_code = 409


def burst_minutes() -> int:
    return getattr(settings, "SELECTIONS_BURST_MINUTES", 10)


def burst_ballots() -> int:
    return getattr(settings, "SELECTIONS_BURST_BALLOTS", 8)


def voter_of(*, selection: Selection, by: User) -> Person:
    """The registered resident behind ``by`` who may vote here, else a
    refusal saying why."""
    person = Person.objects.filter(user=by).select_related("household").first()
    if (
        person is None
        or person.status != PersonStatus.ACTIVE
        or not person.household_id
    ):
        raise NotAllowed(_("Only residents in the household registry may vote."))
    if not is_within(person.household.path, selection.area.path):
        raise NotAllowed(_("You do not live within this selection's area."))
    return person


def _window_check(selection: Selection, now: dt.datetime) -> None:
    if selection.status != SelectionStatus.VOTING or not (
        selection.vote_opens <= now < selection.vote_closes
    ):
        raise TransitionNotAllowed(_("Voting is not open now."), field="selection")


def choices_clean(
    *, selection: Selection, choices, limit_category: int, limit_all: int
):
    """The candidates chosen, each once, all in this vote, within the caps
    per category and per ballot."""
    if not isinstance(choices, list | tuple) or not choices:
        raise ValidationFailed(_("Choose at least one candidate."), field="choices")
    ids = []
    for value in choices:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(_("Choose among the candidates."), field="choices")
        if value not in ids:
            ids.append(value)
    found = {
        n.pk: n
        for n in selection.nominations.filter(
            pk__in=ids, status=NominationStatus.VOTING
        )
    }
    if len(found) != len(ids):
        raise ValidationFailed(_("Choose among the candidates."), field="choices")
    if len(ids) > limit_all:
        raise ValidationFailed(
            _("At most %(n)d choices on one ballot.") % {"n": limit_all},
            field="choices",
        )
    per: dict[str, int] = {}
    for nomination in found.values():
        per[nomination.category] = per.get(nomination.category, 0) + 1
    for category, count in per.items():
        if count > limit_category:
            raise ValidationFailed(
                _("At most %(n)d choices in %(category)s.")
                % {"n": limit_category, "category": category or _("this selection")},
                field="choices",
            )
    return ids


@transaction.atomic
def ballot_cast(
    *,
    selection: Selection,
    by: User,
    choices,
    network: str | None = None,
    now: dt.datetime | None = None,
) -> Ballot:
    """Cast (or, where the selection allows it, change) the voter's one
    ballot during the window. Refused, changing nothing: not a registered
    resident of the area, outside the window, too many choices, not a
    candidate, a second ballot where changes are not allowed."""
    now = now or timezone.now()
    selection = Selection.objects.select_related("area").get(pk=selection.pk)
    person = voter_of(selection=selection, by=by)
    _window_check(selection, now)
    ids = choices_clean(
        selection=selection,
        choices=choices,
        limit_category=selection.per_category,
        limit_all=selection.per_ballot,
    )
    # One voter at a time: the second of two casts at once waits here and
    # then finds the first ballot.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    ballot = Ballot.objects.filter(selection=selection, person=person).first()
    if ballot is not None:
        if ballot.voided_at is not None:
            raise TransitionNotAllowed(
                _("Your ballot was voided after a review; it cannot be changed."),
                field="choices",
            )
        if not selection.ballot_changeable:
            raise AlreadyVoted(field="choices")
        ballot.changed_at = now
        ballot.save(update_fields=["changed_at"])
        ballot.choices.all().delete()
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=ballot, nomination_id=pk) for pk in ids
        )
        ballot.changed = True
        return ballot
    building = ancestor_of_kind(person.household, Kind.BUILDING)
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(
                selection=selection,
                person=person,
                building=building,
                network=network or None,
                cast_at=now,
            )
    except IntegrityError:
        raise AlreadyVoted(field="choices") from None
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, nomination_id=pk) for pk in ids
    )
    _signals(selection, ballot, now)
    ballot.changed = False
    return ballot


def _signals(selection: Selection, ballot: Ballot, now: dt.datetime) -> None:
    since = now - dt.timedelta(minutes=burst_minutes())
    for kind, field, value in (
        (SignalKind.BUILDING, "building", ballot.building_id),
        (SignalKind.NETWORK, "network", ballot.network),
    ):
        if value is None:
            continue
        recent = list(
            Ballot.objects.filter(
                selection=selection, cast_at__gte=since, **{field: value}
            ).order_by("cast_at", "pk")
        )
        if len(recent) < burst_ballots():
            continue
        key = str(value)
        flag = (
            FraudFlag.objects.filter(
                selection=selection,
                kind=kind,
                key=key,
                status=FlagStatus.OPEN,
                last_at__gte=since,
            )
            .order_by("-pk")
            .first()
        )
        if flag is None:
            flag = FraudFlag.objects.create(
                selection=selection,
                kind=kind,
                key=key,
                first_at=recent[0].cast_at,
                last_at=now,
                raised_at=now,
            )
            FLAG_FLOW.begin(
                flag,
                action="raise",
                by=None,
                now=now,
                note=_("%(n)d ballots within %(m)d minutes.")
                % {"n": len(recent), "m": burst_minutes()},
            )
        else:
            flag.last_at = now
            flag.save(update_fields=["last_at"])
        flag.ballots.add(*recent)


def flag_decide(
    *, flag: FraudFlag, action: str, reason: str, by: User, now=None
) -> FraudFlag:
    """Staff's decision on a signal, recorded with its reason: ``keep`` the
    ballots, or ``void`` them (they no longer count)."""
    if action not in ("keep", "void"):
        raise ValidationFailed(_("Choose one of the options."), field="action")
    now = now or timezone.now()

    def change(row, at):
        if row.selection.status != SelectionStatus.VOTING:
            raise TransitionNotAllowed(
                _("The vote has been counted already."), field="status"
            )
        if action == "void":
            row.ballots.filter(voided_at__isnull=True).update(voided_at=at)

    return transition(
        FLAG_FLOW, row=flag, action=action, by=by, reason=reason, now=now, change=change
    )


@transaction.atomic
def committee_ballot_cast(
    *, selection: Selection, by: User, choices, now: dt.datetime | None = None
) -> CommitteeBallot:
    """A committee member's secret ballot, once, while the vote is open:
    that she voted is kept, and her marks apart, tied to nobody."""
    now = now or timezone.now()
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if not selection.committee.filter(pk=by.pk).exists():
        raise NotAllowed(_("Only members of the review committee vote here."))
    if selection.status != SelectionStatus.VOTING:
        raise TransitionNotAllowed(_("Voting is not open now."), field="selection")
    ids = choices_clean(
        selection=selection,
        choices=choices,
        limit_category=selection.seats,
        limit_all=selection.per_ballot,
    )
    if CommitteeBallot.objects.filter(selection=selection, member=by).exists():
        raise AlreadyVoted(field="choices")
    ballot = CommitteeBallot.objects.create(selection=selection, member=by, cast_at=now)
    # Shuffled by id order alone, with nothing tying a mark to its member.
    CommitteeMark.objects.bulk_create(
        CommitteeMark(selection=selection, nomination_id=pk) for pk in sorted(ids)
    )
    return ballot
