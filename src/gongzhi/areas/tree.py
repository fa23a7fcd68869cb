"""Tree arithmetic: the one module that knows a path is a run of
fixed-width steps, so no other app slices paths or writes
``path__startswith``.

A node's ancestors are the prefixes of its path; its subtree is the prefix
range of its path (see :func:`gongzhi.areas.scoping.subtree_q`, which keeps
the range on the btree index).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Lookup, Q, QuerySet

from .models import Area, Kind
from .scoping import minimal_paths, path_upper_bound, scope_paths, subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User

STEP = Area.steplen

# The top of the tree has a fixed shape (ALLOWED_PARENTS): a district is a
# root, a street hangs under a district, a community under a street. So the
# path of the one above a node is a prefix of known length, no query needed.
FIXED_DEPTH = {Kind.DISTRICT: 1, Kind.STREET: 2, Kind.COMMUNITY: 3}


def ancestor_path(node: Area | str, kind: str) -> str | None:
    """The path of the district, street or community that ``node`` (an
    area or a path) lies in, itself included; None when it lies above."""
    path = node if isinstance(node, str) else node.path
    length = FIXED_DEPTH[kind] * STEP
    return path[:length] if len(path) >= length else None


def ancestor_paths(path: str, *, include_self: bool = False) -> list[str]:
    """The paths above ``path``, root first (and ``path`` itself last when
    ``include_self``)."""
    end = len(path) + 1 if include_self else len(path)
    return [path[:i] for i in range(STEP, end, STEP)]


def ancestor_paths_of(paths, *, include_self: bool = True) -> set[str]:
    """Every path on the way down to each of ``paths`` (themselves included
    unless ``include_self`` is false)."""
    return {
        p for path in paths for p in ancestor_paths(path, include_self=include_self)
    }


def parent_path(path: str) -> str:
    """The path of the node right above ``path``; "" for a root."""
    return path[:-STEP]


def is_root(path: str) -> bool:
    """Whether ``path`` is a root of the tree (a district)."""
    return len(path) == STEP


def common_path(paths) -> str:
    """The path of the deepest node that every one of ``paths`` lies in
    (one of them, when the others lie below it); "" when they share no
    root."""
    paths = list(paths)
    prefix = paths[0] if paths else ""
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = parent_path(prefix)
    return prefix


def chains_of(
    paths, *, kinds=None, fields=("path", "name", "kind")
) -> dict[str, list[Area]]:
    """For each of ``paths``, the nodes from the root down to it, itself
    included, only those of ``kinds`` when given: one query for all. What a
    label or an address is built from."""
    paths = set(paths)
    nodes = Area.objects.filter(path__in=ancestor_paths_of(paths))
    if kinds is not None:
        nodes = nodes.filter(kind__in=kinds)
    by_path = {node.path: node for node in nodes.only(*fields)}
    return {
        path: [
            by_path[p] for p in ancestor_paths(path, include_self=True) if p in by_path
        ]
        for path in paths
    }


def labels_of(paths, *, kinds, sep: str = " ") -> dict[str, str]:
    """For each of ``paths``, the names of the nodes of ``kinds`` from the
    root down to it joined by ``sep`` ("航院小区 1号楼 1单元 101"): one
    query for all."""
    return {
        path: sep.join(node.name for node in chain)
        for path, chain in chains_of(paths, kinds=kinds).items()
    }


def is_within(path: str, top: str) -> bool:
    """Whether ``path`` lies in the subtree of ``top`` (itself included)."""
    return path.startswith(top)


def ancestor_of_kind(area: Area, kind: str) -> Area | None:
    """``area`` itself or the ancestor of ``kind`` above it; None when the
    chain above has none (a street has no community)."""
    if area.kind == kind:
        return area
    return Area.objects.filter(path__in=ancestor_paths(area.path), kind=kind).first()


def community_of(area: Area) -> Area | None:
    return ancestor_of_kind(area, Kind.COMMUNITY)


def street_of(area: Area) -> Area | None:
    return ancestor_of_kind(area, Kind.STREET)


def district_of(area: Area) -> Area | None:
    return ancestor_of_kind(area, Kind.DISTRICT)


def subtree(queryset: QuerySet, top: Area | str, *, via: str = "area") -> QuerySet:
    """Rows of ``queryset`` whose area (the foreign key ``via``; ``""`` for
    ``Area`` itself) lies in the subtree of ``top``, ``top`` included."""
    return queryset.filter(**{f"{via}__path__within" if via else "path__within": top})


def touching_q(paths, *, field: str = "path") -> Q:
    """Q matching nodes that lie in any of the subtrees of ``paths`` or
    above one of them: every node on a line from the root to the nodes
    below. A district manager touches each street under her district; a
    community's staff touch their street."""
    paths = minimal_paths(paths)
    above = {p for path in paths for p in ancestor_paths(path)}
    return subtree_q(paths, field=field) | Q(**{f"{field}__in": sorted(above)})


def reach(user: User, perm: str, kind: str) -> QuerySet[Area]:
    """The nodes of ``kind`` that ``user`` reaches with ``perm``: those in
    her subtrees, and the one above each of her grants (a community's staff
    reach their street)."""
    paths = scope_paths(user, perm)
    if not paths:
        return Area.objects.none()
    return Area.objects.filter(touching_q(paths), kind=kind)


def reach_within(user: User, perm: str, kind: str) -> QuerySet[Area]:
    """The nodes of ``kind`` inside ``user``'s subtrees for ``perm`` only."""
    paths = scope_paths(user, perm)
    if not paths:
        return Area.objects.none()
    return Area.objects.filter(subtree_q(paths), kind=kind)


class Within(Lookup):
    """``area__path__within=node`` (a node or a path): rows whose area lies
    in that node's subtree, node included. It reads as the range
    ``path >= p AND path < next(p)``, which both SQLite and PostgreSQL answer
    from the btree index whatever the collation (``startswith`` becomes a
    LIKE that may scan)."""

    lookup_name = "within"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise TypeError("path__within takes a node or a path, not an expression")
        path = self.rhs if isinstance(self.rhs, str) else self.rhs.path
        lhs, lhs_params = self.process_lhs(compiler, connection)
        upper = path_upper_bound(path)
        if upper is None:
            return f"{lhs} >= %s", [*lhs_params, path]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, path, *lhs_params, upper]


Area._meta.get_field("path").register_lookup(Within)


def ancestor_path_expr(field: str, kind: str):
    """A database expression for the path of the district, street or
    community above the node whose path is ``field`` (``ancestor_path`` in
    SQL): what groups rows by community in one query."""
    from django.db.models.functions import Substr

    return Substr(field, 1, FIXED_DEPTH[kind] * STEP)
