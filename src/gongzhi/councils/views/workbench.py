"""Councils in the workbench: the topics waiting for the Party
organisation, collections and their suggestions, councils and their seats,
the chair's page of a meeting (agenda, check-in code, attendance, live
quorum and tally, votes, minutes), printable notice and minutes, and a
topic's decision, work, budget and objections.

Reads need council.view over the row's area, writes council.manage; a row
outside answers 404, as everywhere.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scoped
from gongzhi.areas.selectors import with_places
from gongzhi.core.errors import DomainError, ValidationFailed
from gongzhi.core.photos import photo_file_response
from gongzhi.core.rotating import code_qr_svg
from gongzhi.requests import selectors as requests_selectors
from gongzhi.residents.selectors.people import people_in_scope

from .. import selectors
from ..models import (
    Choice,
    Expense,
    Milestone,
    MinutesStatus,
    Objection,
    Party,
    PassRule,
    Seat,
    SuggestionPhoto,
    Task,
    TaskPhoto,
    TopicStatus,
    Vote,
    VoteKind,
)
from ..services import (
    meetings,
    minutes,
    owners,
    publicity,
    suggestions,
    topics,
    votes,
    work,
)
from ..services.rules import may_manage
from .choices import assignee_find, assignee_options, category_find, category_options
from .common import (
    posted_date,
    posted_datetime,
    posted_id,
    posted_ids,
    refusal_message,
)

VIEW, MANAGE = Perm.COUNCIL_VIEW, Perm.COUNCIL_MANAGE


def _places(request, perm=MANAGE, kinds=(Kind.COMMUNITY,)):
    return scoped(
        Area.objects.filter(kind__in=kinds, retired_at__isnull=True),
        user=request.user,
        via="",
        perm=perm,
    ).order_by("path")


def _place(request, name="area", perm=MANAGE, kinds=None) -> Area:
    pk = posted_id(request, name)
    places = scoped(Area.objects.all(), user=request.user, via="", perm=perm)
    if kinds:
        places = places.filter(kind__in=kinds)
    area = places.filter(pk=pk).first()
    if area is None:
        raise ValidationFailed(_("Not found."), field=name)
    return area


@perm_required(VIEW)
def home(request):
    """The councils desk: topics to accept, objections to answer, collections,
    councils and the meetings to come."""
    topic_rows = list(selectors.topic_list(user=request.user)[:200])
    context = {
        "proposed": [t for t in topic_rows if t.status == TopicStatus.PROPOSED],
        "topics": topic_rows,
        "objections": selectors.objection_list(user=request.user)
        .filter(answered_at__isnull=True)
        .order_by("at")[:50],
        "collections": selectors.collection_list(user=request.user)[:50],
        "councils": selectors.council_list(user=request.user),
        "meetings": selectors.meeting_list(user=request.user)
        .exclude(status__in=("closed", "inquorate", "cancelled"))
        .order_by("starts_at")[:50],
        "may_manage": _places(request).exists(),
    }
    return render(request, "councils/workbench/home.html", context)


@perm_required(MANAGE)
def collection_new(request):
    places = _places(
        request, kinds=(Kind.COMMUNITY, Kind.GRID, Kind.ESTATE, Kind.BUILDING)
    )
    if request.method == "POST":
        try:
            made = suggestions.collection_create(
                area=_place(request),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                opens_on=posted_date(request, "opens_on"),
                closes_on=posted_date(request, "closes_on"),
                by=request.user,
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("The collection is open."))
            return redirect("councils:collection", made.pk)
    context = {"places": with_places(places, via=""), "post": request.POST}
    return render(request, "councils/workbench/collection_new.html", context)


@perm_required(VIEW)
def collection_page(request, collection_id: int):
    collection = selectors.collection_get(user=request.user, pk=collection_id)
    manage = may_manage(request.user, collection.area)
    if request.method == "POST":
        if not manage:
            raise Http404
        try:
            chosen = posted_ids(request, "suggestions")
            rows = list(collection.suggestions.filter(pk__in=chosen))
            if not rows:
                raise ValidationFailed(
                    _("Choose at least one suggestion."), field="suggestions"
                )
            topic = topics.topic_open(
                community=collection.community,
                area=rows[0].area,
                title=request.POST.get("title", ""),
                description="\n".join(r.text for r in rows),
                suggestions=rows,
                interested=request.POST.getlist("interested"),
                by=request.user,
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("The topic is proposed."))
            return redirect("councils:topic", topic.pk)
    rows = with_places(
        collection.suggestions.select_related("author", "topic", "area")
        .prefetch_related("photos")
        .order_by("-supports", "created_at")
    )
    context = {
        "c": collection,
        "rows": rows,
        "manage": manage,
        "parties": Party.choices,
    }
    return render(request, "councils/workbench/collection.html", context)


@perm_required(MANAGE)
def topic_new(request):
    """A topic opened from several similar requests (诉求), by number."""
    communities = _places(request)
    if request.method == "POST":
        try:
            community = _place(request, "community", kinds=(Kind.COMMUNITY,))
            numbers = [
                n.strip()
                for n in request.POST.get("numbers", "").replace("，", ",").split(",")
                if n.strip()
            ]
            found = list(
                requests_selectors.request_list(user=request.user).filter(
                    number__in=numbers, community=community
                )
            )
            if len(found) != len(set(numbers)):
                raise ValidationFailed(
                    _("Some of these request numbers are not found here."),
                    field="requests",
                )
            topic = topics.topic_open(
                community=community,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                requests=found,
                interested=request.POST.getlist("interested"),
                by=request.user,
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("The topic is proposed."))
            return redirect("councils:topic", topic.pk)
    context = {"communities": communities, "parties": Party.choices}
    return render(request, "councils/workbench/topic_new.html", context)


@perm_required(VIEW)
def topic_page(request, topic_id: int):
    topic = selectors.topic_get(user=request.user, pk=topic_id)
    manage = may_manage(request.user, topic.community)
    budget = getattr(topic, "budget", None)
    spent = work.spent(budget) if budget else None
    tasks = list(
        topic.tasks.select_related("service_request").prefetch_related(
            "milestones", "photos"
        )
    )
    context = {
        "t": topic,
        "manage": manage,
        "steps": selectors.topic_timeline(topic),
        "allowed": topics.FLOW.allowed_from(topic.status),
        "suggestions": topic.suggestions.select_related("author"),
        "requests": topic.requests.all(),
        "interested": [Party(p).label for p in topic.interested],
        "votes": topic.votes.select_related("meeting"),
        "tasks": tasks,
        "budget": budget,
        "spent": spent,
        "left": budget.approved - spent if budget else None,
        "expenses": budget.expenses.all() if budget else [],
        "objections": topic.objections.select_related("person"),
        "assignees": assignee_options(topic.community) if manage else [],
        "categories": category_options(topic.area) if manage else [],
        "today": timezone.localdate(),
    }
    return render(request, "councils/workbench/topic.html", context)


@require_POST
@perm_required(MANAGE)
def topic_act(request, topic_id: int):
    """One step on a topic: accept, decline, finish, publicise; a task, a
    milestone, photos, the budget, an expense; an objection's answer."""
    topic = selectors.topic_get(user=request.user, pk=topic_id, perm=MANAGE)
    action = request.POST.get("action", "")
    by = request.user
    try:
        if action in ("accept", "decline", "finish", "publicise"):
            topics.topic_step(
                topic=topic,
                action=action,
                by=by,
                reason=request.POST.get("reason", ""),
                notice_days=request.POST.get("notice_days"),
            )
        elif action == "task":
            work.task_create(
                topic=topic,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                category=category_find(topic.area, request.POST.get("category", "")),
                to=assignee_find(topic.community, request.POST.get("to", "")),
                by=by,
            )
        elif action == "milestone":
            task = get_object_or_404(Task, pk=posted_id(request, "task"), topic=topic)
            work.milestone_add(
                task=task,
                title=request.POST.get("title", ""),
                due_on=posted_date(request, "due_on", required=False),
                by=by,
            )
        elif action == "milestone_done":
            found = get_object_or_404(
                Milestone, pk=posted_id(request, "milestone"), task__topic=topic
            )
            work.milestone_done(milestone=found, by=by)
        elif action == "photos":
            task = get_object_or_404(Task, pk=posted_id(request, "task"), topic=topic)
            work.task_photos_add(
                task=task,
                kind=request.POST.get("kind", ""),
                photos=request.FILES.getlist("photos"),
                by=by,
            )
        elif action == "budget":
            work.budget_set(
                topic=topic,
                source=request.POST.get("source", ""),
                approved=request.POST.get("approved", ""),
                by=by,
            )
        elif action == "expense":
            budget = getattr(topic, "budget", None)
            if budget is None:
                raise ValidationFailed(_("Set the budget first."), field="approved")
            work.expense_add(
                budget=budget,
                amount=request.POST.get("amount", ""),
                note=request.POST.get("note", ""),
                spent_on=posted_date(request, "spent_on"),
                receipt=request.FILES.get("receipt"),
                by=by,
            )
        elif action == "answer":
            found = get_object_or_404(
                Objection, pk=posted_id(request, "objection"), topic=topic
            )
            publicity.objection_answer(
                objection=found, answer=request.POST.get("answer", ""), by=by
            )
        else:
            raise ValidationFailed(_("Choose one of the options."), field="action")
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("councils:topic", topic.pk)


