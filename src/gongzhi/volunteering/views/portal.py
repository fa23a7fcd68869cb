"""Activities on a resident's phone: what is on in her street, signing up,
checking in and out by scanning the organizer's code, her service hours;
and, for the organizer, the code to show.

A resident who leads an active team publishes a one-off activity for her
team from her phone; to anyone else that page does not exist.

The organizer's screen shows a QR code of a link to this session's scan
page carrying this minute's code; a volunteer's phone camera opens it, she
confirms, and the code is checked then. The screen reloads itself so the
code it shows is always the current one.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.areas.tree import street_of
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.core.rotating import code_qr_svg
from gongzhi.residents.homes import last_known_community

from .. import selectors
from ..feeds import feed_url
from ..models import (
    ActivityStatus,
    ActivityType,
    Occurrence,
    PlaceKind,
    SignUp,
    SignUpStatus,
)
from ..services import activities, attendance, signup
from ..services.attendance import Direction
from ..services.rules import may_organize

# The scan page is opened from a code, possibly at the session's end; a
# resident sees sessions from a day back.
RECENT = dt.timedelta(days=1)


def _person(request):
    return getattr(request.user, "person", None)


def _unlinked(request):
    return render(request, "volunteering/portal/unlinked.html")


def _my_session(request, session_id: int):
    person = _person(request)
    if person is None:
        raise Http404
    occurrence = get_object_or_404(
        selectors.sessions_for_resident(person, since=timezone.now() - RECENT),
        pk=session_id,
    )
    return person, occurrence


@login_required
def portal_activities(request):
    """What is on in the resident's street, soonest first, with her
    sign-ups marked."""
    person = _person(request)
    if person is None:
        return _unlinked(request)
    sessions = list(selectors.sessions_for_resident(person)[:60])
    mine = selectors.my_signups(person, sessions)
    for occurrence in sessions:
        occurrence.mine = mine.get(occurrence.pk)
    record = selectors.service_record(person)
    context = {
        "sessions": sessions,
        "record": record,
        "calendar": _street_calendar(request, person),
        "leads": selectors.teams_led(person).exists(),
    }
    return render(request, "volunteering/portal/activities.html", context)


def _street_calendar(request, person) -> str:
    """The webcal:// address of the calendar of the resident's street."""
    community = last_known_community(person)
    if community is None:
        return ""
    street = street_of(community)
    if street is None:
        return ""
    address = feed_url(request, "community", street.pk)
    return "webcal://" + address.split("://", 1)[1]


@login_required
def portal_session(request, session_id: int):
    """One session: what, when, where, places left; sign up, wait or give
    the place up; check in and out while it runs."""
    person, occurrence = _my_session(request, session_id)
    mine = selectors.my_signups(person, [occurrence]).get(occurrence.pk)
    came = occurrence.attendances.filter(person=person).first()
    now = timezone.now()
    context = {
        "o": occurrence,
        "activity": occurrence.activity,
        "mine": mine,
        "position": selectors.waiting_position(mine) if mine else None,
        "came": came,
        "now": now,
        "open": (
            occurrence.activity.signup_required
            and occurrence.activity.status == ActivityStatus.PUBLISHED
            and now < (occurrence.signup_closes_at or occurrence.starts_at)
        ),
        "full": occurrence.capacity is not None
        and occurrence.signed_up >= occurrence.capacity,
        "running": occurrence.starts_at - attendance.EARLY
        <= now
        < occurrence.ends_at + attendance.LATE,
        "organizer": may_organize(request.user, occurrence),
    }
    return render(request, "volunteering/portal/session.html", context)


@login_required
def portal_photo(request, session_id: int):
    """The photo of a session the resident may join."""
    _person, occurrence = _my_session(request, session_id)
    return photo_file_response(occurrence.activity.photo)


BEIJING_FORMAT = "%Y-%m-%dT%H:%M"


