"""Reads of the area tree for display, already scoped."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from .cache import tree_version
from .models import Area, Kind
from .scoping import scope_paths, scoped, subtree_q
from .tree import chains_of

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


def area_list(*, user: User, perm: str = "area.view") -> QuerySet[Area]:
    return scoped(Area.objects.all(), user=user, via="", perm=perm)


def area_get(*, user: User, pk: int, perm: str = "area.view") -> Area:
    return get_object_or_404(area_list(user=user, perm=perm), pk=pk)


def area_roots(*, user: User) -> QuerySet[Area]:
    """The top nodes of the user's subtrees: where the workbench starts."""
    return Area.objects.filter(path__in=scope_paths(user)).order_by("path")


def area_children(
    *, user: User, area: Area, include_retired: bool = False
) -> QuerySet[Area]:
    """Children of an in-scope node (call with a node from ``area_get``)."""
    children = scoped(Area.objects.get_children(area), user=user, via="")
    if not include_retired:
        children = children.filter(retired_at__isnull=True)
    return children.order_by("path")


def area_ancestors(*, area: Area) -> list[Area]:
    """Ancestors of a node, root first.

    Names of the nodes above a user's grant are shown as breadcrumbs (a grid
    worker knows her community's name), but they stay unreachable: opening
    one goes through ``area_get`` and answers 404.
    """
    return list(Area.objects.get_ancestors(area))


def area_search(*, user: User, text: str, limit: int = 50) -> QuerySet[Area]:
    return area_list(user=user).filter(name__icontains=text).order_by("path")[:limit]


def area_path_labels(*, nodes, start_depth: int = 2) -> dict[int, str]:
    """ "五大道街道 › 三盛里社区 › 第一网格 › 航院小区" for each node, from
    ``start_depth`` down, with one query for all their ancestors."""
    nodes = list(nodes)
    chains = chains_of({node.path for node in nodes})
    shallowest = Area.steplen * start_depth
    return {
        node.pk: " › ".join(
            area.name
            for area in chains[node.path]
            if len(area.path) >= shallowest or area.path == node.path
        )
        for node in nodes
    }


# The kinds that name a place to whoever stands in the community: the
# estate, the building, the entrance, the household. A grid names one
# only where no estate does (a row of houses drawn straight into a grid).
PLACE_KINDS = (Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE)
COMMUNITY_DEPTH = 3


def place_labels(nodes) -> dict[int, str]:
    """ "航院小区 1号楼 1单元 101" for each node: its name after the names of
    the estate, building and entrance above it, so that two 1号楼 of one
    community never read alike. A community or anything above reads as
    its own name. One query for all the nodes' ancestors."""
    nodes = [node for node in nodes if node is not None]
    chains = chains_of({node.path for node in nodes})
    below_community = Area.steplen * COMMUNITY_DEPTH
    labels = {}
    for node in nodes:
        chain = [
            (area.kind, area.name)
            for area in chains[node.path]
            if below_community < len(area.path) < len(node.path)
        ]
        kinds = {kind for kind, _ in chain} | {node.kind}
        shown = PLACE_KINDS if Kind.ESTATE in kinds else (Kind.GRID, *PLACE_KINDS)
        names = [name for kind, name in chain if kind in shown]
        labels[node.pk] = " ".join([*names, node.name])
    return labels


def with_places(items, *, via: str = "area") -> list:
    """``items`` as a list, each one's area (the attribute ``via``; the
    item itself when ``via`` is empty) carrying its ``place_label``: what
    the ``place`` template filter shows, fetched for the whole list in one
    query."""
    items = list(items)
    nodes = [getattr(item, via) if via else item for item in items]
    labels = place_labels(nodes)
    for node in nodes:
        if node is not None:
            node.place_label = labels[node.pk]
    return items


def names_told_apart(items) -> list[str]:
    """Each ``(name, path)`` of a list as its name, followed by where it is
    where the same name comes up more than once in the list: three
    安居物业管理有限公司 read "安居物业管理有限公司 · 三盛里社区" and so on.

    ``path`` is where the item works (a team's area) or, for an area
    itself, its parent's path; "where" is the community it lies in, or the
    node at ``path`` when that is a street or a district. One query.
    """
    items = list(items)
    counts = Counter(name for name, _path in items)
    top = Area.steplen * COMMUNITY_DEPTH

    def where(path):
        return path[:top] if path and len(path) > top else path

    wanted = {where(path) for name, path in items if counts[name] > 1 and path}
    names = {}
    if wanted:
        names = dict(
            Area.objects.filter(path__in=wanted).order_by().values_list("path", "name")
        )
    return [
        f"{name} · {names[where(path)]}"
        if counts[name] > 1 and where(path) in names
        else name
        for name, path in items
    ]


def told_apart(objects, *, area_id_of) -> dict:
    """Each distinct object of a list (teams, units, departments …) to its
    name, told apart by where it works as ``names_told_apart`` does:
    ``area_id_of(obj)`` is the id of the node it works at. An object met
    twice is still one name, so a team holding five rows of a page keeps
    its plain name. Two queries at most."""
    distinct = list(dict.fromkeys(obj for obj in objects if obj is not None))
    paths = dict(
        Area.objects.filter(pk__in={area_id_of(obj) for obj in distinct})
        .order_by()
        .values_list("pk", "path")
    )
    names = names_told_apart(
        (obj.name, paths.get(area_id_of(obj), "")) for obj in distinct
    )
    return dict(zip(distinct, names, strict=True))


COUNTS_TTL = 600


def area_kind_counts(*, area: Area) -> list[tuple[str, int]]:
    """How many active areas of each kind lie below ``area``, in tree
    order: [("小区", 4), ("楼栋", 10), …].

    Cached per tree version: any change to the tree makes a new key, so the
    figures are never stale, and a district's million households are
    counted once per change, not on every page view.
    """
    key = f"gongzhi:area-kinds:{tree_version()}:{area.path}"
    counts = cache.get(key)
    if counts is None:
        rows = (
            Area.objects.filter(subtree_q([area.path]), retired_at__isnull=True)
            .exclude(pk=area.pk)
            .order_by()  # the tree's default ordering would split the groups
            .values("kind")
            .annotate(n=Count("id"))
        )
        counts = {row["kind"]: row["n"] for row in rows}
        cache.set(key, counts, COUNTS_TTL)
    return [(Kind(kind).label, counts[kind]) for kind in Kind.values if kind in counts]
