"""Area tree endpoints: read a node, its children and ancestors; manage."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.core.errors import ValidationFailed, fields_renamed

from . import selectors, services
from .models import Area
from .schemas import (
    AreaCreateIn,
    AreaMoveIn,
    AreaOut,
    AreaRenameIn,
    RestoreOut,
    RetireOut,
)

router = Router(tags=["areas"])

# Services name the nodes they act on; the API calls them by their ids.
API_FIELDS = {"area": "area_id", "parent": "parent_id"}


class ChildrenFilter(Schema):
    include_retired: bool = False


def _referenced(request, pk: int, *, field: str, perm: str = "area.view") -> Area:
    """An area named in a request body: unknown and out-of-scope look alike."""
    area = selectors.area_list(user=request.user, perm=perm).filter(pk=pk).first()
    if area is None:
        raise ValidationFailed(_("No such area."), field=field)
    return area


@router.get("", response=list[AreaOut], summary="The top nodes the caller sees")
def area_roots(request):
    return list(selectors.area_roots(user=request.user))


@router.get("/{int:area_id}", response=AreaOut, summary="One node")
def area_detail(request, area_id: int):
    return selectors.area_get(user=request.user, pk=area_id)


@router.get(
    "/{int:area_id}/children", response=list[AreaOut], summary="Children of a node"
)
@paginate(LimitOffsetPagination, page_size=100)
def area_children(request, area_id: int, filters: Query[ChildrenFilter]):
    area = selectors.area_get(user=request.user, pk=area_id)
    return selectors.area_children(
        user=request.user, area=area, include_retired=filters.include_retired
    )


@router.get(
    "/{int:area_id}/ancestors",
    response=list[AreaOut],
    summary="Ancestors of a node, root first",
)
def area_ancestors(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    return selectors.area_ancestors(area=area)


@router.post("", response={201: AreaOut}, summary="Add a node under a parent")
def area_create(request, payload: AreaCreateIn):
    parent = _referenced(request, payload.parent_id, field="parent_id")
    with fields_renamed(**API_FIELDS):
        node = services.area_create(
            parent=parent,
            kind=payload.kind,
            name=payload.name,
            code=payload.code,
            by=request.user,
            request=request,
        )
    return Status(201, node)


@router.patch("/{int:area_id}", response=AreaOut, summary="Rename a node")
def area_rename(request, area_id: int, payload: AreaRenameIn):
    area = selectors.area_get(user=request.user, pk=area_id)
    with fields_renamed(**API_FIELDS):
        return services.area_rename(
            area=area, name=payload.name, by=request.user, request=request
        )


@router.post("/{int:area_id}/move", response=AreaOut, summary="Move a subtree")
def area_move(request, area_id: int, payload: AreaMoveIn):
    area = selectors.area_get(user=request.user, pk=area_id)
    parent = _referenced(request, payload.parent_id, field="parent_id")
    with fields_renamed(**API_FIELDS):
        return services.area_move(
            area=area, parent=parent, by=request.user, request=request
        )


@router.post("/{int:area_id}/retire", response=RetireOut, summary="Retire a subtree")
def area_retire(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    with fields_renamed(**API_FIELDS):
        count = services.area_retire(area=area, by=request.user, request=request)
    return {"retired": count}


@router.post(
    "/{int:area_id}/restore", response=RestoreOut, summary="Restore a retired subtree"
)
def area_restore(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    with fields_renamed(**API_FIELDS):
        count = services.area_restore(area=area, by=request.user, request=request)
    return {"restored": count}


@router.delete(
    "/{int:area_id}", response={204: None}, summary="Delete a leaf entered by mistake"
)
def area_delete(request, area_id: int):
    area = selectors.area_get(user=request.user, pk=area_id)
    with fields_renamed(**API_FIELDS):
        services.area_delete(area=area, by=request.user, request=request)
    return Status(204, None)
