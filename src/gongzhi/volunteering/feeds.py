"""iCalendar feeds of sessions, per community (or street) and per team,
for phones' calendar apps to subscribe to.

A calendar app cannot log in, so the subscription address itself is the
key: it carries a token signed with the site's secret over the feed's kind
and id. Without the right token a feed answers 404, exactly as a feed that
does not exist, so neither its existence nor its content leaks. Rotating
``SECRET_KEY`` invalidates every subscription once the old key has left
``SECRET_KEY_FALLBACKS``.

A feed holds only what the notice board shows: titles, places, times,
organizers (a team, a unit or the community), descriptions and
cancellations; never a person's name or phone number. The organizer goes
in the description rather than ORGANIZER, which must be a calendar user's
address (a mailto: URI) and makes some apps treat an entry as a meeting
invitation.
Cancelled sessions stay in the feed marked ``STATUS:CANCELLED`` so that
subscribed calendars drop or strike them instead of keeping a stale entry.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from gongzhi.areas.models import Area, Kind

from .models import Occurrence, Team

COMMUNITY = "community"
TEAM = "team"
KINDS = (COMMUNITY, TEAM)
URL_NAMES = {
    COMMUNITY: "volunteering_feed_community",
    TEAM: "volunteering_feed_team",
}

# What a feed covers: enough past for "what was on last week", a year and
# a bit ahead, and a bound on the size a phone downloads on every refresh.
PAST = dt.timedelta(days=30)
AHEAD = dt.timedelta(days=400)
MAX_EVENTS = 2000
# How often subscribed calendars are asked to fetch the feed again.
REFRESH = dt.timedelta(hours=1)

PRODID = "-//Gongzhi//Volunteering//ZH"
_SALT = "gongzhi.volunteering.feed"


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def feed_token(kind: str, pk: int) -> str:
    """The token in the subscription address of feed ``kind`` ``pk``:
    43 URL-safe characters, the HMAC-SHA256 of ``"kind:pk"`` under
    ``SECRET_KEY``, so it cannot be guessed and needs no table."""
    if kind not in KINDS:
        raise ValueError(kind)
    return _signer().signature(f"{kind}:{int(pk)}")


def feed_token_check(kind: str, pk: int, token: str) -> bool:
    """Whether ``token`` opens feed ``kind`` ``pk``; compared in constant
    time, and tokens signed with a key in ``SECRET_KEY_FALLBACKS`` still
    pass while a key is being rotated."""
    if kind not in KINDS or not isinstance(token, str) or not token:
        return False
    value = f"{kind}:{int(pk)}"
    signer = _signer()
    try:
        return signer.unsign(f"{value}{signer.sep}{token}") == value
    except signing.BadSignature:
        return False


def feed_url(request: HttpRequest | None, kind: str, pk: int) -> str:
    """The subscription address of feed ``kind`` ``pk``: the path, or with
    a request the absolute URL to show or put behind a ``webcal://`` link."""
    path = reverse(URL_NAMES[kind], kwargs={"pk": pk, "token": feed_token(kind, pk)})
    return request.build_absolute_uri(path) if request is not None else path


def feed_sessions(
    *, area: Area | None = None, team: Team | None = None, now: dt.datetime
) -> QuerySet[Occurrence]:
    """The sessions of a feed: those held in ``area``'s subtree, or those
    of ``team``'s activities, from ``PAST`` before ``now`` to ``AHEAD``
    after it, soonest first, cancelled ones included, at most
    ``MAX_EVENTS``."""
    if (area is None) == (team is None):
        raise ValueError("Give an area or a team.")
    where = (
        Q(community__path__within=area.path)
        if area is not None
        else Q(activity__team=team)
    )
    return (
        Occurrence.objects.filter(
            where, ends_at__gte=now - PAST, starts_at__lte=now + AHEAD
        )
        .select_related("activity__team__unit", "activity__unit", "activity__community")
        .order_by("starts_at", "pk")[:MAX_EVENTS]
    )


