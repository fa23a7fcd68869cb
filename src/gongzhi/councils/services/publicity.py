"""公示 and objections: during a topic's public notice, residents of its
community may object; each objection waits in the staff's queue for an
answer."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed

from ..models import Objection, Topic, TopicStatus
from .rules import lives_within, require_manage, resident_of

TEXT_MAX = 2000


def in_notice(topic: Topic, today: dt.date) -> bool:
    return (
        topic.status == TopicStatus.PUBLICISED
        and topic.notice_until is not None
        and today <= topic.notice_until
    )


@transaction.atomic
def objection_raise(
    *, topic: Topic, text: str, by, now: dt.datetime | None = None
) -> Objection:
    now = now or timezone.now()
    person = resident_of(by)
    if not in_notice(topic, timezone.localdate(now)):
        raise TransitionNotAllowed(
            _("Objections are taken during the public notice only."), field="topic"
        )
    if not lives_within(person, topic.community):
        raise ValidationFailed(
            _("Only residents of %(area)s may object.")
            % {"area": topic.community.name},
            field="topic",
        )
    text = text_clean(text, field="text", limit=TEXT_MAX, required=True)
    return Objection.objects.create(topic=topic, person=person, text=text, at=now)


@transaction.atomic
def objection_answer(
    *, objection: Objection, answer: str, by, now: dt.datetime | None = None
) -> Objection:
    require_manage(by, objection.topic.community)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise TransitionNotAllowed(
            _("This objection is answered already."), field="answer"
        )
    objection.answer = text_clean(answer, field="answer", limit=TEXT_MAX, required=True)
    objection.answered_by = by
    objection.answered_at = now or timezone.now()
    objection.save()
    return objection
