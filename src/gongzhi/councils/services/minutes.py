"""会议纪要: drafted during the meeting (each save a new version), opened
to the attendees' comments for the council's days once the meeting is
over, then finalised by the chair. The final version carries the record
of the meeting (who came, quorum, each vote, who was recused) and never
changes again."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed

from ..models import (
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MinutesStatus,
    MinutesVersion,
    Party,
    PassRule,
    Result,
    VoteStatus,
)
from .meetings import quorum, seats_on
from .rules import require_manage
from .votes import recused_seats

TEXT_MAX = 20000
COMMENT_MAX = 2000
OVER = (MeetingStatus.CLOSED, MeetingStatus.INQUORATE)


def _minutes(meeting: Meeting) -> Minutes:
    meeting.refresh_from_db(fields=["status"])
    Minutes.objects.get_or_create(meeting=meeting)
    return Minutes.objects.select_for_update().get(meeting=meeting)


def _refuse_final(minutes: Minutes) -> None:
    if minutes.status == MinutesStatus.FINAL:
        raise TransitionNotAllowed(
            _("The minutes are final and cannot be changed."), field="text"
        )


def _version(minutes, text, *, by, now, final=False) -> MinutesVersion:
    last = minutes.versions.order_by("-number").first()
    return MinutesVersion.objects.create(
        minutes=minutes,
        number=(last.number if last else 0) + 1,
        text=text,
        final=final,
        by=by,
        at=now,
    )


@transaction.atomic
def minutes_save(
    *, meeting: Meeting, text: str, by, now: dt.datetime | None = None
) -> MinutesVersion:
    """A new version of the draft (during the meeting or the comments)."""
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    meeting.refresh_from_db(fields=["status"])
    if meeting.status not in (MeetingStatus.IN_SESSION, *OVER):
        raise TransitionNotAllowed(
            _("Minutes are written once the meeting has opened."), field="text"
        )
    minutes = _minutes(meeting)
    _refuse_final(minutes)
    text = text_clean(text, field="text", limit=TEXT_MAX, required=True)
    return _version(minutes, text, by=by, now=now)


@transaction.atomic
def minutes_open_comments(
    *, meeting: Meeting, by, now: dt.datetime | None = None
) -> Minutes:
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    meeting.refresh_from_db(fields=["status"])
    if meeting.status not in OVER:
        raise TransitionNotAllowed(
            _("Close the meeting before sending the minutes round."), field="status"
        )
    minutes = _minutes(meeting)
    _refuse_final(minutes)
    if not minutes.versions.exists():
        raise ValidationFailed(_("Write the minutes first."), field="text")
    if minutes.status == MinutesStatus.COMMENTS:
        raise TransitionNotAllowed(
            _("The minutes are open for comments already."), field="status"
        )
    minutes.status = MinutesStatus.COMMENTS
    minutes.comments_until = timezone.localdate(now) + dt.timedelta(
        days=meeting.council.comment_days
    )
    minutes.save()
    return minutes


@transaction.atomic
def minutes_comment(
    *, meeting: Meeting, text: str, by, now: dt.datetime | None = None
) -> MinutesComment:
    """An attendee's comment on the minutes, while they are open for it."""
    now = now or timezone.now()
    minutes = _minutes(meeting)
    if minutes.status != MinutesStatus.COMMENTS or (
        timezone.localdate(now) > minutes.comments_until
    ):
        raise TransitionNotAllowed(
            _("The minutes are not open for comments."), field="text"
        )
    person = getattr(by, "person", None)
    presence = (
        meeting.presences.filter(seat__person=person).select_related("seat").first()
        if person is not None
        else None
    )
    if presence is None:
        raise ValidationFailed(
            _("Only those who attended may comment on the minutes."), field="text"
        )
    text = text_clean(text, field="text", limit=COMMENT_MAX, required=True)
    last = minutes.versions.order_by("-number").first()
    return MinutesComment.objects.create(
        minutes=minutes, seat=presence.seat, version=last.number, text=text, at=now
    )


@transaction.atomic
def minutes_finalise(
    *, meeting: Meeting, by, now: dt.datetime | None = None
) -> MinutesVersion:
    """The chair finalises the minutes once the comment days are over: a
    last version, the meeting's record appended, never changed again."""
    now = now or timezone.now()
    require_manage(by, meeting.council.community)
    minutes = _minutes(meeting)
    _refuse_final(minutes)
    if minutes.status != MinutesStatus.COMMENTS:
        raise TransitionNotAllowed(
            _("Send the minutes round for comments first."), field="status"
        )
    if timezone.localdate(now) < minutes.comments_until:
        raise TransitionNotAllowed(
            _("Attendees may comment until %(day)s.") % {"day": minutes.comments_until},
            field="status",
        )
    last = minutes.versions.order_by("-number").first()
    text = f"{last.text}\n\n{meeting_record(meeting)}"
    version = _version(minutes, text, by=by, now=now, final=True)
    minutes.status = MinutesStatus.FINAL
    minutes.finalised_at = now
    minutes.finalised_by = by
    minutes.save()
    return version


def meeting_record(meeting: Meeting) -> str:
    """What the minutes say of the meeting itself: attendance, quorum,
    each vote's count and result, and the seats recused from it."""
    day = timezone.localdate(meeting.starts_at)
    seats = seats_on(meeting.council, day)
    present = set(meeting.presences.values_list("seat_id", flat=True))
    lines = [_("Record of the meeting")]
    lines.append(
        _("Present: %(names)s")
        % {
            "names": "、".join(
                f"{s.person.name}（{Party(s.party).label}）"
                for s in seats
                if s.pk in present
            )
            or "—"
        }
    )
    absent = [s.person.name for s in seats if s.pk not in present]
    if absent:
        lines.append(_("Absent: %(names)s") % {"names": "、".join(absent)})
    found = quorum(meeting)
    if found.met:
        lines.append(
            _("Quorum: %(present)d of %(seats)d voting seats present.")
            % {"present": found.present, "seats": found.seats}
        )
    else:
        lines.append(
            _("No quorum (流会): %(present)d of %(seats)d voting seats present.")
            % {"present": found.present, "seats": found.seats}
        )
    for vote in meeting.votes.select_related("topic").filter(status=VoteStatus.CLOSED):
        lines.append(
            _(
                "Vote on “%(topic)s” (%(rule)s): %(yes)d yes, %(no)d no, "
                "%(abstain)d abstentions — %(result)s."
            )
            % {
                "topic": vote.topic.title,
                "rule": PassRule(vote.pass_rule).label,
                "yes": vote.yes,
                "no": vote.no,
                "abstain": vote.abstain,
                "result": Result(vote.result).label,
            }
        )
        recused = recused_seats(vote)
        if recused:
            lines.append(
                _("Recused as interested parties: %(names)s")
                % {
                    "names": "、".join(
                        f"{s.person.name}（{Party(s.party).label}）" for s in recused
                    )
                }
            )
    return "\n".join(str(line) for line in lines)
