"""Every change to the area tree.

Each service checks everything first and writes after, so a refusal changes
nothing; each locks the parent (or the node) row, so two staff adding under
the same parent at once get distinct paths instead of a unique violation;
each records who did it in the audit trail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import NotAllowed, ValidationFailed

from .cache import tree_changed
from .models import ALLOWED_PARENTS, NAME_MAX_LENGTH, Area, Kind
from .scoping import in_scope, scoped, subtree_q

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

MANAGE = "area.manage"


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("A name can have at most %(max)d characters (this one has %(n)d).")
            % {"max": NAME_MAX_LENGTH, "n": len(name)},
            field="name",
        )
    return name


def _check_kind_under(kind: str, parent: Area | None, *, field: str) -> None:
    if kind not in Kind.values:
        raise ValidationFailed(_("Choose a valid kind of area."), field="kind")
    parent_kind = parent.kind if parent is not None else None
    if parent_kind in ALLOWED_PARENTS[kind]:
        return
    if parent_kind is None:
        message = _("An area of kind “%(kind)s” cannot be a top-level area.") % {
            "kind": Kind(kind).label
        }
    else:
        message = _(
            "An area of kind “%(kind)s” cannot be placed under one of kind "
            "“%(parent)s”."
        ) % {"kind": Kind(kind).label, "parent": Kind(parent_kind).label}
    raise ValidationFailed(message, field=field)


def _check_unique_among_siblings(
    name: str, parent: Area | None, *, exclude: Area | None = None
) -> None:
    siblings = (
        Area.objects.get_children(parent) if parent else Area.objects.get_root_nodes()
    )
    siblings = siblings.filter(name__iexact=name, retired_at__isnull=True)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if siblings.exists():
        raise ValidationFailed(
            _("“%(name)s” already exists here; choose another name.") % {"name": name},
            field="name",
        )


def _require_manage(by: User, area: Area) -> None:
    if not in_scope(by, area, MANAGE):
        raise NotAllowed(_("You may not change the area tree here."))


def _record_change(**kwargs) -> None:
    """Every tree change: bump the tree version (cached counts follow) and
    write who did what to the audit trail, in the same transaction."""
    tree_changed()
    audit_record(**kwargs)


def _locked(area: Area) -> Area:
    return Area.objects.select_for_update().get(pk=area.pk)


@transaction.atomic
def area_create(
    *,
    parent: Area,
    kind: str,
    name: str,
    by: User,
    code: str | None = None,
    request=None,
) -> Area:
    """Add a node under ``parent``. Refuses a node kind that cannot sit
    there, a name taken by an active sibling, a retired parent."""
    name = _clean_name(name)
    _require_manage(by, parent)
    _check_kind_under(kind, parent, field="kind")
    parent = _locked(parent)
    if parent.is_retired:
        raise ValidationFailed(
            _("“%(name)s” is retired; nothing can be added under it.")
            % {"name": parent.name},
            field="parent",
        )
    _check_unique_among_siblings(name, parent)
    code = (code or "").strip() or None
    if code and Area.objects.filter(code=code).exists():
        raise ValidationFailed(
            _("The code %(code)s is already in use.") % {"code": code}, field="code"
        )
    node = Area.objects.add_child(parent, {"kind": kind, "name": name, "code": code})
    _record_change(
        by=by, action=Action.AREA_CREATED, target=node, area=node, request=request
    )
    return node


def area_create_root(*, kind: str, name: str, code: str | None = None) -> Area:
    """Add a top node (a district). Only from the command line or seeding:
    no web user's subtree reaches above a root."""
    name = _clean_name(name)
    _check_kind_under(kind, None, field="kind")
    _check_unique_among_siblings(name, None)
    tree_changed()
    return Area.objects.add_root({"kind": kind, "name": name, "code": code or None})


@transaction.atomic
def area_rename(*, area: Area, name: str, by: User, request=None) -> Area:
    name = _clean_name(name)
    _require_manage(by, area)
    area = _locked(area)
    old = area.name
    if name == old:
        return area
    _check_unique_among_siblings(name, Area.objects.get_parent(area), exclude=area)
    area.name = name
    area.save(update_fields=["name", "updated_at"])
    _record_change(
        by=by,
        action=Action.AREA_RENAMED,
        target=area,
        area=area,
        request=request,
        detail={"from": old, "to": name},
    )
    return area


