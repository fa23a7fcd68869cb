"""The one scoping helper: every list, detail, export and endpoint filters
through here, so an object outside the user's subtree is simply not there.

A user's role is granted on an area node; the user sees and acts on that
node's subtree. Subtrees are prefix ranges of the materialized path, queried
as ``path >= p AND path < next(p)`` so both SQLite and PostgreSQL answer from
the btree index on ``path`` whatever the column's collation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser as User

    from .models import Area

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def path_upper_bound(path: str) -> str | None:
    """The smallest path greater than every path starting with ``path``;
    None when there is none (a path of all Z)."""
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        pos = ALPHABET.index(chars[i])
        if pos + 1 < len(ALPHABET):
            chars[i] = ALPHABET[pos + 1]
            return "".join(chars[: i + 1])
        chars[i] = ALPHABET[0]
    return None


def minimal_paths(paths) -> list[str]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def subtree_q(paths, *, field: str = "path") -> Q:
    """Q matching rows whose ``field`` lies in any of the subtrees."""
    query = Q(pk__in=[])
    for path in minimal_paths(paths):
        upper = path_upper_bound(path)
        term = Q(**{f"{field}__gte": path})
        if upper is not None:
            term &= Q(**{f"{field}__lt": upper})
        query |= term
    return query


# Where a user's grants are read: accounts owns grants and builds on the
# tree, so it registers its reader here when it starts (AccountsConfig)
# and the tree never imports accounts.
_grant_paths: Callable[..., list[str]] | None = None


def grant_paths_from(reader: Callable[..., list[str]]) -> None:
    """Read grants through ``reader(user=…, perm=…)``: the paths of the
    nodes on which the user holds a role granting ``perm``."""
    global _grant_paths
    _grant_paths = reader


def scope_paths(user: User, perm: str = "area.view") -> list[str]:
    """Paths of the nodes on which ``user`` holds a role granting ``perm``.

    Memoized on the user object, which lives for one request.
    """
    if user is None or not user.is_authenticated:
        return []
    cache = user.__dict__.setdefault("_scope_cache", {})
    if perm not in cache:
        if _grant_paths is None:
            raise ImproperlyConfigured("gongzhi.accounts is not installed")
        cache[perm] = minimal_paths(_grant_paths(user=user, perm=perm))
    return cache[perm]


def scoped(
    queryset: QuerySet, *, user: User, via: str = "area", perm: str = "area.view"
) -> QuerySet:
    """Keep rows whose area lies in the user's subtrees for ``perm``.

    ``via`` names the foreign key to ``Area`` (``"area"``, ``"household"``,
    ``"request__area"``); ``via=""`` scopes ``Area`` itself.
    """
    paths = scope_paths(user, perm)
    if not paths:
        return queryset.none()
    field = f"{via}__path" if via else "path"
    return queryset.filter(subtree_q(paths, field=field))


def in_scope(user: User, area: Area, perm: str = "area.view") -> bool:
    """Whether ``area`` lies in the user's subtrees for ``perm``."""
    return any(area.path.startswith(p) for p in scope_paths(user, perm))


def require_in_scope(user: User, area: Area, perm: str = "area.view") -> None:
    """404 unless ``area`` is in scope: existence outside it does not leak."""
    if not in_scope(user, area, perm):
        raise Http404
