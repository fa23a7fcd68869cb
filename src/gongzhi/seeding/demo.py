"""The demo street: a real-looking 街道 with three communities, every role
and a login for each. Safe to run again: every node is found by its code,
every account by its phone number, every grant by its triple."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.cache import tree_changed
from gongzhi.areas.models import Area, Kind
from gongzhi.core import crypto
from gongzhi.residents.models import Gender, Relation, VisitForm

from .accounts import account_ensure, grant_ensure

DEMO_PASSWORD = "Gongzhi@2026"

# Codes follow the civil-affairs pattern: 120101 is Tianjin's 和平区.
DISTRICT = ("120101", "和平区")
STREET = ("120101001", "五大道街道")
COMMUNITIES = [
    (
        "三盛里社区",
        [("航院小区", 3), ("大理道小区", 2)],
        [("睦南里", 2), ("常德里", 2)],
    ),
    ("裕华园社区", [("裕华园", 3), ("美丽新都", 2)], [("紫旭府", 2), ("天逸园", 2)]),
    ("团结巷社区", [("团结里", 2), ("和顺里", 2)], [("兴安里", 2), ("民园西里", 2)]),
]
FLOORS = 3
DOORS_PER_FLOOR = 2
ENTRANCES = 2


@dataclass(frozen=True)
class DemoLogin:
    phone: str
    name: str
    role: str
    area_code: str


def _node(parent: Area | None, *, code: str, kind: str, name: str) -> Area:
    existing = Area.objects.filter(code=code).first()
    if existing is not None:
        return existing
    if parent is None:
        return Area.objects.add_root({"kind": kind, "name": name, "code": code})
    return Area.objects.add_child(parent, {"kind": kind, "name": name, "code": code})


def _building(
    estate: Area,
    code: str,
    number: int,
    *,
    entrances: int = ENTRANCES,
    floors: int = FLOORS,
    doors: int = DOORS_PER_FLOOR,
) -> None:
    building = _node(estate, code=code, kind=Kind.BUILDING, name=f"{number}号楼")
    for e in range(1, entrances + 1):
        entrance = _node(
            building, code=f"{code}{e:02d}", kind=Kind.ENTRANCE, name=f"{e}单元"
        )
        for floor in range(1, floors + 1):
            for door in range(1, doors + 1):
                room = f"{floor}{door:02d}"
                _node(
                    entrance,
                    code=f"{code}{e:02d}{room}",
                    kind=Kind.HOUSEHOLD,
                    name=room,
                )


def build_tree() -> dict[str, Area]:
    """Create (or find) the demo tree; returns the nodes logins sit on."""
    district = _node(None, code=DISTRICT[0], kind=Kind.DISTRICT, name=DISTRICT[1])
    street = _node(district, code=STREET[0], kind=Kind.STREET, name=STREET[1])
    for c, (community_name, *grids) in enumerate(COMMUNITIES, start=1):
        community_code = f"{STREET[0]}{c:03d}"
        community = _node(
            street, code=community_code, kind=Kind.COMMUNITY, name=community_name
        )
        for g, estates in enumerate(grids, start=1):
            grid_code = f"{community_code}{g:02d}"
            grid = _node(
                community,
                code=grid_code,
                kind=Kind.GRID,
                name=f"第{'一二三四'[g - 1]}网格",
            )
            for s, (estate_name, buildings) in enumerate(estates, start=1):
                estate_code = f"{grid_code}{s:02d}"
                estate = _node(
                    grid, code=estate_code, kind=Kind.ESTATE, name=estate_name
                )
                for b in range(1, buildings + 1):
                    _building(estate, f"{estate_code}{b:02d}", b)
    return {area.code: area for area in Area.objects.filter(code__isnull=False)}


# The demo command's towers: 团结巷社区's third grid, eight eighteen-floor
# towers of two entrances and three flats a floor (864 households), so the
# street a newcomer explores holds a few thousand residents. Test fixtures
# keep the small tree.
TOWERS = ("金街公寓", 8, 2, 18, 3)


@transaction.atomic
def seed_demo_towers() -> int:
    """Add the towers (once); returns the number of households below them."""
    name, buildings, entrances, floors, doors = TOWERS
    community = Area.objects.get(code=f"{STREET[0]}003")
    grid = _node(community, code=f"{community.code}03", kind=Kind.GRID, name="第三网格")
    estate = _node(grid, code=f"{grid.code}01", kind=Kind.ESTATE, name=name)
    for b in range(1, buildings + 1):
        _building(
            estate,
            f"{estate.code}{b:02d}",
            b,
            entrances=entrances,
            floors=floors,
            doors=doors,
        )
    tree_changed()
    return Area.objects.filter(kind=Kind.HOUSEHOLD, path__within=estate.path).count()


C1 = f"{STREET[0]}001"  # 三盛里社区
C2 = f"{STREET[0]}002"  # 裕华园社区
LOGINS = [
    DemoLogin("13800000001", "王建国", Role.DISTRICT_MANAGER, DISTRICT[0]),
    DemoLogin("13800000002", "李秀英", Role.STREET_MANAGER, STREET[0]),
    DemoLogin("13800000003", "张丽华", Role.SECRETARY, C1),
    DemoLogin("13800000004", "刘洋", Role.STAFF, C1),
    DemoLogin("13800000005", "陈静", Role.GRID_WORKER, f"{C1}01"),
    DemoLogin("13800000006", "杨帆", Role.GRID_WORKER, f"{C2}01"),
    DemoLogin("13800000007", "赵德明", Role.BUILDING_LEADER, f"{C1}010101"),
    DemoLogin("13800000008", "孙志强", Role.UNIT, C1),
    DemoLogin("13800000009", "周桂兰", Role.RESIDENT, f"{C1}01010101101"),
    DemoLogin("13800000010", "吴海燕", Role.SYSTEM_ADMIN, DISTRICT[0]),
    DemoLogin("13800000011", "郑国强", Role.SECURITY_ADMIN, DISTRICT[0]),
    DemoLogin("13800000012", "冯晓梅", Role.AUDIT_ADMIN, DISTRICT[0]),
]


@transaction.atomic
def seed_demo() -> list[DemoLogin]:
    nodes = build_tree()
    tree_changed()
    for login in LOGINS:
        user = account_ensure(login.phone, login.name, DEMO_PASSWORD)
        grant_ensure(user, nodes[login.area_code], login.role)
    return LOGINS


# The demo resident's own household: she and her husband, both retired.
RESIDENT_FAMILY = [
    ("周桂兰", Gender.FEMALE, 74, Relation.HEAD),
    ("刘振华", Gender.MALE, 77, Relation.SPOUSE),
]


@transaction.atomic
def seed_demo_people(*, stdout=None) -> int:
    """Families in every household of the demo street; the demo resident's
    login is linked to her own record so the portal shows it."""
    from gongzhi.residents.models import Person

    from .owners import seed_owners
    from .people import Member, seed_people

    street = Area.objects.get(code=STREET[0])
    resident = next(x for x in LOGINS if x.role == Role.RESIDENT)
    home = Area.objects.get(code=resident.area_code)
    families = {
        home.pk: [
            Member(name, gender, age, rel) for name, gender, age, rel in RESIDENT_FAMILY
        ]
    }
    added = seed_people(root=street, families=families, stdout=stdout)
    user = user_find_by_phone(phone=resident.phone)
    person = Person.objects.filter(household=home, name=resident.name).first()
    if person is not None and person.user_id is None and user is not None:
        # Her record carries the number she logs in with.
        person.user = user
        person.phone_encrypted = crypto.encrypt(resident.phone)
        person.phone_index = crypto.blind_index(resident.phone, purpose="phone")
        person.phone_last4 = resident.phone[-4:]
        person.save(
            update_fields=["user", "phone_encrypted", "phone_index", "phone_last4"]
        )
    seed_owners(root=street, co_owned={home.pk})  # her and her husband's flat
    return added


# What a grid worker writes after a visit that finds all well.
VISIT_FINDINGS = [
    "老人精神不错，屋里暖和，药按时吃",
    "家中整洁，子女每周回来看望",
    "血压偏高，已提醒按时复查",
    "天冷了，叮嘱关好门窗、注意用电安全",
    "电话问候，一切正常",
    "情绪稳定，和邻居相处融洽",
]


@transaction.atomic
def seed_demo_visits(*, today: dt.date | None = None) -> int:
    """A last visit for each person the demo street's care plans cover, so
    the grid workers' due lists open as on a working morning: most people
    visited within their interval, about one in five a few days overdue.
    Each visit is by the nearest grid worker or staff above the household.
    Seeded once: nothing is added where the street has visits already."""
    from gongzhi.residents.models import Person, PersonStatus, PersonTag, Visit
    from gongzhi.residents.selectors.care import care_plans_for

    today = today or timezone.localdate()
    street = Area.objects.get(code=STREET[0])
    if Visit.objects.filter(household__path__within=street.path).exists():
        return 0
    visitors = sorted(
        (
            (grant.area.path, grant.user)
            for grant in Grant.objects.filter(
                revoked_at=None,
                role__in=[Role.GRID_WORKER, Role.STAFF, Role.SECRETARY],
                area__path__within=street.path,
            ).select_related("area", "user")
        ),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    plans = care_plans_for(paths=[street.path])
    held: dict[int, list[int]] = {}
    for person_id, tag_id in PersonTag.objects.filter(
        end__isnull=True,
        person__status=PersonStatus.ACTIVE,
        person__household__path__within=street.path,
    ).values_list("person_id", "tag_id"):
        held.setdefault(person_id, []).append(tag_id)
    visits = []
    counts: dict[int, int] = {}
    people = Person.objects.filter(pk__in=held).select_related("household")
    for person in people.order_by("pk"):
        path = person.household.path
        days = [plans.interval(t, path) for t in held[person.pk]]
        days = [d for d in days if d]
        worker = next((u for p, u in visitors if path.startswith(p)), None)
        if not days or worker is None:
            continue
        every = min(days)
        # Counted per visitor, not from primary keys, so every grid worker's
        # list has its few late visits whatever ids the database handed out.
        n = counts[worker.pk] = counts.get(worker.pk, -1) + 1
        late = n % 5 == 2
        ago = every + 1 + (n // 5) % (every // 4 + 1) if late else (n * 7919) % every
        visits.append(
            Visit(
                person=person,
                household=person.household,
                worker=worker,
                visited_on=today - dt.timedelta(days=ago),
                form=VisitForm.PHONE if n % 3 == 0 else VisitForm.HOME,
                findings=VISIT_FINDINGS[n % len(VISIT_FINDINGS)],
            )
        )
    Visit.objects.bulk_create(visits, batch_size=500)
    return len(visits)
