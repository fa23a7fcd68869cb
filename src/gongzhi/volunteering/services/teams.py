"""Service teams and their members: a resident applies, the team's leader
(or community staff) approves or declines, a member may leave."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import ancestor_path, is_within
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.residents.homes import last_known_community

from ..models import MEMBER_OPEN, MemberStatus, Team, TeamMember, TeamType
from .rules import leads, unit_check

NAME_MAX = Team._meta.get_field("name").max_length
NOTE_MAX = TeamMember._meta.get_field("note").max_length
SKILLS_MAX = TeamMember._meta.get_field("skills").max_length


@transaction.atomic
def team_create(
    *,
    area: Area,
    name: str,
    kind: str,
    by: User,
    leader=None,
    unit=None,
    description: str = "",
    skills: str = "",
    availability: str = "",
    now: dt.datetime | None = None,
) -> Team:
    """A new service team under a community or a street, and under one of
    its active units if ``unit`` is given; its leader, if named, becomes
    its first member."""
    if area.kind not in (Kind.COMMUNITY, Kind.STREET):
        raise ValidationFailed(
            _("A team belongs to a community or a street."), field="area"
        )
    if not in_scope(by, area, Perm.ACTIVITY_MANAGE):
        raise NotAllowed(_("You may not set up teams here."))
    name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    if kind not in TeamType.values:
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    unit_check(unit, area)
    if Team.objects.filter(area=area, name=name).exists():
        raise ValidationFailed(
            _("%(area)s already has a team called %(name)s.")
            % {"area": area.name, "name": name},
            field="name",
        )
    team = Team.objects.create(
        created_at=now or timezone.now(),
        area=area,
        name=name,
        kind=kind,
        unit=unit,
        leader=leader,
        description=str(description or "").strip(),
        skills=text_clean(skills, field="skills", limit=SKILLS_MAX),
        availability=text_clean(availability, field="availability", limit=SKILLS_MAX),
    )
    if leader is not None:
        TeamMember.objects.create(
            team=team,
            person=leader,
            status=MemberStatus.MEMBER,
            applied_at=team.created_at,
            decided_at=team.created_at,
            decided_by=by,
        )
    return team


def may_run(user: User, team: Team) -> bool:
    """The team's leader, or staff with activity.manage where it works."""
    return leads(user, team) or in_scope(user, team.area, Perm.ACTIVITY_MANAGE)


@transaction.atomic
def member_apply(
    *,
    team: Team,
    person,
    by: User,
    skills: str = "",
    availability: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> TeamMember:
    """A resident asks to join a team of her street."""
    if by.pk != person.user_id and not may_run(by, team):
        raise NotAllowed(_("You may apply only for yourself."))
    if not team.active:
        raise TransitionNotAllowed(_("This team has been disbanded."), field="team")
    community = last_known_community(person)
    street_path = ancestor_path(community, Kind.STREET) if community else None
    if street_path is None or not (
        is_within(team.area.path, street_path) or is_within(street_path, team.area.path)
    ):
        raise ValidationFailed(_("This team works in another street."), field="team")
    try:
        with transaction.atomic():
            return TeamMember.objects.create(
                team=team,
                person=person,
                status=MemberStatus.APPLIED,
                skills=text_clean(skills, field="skills", limit=SKILLS_MAX),
                availability=text_clean(
                    availability, field="availability", limit=SKILLS_MAX
                ),
                note=text_clean(note, field="note", limit=NOTE_MAX),
                applied_at=now or timezone.now(),
            )
    except IntegrityError:
        raise TransitionNotAllowed(
            _("%(name)s has applied to or joined this team already.")
            % {"name": person.name},
            field="team",
        ) from None


@transaction.atomic
def member_decide(
    *,
    member: TeamMember,
    approve: bool,
    by: User,
    note: str = "",
    now: dt.datetime | None = None,
) -> TeamMember:
    """The leader (or staff) approves or declines an application."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("team__leader")
        .get(pk=member.pk)
    )
    if not may_run(by, member.team):
        raise NotAllowed(_("Only the team's leader or community staff may decide."))
    if member.status != MemberStatus.APPLIED:
        raise TransitionNotAllowed(
            _("This application has been decided already."), field="status"
        )
    member.status = MemberStatus.MEMBER if approve else MemberStatus.DECLINED
    member.decided_at = now or timezone.now()
    member.decided_by = by
    if note:
        member.note = text_clean(note, field="note", limit=NOTE_MAX)
    member.save(update_fields=["status", "decided_at", "decided_by", "note"])
    return member


@transaction.atomic
def member_leave(
    *, member: TeamMember, by: User, now: dt.datetime | None = None
) -> TeamMember:
    """A member leaves (or is taken off by the leader); an application not
    yet decided is withdrawn the same way."""
    member = (
        TeamMember.objects.select_for_update(of=("self",))
        .select_related("team__leader", "person")
        .get(pk=member.pk)
    )
    if by.pk != member.person.user_id and not may_run(by, member.team):
        raise NotAllowed(_("You may not change this membership."))
    if member.status not in MEMBER_OPEN:
        raise TransitionNotAllowed(
            _("%(name)s is not in this team.") % {"name": member.person.name},
            field="status",
        )
    member.status = MemberStatus.LEFT
    member.left_at = now or timezone.now()
    member.save(update_fields=["status", "left_at"])
    return member
