"""Running a selection: setting it up, opening the vote (and committing the
tie-break draw), closing and counting it, and honouring the winners once
publicity (公示) has passed.

The tie-break draw. When the vote opens a random value is chosen and only
its SHA-256 (the commitment) is published, on the selection's pages and in
the API. When the vote closes the value itself is published. A candidate's
draw key is ``SHA-256("<value>:<nomination id>")`` in hex; candidates of
equal score are ordered by that key, smallest first. Anyone can check that
the value hashes to the commitment and recompute every key, and since the
value was fixed before any ballot was cast, nobody could choose it to
favour a candidate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths
from gongzhi.areas.tree import is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.workflow import transition
from gongzhi.points.services.ledger import MAX_AWARD, whole_number

from ..flows import NOMINATION_FLOW, SELECTION_FLOW
from ..models import (
    Ballot,
    BallotChoice,
    CommitteeBallot,
    CommitteeMark,
    FlagStatus,
    NominationStatus,
    ObjectionStatus,
    Selection,
    SelectionKind,
    SelectionStatus,
)
from .honours import honour_points

LEVELS = {Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT}
TITLE_MAX = Selection._meta.get_field("title").max_length
DESCRIPTION_MAX = 2000
N = NominationStatus


def draw_key(secret: str, nomination_id: int) -> str:
    return hashlib.sha256(f"{secret}:{nomination_id}".encode()).hexdigest()


def commitment_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _kind_fits(kind: SelectionKind, area: Area) -> bool:
    """A street's kinds serve its communities and itself; a district's
    selection uses a kind of one of its streets."""
    street = kind.street
    return is_within(area.path, street.path) or is_within(street.path, area.path)


def committee_check(*, area: Area, members) -> list[User]:
    """Committee members: people who read selections at or around the
    selection's level (its own staff, the communities' below it)."""
    members = list(members or [])
    for member in members:
        paths = scope_paths(member, Perm.SELECTION_VIEW)
        if not any(is_within(p, area.path) or is_within(area.path, p) for p in paths):
            raise ValidationFailed(
                _("%(name)s does not work in this area.") % {"name": member.name},
                field="committee",
            )
    return members


@transaction.atomic
def selection_create(
    *,
    kind: SelectionKind,
    area: Area,
    title: str,
    year: int,
    vote_opens: dt.datetime,
    vote_closes: dt.datetime,
    by: User,
    description: str = "",
    per_category: int = 10,
    per_ballot: int = 50,
    ballot_changeable: bool = True,
    results_hidden: bool = True,
    public_weight: int = 60,
    seats: int = 3,
    publicity_days: int = 7,
    points: int = 0,
    committee=(),
    now: dt.datetime | None = None,
) -> Selection:
    """Set up a selection at ``area`` (a community, street or district),
    taking nominations at once. ``by`` holds selection.manage there."""
    now = now or timezone.now()
    if area.kind not in LEVELS:
        raise ValidationFailed(
            _("A selection runs at a community, a street or a district."),
            field="area",
        )
    if not in_scope(by, area, Perm.SELECTION_MANAGE):
        raise NotAllowed(_("Your role does not allow this here."))
    if not kind.active or not _kind_fits(kind, area):
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    description = text_clean(description, field="description", limit=DESCRIPTION_MAX)
    numbers = {
        "year": whole_number(year, field="year", least=2000, most=2100),
        "per_category": whole_number(
            per_category, field="per_category", least=1, most=100
        ),
        "per_ballot": whole_number(per_ballot, field="per_ballot", least=1, most=500),
        "public_weight": whole_number(
            public_weight, field="public_weight", least=0, most=100
        ),
        "seats": whole_number(seats, field="seats", least=1, most=100),
        "publicity_days": whole_number(
            publicity_days, field="publicity_days", least=1, most=60
        ),
        "points": whole_number(points, field="points", least=0, most=MAX_AWARD),
    }
    if vote_opens is None:
        raise ValidationFailed(_("This field is required."), field="vote_opens")
    if vote_closes is None or vote_closes <= vote_opens:
        raise ValidationFailed(
            _("Voting must close after it opens."), field="vote_closes"
        )
    members = committee_check(area=area, members=committee)
    selection = Selection.objects.create(
        kind=kind,
        area=area,
        title=title,
        description=description,
        vote_opens=vote_opens,
        vote_closes=vote_closes,
        ballot_changeable=bool(ballot_changeable),
        results_hidden=bool(results_hidden),
        created_by=by,
        created_at=now,
        **numbers,
    )
    selection.committee.set(members)
    SELECTION_FLOW.begin(selection, action="create", by=by, now=now)
    return selection


@transaction.atomic
def committee_set(*, selection: Selection, members, by: User) -> Selection:
    if not in_scope(by, selection.area, Perm.SELECTION_MANAGE):
        raise NotAllowed(_("Your role does not allow this here."))
    if selection.status not in (SelectionStatus.NOMINATING, SelectionStatus.VOTING):
        raise TransitionNotAllowed(
            _("The committee is fixed once the vote has closed."), field="committee"
        )
    selection.committee.set(committee_check(area=selection.area, members=members))
    return selection


@transaction.atomic
def vote_open(
    *, selection: Selection, by: User, now: dt.datetime | None = None
) -> Selection:
    """Candidates go to the vote; nominations still unreviewed are not in it.
    The draw's value is chosen and its hash published now."""
    now = now or timezone.now()

    def change(item, at):
        if not item.nominations.filter(status=N.CANDIDATE).exists():
            raise TransitionNotAllowed(
                _("Approve at least one candidate before the vote opens."),
                field="status",
            )
        secret = secrets.token_hex(32)
        item.draw_secret = secret
        item.draw_commitment = commitment_of(secret)
        for nomination in item.nominations.filter(status__in=[N.CANDIDATE]):
            transition(NOMINATION_FLOW, row=nomination, action="vote", by=by, now=at)
        for nomination in item.nominations.filter(status__in=[N.ASKED, N.REVIEW]):
            transition(
                NOMINATION_FLOW,
                row=nomination,
                action="lapse",
                by=by,
                now=at,
                reason=_("Not reviewed before the vote opened."),
            )
        return None

    opened = transition(
        SELECTION_FLOW,
        row=selection,
        action="open_vote",
        by=by,
        now=now,
        change=change,
    )
    announce("selections.vote_opened", selection=opened)
    return opened


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def tally(selection: Selection) -> dict[int, tuple[int, int]]:
    """Public and committee votes for each nomination in the vote: ballots
    voided by a staff decision do not count."""
    public: dict[int, int] = {}
    for nomination_id in BallotChoice.objects.filter(
        ballot__selection=selection, ballot__voided_at__isnull=True
    ).values_list("nomination_id", flat=True):
        public[nomination_id] = public.get(nomination_id, 0) + 1
    committee: dict[int, int] = {}
    for nomination_id in CommitteeMark.objects.filter(selection=selection).values_list(
        "nomination_id", flat=True
    ):
        committee[nomination_id] = committee.get(nomination_id, 0) + 1
    ids = set(public) | set(committee)
    return {pk: (public.get(pk, 0), committee.get(pk, 0)) for pk in ids}


