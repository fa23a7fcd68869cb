"""Who may act on councils, topics and meetings, and where a resident
belongs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import is_within
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.homes import current_home

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.areas.models import Area


def may_manage(user: User | None, area: Area) -> bool:
    return user is not None and in_scope(user, area, Perm.COUNCIL_MANAGE)


def require_manage(user: User | None, area: Area) -> None:
    if not may_manage(user, area):
        raise NotAllowed(_("Your role does not allow this here."))


def permit(user, who, row):
    """The workflow's door: "staff" holds council.manage over the row's
    community."""
    if "staff" in who:
        return may_manage(user, row.community if hasattr(row, "community") else row)
    return True


def resident_of(by: User | None):
    """The resident record of the login, or a refusal."""
    person = getattr(by, "person", None) if by is not None else None
    if person is None or current_home(person) is None:
        raise ValidationFailed(
            _("Your account is not linked to a household yet."), field="person"
        )
    return person


def lives_within(person, area: Area) -> bool:
    home = current_home(person)
    return home is not None and is_within(home.path, area.path)
