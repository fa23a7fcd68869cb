"""诉求设置 in the workbench: a street's or a community's categories (how
each is timed and routed), a street's departments (部门报到), and who works
a team's, an organization's or a department's queue.

Each page needs request.configure where the place (or the queue) is; any
other place answers 404. Every write goes through the services: a form
sent with bad input shows the refusal on its field (400) and changes
nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import is_within, street_of
from gongzhi.core.errors import (
    DomainError,
    NotAllowed,
    ValidationFailed,
    fields_renamed,
)
from gongzhi.core.forms import add_domain_error

from .. import selectors_setup as reads
from .. import services
from ..models import Category
from ..services.rules import assignee_area, assignee_field
from ._setup_forms import CategoryForm, DepartmentForm, HandlerForm, category_initial
from .workbench import _chosen, _nav

QUEUE_LABELS = {
    "team": _("Service team"),
    "organization": _("Property company or unit"),
    "department": _("Street department"),
}


def _place(request, name: str = "area", *, kinds=(Kind.STREET, Kind.COMMUNITY)):
    """The street or community ``?name=`` (or the form) names among those
    the login configures, else the first; 404 for any other."""
    places = [a for a in reads.configurable_areas(user=request.user) if a.kind in kinds]
    if not places:
        raise Http404
    value = request.POST.get(name) or request.GET.get(name)
    place = _chosen(places, value) if value else places[0]
    if place is None:
        raise Http404
    return places, place


def _category_form(request, area, *, category=None, data=None):
    form = CategoryForm(
        data,
        assignees=reads.assignees_at(area, user=request.user),
        create=category is None,
        initial=category_initial(category) if category is not None else None,
    )
    return form


def _category_fields(form) -> dict:
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "description": data["description"],
        "urgency": data["urgency"],
        "response_hours": data["response_hours"],
        "resolve_hours": data["resolve_hours"],
        "dispatch_mode": data["dispatch_mode"],
        "default_to": form.default_assignee(),
        "teams": list(data["teams"]),
        "auto_escalate": data["auto_escalate"],
        "auto_close_days": data["auto_close_days"],
    }
    if data.get("default_to") and fields["default_to"] is None:
        raise ValidationFailed(_("Choose one of the options."), field="default_to")
    return fields


def _queues(area) -> list[dict]:
    """The queues working at ``area`` with how many work each now."""
    found = reads.assignees_at(area)
    rows = []
    for kind, key in (
        ("team", "teams"),
        ("organization", "organizations"),
        ("department", "departments"),
    ):
        items = list(found[key])
        counts = reads.handler_counts(kind, [i.pk for i in items])
        rows += [
            {
                "kind": kind,
                "label": QUEUE_LABELS[kind],
                "item": item,
                "handlers": counts.get(item.pk, 0),
            }
            for item in items
        ]
    return rows


@perm_required(Perm.REQUEST_CONFIGURE)
def categories(request):
    """The categories of a street or a community, a form to add one, and
    the queues that may work its requests."""
    places, area = _place(request)
    form = _category_form(
        request, area, data=request.POST if request.method == "POST" else None
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                made = services.category_create(
                    area=area,
                    code=form.cleaned_data["code"],
                    by=request.user,
                    **_category_fields(form),
                )
            except NotAllowed:
                raise Http404 from None
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Category %(name)s added.") % {"name": made.name},
                )
                return redirect(f"{reverse('requests:setup')}?area={area.pk}")
        status = 400
    context = {
        **_nav(request),
        "places": places,
        "area": area,
        "rows": list(reads.categories_of(area)),
        "inherited": list(reads.categories_inherited(area)),
        "queues": _queues(area),
        "form": form,
        "street": street_of(area),
        "tab": "categories",
    }
    return render(
        request, "requests/workbench/setup/categories.html", context, status=status
    )


@perm_required(Perm.REQUEST_CONFIGURE)
def category_edit(request, category_id: int):
    """Change one category (not its code: Open311 clients know it)."""
    category = get_object_or_404(
        Category.objects.select_related("area").filter(area__isnull=False),
        pk=category_id,
    )
    if not in_scope(request.user, category.area, Perm.REQUEST_CONFIGURE):
        raise Http404
    area = category.area
    posted = request.method == "POST"
    form = _category_form(
        request, area, category=category, data=request.POST if posted else None
    )
    if posted and form.is_valid():
        try:
            services.category_update(
                category=category,
                by=request.user,
                active=form.cleaned_data["active"],
                **_category_fields(form),
            )
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Category %(name)s saved.") % {"name": category.name}
            )
            return redirect(f"{reverse('requests:setup')}?area={area.pk}")
    context = {
        **_nav(request),
        "category": category,
        "area": area,
        "form": form,
        "tab": "categories",
        "street": street_of(area),
    }
    return render(
        request,
        "requests/workbench/setup/category.html",
        context,
        status=400 if posted else 200,
    )


@perm_required(Perm.REQUEST_CONFIGURE)
def departments(request):
    """A street's departments (部门报到) and a form to add one."""
    places, street = _place(request, "street", kinds=(Kind.STREET,))
    posted = request.method == "POST"
    form = DepartmentForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            made = services.department_create(
                street=street,
                by=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Department %(name)s added.") % {"name": made.name}
            )
            return redirect(
                f"{reverse('requests:setup_departments')}?street={street.pk}"
            )
    rows = list(reads.departments_at(street))
    counts = reads.handler_counts("department", [d.pk for d in rows])
    for row in rows:
        row.handler_count = counts.get(row.pk, 0)
    context = {
        **_nav(request),
        "places": places,
        "street": street,
        "area": street,
        "rows": rows,
        "form": form,
        "tab": "departments",
    }
    return render(
        request,
        "requests/workbench/setup/departments.html",
        context,
        status=400 if posted else 200,
    )


