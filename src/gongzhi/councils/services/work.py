"""A passed resolution becomes work: tasks handed to a team, a unit, the
property company (through 派单) or a street department (through 吹哨), each
a request of the requests workflow so its deadlines, escalation and the
three rates apply; milestones, photos before and after; a budget line
(专项资金: approved, spent, left) with a receipt for every expense."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.workflow import transition
from gongzhi.orgs.models import Organization
from gongzhi.requests.models import Category, Department
from gongzhi.requests.services.raising import request_raise
from gongzhi.requests.services.workflow import request_dispatch, request_escalate
from gongzhi.volunteering.models import Team

from ..models import (
    Budget,
    Expense,
    Milestone,
    PhotoKind,
    Task,
    TaskPhoto,
    Topic,
    TopicStatus,
)
from . import topics
from .rules import require_manage
from .suggestions import TITLE_MAX, photo_content, photos_check

MONEY_MAX = Decimal("99999999.99")
CENT = Decimal("0.01")


@transaction.atomic
def task_create(
    *,
    topic: Topic,
    title: str,
    category: Category,
    to: Team | Organization | Department,
    by,
    description: str = "",
    now: dt.datetime | None = None,
) -> Task:
    """Hand part of a passed resolution to ``to``: a request raised at the
    topic's place in ``category`` (whose hours set its deadlines), then
    dispatched to a team or organization, or whistled up (吹哨) to the
    street for a department. The topic is then being carried out."""
    now = now or timezone.now()
    require_manage(by, topic.community)
    topic.refresh_from_db()
    if topic.status not in (TopicStatus.PASSED, TopicStatus.CARRYING_OUT):
        raise TransitionNotAllowed(
            _("Only a passed resolution becomes work."), field="status"
        )
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    description = text_clean(description, field="description", limit=1500)
    if not isinstance(to, Team | Organization | Department):
        raise ValidationFailed(
            _("Choose a team, an organization or a department."), field="to"
        )
    text = _("Council resolution “%(topic)s”: %(title)s") % {
        "topic": topic.title,
        "title": title,
    }
    if description:
        text = f"{text}\n{description}"
    item = request_raise(
        category=category, area=topic.area, description=text, by=by, now=now
    )
    if isinstance(to, Department):
        if to.street_id != topic.community.get_parent().pk:
            raise ValidationFailed(
                _("This department does not work in this street."), field="to"
            )
        item = request_escalate(
            service_request=item,
            by=by,
            note=_("For %(department)s: %(title)s")
            % {"department": to.name, "title": title},
            now=now,
        )
    elif item.assignee != to:
        item = request_dispatch(service_request=item, to=to, by=by, now=now)
    task = Task.objects.create(
        topic=topic, title=title, service_request=item, created_at=now
    )
    if topic.status == TopicStatus.PASSED:
        transition(topics.FLOW, row=topic, action="carry_out", by=by, now=now)
    return task


@transaction.atomic
def milestone_add(
    *, task: Task, title: str, due_on: dt.date | None = None, by
) -> Milestone:
    require_manage(by, task.topic.community)
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    return Milestone.objects.create(task=task, title=title, due_on=due_on)


@transaction.atomic
def milestone_done(*, milestone: Milestone, by, now=None) -> Milestone:
    require_manage(by, milestone.task.topic.community)
    if milestone.done_at is not None:
        raise TransitionNotAllowed(
            _("This milestone is reached already."), field="milestone"
        )
    milestone.done_at = now or timezone.now()
    milestone.save(update_fields=["done_at"])
    return milestone


@transaction.atomic
def task_photos_add(*, task: Task, kind: str, photos, by, now=None) -> list[TaskPhoto]:
    require_manage(by, task.topic.community)
    if kind not in PhotoKind.values:
        raise ValidationFailed(_("Choose before or after."), field="kind")
    checked = photos_check(photos)
    if not checked:
        raise ValidationFailed(_("Add a photo."), field="photos")
    made = []
    for upload, extension in checked:
        photo = TaskPhoto(task=task, kind=kind, at=now or timezone.now())
        photo.image.save(f"t{task.pk}.{extension}", photo_content(upload, extension))
        made.append(photo)
    return made


def money_clean(value, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationFailed(_("Enter an amount in yuan."), field=field) from None
    if not Decimal("0.01") <= amount <= MONEY_MAX:
        raise ValidationFailed(
            _("Enter an amount between 0.01 and %(max)s yuan.") % {"max": MONEY_MAX},
            field=field,
        )
    return amount


@transaction.atomic
def budget_set(*, topic: Topic, source: str, approved, by) -> Budget:
    """The topic's budget line; the approved sum may not fall below what
    was spent already."""
    require_manage(by, topic.community)
    topic.refresh_from_db()
    if topic.status not in (
        TopicStatus.PASSED,
        TopicStatus.CARRYING_OUT,
        TopicStatus.DONE,
    ):
        raise TransitionNotAllowed(
            _("Only a passed resolution has a budget."), field="status"
        )
    source = text_clean(source, field="source", limit=100, required=True)
    approved = money_clean(approved, field="approved")
    budget = Budget.objects.select_for_update().filter(topic=topic).first()
    if budget is None:
        return Budget.objects.create(topic=topic, source=source, approved=approved)
    if approved < spent(budget):
        raise ValidationFailed(_("More than that is spent already."), field="approved")
    budget.source, budget.approved = source, approved
    budget.save()
    return budget


def spent(budget: Budget) -> Decimal:
    return budget.expenses.aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


@transaction.atomic
def expense_add(
    *, budget: Budget, amount, note: str, spent_on: dt.date, receipt, by
) -> Expense:
    """An expense with the photo of its receipt; never more than is left."""
    require_manage(by, budget.topic.community)
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    amount = money_clean(amount, field="amount")
    note = text_clean(note, field="note", limit=200, required=True)
    if not isinstance(spent_on, dt.date):
        raise ValidationFailed(_("Enter a date."), field="spent_on")
    if receipt is None:
        raise ValidationFailed(_("Add the photo of the receipt."), field="receipt")
    ((upload, extension),) = photos_check([receipt], field="receipt")
    left = budget.approved - spent(budget)
    if amount > left:
        raise ValidationFailed(
            _("Only %(left)s yuan of the budget is left.") % {"left": left},
            field="amount",
        )
    expense = Expense(budget=budget, amount=amount, note=note, spent_on=spent_on, by=by)
    expense.receipt.save(
        f"r{budget.pk}.{extension}", photo_content(upload, extension), save=False
    )
    expense.save()
    return expense
