"""急难愁盼 in the workbench: a community's dispatching desk (派单), a
street's desk for escalations (吹哨, 部门报到), a handler's queue (我的工单,
usable on a phone), the pool teams take from (抢单), raising on a
resident's behalf, and one request with every step the login may take
on it, each a small form.

A request the login may not open answers 404; a desk of a community or
street out of reach, too. Steps go through the services, which refuse
what the login may not do, and a form sent with bad input shows the
refusal on its field and changes nothing.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.areas.models import Area
from gongzhi.areas.selectors import with_places
from gongzhi.areas.tree import street_of
from gongzhi.core.errors import DomainError, NotAllowed, ValidationFailed
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response
from gongzhi.residents.homes import last_known_home
from gongzhi.residents.selectors.people import PeopleFilter, people_search

from .. import selectors, services
from ..services.rules import handled_by
from ..states import Status
from . import _reads
from ._forms import (
    CallbackForm,
    DecideForm,
    DispatchForm,
    EscalateForm,
    MergeForm,
    NoteForm,
    ReasonForm,
    ResolveForm,
    StaffRaiseForm,
    StreetDispatchForm,
    TeamForm,
    TransferForm,
)

PER_PAGE = 50


def _dressed(rows) -> list:
    """A page of requests as the desks show them: each place named in full
    and each holder told apart from its namesakes, for the page at once."""
    return selectors.with_assignee_names(with_places(rows))


def desk_required(view):
    """The workbench, or a queue to work (a team's leader without a
    workbench role works hers too); anyone else gets 404."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (
            user_can(user=request.user, perm=Perm.WORKBENCH) or handled_by(request.user)
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _nav(request) -> dict:
    user = request.user
    return {
        "may_view": user_can(user=user, perm=Perm.REQUEST_VIEW),
        "may_raise": user_can(user=user, perm=Perm.REQUEST_DISPATCH),
        "handles": bool(handled_by(user)),
        "streets": _reads.streets_for(user=user),
        "may_configure": user_can(user=user, perm=Perm.REQUEST_CONFIGURE),
    }


def _several_communities(rows) -> bool:
    """Whether a list spans communities, so each row names its own."""
    return len({row.community_id for row in rows}) > 1


def _chosen(options, value):
    return next((o for o in options if str(o.pk) == (value or "")), None)


# Desks


@perm_required(Perm.REQUEST_VIEW)
def desk(request):
    """A community's desk: what waits for the dispatcher by default, or
    filtered by status, category and overdue; overdue first, then urgent,
    then the soonest deadline."""
    communities = list(_reads.communities_for(user=request.user))
    # A grid worker or building leader sees no whole community: her desk
    # lists what is placed in her reach.
    community = communities[0] if communities else None
    if request.GET.get("community"):
        community = _chosen(communities, request.GET.get("community"))
        if community is None:
            raise Http404
    status = request.GET.get("status", "")
    categories = (
        selectors.categories_at(community)
        if community is not None
        else selectors.Category.objects.filter(active=True).order_by("name")
    )
    try:
        category = int(request.GET.get("category") or 0)
    except ValueError:
        category = 0
    overdue = request.GET.get("overdue") == "1"
    found = _reads.desk_list(
        user=request.user,
        community=community,
        status=status,
        category=category or None,
        overdue=overdue,
    )
    found = selectors.with_followers(found)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_nav(request),
        "communities": communities,
        "community": community,
        "status": status,
        "statuses": Status.choices,
        "categories": categories,
        "category": category,
        "overdue": overdue,
        "page": page,
        "rows": _dressed(page.object_list),
        "now": timezone.now(),
    }
    return render(request, "requests/workbench/desk.html", context)


@perm_required(Perm.REQUEST_DISPATCH)
def street_desk(request):
    """A street's desk: escalations (吹哨) waiting for a department, and
    what its departments still have open."""
    streets = _reads.streets_for(user=request.user)
    if not streets:
        raise Http404
    street = streets[0]
    if request.GET.get("street"):
        street = _chosen(streets, request.GET.get("street"))
        if street is None:
            raise Http404
    found = selectors.with_followers(
        selectors.queue_for_street(user=request.user, street=street)
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **_nav(request),
        "street": street,
        "page": page,
        "rows": _dressed(page.object_list),
        "now": timezone.now(),
    }
    return render(request, "requests/workbench/street.html", context)


