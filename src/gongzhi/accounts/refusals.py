"""One way to refuse, for pages and the API alike.

An object is looked up where the caller sees its area: elsewhere it is 404,
exactly as one that does not exist; where she sees it but her role lacks
the permission, ``NotAllowed`` (the API answers 403, a page 404). An object
named in a request body is a field error when unknown or out of sight, the
two alike. Every refusal the API sends has one shape,
``{"detail": …, "field": …}``.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Schema

from gongzhi.areas.models import Area
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.core.errors import NotAllowed, ValidationFailed


class ErrorOut(Schema):
    detail: str
    field: str | None = None


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
NOT_ALLOWED = {403: ErrorOut, 404: ErrorOut}


def seen(queryset: QuerySet, request, pk: int, *, via: str, perm: str):
    """The object ``pk`` where the caller sees its area (``via`` leads from
    the object to it; empty for an area itself), else 404; ``NotAllowed``
    where she sees it but her role lacks ``perm`` there."""
    item = get_object_or_404(scoped(queryset, user=request.user, via=via), pk=pk)
    area = item
    for part in via.split("__") if via else ():
        area = getattr(area, part)
    if not in_scope(request.user, area, perm):
        raise NotAllowed(_("Your role does not allow this here."))
    return item


def area_seen(request, pk: int, perm: str) -> Area:
    return seen(Area.objects.all(), request, pk, via="", perm=perm)


def referenced(request, queryset: QuerySet, pk: int, *, via: str, field: str):
    """An object named in a request body, else a ``field`` error."""
    item = scoped(queryset, user=request.user, via=via).filter(pk=pk).first()
    if item is None:
        raise ValidationFailed(_("Not found."), field=field)
    return item
