"""Every step of a request after it is raised, through one door.

Each service locks the request row (``select_for_update``), checks the
action against ``states.TRANSITIONS`` (the status it may start from, who
may take it), checks its input, and only then writes: the request and one
``Transition``. A refusal raises a ``DomainError`` naming the field and
changes nothing. A caller that passes ``version`` (what the user saw) is
refused when another step came first, so of two dispatchers acting at the
same moment one wins and the other is told.

``now`` is passed in by tests and the sweep; it defaults to the clock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas.tree import street_of
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.photos import photo_check
from gongzhi.core.workflow import Workflow
from gongzhi.orgs.models import Organization
from gongzhi.volunteering.models import Team

from ..events import CHANGED, MOVED
from ..models import (
    ASSIGNEE_FIELDS,
    Callback,
    Department,
    PhotoKind,
    RequestPhoto,
    ServiceRequest,
    Transition,
)
from ..states import (
    ACTION_LABELS,
    FINAL,
    MAX_REOPEN,
    TRANSITIONS,
    Rating,
    Status,
)
from .following import follows_add
from .rules import (
    Assignee,
    actor_for,
    assignee_field,
    handles,
    pool_teams,
    refusal,
    serves,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

NOTE_MAX = 2000
COMMENT_MAX = ServiceRequest._meta.get_field("rating_comment").max_length
REASON_MAX = ServiceRequest._meta.get_field("reject_reason").max_length
MAX_PHOTOS = 9

# The requests' table on the engine: the row is locked with what the
# checks read (the assignees, the category's clock).
FLOW = Workflow(
    model=ServiceRequest,
    history=Transition,
    subject="request",
    moves=TRANSITIONS,
    labels=ACTION_LABELS,
    permit=actor_for,
    refusal=refusal,
    refused=gettext_lazy("A request that is “%(status)s” cannot be “%(action)s”."),
    related=(
        "category",
        "area",
        "community",
        "reporter",
        "team__leader",
        "team__area",
        "organization__area",
        "department__street",
        "transfer_team",
    ),
)


class StaleRequest(TransitionNotAllowed):
    """Someone acted on the request since the user loaded it."""

    default_message = _("This request has just been changed by someone else.")


def lock(service_request: ServiceRequest | int) -> ServiceRequest:
    """The request read again under a row lock (the row only: the joined
    assignees may be null, and PostgreSQL locks no null side of a join)."""
    return FLOW.lock(service_request)


def _stale_message(item: ServiceRequest) -> str:
    last = item.transitions.order_by("-at", "-pk").first()
    if last is None:
        return str(StaleRequest.default_message)
    return _(
        "This request has just been changed by someone else (%(action)s); "
        "it is now “%(status)s”. Look at it again before you act."
    ) % {
        "action": ACTION_LABELS.get(last.action, last.action),
        "status": item.get_status_display(),
    }


def check(
    item: ServiceRequest,
    action: str,
    by: User | None,
    *,
    version: int | None = None,
) -> str:
    """Refuse ``action`` on the locked ``item`` unless the table allows it
    from its status and to ``by``; answers the actor ``by`` acts as."""
    if version is not None and version != item.version:
        raise StaleRequest(_stale_message(item), field="version")
    return FLOW.check(item, action, by)


def set_assignee(item: ServiceRequest, assignee: Assignee | None) -> None:
    for name in ASSIGNEE_FIELDS:
        setattr(item, name, None)
    if assignee is not None:
        setattr(item, assignee_field(assignee), assignee)


def record(
    item: ServiceRequest,
    *,
    action: str,
    actor: str,
    by: User | None,
    now: dt.datetime,
    from_status: str,
    note: str = "",
    rating: str = "",
) -> Transition:
    """Save the request as changed, moved to the table's target unless
    the caller chose another, and append its step."""
    item.version += 1
    item.updated_at = now
    assignee = item.assignee
    step = FLOW.apply(
        item,
        action=action,
        by=by,
        now=now,
        from_status=from_status,
        note=note,
        actor=actor,
        team=item.team,
        organization=item.organization,
        department=item.department,
        assignee_name=str(assignee)[:100] if assignee is not None else "",
        rating=rating,
    )
    # Subscribers (the three rates' rollups) follow the step in the same
    # transaction.
    announce(CHANGED, request_ids=[item.pk], now=now)
    announce(
        MOVED,
        request_id=item.pk,
        action=action,
        status=item.status,
        version=item.version,
        now=now,
    )
    return step


def _step(
    service_request,
    action: str,
    by,
    *,
    now,
    version=None,
    note: str = "",
    rating: str = "",
    change: Callable[[ServiceRequest, dt.datetime], str | None] | None = None,
) -> ServiceRequest:
    """Lock, check, let ``change`` check its input and change the request
    (it may answer the status to go to instead of the table's), record."""
    now = now or timezone.now()
    item = lock(service_request)
    actor = check(item, action, by, version=version)
    from_status = item.status
    target = change(item, now) if change is not None else None
    if target is not None:
        item.status = target
    record(
        item,
        action=action,
        actor=actor,
        by=by,
        now=now,
        from_status=from_status,
        note=note,
        rating=rating,
    )
    return item


def start_clock(item: ServiceRequest, now: dt.datetime) -> None:
    """A dispatch starts the round's clock: response and resolution
    deadlines count from the first dispatch of a round."""
    if item.dispatched_at is None:
        item.dispatched_at = now
    category = item.category
    if item.response_due is None:
        item.response_due = now + dt.timedelta(hours=category.response_hours)
    if item.resolve_due is None:
        item.resolve_due = now + dt.timedelta(hours=category.resolve_hours)


def restart_resolve_clock(item: ServiceRequest, now: dt.datetime) -> None:
    """A department that receives a request after 吹哨 gets the
    category's full time to resolve it, counted from its receipt: the
    community's missed deadline is the community's (the timeline keeps
    the 吹哨 and why), not a lateness the department starts with. The
    response still counts once, against the first dispatch."""
    if item.dispatched_at is None:
        item.dispatched_at = now
    if item.response_due is None:
        item.response_due = now + dt.timedelta(hours=item.category.response_hours)
    item.resolve_due = now + dt.timedelta(hours=item.category.resolve_hours)
    item.resolve_overdue = False


def responded(item: ServiceRequest, now: dt.datetime) -> None:
    """The first response (accepted, taken, first contact) of the request."""
    if item.responded_at is None:
        item.responded_at = now
        if item.response_due is not None and now > item.response_due:
            item.response_overdue = True


def _note(value, *, field: str = "note", required: bool = False, limit=NOTE_MAX):
    return text_clean(value, field=field, limit=limit, required=required)


def _photos(photos, *, field: str = "photos") -> list[tuple[object, str]]:
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(max)d photos.") % {"max": MAX_PHOTOS}, field=field
        )
    return [(photo, photo_check(photo, field=field)) for photo in photos]


