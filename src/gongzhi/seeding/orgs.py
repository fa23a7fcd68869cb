"""The organizations of seeded communities and their party members' 双报到,
through the services the pages and the API call (``org_create``,
``agreement_create``, ``registration_create``, ``registration_transition``;
building leaders through ``user_create`` and ``grant_create``).

Each community gets its 社区大党委 and, per estate, a 小区党支部 under it
(its "第一书记" a cadre of a co-building unit), a 业委会 (on the demo street
every estate has one, so every chain is whole; elsewhere most do) and a
property company; five co-building units (a school, a hospital, the
police station, a bank branch and a utility company) each with a
co-building agreement (the first with an earlier one whose term has
ended), and two social organizations. On the demo street each estate
without a building leader gets one: a resident of its first building,
with a login of her own, so its five-level chain is whole.

Party members register where they live (双报到) with their work units:
twelve confirmed in each community, two awaiting confirmation, one
declined (the unit given too vaguely) and one ended (moved away), dated
over the past year. Members are drawn first from the residents of working
age who serve in the community's volunteering, the 党员先锋队 first, so
the pool and the report to the units show hours.

Deterministic: each community draws from a random generator seeded with
its code. A community with a Party committee already is left alone:
seeding again adds nothing. Run after the volunteering year, whose
volunteers the registrations draw on.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.accounts.services import grant_create
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import ancestor_path
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.orgs.models import RegistrationStatus as Status
from gongzhi.orgs.services.organizations import agreement_create, org_create
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)
from gongzhi.residents.models import Gender, Person, PersonStatus
from gongzhi.volunteering.models import Attendance, MemberStatus, TeamMember, TeamType

from .accounts import account_ensure
from .bulk import say
from .people import _name
from .points import staff_ensure

# Co-building units of each demo community: (kind of unit, name, what it
# undertakes). 三盛里's 天津民航大学 is the one the news report names.
DEMO_UNITS = [
    [  # 三盛里社区
        ("school", "天津民航大学"),
        ("hospital", "和平区中医医院"),
        ("police", "五大道派出所"),
        ("bank", "中国建设银行天津和平支行"),
        ("company", "国网天津和平供电公司"),
    ],
    [  # 裕华园社区
        ("school", "和平区中心小学"),
        ("hospital", "天津市第一中心医院"),
        ("police", "五大道派出所"),
        ("bank", "中国工商银行五大道支行"),
        ("company", "天津燃气集团和平分公司"),
    ],
    [  # 团结巷社区
        ("school", "天津市第二十中学"),
        ("hospital", "和平区妇产科医院"),
        ("police", "五大道派出所"),
        ("bank", "天津银行和平支行"),
        ("company", "天津水务集团和平营销分公司"),
    ],
]
# Units of the scale seeds' communities, taken in turn.
OTHER_UNITS = {
    "school": ["{street}中心小学", "{street}中学", "{community}幼儿园"],
    "hospital": ["{street}社区卫生服务中心", "区人民医院", "区中医医院"],
    "police": ["{street}派出所"],
    "bank": [
        "中国建设银行{street}支行",
        "中国农业银行{street}支行",
        "天津银行{street}支行",
    ],
    "company": ["国网天津供电公司{street}营业所", "天津燃气集团{street}服务站"],
}
COMMITMENTS = {
    "school": (
        "1. 每学期组织师生志愿者到社区开展科普、文明实践活动不少于2次；\n"
        "2. 寒暑假开放操场、图书室，协助社区办好“四点半课堂”；\n"
        "3. 学校党员教师到居住地社区报到，参与结对帮扶。"
    ),
    "hospital": (
        "1. 每月20日派医护人员到社区开展义诊，量血压、测血糖；\n"
        "2. 为独居、高龄老人提供家庭医生签约和上门随访服务；\n"
        "3. 每季度举办一次健康知识讲座。"
    ),
    "police": (
        "1. 社区民警每周与治安巡逻队联合巡逻一次；\n"
        "2. 每季度开展一次防范电信网络诈骗宣传；\n"
        "3. 协助调解邻里纠纷，重点人员共同走访。"
    ),
    "bank": (
        "1. 每季度到社区开展金融知识普及和防范非法集资宣传；\n"
        "2. 为行动不便的老人上门办理社保卡、养老金业务；\n"
        "3. 支部党员参加社区志愿服务，每年不少于4次。"
    ),
    "company": (
        "1. 每半年为独居老人、困难家庭免费入户检查线路管道；\n"
        "2. 停供、抢修信息第一时间通知社区和楼栋长；\n"
        "3. 参加社区议事协商，共同解决小区设施问题。"
    ),
}
# 天津民航大学 repaired 航院小区's facilities, as the report tells.
COMMITMENTS_CAUC = (
    "1. 按居民需求为航院小区维修道路、路灯等基础设施；\n"
    "2. 组织“青春联盟”大学生志愿者到游客驿站开展文明旅游志愿服务；\n"
    "3. 每学期为社区青少年开设一次航空科普课。"
)
COMMITMENTS_BEFORE = "每学期组织师生到社区开展志愿服务，开放运动场地。"
# Agreements run two or three years; the first unit's earlier one ended.
TERMS = (2, 3)
SOCIAL = [
    (
        "和平区心连心社会工作服务中心",
        "承接社区养老、助残社会工作服务项目，开展“五社联动”。",
    ),
    ("{community}老年协会", "组织老年人文体活动，协助走访独居老人。"),
]
# Property companies, taken in turn; one company may serve several estates.
PROPERTY_COMPANIES = [
    "华泰物业",
    "津和物业服务有限公司",
    "金汇物业",
    "安居物业管理有限公司",
    "宏达物业",
    "康居物业服务有限公司",
]
# Where party members work, weighted: several of a community's members
# share a unit, so the report to the units groups them.
WORK_UNITS = [
    ("和平区教育局", 5),
    ("和平区税务局", 4),
    ("天津市第一中心医院", 4),
    ("中国建设银行天津和平支行", 3),
    ("和平区卫生健康委员会", 3),
    ("和平区市场监督管理局", 3),
    ("天津民航大学", 2),
    ("和平区人民法院", 2),
    ("国网天津和平供电公司", 2),
    ("天津港集团有限公司", 1),
    ("和平区住房和建设委员会", 1),
    ("天津日报社", 1),
]
CONFIRMED, WAITING = 12, 2
# Declined for a unit given too vaguely; ended on moving away.
DECLINED_UNIT, DECLINE_NOTE = (
    "教育局",
    "工作单位请填写全称（如：和平区教育局）后重新报到",
)
END_NOTE = "已搬离本社区，转至新居住地社区报到"
WORKING_AGE = (23, 60)
LEADER_AGE = (45, 75)
# Share of a scale community's estates with a homeowners' committee.
OWNERS_SHARE = 0.8


@dataclass
class Tally:
    communities: int = 0
    orgs: int = 0
    agreements: int = 0
    registrations: int = 0
    confirmed: int = 0
    leaders: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        return (
            f"{self.orgs:,} organizations, {self.agreements:,} agreements, "
            f"{self.registrations:,} party members registered "
            f"({self.confirmed:,} confirmed), {self.leaders:,} building leaders "
            f"added, in {self.seconds:.1f} s"
        )


def _age(person: Person, today: dt.date) -> int:
    if person.birth_date is None:
        return 40
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _landline(rng: random.Random) -> str:
    return f"022-2{rng.randrange(1000000, 9999999)}"


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(100000000, 999999999)}"


def _person_name(rng: random.Random) -> str:
    return _name(rng, rng.choice((Gender.MALE, Gender.FEMALE)))


def _manager(community: Area) -> User:
    """Who records the community's organizations: its secretary, or else
    a staff member."""
    for role in (Role.SECRETARY, Role.STAFF):
        grant = (
            Grant.objects.filter(area=community, role=role, revoked_at=None)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if grant is not None:
            return grant.user
    raise ValueError(f"{community.name} has nobody to record its organizations")


class _Community:
    def __init__(
        self,
        community: Area,
        *,
        by: User,
        now: dt.datetime,
        units: list[tuple[str, str]],
        every_estate: bool,
        seed: int,
    ):
        self.community = community
        self.by = by
        self.now = now
        self.today = timezone.localdate(now)
        self.units = units
        self.every_estate = every_estate
        self.rng = random.Random(f"{seed}:{community.code}:orgs")  # noqa: S311
        self.tally = Tally(communities=1)

    def org(self, **fields) -> Organization:
        org = org_create(by=self.by, **fields)
        self.tally.orgs += 1
        return org

    def agreement(self, unit: Organization, **fields) -> None:
        agreement_create(unit=unit, by=self.by, **fields)
        self.tally.agreements += 1

    def organizations(self) -> None:
        rng, community = self.rng, self.community
        committee = self.org(
            area=community,
            kind=OrgKind.PARTY_COMMITTEE,
            name=f"{community.name}大党委",
            contact_name=self.by.name,
            contact_phone=_landline(rng),
            description=(
                "社区党委牵头，吸纳辖区共建单位、物业企业党组织负责人任兼职委员，"
                "统筹辖区党建资源。"
            ),
        )
        units = []
        for index, (key, name) in enumerate(self.units):
            unit = self.org(
                area=community,
                kind=OrgKind.CO_BUILDING,
                name=name,
                contact_name=_person_name(rng),
                contact_phone=_mobile(rng) if rng.random() < 0.5 else _landline(rng),
            )
            units.append(unit)
            years = rng.choice(TERMS)
            signed = self.today - dt.timedelta(days=rng.randrange(60, 330))
            if index == 0:
                # An earlier agreement whose term ended, then the current one.
                before = signed - dt.timedelta(days=365 * 2 + 1)
                self.agreement(
                    unit,
                    signed_on=before,
                    ends_on=signed - dt.timedelta(days=1),
                    commitments=COMMITMENTS_BEFORE,
                )
            self.agreement(
                unit,
                signed_on=signed,
                ends_on=dt.date(signed.year + years, signed.month, min(signed.day, 28))
                - dt.timedelta(days=1),
                commitments=COMMITMENTS_CAUC
                if name == "天津民航大学"
                else COMMITMENTS[key],
            )
        for name, description in SOCIAL:
            self.org(
                area=community,
                kind=OrgKind.SOCIAL,
                name=name.format(community=community.name.removesuffix("社区")),
                contact_name=_person_name(rng),
                contact_phone=_mobile(rng),
                description=description,
            )
        estates = Area.objects.filter(
            kind=Kind.ESTATE, path__within=community.path, retired_at__isnull=True
        ).order_by("path")
        offset = rng.randrange(len(PROPERTY_COMPANIES))
        for index, estate in enumerate(estates):
            first_secretary = units[index % len(units)]
            self.org(
                area=estate,
                kind=OrgKind.PARTY_BRANCH,
                name=f"{estate.name}党支部",
                parent=committee,
                contact_name=_person_name(rng),
                contact_phone=_mobile(rng),
                description=f"“第一书记”由{first_secretary.name}党员干部担任。",
            )
            if self.every_estate or rng.random() < OWNERS_SHARE:
                self.org(
                    area=estate,
                    kind=OrgKind.OWNERS_COMMITTEE,
                    name=f"{estate.name}业委会",
                    contact_name=_person_name(rng),
                    contact_phone=_mobile(rng),
                )
            company = PROPERTY_COMPANIES[(offset + index) % len(PROPERTY_COMPANIES)]
            self.org(
                area=estate,
                kind=OrgKind.PROPERTY,
                name=company,
                contact_name=_name(rng, Gender.MALE)[0] + "经理",
                contact_phone=_landline(rng),
            )

    def candidates(self) -> list[Person]:
        """Residents of working age, those who serve first (the 党员先锋队's
        members before the rest, the keener before the less keen), then
        the others in a seeded order."""
        low, high = WORKING_AGE
        today = self.today
        born = Q(
            birth_date__gt=today.replace(year=today.year - high - 1, day=1),
            birth_date__lte=today.replace(year=today.year - low, day=1),
        )
        residents = {
            person.pk: person
            for person in Person.objects.filter(
                born | Q(birth_date__isnull=True),
                household__path__within=self.community.path,
                status=PersonStatus.ACTIVE,
                user__isnull=True,
            ).order_by("pk")
            if low <= _age(person, today) <= high
        }
        vanguard = set(
            TeamMember.objects.filter(
                team__area=self.community,
                team__kind=TeamType.PARTY,
                status=MemberStatus.MEMBER,
            ).values_list("person_id", flat=True)
        )
        served = dict(
            Attendance.objects.filter(
                person__household__path__within=self.community.path
            )
            .values_list("person_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        ranked = sorted(
            (pk for pk in residents if pk in served),
            key=lambda pk: (pk not in vanguard, -served[pk], pk),
        )
        rest = [pk for pk in residents if pk not in served]
        self.rng.shuffle(rest)
        return [residents[pk] for pk in ranked + rest]

    def at(self, days_ago: float) -> dt.datetime:
        return self.now - dt.timedelta(days=days_ago, minutes=self.rng.randrange(600))

    def registrations(self) -> None:
        people = self.candidates()
        units = [name for name, _weight in WORK_UNITS]
        weights = [weight for _name, weight in WORK_UNITS]
        plan = (
            [Status.CONFIRMED] * CONFIRMED
            + [Status.REGISTERED] * WAITING
            + [Status.DECLINED, Status.ENDED]
        )
        # The vanguard and the keenest are confirmed; the waiting, the
        # declined and the ended come from further down the list.
        for person, status in zip(people, plan, strict=False):
            unit = self.rng.choices(units, weights)[0]
            if status == Status.DECLINED:
                unit = DECLINED_UNIT
            registered = self.at(
                self.rng.uniform(0.5, 6)
                if status == Status.REGISTERED
                else self.rng.uniform(40, 330)
            )
            made = registration_create(
                person=person, work_unit=unit, by=self.by, now=registered
            )
            self.tally.registrations += 1
            if status == Status.REGISTERED:
                continue
            decided = registered + dt.timedelta(days=self.rng.uniform(0.5, 5))
            if status == Status.DECLINED:
                registration_transition(
                    registration=made,
                    action="decline",
                    by=self.by,
                    note=DECLINE_NOTE,
                    now=decided,
                )
                continue
            registration_transition(
                registration=made, action="confirm", by=self.by, now=decided
            )
            if status == Status.ENDED:
                ended = min(
                    decided + dt.timedelta(days=self.rng.uniform(20, 40)),
                    self.now - dt.timedelta(days=1),
                )
                registration_transition(
                    registration=made,
                    action="end",
                    by=self.by,
                    note=END_NOTE,
                    now=ended,
                )
            else:
                self.tally.confirmed += 1

    def leaders(self, password: str) -> None:
        """A building leader for each estate without one: a resident of
        its first building, with a login of her own (her phone, or one
        numbered by the building's code when hers is taken or missing)."""
        low, high = LEADER_AGE
        estates = Area.objects.filter(
            kind=Kind.ESTATE, path__within=self.community.path
        ).order_by("path")
        for estate in estates:
            if Grant.objects.filter(
                role=Role.BUILDING_LEADER,
                revoked_at=None,
                area__path__within=estate.path,
            ).exists():
                continue
            building = (
                Area.objects.filter(kind=Kind.BUILDING, path__within=estate.path)
                .order_by("path")
                .first()
            )
            if building is None:
                continue
            people = [
                p
                for p in Person.objects.filter(
                    household__path__within=building.path,
                    status=PersonStatus.ACTIVE,
                    user__isnull=True,
                ).order_by("pk")
                if low <= _age(p, self.today) <= high
            ]
            if not people:
                continue
            person = self.rng.choice(people)
            phone = person.phone
            if not phone or user_find_by_phone(phone=phone) is not None:
                phone = f"17{building.code[-9:]}"
            user = account_ensure(phone, person.name, password)
            grant_create(user=user, area=building, role=Role.BUILDING_LEADER, by=None)
            self.tally.leaders += 1


def seed_orgs_community(
    *,
    community: Area,
    by: User,
    now: dt.datetime,
    units: list[tuple[str, str]],
    every_estate: bool = False,
    leaders_password: str | None = None,
    seed: int = 2026,
) -> Tally | None:
    """The organizations, agreements and 双报到 of ``community``, recorded
    by ``by`` (who holds org.manage there) as of ``now``; with
    ``leaders_password``, a building leader for each estate without one.
    ``None`` when the community has a Party committee already."""
    if community.kind != Kind.COMMUNITY:
        raise ValueError(f"{community.name} is not a community")
    if Organization.objects.filter(
        area=community, kind=OrgKind.PARTY_COMMITTEE, active=True
    ).exists():
        return None
    started = time.perf_counter()
    seeding = _Community(
        community,
        by=by,
        now=now,
        units=units,
        every_estate=every_estate,
        seed=seed,
    )
    with transaction.atomic():
        if leaders_password is not None:
            seeding.leaders(leaders_password)
        seeding.organizations()
        seeding.registrations()
    seeding.tally.seconds = time.perf_counter() - started
    return seeding.tally


def _other_units(community: Area, street: Area, index: int) -> list[tuple[str, str]]:
    names = {
        "street": street.name.removesuffix("街道"),
        "community": community.name.removesuffix("社区"),
    }
    units, seen = [], set()
    for key, forms in OTHER_UNITS.items():
        name = forms[index % len(forms)].format(**names)
        if name not in seen:
            seen.add(name)
            units.append((key, name))
    return units


def seed_demo_orgs(*, now: dt.datetime | None = None, stdout=None) -> Tally | None:
    """The organizations of each community of the demo street, every
    estate's chain whole, and their party members' 双报到. ``None`` when
    already seeded."""
    from .demo import DEMO_PASSWORD, STREET

    now = now or timezone.now()
    street = Area.objects.get(code=STREET[0])
    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__within=street.path).order_by(
            "path"
        )
    )
    total, seeded = Tally(), False
    for index, community in enumerate(communities):
        staff_ensure(community, password=DEMO_PASSWORD, index=index)
        tally = seed_orgs_community(
            community=community,
            by=_manager(community),
            now=now,
            units=DEMO_UNITS[index]
            if index < len(DEMO_UNITS)
            else _other_units(community, street, index),
            every_estate=True,
            leaders_password=DEMO_PASSWORD,
        )
        if tally is None:
            continue
        if not seeded:
            say(stdout, "Organizations and 双报到, through the orgs services:")
        seeded = True
        say(stdout, f"  {community.name}: {tally.line()}")
        total.add(tally)
    if not seeded:
        return None
    say(stdout, f"Organizations: {total.line()}")
    return total


