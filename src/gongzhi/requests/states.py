"""A request's statuses and the one transition table.

The flow (点单 → 派单 → 接单 → 办结 → 评价)::

    raise ─► submitted ─dispatch─► dispatched ─accept─► accepted ─start─►
        in_progress ─resolve─► resolved ─rate/callback/auto_close─► closed

    submitted ─pool─► pooled ─take (抢单, first wins)─► accepted
    dispatched/accepted ─return (退单)─► submitted (a department's: escalated)
    dispatched/accepted ─transfer (转单)─► transfer_requested
        ─transfer_approve─► dispatched (to the named team)
        ─transfer_decline─► dispatched (back with the same assignee)
    open ─escalate (吹哨)─► escalated ─street_dispatch (部门报到)─► dispatched
    closed (rated 不满意, once) ─reopen─► submitted
    submitted/pooled/escalated ─reject─► rejected
    not yet worked ─merge─► merged

Each action names the statuses it may start from, the status it leads to
(``None``: it stays, the step is only recorded) and who may take it. The
services (``services.workflow``, on the engine of ``core.workflow``) are
the one door: they lock the row, refuse an action not allowed from the
current status or to the user, and write a ``Transition`` for every step
taken.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.workflow import Move, move


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for dispatch")
    POOLED = "pooled", _("Waiting for a team to take it")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("Being worked on")
    TRANSFER_REQUESTED = "transfer_requested", _("Transfer requested")
    ESCALATED = "escalated", _("Escalated to the street")
    RESOLVED = "resolved", _("Resolved, waiting for your rating")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged into another request")


# Still to be done: queues, duplicates and the sweep look at these.
OPEN = frozenset(
    {
        Status.SUBMITTED,
        Status.POOLED,
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.TRANSFER_REQUESTED,
        Status.ESCALATED,
    }
)
# With an assignee who has to act.
ASSIGNED = frozenset(
    {
        Status.DISPATCHED,
        Status.ACCEPTED,
        Status.IN_PROGRESS,
        Status.TRANSFER_REQUESTED,
    }
)
# Nothing more happens (but a 不满意 closed request may reopen once).
FINAL = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})

# The status a request has "before" it is raised, in the table only.
NEW = ""


class Urgency(models.TextChoices):
    URGENT = "urgent", _("Urgent (急)")
    NORMAL = "normal", _("Normal")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Resident portal")
    STAFF = "staff", _("Community staff")
    GRID = "grid", _("Grid worker or building leader")
    CARE_VISIT = "care_visit", _("Home visit")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied (满意)")
    BASIC = "basic", _("Basically satisfied (基本满意)")
    DISSATISFIED = "dissatisfied", _("Dissatisfied (不满意)")


# Ratings counted as satisfied by 满意率.
SATISFIED = frozenset({Rating.SATISFIED, Rating.BASIC})

# A request reopens at most this many times, and only after 不满意.
MAX_REOPEN = 1


class Who:
    """Who may take an action; ``services.may`` decides each for a user."""

    REPORTER = "reporter"  # the resident who reported it (her own login)
    RAISER = "raiser"  # request.raise where the location lies
    DISPATCHER = "dispatcher"  # request.dispatch over the request's community
    STREET = "street"  # request.dispatch over the request's street
    HANDLER = "handler"  # works the queue of the current assignee
    POOL_TEAM = "pool_team"  # works the queue of a team eligible for the pool
    SYSTEM = "system"  # automatic routing and the sweep (no user)


# A rule of the table is the engine's ``Move``; ``who`` holds ``Who`` tokens.
Rule = Move


def _rule(sources, target, *who) -> Rule:
    return move(sources, target, *who)


S = Status
_BEFORE_WORK = {S.SUBMITTED, S.POOLED, S.DISPATCHED, S.ESCALATED}
_WORKING = {S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS}

TRANSITIONS: dict[str, Rule] = {
    # 点单
    "raise": _rule({NEW}, S.SUBMITTED, Who.REPORTER, Who.RAISER, Who.SYSTEM),
    # 派单: to a team or an organization (staff may always re-dispatch
    # until it is resolved), or into the pool; the category's default or
    # rotation routes on raise (system).
    "dispatch": _rule(
        {*_WORKING, S.SUBMITTED, S.POOLED, S.TRANSFER_REQUESTED},
        S.DISPATCHED,
        Who.DISPATCHER,
        Who.SYSTEM,
    ),
    "pool": _rule({S.SUBMITTED, S.DISPATCHED}, S.POOLED, Who.DISPATCHER, Who.SYSTEM),
    # 抢单: exactly one eligible team wins; taking is accepting.
    "take": _rule({S.POOLED}, S.ACCEPTED, Who.POOL_TEAM),
    # 接单, first contact, 退单 (with a reason; a department's goes back to
    # the street, everyone else's to the community's dispatcher)
    "accept": _rule({S.DISPATCHED}, S.ACCEPTED, Who.HANDLER),
    "contact": _rule(_WORKING, None, Who.HANDLER),
    "return": _rule({S.DISPATCHED, S.ACCEPTED}, S.SUBMITTED, Who.HANDLER),
    # 转单: a team asks, the dispatcher consents or declines
    "transfer": _rule({S.DISPATCHED, S.ACCEPTED}, S.TRANSFER_REQUESTED, Who.HANDLER),
    "transfer_approve": _rule({S.TRANSFER_REQUESTED}, S.DISPATCHED, Who.DISPATCHER),
    "transfer_decline": _rule({S.TRANSFER_REQUESTED}, S.DISPATCHED, Who.DISPATCHER),
    # 吹哨 and 部门报到
    "escalate": _rule(
        {*_WORKING, S.SUBMITTED, S.POOLED}, S.ESCALATED, Who.DISPATCHER, Who.SYSTEM
    ),
    "street_dispatch": _rule({S.ESCALATED}, S.DISPATCHED, Who.STREET),
    # Working and 办结
    "start": _rule({S.ACCEPTED}, S.IN_PROGRESS, Who.HANDLER),
    "resolve": _rule({S.ACCEPTED, S.IN_PROGRESS}, S.RESOLVED, Who.HANDLER),
    # 评价, 回访, closing what nobody rated, reopening after 不满意
    "rate": _rule({S.RESOLVED}, S.CLOSED, Who.REPORTER),
    "callback": _rule({S.RESOLVED}, S.CLOSED, Who.DISPATCHER),
    "callback_missed": _rule({S.RESOLVED}, None, Who.DISPATCHER),
    "auto_close": _rule({S.RESOLVED}, S.CLOSED, Who.SYSTEM),
    "reopen": _rule({S.CLOSED}, S.SUBMITTED, Who.REPORTER, Who.DISPATCHER),
    # Invalid and duplicate requests
    "reject": _rule(
        {S.SUBMITTED, S.POOLED, S.ESCALATED}, S.REJECTED, Who.DISPATCHER, Who.STREET
    ),
    "merge": _rule(_BEFORE_WORK, S.MERGED, Who.DISPATCHER),
}

ACTIONS = tuple(TRANSITIONS)

# How each action reads on the timeline.
ACTION_LABELS = {
    "raise": _("Raised"),
    "dispatch": _("Dispatched"),
    "pool": _("Put in the pool for teams to take"),
    "take": _("Taken by a team"),
    "accept": _("Accepted"),
    "contact": _("Contacted you"),
    "return": _("Returned to the dispatcher"),
    "transfer": _("Transfer to another team requested"),
    "transfer_approve": _("Transferred"),
    "transfer_decline": _("Transfer declined"),
    "escalate": _("Escalated to the street (吹哨)"),
    "street_dispatch": _("Dispatched by the street to a department"),
    "start": _("Work started"),
    "resolve": _("Resolved"),
    "rate": _("Rated"),
    "callback": _("Called back"),
    "callback_missed": _("Called back, not reached"),
    "auto_close": _("Closed without a rating"),
    "reopen": _("Reopened"),
    "reject": _("Not accepted"),
    "merge": _("Merged into another request"),
}


def allowed_from(status: str) -> list[str]:
    """The actions that may start from ``status``."""
    return [a for a, rule in TRANSITIONS.items() if status in rule.sources]
