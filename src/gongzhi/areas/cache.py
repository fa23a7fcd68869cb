"""A version number for the whole tree, bumped on every change, so cached
counts are keyed by it and never outlive the tree they describe."""

from django.core.cache import cache
from django.db import transaction

KEY = "gongzhi:area-tree-version"


def tree_version() -> int:
    return cache.get_or_set(KEY, 1, timeout=None)


def tree_changed() -> None:
    """Call inside the writing transaction; takes effect on commit."""

    def bump():
        try:
            cache.incr(KEY)
        except ValueError:  # not set yet, or evicted
            cache.set(KEY, 2, timeout=None)

    transaction.on_commit(bump)
