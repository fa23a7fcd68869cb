"""Who may organize a session and who may take part in it."""

from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import ancestor_path, is_within
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.homes import last_known_community

from ..models import Activity, Occurrence, Team


def leads(user: User, team: Team | None) -> bool:
    """Whether ``user`` is the resident who leads ``team``."""
    return (
        team is not None
        and team.leader_id is not None
        and team.leader.user_id is not None
        and team.leader.user_id == user.pk
    )


def may_organize(user: User, occurrence: Occurrence | Activity) -> bool:
    """Staff with activity.manage where the activity is held, or the leader
    of the team that runs it."""
    activity = getattr(occurrence, "activity", occurrence)
    return in_scope(user, activity.community, Perm.ACTIVITY_MANAGE) or leads(
        user, activity.team
    )


def require_organizer(user: User, occurrence: Occurrence | Activity) -> None:
    if not may_organize(user, occurrence):
        raise NotAllowed(_("Only the organizer or community staff may do this."))


def may_take_part(person, occurrence: Occurrence) -> None:
    """Residents take part in the activities of their own street: a market
    or a festival in the next community is theirs too. Anyone further away
    is refused."""
    community = last_known_community(person)
    if community is None:
        raise ValidationFailed(
            _("%(name)s has no home recorded in any community.")
            % {"name": person.name},
            field="person",
        )
    street_path = ancestor_path(community, Kind.STREET)
    if not is_within(occurrence.community.path, street_path):
        raise ValidationFailed(
            _("This activity is held in another street."), field="occurrence"
        )


def unit_check(unit, area: Area, *, field: str = "unit") -> None:
    """Refuse a unit (an organization) that is not active or lies outside
    ``area``, the community (or street) a team or activity belongs to."""
    if unit is None:
        return
    if not unit.active:
        raise ValidationFailed(
            _("%(name)s is no longer active.") % {"name": unit.name}, field=field
        )
    if not is_within(unit.area.path, area.path):
        raise ValidationFailed(
            _("%(name)s belongs to another community.") % {"name": unit.name},
            field=field,
        )