def vote_close(
    *, selection: Selection, by: User, now: dt.datetime | None = None
) -> Selection:
    """Count the vote and rank each category: score = public weight × the
    share of ballots choosing the candidate + committee weight × the share
    of committee members choosing them (0–100). The ``seats`` best of each
    category go to publicity (公示), ties ordered by the draw; the others are
    not selected. Refused while a fraud signal waits for a decision.
    Closing before the window ends ends the window now."""
    now = now or timezone.now()

    def change(item, at):
        if item.flags.filter(status=FlagStatus.OPEN).exists():
            raise TransitionNotAllowed(
                _("Decide the fraud signals before the vote is counted."),
                field="status",
            )
        if at < item.vote_closes:
            item.vote_closes = at
        counts = tally(item)
        ballots = Ballot.objects.filter(selection=item, voided_at__isnull=True).count()
        members = CommitteeBallot.objects.filter(selection=item).count()
        running = list(item.nominations.filter(status=N.VOTING))
        for nomination in running:
            public, committee = counts.get(nomination.pk, (0, 0))
            nomination.public_votes, nomination.committee_votes = public, committee
            nomination.score = (
                item.public_weight * _share(public, ballots)
                + item.committee_weight * _share(committee, members)
            ).quantize(Decimal("0.001"))
            nomination.draw = draw_key(item.draw_secret, nomination.pk)
        by_category: dict[str, list] = {}
        for nomination in running:
            by_category.setdefault(nomination.category, []).append(nomination)
        for group in by_category.values():
            group.sort(key=lambda n: (-n.score, n.draw))
            cut = group[item.seats - 1].score if len(group) > item.seats else None
            for rank, nomination in enumerate(group, start=1):
                nomination.rank = rank
                nomination.drawn = (
                    cut is not None
                    and nomination.score == cut
                    and sum(1 for n in group if n.score == cut) > 1
                )
                won = rank <= item.seats
                nomination.save(
                    update_fields=[
                        "public_votes",
                        "committee_votes",
                        "score",
                        "rank",
                        "drawn",
                    ]
                )
                transition(
                    NOMINATION_FLOW,
                    row=nomination,
                    action="shortlist" if won else "not_selected",
                    by=by,
                    now=at,
                    reason=_("Ranked %(rank)d with a score of %(score)s.")
                    % {"rank": rank, "score": nomination.score},
                )
        item.publicity_ends = at + dt.timedelta(days=item.publicity_days)
        return None

    closed = transition(
        SELECTION_FLOW,
        row=selection,
        action="close_vote",
        by=by,
        now=now,
        change=change,
    )
    announce("selections.vote_closed", selection=closed)
    return closed


def honour(*, selection: Selection, by: User, now: dt.datetime | None = None):
    """Once publicity has passed with every objection answered, those still
    in publicity are honoured (and paid the selection's points, once)."""
    now = now or timezone.now()

    def change(item, at):
        if item.publicity_ends and at < item.publicity_ends:
            raise TransitionNotAllowed(
                _("Publicity (公示) runs until %(end)s.")
                % {"end": date_format(timezone.localtime(item.publicity_ends))},
                field="status",
            )
        open_objections = item.nominations.filter(
            objections__status=ObjectionStatus.OPEN
        ).exists()
        if open_objections:
            raise TransitionNotAllowed(
                _("Answer the objections before honouring."), field="status"
            )
        for nomination in item.nominations.filter(status=N.PUBLICITY):
            honoured = transition(
                NOMINATION_FLOW,
                row=nomination,
                action="honour",
                by=by,
                now=at,
                change=_stamp_honoured,
            )
            honour_points(nomination=honoured, now=at)
        return None

    with transaction.atomic():
        done = transition(
            SELECTION_FLOW,
            row=selection,
            action="honour",
            by=by,
            now=now,
            change=change,
        )
        announce("selections.honoured", selection=done)
    return done


def _stamp_honoured(nomination, at):
    nomination.honoured_at = at


def selection_cancel(*, selection: Selection, by: User, reason: str) -> Selection:
    return transition(
        SELECTION_FLOW, row=selection, action="cancel", by=by, reason=reason
    )
