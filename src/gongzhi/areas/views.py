from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.core.errors import DomainError
from gongzhi.web.decorators import workbench_required

from . import selectors, services
from .forms import AreaCreateForm, AreaMoveForm, AreaRenameForm
from .models import ALLOWED_PARENTS, Area

PAGE_SIZE = 50


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc.message))


def _move_candidates(request, area: Area) -> list[tuple[Area, str]]:
    """Where ``area`` may go: nodes of a fitting kind the user manages,
    labelled with their path of names."""
    kinds = [k for k in ALLOWED_PARENTS[area.kind] if k]
    nodes = (
        services.area_manageable(user=request.user)
        .filter(kind__in=kinds)
        .exclude(path__startswith=area.path)
        .order_by("path")[:500]
    )
    nodes = list(nodes)
    names = {
        a.path: a.name
        for a in Area.objects.filter(
            path__in={n.path[:i] for n in nodes for i in range(4, len(n.path), 4)}
        )
    }
    labels = []
    for node in nodes:
        chain = [names.get(node.path[:i], "") for i in range(4, len(node.path), 4)]
        labels.append((node, " / ".join([*chain, node.name])))
    return labels


@workbench_required
def area_detail(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    show_retired = request.GET.get("retired") == "1"
    children = selectors.area_children(
        user=request.user, area=area, include_retired=show_retired
    )
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    can_manage = user_can(user=request.user, perm=Perm.AREA_MANAGE, area=area)
    can_grant = user_can(user=request.user, perm=Perm.GRANT_MANAGE, area=area)
    context = {
        "area": area,
        "ancestors": selectors.area_ancestors(area=area),
        "page": page,
        "show_retired": show_retired,
        "can_manage": can_manage,
        "can_grant": can_grant,
        "create_form": AreaCreateForm(parent=area) if can_manage else None,
        "rename_form": AreaRenameForm(initial={"name": area.name}),
    }
    return render(request, "areas/area_detail.html", context)


@workbench_required
def area_search(request):
    text = request.GET.get("q", "").strip()
    results = selectors.area_search(user=request.user, text=text) if text else []
    return render(request, "areas/area_search.html", {"q": text, "results": results})


def _area_action(request, area_id: int, form_class, template, perform, **form_kw):
    area = selectors.area_get(user=request.user, pk=area_id)
    if not user_can(user=request.user, perm=Perm.AREA_MANAGE, area=area):
        from django.http import Http404

        raise Http404
    kwargs = {key: value(area) for key, value in form_kw.items()}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            target = perform(area, form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            return redirect("areas:detail", area_id=target.pk)
    context = {"area": area, "form": form,
               "ancestors": selectors.area_ancestors(area=area)}
    return render(request, template, context, status=400 if form.errors else 200)


@workbench_required
def area_create(request, area_id: int):
    def perform(parent, data):
        node = services.area_create(parent=parent, by=request.user, request=request,
                                    **data)
        messages.success(request, _("“%(name)s” added.") % {"name": node.name})
        return parent

    return _area_action(request, area_id, AreaCreateForm, "areas/area_create.html",
                        perform, parent=lambda area: area)


@workbench_required
def area_rename(request, area_id: int):
    def perform(area, data):
        services.area_rename(area=area, name=data["name"], by=request.user,
                             request=request)
        messages.success(request, _("Renamed."))
        return area

    return _area_action(request, area_id, AreaRenameForm, "areas/area_rename.html",
                        perform)


@workbench_required
def area_move(request, area_id: int):
    def perform(area, data):
        parent = selectors.area_get(user=request.user, pk=data["parent"],
                                    perm=Perm.AREA_MANAGE)
        moved = services.area_move(area=area, parent=parent, by=request.user,
                                   request=request)
        messages.success(request, _("Moved under “%(name)s”.") % {"name": parent.name})
        return moved

    return _area_action(request, area_id, AreaMoveForm, "areas/area_move.html",
                        perform, candidates=lambda area: _move_candidates(request, area))


@require_POST
@workbench_required
def area_retire(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    try:
        count = services.area_retire(area=area, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Retired %(count)d areas.") % {"count": count})
    return redirect("areas:detail", area_id=area.pk)


@require_POST
@workbench_required
def area_restore(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    try:
        count = services.area_restore(area=area, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Restored %(count)d areas.") % {"count": count})
    return redirect("areas:detail", area_id=area.pk)


@require_POST
@workbench_required
def area_delete(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    parent = area.get_parent()
    try:
        services.area_delete(area=area, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("areas:detail", area_id=area.pk)
    messages.success(request, _("“%(name)s” deleted.") % {"name": area.name})
    if parent is not None and user_can(user=request.user, perm=Perm.AREA_VIEW,
                                       area=parent):
        return redirect("areas:detail", area_id=parent.pk)
    return redirect("web:workbench")
