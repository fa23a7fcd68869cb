"""议题 and its workflow: proposed → accepted or declined (with a reason
the suggester sees) → scheduled → deliberated → passed / not passed /
deferred → being carried out → done → publicised. Every step goes through
``core.workflow`` and is recorded as a ``TopicStep``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas.models import Area
from gongzhi.areas.tree import community_of, is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.workflow import Workflow, move, transition

from ..models import Party, Suggestion, Topic, TopicStatus, TopicStep
from .rules import permit, require_manage
from .suggestions import TEXT_MAX, TITLE_MAX, place_check

S = TopicStatus
MOVES = {
    "accept": move({S.PROPOSED}, S.ACCEPTED, "staff"),
    "decline": move({S.PROPOSED}, S.DECLINED, "staff", reason=True),
    "schedule": move({S.ACCEPTED, S.DEFERRED}, S.SCHEDULED, "staff"),
    "unschedule": move({S.SCHEDULED}, S.ACCEPTED, "staff"),
    "deliberate": move({S.SCHEDULED}, S.DELIBERATED, "staff"),
    "decide": move({S.SCHEDULED, S.DELIBERATED}, None, "staff"),
    "carry_out": move({S.PASSED}, S.CARRYING_OUT, "staff"),
    "finish": move({S.CARRYING_OUT}, S.DONE, "staff"),
    "publicise": move({S.PASSED, S.NOT_PASSED, S.DONE}, S.PUBLICISED, "staff"),
}
FLOW = Workflow(
    model=Topic,
    history=TopicStep,
    subject="topic",
    moves=MOVES,
    labels={
        "open": gettext_lazy("Proposed"),
        "accept": gettext_lazy("Accepted"),
        "decline": gettext_lazy("Declined"),
        "schedule": gettext_lazy("Put on a meeting's agenda"),
        "unschedule": gettext_lazy("Taken off the agenda"),
        "deliberate": gettext_lazy("Deliberated"),
        "decide": gettext_lazy("Decided"),
        "carry_out": gettext_lazy("Work started"),
        "finish": gettext_lazy("Work done"),
        "publicise": gettext_lazy("Publicised"),
    },
    permit=permit,
    related=("community",),
    reason_max=TEXT_MAX,
)
DECISIONS = {S.PASSED, S.NOT_PASSED, S.DEFERRED}
# Announced when a topic is opened (``topic``).
TOPIC_OPENED = "councils.topic_opened"
NOTICE_DAYS_MAX = 60


def parties_clean(parties) -> list[str]:
    parties = list(parties or ())
    for party in parties:
        if party not in Party.values:
            raise ValidationFailed(_("Choose one of the options."), field="interested")
    return sorted(set(parties))


@transaction.atomic
def topic_open(
    *,
    community: Area,
    title: str,
    description: str = "",
    area: Area | None = None,
    suggestions=(),
    requests=(),
    interested=(),
    by,
    now: dt.datetime | None = None,
) -> Topic:
    """Open a topic in ``community``, from suggestions of its collections
    and/or several similar requests (诉求) of the community, which stay
    linked. The first suggestion's author is its proposer."""
    now = now or timezone.now()
    require_manage(by, community)
    area = place_check(area or community)
    if not is_within(area.path, community.path):
        raise ValidationFailed(
            _("This place is outside %(area)s.") % {"area": community.name},
            field="area",
        )
    title = text_clean(title, field="title", limit=TITLE_MAX, required=True)
    description = text_clean(description, field="description", limit=TEXT_MAX)
    suggestions = list(suggestions)
    requests = list(requests)
    for suggestion in suggestions:
        if suggestion.collection.community_id != community.pk:
            raise ValidationFailed(_("Not found."), field="suggestions")
        if suggestion.topic_id is not None:
            raise ValidationFailed(
                _("“%(text)s” is on a topic already.") % {"text": suggestion},
                field="suggestions",
            )
    for item in requests:
        if item.community_id != community.pk:
            raise ValidationFailed(_("Not found."), field="requests")
    topic = Topic.objects.create(
        community=community_of(area) or community,
        area=area,
        title=title,
        description=description,
        proposer=suggestions[0].author if suggestions else None,
        interested=parties_clean(interested),
        created_by=by,
        created_at=now,
    )
    if requests:
        topic.requests.set(requests)
    if suggestions:
        Suggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(
            topic=topic
        )
    FLOW.begin(topic, action="open", by=by, now=now)
    announce(TOPIC_OPENED, topic=topic)
    return topic


def topic_step(
    *,
    topic: Topic | int,
    action: str,
    by,
    reason: str = "",
    now: dt.datetime | None = None,
    notice_days: int | None = None,
) -> Topic:
    """One step of the table: accept, decline (a reason required, shown to
    the suggester), finish, publicise (with the days of public notice in
    which residents may object)."""
    if action in {"decide", "schedule", "unschedule", "deliberate"}:
        raise ValidationFailed(_("This step is taken at a meeting."), field="action")
    now = now or timezone.now()
    change = None
    if action == "decline":

        def change(item, now):
            item.decline_reason = text_clean(
                reason, field="reason", limit=TEXT_MAX, required=True
            )

    if action == "publicise":
        days = _notice_days(notice_days)

        def change(item, now):
            item.notice_until = timezone.localdate(now) + dt.timedelta(days=days)

    return transition(
        FLOW, row=topic, action=action, by=by, reason=reason, now=now, change=change
    )


def _notice_days(value) -> int:
    try:
        days = int(value if value not in (None, "") else 7)
    except (TypeError, ValueError):
        raise ValidationFailed(
            _("Enter a whole number."), field="notice_days"
        ) from None
    if not 1 <= days <= NOTICE_DAYS_MAX:
        raise ValidationFailed(
            _("Enter a number between %(least)d and %(most)d.")
            % {"least": 1, "most": NOTICE_DAYS_MAX},
            field="notice_days",
        )
    return days


def topic_decided(
    *, topic: Topic, outcome: str, by, note: str = "", now: dt.datetime
) -> Topic:
    """Record a decision (passed, not passed, deferred) reached at a
    meeting; the meeting's service checked quorum and the vote."""
    if outcome not in DECISIONS:
        raise ValidationFailed(_("Choose one of the options."), field="outcome")

    def change(item, now):
        if note:
            item.outcome = note
        return outcome

    return transition(
        FLOW,
        row=topic,
        action="decide",
        by=by,
        reason=note,
        now=now,
        change=change,
    )


def topic_refuse_unless(topic: Topic, *statuses: str) -> None:
    if topic.status not in statuses:
        raise TransitionNotAllowed(
            _("It is “%(status)s” and cannot be “%(action)s”.")
            % {"status": topic.get_status_display(), "action": _("changed")},
            field="status",
        )
