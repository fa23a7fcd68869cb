"""The periodic sweep: flag what is late, escalate what is configured to
escalate, close what nobody rated. Run by ``tasks.sweep_overdue_task``
(django-tasks) or the ``requests_sweep`` command; running it again does
nothing twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError
from gongzhi.core.hooks import announce

from ..events import CHANGED
from ..models import Category, ServiceRequest
from ..states import OPEN, TRANSITIONS, Status
from .workflow import request_auto_close, request_escalate

log = logging.getLogger(__name__)


def overdue_flag(*, now: dt.datetime) -> tuple[int, int]:
    """Flag open requests past their deadlines: the response deadline
    while nobody has responded, the resolution deadline while unresolved.
    Flags are marks, not steps: the timeline is unchanged."""
    late_response = ServiceRequest.objects.filter(
        status__in=OPEN,
        responded_at__isnull=True,
        response_due__lt=now,
        response_overdue=False,
    )
    late_resolve = ServiceRequest.objects.filter(
        status__in=OPEN, resolve_due__lt=now, resolve_overdue=False
    )
    with transaction.atomic():
        pks = set(late_response.values_list("pk", flat=True))
        pks |= set(late_resolve.values_list("pk", flat=True))
        response = late_response.update(response_overdue=True)
        resolve = late_resolve.update(resolve_overdue=True)
        # The rates' overdue counts follow the marks at once.
        announce(CHANGED, request_ids=sorted(pks), now=now)
    return response, resolve


def overdue_escalate(*, now: dt.datetime) -> int:
    """吹哨 by the system: overdue requests of categories configured to
    escalate, not yet escalated once and not with a department."""
    candidates = ServiceRequest.objects.filter(
        Q(response_overdue=True) | Q(resolve_overdue=True),
        status__in=TRANSITIONS["escalate"].sources,
        category__auto_escalate=True,
        escalated_at__isnull=True,
        department__isnull=True,
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(candidates):
        try:
            request_escalate(
                service_request=pk,
                by=None,
                note=_("Overdue: escalated to the street automatically."),
                now=now,
            )
        except DomainError as exc:  # someone acted on it meanwhile
            log.info("request %s not escalated: %s", pk, exc)
            continue
        done += 1
    return done


def unrated_close(*, now: dt.datetime) -> int:
    """Close resolved requests nobody rated within their category's
    period."""
    done = 0
    for category in Category.objects.filter(
        requests__status=Status.RESOLVED
    ).distinct():
        cutoff = now - dt.timedelta(days=category.auto_close_days)
        due = ServiceRequest.objects.filter(
            category=category, status=Status.RESOLVED, resolved_at__lte=cutoff
        ).values_list("pk", flat=True)
        for pk in list(due):
            try:
                request_auto_close(service_request=pk, now=now)
            except DomainError as exc:  # rated meanwhile
                log.info("request %s not closed: %s", pk, exc)
                continue
            done += 1
    return done


def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The whole sweep at ``now``: counts of what it did."""
    now = now or timezone.now()
    response, resolve = overdue_flag(now=now)
    escalated = overdue_escalate(now=now)
    closed = unrated_close(now=now)
    return {
        "response_overdue": response,
        "resolve_overdue": resolve,
        "escalated": escalated,
        "closed": closed,
    }
