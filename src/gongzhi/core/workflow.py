"""The workflow engine: a transition table as data, one door through it.

An app declares its table once::

    MOVES = {  # action: who may, from where, to where
        "confirm": move({Status.REGISTERED}, Status.CONFIRMED, "staff"),
        "end": move({Status.REGISTERED, Status.CONFIRMED}, Status.ENDED,
                    "staff", "member", reason=True),
    }
    FLOW = Workflow(
        model=PartyRegistration,
        history=RegistrationStep,  # a core.models.TransitionRecord
        subject="registration",    # its foreign key to the row
        moves=MOVES,
        labels={"confirm": _("Confirmed"), "end": _("Ended")},
        permit=may,                # (user, who, row) -> truthy or None
    )

and its services call ``transition(FLOW, row=…, action=…, by=…)``: it
locks the row (``select_for_update`` inside the caller's transaction;
SQLite's immediate transactions serialise writers anyway), reads its
status again, refuses a move the table does not allow from that status
or to that user, and only then changes the row and appends one history
row saying who, when, why, from and to. A refusal is a ``DomainError``
naming the field and leaves everything as it was.

A workflow whose steps do more than the engine knows (requests' photos,
a merge that locks two rows) uses the same pieces one by one:
``lock``, ``check``, ``apply``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .cleaning import text_clean
from .errors import NotAllowed, TransitionNotAllowed, ValidationFailed

if TYPE_CHECKING:
    from .models import TransitionRecord

REASON_MAX = 200


@dataclass(frozen=True)
class Move:
    """One action of a table: the statuses it may start from, the status
    it leads to (None: the status stays and the step is only recorded),
    who may take it (tokens the workflow's ``permit`` understands; none:
    anyone the calling service let through), whether a reason is
    required, and a guard that may refuse it on the row's other fields."""

    sources: frozenset
    target: str | None
    who: frozenset = frozenset()
    reason: bool = False
    guard: Callable[[Any, Any], None] | None = None
    # This move's own refusal from another status, else the workflow's.
    refused: str | None = None


def move(
    sources: Iterable[str],
    target: str | None,
    *who,
    reason: bool = False,
    guard: Callable[[Any, Any], None] | None = None,
    refused: str | None = None,
) -> Move:
    return Move(frozenset(sources), target, frozenset(who), reason, guard, refused)


def _anyone(user, who, row):
    return True


