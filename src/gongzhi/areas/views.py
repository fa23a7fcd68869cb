from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import workbench_required
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from . import selectors, services
from .forms import AreaCreateForm, AreaMoveForm, AreaRenameForm
from .models import ALLOWED_PARENTS, Area
from .scoping import scope_paths, subtree_q

PAGE_SIZE = 50
MOVE_CANDIDATES = 500


def _move_candidates(request, area: Area) -> list[tuple[Area, str]]:
    """Where ``area`` may go: nodes of a fitting kind the user manages,
    labelled with their path of names."""
    kinds = [k for k in ALLOWED_PARENTS[area.kind] if k]
    nodes = list(
        services.area_manageable(user=request.user)
        .filter(kind__in=kinds)
        .exclude(subtree_q([area.path]))
        .order_by("path")[:MOVE_CANDIDATES]
    )
    labels = selectors.area_path_labels(nodes=nodes)
    return [(node, labels[node.pk]) for node in nodes]


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
    sees_people = user_can(user=request.user, perm=Perm.PERSONAL_VIEW, area=area)
    # The node a manager's own role sits on can be renamed but not moved,
    # retired or deleted by that manager: the services refuse it, so the
    # page does not offer it.
    own_root = area.path in scope_paths(request.user, Perm.AREA_MANAGE)
    context = {
        "area": area,
        "own_root": own_root,
        "counts": selectors.area_kind_counts(area=area),
        "ancestors": _crumbs(request, area),
        "page": page,
        "show_retired": show_retired,
        "can_manage": can_manage,
        "can_grant": can_grant,
        "sees_people": sees_people,
        "create_form": AreaCreateForm(parent=area) if can_manage else None,
        "rename_form": AreaRenameForm(initial={"name": area.name}),
    }
    return render(request, "areas/area_detail.html", context)


def _crumbs(request, area: Area) -> list[tuple[Area, bool]]:
    """Ancestors, each with whether the user may open it."""
    paths = scope_paths(request.user, Perm.AREA_VIEW)
    return [
        (node, any(node.path.startswith(p) for p in paths))
        for node in selectors.area_ancestors(area=area)
    ]


@workbench_required
def area_search(request):
    text = request.GET.get("q", "").strip()
    results = list(selectors.area_search(user=request.user, text=text)) if text else []
    labels = selectors.area_path_labels(nodes=results)
    rows = [(area, labels[area.pk]) for area in results]
    return render(request, "areas/area_search.html", {"q": text, "rows": rows})


def _area_action(request, area_id: int, form_class, template, perform, **form_kw):
    area = selectors.area_get(user=request.user, pk=area_id)
    if not user_can(user=request.user, perm=Perm.AREA_MANAGE, area=area):
        raise Http404
    kwargs = {key: value(area) for key, value in form_kw.items()}
    form = form_class(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            target = perform(area, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("areas:detail", area_id=target.pk)
    context = {"area": area, "form": form, "ancestors": _crumbs(request, area)}
    return render(request, template, context, status=400 if form.errors else 200)


@workbench_required
def area_create(request, area_id: int):
    def perform(parent, data):
        node = services.area_create(
            parent=parent, by=request.user, request=request, **data
        )
        messages.success(request, _("“%(name)s” added.") % {"name": node.name})
        return parent

    return _area_action(
        request,
        area_id,
        AreaCreateForm,
        "areas/area_create.html",
        perform,
        parent=lambda area: area,
    )


@workbench_required
def area_rename(request, area_id: int):
    def perform(area, data):
        services.area_rename(
            area=area, name=data["name"], by=request.user, request=request
        )
        messages.success(request, _("Renamed."))
        return area

    return _area_action(
        request, area_id, AreaRenameForm, "areas/area_rename.html", perform
    )


@workbench_required
def area_move(request, area_id: int):
    def perform(area, data):
        parent = selectors.area_get(
            user=request.user, pk=data["parent"], perm=Perm.AREA_MANAGE
        )
        moved = services.area_move(
            area=area, parent=parent, by=request.user, request=request
        )
        messages.success(request, _("Moved under “%(name)s”.") % {"name": parent.name})
        return moved

    return _area_action(
        request,
        area_id,
        AreaMoveForm,
        "areas/area_move.html",
        perform,
        candidates=lambda area: _move_candidates(request, area),
    )


def _confirm(request, area: Area, *, action: str):
    """GET of a destructive action: say what it will do, ask to confirm."""
    if not user_can(user=request.user, perm=Perm.AREA_MANAGE, area=area):
        raise Http404
    below = Area.objects.filter(subtree_q([area.path]), retired_at__isnull=True).count()
    return render(
        request,
        "areas/area_confirm.html",
        {
            "area": area,
            "action": action,
            "below": below - 1,
            "ancestors": _crumbs(request, area),
        },
    )


@workbench_required
def area_retire(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    if request.method != "POST":
        return _confirm(request, area, action="retire")
    try:
        count = services.area_retire(area=area, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            ngettext("Retired %(count)d area.", "Retired %(count)d areas.", count)
            % {"count": count},
        )
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
        messages.success(
            request,
            ngettext("Restored %(count)d area.", "Restored %(count)d areas.", count)
            % {"count": count},
        )
    return redirect("areas:detail", area_id=area.pk)


@workbench_required
def area_delete(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    if request.method != "POST":
        return _confirm(request, area, action="delete")
    parent = Area.objects.get_parent(area)
    try:
        services.area_delete(area=area, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("areas:detail", area_id=area.pk)
    messages.success(request, _("“%(name)s” deleted.") % {"name": area.name})
    if parent is not None and user_can(
        user=request.user, perm=Perm.AREA_VIEW, area=parent
    ):
        return redirect("areas:detail", area_id=parent.pk)
    return redirect("web:workbench")