def store_photos(
    item: ServiceRequest,
    checked: list[tuple[object, str]],
    *,
    kind: str,
    by: User | None,
    now: dt.datetime,
    step: Transition | None = None,
) -> list[RequestPhoto]:
    """Store photos already checked by ``photo_check`` under names of their
    own (the uploaded name may say anything)."""
    stored = []
    for upload, extension in checked:
        photo = RequestPhoto(
            request=item,
            transition=step,
            kind=kind,
            uploaded_by=by if by is not None and by.is_authenticated else None,
            uploaded_at=now,
        )
        photo.image.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
        stored.append(photo)
    return stored


def _dispatchable(item: ServiceRequest, to, *, by) -> None:
    """A community dispatches to an active team or organization serving
    the request's community; a department is reached through the street
    (吹哨), except by a category's default on raise."""
    if isinstance(to, Department):
        if by is not None:
            raise ValidationFailed(
                _("Escalate to the street (吹哨) to reach a department."), field="to"
            )
        if not to.active or to.street != street_of(item.community):
            raise ValidationFailed(
                _("This department does not work in this street."), field="to"
            )
        return
    if not isinstance(to, Team | Organization):
        raise ValidationFailed(_("Choose a team or an organization."), field="to")
    if not to.active:
        raise ValidationFailed(
            _("%(name)s is no longer active.") % {"name": to}, field="to"
        )
    if not serves(to, item.community):
        raise ValidationFailed(
            _("%(name)s does not work in %(community)s.")
            % {"name": to, "community": item.community.name},
            field="to",
        )


# 派单