class LeaderActivityForm(forms.Form):
    """What a team's leader fills in on her phone: one session, no points
    (awarding points stays with community staff)."""

    team = forms.ModelChoiceField(
        label=gettext_lazy("Team"), queryset=None, empty_label=None
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=ActivityType.choices)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=400)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
    )
    signup_required = forms.BooleanField(
        label=gettext_lazy("Sign-up needed"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        help_text=gettext_lazy("Leave empty for no limit."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        # Most leaders lead one team: no choice to make, no field to show.
        self.only_team = teams[0] if len(teams) == 1 else None
        if self.only_team is not None:
            del self.fields["team"]

    def chosen_team(self):
        return self.only_team or self.cleaned_data["team"]


@login_required
def portal_publish(request):
    """A team's leader publishes a one-off activity for her team, through
    the same service as the workbench (which lets a team's leader publish
    for her team); for anyone who leads no active team, 404."""
    person = _person(request)
    if person is None:
        raise Http404
    teams = selectors.teams_led(person).order_by("name", "pk")
    if not teams:
        raise Http404
    if request.method == "POST":
        form = LeaderActivityForm(request.POST, request.FILES, teams=teams)
        if form.is_valid():
            data = form.cleaned_data
            team = form.chosen_team()
            try:
                made = activities.activity_create(
                    community=team.area,
                    team=team,
                    title=data["title"],
                    kind=data["kind"],
                    place_kind=PlaceKind.ADDRESS,
                    place=data["place"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    signup_required=data["signup_required"],
                    capacity=data["capacity"],
                    description=data["description"],
                    photo=data["photo"],
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Published %(title)s.") % {"title": made.title}
                )
                first = made.occurrences.get()
                if selectors.sessions_for_resident(person).filter(pk=first.pk).exists():
                    return redirect("volunteering:portal_session", session_id=first.pk)
                return redirect("volunteering:portal_activities")
    else:
        form = LeaderActivityForm(teams=teams)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "volunteering/portal/publish.html", {"form": form}, status=status
    )


@login_required
@require_POST
def portal_signup(request, session_id: int):
    person, occurrence = _my_session(request, session_id)
    try:
        made = signup.signup_create(
            occurrence=occurrence,
            person=person,
            by=request.user,
            wait=request.POST.get("wait") == "1",
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if made.status == SignUpStatus.WAITING:
            messages.success(request, _("You are on the waiting list."))
        else:
            messages.success(request, _("Signed up. See you there!"))
    return redirect("volunteering:portal_session", session_id=occurrence.pk)


@login_required
@require_POST
def portal_signup_cancel(request, session_id: int):
    person, occurrence = _my_session(request, session_id)
    mine = (
        SignUp.objects.filter(occurrence=occurrence, person=person)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )
    if mine is None:
        raise Http404
    try:
        signup.signup_cancel(signup=mine, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    return redirect("volunteering:portal_session", session_id=occurrence.pk)


@login_required
def portal_scan(request, session_id: int):
    """Where the organizer's QR code leads: confirm, and the code is
    checked at that moment."""
    person, occurrence = _my_session(request, session_id)
    code = (request.POST.get("c") or request.GET.get("c") or "").strip()
    direction = code.split(".", 1)[0] if code else ""
    if request.method == "POST":
        try:
            done = attendance.attendance_scan(
                occurrence=occurrence, person=person, code=code, by=request.user
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if done.checked_out_at:
                messages.success(
                    request,
                    _("Checked out. %(hours)s hours of service recorded.")
                    % {"hours": done.hours.normalize()},
                )
            else:
                messages.success(request, _("Checked in. Thank you for coming!"))
        return redirect("volunteering:portal_session", session_id=occurrence.pk)
    context = {"o": occurrence, "code": code, "direction": direction}
    return render(request, "volunteering/portal/scan.html", context)


def scan_qr(request, occurrence: Occurrence, direction: str) -> tuple[str, str]:
    """This minute's code as the link a phone camera opens, and its QR."""
    code = attendance.scan_code(occurrence, direction)
    link = request.build_absolute_uri(
        reverse("volunteering:portal_scan", args=[occurrence.pk]) + f"?c={code}"
    )
    return link, code_qr_svg(link)


@login_required
def portal_code(request, session_id: int):
    """The organizer's phone: the check-in (or check-out) QR, renewed every
    minute; the page reloads itself."""
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("activity__team__leader", "community"),
        pk=session_id,
    )
    if not may_organize(request.user, occurrence):
        raise Http404
    direction = Direction.OUT if request.GET.get("d") == "out" else Direction.IN
    link, svg = scan_qr(request, occurrence, direction)
    context = {
        "o": occurrence,
        "direction": direction,
        "svg": svg,
        "link": link,
        "present": occurrence.attendances.count(),
        "out": occurrence.attendances.filter(checked_out_at__isnull=False).count(),
    }
    return render(request, "volunteering/portal/code.html", context)


@login_required
def portal_service(request):
    """My activities: the sessions I signed up for still to come, first,
    then my service record (hours, sessions, teams)."""
    person = _person(request)
    if person is None:
        return _unlinked(request)
    record = selectors.service_record(person)
    coming = list(selectors.signups_coming(person)[:50])
    for mine in coming:
        mine.position = selectors.waiting_position(mine)
    context = {
        "coming": coming,
        "record": record,
        "attendances": list(record["attendances"][:100]),
    }
    return render(request, "volunteering/portal/service.html", context)
