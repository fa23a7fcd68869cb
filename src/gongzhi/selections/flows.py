"""The transition tables of selections, nominations, fraud signals and
objections, on the kernel's engine: every step recorded, anything else
refused."""

from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.core.workflow import Workflow, move

from .models import (
    FlagStatus,
    FlagStep,
    FraudFlag,
    Nomination,
    NominationStatus,
    NominationStep,
    Objection,
    ObjectionStatus,
    ObjectionStep,
    Selection,
    SelectionStatus,
    SelectionStep,
)

S, N = SelectionStatus, NominationStatus


def _permit(user, who, row):
    """``manage``: selection.manage at the selection's level (a street's
    selection is run by the street); ``nominee``: the nominated person's
    own login; ``system``: the services' own steps (the vote's count)."""
    if not who:
        return True
    selection = row if isinstance(row, Selection) else _selection_of(row)
    if "manage" in who and in_scope(user, selection.area, Perm.SELECTION_MANAGE):
        return "manage"
    if (
        "nominee" in who
        and isinstance(row, Nomination)
        and row.person_id is not None
        and getattr(row.person, "user_id", None) == getattr(user, "pk", -1)
    ):
        return "nominee"
    return None


def _selection_of(row) -> Selection:
    if isinstance(row, Nomination):
        return row.selection
    if isinstance(row, FraudFlag):
        return row.selection
    if isinstance(row, Objection):
        return row.nomination.selection
    raise TypeError(row)


def _refusal(who, row):
    if "nominee" in who and "manage" not in who:
        return _("Only the nominee may answer this.")
    return _("Only the staff running this selection may do this.")


SELECTION_FLOW = Workflow(
    model=Selection,
    history=SelectionStep,
    subject="selection",
    moves={
        "open_vote": move({S.NOMINATING}, S.VOTING, "manage"),
        "close_vote": move({S.VOTING}, S.PUBLICITY, "manage"),
        "honour": move({S.PUBLICITY}, S.CLOSED, "manage"),
        "cancel": move({S.NOMINATING, S.VOTING}, S.CANCELLED, "manage", reason=True),
    },
    labels={
        "create": _("Set up"),
        "open_vote": _("Voting opened"),
        "close_vote": _("Voting closed and counted"),
        "honour": _("Honoured"),
        "cancel": _("Cancelled"),
    },
    related=("area", "kind"),
    permit=_permit,
    refusal=_refusal,
)

# Where a nominee is still in the running.
RUNNING = {N.ASKED, N.REVIEW, N.CANDIDATE, N.VOTING, N.PUBLICITY}

NOMINATION_FLOW = Workflow(
    model=Nomination,
    history=NominationStep,
    subject="nomination",
    moves={
        "consent": move({N.ASKED}, N.REVIEW, "nominee", "manage"),
        "decline": move(
            {N.ASKED, N.REVIEW, N.CANDIDATE}, N.DECLINED, "nominee", "manage"
        ),
        "approve": move({N.REVIEW}, N.CANDIDATE, "manage"),
        "reject": move({N.REVIEW}, N.NOT_ELIGIBLE, "manage", reason=True),
        "merge": move({N.ASKED, N.REVIEW, N.CANDIDATE}, N.MERGED, "manage"),
        "withdraw": move(RUNNING, N.WITHDRAWN, "manage", reason=True),
        # The selection's own steps, taken by its open_vote, close_vote
        # and honour.
        "vote": move({N.CANDIDATE}, N.VOTING),
        "shortlist": move({N.VOTING}, N.PUBLICITY),
        "not_selected": move({N.VOTING}, N.NOT_SELECTED),
        "honour": move({N.PUBLICITY}, N.HONOURED),
        "lapse": move({N.ASKED, N.REVIEW}, N.NOT_SELECTED),
    },
    labels={
        "nominate": _("Nominated"),
        "forwarded": _("Put forward to the level above"),
        "consent": _("Consent given"),
        "decline": _("Declined"),
        "approve": _("Approved as a candidate"),
        "reject": _("Found not eligible"),
        "merge": _("Merged"),
        "withdraw": _("Withdrawn"),
        "vote": _("In the vote"),
        "shortlist": _("Selected for publicity"),
        "not_selected": _("Not selected"),
        "honour": _("Honoured"),
        "lapse": _("Not reviewed before the vote"),
        "photo": _("Photo added"),
        "merged_in": _("A duplicate nomination merged in"),
    },
    related=("selection", "selection__area", "person"),
    permit=_permit,
    refusal=_refusal,
)

FLAG_FLOW = Workflow(
    model=FraudFlag,
    history=FlagStep,
    subject="flag",
    moves={
        "keep": move({FlagStatus.OPEN}, FlagStatus.KEPT, "manage", reason=True),
        "void": move({FlagStatus.OPEN}, FlagStatus.VOIDED, "manage", reason=True),
    },
    labels={
        "raise": _("Flagged"),
        "keep": _("Ballots kept"),
        "void": _("Ballots voided"),
    },
    related=("selection", "selection__area"),
    permit=_permit,
    refusal=_refusal,
)

OBJECTION_FLOW = Workflow(
    model=Objection,
    history=ObjectionStep,
    subject="objection",
    moves={
        "sustain": move({ObjectionStatus.OPEN}, ObjectionStatus.SUSTAINED, "manage"),
        "dismiss": move({ObjectionStatus.OPEN}, ObjectionStatus.DISMISSED, "manage"),
    },
    labels={
        "raise": _("Objection raised"),
        "sustain": _("Objection sustained"),
        "dismiss": _("Objection dismissed"),
    },
    related=("nomination", "nomination__selection", "nomination__selection__area"),
    permit=_permit,
    refusal=_refusal,
    reason_field="answer",
    reason_max=1000,
)