@perm_required(MANAGE)
def council_new(request):
    places = _places(request, kinds=(Kind.COMMUNITY, Kind.ESTATE))
    if request.method == "POST":
        try:
            made = meetings.council_create(
                area=_place(request, kinds=(Kind.COMMUNITY, Kind.ESTATE)),
                name=request.POST.get("name", ""),
                notice_days=request.POST.get("notice_days", 3),
                comment_days=request.POST.get("comment_days", 3),
                quorum_num=request.POST.get("quorum_num", 2),
                quorum_den=request.POST.get("quorum_den", 3),
                quorum_each_party=bool(request.POST.get("quorum_each_party")),
                pass_rule=request.POST.get("pass_rule", PassRule.CAST),
                abstain_counts=bool(request.POST.get("abstain_counts")),
                secret=bool(request.POST.get("secret")),
                hide_results=bool(request.POST.get("hide_results")),
                public=bool(request.POST.get("public")),
                by=request.user,
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("The council is set up."))
            return redirect("councils:council", made.pk)
    context = {"places": with_places(places, via=""), "rules": PassRule.choices}
    return render(request, "councils/workbench/council_new.html", context)


def _person(request, council) -> object:
    value = (request.POST.get("person") or "").strip()
    people = people_in_scope(user=request.user).filter(household__isnull=False)
    found = (
        list(people.filter(pk=int(value))[:1])
        if value.isdigit() and len(value) < 18
        else list(people.filter(name=value)[:2])
    )
    if not found:
        raise ValidationFailed(_("Nobody of that name lives here."), field="person")
    if len(found) > 1:
        raise ValidationFailed(
            _("Several people are called %(name)s: give the number instead.")
            % {"name": value},
            field="person",
        )
    return found[0]