def seed_scale_orgs(
    *,
    root: Area,
    communities: int | None = None,
    now: dt.datetime | None = None,
    stdout=None,
) -> Tally:
    """The same in the communities under ``root`` (the first
    ``communities`` of them in tree order, or all): most estates with a
    homeowners' committee, and no building leaders added."""
    from .demo import DEMO_PASSWORD

    out = stdout if stdout is not None else sys.stdout
    now = now or timezone.now()
    nodes = Area.objects.filter(kind=Kind.COMMUNITY, path__within=root.path).order_by(
        "path"
    )
    if communities is not None:
        nodes = nodes[:communities]
    nodes = list(nodes)
    streets = {
        a.path: a for a in Area.objects.filter(kind=Kind.STREET, path__within=root.path)
    }
    total = Tally()
    started = time.perf_counter()
    for index, community in enumerate(nodes, start=1):
        street = streets.get(ancestor_path(community, Kind.STREET)) or community
        staff_ensure(community, password=DEMO_PASSWORD, index=index)
        tally = seed_orgs_community(
            community=community,
            by=_manager(community),
            now=now,
            units=_other_units(community, street, index),
        )
        where = f"  {index}/{len(nodes)} {community.name}"
        if tally is None:
            say(out, f"{where}: seeded already")
            continue
        total.add(tally)
        if index % 10 == 0 or index == len(nodes):
            say(out, f"{where}: {time.perf_counter() - started:.0f} s so far")
    total.seconds = time.perf_counter() - started
    say(out, f"Organizations: {total.line()}")
    return total