def _queue(request, kind: str, queue_id: int):
    try:
        return reads.queue_configured(user=request.user, kind=kind, pk=queue_id)
    except NotAllowed:
        raise Http404 from None


def _handler_user(form, queue):
    """The user the form names: chosen from the list, else by phone."""
    chosen = form.cleaned_data["user"]
    if chosen:
        user = reads.unit_users_for(queue).filter(pk=chosen).first()
        if user is None:
            raise ValidationFailed(_("Choose one of the options."), field="user")
        return user, "user"
    phone = form.cleaned_data["phone"].strip()
    if not phone:
        raise ValidationFailed(
            _("Choose a user, or enter the phone number of one."), field="user"
        )
    user = user_find_by_phone(phone=clean_phone(phone, field="phone"))
    if user is None or not user.is_active:
        raise ValidationFailed(_("No account has this phone number."), field="phone")
    return user, "phone"


@perm_required(Perm.REQUEST_CONFIGURE)
def handlers(request, kind: str, queue_id: int):
    """Who works a queue: add a user holding the team or unit role there
    (from the list or by phone), end one."""
    queue = _queue(request, kind, queue_id)
    users = reads.unit_users_for(queue)
    posted = request.method == "POST"
    form = HandlerForm(request.POST if posted else None, users=users)
    if posted and form.is_valid():
        try:
            user, field = _handler_user(form, queue)
            with fields_renamed(user=field):
                services.handler_add(user=user, to=queue, by=request.user)
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s now works the queue of %(queue)s.")
                % {"name": user.name, "queue": queue},
            )
            return redirect("requests:setup_handlers", kind=kind, queue_id=queue.pk)
    area = assignee_area(queue)
    context = {
        **_nav(request),
        "queue": queue,
        "kind": kind,
        "kind_label": QUEUE_LABELS[kind],
        "place": area,
        "rows": list(reads.handlers_of(queue)),
        "form": form,
        "back": _back(request, queue),
        "tab": "handlers",
    }
    return render(
        request,
        "requests/workbench/setup/handlers.html",
        context,
        status=400 if posted else 200,
    )


def _back(request, queue) -> str:
    if assignee_field(queue) == "department":
        return f"{reverse('requests:setup_departments')}?street={queue.street_id}"
    area = assignee_area(queue)
    places = reads.configurable_areas(user=request.user)
    near = [p for p in places if is_within(area.path, p.path)]
    target = near[-1] if near else None
    return f"{reverse('requests:setup')}" + (f"?area={target.pk}" if target else "")


@perm_required(Perm.REQUEST_CONFIGURE)
@require_POST
def handler_end(request, handler_id: int):
    try:
        handler = reads.handler_configured(user=request.user, pk=handler_id)
    except NotAllowed:
        raise Http404 from None
    queue = handler.team or handler.organization or handler.department
    try:
        services.handler_end(handler=handler, by=request.user)
    except NotAllowed:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(name)s no longer works the queue of %(queue)s.")
            % {"name": handler.user.name, "queue": queue},
        )
    return redirect(
        "requests:setup_handlers", kind=assignee_field(queue), queue_id=queue.pk
    )