@perm_required(VIEW)
def council_page(request, council_id: int):
    council = selectors.council_get(user=request.user, pk=council_id)
    manage = may_manage(request.user, council.community)
    if request.method == "POST":
        if not manage:
            raise Http404
        action = request.POST.get("action", "")
        try:
            if action == "seat":
                meetings.seat_add(
                    council=council,
                    person=_person(request, council),
                    party=request.POST.get("party", ""),
                    title=request.POST.get("title", ""),
                    starts_on=posted_date(request, "starts_on"),
                    ends_on=posted_date(request, "ends_on", required=False),
                    by=request.user,
                )
            elif action == "seat_end":
                seat = get_object_or_404(
                    Seat, pk=posted_id(request, "seat"), council=council
                )
                meetings.seat_end(
                    seat=seat, ends_on=posted_date(request, "ends_on"), by=request.user
                )
            elif action == "meeting":
                made = meetings.meeting_plan(
                    council=council,
                    title=request.POST.get("title", ""),
                    place=request.POST.get("place", ""),
                    starts_at=posted_datetime(request, "starts_at"),
                    by=request.user,
                )
                messages.success(request, _("The meeting is planned."))
                return redirect("councils:meeting", made.pk)
            else:
                raise ValidationFailed(_("Choose one of the options."), field="action")
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("councils:council", council.pk)
    today = timezone.localdate()
    seats = list(council.seats.select_related("person").order_by("party", "pk"))
    context = {
        "c": council,
        "manage": manage,
        "seats": seats,
        "sitting": [s for s in seats if s.sits_on(today)],
        "meetings": council.meetings.order_by("-starts_at")[:50],
        "parties": Party.choices,
        "today": today,
    }
    return render(request, "councils/workbench/council.html", context)


