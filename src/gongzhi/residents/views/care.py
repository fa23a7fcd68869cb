"""Grid care pages: the grid worker's due list and visit form (made for a
phone), incidents with their timeline, pairing aid, and the care plans a
street sets. Visits, incidents and pairings are read where the user sees
personal data and recorded where she records care; anything else is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can, user_find_by_phone
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths, scoped
from gongzhi.core.errors import DomainError, ValidationFailed
from gongzhi.core.forms import add_domain_error
from gongzhi.core.photos import photo_file_response

from .. import care_forms as cf
from ..homes import last_known_home
from ..models import Incident, IncidentKind, Person, VisitPhoto
from ..selectors import care as selectors
from ..selectors.people import open_tags, person_get
from ..services import care as services
from ..services.people import tag_types_for, tag_types_touching

DUE_PAGE_SIZE = 30
LIST_PAGE_SIZE = 50
MAX_PLACES = 300


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _area_param(request, perm: str, name: str = "area") -> Area | None:
    """The node ``?area=`` names, where the user holds ``perm``; 404
    anywhere else, as if it did not exist."""
    pk = _int_param(request, name)
    if pk is None:
        return None
    return get_object_or_404(
        scoped(Area.objects.all(), user=request.user, via="", perm=perm), pk=pk
    )


def _person_param(request, perm: str) -> Person:
    pk = _int_param(request, "person")
    if pk is None:
        raise Http404
    return person_get(user=request.user, pk=pk, perm=perm)


def _person_url(person: Person) -> str | None:
    try:
        return reverse("residents:person", args=[person.pk])
    except NoReverseMatch:
        return None


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return default


def _tags_in_scope(request, perm: str):
    return tag_types_touching(paths=scope_paths(request.user, perm))


def _address(area: Area) -> str:
    return selectors.addresses(paths=[area.path])[area.path]


# The due list


@perm_required(Perm.CARE_RECORD)
def care_due(request):
    """Who is due or overdue for a visit, most urgent first."""
    area = _area_param(request, Perm.CARE_RECORD)
    grids = selectors.care_grids(user=request.user)
    if area is not None and area not in grids:
        grids = [*grids, area]
    tags = [t for t in _tags_in_scope(request, Perm.CARE_RECORD)]
    form = cf.DueFilterForm(request.GET, grids=grids, tags=tags)
    tag = form.cleaned_data.get("tag") if form.is_valid() else None
    rows = selectors.care_due(user=request.user, area=area, tag=tag)
    page = Paginator(rows, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.care_due_dress(rows=page.object_list)
    context = {
        "form": form,
        "page": page,
        "total": len(rows),
        "overdue": sum(1 for r in rows if r.days_overdue > 0),
        "follow_ups": sum(1 for r in rows if r.follow_up),
        "today": selectors._today(),
    }
    return render(request, "residents/care/due.html", context)


# Visits


@perm_required(Perm.CARE_RECORD)
def visit_create(request):
    """Record a visit: a minute on a phone, then back to the due list."""
    person = _person_param(request, Perm.CARE_RECORD)
    incident_pk = _int_param(request, "incident")
    if incident_pk is not None:
        incident = selectors.incident_get(user=request.user, pk=incident_pk)
    else:  # a follow-up still due is what this visit answers
        incident = (
            Incident.objects.filter(person=person, follow_up_due__isnull=False)
            .order_by("follow_up_due")
            .first()
        )
    posted = request.method == "POST"
    form = (
        cf.VisitCreateForm(request.POST, request.FILES)
        if posted
        else cf.VisitCreateForm()
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_record(
                person=person,
                by=request.user,
                visited_on=data["visited_on"],
                form=data["form"],
                findings=data["findings"],
                needs=data["needs"],
                photos=data["photos"],
                incident=incident,
                request_wanted=data["request_wanted"],
                request=request,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Visit to %(name)s recorded.") % {"name": person.name}
            )
            return redirect(_next_url(request, reverse("residents:care_due")))
    context = {
        "person": person,
        "person_url": _person_url(person),
        "address": _address(last_known_home(person)),
        "status": selectors.person_care_status(person=person),
        "incident": incident,
        "form": form,
        "next": _next_url(request, ""),
    }
    return render(
        request,
        "residents/care/visit_form.html",
        context,
        status=400 if form.errors else 200,
    )


@perm_required(Perm.PERSONAL_VIEW)
def visit_list(request):
    person = None
    if request.GET.get("person"):
        person = _person_param(request, Perm.PERSONAL_VIEW)
    visits = selectors.visit_list(user=request.user, person=person)
    page = Paginator(visits, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "person": person,
        "person_url": _person_url(person) if person else None,
        "page": page,
        "can_record": person is not None
        and user_can(
            user=request.user, perm=Perm.CARE_RECORD, area=person.last_household
        ),
    }
    return render(request, "residents/care/visit_list.html", context)


@perm_required(Perm.PERSONAL_VIEW)
def visit_detail(request, visit_id: int):
    visit = selectors.visit_get(user=request.user, pk=visit_id)
    context = {
        "visit": visit,
        "photos": list(visit.photos.order_by("pk")),
        "address": _address(visit.household),
        "person_url": _person_url(visit.person),
    }
    return render(request, "residents/care/visit_detail.html", context)


@perm_required(Perm.PERSONAL_VIEW)
def visit_photo(request, visit_id: int, photo_id: int):
    """A visit photo, to those who may read the visit; never a public URL."""
    visit = selectors.visit_get(user=request.user, pk=visit_id)
    photo = get_object_or_404(VisitPhoto, visit=visit, pk=photo_id)
    return photo_file_response(photo.image)


# Incidents


def _incident_places(request, person: Person | None, area: Area | None):
    """Where an incident may be placed: the person's home and the nodes
    above it the user records care on; or the chosen node; or the grids,
    estates and buildings in reach."""
    base = last_known_home(person) or area
    if base is not None:
        nodes = [*Area.objects.get_ancestors(base), base]
        nodes = [n for n in nodes if in_scope(request.user, n, Perm.CARE_RECORD)]
        nodes.reverse()
    else:
        nodes = list(
            scoped(
                Area.objects.filter(
                    kind__in=[Kind.GRID, Kind.ESTATE, Kind.BUILDING],
                    retired_at__isnull=True,
                ),
                user=request.user,
                via="",
                perm=Perm.CARE_RECORD,
            ).order_by("path")[:MAX_PLACES]
        )
    labels = selectors.addresses(paths=[n.path for n in nodes])
    choices = []
    for node in nodes:
        label = labels[node.path] or node.name
        if node.kind == Kind.HOUSEHOLD and person is not None:
            label = _("At home: %(address)s") % {"address": label}
        choices.append((node.pk, label))
    return choices


@perm_required(Perm.CARE_RECORD)
def incident_create(request):
    person = None
    if request.GET.get("person"):
        person = _person_param(request, Perm.CARE_RECORD)
    area = _area_param(request, Perm.CARE_RECORD)
    places = _incident_places(request, person, area)
    posted = request.method == "POST"
    data = request.POST if posted else None
    form = cf.IncidentForm(data, places=places)
    calls = cf.CallFormSet(data, prefix="calls")
    # Without a person in the address, offer the people of the chosen place.
    who = None
    if person is None and area is not None:
        who = cf.IncidentPersonForm(data, people=selectors.incident_people(area=area))
    if posted and form.is_valid() & calls.is_valid() & (who is None or who.is_valid()):
        data = form.cleaned_data
        about = person
        if who is not None and who.cleaned_data["person"]:
            about = Person.objects.filter(pk=who.cleaned_data["person"]).first()
        try:
            where = Area.objects.get(pk=data["area"])
            incident = services.incident_record(
                by=request.user,
                area=where,
                person=about,
                kind=data["kind"],
                occurred_at=data["occurred_at"],
                description=data["description"],
                responders=data["responders"],
                outcome=data["outcome"],
                calls=cf.calls_from(calls, data["occurred_at"].date()),
                request=request,
            )
        except DomainError as exc:
            add_domain_error(who if exc.field == "person" and who else form, exc)
        else:
            messages.success(
                request,
                _("Incident recorded. A follow-up visit is due on %(date)s.")
                % {"date": incident.follow_up_due.isoformat()},
            )
            return redirect("residents:incident", incident_id=incident.pk)
    context = {
        "person": person,
        "address": _address(last_known_home(person)) if person else "",
        "form": form,
        "who": who,
        "calls": calls,
    }
    failed = posted and (
        form.errors or calls.total_error_count() or (who is not None and who.errors)
    )
    return render(
        request,
        "residents/care/incident_form.html",
        context,
        status=400 if failed else 200,
    )


@perm_required(Perm.PERSONAL_VIEW)
def incident_list(request):
    person = None
    if request.GET.get("person"):
        person = _person_param(request, Perm.PERSONAL_VIEW)
    open_only = request.GET.get("open") == "1"
    incidents = selectors.incident_list(
        user=request.user, person=person, open_only=open_only
    )
    page = Paginator(incidents, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = selectors.addresses(paths={i.area.path for i in page.object_list})
    context = {
        "person": person,
        "page": page,
        "rows": [(i, labels[i.area.path]) for i in page.object_list],
        "open_only": open_only,
        "can_record": user_can(user=request.user, perm=Perm.CARE_RECORD),
    }
    return render(request, "residents/care/incident_list.html", context)


def _incident_page(request, incident, *, status=200, **forms):
    can_act = incident.closed_at is None and in_scope(
        request.user, incident.area, Perm.CARE_RECORD
    )
    calls = [
        {**call, "label": services.CallTo.label(call["to"]), "at": _parse(call["at"])}
        for call in incident.calls
    ]
    context = {
        "incident": incident,
        "address": _address(incident.area),
        "calls": calls,
        "events": list(incident.events.select_related("by")),
        "follow_ups": list(incident.follow_ups.select_related("worker")),
        "can_act": can_act,
        "person_form": _person_form(request, incident, forms.get("person_form")),
        "person_url": _person_url(incident.person) if incident.person else None,
        "note_form": forms.get("note_form") or cf.IncidentNoteForm(),
        "call_form": forms.get("call_form") or cf.IncidentCallForm(),
        "outcome_form": forms.get("outcome_form") or cf.IncidentOutcomeForm(),
        "close_form": forms.get("close_form") or cf.IncidentCloseForm(),
    }
    return render(
        request, "residents/care/incident_detail.html", context, status=status
    )


def _person_form(request, incident, form=None):
    """The form naming whom an incident was about, while it names nobody."""
    if incident.person_id is not None or not in_scope(
        request.user, incident.area, Perm.CARE_RECORD
    ):
        return None
    if form is None:
        people = selectors.incident_people(area=incident.area)
        form = cf.IncidentPersonForm(people=people, required=True)
    return form


@require_POST
@perm_required(Perm.CARE_RECORD)
def incident_person(request, incident_id: int):
    """Name the person an incident was about; its follow-up joins them."""
    incident = selectors.incident_get(user=request.user, pk=incident_id)
    if not in_scope(request.user, incident.area, Perm.CARE_RECORD):
        raise Http404
    people = selectors.incident_people(area=incident.area)
    form = cf.IncidentPersonForm(request.POST, people=people, required=True)
    if form.is_valid():
        person = get_object_or_404(Person, pk=form.cleaned_data["person"])
        try:
            services.incident_person_set(
                incident=incident, person=person, by=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The follow-up visit is now due for %(name)s.")
                % {"name": person.name},
            )
            return redirect("residents:incident", incident_id=incident.pk)
    return _incident_page(request, incident, status=400, person_form=form)


def _parse(value: str):
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@perm_required(Perm.PERSONAL_VIEW)
def incident_detail(request, incident_id: int):
    incident = selectors.incident_get(user=request.user, pk=incident_id)
    return _incident_page(request, incident)


def _incident_action(request, incident_id: int, form_class, key: str, perform, done):
    incident = selectors.incident_get(user=request.user, pk=incident_id)
    if not in_scope(request.user, incident.area, Perm.CARE_RECORD):
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(incident, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("residents:incident", incident_id=incident.pk)
    return _incident_page(request, incident, status=400, **{key: form})


@require_POST
@perm_required(Perm.CARE_RECORD)
def incident_note(request, incident_id: int):
    return _incident_action(
        request,
        incident_id,
        cf.IncidentNoteForm,
        "note_form",
        lambda incident, data: services.incident_note_add(
            incident=incident, by=request.user, note=data["note"]
        ),
        _("Note added."),
    )


@require_POST
@perm_required(Perm.CARE_RECORD)
def incident_call(request, incident_id: int):
    return _incident_action(
        request,
        incident_id,
        cf.IncidentCallForm,
        "call_form",
        lambda incident, data: services.incident_call_add(
            incident=incident,
            by=request.user,
            to=data["to"],
            at=data["at"],
            note=data["note"],
        ),
        _("Call added."),
    )


@require_POST
@perm_required(Perm.CARE_RECORD)
def incident_outcome(request, incident_id: int):
    return _incident_action(
        request,
        incident_id,
        cf.IncidentOutcomeForm,
        "outcome_form",
        lambda incident, data: services.incident_outcome_record(
            incident=incident, by=request.user, outcome=data["outcome"]
        ),
        _("Outcome recorded."),
    )


@require_POST
@perm_required(Perm.CARE_RECORD)
def incident_close(request, incident_id: int):
    return _incident_action(
        request,
        incident_id,
        cf.IncidentCloseForm,
        "close_form",
        lambda incident, data: services.incident_close(
            incident=incident, by=request.user, note=data["note"]
        ),
        _("Incident closed."),
    )


# Pairing aid


@perm_required(Perm.PERSONAL_VIEW)
def pairing_list(request):
    household = _area_param(request, Perm.PERSONAL_VIEW, name="household")
    current_only = request.GET.get("all") != "1"
    pairings = selectors.pairing_list(
        user=request.user, household=household, current_only=current_only
    )
    page = Paginator(pairings, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    labels = selectors.addresses(paths={p.household.path for p in page.object_list})
    context = {
        "household": household,
        "page": page,
        "rows": [(p, labels[p.household.path]) for p in page.object_list],
        "current_only": current_only,
    }
    return render(request, "residents/care/pairing_list.html", context)


@perm_required(Perm.CARE_RECORD)
def pairing_create(request):
    if request.GET.get("person"):
        person = _person_param(request, Perm.CARE_RECORD)
        household = last_known_home(person)
    else:
        household = _area_param(request, Perm.CARE_RECORD, name="household")
    if household is None or household.kind != Kind.HOUSEHOLD:
        raise Http404
    form = cf.PairingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partner = None
            if data["partner_phone"]:
                phone = clean_phone(data["partner_phone"], field="partner_phone")
                partner = user_find_by_phone(phone=phone)
                if partner is None:
                    raise ValidationFailed(
                        _("No account has this phone number."), field="partner_phone"
                    )
            pairing = services.pairing_create(
                household=household,
                partner_name=data["partner_name"],
                partner_user=partner,
                started_on=data["started_on"],
                note=data["note"],
                by=request.user,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(partner)s is now paired with %(address)s.")
                % {"partner": pairing.partner_name, "address": _address(household)},
            )
            return redirect("residents:pairing", pairing_id=pairing.pk)
    context = {"household": household, "address": _address(household), "form": form}
    return render(
        request,
        "residents/care/pairing_form.html",
        context,
        status=400 if form.errors else 200,
    )


def _pairing_page(request, pairing, *, status=200, **forms):
    context = {
        "pairing": pairing,
        "address": _address(pairing.household),
        "deliveries": list(
            pairing.deliveries.select_related("recorded_by").order_by(
                "-delivered_on", "-pk"
            )
        ),
        "residents": list(
            Person.objects.filter(household=pairing.household).order_by("pk")
        ),
        "can_act": pairing.ended_on is None
        and in_scope(request.user, pairing.household, Perm.CARE_RECORD),
        "delivery_form": forms.get("delivery_form") or cf.PairingDeliveryForm(),
        "end_form": forms.get("end_form") or cf.PairingEndForm(),
    }
    return render(request, "residents/care/pairing_detail.html", context, status=status)


@perm_required(Perm.PERSONAL_VIEW)
def pairing_detail(request, pairing_id: int):
    pairing = selectors.pairing_get(user=request.user, pk=pairing_id)
    return _pairing_page(request, pairing)


def _pairing_action(request, pairing_id: int, form_class, key, perform, done):
    pairing = selectors.pairing_get(user=request.user, pk=pairing_id)
    if not in_scope(request.user, pairing.household, Perm.CARE_RECORD):
        raise Http404
    form = form_class(request.POST)
    if form.is_valid():
        try:
            perform(pairing, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("residents:pairing", pairing_id=pairing.pk)
    return _pairing_page(request, pairing, status=400, **{key: form})


@require_POST
@perm_required(Perm.CARE_RECORD)
def pairing_deliver(request, pairing_id: int):
    return _pairing_action(
        request,
        pairing_id,
        cf.PairingDeliveryForm,
        "delivery_form",
        lambda pairing, data: services.pairing_delivery_record(
            pairing=pairing,
            what=data["what"],
            delivered_on=data["delivered_on"],
            by=request.user,
        ),
        _("Delivery recorded."),
    )


@require_POST
@perm_required(Perm.CARE_RECORD)
def pairing_end(request, pairing_id: int):
    return _pairing_action(
        request,
        pairing_id,
        cf.PairingEndForm,
        "end_form",
        lambda pairing, data: services.pairing_end(
            pairing=pairing, ended_on=data["ended_on"], by=request.user
        ),
        _("Pairing ended."),
    )


# Care plans


@perm_required(Perm.TAG_CONFIGURE)
def care_plans(request):
    """How often each key population is visited under an area: empty
    boxes inherit the plan above, or the tag's default."""
    area = _area_param(request, Perm.TAG_CONFIGURE)
    roots = list(
        Area.objects.filter(
            path__in=scope_paths(request.user, Perm.TAG_CONFIGURE)
        ).order_by("path")
    )
    if area is None:
        area = roots[0]
    if area.kind == Kind.HOUSEHOLD:
        raise Http404
    rows = selectors.care_plan_rows(area=area, tags=tag_types_for(area=area))
    data = request.POST if request.method == "POST" else None
    form = cf.CarePlanForm(data, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            services.care_plans_save(
                area=area, intervals=form.intervals(), by=request.user
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Care plans of %(area)s saved.") % {"area": area.name}
            )
            return redirect(f"{reverse('residents:care_plans')}?area={area.pk}")
    children = scoped(
        Area.objects.get_children(area).filter(retired_at__isnull=True),
        user=request.user,
        via="",
        perm=Perm.TAG_CONFIGURE,
    ).exclude(kind=Kind.HOUSEHOLD)
    context = {
        "area": area,
        "roots": roots,
        "ancestors": [
            a
            for a in Area.objects.get_ancestors(area)
            if in_scope(request.user, a, Perm.TAG_CONFIGURE)
        ],
        "children": list(children.order_by("path")[:MAX_PLACES]),
        "below": list(selectors.care_plans_below(area=area)[:MAX_PLACES]),
        "form": form,
    }
    return render(
        request,
        "residents/care/plans.html",
        context,
        status=400 if form.errors else 200,
    )


# The care summary on a person's page (loaded by htmx from _person_care.html)


@perm_required(Perm.PERSONAL_VIEW)
def person_care(request, person_id: int):
    person = person_get(user=request.user, pk=person_id)
    can_record = user_can(
        user=request.user, perm=Perm.CARE_RECORD, area=person.last_household
    )
    context = {
        "person": person,
        "status": selectors.person_care_status(person=person),
        "visits": list(selectors.visit_list(user=request.user, person=person)[:5]),
        "incidents": list(
            selectors.incident_list(user=request.user, person=person)[:5]
        ),
        "pairings": list(
            selectors.pairing_list(
                user=request.user,
                household=last_known_home(person),
                current_only=True,
            )
        ),
        "tags": open_tags([person]).get(person.pk, []),
        "can_record": can_record and person.household_id is not None,
        "kinds": IncidentKind,
    }
    return render(request, "residents/care/_person_care_body.html", context)


urlpatterns = [
    path("care/due/", care_due, name="care_due"),
    path("care/plans/", care_plans, name="care_plans"),
    path("care/visits/", visit_list, name="visits"),
    path("care/visits/new/", visit_create, name="visit_create"),
    path("care/visits/<int:visit_id>/", visit_detail, name="visit"),
    path(
        "care/visits/<int:visit_id>/photos/<int:photo_id>/",
        visit_photo,
        name="visit_photo",
    ),
    path("care/incidents/", incident_list, name="incidents"),
    path("care/incidents/new/", incident_create, name="incident_create"),
    path("care/incidents/<int:incident_id>/", incident_detail, name="incident"),
    path("care/incidents/<int:incident_id>/note/", incident_note, name="incident_note"),
    path(
        "care/incidents/<int:incident_id>/person/",
        incident_person,
        name="incident_person",
    ),
    path("care/incidents/<int:incident_id>/call/", incident_call, name="incident_call"),
    path(
        "care/incidents/<int:incident_id>/outcome/",
        incident_outcome,
        name="incident_outcome",
    ),
    path(
        "care/incidents/<int:incident_id>/close/", incident_close, name="incident_close"
    ),
    path("care/pairings/", pairing_list, name="pairings"),
    path("care/pairings/new/", pairing_create, name="pairing_create"),
    path("care/pairings/<int:pairing_id>/", pairing_detail, name="pairing"),
    path(
        "care/pairings/<int:pairing_id>/deliveries/",
        pairing_deliver,
        name="pairing_deliver",
    ),
    path("care/pairings/<int:pairing_id>/end/", pairing_end, name="pairing_end"),
    path("care/people/<int:person_id>/", person_care, name="person_care"),
]
