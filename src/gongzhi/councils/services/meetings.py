"""Councils, their seats, and meetings: the notice published at least the
council's days ahead, attendance by the rotating QR code or by hand,
quorum evaluated live from the council's rules, 流会 recorded when a
meeting closes without it."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import community_of, is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.core.hooks import announce
from gongzhi.core.rotating import (
    CodeExpired,
    CodeInvalid,
    rotating_code,
    rotating_code_check,
)
from gongzhi.core.workflow import Workflow, move, transition
from gongzhi.residents.homes import current_community

from ..models import (
    AgendaItem,
    Council,
    Meeting,
    MeetingStatus,
    MeetingStep,
    Method,
    Party,
    PassRule,
    Presence,
    Seat,
    Topic,
    TopicStatus,
)
from . import topics
from .rules import permit, require_manage

# Announced when a meeting's notice is published (``meeting``): whoever
# delivers notices to the members and, for a public council, to the area's
# residents subscribes to it.
MEETING_NOTICED = "councils.meeting_noticed"
NAME_MAX = 100
PLACE_MAX = 200
DAYS_MAX = 60
CHECK_IN = "in"
M = MeetingStatus


def _meeting_permit(user, who, row):
    return permit(user, who, row.council)


MEETING_FLOW = Workflow(
    model=Meeting,
    history=MeetingStep,
    subject="meeting",
    moves={
        "publish": move({M.PLANNED}, M.NOTICED, "staff"),
        "open": move({M.NOTICED}, M.IN_SESSION, "staff"),
        "close": move({M.IN_SESSION}, M.CLOSED, "staff"),
        "cancel": move({M.PLANNED, M.NOTICED}, M.CANCELLED, "staff", reason=True),
    },
    labels={
        "plan": gettext_lazy("Meeting planned"),
        "publish": gettext_lazy("Notice published"),
        "open": gettext_lazy("Opened"),
        "close": gettext_lazy("Meeting closed"),
        "cancel": gettext_lazy("Cancelled"),
    },
    permit=_meeting_permit,
    related=("council", "council__community"),
)


def _whole(value, *, field: str, least: int, most: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field=field) from None
    if not least <= number <= most:
        raise ValidationFailed(
            _("Enter a number between %(least)d and %(most)d.")
            % {"least": least, "most": most},
            field=field,
        )
    return number


@transaction.atomic
def council_create(
    *,
    area: Area,
    name: str,
    by,
    notice_days=3,
    comment_days=3,
    quorum_num=2,
    quorum_den=3,
    quorum_each_party=True,
    pass_rule: str = PassRule.CAST,
    abstain_counts=False,
    secret=False,
    hide_results=True,
    public=True,
) -> Council:
    """A standing council of a community or one of its estates, with its
    rules: notice days, days to comment on minutes, quorum (a share of the
    voting seats, and one seat of each party where set), what passes."""
    if not isinstance(area, Area) or area.kind not in (Kind.COMMUNITY, Kind.ESTATE):
        raise ValidationFailed(_("Choose a community or an estate."), field="area")
    require_manage(by, area)
    name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    den = _whole(quorum_den, field="quorum_den", least=1, most=100)
    num = _whole(quorum_num, field="quorum_num", least=0, most=100)
    if num > den:
        raise ValidationFailed(
            _("A quorum cannot be more than all the seats."), field="quorum_num"
        )
    if pass_rule not in PassRule.values:
        raise ValidationFailed(_("Choose one of the options."), field="pass_rule")
    return Council.objects.create(
        community=community_of(area),
        area=area,
        name=name,
        notice_days=_whole(notice_days, field="notice_days", least=0, most=DAYS_MAX),
        comment_days=_whole(comment_days, field="comment_days", least=0, most=DAYS_MAX),
        quorum_num=num,
        quorum_den=den,
        quorum_each_party=bool(quorum_each_party),
        pass_rule=pass_rule,
        abstain_counts=bool(abstain_counts),
        secret=bool(secret),
        hide_results=bool(hide_results),
        public=bool(public),
    )


@transaction.atomic
def seat_add(
    *,
    council: Council,
    person,
    party: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    title: str = "",
    by,
) -> Seat:
    """A seat on the council for ``person`` (who must live in its community,
    unless she sits for a unit, the property company or as a guest), for a
    party, from ``starts_on`` until ``ends_on``."""
    require_manage(by, council.community)
    if party not in Party.values:
        raise ValidationFailed(_("Choose one of the options."), field="party")
    if not isinstance(starts_on, dt.date):
        raise ValidationFailed(_("Enter a date."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(
            _("A seat cannot end before it starts."), field="ends_on"
        )
    from_outside = {Party.PROPERTY, Party.UNIT, Party.DEPUTY, Party.EXPERT}
    if party not in from_outside and current_community(person) != council.community:
        raise ValidationFailed(
            _("%(name)s does not live in %(area)s.")
            % {"name": person.name, "area": council.community.name},
            field="person",
        )
    if Seat.objects.filter(
        council=council, person=person, ends_on__isnull=True
    ).exists():
        raise ValidationFailed(
            _("%(name)s holds a seat on this council already.") % {"name": person.name},
            field="person",
        )
    return Seat.objects.create(
        council=council,
        person=person,
        party=party,
        title=text_clean(title, field="title", limit=NAME_MAX),
        starts_on=starts_on,
        ends_on=ends_on,
    )


@transaction.atomic
def seat_end(*, seat: Seat, ends_on: dt.date, by) -> Seat:
    require_manage(by, seat.council.community)
    if ends_on < seat.starts_on:
        raise ValidationFailed(
            _("A seat cannot end before it starts."), field="ends_on"
        )
    seat.ends_on = ends_on
    seat.save(update_fields=["ends_on"])
    return seat


def seats_on(council: Council, day: dt.date):
    """The seats sitting on ``day``."""
    return [
        seat
        for seat in council.seats.select_related("person").order_by("party", "pk")
        if seat.sits_on(day)
    ]


@transaction.atomic
def meeting_plan(
    *,
    council: Council,
    title: str,
    place: str,
    starts_at: dt.datetime,
    by,
    now: dt.datetime | None = None,
) -> Meeting:
    now = now or timezone.now()
    require_manage(by, council.community)
    title = text_clean(title, field="title", limit=NAME_MAX, required=True)
    place = text_clean(place, field="place", limit=PLACE_MAX, required=True)
    if not isinstance(starts_at, dt.datetime):
        raise ValidationFailed(_("Enter a date and time."), field="starts_at")
    if starts_at < now:
        raise ValidationFailed(
            _("A meeting is planned for a time to come."), field="starts_at"
        )
    meeting = Meeting.objects.create(
        council=council,
        title=title,
        place=place,
        starts_at=starts_at,
        secret=secrets.token_hex(32),
        created_at=now,
    )
    MEETING_FLOW.begin(meeting, action="plan", by=by, now=now)
    return meeting


@transaction.atomic
def agenda_add(
    *, meeting: Meeting, topic: Topic, by, now: dt.datetime | None = None
) -> AgendaItem:
    """Put an accepted (or deferred) topic of the council's community on the
    agenda of a meeting not yet closed; the topic is then scheduled."""
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    meeting.refresh_from_db(fields=["status"])
    if meeting.status not in (M.PLANNED, M.NOTICED, M.IN_SESSION):
        raise TransitionNotAllowed(
            _("This meeting is over; its agenda is closed."), field="meeting"
        )
    if topic.community_id != meeting.council.community_id or not is_within(
        topic.area.path, meeting.council.area.path
    ):
        raise ValidationFailed(_("Not found."), field="topic")
    if meeting.agenda.filter(topic=topic).exists():
        raise ValidationFailed(_("This topic is on the agenda already."), field="topic")
    transition(topics.FLOW, row=topic, action="schedule", by=by, now=now)
    position = meeting.agenda.count() + 1
    return AgendaItem.objects.create(meeting=meeting, topic=topic, position=position)


def _notice_check(meeting: Meeting, now: dt.datetime) -> None:
    days = meeting.council.notice_days
    if meeting.starts_at - now < dt.timedelta(days=days):
        raise TransitionNotAllowed(
            _(
                "The notice must be published at least %(days)d days before "
                "the meeting; move the meeting or plan another."
            )
            % {"days": days},
            field="starts_at",
        )
    if not meeting.agenda.exists():
        raise TransitionNotAllowed(
            _("Put at least one topic on the agenda first."), field="agenda"
        )


def meeting_step(
    *, meeting: Meeting | int, action: str, by, reason: str = "", now=None
) -> Meeting:
    """publish (the notice, at least the council's days ahead, with an
    agenda), open, close (a meeting closing without quorum is recorded as
    流会; its topics still scheduled are deferred), cancel (with a reason)."""
    now = now or timezone.now()

    def change(item, now):
        if action == "publish":
            _notice_check(item, now)
            item.noticed_at = now
        elif action == "open":
            item.opened_at = now
        elif action == "close":
            item.closed_at = now
            if not quorum(item).met:
                return M.INQUORATE
        return None

    item = transition(
        MEETING_FLOW,
        row=meeting,
        action=action,
        by=by,
        reason=reason,
        now=now,
        change=change,
    )
    if action == "close":
        _defer_open_topics(item, by=by, now=now)
    if action == "publish":
        announce(MEETING_NOTICED, meeting=item)
    return item


def _defer_open_topics(meeting: Meeting, *, by, now) -> None:
    for entry in meeting.agenda.select_related("topic"):
        if entry.topic.status in (TopicStatus.SCHEDULED, TopicStatus.DELIBERATED):
            topics.topic_decided(
                topic=entry.topic,
                outcome=TopicStatus.DEFERRED,
                by=by,
                note=_("Not decided at %(meeting)s.") % {"meeting": meeting.title},
                now=now,
            )


# Attendance


def check_in_code(meeting: Meeting, *, now: dt.datetime | None = None) -> str:
    return rotating_code(
        secret=meeting.secret, pk=meeting.pk, direction=CHECK_IN, now=now
    )


def _seat_of(meeting: Meeting, person, day: dt.date) -> Seat | None:
    for seat in meeting.council.seats.filter(person=person):
        if seat.sits_on(day):
            return seat
    return None


def _present(meeting, seat, *, method, by, now) -> Presence:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != M.IN_SESSION:
        raise TransitionNotAllowed(
            _("Attendance is taken while the meeting is in session."),
            field="meeting",
        )
    try:
        with transaction.atomic():
            return Presence.objects.create(
                meeting=meeting, seat=seat, at=now, method=method, by=by
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("%(name)s is marked present already.") % {"name": seat.person.name},
            field="seat",
        ) from None


@transaction.atomic
def meeting_check_in(
    *, meeting: Meeting, code: str, by, now: dt.datetime | None = None
) -> Presence:
    """A seat holder checks in by scanning the chair's screen."""
    now = now or timezone.now()
    try:
        rotating_code_check(
            secret=meeting.secret,
            pk=meeting.pk,
            code=code,
            directions=(CHECK_IN,),
            now=now,
        )
    except CodeInvalid:
        raise ValidationFailed(
            _("This is not a check-in code of this meeting."), field="code"
        ) from None
    except CodeExpired:
        raise ValidationFailed(
            _("This code has expired: scan the code on the chair's screen now."),
            field="code",
        ) from None
    person = getattr(by, "person", None)
    seat = _seat_of(meeting, person, timezone.localdate(now)) if person else None
    if seat is None:
        raise ValidationFailed(
            _("You hold no seat on %(council)s.") % {"council": meeting.council.name},
            field="code",
        )
    return _present(meeting, seat, method=Method.QR, by=by, now=now)