def _meeting(request, meeting_id: int, perm=VIEW):
    return selectors.meeting_get(user=request.user, pk=meeting_id, perm=perm)


def _live(meeting, user) -> dict:
    """Quorum and every vote's tally, as the chair's page shows them."""
    found = meetings.quorum(meeting)
    rows = []
    for vote in meeting.votes.select_related("topic").order_by("pk"):
        row = {"vote": vote, "shown": votes.results_shown(vote, user)}
        if vote.kind == VoteKind.OWNERS:
            try:
                row["owners"] = owners.owners_tally(vote)
            except DomainError as exc:
                row["problem"] = str(exc.message)
            row["roll"] = owners.roll_of(vote)
            row["voted"] = set(vote.voters.values_list("household_id", flat=True))
        else:
            row["tally"] = votes.tally(vote)
            row["recused"] = votes.recused_seats(vote)
        rows.append(row)
    return {"m": meeting, "quorum": found, "votes": rows}


@perm_required(VIEW)
def meeting_page(request, meeting_id: int):
    """The chair's page."""
    meeting = _meeting(request, meeting_id)
    council = meeting.council
    day = timezone.localdate(meeting.starts_at)
    present = {p.seat_id: p for p in meeting.presences.all()}
    seats = meetings.seats_on(council, day)
    for seat in seats:
        seat.presence = present.get(seat.pk)
    record = getattr(meeting, "minutes", None)
    versions = list(record.versions.all()) if record else []
    agenda = list(meeting.agenda.select_related("topic"))
    on_agenda = {a.topic_id for a in agenda}
    candidates = [
        t
        for t in selectors.topic_list(user=request.user).filter(
            community=council.community,
            status__in=(TopicStatus.ACCEPTED, TopicStatus.DEFERRED),
        )
        if t.pk not in on_agenda
    ]
    context = {
        **_live(meeting, request.user),
        "manage": may_manage(request.user, council.community),
        "seats": seats,
        "agenda": agenda,
        "candidates": candidates,
        "allowed": meetings.MEETING_FLOW.allowed_from(meeting.status),
        "steps": meetings.MEETING_FLOW.timeline(meeting),
        "minutes": record,
        "versions": versions,
        "draft": versions[-1].text if versions else "",
        "comments": record.comments.select_related("seat__person") if record else [],
        "choices": Choice.choices,
        "today": timezone.localdate(),
    }
    return render(request, "councils/workbench/meeting.html", context)


@perm_required(VIEW)
def meeting_live(request, meeting_id: int):
    """The live quorum and tallies (htmx refreshes them every few seconds)."""
    meeting = _meeting(request, meeting_id)
    context = {
        **_live(meeting, request.user),
        "manage": may_manage(request.user, meeting.council.community),
        "choices": Choice.choices,
    }
    return render(request, "councils/workbench/_live.html", context)


def _agenda_entry(request, meeting):
    entry = meeting.agenda.filter(topic_id=posted_id(request, "topic")).first()
    if entry is None:
        raise ValidationFailed(_("This topic is not on the agenda."), field="topic")
    return entry


