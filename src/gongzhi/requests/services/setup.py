"""Configuring requests: categories, street departments and the handlers
who work a team's, an organization's or a department's queue."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths
from gongzhi.areas.tree import is_root
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.orgs.models import Organization
from gongzhi.volunteering.models import Team

from ..models import Category, Department, DispatchMode, Handler
from ..states import Urgency
from .rules import Assignee, assignee_area, assignee_field, serves

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
NAME_MAX = Category._meta.get_field("name").max_length
MAX_HOURS = 24 * 365
MAX_CLOSE_DAYS = 365


def _may_configure(by: User, area: Area | None) -> bool:
    if area is None:  # everywhere: a configurer of a whole district
        return any(is_root(path) for path in scope_paths(by, Perm.REQUEST_CONFIGURE))
    return in_scope(by, area, Perm.REQUEST_CONFIGURE)


def _whole(value, *, field: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Enter a whole number."), field=field)
    if not least <= value <= most:
        raise ValidationFailed(
            _("Enter a number from %(least)d to %(most)d.")
            % {"least": least, "most": most},
            field=field,
        )
    return value


def _category_fields(
    *,
    area: Area | None,
    name,
    description,
    urgency,
    response_hours,
    resolve_hours,
    dispatch_mode,
    default_to,
    teams,
    auto_close_days,
) -> dict:
    name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Choose one of the options."), field="urgency")
    if dispatch_mode not in DispatchMode.values:
        raise ValidationFailed(_("Choose one of the options."), field="dispatch_mode")
    response_hours = _whole(
        response_hours, field="response_hours", least=1, most=MAX_HOURS
    )
    resolve_hours = _whole(
        resolve_hours, field="resolve_hours", least=1, most=MAX_HOURS
    )
    if resolve_hours < response_hours:
        raise ValidationFailed(
            _("The resolution deadline cannot come before the response deadline."),
            field="resolve_hours",
        )
    auto_close_days = _whole(
        auto_close_days, field="auto_close_days", least=1, most=MAX_CLOSE_DAYS
    )
    teams = list(teams or ())
    for team in teams:
        if not isinstance(team, Team) or (area is not None and not serves(team, area)):
            raise ValidationFailed(
                _("%(team)s does not work here.") % {"team": team}, field="teams"
            )
    if dispatch_mode != DispatchMode.ASSIGN and not teams:
        raise ValidationFailed(
            _("Name the teams that take from the pool or take turns."),
            field="teams",
        )
    defaults = {"default_team": None, "default_organization": None}
    defaults["default_department"] = None
    if default_to is not None:
        if area is None or not serves(default_to, area):
            raise ValidationFailed(
                _("%(name)s does not work here.") % {"name": default_to},
                field="default_to",
            )
        defaults[f"default_{assignee_field(default_to)}"] = default_to
    return {
        "name": name,
        "description": str(description or "").strip(),
        "urgency": urgency,
        "response_hours": response_hours,
        "resolve_hours": resolve_hours,
        "dispatch_mode": dispatch_mode,
        "auto_close_days": auto_close_days,
        **defaults,
    }, teams


@transaction.atomic
def category_create(
    *,
    area: Area | None,
    code: str,
    name: str,
    by: User,
    response_hours: int,
    resolve_hours: int,
    urgency: str = Urgency.NORMAL,
    description: str = "",
    dispatch_mode: str = DispatchMode.ASSIGN,
    default_to: Assignee | None = None,
    teams=(),
    auto_escalate: bool = False,
    auto_close_days: int = 7,
    now: dt.datetime | None = None,
) -> Category:
    """A category for a street or a community (or, ``area=None``,
    everywhere: a district-wide configurer only). Its ``code`` is its
    Open311 service code, unique where it applies."""
    if area is not None and area.kind not in (Kind.STREET, Kind.COMMUNITY):
        raise ValidationFailed(
            _("A category belongs to a street or a community."), field="area"
        )
    if not _may_configure(by, area):
        raise NotAllowed(_("You may not configure request categories here."))
    code = str(code or "").strip()
    if not CODE.match(code):
        raise ValidationFailed(
            _("Use up to 32 letters, digits, hyphens or underscores."), field="code"
        )
    fields, teams = _category_fields(
        area=area,
        name=name,
        description=description,
        urgency=urgency,
        response_hours=response_hours,
        resolve_hours=resolve_hours,
        dispatch_mode=dispatch_mode,
        default_to=default_to,
        teams=teams,
        auto_close_days=auto_close_days,
    )
    if Category.objects.filter(area=area, code=code).exists():
        raise ValidationFailed(
            _("The code %(code)s is taken here.") % {"code": code}, field="code"
        )
    try:
        with transaction.atomic():
            category = Category.objects.create(
                area=area,
                code=code,
                auto_escalate=bool(auto_escalate),
                created_at=now or timezone.now(),
                **fields,
            )
    except IntegrityError:
        raise ValidationFailed(
            _("The code %(code)s is taken here.") % {"code": code}, field="code"
        ) from None
    category.teams.set(teams)
    return category


@transaction.atomic
def category_update(
    *,
    category: Category,
    by: User,
    name: str,
    response_hours: int,
    resolve_hours: int,
    urgency: str = Urgency.NORMAL,
    description: str = "",
    dispatch_mode: str = DispatchMode.ASSIGN,
    default_to: Assignee | None = None,
    teams=(),
    auto_escalate: bool = False,
    auto_close_days: int = 7,
    active: bool = True,
) -> Category:
    """Change a category; requests raised before keep their deadlines.
    The code stays (Open311 clients know it)."""
    category = Category.objects.select_for_update().get(pk=category.pk)
    if not _may_configure(by, category.area):
        raise NotAllowed(_("You may not configure request categories here."))
    fields, teams = _category_fields(
        area=category.area,
        name=name,
        description=description,
        urgency=urgency,
        response_hours=response_hours,
        resolve_hours=resolve_hours,
        dispatch_mode=dispatch_mode,
        default_to=default_to,
        teams=teams,
        auto_close_days=auto_close_days,
    )
    for key, value in fields.items():
        setattr(category, key, value)
    category.auto_escalate = bool(auto_escalate)
    category.active = bool(active)
    category.save()
    category.teams.set(teams)
    return category


@transaction.atomic
def department_create(
    *,
    street: Area,
    name: str,
    by: User,
    description: str = "",
    now: dt.datetime | None = None,
) -> Department:
    """A street department that receives escalated requests."""
    if street.kind != Kind.STREET:
        raise ValidationFailed(_("A department belongs to a street."), field="street")
    if not in_scope(by, street, Perm.REQUEST_CONFIGURE):
        raise NotAllowed(_("You may not set up departments here."))
    name = text_clean(name, field="name", limit=60, required=True)
    if Department.objects.filter(street=street, name=name).exists():
        raise ValidationFailed(
            _("%(street)s already has a department called %(name)s.")
            % {"street": street.name, "name": name},
            field="name",
        )
    return Department.objects.create(
        street=street,
        name=name,
        description=str(description or "").strip(),
        created_at=now or timezone.now(),
    )


def may_manage_handlers(by: User, assignee: Assignee) -> bool:
    area = assignee_area(assignee)
    return in_scope(by, area, Perm.REQUEST_CONFIGURE) or in_scope(
        by, area, Perm.REQUEST_DISPATCH
    )


@transaction.atomic
def handler_add(
    *, user: User, to: Assignee, by: User, now: dt.datetime | None = None
) -> Handler:
    """Let ``user`` work ``to``'s queue. She acts on it where she holds
    request.handle (the team or unit role) over where it works."""
    if not isinstance(to, Team | Organization | Department):
        raise ValidationFailed(
            _("Choose a team, an organization or a department."), field="to"
        )
    if not may_manage_handlers(by, to):
        raise NotAllowed(_("You may not manage who works this queue."))
    if not in_scope(user, assignee_area(to), Perm.REQUEST_HANDLE):
        raise ValidationFailed(
            _("%(name)s holds no team or unit role where %(queue)s works.")
            % {"name": user.name, "queue": to},
            field="user",
        )
    field = assignee_field(to)
    if Handler.objects.filter(user=user, ended_at__isnull=True, **{field: to}):
        raise ValidationFailed(
            _("%(name)s works this queue already.") % {"name": user.name},
            field="user",
        )
    return Handler.objects.create(
        user=user, created_by=by, created_at=now or timezone.now(), **{field: to}
    )


@transaction.atomic
def handler_end(
    *, handler: Handler, by: User, now: dt.datetime | None = None
) -> Handler:
    """Stop ``handler`` working the queue; the row stays."""
    handler = Handler.objects.select_for_update().get(pk=handler.pk)
    queue = handler.team or handler.organization or handler.department
    if not may_manage_handlers(by, queue):
        raise NotAllowed(_("You may not manage who works this queue."))
    if handler.ended_at is not None:
        raise TransitionNotAllowed(_("This has ended already."), field="handler")
    handler.ended_at = now or timezone.now()
    handler.save(update_fields=["ended_at"])
    return handler
