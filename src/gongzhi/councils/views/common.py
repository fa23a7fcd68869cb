"""What the councils' pages share: reading posted values, refusals shown
as a message naming the field."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as L
from django.utils.translation import pgettext_lazy

from gongzhi.core.errors import DomainError, ValidationFailed

# What a refused field is called on a page.
FIELD_LABELS = {
    "title": L("Title"),
    "text": L("Text"),
    "reason": L("Reason"),
    "area": L("Place"),
    "collection": L("Collection"),
    "suggestion": L("Suggestion"),
    "suggestions": L("Suggestions"),
    "requests": L("Requests"),
    "topic": L("Topic"),
    "seat": L("Seat"),
    "person": L("Person"),
    "party": L("Party"),
    "code": L("Check-in code"),
    "choice": L("Your vote"),
    "vote": pgettext_lazy("council", "Vote"),
    "quorum": L("Quorum"),
    "starts_at": L("Starts at"),
    "starts_on": L("From"),
    "ends_on": L("Until"),
    "opens_on": L("Opens on"),
    "closes_on": L("Closes on"),
    "place": L("Place"),
    "name": L("Name"),
    "amount": L("Amount"),
    "approved": L("Approved"),
    "receipt": L("Receipt"),
    "note": L("What for"),
    "source": L("Source of funds"),
    "spent_on": L("Spent on"),
    "photos": L("Photos"),
    "answer": L("Answer"),
    "notice_days": L("Days of public notice"),
    "status": L("Status"),
    "agenda": L("Agenda"),
    "to": L("Hand to"),
    "category": L("Category"),
    "outcome": L("Decision"),
    "meeting": L("Meeting"),
}


def refusal_message(request, exc: DomainError) -> None:
    label = FIELD_LABELS.get(exc.field or "")
    text = str(exc.message)
    if label:
        text = _("%(label)s: %(error)s") % {"label": label, "error": text}
    messages.error(request, text)


def posted_date(request, name: str, *, required: bool = True) -> dt.date | None:
    value = (request.POST.get(name) or "").strip()
    if not value and not required:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date."), field=name) from None


def posted_datetime(request, name: str) -> dt.datetime:
    value = (request.POST.get(name) or "").strip()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Enter a date and time."), field=name) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def posted_id(request, name: str) -> int:
    value = (request.POST.get(name) or "").strip()
    if not value.isdigit() or len(value) > 18:
        raise ValidationFailed(_("Choose one of the options."), field=name)
    return int(value)


def posted_ids(request, name: str) -> list[int]:
    values = request.POST.getlist(name)
    if any(not v.isdigit() or len(v) > 18 for v in values):
        raise ValidationFailed(_("Choose one of the options."), field=name)
    return [int(v) for v in values]
