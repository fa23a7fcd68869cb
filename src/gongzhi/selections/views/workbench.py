"""The workbench's selections: setting one up, reviewing nominations,
the committee's secret ballot, opening and closing the vote, fraud signals,
objections, honouring, certificates and talks."""

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
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.selectors import area_get, place_labels
from gongzhi.areas.tree import ancestor_of_kind, reach
from gongzhi.core.errors import DomainError, NotAllowed, ValidationFailed
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response

from .. import selectors
from ..flows import NOMINATION_FLOW, SELECTION_FLOW
from ..forms import NominateForm, SelectionForm
from ..models import FraudFlag, NominationPhoto, Objection, SelectionKind
from ..services import honours, kinds, nominations, publicity, running, voting
from .common import nominate_from_form

VIEW, MANAGE, NOMINATE = (
    Perm.SELECTION_VIEW,
    Perm.SELECTION_MANAGE,
    Perm.SELECTION_NOMINATE,
)


def _refused(request, exc: DomainError):
    if isinstance(exc, NotAllowed):
        raise Http404 from exc
    messages.error(request, str(exc.message))


def _selection(request, pk: int, perm: str = VIEW):
    selection = selectors.selection_get(user=request.user, pk=pk)
    if not in_scope(request.user, selection.area, perm):
        raise Http404
    return selection


def _nomination(request, pk: int, perm: str = VIEW):
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    if not in_scope(request.user, nomination.selection.area, perm):
        raise Http404
    return nomination


@perm_required(VIEW)
def home(request):
    """Selections in the user's areas, newest first, and where she may set
    one up."""
    rows = list(selectors.selections_in_scope(user=request.user)[:200])
    levels = [
        area
        for kind in (Kind.COMMUNITY, Kind.STREET, Kind.DISTRICT)
        for area in reach(request.user, MANAGE, kind)
        if in_scope(request.user, area, MANAGE)
    ]
    return render(
        request,
        "selections/workbench/home.html",
        {"selections": rows, "levels": levels},
    )


def _street_of(area: Area) -> Area | None:
    if area.kind == Kind.DISTRICT:
        return None
    return ancestor_of_kind(area, Kind.STREET)


def _kinds_for(area: Area):
    street = _street_of(area)
    if street is not None:
        kinds.kinds_ensure(street)
        return SelectionKind.objects.filter(street=street, active=True)
    streets = Area.objects.filter(path__within=area.path, kind=Kind.STREET)
    for one in streets:
        kinds.kinds_ensure(one)
    return SelectionKind.objects.filter(street__in=streets, active=True)