@transaction.atomic
def area_move(*, area: Area, parent: Area, by: User, request=None) -> Area:
    """Move ``area`` with its subtree under ``parent``.

    Refuses a move into its own subtree, under a parent of the wrong kind,
    beside an active sibling of the same name, or outside the user's reach
    (both the node and the new parent must be in the user's managed subtree,
    and a user cannot move the node their own role sits on).
    """
    _require_manage(by, area)
    if not in_scope(by, parent, MANAGE):
        raise ValidationFailed(_("Choose a new parent you manage."), field="parent")
    if parent.pk == area.pk or parent.path.startswith(area.path):
        raise ValidationFailed(
            _("An area cannot be moved into itself or below itself."),
            field="parent",
        )
    if area.path in _manage_roots(by):
        raise NotAllowed(_("You cannot move the area your own role is granted on."))
    _check_kind_under(area.kind, parent, field="parent")
    # Check the locked rows, not the caller's copies: a parent retired
    # since it was read must refuse the move.
    area = _locked(area)
    parent = _locked(parent)
    if parent.is_retired:
        raise ValidationFailed(
            _("“%(name)s” is retired; nothing can be moved under it.")
            % {"name": parent.name},
            field="parent",
        )
    old_parent = Area.objects.get_parent(area)
    if old_parent is not None and old_parent.pk == parent.pk:
        return area
    _check_unique_among_siblings(area.name, parent, exclude=area)
    Area.objects.move(area, parent, "last-child")
    area.refresh_from_db()
    _record_change(
        by=by,
        action=Action.AREA_MOVED,
        target=area,
        area=area,
        request=request,
        detail={"from": old_parent.name if old_parent else "", "to": parent.name},
    )
    return area


def _manage_roots(by: User) -> list[str]:
    from .scoping import scope_paths

    return scope_paths(by, MANAGE)


@transaction.atomic
def area_retire(*, area: Area, by: User, request=None) -> int:
    """Retire a node and everything below it; returns how many nodes.

    Retired nodes stay in the tree with their history and grants, but take
    no new children and drop out of default listings.
    """
    _require_manage(by, area)
    if area.path in _manage_roots(by):
        raise NotAllowed(_("You cannot retire the area your own role is granted on."))
    area = _locked(area)
    if area.is_retired:
        raise ValidationFailed(
            _("“%(name)s” is already retired.") % {"name": area.name}, field="area"
        )
    now = timezone.now()
    count = Area.objects.filter(subtree_q([area.path]), retired_at__isnull=True).update(
        retired_at=now, updated_at=now
    )
    _record_change(
        by=by,
        action=Action.AREA_RETIRED,
        target=area,
        area=area,
        request=request,
        detail={"nodes": count},
    )
    return count


@transaction.atomic
def area_restore(*, area: Area, by: User, request=None) -> int:
    """Bring back a retired node and the nodes retired with it."""
    _require_manage(by, area)
    area = _locked(area)
    if not area.is_retired:
        raise ValidationFailed(
            _("“%(name)s” is not retired.") % {"name": area.name}, field="area"
        )
    parent = Area.objects.get_parent(area)
    if parent is not None and parent.is_retired:
        raise ValidationFailed(
            _("Restore “%(name)s” first.") % {"name": parent.name}, field="area"
        )
    _check_unique_among_siblings(area.name, parent, exclude=area)
    count = Area.objects.filter(
        subtree_q([area.path]), retired_at=area.retired_at
    ).update(retired_at=None, updated_at=timezone.now())
    _record_change(
        by=by,
        action=Action.AREA_RESTORED,
        target=area,
        area=area,
        request=request,
        detail={"nodes": count},
    )
    return count


@transaction.atomic
def area_delete(*, area: Area, by: User, request=None) -> None:
    """Delete a node entered by mistake: only a leaf nothing refers to.
    Anything with children or history is retired instead."""
    _require_manage(by, area)
    if area.path in _manage_roots(by):
        raise NotAllowed(_("You cannot delete the area your own role is granted on."))
    area = _locked(area)
    if Area.objects.get_children_count(area):
        raise ValidationFailed(
            _("“%(name)s” has areas below it; retire it instead.")
            % {"name": area.name},
            field="area",
        )
    label = area.name
    parent = Area.objects.get_parent(area)
    try:
        with transaction.atomic():
            area.delete()
    except ProtectedError as exc:
        raise ValidationFailed(
            _("“%(name)s” has records attached; retire it instead.") % {"name": label},
            field="area",
        ) from exc
    _record_change(
        by=by,
        action=Action.AREA_DELETED,
        area=parent,
        request=request,
        detail={"deleted": label},
    )


def area_manageable(*, user: User):
    """Nodes the user may manage (for choosing a move target)."""
    return scoped(
        Area.objects.filter(retired_at__isnull=True), user=user, via="", perm=MANAGE
    )
