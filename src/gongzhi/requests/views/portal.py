"""急难愁盼 on a resident's phone: 我要点单 (with likely duplicates shown
while she types, to follow instead), 我的诉求 (and 我关注的, what she
follows), and one request's status and timeline, where she rates it once
resolved and may reopen it once after 不满意.

Her own requests open here in full. Another's open request of her
community, or one she follows, opens as its status and place only (its
words when made public); any other answers 404.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.areas.models import Area
from gongzhi.areas.selectors import with_places
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.residents.homes import last_known_community, last_known_home

from .. import selectors, services
from ..states import MAX_REOPEN, OPEN, Rating
from . import _reads
from ._forms import RaiseForm, RateForm, ReasonForm


def _person(request):
    return getattr(request.user, "person", None)


def _unlinked(request):
    return render(request, "requests/portal/unlinked.html")


def _mine(request, request_id: int):
    person = _person(request)
    if person is None:
        raise Http404
    return person, get_object_or_404(selectors.requests_of(person), pk=request_id)


@login_required
def portal_requests(request):
    """我的诉求: her requests, newest first, open ones marked."""
    person = _person(request)
    if person is None:
        return _unlinked(request)
    found = list(selectors.requests_of(person)[:100])
    followed = list(selectors.requests_followed(person)[:100])
    with_places([*found, *followed])
    return render(
        request,
        "requests/portal/list.html",
        {"found": found, "followed": followed, "open": OPEN},
    )


def _raise_form(request, person, data=None, files=None):
    home = last_known_home(person)
    community = last_known_community(person)
    if home is None or community is None:
        return None
    places = _reads.places_in(community)
    return RaiseForm(
        data,
        files,
        categories=selectors.categories_at(home),
        places=places,
        home=home,
        initial={"key": uuid.uuid4().hex},
    )


@login_required
def portal_raise(request):
    """我要点单: category, what, where (her home, or an estate or building
    of her community), photos, whether it may be shown."""
    person = _person(request)
    if person is None:
        return _unlinked(request)
    if request.method != "POST":
        form = _raise_form(request, person)
        if form is None:
            return _unlinked(request)
        return render(request, "requests/portal/raise.html", {"form": form})
    form = _raise_form(request, person, request.POST, request.FILES)
    if form is None:
        return _unlinked(request)
    if form.is_valid():
        data = form.cleaned_data
        area = Area.objects.filter(pk=data["area"]).first()
        try:
            made = services.request_raise(
                category=data["category"],
                area=area,
                description=data["description"],
                by=request.user,
                reporter=person,
                public=data["public"],
                photos=data["photos"],
                idempotency_key=data["key"] or "",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request is in. Its tracking number is %(number)s.")
                % {"number": made.number},
            )
            return redirect("requests:portal_request", request_id=made.pk)
    return render(request, "requests/portal/raise.html", {"form": form}, status=400)


@login_required
def portal_duplicates(request):
    """The htmx answer while she fills in: open requests of the same
    category at the same building or estate, to follow instead."""
    person = _person(request)
    community = last_known_community(person)
    if community is None:
        raise Http404
    try:
        category_id = int(request.GET.get("category") or 0)
        area_id = int(request.GET.get("area") or 0)
    except ValueError:
        category_id = area_id = 0
    found = []
    area = Area.objects.filter(pk=area_id, path__within=community.path).first()
    if area is not None and category_id:
        category = selectors.categories_at(area).filter(pk=category_id).first()
        if category is not None:
            found = with_places(
                selectors.duplicates_suggest(category=category, area=area)
            )
    followed = selectors.followed_among(person, [d.pk for d in found])
    return render(
        request,
        "requests/portal/_duplicates.html",
        {"found": found, "followed": followed, "mine": person.pk},
    )


def _similar(request, request_id: int):
    person = _person(request)
    if person is None:
        raise Http404
    return person, _reads.similar_get(person=person, pk=request_id)


@login_required
def portal_similar(request, request_id: int):
    """A request of her community someone else raised, open or one she
    follows: its status and place, its words and what was done only when
    made public; no one's name. She follows it here, or stops."""
    person, found = _similar(request, request_id)
    if found.reporter_id == person.pk:
        return redirect("requests:portal_request", request_id=found.pk)
    following = bool(selectors.followed_among(person, [found.pk]))
    return render(
        request,
        "requests/portal/similar.html",
        {"sr": found, "following": following},
    )


@login_required
@require_POST
def portal_follow(request, request_id: int):
    """关注: the request joins 我关注的."""
    _her, found = _similar(request, request_id)
    try:
        services.request_follow(service_request=found, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("You follow %(number)s: find it under Requests I follow (我关注的).")
            % {"number": found.number},
        )
    return redirect("requests:portal_similar", request_id=found.pk)


@login_required
@require_POST
def portal_unfollow(request, request_id: int):
    """取消关注; a request no longer open then leaves her sight."""
    person, found = _similar(request, request_id)
    services.request_unfollow(service_request=found, by=request.user)
    messages.success(
        request, _("You no longer follow %(number)s.") % {"number": found.number}
    )
    if selectors.requests_followable(person=person).filter(pk=found.pk).exists():
        return redirect("requests:portal_similar", request_id=found.pk)
    return redirect("requests:portal_requests")


def _detail_context(request, item, *, rate_form=None, reopen_form=None) -> dict:
    actions = selectors.actions_for(user=request.user, service_request=item)
    may_reopen = (
        "reopen" in actions
        and item.rating == Rating.DISSATISFIED
        and item.reopened_count < MAX_REOPEN
    )
    return {
        "sr": item,
        "steps": selectors.timeline(item),
        "photos": list(item.photos.all()),
        "may_rate": "rate" in actions,
        "may_reopen": may_reopen,
        "rate_form": rate_form or RateForm(),
        "reopen_form": reopen_form or ReasonForm(),
    }


@login_required
def portal_request(request, request_id: int):
    """One of her requests: number, status, timeline, photos; rate it
    when resolved, reopen it once after 不满意."""
    _person_, item = _mine(request, request_id)
    return render(
        request, "requests/portal/detail.html", _detail_context(request, item)
    )


@login_required
def portal_photo(request, request_id: int, photo_id: int):
    _person_, item = _mine(request, request_id)
    return photo_file_response(_reads.photo_get(item, photo_id).image)


@login_required
@require_POST
def portal_rate(request, request_id: int):
    _person_, item = _mine(request, request_id)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.request_rate(
                service_request=item,
                by=request.user,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("requests:portal_request", request_id=item.pk)
    item.refresh_from_db()
    context = _detail_context(request, item, rate_form=form)
    return render(request, "requests/portal/detail.html", context, status=400)


@login_required
@require_POST
def portal_reopen(request, request_id: int):
    _person_, item = _mine(request, request_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.request_reopen(
                service_request=item,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Reopened. The community will look at it again.")
            )
            return redirect("requests:portal_request", request_id=item.pk)
    item.refresh_from_db()
    context = _detail_context(request, item, reopen_form=form)
    return render(request, "requests/portal/detail.html", context, status=400)