@desk_required
def my_queue(request):
    """我的工单: the work of every queue the login works, on a phone too."""
    rows = _dressed(
        selectors.with_followers(selectors.queue_for_handler(user=request.user))[:200]
    )
    pooled = selectors.pool_for(user=request.user).count()
    context = {
        **_nav(request),
        "rows": rows,
        "several": _several_communities(rows),
        "pooled": pooled,
        "now": timezone.now(),
    }
    return render(request, "requests/workbench/mine.html", context)


@desk_required
def pool(request):
    """抢单: pooled requests the login's teams may take; first wins."""
    rows = _dressed(
        selectors.with_followers(selectors.pool_for(user=request.user))[:200]
    )
    for item in rows:
        item.my_teams = _reads.my_pool_teams(user=request.user, service_request=item)
    context = {
        **_nav(request),
        "rows": rows,
        "several": _several_communities(rows),
        "now": timezone.now(),
    }
    return render(request, "requests/workbench/pool.html", context)


@desk_required
@require_POST
def take(request, request_id: int):
    """抢单 from the pool; the loser of a race is told who took it."""
    item = selectors.request_visible(user=request.user).filter(pk=request_id).first()
    if item is None:
        # Another team won the race: the request left the pool and with
        # it the loser's sight; tell her rather than answer 404.
        taken = _reads.pool_taken(user=request.user, pk=request_id)
        if taken is None:
            raise Http404
        messages.error(
            request,
            _("Too late: %(team)s has taken %(number)s already.")
            % {"team": taken.team, "number": taken.number},
        )
        return redirect("requests:pool")
    teams = _reads.my_pool_teams(user=request.user, service_request=item)
    team = _chosen(teams, request.POST.get("team")) or (teams[0] if teams else None)
    if team is None:
        messages.error(request, _("None of your teams may take this request."))
        return redirect("requests:pool")
    try:
        services.request_take(service_request=item, team=team, by=request.user)
    except DomainError as exc:
        messages.error(request, f"{item.number}：{exc.message}")
        return redirect("requests:pool")
    messages.success(
        request,
        _("%(number)s is yours: %(team)s took it.")
        % {"number": item.number, "team": team.name},
    )
    return redirect("requests:request", request_id=item.pk)


# One request


# The forms of the steps, by the name the page posts to.
STEP_NAMES = {
    "transfer_approve": "transfer_decide",
    "transfer_decline": "transfer_decide",
    "callback_missed": "callback",
}
STEPS = (
    "accept",
    "contact",
    "start",
    "resolve",
    "return",
    "transfer",
    "take",
    "dispatch",
    "pool",
    "transfer_decide",
    "escalate",
    "street_dispatch",
    "callback",
    "reject",
    "merge",
    "reopen",
)


def _form(step: str, item, user, data=None, files=None):
    if step == "dispatch":
        return DispatchForm(data, assignees=selectors.assignees_for(item))
    if step == "take":
        teams = _reads.my_pool_teams(user=user, service_request=item)
        choices = item.category.teams.filter(pk__in=[t.pk for t in teams])
        return TeamForm(data, teams=choices)
    if step == "transfer":
        return TransferForm(data, teams=_reads.transfer_teams(item))
    if step == "street_dispatch":
        street = street_of(item.community)
        return StreetDispatchForm(data, departments=selectors.departments_of(street))
    if step == "resolve":
        return ResolveForm(data, files)
    if step == "callback":
        return CallbackForm(data)
    if step == "merge":
        return MergeForm(data)
    if step == "escalate":
        return EscalateForm(data)
    if step == "transfer_decide":
        return DecideForm(data)
    if step in ("return", "reject", "reopen"):
        return ReasonForm(data)
    return NoteForm(data)


def _steps(user, item) -> list[str]:
    allowed = selectors.actions_for(user=user, service_request=item)
    names = {STEP_NAMES.get(a, a) for a in allowed if a != "rate"}
    return [s for s in STEPS if s in names]