@require_POST
@perm_required(MANAGE)
def meeting_act(request, meeting_id: int):
    meeting = _meeting(request, meeting_id, perm=MANAGE)
    action = request.POST.get("action", "")
    by = request.user
    try:
        if action in ("publish", "open", "close", "cancel"):
            meetings.meeting_step(
                meeting=meeting,
                action=action,
                by=by,
                reason=request.POST.get("reason", ""),
            )
        elif action == "agenda":
            topic = (
                selectors.topic_list(user=by, perm=MANAGE)
                .filter(pk=posted_id(request, "topic"))
                .first()
            )
            if topic is None:
                raise ValidationFailed(_("Not found."), field="topic")
            meetings.agenda_add(meeting=meeting, topic=topic, by=by)
        elif action == "present":
            seat = meeting.council.seats.filter(pk=posted_id(request, "seat")).first()
            if seat is None:
                raise ValidationFailed(_("Not found."), field="seat")
            meetings.meeting_mark_present(meeting=meeting, seat=seat, by=by)
        elif action == "vote":
            entry = meeting.agenda.filter(topic_id=posted_id(request, "topic")).first()
            if entry is None:
                raise ValidationFailed(
                    _("This topic is not on the agenda."), field="topic"
                )
            votes.vote_create(
                meeting=meeting,
                topic=entry.topic,
                secret=bool(request.POST.get("secret")),
                by=by,
            )
        elif action in ("vote_open", "vote_close", "ballot"):
            vote = get_object_or_404(
                Vote, pk=posted_id(request, "vote"), meeting=meeting
            )
            if action == "vote_open":
                votes.vote_open(vote=vote, by=by)
            elif action == "vote_close":
                votes.vote_close(vote=vote, by=by)
            else:
                seat = meeting.council.seats.filter(
                    pk=posted_id(request, "seat")
                ).first()
                votes.ballot_cast(
                    vote=vote,
                    seat=seat,
                    choice=request.POST.get("choice", ""),
                    by=by,
                )
        elif action == "decide":
            entry = meeting.agenda.filter(topic_id=posted_id(request, "topic")).first()
            if entry is None:
                raise ValidationFailed(
                    _("This topic is not on the agenda."), field="topic"
                )
            votes.topic_decide(
                meeting=meeting,
                topic=entry.topic,
                outcome=request.POST.get("outcome", ""),
                note=request.POST.get("note", ""),
                by=by,
            )
        elif action == "minutes":
            minutes.minutes_save(
                meeting=meeting, text=request.POST.get("text", ""), by=by
            )
        elif action == "minutes_comments":
            minutes.minutes_open_comments(meeting=meeting, by=by)
        elif action == "minutes_final":
            minutes.minutes_finalise(meeting=meeting, by=by)
        else:
            raise ValidationFailed(_("Choose one of the options."), field="action")
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect(reverse("councils:meeting", args=[meeting.pk]))


@perm_required(MANAGE)
def meeting_code(request, meeting_id: int):
    """The chair's screen: the check-in QR, renewed every minute."""
    meeting = _meeting(request, meeting_id, perm=MANAGE)
    code = meetings.check_in_code(meeting)
    link = request.build_absolute_uri(
        reverse("councils:portal_scan", args=[meeting.pk]) + f"?c={code}"
    )
    context = {
        "m": meeting,
        "svg": code_qr_svg(link),
        "link": link,
        "quorum": meetings.quorum(meeting),
    }
    return render(request, "councils/workbench/code.html", context)


@perm_required(VIEW)
def meeting_notice(request, meeting_id: int):
    """The printable notice (会议通知)."""
    meeting = _meeting(request, meeting_id)
    context = {
        "m": meeting,
        "agenda": meeting.agenda.select_related("topic"),
        "seats": meetings.seats_on(
            meeting.council, timezone.localdate(meeting.starts_at)
        ),
    }
    return render(request, "councils/print/notice.html", context)


@perm_required(VIEW)
def meeting_minutes(request, meeting_id: int):
    """The printable minutes: the final version, else the latest draft
    marked as such."""
    meeting = _meeting(request, meeting_id)
    record = getattr(meeting, "minutes", None)
    version = record.versions.order_by("-number").first() if record else None
    context = {
        "m": meeting,
        "minutes": record,
        "version": version,
        "final": record is not None and record.status == MinutesStatus.FINAL,
    }
    return render(request, "councils/print/minutes.html", context)


@perm_required(VIEW)
def photo(request, kind: str, photo_id: int):
    """A suggestion's photo, a task's photo or a receipt, where the login
    sees the topic or collection."""
    if kind == "suggestion":
        item = get_object_or_404(SuggestionPhoto, pk=photo_id)
        selectors.collection_get(user=request.user, pk=item.suggestion.collection_id)
        return photo_file_response(item.image)
    if kind == "task":
        item = get_object_or_404(TaskPhoto, pk=photo_id)
        selectors.topic_get(user=request.user, pk=item.task.topic_id)
        return photo_file_response(item.image)
    if kind == "receipt":
        item = get_object_or_404(Expense, pk=photo_id)
        selectors.topic_get(user=request.user, pk=item.budget.topic_id)
        return photo_file_response(item.receipt)
    raise Http404
