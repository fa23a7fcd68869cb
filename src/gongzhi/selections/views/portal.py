"""Selections on a resident's phone: what her community, street and
district are selecting, nominating herself or a neighbour, answering a
nomination of herself, and voting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Kind
from gongzhi.areas.tree import ancestor_of_kind
from gongzhi.core.errors import DomainError

from .. import selectors
from ..forms import NominateForm
from ..models import Nomination, NominationStatus
from ..services import nominations, voting
from .common import nominate_from_form


def _person(request):
    return getattr(request.user, "person", None)


def _mine(request, pk: int):
    person = _person(request)
    if person is None or not person.household_id:
        raise Http404
    return person, selectors.resident_selection_get(person=person, pk=pk)


@login_required
def portal_home(request):
    person = _person(request)
    if person is None or not person.household_id:
        return render(request, "selections/portal/unlinked.html")
    home = person.household
    rolls = [
        area
        for area in (
            ancestor_of_kind(home, Kind.COMMUNITY),
            ancestor_of_kind(home, Kind.STREET),
        )
        if area is not None
    ]
    context = {
        "selections": list(selectors.selections_for_home(home)[:50]),
        "asked": selectors.asked_of(person),
        "mine": selectors.mine(user=request.user),
        "rolls": rolls,
    }
    return render(request, "selections/portal/home.html", context)


@login_required
def portal_selection(request, selection_id: int):
    person, selection = _mine(request, selection_id)
    candidates = selectors.on_ballot(selection)
    ballot = selectors.ballot_of(selection=selection, person=person)
    chosen = {c.nomination_id for c in ballot.choices.all()} if ballot else set()
    shown = selectors.results_shown(selection)
    live = selectors.live_tally(selection) if shown else {}
    groups: dict[str, list] = {}
    for n in candidates:
        n.chosen = n.pk in chosen
        n.live = live.get(n.pk, 0)
        groups.setdefault(n.category, []).append(n)
    now = timezone.now()
    context = {
        "s": selection,
        "groups": groups,
        "ballot": ballot,
        "shown": shown,
        "window": selection.status == "voting"
        and selection.vote_opens <= now < selection.vote_closes,
        "may_change": ballot is None or selection.ballot_changeable,
        "publicity": selectors.in_publicity(selection),
    }
    return render(request, "selections/portal/selection.html", context)


@login_required
def portal_nominate(request, selection_id: int):
    _person_, selection = _mine(request, selection_id)
    form = NominateForm(
        request.POST or None,
        request.FILES or None,
        selection=selection,
        places=selectors.nominee_places(selection),
    )
    if request.method == "POST" and form.is_valid():
        made = nominate_from_form(request, selection, form)
        if made is not None:
            if made.status == NominationStatus.ASKED:
                messages.success(
                    request,
                    _("Thank you. %(name)s will be asked whether they agree.")
                    % {"name": made.label},
                )
            else:
                messages.success(request, _("Thank you. The committee will review it."))
            return redirect("selections:portal_selection", selection.pk)
    return render(
        request, "selections/portal/nominate.html", {"form": form, "s": selection}
    )


@require_POST
@login_required
def portal_vote(request, selection_id: int):
    _person_, selection = _mine(request, selection_id)
    choices = []
    for value in request.POST.getlist("choices"):
        try:
            choices.append(int(value))
        except ValueError:
            choices.append(value)
    try:
        ballot = voting.ballot_cast(
            selection=selection,
            by=request.user,
            choices=choices,
            network=request.META.get("REMOTE_ADDR"),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Your ballot is changed.")
            if ballot.changed
            else _("Thank you for voting."),
        )
    return redirect("selections:portal_selection", selection.pk)


@require_POST
@login_required
def portal_answer(request, nomination_id: int):
    """The nominee's answer: consent, or decline (it then shows nowhere)."""
    person = _person(request)
    nomination = (
        Nomination.objects.filter(
            pk=nomination_id, person=person, status=NominationStatus.ASKED
        ).first()
        if person is not None
        else None
    )
    if nomination is None:
        raise Http404
    action = "consent" if request.POST.get("action") == "consent" else "decline"
    try:
        nominations.nomination_act(
            nomination=nomination, action=action, by=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Thank you, you are in the selection.")
            if action == "consent"
            else _("Your nomination is withdrawn; it shows nowhere."),
        )
    return redirect("selections:portal_home")