def _detail_context(
    request, item, *, bound: tuple[str, object] | None = None, phone_full: str = ""
):
    steps = _steps(request.user, item)
    forms = {}
    for step in steps:
        if bound is not None and bound[0] == step:
            forms[step] = bound[1]
        else:
            forms[step] = _form(step, item, request.user)
    if bound is not None and bound[0] not in forms:
        forms[bound[0]] = bound[1]
        steps.append(bound[0])
    reporter = item.reporter if item.reporter_id else None
    return {
        **_nav(request),
        "sr": item,
        "reporter": reporter,
        "may_call": services.may_call_reporter(service_request=item, by=request.user),
        "phone_full": phone_full,
        "phone_masked": (
            reporter.phone_masked
            if reporter is not None
            else item.contact_phone_masked
            if item.contact_phone_encrypted
            else ""
        ),
        "steps": [(step, forms[step]) for step in steps],
        "open_step": bound[0] if bound is not None else "",
        "timeline": selectors.timeline(item, internal=True),
        "photos": list(item.photos.all()),
        "callbacks": list(item.callbacks.select_related("by")),
        "merged": list(item.merged.all()),
        "followers": item.follows.count(),
        "now": timezone.now(),
    }


@desk_required
def request_page(request, request_id: int):
    """One request: reporter (phone masked), place, photos, deadlines,
    how many residents follow it, the internal timeline, and the steps
    the login may take."""
    item = selectors.request_get(user=request.user, pk=request_id)
    return render(
        request, "requests/workbench/detail.html", _detail_context(request, item)
    )


@desk_required
@require_POST
def request_phone(request, request_id: int):
    """显示电话: the reporter's full number with a tel: link, for the
    assignee who must call her; the reveal is audited. htmx swaps in the
    number alone; without script the page comes back with it."""
    item = selectors.request_get(user=request.user, pk=request_id)
    try:
        phone = services.request_phone_reveal(
            service_request=item, by=request.user, request=request
        )
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("requests:request", request_id=item.pk)
    if request.htmx:
        return render(request, "requests/workbench/_phone.html", {"phone": phone})
    context = _detail_context(request, item, phone_full=phone)
    return render(request, "requests/workbench/detail.html", context)


@desk_required
def request_photo(request, request_id: int, photo_id: int):
    item = selectors.request_get(user=request.user, pk=request_id)
    return photo_file_response(_reads.photo_get(item, photo_id).image)


def _version(request):
    try:
        return int(request.POST.get("version") or 0) or None
    except ValueError:
        return None


def _run(step: str, form, item, request) -> None:
    """Call the step's service with the form's data; refusals propagate."""
    data = form.cleaned_data
    by = request.user
    common = {"service_request": item, "by": by}
    version = _version(request)
    if step == "dispatch":
        to = form.assignee()
        if to is None:
            raise ValidationFailed(_("Choose a team or an organization."), field="to")
        services.request_dispatch(**common, to=to, note=data["note"], version=version)
    elif step == "take":
        services.request_take(**common, team=data["team"])
    elif step == "transfer":
        services.request_transfer(
            **common, to=data["to"], reason=data["reason"], version=version
        )
    elif step == "transfer_decide":
        services.request_transfer_decide(
            **common,
            approve=request.POST.get("decision") == "approve",
            note=data["note"],
            version=version,
        )
    elif step == "street_dispatch":
        services.request_street_dispatch(
            **common, to=data["to"], note=data["note"], version=version
        )
    elif step == "resolve":
        services.request_resolve(
            **common,
            resolution=data["resolution"],
            photos=data["photos"],
            version=version,
        )
    elif step == "callback":
        services.request_callback(
            **common, reached=data["reached"], rating=data["rating"], note=data["note"]
        )
    elif step == "merge":
        into = _reads.request_by_number(user=by, number=data["into"])
        if into is None:
            raise ValidationFailed(
                _("No request you can open has this tracking number."), field="into"
            )
        services.request_merge(**common, into=into, note=data["note"], version=version)
    elif step == "contact":
        services.request_contact(**common, note=data["note"])
    elif step == "reopen":
        services.request_reopen(**common, reason=data["reason"])
    elif step in ("return", "reject"):
        service = {
            "return": services.request_return,
            "reject": services.request_reject,
        }[step]
        service(**common, reason=data["reason"], version=version)
    else:
        service = {
            "accept": services.request_accept,
            "pool": services.request_pool,
            "escalate": services.request_escalate,
            "start": services.request_start,
        }[step]
        service(**common, note=data["note"], version=version)


DONE = {
    "dispatch": _("Dispatched (派单)."),
    "pool": _("Put in the pool for teams to take (抢单)."),
    "take": _("Taken (抢单): it is yours."),
    "accept": _("Accepted (接单)."),
    "contact": _("Contact with the resident recorded."),
    "return": _("Returned to the dispatcher (退单)."),
    "transfer": _("Transfer requested (转单); the dispatcher decides."),
    "transfer_decide": _("Transfer decided."),
    "escalate": _("Escalated to the street (吹哨)."),
    "street_dispatch": _("Dispatched to the department (部门报到)."),
    "start": _("Work started."),
    "resolve": _("Resolved (办结); the resident is asked to rate it."),
    "callback": _("Call back (回访) recorded."),
    "reject": _("Rejected; the resident sees the reason."),
    "merge": _("Merged."),
    "reopen": _("Reopened."),
}


