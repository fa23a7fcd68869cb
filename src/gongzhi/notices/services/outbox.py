"""Sending the outbox: at least once, never twice for one key.

A worker claims a batch of due deliveries in a short transaction of its
own (the rows get its claim token and a lease), commits, then sends each
one and records how it went. Two workers never claim one row: the claim is
an UPDATE that only matches rows still unclaimed (or whose lease lapsed),
and PostgreSQL skips rows another worker holds. A worker that dies after
claiming leaves its rows to lapse; the next run takes them again and sends
them with the same key (企业微信 drops a repeat within its duplicate-check
window), so a crash loses nothing. A delivery sent is marked ``sent`` in
the same statement that checks the claim is still the sender's, so a
late worker cannot mark another's.

Throttling is no failure: the row waits for the time the provider asked
(and the rest of that channel's batch waits with it). Passing faults are
tried again with backoff, up to ``MAX_ATTEMPTS``; a permanent refusal
fails at once, its error kept for the outbox page.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..channels import adapter_for
from ..models import Address, Channel, Delivery, DeliveryStatus

LEASE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 6
ERROR_MAX = Delivery._meta.get_field("error").max_length


def lease() -> dt.timedelta:
    """How long a worker's claim holds (``NOTICES_LEASE_SECONDS``)."""
    from django.conf import settings

    seconds = getattr(settings, "NOTICES_LEASE_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds else LEASE


def _due(now: dt.datetime) -> Q:
    return Q(not_before__lte=now) & (
        Q(status=DeliveryStatus.PENDING)
        | Q(status=DeliveryStatus.SENDING, lease_until__lt=now)
    )


def deliveries_claim(*, now: dt.datetime, limit: int) -> tuple[str, list[Delivery]]:
    """Claim up to ``limit`` due deliveries for this worker."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        due = Delivery.objects.filter(_due(now)).order_by("not_before", "pk")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return token, []
        Delivery.objects.filter(_due(now), pk__in=ids).update(
            status=DeliveryStatus.SENDING,
            claim=token,
            lease_until=now + lease(),
            attempts=F("attempts") + 1,
        )
    claimed = list(
        Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
        .select_related("message", "message__user")
        .order_by("pk")
    )
    return token, claimed


def _address(delivery: Delivery) -> str:
    user = delivery.message.user
    if delivery.channel == Channel.SMS:
        return user.phone
    found = Address.objects.filter(user=user, channel=delivery.channel).first()
    return found.value if found else ""


def _finish(delivery: Delivery, token: str, **changes) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim=token).update(
        claim="", lease_until=None, **changes
    )


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=30 * 2 ** max(attempts - 1, 0))


def deliver_due(*, now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send what is due; answers how many were sent, throttled, put back
    to try again and failed."""
    now = now or timezone.now()
    token, claimed = deliveries_claim(now=now, limit=limit)
    counts = {"sent": 0, "throttled": 0, "retry": 0, "failed": 0}
    held: dict[str, dt.datetime] = {}  # a channel throttled: the rest wait
    for delivery in claimed:
        channel = delivery.channel
        if channel in held:
            _finish(
                delivery,
                token,
                status=DeliveryStatus.PENDING,
                not_before=held[channel],
                attempts=F("attempts") - 1,
            )
            counts["throttled"] += 1
            continue
        adapter = adapter_for(channel)
        address = _address(delivery)
        if not address:
            _finish(
                delivery,
                token,
                status=DeliveryStatus.FAILED,
                error="no address on this channel",
                backend=adapter.backend,
            )
            counts["failed"] += 1
            continue
        message = delivery.message
        outcome = adapter.send(
            address=address,
            title=message.title,
            body=message.body,
            url=message.url,
            key=delivery.key,
        )
        moment = timezone.now()
        if outcome.status == "sent":
            _finish(
                delivery,
                token,
                status=DeliveryStatus.SENT,
                sent_at=moment,
                provider_ref=outcome.ref[:80],
                backend=adapter.backend,
                error="",
            )
        elif outcome.status == "throttled":
            later = moment + dt.timedelta(seconds=outcome.retry_after)
            held[channel] = later
            _finish(
                delivery,
                token,
                status=DeliveryStatus.PENDING,
                not_before=later,
                attempts=F("attempts") - 1,
                error=outcome.error[:ERROR_MAX],
                backend=adapter.backend,
            )
        elif outcome.status == "retry" and delivery.attempts < MAX_ATTEMPTS:
            _finish(
                delivery,
                token,
                status=DeliveryStatus.PENDING,
                not_before=moment + _backoff(delivery.attempts),
                error=outcome.error[:ERROR_MAX],
                backend=adapter.backend,
            )
        else:
            _finish(
                delivery,
                token,
                status=DeliveryStatus.FAILED,
                error=outcome.error[:ERROR_MAX],
                backend=adapter.backend,
            )
            outcome = type(outcome)("failed")
        counts[outcome.status] += 1
    return counts


def deliveries_retry(*, ids) -> int:
    """Put failed deliveries back in the queue (the outbox page's button)."""
    return Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, not_before=timezone.now(), attempts=0
    )
