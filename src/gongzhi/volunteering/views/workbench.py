"""Activities in the workbench: the sessions of the communities in reach
(activity.view), publishing an activity once or repeating, a session's
roster where the organizer marks who came by hand (walk-ins who did not
sign up too, found among the residents in reach), corrects hours and
confirms attendance so the hours become points (activity.manage); the
counts reports quote; service teams and their applications; a volunteer's
service certificate.

A session, team or person outside the login's reach for the page's
permission answers 404, as everywhere.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.areas.selectors import with_places
from gongzhi.core.errors import DomainError, ValidationFailed
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.orgs.selectors import org_list, party_member_ids
from gongzhi.residents.homes import last_known_community
from gongzhi.residents.selectors.people import person_get

from .. import selectors
from ..models import (
    ActivityType,
    Attendance,
    Audience,
    MemberStatus,
    Occurrence,
    PlaceKind,
    SignUpStatus,
    Team,
    TeamMember,
    TeamType,
)
from ..recurrence import Festival, Frequency, Rule
from ..services import activities, attendance, teams
from ..services.rules import may_organize

BEIJING_FORMAT = "%Y-%m-%dT%H:%M"


def _areas(request, perm: str, kinds=(Kind.COMMUNITY,)):
    return scoped(
        Area.objects.filter(kind__in=kinds, retired_at__isnull=True),
        user=request.user,
        via="",
        perm=perm,
    ).order_by("path")


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


SESSIONS = Occurrence.objects.select_related(
    "activity",
    "activity__team",
    "activity__team__leader",
    "activity__team__unit",
    "activity__unit",
    "community",
)


def _session(request, session_id: int, perm: str = Perm.ACTIVITY_VIEW) -> Occurrence:
    """A session held where the login holds ``perm`` (or leads its team)."""
    occurrence = get_object_or_404(SESSIONS, pk=session_id)
    if perm == Perm.ACTIVITY_MANAGE:
        allowed = may_organize(request.user, occurrence)
    else:
        allowed = in_scope(request.user, occurrence.community, perm) or (
            may_organize(request.user, occurrence)
        )
    if not allowed:
        raise Http404
    return occurrence


@perm_required(Perm.ACTIVITY_VIEW)
def activities_home(request):
    """The sessions of the communities in reach, a fortnight back to two
    months ahead, with places taken, who came and what is left to do."""
    today = timezone.localdate()
    start = _date(request.GET.get("from"), today - dt.timedelta(days=14))
    communities = list(_areas(request, Perm.ACTIVITY_VIEW))
    chosen = next(
        (c for c in communities if str(c.pk) == request.GET.get("community")), None
    )
    paths = [chosen.path] if chosen else [c.path for c in communities]
    query = Q()
    for path in paths:
        query |= Q(community__path__within=path)
    sessions = (
        SESSIONS.filter(query, starts_at__date__gte=start)
        .filter(starts_at__date__lte=start + dt.timedelta(days=75))
        .annotate(came=Count("attendances"))
        .order_by("starts_at", "pk")[:300]
        if paths
        else []
    )
    context = {
        "sessions": sessions,
        "communities": communities,
        "chosen": chosen,
        "start": start,
        "now": timezone.now(),
        "may_publish": _areas(request, Perm.ACTIVITY_MANAGE).exists(),
    }
    return render(request, "volunteering/workbench/home.html", context)


class UnitChoiceField(forms.ModelChoiceField):
    """An organization, named with its place: two communities may each
    have a unit of the same name."""

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.area.name}）"


def _units(request):
    """The active units (organizations) where the login publishes."""
    return org_list(user=request.user, perm=Perm.ACTIVITY_MANAGE)


class ActivityForm(forms.Form):
    community = forms.ModelChoiceField(
        label=gettext_lazy("Community"), queryset=Area.objects.none()
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=ActivityType.choices)
    team = forms.ModelChoiceField(
        label=gettext_lazy("Organizing team"),
        queryset=Team.objects.none(),
        required=False,
    )
    unit = UnitChoiceField(
        label=gettext_lazy("Organizing unit"),
        queryset=None,
        required=False,
        help_text=gettext_lazy(
            "Leave the team and the unit empty when the community organizes."
        ),
    )
    place_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of place"), choices=PlaceKind.choices
    )
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
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"), choices=Audience.choices, initial=Audience.ALL
    )
    signup_required = forms.BooleanField(
        label=gettext_lazy("Sign-up needed"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        max_value=activities.MAX_CAPACITY,
        help_text=gettext_lazy("Leave empty for no limit."),
    )
    signup_closes_hours = forms.IntegerField(
        label=gettext_lazy("Sign-up closes (hours before)"),
        initial=0,
        max_value=activities.MAX_CLOSES_HOURS,
    )
    points_per_hour = forms.IntegerField(
        label=gettext_lazy("Points per hour"),
        initial=0,
        max_value=activities.MAX_POINTS_PER_HOUR,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea, required=False
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Repeats"),
        choices=[("", gettext_lazy("Once"))] + list(Frequency.choices),
        required=False,
    )
    days = forms.CharField(
        label=gettext_lazy("On days"),
        required=False,
        help_text=gettext_lazy(
            "Weekly: 1–7 for Monday–Sunday. Monthly: days of the month. "
            "Lunar: lunar days, e.g. 1,15 for 初一 and 十五."
        ),
    )
    festivals = forms.MultipleChoiceField(
        label=gettext_lazy("Festivals"),
        choices=Festival.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    until = forms.DateField(
        label=gettext_lazy("Repeat until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    count = forms.IntegerField(label=gettext_lazy("Or this many times"), required=False)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        places = _areas(request, Perm.ACTIVITY_MANAGE, (Kind.COMMUNITY, Kind.STREET))
        self.fields["community"].queryset = places
        self.fields["team"].queryset = Team.objects.filter(
            area__in=places, active=True
        ).order_by("name")
        self.fields["unit"].queryset = _units(request)

    def rule(self) -> Rule | None:
        data = self.cleaned_data
        frequency = data.get("frequency")
        if not frequency:
            return None
        try:
            days = [
                int(d)
                for d in (data.get("days") or "").replace("，", ",").split(",")
                if d.strip()
            ]
        except ValueError:
            raise ValidationFailed(
                _("Give the days as numbers."), field="days"
            ) from None
        values = {
            "frequency": frequency,
            "until": data.get("until"),
            "count": data.get("count"),
        }
        if frequency == Frequency.WEEKLY:
            values["weekdays"] = tuple(d - 1 for d in days)
        elif frequency == Frequency.MONTHLY:
            values["month_days"] = tuple(days)
        elif frequency == Frequency.LUNAR_MONTHLY:
            values["lunar_days"] = tuple(days)
        else:
            values["festivals"] = tuple(data.get("festivals") or ())
        return Rule(**values)


@perm_required(Perm.ACTIVITY_MANAGE)
def activity_new(request):
    """Publish an activity: once, or repeating weekly, monthly, on lunar
    days or at lunar festivals, until a date or a number of times."""
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, request=request)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = activities.activity_create(
                    community=data["community"],
                    title=data["title"],
                    kind=data["kind"],
                    team=data["team"],
                    unit=data["unit"],
                    place_kind=data["place_kind"],
                    place=data["place"],
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    audience=data["audience"],
                    signup_required=data["signup_required"],
                    capacity=data["capacity"],
                    signup_closes_hours=data["signup_closes_hours"],
                    points_per_hour=data["points_per_hour"],
                    description=data["description"],
                    photo=data["photo"],
                    repeat=form.rule(),
                    by=request.user,
                )
            except DomainError as exc:
                if exc.field in ("weekdays", "month_days", "lunar_days"):
                    exc.field = "days"
                add_domain_error(form, exc)
            else:
                n = made.occurrences.count()
                messages.success(
                    request,
                    _("Published %(title)s: %(n)d sessions.")
                    % {"title": made.title, "n": n},
                )
                first = made.occurrences.order_by("starts_at").first()
                return redirect("volunteering:session", session_id=first.pk)
    else:
        form = ActivityForm(request=request)
    return render(request, "volunteering/workbench/new.html", {"form": form})


class MarkForm(forms.Form):
    person = forms.TypedChoiceField(
        label=gettext_lazy("Volunteer"), coerce=int, choices=()
    )
    checked_in_at = forms.DateTimeField(
        label=gettext_lazy("Checked in at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
    )
    checked_out_at = forms.DateTimeField(
        label=gettext_lazy("Checked out at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Why by hand"), max_length=400)

    def __init__(self, *args, occurrence: Occurrence, **kwargs):
        super().__init__(*args, **kwargs)
        signed = (
            occurrence.signups.exclude(status=SignUpStatus.CANCELLED)
            .exclude(person__in=occurrence.attendances.values("person"))
            .select_related("person")
            .order_by("created_at", "pk")
        )
        # Those in but not out yet, walk-ins included, are marked out here.
        still_in = occurrence.attendances.filter(
            checked_out_at__isnull=True
        ).select_related("person")
        self.fields["person"].choices = [
            (s.person_id, f"{s.person.name}（{s.get_status_display()}）")
            for s in signed
        ] + [
            (a.person_id, f"{a.person.name}（{_('checked in, not out')}）")
            for a in still_in.order_by("checked_in_at", "pk")
        ]


class WalkInForm(forms.Form):
    """Someone who came without signing up, found by the search."""

    person = forms.IntegerField(
        label=gettext_lazy("Person"),
        widget=forms.HiddenInput,
        error_messages={
            "required": gettext_lazy("Choose a person from the search results.")
        },
    )
    checked_in_at = forms.DateTimeField(
        label=gettext_lazy("Checked in at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
    )
    checked_out_at = forms.DateTimeField(
        label=gettext_lazy("Checked out at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[BEIJING_FORMAT],
        required=False,
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=400)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="walkin", **kwargs)


def _times(occurrence: Occurrence) -> dict:
    local = timezone.localtime
    return {
        "checked_in_at": local(occurrence.starts_at).strftime(BEIJING_FORMAT),
        "checked_out_at": local(occurrence.ends_at).strftime(BEIJING_FORMAT),
    }


def _roster_context(
    request, occurrence: Occurrence, mark_form=None, walkin_form=None, q=""
) -> dict:
    rows = selectors.roster(occurrence)
    party = party_member_ids(row["person"].pk for row in rows)
    for row in rows:
        row["party"] = row["person"].pk in party
    organizer = may_organize(request.user, occurrence)
    found = (
        selectors.walkin_candidates(user=request.user, occurrence=occurrence, q=q)
        if organizer and q
        else []
    )
    return {
        "o": occurrence,
        "rows": rows,
        "waiting": sum(
            1
            for row in rows
            if row.get("signup") and row["signup"].status == SignUpStatus.WAITING
        ),
        "organizer": organizer,
        "now": timezone.now(),
        "mark_form": mark_form
        or MarkForm(occurrence=occurrence, initial=_times(occurrence)),
        # A walk-in is usually marked on arrival: check-out left for later.
        "walkin_form": walkin_form
        or WalkInForm(initial={"checked_in_at": _times(occurrence)["checked_in_at"]}),
        "q": q,
        "found": with_places(found, via="last_household"),
        "activity_steps": activities.ACTIVITY_FLOW.timeline(occurrence.activity),
    }


@perm_required(Perm.ACTIVITY_VIEW)
def session_page(request, session_id: int):
    """A session: who signed up and waits, who came and their hours; the
    organizer marks, corrects, confirms or calls it off here."""
    occurrence = _session(request, session_id)
    return render(
        request,
        "volunteering/workbench/session.html",
        _roster_context(request, occurrence),
    )


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def session_mark(request, session_id: int):
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    form = MarkForm(request.POST, occurrence=occurrence)
    if form.is_valid():
        chosen = form.cleaned_data["person"]
        listed = (
            occurrence.signups.select_related("person").filter(person_id=chosen).first()
            or occurrence.attendances.select_related("person")
            .filter(person_id=chosen)
            .first()
        )
        done = _mark(request, occurrence, listed.person, form)
        if done:
            return done
    context = _roster_context(request, occurrence, mark_form=form)
    return render(request, "volunteering/workbench/session.html", context, status=400)


def _mark(request, occurrence, person, form):
    """Mark ``person`` present as ``form`` says, through the audited hand
    mark: the redirect to the roster, or None with the refusal on the form."""
    try:
        attendance.attendance_mark(
            occurrence=occurrence,
            person=person,
            checked_in_at=form.cleaned_data["checked_in_at"],
            checked_out_at=form.cleaned_data["checked_out_at"],
            reason=form.cleaned_data["reason"],
            by=request.user,
            request=request,
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    messages.success(request, _("%(name)s marked present.") % {"name": person.name})
    return redirect("volunteering:session", session_id=occurrence.pk)


@perm_required(Perm.ACTIVITY_VIEW)
def session_walkins(request, session_id: int):
    """Walk-ins: GET searches the residents in the login's reach who live
    where the session is held (by name, pinyin initials or phone, shown
    masked); POST marks the one chosen present through the same audited
    hand mark. Organizers only; anyone else gets 404."""
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    if request.method != "POST":
        q = (request.GET.get("q") or "").strip()[:50]
        context = _roster_context(request, occurrence, q=q)
        if request.htmx:
            return render(request, "volunteering/workbench/_walkins.html", context)
        return render(request, "volunteering/workbench/session.html", context)
    form = WalkInForm(request.POST)
    if form.is_valid():
        person = selectors.walkin_person(
            user=request.user, occurrence=occurrence, pk=form.cleaned_data["person"]
        )
        if person is None:
            form.add_error("person", _("Choose a person from the search results."))
        else:
            done = _mark(request, occurrence, person, form)
            if done:
                return done
    context = _roster_context(request, occurrence, walkin_form=form)
    return render(request, "volunteering/workbench/session.html", context, status=400)


@perm_required(Perm.ACTIVITY_VIEW)
def session_photo(request, session_id: int):
    """The activity's photo, for whoever sees the session here."""
    return photo_file_response(_session(request, session_id).activity.photo)


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def attendance_hours(request, session_id: int, attendance_id: int):
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    found = get_object_or_404(
        Attendance.objects.select_related("person", "occurrence"),
        pk=attendance_id,
        occurrence=occurrence,
    )
    try:
        attendance.hours_correct(
            attendance=found,
            hours=request.POST.get("hours", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, f"{found.person.name}：{exc.message}")
    else:
        messages.success(
            request, _("Hours of %(name)s corrected.") % {"name": found.person.name}
        )
    return redirect("volunteering:session", session_id=occurrence.pk)


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def session_confirm(request, session_id: int):
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    try:
        attendance.occurrence_confirm(occurrence=occurrence, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Attendance confirmed; service hours are posted as points.")
        )
    return redirect("volunteering:session", session_id=occurrence.pk)


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def session_cancel(request, session_id: int):
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    try:
        activities.occurrence_cancel(
            occurrence=occurrence,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The session is cancelled; sign-ups ended."))
    return redirect("volunteering:session", session_id=occurrence.pk)


def _activity_step(request, session_id: int, step, done: str):
    """Cancel or finish the whole activity from one of its sessions' page;
    a refusal comes back as the page's message, nothing changed."""
    occurrence = _session(request, session_id, Perm.ACTIVITY_MANAGE)
    try:
        step(occurrence.activity)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("volunteering:session", session_id=occurrence.pk)


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def activity_cancel(request, session_id: int):
    return _activity_step(
        request,
        session_id,
        lambda activity: activities.activity_cancel(
            activity=activity, reason=request.POST.get("reason", ""), by=request.user
        ),
        _("The activity is cancelled; its sessions to come and their sign-ups ended."),
    )


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def activity_finish(request, session_id: int):
    return _activity_step(
        request,
        session_id,
        lambda activity: activities.activity_finish(activity=activity, by=request.user),
        _("The activity is finished; it takes no more sign-ups."),
    )


@perm_required(Perm.ACTIVITY_VIEW)
def figures_page(request):
    """Sessions held, participations (人次), participants and service hours
    in a period, by type, team and place."""
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today.replace(month=1, day=1))
    end = _date(request.GET.get("end"), today)
    places = list(
        _areas(
            request, Perm.ACTIVITY_VIEW, (Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY)
        )
    )
    area = next((a for a in places if str(a.pk) == request.GET.get("area")), None)
    area = area or (places[0] if places else None)
    error = ""
    if area is None:  # a grid worker or building leader: no community in reach
        counts = None
    elif end < start:
        error = _("The end must come after the start.")
        counts = None
    else:
        counts = selectors.figures_read(area, start=start, end=end)
    labels = dict(ActivityType.choices)
    if counts:
        for row in counts["by_kind"]:
            row["label"] = labels.get(row["key"], row["key"])
    context = {
        "area": area,
        "places": places,
        "start": start,
        "end": end,
        "counts": counts,
        "error": error,
    }
    return render(request, "volunteering/workbench/figures.html", context)


class TeamForm(forms.Form):
    area = forms.ModelChoiceField(
        label=gettext_lazy("Community or street"), queryset=Area.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=TeamType.choices)
    unit = UnitChoiceField(
        label=gettext_lazy("Under the unit"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Leave empty for a team of the community itself."),
    )
    skills = forms.CharField(label=gettext_lazy("Skills"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas(
            request, Perm.ACTIVITY_MANAGE, (Kind.COMMUNITY, Kind.STREET)
        )
        self.fields["unit"].queryset = _units(request)


@perm_required(Perm.ACTIVITY_VIEW)
def teams_page(request):
    """The service teams in reach with their members and the applications
    waiting; staff set up a team here."""
    places = _areas(request, Perm.ACTIVITY_VIEW, (Kind.COMMUNITY, Kind.STREET))
    found = (
        Team.objects.filter(area__in=places, active=True)
        .select_related("area", "leader", "unit")
        .annotate(
            n_members=Count("members", filter=Q(members__status=MemberStatus.MEMBER))
        )
        .order_by("area__path", "name")
    )
    applications = (
        TeamMember.objects.filter(team__in=found, status=MemberStatus.APPLIED)
        .select_related("team", "person")
        .order_by("applied_at")
    )
    may_set_up = _areas(
        request, Perm.ACTIVITY_MANAGE, (Kind.COMMUNITY, Kind.STREET)
    ).exists()
    form = None
    if may_set_up:
        form = TeamForm(request.POST or None, request=request)
        if request.method == "POST" and form.is_valid():
            try:
                team = teams.team_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Team %(name)s set up.") % {"name": team.name}
                )
                return redirect("volunteering:teams")
    elif request.method == "POST":
        raise Http404
    context = {"teams": with_places(found), "applications": applications, "form": form}
    return render(request, "volunteering/workbench/teams.html", context)


@perm_required(Perm.ACTIVITY_VIEW)
@require_POST
def member_decide(request, member_id: int):
    member = get_object_or_404(
        TeamMember.objects.select_related("team", "team__area", "team__leader"),
        pk=member_id,
    )
    if not teams.may_run(request.user, member.team):
        raise Http404
    try:
        teams.member_decide(
            member=member, approve=request.POST.get("approve") == "1", by=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("volunteering:teams")


@perm_required(Perm.ACTIVITY_VIEW)
def certificate(request, person_id: int):
    """A printable service certificate (志愿服务证明): the volunteer's
    hours in a period, session by session."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.ACTIVITY_VIEW)
    today = timezone.localdate()
    start = _date(request.GET.get("start"), today.replace(month=1, day=1))
    end = _date(request.GET.get("end"), today)
    record = selectors.service_record(person, start=start, end=end)
    context = {
        "person": person,
        "record": record,
        "attendances": list(record["attendances"]),
        "start": start,
        "end": end,
        "today": today,
        "community": last_known_community(person),
    }
    return render(request, "volunteering/workbench/certificate.html", context)