@desk_required
@require_POST
def request_step(request, request_id: int, step: str):
    """One step from the request's page; a refusal re-renders the page
    with the refusal on the step's form (400) and nothing changed; a
    step the login may not take at all answers 404."""
    if step not in STEPS:
        raise Http404
    item = selectors.request_get(user=request.user, pk=request_id)
    form = _form(step, item, request.user, request.POST, request.FILES)
    if form.is_valid():
        try:
            _run(step, form, item, request)
        except NotAllowed:
            # Not hers to take at all: as for a page out of reach.
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{item.number}：{DONE[step]}")
            still = selectors.request_visible(user=request.user).filter(pk=item.pk)
            if still.exists():
                return redirect("requests:request", request_id=item.pk)
            return redirect("requests:mine")
    item = selectors.request_get(user=request.user, pk=request_id)
    context = _detail_context(request, item, bound=(step, form))
    return render(request, "requests/workbench/detail.html", context, status=400)


# Raising on a resident's behalf


def _raise_form(request, community, data=None, files=None):
    return StaffRaiseForm(
        data,
        files,
        categories=selectors.categories_at(community),
        places=_reads.places_in(community),
        initial={"key": uuid.uuid4().hex},
    )


def _people(request, community, q: str = ""):
    return people_search(
        user=request.user,
        filters=PeopleFilter(q=q, area=community),
    )


@perm_required(Perm.REQUEST_RAISE)
def staff_raise(request):
    """点单 for someone: find the resident (or type a contact), then the
    category, place and what is wrong."""
    communities = list(
        _reads.communities_for(user=request.user, perm=Perm.REQUEST_RAISE)
    )
    if not communities:
        raise Http404
    value = request.POST.get("community") or request.GET.get("community")
    community = _chosen(communities, value) if value else communities[0]
    if community is None:
        raise Http404
    if request.method != "POST":
        form = _raise_form(request, community)
        return render(
            request,
            "requests/workbench/raise.html",
            {
                **_nav(request),
                "form": form,
                "communities": communities,
                "community": community,
            },
        )
    form = _raise_form(request, community, request.POST, request.FILES)
    person = None
    if form.is_valid():
        data = form.cleaned_data
        chosen = request.POST.get("person") or ""
        if chosen:
            person = (
                _people(request, community).filter(pk=chosen).first()
                if chosen.isdigit()
                else None
            )
            if person is None:
                form.add_error(
                    "contact_name", _("Choose a resident from the search results.")
                )
        elif not data["contact_name"]:
            form.add_error(
                "contact_name",
                _("Find the resident, or enter a contact name and phone."),
            )
    if form.is_valid():
        area = None
        if data["area"]:
            area = Area.objects.filter(pk=data["area"]).first()
        elif person is not None:
            area = last_known_home(person)
        area = area or community
        try:
            made = services.request_raise(
                category=data["category"],
                area=area,
                description=data["description"],
                by=request.user,
                reporter=person,
                public=data["public"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                photos=data["photos"],
                idempotency_key=data["key"] or "",
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Raised. Its tracking number is %(number)s.")
                % {"number": made.number},
            )
            return redirect("requests:request", request_id=made.pk)
    context = {
        **_nav(request),
        "form": form,
        "communities": communities,
        "community": community,
        "person": person,
    }
    return render(request, "requests/workbench/raise.html", context, status=400)


@perm_required(Perm.REQUEST_RAISE)
def raise_people(request):
    """The htmx search for the resident to raise for: by name, pinyin
    initials or phone, in the chosen community within the login's reach
    for personal data; phones masked."""
    communities = list(
        _reads.communities_for(user=request.user, perm=Perm.REQUEST_RAISE)
    )
    community = _chosen(communities, request.GET.get("community"))
    if community is None:
        raise Http404
    q = (request.GET.get("q") or "").strip()[:50]
    found = (
        with_places(
            _people(request, community, q).select_related("last_household")[:20],
            via="last_household",
        )
        if q
        else []
    )
    return render(request, "requests/workbench/_people.html", {"found": found, "q": q})
