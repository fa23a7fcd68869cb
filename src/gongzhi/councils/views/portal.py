"""Councils on the resident's phone: open collections of her area and
their suggestions (send one, support a neighbour's), what became of her
own, meetings to come, votes open to her seat, check-in at a meeting,
comments on minutes, the public notices."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Area
from gongzhi.areas.selectors import with_places
from gongzhi.areas.tree import is_within
from gongzhi.core.errors import DomainError, ValidationFailed
from gongzhi.core.photos import photo_file_response
from gongzhi.residents.homes import current_home

from .. import selectors
from ..models import Choice, MinutesStatus, SuggestionPhoto, VoteStatus
from ..services import meetings, minutes, owners, suggestions, votes
from .common import posted_id, refusal_message


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None or current_home(person) is None:
        raise Http404
    return person


@login_required
def portal_home(request):
    person = getattr(request.user, "person", None)
    if person is None or current_home(person) is None:
        return render(request, "councils/portal/unlinked.html")
    context = {
        "collections": selectors.collections_open_for(person),
        "mine": selectors.suggestions_of(person)[:20],
        "meetings": selectors.meetings_upcoming_for(person)[:10],
        "votes": selectors.votes_open_for(person),
        "notices": selectors.notices_for(person)[:10],
        "community": current_home(person) and _community(person),
    }
    return render(request, "councils/portal/home.html", context)


def _community(person):
    from gongzhi.residents.homes import current_community

    return current_community(person)


def _places_near(person):
    """Where a suggestion may be placed: her home and the nodes above it
    within the community (her entrance, building, estate …)."""
    home = current_home(person)
    community = _community(person)
    chain = list(Area.objects.get_ancestors(home)) + [home]
    return [a for a in chain if is_within(a.path, community.path)]


@login_required
def portal_collection(request, collection_id: int):
    person = _person(request)
    collection = selectors.collection_for_resident(person, collection_id)
    if request.method == "POST":
        try:
            area = None
            if request.POST.get("area"):
                pk = posted_id(request, "area")
                area = next((a for a in _places_near(person) if a.pk == pk), None)
                if area is None:
                    raise ValidationFailed(_("Not found."), field="area")
            suggestions.suggestion_send(
                collection=collection,
                text=request.POST.get("text", ""),
                area=area,
                photos=request.FILES.getlist("photos"),
                by=request.user,
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Thank you: your suggestion is in."))
            return redirect("councils:portal_collection", collection.pk)
    rows = with_places(
        collection.suggestions.select_related("area", "topic")
        .prefetch_related("photos")
        .order_by("-supports", "-created_at")[:200]
    )
    context = {
        "c": collection,
        "rows": rows,
        "supported": selectors.supported_by(person, rows),
        "open": collection.is_open(timezone.localdate()),
        "places": with_places(_places_near(person), via=""),
        "me": person,
        "text": request.POST.get("text", ""),
    }
    return render(request, "councils/portal/collection.html", context)


@require_POST
@login_required
def portal_support(request, suggestion_id: int):
    person = _person(request)
    from ..models import Suggestion

    suggestion = get_object_or_404(Suggestion, pk=suggestion_id)
    selectors.collection_for_resident(person, suggestion.collection_id)
    try:
        suggestions.suggestion_support(suggestion=suggestion, by=request.user)
    except DomainError as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, _("You support this suggestion (附议)."))
    return redirect("councils:portal_collection", suggestion.collection_id)


@login_required
def portal_photo(request, photo_id: int):
    person = _person(request)
    item = get_object_or_404(SuggestionPhoto, pk=photo_id)
    selectors.collection_for_resident(person, item.suggestion.collection_id)
    return photo_file_response(item.image)


@login_required
def portal_meeting(request, meeting_id: int):
    """A meeting's notice; for an attendee, the minutes to comment on."""
    person = _person(request)
    meeting = selectors.meeting_for_resident(person, meeting_id)
    record = getattr(meeting, "minutes", None)
    version = record.versions.order_by("-number").first() if record else None
    attended = meeting.presences.filter(seat__person=person).exists()
    if request.method == "POST":
        try:
            minutes.minutes_comment(
                meeting=meeting, text=request.POST.get("text", ""), by=request.user
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Your comment is sent to the chair."))
        return redirect("councils:portal_meeting", meeting.pk)
    context = {
        "m": meeting,
        "agenda": meeting.agenda.select_related("topic"),
        "minutes": record,
        "version": version
        if record
        and (record.status != MinutesStatus.DRAFT and attended)
        or (record and record.status == MinutesStatus.FINAL)
        else None,
        "may_comment": attended
        and record is not None
        and record.status == MinutesStatus.COMMENTS,
        "seat": selectors.seats_of(person),
    }
    return render(request, "councils/portal/meeting.html", context)


@login_required
def portal_scan(request, meeting_id: int):
    """Where the chair's QR leads: confirm, and the code is checked then."""
    person = _person(request)
    meeting = selectors.meeting_for_resident(person, meeting_id)
    code = (request.POST.get("c") or request.GET.get("c") or "").strip()
    if request.method == "POST":
        try:
            meetings.meeting_check_in(meeting=meeting, code=code, by=request.user)
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Checked in. Welcome to the meeting."))
        return redirect("councils:portal_meeting", meeting.pk)
    return render(request, "councils/portal/scan.html", {"m": meeting, "code": code})


@login_required
def portal_vote(request, vote_id: int):
    person = _person(request)
    vote = selectors.vote_for_resident(person, vote_id)
    homes = owners.households_of(vote, person) if vote.kind == "owners" else []
    if request.method == "POST":
        try:
            if vote.kind == "owners":
                owners.owner_ballot_cast(
                    vote=vote,
                    household_id=posted_id(request, "household"),
                    choice=request.POST.get("choice", ""),
                    by=request.user,
                )
            else:
                votes.ballot_cast(
                    vote=vote, choice=request.POST.get("choice", ""), by=request.user
                )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, _("Your vote is cast."))
        return redirect("councils:portal_vote", vote.pk)
    seat = votes.seat_of_user(vote, request.user)
    voted_homes = set(vote.voters.values_list("household_id", flat=True))
    waiting = [h for h in homes if h.household_id not in voted_homes]
    context = {
        "v": vote,
        "voted": (seat is not None and vote.voters.filter(seat=seat).exists())
        or bool(homes and not waiting),
        "homes": waiting,
        "seat": seat,
        "choices": Choice.choices,
        "tally": votes.tally(vote)
        if vote.kind == "council" and votes.results_shown(vote, request.user)
        else None,
        "is_open": vote.status == VoteStatus.OPEN,
    }
    return render(request, "councils/portal/vote.html", context)