@dataclass(frozen=True)
class Workflow:
    """A model's transition table and how its steps are recorded."""

    model: type[models.Model]
    history: type[TransitionRecord]
    subject: str
    moves: Mapping[str, Move]
    labels: Mapping[str, str]
    state: str = "status"
    # Who acts: ``permit(user, who, row)`` answers a truthy value (the
    # capacity recorded, or True) or None; ``refusal(who, row)`` says why.
    permit: Callable[[Any, frozenset, Any], Any] = _anyone
    refusal: Callable[[frozenset, Any], str] | None = None
    # The refusal of a move its status does not allow; placeholders
    # %(status)s and %(action)s.
    refused: str = gettext_lazy("It is “%(status)s” and cannot be “%(action)s”.")
    related: tuple[str, ...] = ()
    # Where a reason is refused (too long, missing) and how long it may be.
    reason_field: str = "reason"
    reason_max: int = REASON_MAX

    def label(self, action: str) -> str:
        return str(self.labels.get(action, action))

    def status_label(self, row) -> str:
        display = getattr(row, f"get_{self.state}_display", None)
        return str(display()) if display else str(getattr(row, self.state))

    def allowed_from(self, status: str) -> list[str]:
        """The actions that may start from ``status``."""
        return [a for a, rule in self.moves.items() if status in rule.sources]

    def lock(self, row: models.Model | int) -> models.Model:
        """The row read again under a row lock (the row alone: a joined
        nullable relation has no side PostgreSQL could lock)."""
        pk = getattr(row, "pk", row)
        rows = self.model._default_manager.select_related(*self.related)
        return rows.select_for_update(of=("self",)).get(pk=pk)

    def check(self, row: models.Model, action: str, by) -> Any:
        """Refuse ``action`` on the locked ``row`` unless the table allows
        it from the row's status and to ``by``; answers what ``permit``
        answered (the capacity ``by`` acts in)."""
        rule = self.moves.get(action)
        if rule is None:
            raise ValidationFailed(_("Choose one of the options."), field="action")
        if getattr(row, self.state) not in rule.sources:
            raise TransitionNotAllowed(
                (rule.refused or self.refused)
                % {"status": self.status_label(row), "action": self.label(action)},
                field="status",
            )
        actor = self.permit(by, rule.who, row)
        if not actor:
            message = self.refusal(rule.who, row) if self.refusal else None
            raise NotAllowed(message)
        if rule.guard is not None:
            rule.guard(row, by)
        return actor

    def apply(
        self,
        row: models.Model,
        *,
        action: str,
        by,
        now: dt.datetime,
        from_status: str,
        note: str = "",
        **fields,
    ) -> TransitionRecord:
        """Save the changed row, moved to the table's target unless the
        caller moved it elsewhere, and append its step (``fields``: the
        history's own further columns, or ``extra``)."""
        target = self.moves[action].target
        if target is not None and getattr(row, self.state) == from_status:
            setattr(row, self.state, target)
        row.save()
        return self.history._default_manager.create(
            **{self.subject: row},
            action=action,
            from_status=from_status,
            to_status=getattr(row, self.state),
            by=by if by is not None and by.is_authenticated else None,
            at=now,
            note=note,
            **fields,
        )

    def begin(
        self, row: models.Model, *, action: str, by, now: dt.datetime, **fields
    ) -> TransitionRecord:
        """Record the step that created ``row`` (from no status to its
        first), so its history starts where it did."""
        return self.history._default_manager.create(
            **{self.subject: row},
            action=action,
            from_status="",
            to_status=getattr(row, self.state),
            by=by if by is not None and by.is_authenticated else None,
            at=now,
            **fields,
        )

    def timeline(self, row: models.Model, *, names: bool = True) -> list[dict]:
        """The row's history, oldest first, as pages and the API show it:
        when, what, the status after, why, and (``names``) who."""
        steps = (
            self.history._default_manager.filter(**{self.subject: row})
            .select_related("by")
            .order_by("at", "pk")
        )
        return self.shown(steps, names=names)

    def shown(self, steps, *, names: bool = True) -> list[dict]:
        """History rows read already (a prefetch for a whole page) as
        ``timeline`` shows them."""
        return [
            {
                "at": step.at,
                "action": step.action,
                "action_label": self.label(step.action),
                "status": step.to_status,
                "status_label": self._status_name(step.to_status),
                "note": step.note,
                "by": step.by.name if names and step.by_id else "",
            }
            for step in sorted(steps, key=lambda step: (step.at, step.pk))
        ]

    def _status_name(self, value: str) -> str:
        field = self.model._meta.get_field(self.state)
        return str(dict(field.flatchoices).get(value, value))


def reason_clean(flow: Workflow, action: str, reason) -> str:
    """The reason typed for ``action``, required where the table says so."""
    rule = flow.moves.get(action)
    return text_clean(
        reason,
        field=flow.reason_field,
        limit=flow.reason_max,
        required=bool(rule and rule.reason),
    )


@transaction.atomic
def transition(
    flow: Workflow,
    *,
    row: models.Model | int,
    action: str,
    by,
    reason: str = "",
    now: dt.datetime | None = None,
    change: Callable[[models.Model, dt.datetime], str | None] | None = None,
    extra: dict | None = None,
) -> models.Model:
    """Take ``action`` on ``row``: lock it, read its status again, refuse
    what the table does not allow (from this status, to ``by``, without
    a required reason, against the guard), let ``change`` check its input
    and change the row's other fields (it may answer the status to go to
    instead of the table's; it may fill ``extra`` in), save it and record
    the step with ``reason`` and ``extra``. Everything or, on a refusal,
    nothing."""
    if action not in flow.moves:
        raise ValidationFailed(_("Choose one of the options."), field="action")
    reason = reason_clean(flow, action, reason)
    now = now or timezone.now()
    item = flow.lock(row)
    flow.check(item, action, by)
    from_status = getattr(item, flow.state)
    target = change(item, now) if change is not None else None
    if target is not None:
        setattr(item, flow.state, target)
    fields = {"extra": extra if extra is not None else {}} if _has_extra(flow) else {}
    step = flow.apply(
        item,
        action=action,
        by=by,
        now=now,
        from_status=from_status,
        note=reason,
        **fields,
    )
    item.step = step
    return item


def _has_extra(flow: Workflow) -> bool:
    return any(f.name == "extra" for f in flow.history._meta.get_fields())
