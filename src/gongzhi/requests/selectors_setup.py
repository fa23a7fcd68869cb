"""Reads for configuring requests: the streets and communities a user
configures, their categories and departments, the teams, organizations
and departments that may take their requests, and who works a queue.

A queue (a team, an organization, a department) is looked up where it
works: out of the user's sight it is not there (404); seen without
request.configure it is refused (403, or 404 on a page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Perm, Role
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.areas.tree import ancestor_paths, street_of
from gongzhi.core.errors import NotAllowed
from gongzhi.orgs.models import Organization
from gongzhi.volunteering.models import Team

from .models import Category, Department, Handler
from .services.rules import assignee_area, assignee_field

if TYPE_CHECKING:
    from .services.rules import Assignee

QUEUE_KINDS = {"team": Team, "organization": Organization, "department": Department}


def configurable_areas(*, user: User) -> list[Area]:
    """The streets and communities where the user holds request.configure,
    in tree order."""
    return list(
        scoped(
            Area.objects.filter(
                kind__in=(Kind.STREET, Kind.COMMUNITY), retired_at__isnull=True
            ),
            user=user,
            via="",
            perm=Perm.REQUEST_CONFIGURE,
        ).order_by("path")
    )


def _around(area: Area, field: str = "area__path") -> Q:
    """Where something working at ``area`` may sit: at it, above it or
    below it (``rules.serves``)."""
    prefixes = ancestor_paths(area.path, include_self=True)
    return Q(**{f"{field}__startswith": area.path}) | Q(**{f"{field}__in": prefixes})


def categories_of(area: Area) -> QuerySet[Category]:
    """The categories configured at ``area`` itself, active first."""
    return (
        Category.objects.filter(area=area)
        .select_related("default_team", "default_organization", "default_department")
        .prefetch_related("teams")
        .order_by("-active", "name", "pk")
    )


def categories_inherited(area: Area) -> QuerySet[Category]:
    """The active categories applying at ``area`` from above it (its
    street's, everywhere's)."""
    prefixes = ancestor_paths(area.path)
    return (
        Category.objects.filter(
            Q(area__isnull=True) | Q(area__path__in=prefixes), active=True
        )
        .select_related("area")
        .order_by("name", "pk")
    )


def assignees_at(area: Area | None, *, user: User | None = None) -> dict:
    """The active teams, organizations and departments a category at
    ``area`` may name: those working at, above or below it (departments:
    its street's). For everywhere (``area=None``), the teams ``user``
    sees and no organization or department."""
    if area is None:
        teams = Team.objects.none()
        if user is not None:
            teams = scoped(Team.objects.all(), user=user, via="area")
        return {
            "teams": teams.filter(active=True).order_by("name", "pk"),
            "organizations": Organization.objects.none(),
            "departments": Department.objects.none(),
        }
    street = street_of(area)
    return {
        "teams": Team.objects.filter(_around(area), active=True)
        .select_related("area")
        .order_by("name", "pk"),
        "organizations": Organization.objects.filter(_around(area), active=True)
        .select_related("area")
        .order_by("name", "pk"),
        "departments": (
            Department.objects.filter(street=street, active=True).order_by("name")
            if street is not None
            else Department.objects.none()
        ),
    }


def departments_at(street: Area) -> QuerySet[Department]:
    """A street's departments, active first."""
    return Department.objects.filter(street=street).order_by("-active", "name", "pk")


def handler_counts(kind: str, pks) -> dict[int, int]:
    """How many work each queue of ``kind`` now."""
    rows = (
        Handler.objects.filter(ended_at__isnull=True, **{f"{kind}__in": list(pks)})
        .values(kind)
        .annotate(n=Count("pk"))
    )
    return {row[kind]: row["n"] for row in rows}


def handlers_of(queue: Assignee, *, ended: bool = True) -> QuerySet[Handler]:
    """Who works (and, with ``ended``, worked) ``queue``: current first."""
    found = Handler.objects.filter(**{assignee_field(queue): queue})
    if not ended:
        found = found.filter(ended_at__isnull=True)
    return found.select_related("user", "created_by").order_by(
        "-ended_at", "-created_at", "-pk"
    )


def unit_users_for(queue: Assignee) -> QuerySet[User]:
    """The users who may work ``queue``: holding the team or unit role
    where it works."""
    area = assignee_area(queue)
    prefixes = ancestor_paths(area.path, include_self=True)
    holders = Grant.objects.filter(
        role=Role.UNIT, revoked_at__isnull=True, area__path__in=prefixes
    ).values("user")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("name", "pk")


def queue_find(*, user: User, kind: str, pk: int) -> Assignee | None:
    """The team, organization or department ``pk`` where the user sees
    where it works, else None."""
    model = QUEUE_KINDS.get(kind)
    if model is None:
        return None
    related = "street" if model is Department else "area"
    queue = model.objects.filter(pk=pk).select_related(related).first()
    if queue is None or not in_scope(user, assignee_area(queue), Perm.AREA_VIEW):
        return None
    return queue


def queue_configured(*, user: User, kind: str, pk: int) -> Assignee:
    """A queue whose handlers the user manages: 404 out of sight, 403
    (``NotAllowed``) seen without request.configure where it works."""
    queue = queue_find(user=user, kind=kind, pk=pk)
    if queue is None:
        raise Http404
    if not in_scope(user, assignee_area(queue), Perm.REQUEST_CONFIGURE):
        raise NotAllowed(_("You may not manage who works this queue."))
    return queue


def handler_configured(*, user: User, pk: int) -> Handler:
    """A handler row of a queue the user manages (as ``queue_configured``)."""
    handler = (
        Handler.objects.filter(pk=pk)
        .select_related(
            "user", "team__area", "organization__area", "department__street"
        )
        .first()
    )
    if handler is None:
        raise Http404
    queue = handler.team or handler.organization or handler.department
    queue_configured(user=user, kind=assignee_field(queue), pk=queue.pk)
    return handler