@transaction.atomic
def meeting_mark_present(
    *, meeting: Meeting, seat: Seat, by, now: dt.datetime | None = None
) -> Presence:
    """The chair marks a seat present by hand."""
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    if seat.council_id != meeting.council_id or not seat.sits_on(
        timezone.localdate(meeting.starts_at)
    ):
        raise ValidationFailed(_("Not found."), field="seat")
    return _present(meeting, seat, method=Method.HAND, by=by, now=now)


# Quorum


@dataclass(frozen=True)
class Quorum:
    seats: int  # voting seats sitting on the meeting's day
    present: int  # of them present
    needed: int  # present needed by the share
    parties_missing: tuple[str, ...]  # labels of parties with none present
    met: bool

    @property
    def short(self) -> int:
        return max(self.needed - self.present, 0)


def quorum(meeting: Meeting) -> Quorum:
    """The council's quorum rule applied to who is present now."""
    council = meeting.council
    seats = [
        s for s in seats_on(council, timezone.localdate(meeting.starts_at)) if s.votes
    ]
    present_ids = set(meeting.presences.values_list("seat_id", flat=True))
    present = [s for s in seats if s.pk in present_ids]
    needed = math.ceil(len(seats) * council.quorum_num / council.quorum_den)
    missing = ()
    if council.quorum_each_party:
        parties = {s.party for s in seats}
        there = {s.party for s in present}
        missing = tuple(str(Party(p).label) for p in sorted(parties - there))
    met = bool(seats) and len(present) >= needed and not missing
    return Quorum(len(seats), len(present), needed, missing, met)


def require_quorum(meeting: Meeting) -> Quorum:
    meeting.refresh_from_db(fields=["status"])
    if meeting.status != M.IN_SESSION:
        raise TransitionNotAllowed(_("The meeting is not in session."), field="meeting")
    found = quorum(meeting)
    if not found.met:
        raise TransitionNotAllowed(
            _(
                "There is no quorum (%(present)d of %(seats)d seats present, "
                "%(needed)d needed%(parties)s): the meeting can talk but not "
                "decide."
            )
            % {
                "present": found.present,
                "seats": found.seats,
                "needed": found.needed,
                "parties": (
                    _("; none present for %(parties)s")
                    % {"parties": "、".join(found.parties_missing)}
                    if found.parties_missing
                    else ""
                ),
            },
            field="quorum",
        )
    return found