@perm_required(MANAGE)
def selection_new(request):
    try:
        area = area_get(user=request.user, pk=int(request.GET.get("area", "")))
    except ValueError:
        raise Http404 from None
    if area.kind not in running.LEVELS or not in_scope(request.user, area, MANAGE):
        raise Http404
    form = SelectionForm(
        request.POST or None,
        kinds=_kinds_for(area),
        members=selectors.committee_candidates(area),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = running.selection_create(
                area=area,
                by=request.user,
                kind=data.pop("kind"),
                committee=data.pop("committee"),
                **data,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("The selection is set up and takes nominations.")
            )
            return redirect("selections:selection", made.pk)
    return render(
        request, "selections/workbench/new.html", {"form": form, "area": area}
    )


def _figures(selection, rows):
    honoured = [n for n in rows if n.status == "honoured"]
    return selectors.talk_figures(honoured)


@perm_required(VIEW)
def selection_page(request, selection_id: int):
    selection = _selection(request, selection_id)
    rows = selectors.nominations_of(selection)
    shown = selectors.results_shown(selection)
    live = selectors.live_tally(selection) if shown else {}
    labels = place_labels([n.home for n in rows])
    for n in rows:
        n.place_label = labels.get(n.home_id, "")
        n.live = live.get(n.pk, 0)
    manage = in_scope(request.user, selection.area, MANAGE)
    member = selection.committee.filter(pk=request.user.pk).exists()
    context = {
        "s": selection,
        "rows": rows,
        "manage": manage,
        "member": member,
        "voted": selection.committee_ballots.filter(member=request.user).exists(),
        "shown": shown,
        "turnout": selectors.turnout(selection),
        "steps": SELECTION_FLOW.timeline(selection),
        "flags": selectors.flags_of(selection) if manage else [],
        "objections": selectors.objections_of(selection) if manage else [],
        "figures": _figures(selection, rows),
        "committee": list(selection.committee.all()),
        "on_ballot": [n for n in rows if n.status == "voting"],
        "now": timezone.now(),
    }
    return render(request, "selections/workbench/selection.html", context)


@require_POST
@perm_required(VIEW)
def selection_act(request, selection_id: int):
    selection = _selection(request, selection_id)
    action = request.POST.get("action", "")
    try:
        if action == "open_vote":
            running.vote_open(selection=selection, by=request.user)
        elif action == "close_vote":
            running.vote_close(selection=selection, by=request.user)
        elif action == "honour":
            running.honour(selection=selection, by=request.user)
        elif action == "committee_ballot":
            voting.committee_ballot_cast(
                selection=selection,
                by=request.user,
                choices=_ints(request.POST.getlist("choices")),
            )
        else:
            running.selection_cancel(
                selection=selection,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("selections:selection", selection.pk)


def _ints(values) -> list:
    out = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            out.append(value)
    return out


@perm_required(NOMINATE)
def nominate(request, selection_id: int):
    selection = _selection(request, selection_id, NOMINATE)
    places = selectors.nominee_places(selection)
    form = NominateForm(
        request.POST or None,
        request.FILES or None,
        selection=selection,
        places=places,
    )
    if request.method == "POST" and form.is_valid():
        made = nominate_from_form(request, selection, form)
        if made is not None:
            messages.success(request, _("Nominated."))
            return redirect("selections:nomination", made.pk)
    return render(
        request,
        "selections/workbench/nominate.html",
        {"form": form, "s": selection},
    )


@perm_required(VIEW)
def nomination_page(request, nomination_id: int):
    n = _nomination(request, nomination_id)
    chain = []
    before = n.forwarded_from
    while before is not None:
        chain.append({"n": before, "steps": NOMINATION_FLOW.timeline(before)})
        before = before.forwarded_from
    manage = in_scope(request.user, n.selection.area, MANAGE)
    figures = selectors.talk_figures([n])["each"].get(n.pk, {"held": 0, "reached": 0})
    context = {
        "n": n,
        "s": n.selection,
        "place": place_labels([n.home])[n.home_id],
        "steps": NOMINATION_FLOW.timeline(n),
        "chain": chain,
        "comments": n.comments.select_related("by"),
        "photos": n.photos.all(),
        "manage": manage,
        "member": n.selection.committee.filter(pk=request.user.pk).exists(),
        "duplicates": selectors.duplicates_of(n) if manage else [],
        "targets": selectors.forward_targets(n) if n.status == "honoured" else [],
        "talks": selectors.talks_of(n),
        "figures": figures,
        "activities": selectors.talk_activities(user=request.user)[:100]
        if manage and n.status == "honoured"
        else [],
    }
    return render(request, "selections/workbench/nomination.html", context)


@require_POST
@perm_required(VIEW)
def nomination_act(request, nomination_id: int):
    n = _nomination(request, nomination_id)
    action = request.POST.get("action", "")
    post = request.POST
    target = None
    try:
        if action == "comment":
            nominations.comment_add(
                nomination=n,
                by=request.user,
                eligible=post.get("eligible") == "1",
                comment=post.get("comment", ""),
            )
        elif action == "merge":
            into = (
                selectors.nominations_in_scope(user=request.user)
                .filter(pk=_int(post.get("into")))
                .first()
            )
            if into is None:
                raise ValidationFailed(
                    _("Choose the nomination to merge into."), field="into"
                )
            nominations.nomination_merge(nomination=n, into=into, by=request.user)
            target = into.pk
        elif action == "forward":
            to = selectors.forward_targets(n).filter(pk=_int(post.get("to"))).first()
            if to is None:
                raise ValidationFailed(
                    _("Choose a selection at a level above."), field="to"
                )
            honours.nomination_forward(
                nomination=n, to=to, by=request.user, category=post.get("category", "")
            )
        elif action == "talk":
            activity = (
                selectors.talk_activities(user=request.user)
                .filter(pk=_int(post.get("activity")))
                .first()
            )
            if activity is None:
                raise ValidationFailed(_("Choose an activity."), field="activity")
            honours.talk_link(nomination=n, activity=activity, by=request.user)
        elif action == "photos":
            nominations.photos_add(
                nomination=n, photos=request.FILES.getlist("photos"), by=request.user
            )
        else:
            nominations.nomination_act(
                nomination=n,
                action=action,
                by=request.user,
                reason=post.get("reason", ""),
            )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Done."))
    if action == "decline":
        return redirect("selections:selection", n.selection_id)
    return redirect("selections:nomination", target or n.pk)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@perm_required(VIEW)
def certificate(request, nomination_id: int):
    n = _nomination(request, nomination_id)
    if n.status != "honoured":
        raise Http404
    return render(
        request,
        "selections/workbench/certificate.html",
        {"n": n, "s": n.selection, "today": timezone.localdate()},
    )


@perm_required(VIEW)
def photo(request, photo_id: int):
    item = get_object_or_404(
        NominationPhoto.objects.select_related("nomination"), pk=photo_id
    )
    _nomination(request, item.nomination_id)
    return photo_file_response(item.image)


@require_POST
@perm_required(VIEW)
def flag_decide(request, flag_id: int):
    flag = get_object_or_404(FraudFlag.objects.select_related("selection"), pk=flag_id)
    _selection(request, flag.selection_id)
    try:
        voting.flag_decide(
            flag=flag,
            action=request.POST.get("action", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect(
        reverse("selections:selection", args=[flag.selection_id]) + "#flags"
    )


@require_POST
@perm_required(VIEW)
def objection_answer(request, objection_id: int):
    objection = get_object_or_404(
        Objection.objects.select_related("nomination"), pk=objection_id
    )
    _selection(request, objection.nomination.selection_id)
    try:
        publicity.objection_answer(
            objection=objection,
            action=request.POST.get("action", ""),
            answer=request.POST.get("answer", ""),
            by=request.user,
        )
    except DomainError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The answer is recorded."))
    return redirect(
        reverse("selections:selection", args=[objection.nomination.selection_id])
        + "#objections"
    )


@perm_required(MANAGE)
def kinds_page(request):
    """The kinds of selection of the streets the user works in; a street's
    managers rename them, set categories, add their own."""
    streets = list(reach(request.user, VIEW, Kind.STREET))
    if request.method == "POST":
        try:
            kind = (
                get_object_or_404(
                    SelectionKind.objects.filter(street__in=streets),
                    pk=_int(request.POST.get("kind")),
                )
                if request.POST.get("kind")
                else None
            )
            if kind is not None:
                kinds.kind_update(
                    kind=kind,
                    name=request.POST.get("name", ""),
                    categories=request.POST.get("categories", ""),
                    active=request.POST.get("active") == "1",
                    by=request.user,
                )
            else:
                street = get_object_or_404(
                    Area.objects.filter(pk__in=[s.pk for s in streets]),
                    pk=_int(request.POST.get("street")),
                )
                kinds.kind_create(
                    street=street,
                    name=request.POST.get("name", ""),
                    nominee_type=request.POST.get("nominee_type", ""),
                    categories=request.POST.get("categories", ""),
                    by=request.user,
                )
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("Saved."))
        return redirect("selections:kinds")
    rows = [
        {
            "street": street,
            "kinds": kinds.kinds_ensure(street),
            "manage": in_scope(request.user, street, MANAGE),
        }
        for street in streets
    ]
    return render(request, "selections/workbench/kinds.html", {"rows": rows})
