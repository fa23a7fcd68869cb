"""Reading the audit trail: audit administrators, in their subtree."""

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import scope_paths, subtree_q

from .models import Event


def event_list(
    *,
    user,
    action: str = "",
    actor: str = "",
    target: str = "",
    since=None,
    until=None,
) -> QuerySet[Event]:
    """Events in the audit admin's subtree, newest first, filtered by action,
    actor's name, object label and local dates (inclusive)."""
    paths = scope_paths(user, Perm.AUDIT_VIEW)
    if not paths:
        return Event.objects.none()
    events = Event.objects.filter(subtree_q(paths, field="area_path"))
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor__name__icontains=actor)
    if target:
        events = events.filter(target_label__icontains=target)
    if since:
        events = events.filter(at__gte=_day_start(since))
    if until:
        events = events.filter(at__lt=_day_start(until + dt.timedelta(days=1)))
    return events.select_related("actor").order_by("-at", "-pk")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
