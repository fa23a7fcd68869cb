"""Reads of users, grants and tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.areas.models import Area
from gongzhi.areas.scoping import in_scope, scoped

from .models import Grant, User, phone_index
from .roles import GRANTABLE, Perm, Role, perms_for, roles_with


def grant_paths_with_perm(*, user: User, perm: str) -> list[str]:
    return list(
        Grant.objects.filter(
            user=user, revoked_at__isnull=True, role__in=roles_with(perm)
        ).values_list("area__path", flat=True)
    )


def user_grants(*, user: User) -> QuerySet[Grant]:
    """The user's own active grants, highest node first."""
    return (
        Grant.objects.filter(user=user, revoked_at__isnull=True)
        .select_related("area")
        .order_by("area__path", "role")
    )


def user_perms(*, user: User) -> set[str]:
    """Every permission the user holds somewhere."""
    if not user.is_authenticated:
        return set()
    cache = user.__dict__.setdefault("_perm_cache", None)
    if cache is None:
        roles = Grant.objects.filter(user=user, revoked_at__isnull=True).values_list(
            "role", flat=True
        )
        cache = set().union(*(perms_for(role) for role in roles))
        user.__dict__["_perm_cache"] = cache
    return cache


def user_can(*, user: User, perm: str, area: Area | None = None) -> bool:
    """Whether the user holds ``perm`` on ``area`` (or anywhere, if None)."""
    if area is None:
        return perm in user_perms(user=user)
    return in_scope(user, area, perm)


def grantable_roles(*, user: User, area: Area) -> list[str]:
    """Roles ``user`` may grant on ``area``: those granted by the roles it
    holds on ``area`` or above it, with grant.manage."""
    granter_roles = (
        Grant.objects.filter(
            user=user,
            revoked_at__isnull=True,
            role__in=roles_with(Perm.GRANT_MANAGE),
        )
        .select_related("area")
        .only("role", "area__path")
    )
    roles: set[str] = set()
    for grant in granter_roles:
        if area.path.startswith(grant.area.path):
            roles |= GRANTABLE.get(grant.role, set())
    return [role for role in Role.values if role in roles]


def grant_list(*, user: User, include_revoked: bool = False) -> QuerySet[Grant]:
    """Grants on nodes where ``user`` manages grants."""
    grants = scoped(Grant.objects.all(), user=user, perm=Perm.GRANT_MANAGE)
    if not include_revoked:
        grants = grants.filter(revoked_at__isnull=True)
    return grants.select_related("user", "area", "granted_by").order_by(
        "area__path", "role", "user__name"
    )


def grant_get(*, user: User, pk: int) -> Grant:
    return get_object_or_404(grant_list(user=user, include_revoked=True), pk=pk)


def user_find_by_phone(*, phone: str) -> User | None:
    return User.objects.filter(phone_index=phone_index(phone)).first()
