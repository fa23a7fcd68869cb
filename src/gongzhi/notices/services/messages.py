"""Telling users: the message centre and its outbox.

``notify`` is what every event handler calls, inside the transaction of
the change it tells of. It writes one ``Message`` per user (once per event
key: announced again, nothing is added) and, for each external channel the
user chose for the category, one ``Delivery`` keyed by event, recipient
and channel, which the workers send after the commit. Quiet hours hold an
external delivery back until they end; the message centre has it at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed

from ..models import (
    EXTERNAL,
    Address,
    Category,
    Channel,
    Delivery,
    Message,
    Preference,
    QuietHours,
)

BATCH = 2000
TITLE_MAX = Message._meta.get_field("title").max_length
BODY_MAX = Message._meta.get_field("body").max_length


def chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def quiet_until(quiet: QuietHours | None, now: dt.datetime) -> dt.datetime:
    """``now`` outside the quiet hours, else the moment they end."""
    if quiet is None:
        return now
    local = timezone.localtime(now)
    t = local.time()
    if quiet.start < quiet.end:
        inside = quiet.start <= t < quiet.end
    else:  # over midnight: 22:00–07:00
        inside = t >= quiet.start or t < quiet.end
    if not inside:
        return now
    end = local.replace(
        hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0
    )
    if end <= local:
        end += dt.timedelta(days=1)
    return end


def delivery_key(key: str, user_id: int, channel: str) -> str:
    return f"{key}|{user_id}|{channel}"[:160]


def notify(
    *,
    key: str,
    user_ids: Iterable[int | None],
    category: str,
    title: str,
    body: str = "",
    url: str = "",
    area=None,
    now: dt.datetime | None = None,
) -> int:
    """Tell each of ``user_ids`` of the event ``key``; answers how many
    messages it wrote (those told already are not told again). Set-based:
    a few queries per batch of users, whatever their number."""
    now = now or timezone.now()
    ids = sorted({pk for pk in user_ids if pk})
    if not ids:
        return 0
    key = key[:120]
    written = 0
    queued = False
    for batch in chunks(ids):
        told = set(
            Message.objects.filter(key=key, user_id__in=batch).values_list(
                "user_id", flat=True
            )
        )
        fresh = [pk for pk in batch if pk not in told]
        if not fresh:
            continue
        Message.objects.bulk_create(
            [
                Message(
                    user_id=pk,
                    category=category,
                    title=title[:TITLE_MAX],
                    body=body[:BODY_MAX],
                    url=url,
                    area=area,
                    key=key,
                    created_at=now,
                )
                for pk in fresh
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        written += len(fresh)
        queued |= _outbox(key=key, user_ids=fresh, category=category, now=now)
    if queued:
        transaction.on_commit(_kick)
    return written


def _outbox(*, key: str, user_ids: list[int], category: str, now) -> bool:
    """The deliveries of the messages just written to ``user_ids``, for
    the channels each chose for ``category``."""
    chosen = {
        p.user_id: p
        for p in Preference.objects.filter(user_id__in=user_ids, category=category)
    }
    if not chosen:
        return False
    addressed = set(
        Address.objects.filter(user_id__in=list(chosen)).values_list(
            "user_id", "channel"
        )
    )
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=list(chosen))}
    messages = dict(
        Message.objects.filter(key=key, user_id__in=list(chosen)).values_list(
            "user_id", "pk"
        )
    )
    rows = []
    for user_id, preference in chosen.items():
        for channel in EXTERNAL:
            if not getattr(preference, channel):
                continue
            if channel != Channel.SMS and (user_id, channel) not in addressed:
                continue
            rows.append(
                Delivery(
                    message_id=messages[user_id],
                    channel=channel,
                    key=delivery_key(key, user_id, channel),
                    not_before=quiet_until(quiet.get(user_id), now),
                    created_at=now,
                )
            )
    Delivery.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return bool(rows)


def _kick() -> None:
    from ..tasks import deliver_outbox

    deliver_outbox.enqueue()


# The message centre


def message_read(*, user, pk: int, now: dt.datetime | None = None) -> Message:
    """Mark one of the user's own messages read (again: no change)."""
    from django.shortcuts import get_object_or_404

    message = get_object_or_404(Message.objects.filter(user=user), pk=pk)
    if message.read_at is None:
        message.read_at = now or timezone.now()
        message.save(update_fields=["read_at"])
    return message


def messages_read_all(*, user, now: dt.datetime | None = None) -> int:
    return Message.objects.filter(user=user, read_at=None).update(
        read_at=now or timezone.now()
    )


def _category(value) -> str:
    if value not in Category.values:
        raise ValidationFailed(
            _("There is no message category “%(value)s”.") % {"value": value},
            field="category",
        )
    return value


@transaction.atomic
def preference_set(
    *, user, category: str, sms: bool, wechat: bool, wecom: bool
) -> Preference:
    """Choose the external channels of one category; the message centre
    keeps every message whatever is chosen."""
    category = _category(category)
    preference, _created = Preference.objects.update_or_create(
        user=user,
        category=category,
        defaults={"sms": bool(sms), "wechat": bool(wechat), "wecom": bool(wecom)},
    )
    return preference


def _time(value, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            _("Give a time of day such as 22:00."), field=field
        ) from None


@transaction.atomic
def quiet_hours_set(*, user, start, end) -> QuietHours | None:
    """Set the user's quiet hours; both empty clears them."""
    if start in (None, "") and end in (None, ""):
        QuietHours.objects.filter(user=user).delete()
        return None
    if start in (None, ""):
        raise ValidationFailed(_("Give the start of the quiet hours."), field="start")
    if end in (None, ""):
        raise ValidationFailed(_("Give the end of the quiet hours."), field="end")
    start, end = _time(start, "start"), _time(end, "end")
    if start == end:
        raise ValidationFailed(
            _("Quiet hours must end at another time than they start."), field="end"
        )
    quiet, _created = QuietHours.objects.update_or_create(
        user=user, defaults={"start": start, "end": end}
    )
    return quiet


ADDRESS_MAX = Address._meta.get_field("value").max_length


@transaction.atomic
def address_set(*, user, channel: str, value: str) -> Address | None:
    """Bind where the user is reached on WeChat (the mini-program's openid)
    or 企业微信 (her userid); empty unbinds."""
    from gongzhi.core.cleaning import text_clean

    if channel not in (Channel.WECHAT, Channel.WECOM):
        raise ValidationFailed(
            _("Only a WeChat or WeCom address can be bound."), field="channel"
        )
    value = text_clean(value, field="value", limit=ADDRESS_MAX)
    if not value:
        Address.objects.filter(user=user, channel=channel).delete()
        return None
    address, _created = Address.objects.update_or_create(
        user=user, channel=channel, defaults={"value": value}
    )
    return address