@transaction.atomic
def request_dispatch(
    *,
    service_request: ServiceRequest | int,
    to: Team | Organization | Department,
    by: User | None,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """派单: send the request to a team or an organization (``by=None``:
    the category's automatic routing, which may name a department).
    Staff may re-dispatch until it is resolved. Starts the round's clock."""
    note = _note(note)

    def change(item, now):
        _dispatchable(item, to, by=by)
        if item.assignee == to and item.status == Status.DISPATCHED:
            raise TransitionNotAllowed(
                _("It is dispatched to %(name)s already.") % {"name": to}, field="to"
            )
        set_assignee(item, to)
        item.transfer_team = None
        item.dispatcher = by
        start_clock(item, now)
        return None

    return _step(
        service_request,
        "dispatch",
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


@transaction.atomic
def request_pool(
    *,
    service_request: ServiceRequest | int,
    by: User | None,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Put the request in its category's pool (抢单): every eligible team
    sees it in its queue until one takes it. Starts the round's clock."""
    note = _note(note)

    def change(item, now):
        if not pool_teams(item):
            raise ValidationFailed(
                _("No team serving this community takes this category from a pool."),
                field="category",
            )
        set_assignee(item, None)
        item.dispatcher = by
        start_clock(item, now)
        return None

    return _step(
        service_request,
        "pool",
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


@transaction.atomic
def request_take(
    *,
    service_request: ServiceRequest | int,
    team: Team,
    by: User,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """抢单: a team eligible for the pool takes the request, and with it
    accepts it. Of teams taking at one moment exactly one wins; the row
    lock makes the others find it taken."""
    now = now or timezone.now()
    item = lock(service_request)
    if item.status != Status.POOLED and item.team_id is not None:
        raise TransitionNotAllowed(
            _("%(team)s has taken this request already.") % {"team": item.team},
            field="status",
        )
    actor = check(item, "take", by)
    eligible = pool_teams(item)
    if team not in eligible:
        raise ValidationFailed(
            _("%(team)s is not one of the teams this pool is open to.")
            % {"team": team},
            field="team",
        )
    if not handles(by, team):
        raise NotAllowed(_("You do not work %(team)s's queue.") % {"team": team})
    from_status = item.status
    set_assignee(item, team)
    responded(item, now)
    record(item, action="take", actor=actor, by=by, now=now, from_status=from_status)
    return item


# 接单, first contact, 退单, 转单


@transaction.atomic
def request_accept(
    *,
    service_request: ServiceRequest | int,
    by: User,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """接单: the assignee takes the request on; it has responded."""
    note = _note(note)

    def change(item, now):
        responded(item, now)

    return _step(
        service_request,
        "accept",
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


@transaction.atomic
def request_contact(
    *,
    service_request: ServiceRequest | int,
    by: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Record contacting the reporter (a call, a visit): the first contact
    counts as the response. The status stays."""
    note = _note(note)
    return _step(
        service_request,
        "contact",
        by,
        now=now,
        note=note,
        change=lambda item, now: responded(item, now),
    )


@transaction.atomic
def request_return(
    *,
    service_request: ServiceRequest | int,
    by: User,
    reason: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """退单: the assignee gives the request back, saying why: to the
    community's dispatcher, or (a department) to the street. The clock
    keeps running."""
    reason = _note(reason, field="reason", required=True, limit=REASON_MAX)

    def change(item, now):
        to_street = item.department_id is not None
        set_assignee(item, None)
        item.transfer_team = None
        return Status.ESCALATED if to_street else Status.SUBMITTED

    return _step(
        service_request,
        "return",
        by,
        now=now,
        version=version,
        note=reason,
        change=change,
    )


@transaction.atomic
def request_transfer(
    *,
    service_request: ServiceRequest | int,
    to: Team,
    by: User,
    reason: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """转单: the assignee asks the dispatcher to hand the request to another
    team; it waits for the dispatcher's consent."""
    reason = _note(reason, field="reason", required=True, limit=REASON_MAX)

    def change(item, now):
        if item.department_id is not None:
            raise TransitionNotAllowed(
                _("A department returns a request to the street instead."),
                field="status",
            )
        if not isinstance(to, Team):
            raise ValidationFailed(_("Choose a team."), field="to")
        if to == item.team:
            raise ValidationFailed(
                _("It is with %(team)s already.") % {"team": to}, field="to"
            )
        _dispatchable(item, to, by=by)
        item.transfer_team = to

    return _step(
        service_request,
        "transfer",
        by,
        now=now,
        version=version,
        note=reason,
        change=change,
    )


@transaction.atomic
def request_transfer_decide(
    *,
    service_request: ServiceRequest | int,
    approve: bool,
    by: User,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """The dispatcher consents to a transfer (the named team gets it, to
    accept anew) or declines it, saying why (it stays where it was)."""
    note = _note(note, required=not approve)
    action = "transfer_approve" if approve else "transfer_decline"

    def change(item, now):
        if approve:
            _dispatchable(item, item.transfer_team, by=by)
            set_assignee(item, item.transfer_team)
            item.dispatcher = by
        item.transfer_team = None

    return _step(
        service_request,
        action,
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


# 吹哨 and 部门报到


@transaction.atomic
def request_escalate(
    *,
    service_request: ServiceRequest | int,
    by: User | None,
    note: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """吹哨: the community (or the sweep, for an overdue request of a
    category configured so) hands the request up to the street, saying
    what it needs; the street dispatches it to a department."""
    note = _note(note, required=True)

    def change(item, now):
        if item.department_id is not None:
            raise TransitionNotAllowed(
                _("It is with a street department already."), field="status"
            )
        set_assignee(item, None)
        item.transfer_team = None
        item.escalated_at = now

    return _step(
        service_request,
        "escalate",
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


@transaction.atomic
def request_street_dispatch(
    *,
    service_request: ServiceRequest | int,
    to: Department,
    by: User,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """部门报到: the street sends an escalated request to one of its
    departments."""
    note = _note(note)

    def change(item, now):
        if not isinstance(to, Department):
            raise ValidationFailed(_("Choose a department."), field="to")
        if not to.active or to.street_id != getattr(
            street_of(item.community), "pk", None
        ):
            raise ValidationFailed(
                _("This department does not work in this street."), field="to"
            )
        set_assignee(item, to)
        item.dispatcher = by
        restart_resolve_clock(item, now)

    return _step(
        service_request,
        "street_dispatch",
        by,
        now=now,
        version=version,
        note=note,
        change=change,
    )


# Working and 办结


@transaction.atomic
def request_start(
    *,
    service_request: ServiceRequest | int,
    by: User,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """The assignee starts the work."""
    note = _note(note)
    return _step(service_request, "start", by, now=now, version=version, note=note)


@transaction.atomic
def request_resolve(
    *,
    service_request: ServiceRequest | int,
    by: User,
    resolution: str,
    photos=(),
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """办结: the assignee says what was done, with photos of the result;
    the reporter is asked to rate it."""
    now = now or timezone.now()
    resolution = _note(resolution, field="resolution", required=True)
    checked = _photos(photos)
    item = lock(service_request)
    actor = check(item, "resolve", by, version=version)
    from_status = item.status
    item.resolution = resolution
    item.resolved_at = now
    if item.resolve_due is not None and now > item.resolve_due:
        item.resolve_overdue = True
    step = record(
        item,
        action="resolve",
        actor=actor,
        by=by,
        now=now,
        from_status=from_status,
        note=resolution,
    )
    store_photos(item, checked, kind=PhotoKind.RESULT, by=by, now=now, step=step)
    return item


# 评价, 回访, closing, reopening


def _rating(value, *, field: str = "rating") -> str:
    if value not in Rating.values:
        raise ValidationFailed(
            _("Choose satisfied, basically satisfied or dissatisfied."), field=field
        )
    return value


@transaction.atomic
def request_rate(
    *,
    service_request: ServiceRequest | int,
    by: User,
    rating: str,
    comment: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """评价: the reporter rates the resolved request, once; it closes. A
    不满意 may then reopen it (``request_reopen``)."""
    rating = _rating(rating)
    comment = _note(comment, field="comment", limit=COMMENT_MAX)
    now = now or timezone.now()
    item = lock(service_request)
    if item.rating and item.status == Status.CLOSED:
        raise TransitionNotAllowed(
            _("This request has been rated already."), field="rating"
        )
    actor = check(item, "rate", by)
    from_status = item.status
    item.rating, item.rating_comment, item.rated_at = rating, comment, now
    item.closed_at = now
    record(
        item,
        action="rate",
        actor=actor,
        by=by,
        now=now,
        from_status=from_status,
        note=comment,
        rating=rating,
    )
    return item


@transaction.atomic
def request_callback(
    *,
    service_request: ServiceRequest | int,
    by: User,
    reached: bool,
    rating: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """回访: staff call a reporter who has not rated. Reached, her answer
    is recorded as her rating and the request closes; not reached, the
    attempt is recorded and it stays open for her rating."""
    now = now or timezone.now()
    note = _note(note, limit=Callback._meta.get_field("note").max_length)
    if reached:
        rating = _rating(rating)
    elif rating:
        raise ValidationFailed(
            _("A resident who was not reached gave no answer."), field="rating"
        )
    action = "callback" if reached else "callback_missed"
    item = lock(service_request)
    actor = check(item, action, by)
    from_status = item.status
    Callback.objects.create(
        request=item, by=by, at=now, reached=reached, rating=rating, note=note
    )
    if reached:
        item.rating, item.rating_comment, item.rated_at = rating, note, now
        item.closed_at = now
    record(
        item,
        action=action,
        actor=actor,
        by=by,
        now=now,
        from_status=from_status,
        note=note,
        rating=rating,
    )
    return item


@transaction.atomic
def request_auto_close(
    *, service_request: ServiceRequest | int, now: dt.datetime | None = None
) -> ServiceRequest:
    """Close a resolved request nobody rated (the sweep, after the
    category's period). It counts as unrated."""
    return _step(
        service_request,
        "auto_close",
        None,
        now=now,
        note=_("Closed without a rating after the rating period."),
        change=lambda item, now: setattr(item, "closed_at", now),
    )


@transaction.atomic
def request_reopen(
    *,
    service_request: ServiceRequest | int,
    by: User,
    reason: str,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Reopen a request rated 不满意, once: it goes back to the community's
    dispatcher and a new round's resolution clock starts at its next
    dispatch. The first round's rating stays in the history."""
    reason = _note(reason, field="reason", required=True, limit=REASON_MAX)

    def change(item, now):
        if item.rating != Rating.DISSATISFIED:
            raise TransitionNotAllowed(
                _("Only a request rated dissatisfied may be reopened."),
                field="rating",
            )
        if item.reopened_count >= MAX_REOPEN:
            raise TransitionNotAllowed(
                _("This request has been reopened once already."), field="status"
            )
        item.reopened_count += 1
        set_assignee(item, None)
        item.transfer_team = None
        item.rating, item.rating_comment, item.rated_at = "", "", None
        item.resolution = ""
        item.resolved_at = item.closed_at = None
        item.resolve_due = None
        item.resolve_overdue = False

    return _step(service_request, "reopen", by, now=now, note=reason, change=change)


# Invalid and duplicate requests


@transaction.atomic
def request_reject(
    *,
    service_request: ServiceRequest | int,
    by: User,
    reason: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Reject an invalid request with a reason the resident reads."""
    reason = _note(reason, field="reason", required=True, limit=REASON_MAX)

    def change(item, now):
        set_assignee(item, None)
        item.reject_reason = reason
        item.closed_at = now

    return _step(
        service_request,
        "reject",
        by,
        now=now,
        version=version,
        note=reason,
        change=change,
    )


@transaction.atomic
def request_merge(
    *,
    service_request: ServiceRequest | int,
    into: ServiceRequest,
    by: User,
    note: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> ServiceRequest:
    """Merge a duplicate into another open request of the same community:
    its reporter (unless she reported that one too) and those following
    it follow that one. Locks both rows in id order."""
    note = _note(note)
    now = now or timezone.now()
    pk = getattr(service_request, "pk", service_request)
    if into.pk == pk:
        raise ValidationFailed(
            _("A request cannot be merged into itself."), field="into"
        )
    first, second = sorted([pk, into.pk])
    locked = {first: lock(first), second: lock(second)}
    item, target = locked[pk], locked[into.pk]
    actor = check(item, "merge", by, version=version)
    if target.status in FINAL or target.community_id != item.community_id:
        raise ValidationFailed(
            _("Merge into an open request of the same community."), field="into"
        )
    from_status = item.status
    set_assignee(item, None)
    item.merged_into = target
    item.closed_at = now
    record(
        item,
        action="merge",
        actor=actor,
        by=by,
        now=now,
        from_status=from_status,
        note=note or target.number,
    )
    followers = set(item.follows.values_list("person_id", flat=True))
    if item.reporter_id is not None:
        followers.add(item.reporter_id)
    followers.discard(target.reporter_id)
    follows_add(target, followers, now=now)
    return item


# One entry per action, for callers that act by name (tests, bulk tools).
SERVICES = {
    "dispatch": request_dispatch,
    "pool": request_pool,
    "take": request_take,
    "accept": request_accept,
    "contact": request_contact,
    "return": request_return,
    "transfer": request_transfer,
    "escalate": request_escalate,
    "street_dispatch": request_street_dispatch,
    "start": request_start,
    "resolve": request_resolve,
    "rate": request_rate,
    "callback": request_callback,
    "auto_close": request_auto_close,
    "reopen": request_reopen,
    "reject": request_reject,
    "merge": request_merge,
}