def _description(occurrence: Occurrence, cancelled: bool) -> str:
    activity = occurrence.activity
    lines = []
    if cancelled:
        reason = occurrence.cancel_reason.strip()
        lines.append(
            _("Why cancelled: %(reason)s") % {"reason": reason}
            if reason
            else _("This session is cancelled.")
        )
    if activity.description:
        lines.append(activity.description)
    lines.append(_("Organized by %(name)s") % {"name": activity.organizer})
    facts = [str(activity.get_kind_display())]
    if occurrence.capacity:
        facts.append(
            ngettext("%(places)d place", "%(places)d places", occurrence.capacity)
            % {"places": occurrence.capacity}
        )
    lines.append(" · ".join(facts))
    return "\n".join(lines)


def _event(occurrence: Occurrence, *, zone: ZoneInfo, stamp: dt.datetime):
    activity = occurrence.activity
    cancelled_at = occurrence.cancelled_at or activity.cancelled_at
    cancelled = cancelled_at is not None
    event = icalendar.Event()
    # One UID per session for good: a refresh updates the entry, and a
    # cancellation replaces it, rather than adding a second one.
    event.add("uid", f"occurrence-{occurrence.pk}@gongzhi")
    event.add("dtstamp", stamp)
    event.add("dtstart", occurrence.starts_at.astimezone(zone))
    event.add("dtend", occurrence.ends_at.astimezone(zone))
    # Apps that show cancelled entries rather than drop them (some keep
    # subscribed events whatever their status) still say so in the title.
    event.add(
        "summary",
        _("[Cancelled] %(title)s") % {"title": activity.title}
        if cancelled
        else activity.title,
    )
    event.add("location", activity.place)
    event.add("description", _description(occurrence, cancelled))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    # A session changes once at most after publication: its cancellation.
    event.add("sequence", 1 if cancelled else 0)
    event.add(
        "last-modified",
        (cancelled_at or activity.created_at).astimezone(dt.timezone.utc),
    )
    return event


def feed_calendar(*, name: str, sessions, now: dt.datetime) -> icalendar.Calendar:
    """The VCALENDAR of ``sessions``, called ``name`` in calendar apps."""
    zone = ZoneInfo(settings.TIME_ZONE)
    stamp = now.astimezone(dt.timezone.utc)
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook's older name for it; an X- property is text, so the duration
    # is written out as RFC 5545 spells it ("PT1H").
    calendar.add("x-published-ttl", icalendar.vDuration(REFRESH).to_ical().decode())
    # Times go out as local wall-clock times with TZID=Asia/Shanghai and the
    # matching VTIMEZONE. UTC times ("Z") are equally valid, but a TZID keeps
    # the session's own zone: apps that show an event's zone show 北京时间,
    # and Outlook, which needs a VTIMEZONE for every TZID, is satisfied.
    # The zone is described only for the feed's window, which for
    # Asia/Shanghai (no daylight saving since 1991) is one STANDARD block.
    calendar.add_component(
        icalendar.Timezone.from_tzid(
            settings.TIME_ZONE,
            first_date=(now - PAST - dt.timedelta(days=1)).date(),
            last_date=(now + AHEAD + dt.timedelta(days=2)).date(),
        )
    )
    for occurrence in sessions:
        calendar.add_component(_event(occurrence, zone=zone, stamp=stamp))
    return calendar


def _response(calendar: icalendar.Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The address is the credential: keep it out of search engines and
    # shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, max-age=300"
    return response


def _check(kind: str, pk: int, token: str) -> None:
    # The token is checked before the row is looked up, so a wrong token
    # and a missing feed look and take alike.
    if not feed_token_check(kind, pk, token):
        raise Http404


@require_safe
def community_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The sessions of a community, or of every community of a street."""
    _check(COMMUNITY, pk, token)
    area = get_object_or_404(Area, pk=pk, kind__in=(Kind.COMMUNITY, Kind.STREET))
    now = timezone.now()
    calendar = feed_calendar(
        name=_("%(name)s activities") % {"name": area.name},
        sessions=feed_sessions(area=area, now=now),
        now=now,
    )
    return _response(calendar, f"community-{area.pk}.ics")


@require_safe
def team_feed(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The sessions of one service team's activities."""
    _check(TEAM, pk, token)
    team = get_object_or_404(Team, pk=pk)
    now = timezone.now()
    calendar = feed_calendar(
        name=_("%(name)s activities") % {"name": team.name},
        sessions=feed_sessions(team=team, now=now),
        now=now,
    )
    return _response(calendar, f"team-{team.pk}.ics")
