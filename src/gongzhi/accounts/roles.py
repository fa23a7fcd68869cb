"""Roles, what each may do, where each may be granted and who may grant it.

A role is always granted on an area node and reaches that node's subtree.
Permissions are plain strings checked through ``areas.scoping``; a later app
adds its own permission to the roles that need it here, in one place.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Kind


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    BUILDING_LEADER = "building_leader", _("Building leader")
    GRID_WORKER = "grid_worker", _("Grid worker")
    STAFF = "staff", _("Community staff")
    SECRETARY = "secretary", _("Community secretary")
    UNIT = "unit", _("Team or partner unit")
    STREET_MANAGER = "street_manager", _("Street manager")
    DISTRICT_MANAGER = "district_manager", _("District manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


class Perm:
    """Permission names. A role grants a permission on its subtree."""

    AREA_VIEW = "area.view"  # browse the tree
    AREA_MANAGE = "area.manage"  # add, rename, move, retire nodes
    GRANT_MANAGE = "grant.manage"  # grant and revoke roles
    ACCOUNT_MANAGE = "account.manage"  # create accounts, reset passwords
    AUDIT_VIEW = "audit.view"  # read the audit trail
    WORKBENCH = "workbench.use"  # the staff workbench (PC)
    PERSONAL_VIEW = "personal.view"  # residents' personal data, masked
    PERSONAL_FULL = "personal.full"  # unmasked, each view audited
    RESIDENT_MANAGE = "resident.manage"  # register people, move them in/out
    RESIDENT_IMPORT = "resident.import"  # Excel import and full export
    CARE_RECORD = "care.record"  # visits, incidents, pairings
    TAG_CONFIGURE = "tag.configure"  # a street's key-population tags, care plans
    POINTS_AWARD = "points.award"  # award points for good deeds, within caps
    POINTS_MANAGE = "points.manage"  # approve large awards, run the shop counter
    POINTS_VIEW = "points.view"  # the shop's figures and monthly statements
    POINTS_POLICY = "points.policy"  # a street's choices: household accounts
    ACTIVITY_MANAGE = "activity.manage"  # teams, activities, attendance, hours
    ACTIVITY_VIEW = "activity.view"  # activities, volunteers and their counts
    ORG_MANAGE = "org.manage"  # organizations, agreements, 双报到 decisions
    ORG_VIEW = "org.view"  # organizations, the service chain, the 双报到 pool
    REQUEST_RAISE = (
        "request.raise"  # raise a request (点单) here, for oneself or others
    )
    REQUEST_VIEW = "request.view"  # requests raised here, their reporters masked
    REQUEST_DISPATCH = "request.dispatch"  # 派单, reject, merge, 回访; 吹哨 routing
    REQUEST_HANDLE = "request.handle"  # work the queues one is a handler of (接单)
    REQUEST_CONFIGURE = "request.configure"  # categories, departments, handlers
    SELECTION_VIEW = "selection.view"  # selections, nominations, results
    SELECTION_NOMINATE = "selection.nominate"  # nominate people, homes, buildings
    SELECTION_MANAGE = "selection.manage"  # run selections: review, vote, 公示
    NOTICE_PUBLISH = "notice.publish"  # publish 通知公告 to an area
    NOTICE_VIEW = "notice.view"  # notices' read receipts: who has not read
    OUTBOX_VIEW = "outbox.view"  # the outgoing SMS/WeChat messages kept here
    JOBS_MANAGE = "jobs.manage"  # background jobs: the schedule, failures, retry
    COUNCIL_MANAGE = "council.manage"  # collections, topics, councils, meetings
    COUNCIL_VIEW = "council.view"  # councils, topics, votes and their figures
    INSIGHTS_VIEW = "insights.view"  # the 数据大屏 and its figures, as rollups


_STAFF_COMMON = {Perm.AREA_VIEW, Perm.WORKBENCH, Perm.PERSONAL_VIEW}
_COMMUNITY_WORK = {
    Perm.PERSONAL_FULL,
    Perm.RESIDENT_MANAGE,
    Perm.CARE_RECORD,
}
_ACTIVITIES = {Perm.ACTIVITY_MANAGE, Perm.ACTIVITY_VIEW}
_ORGS = {Perm.ORG_MANAGE, Perm.ORG_VIEW}
# Requests (急难愁盼): residents raise and rate their own; building leaders
# and grid workers raise on residents' behalf; community staff dispatch; a
# team's or unit's handlers work their queue; the street routes 吹哨 to its
# departments.
_REQUESTS_RAISE = {Perm.REQUEST_RAISE, Perm.REQUEST_VIEW}
_REQUESTS_DISPATCH = _REQUESTS_RAISE | {Perm.REQUEST_DISPATCH}
# 议事协商: community staff run collections, councils and meetings; the
# street and district read them.
_COUNCILS = {Perm.COUNCIL_MANAGE, Perm.COUNCIL_VIEW}
# 通知公告: staff publish; whoever knocks on doors reads who has not read.
_NOTICES = {Perm.NOTICE_PUBLISH, Perm.NOTICE_VIEW}

# 三员分立: the system, security and audit administrators run the platform,
# the grants and the audit trail respectively. None of the three holds
# personal.view: administering the system is no reason to read residents'
# personal data.
ROLE_PERMS: dict[str, set[str]] = {
    Role.RESIDENT: {Perm.AREA_VIEW, Perm.REQUEST_RAISE},
    Role.BUILDING_LEADER: _STAFF_COMMON
    | _REQUESTS_RAISE
    | {Perm.CARE_RECORD, Perm.POINTS_AWARD, Perm.ACTIVITY_VIEW, Perm.ORG_VIEW},
    Role.GRID_WORKER: _STAFF_COMMON
    | _COMMUNITY_WORK
    | _REQUESTS_RAISE
    | {Perm.POINTS_AWARD, Perm.ACTIVITY_VIEW, Perm.ORG_VIEW},
    Role.STAFF: _STAFF_COMMON
    | _COMMUNITY_WORK
    | _ACTIVITIES
    | _ORGS
    | _REQUESTS_DISPATCH
    | _COUNCILS
    | {
        Perm.RESIDENT_IMPORT,
        Perm.POINTS_AWARD,
        Perm.POINTS_MANAGE,
        Perm.POINTS_VIEW,
        Perm.INSIGHTS_VIEW,
    },
    Role.SECRETARY: _STAFF_COMMON
    | _COMMUNITY_WORK
    | _ACTIVITIES
    | _ORGS
    | _REQUESTS_DISPATCH
    | _COUNCILS
    | {
        Perm.REQUEST_CONFIGURE,
        Perm.RESIDENT_IMPORT,
        Perm.AREA_MANAGE,
        Perm.GRANT_MANAGE,
        Perm.POINTS_AWARD,
        Perm.POINTS_MANAGE,
        Perm.POINTS_VIEW,
        Perm.INSIGHTS_VIEW,
    },
    Role.UNIT: {Perm.AREA_VIEW, Perm.WORKBENCH, Perm.REQUEST_HANDLE} | _ACTIVITIES,
    Role.STREET_MANAGER: _STAFF_COMMON
    | {
        Perm.AREA_MANAGE,
        Perm.GRANT_MANAGE,
        Perm.TAG_CONFIGURE,
        Perm.POINTS_VIEW,
        Perm.POINTS_POLICY,
        Perm.ACTIVITY_VIEW,
        Perm.ORG_VIEW,
        Perm.REQUEST_VIEW,
        Perm.REQUEST_DISPATCH,
        Perm.REQUEST_CONFIGURE,
        Perm.COUNCIL_VIEW,
        Perm.INSIGHTS_VIEW,
    },
    Role.DISTRICT_MANAGER: _STAFF_COMMON
    | {
        Perm.AREA_MANAGE,
        Perm.GRANT_MANAGE,
        Perm.TAG_CONFIGURE,
        Perm.POINTS_VIEW,
        Perm.POINTS_POLICY,
        Perm.ACTIVITY_VIEW,
        Perm.ORG_VIEW,
        Perm.REQUEST_VIEW,
        Perm.COUNCIL_VIEW,
        Perm.INSIGHTS_VIEW,
    },
    Role.SYSTEM_ADMIN: {
        Perm.AREA_VIEW,
        Perm.WORKBENCH,
        Perm.AREA_MANAGE,
        Perm.ACCOUNT_MANAGE,
        Perm.REQUEST_CONFIGURE,
        Perm.JOBS_MANAGE,
    },
    Role.SECURITY_ADMIN: {Perm.AREA_VIEW, Perm.WORKBENCH, Perm.GRANT_MANAGE},
    Role.AUDIT_ADMIN: {Perm.AREA_VIEW, Perm.WORKBENCH, Perm.AUDIT_VIEW},
}

# 通知公告: staff and the street publish; grid workers and building leaders
# read who has not read, to knock on the door. The system administrator
# reads the outgoing SMS and WeChat messages the embedded default keeps.
for _role in (Role.STAFF, Role.SECRETARY, Role.STREET_MANAGER, Role.DISTRICT_MANAGER):
    ROLE_PERMS[_role] |= _NOTICES
for _role in (Role.GRID_WORKER, Role.BUILDING_LEADER):
    ROLE_PERMS[_role] |= {Perm.NOTICE_VIEW}
ROLE_PERMS[Role.SYSTEM_ADMIN] |= {Perm.OUTBOX_VIEW}

_ADMIN_KINDS = {Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY}

# The node kinds a role may be granted on.
ROLE_KINDS: dict[str, set[str]] = {
    Role.RESIDENT: {Kind.HOUSEHOLD},
    Role.BUILDING_LEADER: {Kind.BUILDING, Kind.ENTRANCE, Kind.ESTATE},
    Role.GRID_WORKER: {Kind.GRID},
    Role.STAFF: {Kind.COMMUNITY},
    Role.SECRETARY: {Kind.COMMUNITY},
    Role.UNIT: {Kind.COMMUNITY, Kind.STREET},
    Role.STREET_MANAGER: {Kind.STREET},
    Role.DISTRICT_MANAGER: {Kind.DISTRICT},
    Role.SYSTEM_ADMIN: _ADMIN_KINDS,
    Role.SECURITY_ADMIN: _ADMIN_KINDS,
    Role.AUDIT_ADMIN: _ADMIN_KINDS,
}

_COMMUNITY_ROLES = {
    Role.STAFF,
    Role.GRID_WORKER,
    Role.BUILDING_LEADER,
    Role.UNIT,
    Role.RESIDENT,
}

# Which roles a holder of a grant-managing role may hand out below its node.
# Nobody but the security administrator creates administrators, and nobody
# grants a role above their own.
GRANTABLE: dict[str, set[str]] = {
    Role.SECRETARY: _COMMUNITY_ROLES,
    Role.STREET_MANAGER: _COMMUNITY_ROLES | {Role.SECRETARY},
    Role.DISTRICT_MANAGER: _COMMUNITY_ROLES | {Role.SECRETARY, Role.STREET_MANAGER},
    Role.SECURITY_ADMIN: set(Role.values),
}


# Selections (评选表彰): teams and units nominate; community staff, the
# street and the district run selections at their level. Residents (and
# building leaders, grid workers, who live somewhere too) nominate and
# vote from the portal as residents of the registry.
_SELECTIONS_NOMINATE = {Perm.SELECTION_VIEW, Perm.SELECTION_NOMINATE}
_SELECTIONS_RUN = _SELECTIONS_NOMINATE | {Perm.SELECTION_MANAGE}
for _role, _perms in {
    Role.UNIT: _SELECTIONS_NOMINATE,
    Role.STAFF: _SELECTIONS_RUN,
    Role.SECRETARY: _SELECTIONS_RUN,
    Role.STREET_MANAGER: _SELECTIONS_RUN,
    Role.DISTRICT_MANAGER: _SELECTIONS_RUN,
}.items():
    ROLE_PERMS[_role] = ROLE_PERMS[_role] | _perms


def perms_for(role: str) -> set[str]:
    return ROLE_PERMS.get(role, set())


def roles_with(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]
