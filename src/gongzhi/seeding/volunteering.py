"""A year of volunteering for seeded communities: service teams with their
leaders and members, and a year of activities with sign-ups, check-ins,
hours and points, all through the services the pages and the API call
(``team_create``, ``member_apply``, ``member_decide``, ``activity_create``,
``occurrence_cancel``, ``signup_create``, ``signup_cancel``,
``attendance_scan``, ``attendance_mark``, ``hours_correct``,
``occurrence_confirm``), each dated by the ``now`` those services take.
Confirming a session posts its hours to the points ledger through the
points services, dated the same, so ``gongzhi reconcile`` passes on the
result and residents' statements show service points when they were earned.

Each community gets four to six teams of the kinds the news reports name
(红色宣讲队, 党员先锋队, 助老服务队, 治安巡逻队, 暖心调解队, 邻里维修队, a
舞蹈队 or 模特队) and plays, as one timeline in time order: teams filling
up over the year (a few applications declined, the last ones still
waiting), a patrol every week, a 义诊 a month (eight in all), policy
talks, a 便民市集 on every lunar 初一 and 十五 (no sign-up),
the five lunar festivals, monthly team services, and one of a fire-safety
class at the market, a traffic-safety talk and a drone class at a school.
Residents sign up within the week before a session (a few waiting lists,
a few giving up their place), scan the organizer's code in and out (some
forget, some are marked by hand), an organizer corrects a few hours and
confirms each session within a day or so. Events that would fall after
``now`` never happen: the series run on into the coming weeks with their
sign-ups open, and the last sessions await confirmation.

Deterministic: each community draws from a random generator seeded with
its code (only the sessions' check-in secrets, which the service draws
itself, and the dates above differ). A community with a team already is
left alone: seeding again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import reset_queries, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import ROLE_PERMS, Perm, Role
from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import DomainError
from gongzhi.residents.models import Person, PersonStatus
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Attendance,
    Audience,
    MemberStatus,
    Method,
    Occurrence,
    PlaceKind,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
    TeamType,
)
from gongzhi.volunteering.recurrence import Festival, Frequency, Rule, occurrences
from gongzhi.volunteering.services import activities, attendance, signup, teams

from .bulk import say
from .points import staff_ensure

# The teams of each demo community, in the news reports' words: name,
# type, skills, when its members are free.
DEMO_TEAMS = [
    [  # 三盛里社区
        ("红色宣讲队", TeamType.PUBLICITY, "讲党课、政策宣讲", "每月一次"),
        ("党员先锋队", TeamType.PARTY, "卫生清整、秩序维护", "周末"),
        ("助老服务队", TeamType.ELDERLY, "陪伴聊天、代买代办", "工作日上午"),
        ("治安巡逻队", TeamType.PATROL, "夜间巡查、消防检查", "周六晚上"),
        ("邻里维修队", TeamType.REPAIR, "水电维修、修自行车", "每月5日"),
    ],
    [  # 裕华园社区
        ("红色宣讲志愿服务队", TeamType.PUBLICITY, "讲党课、科学普及", "每月一次"),
        ("党员先锋志愿服务队", TeamType.PARTY, "园区巡查、楼道革命", "周末"),
        ("助老服务队", TeamType.ELDERLY, "扶老助困、上门探访", "工作日上午"),
        ("治安巡逻队", TeamType.PATROL, "夜间巡查", "周六晚上"),
        ("东方之美模特队", TeamType.CULTURE, "走秀、文艺演出", "周三下午"),
        ("爱心健康服务队", TeamType.MEDICAL, "量血压、测血糖", "每月20日"),
    ],
    [  # 团结巷社区
        ("红色宣讲队", TeamType.PUBLICITY, "政策宣讲", "每月一次"),
        ("党员先锋队", TeamType.PARTY, "卫生清整、秩序维护", "周末"),
        ("敬老助残服务队", TeamType.ELDERLY, "走访独居老人", "工作日上午"),
        ("治安巡逻队", TeamType.PATROL, "夜间巡查", "周六晚上"),
        ("暖心调解队", TeamType.MEDIATION, "邻里纠纷调解", "晚上"),
        ("舞蹈队", TeamType.CULTURE, "广场舞、剪纸刺绣", "周三下午"),
    ],
]
# Communities of the scale seeds.
OTHER_TEAMS = [
    ("红色宣讲队", TeamType.PUBLICITY, "政策宣讲", "每月一次"),
    ("党员先锋队", TeamType.PARTY, "卫生清整、秩序维护", "周末"),
    ("助老服务队", TeamType.ELDERLY, "走访独居老人", "工作日上午"),
    ("治安巡逻队", TeamType.PATROL, "夜间巡查", "周六晚上"),
    ("邻里维修队", TeamType.REPAIR, "水电维修", "每月5日"),
]
# Members besides the leader; applications declined and left waiting in
# each community.
TEAM_SIZE = (5, 9)
DECLINED, PENDING = 2, 2
DECLINE_NOTE = "本队人员已满，已推荐到其他服务队"
# Residents who ever take part, at most, in each community, and children
# for the class at the school.
POOL_ADULTS, POOL_CHILDREN = 160, 40
ZEAL = (0.3, 0.6, 1.0, 2.0, 4.0)
ZEAL_WEIGHTS = (30, 25, 20, 15, 10)
# Of those holding a place, who comes; of those who come, who has no phone
# with them (marked by hand), who leaves early, who forgets to check out
# (and of those, who is then marked by hand).
SHOW, BY_HAND, EARLY, FORGET, FORGET_FIXED = 0.88, 0.08, 0.05, 0.06, 0.6
# Sign-ups given up, sessions called off, hours corrected before and after
# confirmation.
GIVE_UP, CALL_OFF = 0.07, 0.03
CORRECT_BEFORE, CORRECT_AFTER = 0.015, 0.01
CALL_OFF_REASONS = ["天气预警，活动取消", "场地临时占用，活动取消"]
HAND_REASONS = ["未带手机，现场签到表登记", "手机没电，按签到表补录"]
FORGOT_REASON = "忘记签退，按签到表补录"
FORGOT_HOURS = "忘记签退，按实际服务时长补记"
CORRECT_REASONS = [
    "提前到场布置场地，按实际服务时长更正",
    "中途离开，按实际服务时长更正",
    "签退时间有误，按签到表更正",
]


@dataclass(frozen=True)
class Series:
    """An activity a community runs and how its sessions go.

    ``when`` says how it recurs: ``weekly`` (on ``days``, every ``every``
    weeks), ``monthly`` (on day ``days[0]``, every ``every`` months), ``lunar``
    (every 初一 and 十五), ``clinic`` (the 20th of eight months),
    ``festival`` (``festival``, once), ``talks`` (a talk from ``titles``
    every six weeks or so) and ``once`` (in one of ``months``). ``who``
    takes part: the running team's members, any adult, older people or
    children."""

    key: str
    title: str
    kind: str
    team: str | None
    place_kind: str
    place: str
    at: dt.time
    minutes: int
    capacity: int | None
    points: int
    who: str
    turnout: tuple[int, int]
    when: str
    description: str
    signup: bool = True
    closes: int = 12
    audience: str = Audience.ALL
    days: tuple[int, ...] = ()
    every: int = 1
    festival: str = ""
    months: tuple[int, ...] = ()
    titles: tuple[str, ...] = ()
    # Only in the communities with this index modulo three (the one-offs).
    only: int | None = None


SERIES = [
    Series(
        "patrol",
        "平安巡逻",
        ActivityType.PATROL,
        TeamType.PATROL,
        PlaceKind.ADDRESS,
        "{estates}",
        dt.time(19, 0),
        90,
        capacity=3,
        points=3,
        who="team",
        turnout=(2, 4),
        when="weekly",
        days=(5,),
        closes=2,
        audience=Audience.VOLUNTEERS,
        description="巡查楼道、车棚和消防通道，提醒居民关好门窗、规范充电。",
    ),
    Series(
        "market",
        "初一十五便民市集",
        ActivityType.MARKET,
        TeamType.PARTY,
        PlaceKind.SQUARE,
        "{name}文化广场",
        dt.time(8, 30),
        180,
        capacity=None,
        points=2,
        who="team",
        turnout=(1, 3),
        when="lunar",
        signup=False,
        description="每月农历初一、十五，老字号和周边商户进社区，"
        "党员志愿者维持秩序。逛市集无需报名。",
    ),
    Series(
        "clinic",
        "爱心义诊进社区",
        ActivityType.CLINIC,
        TeamType.MEDICAL,
        PlaceKind.SERVICE_CENTER,
        "{name}党群服务中心",
        dt.time(9, 0),
        150,
        capacity=12,
        points=1,
        who="elderly",
        turnout=(5, 15),
        when="clinic",
        closes=24,
        audience=Audience.ELDERLY,
        description="共建医院医生现场量血压、测血糖，解答用药和健康问题。",
    ),
    Series(
        "elderly",
        "走访慰问独居老人",
        ActivityType.SERVICE,
        TeamType.ELDERLY,
        PlaceKind.ADDRESS,
        "{estates}",
        dt.time(9, 30),
        120,
        capacity=8,
        points=3,
        who="team",
        turnout=(2, 4),
        when="monthly",
        days=(10,),
        closes=24,
        audience=Audience.VOLUNTEERS,
        description="上门看望独居、空巢老人，陪伴聊天，代买米面油。",
    ),
    Series(
        "repair",
        "便民维修服务日",
        ActivityType.SERVICE,
        TeamType.REPAIR,
        PlaceKind.SERVICE_CENTER,
        "{name}党群服务中心",
        dt.time(9, 0),
        150,
        capacity=8,
        points=4,
        who="team",
        turnout=(2, 4),
        when="monthly",
        days=(5,),
        every=2,
        closes=24,
        audience=Audience.VOLUNTEERS,
        description="修灯、修纱窗、修自行车、加固凳子，行动不便的老人可预约上门。",
    ),
    Series(
        "cleanup",
        "楼道革命·卫生清整",
        ActivityType.SERVICE,
        TeamType.PARTY,
        PlaceKind.ADDRESS,
        "{estates}",
        dt.time(8, 30),
        120,
        capacity=15,
        points=2,
        who="team",
        turnout=(3, 5),
        when="monthly",
        days=(25,),
        every=2,
        audience=Audience.VOLUNTEERS,
        description="清理楼道杂物，清扫单元门口，宣传垃圾分类。",
    ),
    Series(
        "rehearsal",
        "{team}排练",
        ActivityType.CULTURE,
        TeamType.CULTURE,
        PlaceKind.PRACTICE_STATION,
        "{name}新时代文明实践站",
        dt.time(15, 0),
        120,
        capacity=20,
        points=1,
        who="team",
        turnout=(3, 6),
        when="weekly",
        every=4,
        days=(2,),
        closes=2,
        description="排练节目，准备社区节日演出。",
    ),
    Series(
        "mediation",
        "家门口议事会",
        ActivityType.OTHER,
        TeamType.MEDIATION,
        PlaceKind.PRACTICE_STATION,
        "{name}新时代文明实践站",
        dt.time(19, 0),
        90,
        capacity=20,
        points=2,
        who="all",
        turnout=(3, 6),
        when="monthly",
        days=(15,),
        every=2,
        description="居民自己的事情自己办，大家的事情商量办：充电桩、健身器材、"
        "小区大门改造。",
    ),
    Series(
        "talk",
        "",
        ActivityType.TALK,
        TeamType.PUBLICITY,
        PlaceKind.PRACTICE_STATION,
        "{name}新时代文明实践站",
        dt.time(9, 30),
        90,
        capacity=40,
        points=1,
        who="all",
        turnout=(3, 7),
        when="talks",
        titles=(
            "讲党课·学党史",
            "民生政策解读会",
            "防范电信诈骗讲座",
            "争做文明有礼天津人",
            "居家养老服务政策宣讲",
            "医保政策解读",
            "垃圾分类知识宣讲",
            "法律知识进社区",
            "科学知识普及讲座",
        ),
        description="红色宣讲队和共建单位为居民宣讲政策、普及知识，现场答疑。",
    ),
    Series(
        "spring",
        "新春送福·写春联",
        ActivityType.FESTIVAL,
        None,
        PlaceKind.SERVICE_CENTER,
        "{name}党群服务中心",
        dt.time(9, 30),
        120,
        capacity=None,
        points=1,
        who="all",
        turnout=(5, 12),
        when="festival",
        festival=Festival.SPRING_FESTIVAL,
        signup=False,
        description="书法爱好者现场写春联、送福字。",
    ),
    Series(
        "lantern",
        "闹元宵·猜灯谜",
        ActivityType.FESTIVAL,
        None,
        PlaceKind.SQUARE,
        "{name}文化广场",
        dt.time(18, 30),
        120,
        capacity=None,
        points=1,
        who="all",
        turnout=(5, 12),
        when="festival",
        festival=Festival.LANTERN,
        signup=False,
        description="挂灯笼、猜灯谜、煮元宵。",
    ),
    Series(
        "dragon_boat",
        "粽叶飘香·邻里包粽子",
        ActivityType.FESTIVAL,
        None,
        PlaceKind.PRACTICE_STATION,
        "{name}新时代文明实践站",
        dt.time(9, 0),
        120,
        capacity=30,
        points=1,
        who="all",
        turnout=(5, 12),
        when="festival",
        festival=Festival.DRAGON_BOAT,
        closes=24,
        description="邻里一起包粽子，包好的粽子送给独居老人。",
    ),
    Series(
        "mid_autumn",
        "月圆中秋·邻里同乐",
        ActivityType.FESTIVAL,
        None,
        PlaceKind.SQUARE,
        "{name}文化广场",
        dt.time(18, 30),
        120,
        capacity=40,
        points=1,
        who="all",
        turnout=(5, 12),
        when="festival",
        festival=Festival.MID_AUTUMN,
        closes=24,
        description="做月饼、赏月、文艺演出，为社区好人颁奖。",
    ),
    Series(
        "double_ninth",
        "九九重阳·敬老饺子宴",
        ActivityType.FESTIVAL,
        TeamType.ELDERLY,
        PlaceKind.SERVICE_CENTER,
        "{name}党群服务中心",
        dt.time(10, 0),
        150,
        capacity=40,
        points=1,
        who="elderly",
        turnout=(5, 12),
        when="festival",
        festival=Festival.DOUBLE_NINTH,
        closes=24,
        audience=Audience.ELDERLY,
        description="为辖区老人包饺子、理发、量血压。",
    ),
    Series(
        "drone",
        "无人机进校园",
        ActivityType.CLASS,
        None,
        PlaceKind.SCHOOL,
        "和平区中心小学",
        dt.time(14, 30),
        90,
        capacity=30,
        points=0,
        who="children",
        turnout=(10, 20),
        when="once",
        months=(4, 5, 10, 11),
        closes=24,
        audience=Audience.MINORS,
        only=0,
        description="联合共建单位走进校园：无人机的历史、原理和应用，现场演示"
        "抛投、飞行和360度拍摄。",
    ),
    Series(
        "traffic",
        "文明交通 你我同行",
        ActivityType.TALK,
        TeamType.PUBLICITY,
        PlaceKind.PRACTICE_STATION,
        "{name}新时代文明实践站",
        dt.time(14, 30),
        90,
        capacity=40,
        points=1,
        who="all",
        turnout=(5, 10),
        when="once",
        months=(3, 4, 9),
        audience=Audience.ALL,
        only=1,
        description="交警大队警官讲解交通安全法规，强调驾乘电动车须戴安全头盔。",
    ),
    Series(
        "fire",
        "消防课堂进市场",
        ActivityType.CLASS,
        None,
        PlaceKind.MARKET,
        "{name}菜市场",
        dt.time(10, 0),
        60,
        capacity=None,
        points=1,
        who="all",
        turnout=(4, 8),
        when="once",
        months=(11, 12, 1),
        signup=False,
        only=2,
        description="消防救援站进菜市场：灭火器检查和使用示范，火场逃生自救技巧。",
    ),
]
# Teams that stand in for a missing one: the 义诊 runs with the elderly
# team where there is no medical one.
STAND_INS = {TeamType.MEDICAL: TeamType.ELDERLY}
# Sign-up opens in earnest this long before each session; a talk or a
# one-off is published this long before it.
SIGNUP_DAYS = 7
PUBLISH_DAYS = (7, 14)
# The 义诊 runs on the 20th of this many months, the last one to come.
CLINICS = 8
# The street's communities take turns: each runs its series on a day and
# at an hour a little apart from its neighbours'.
WEEKDAY_SHIFT = (0, -1, 1)
MONTH_DAY_SHIFT = 3
TIME_SHIFT = (dt.timedelta(0), dt.timedelta(minutes=30), dt.timedelta(minutes=-30))
# Festivals further ahead than this are not yet published.
FESTIVAL_AHEAD = 45
MIN_AGE = 16


@dataclass
class Tally:
    """What one community's year came to (counted from the rows written)."""

    teams: int = 0
    members: int = 0
    pending: int = 0
    declined: int = 0
    activities: int = 0
    sessions: int = 0
    held: int = 0
    upcoming: int = 0
    called_off: int = 0
    signups: int = 0
    waited: int = 0
    moved_up: int = 0
    given_up: int = 0
    attendances: int = 0
    by_hand: int = 0
    hours: Decimal = Decimal(0)
    corrected: int = 0
    confirmed: int = 0
    awards: int = 0
    points: int = 0
    refused: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        return (
            f"{self.teams:,} teams ({self.members:,} members, {self.pending:,} "
            f"applications waiting, {self.declined:,} declined), "
            f"{self.activities:,} activities, {self.sessions:,} sessions "
            f"({self.held:,} held, {self.upcoming:,} to come, "
            f"{self.called_off:,} called off), {self.signups:,} sign-ups "
            f"({self.waited:,} on a waiting list, {self.moved_up:,} of them moved "
            f"up; {self.given_up:,} given up), "
            f"{self.attendances:,} attendances ({self.by_hand:,} marked by "
            f"hand, {self.corrected:,} hours corrected), {self.hours:,} hours, "
            f"{self.confirmed:,} sessions confirmed, {self.awards:,} awards of "
            f"{self.points:,} points, {self.refused:,} refused, "
            f"in {self.seconds:.1f} s"
        )


def organizers_for(community: Area) -> list[User]:
    """The community's own staff holding activity.manage on it (its
    secretary and staff), who publish, mark and confirm."""
    found: list[User] = []
    grants = (
        Grant.objects.filter(revoked_at=None, area=community)
        # A partner unit publishes its own activities, not the community's.
        .exclude(role=Role.UNIT)
        .select_related("user")
        .order_by("pk")
    )
    for grant in grants:
        perms = ROLE_PERMS.get(grant.role, set())
        if Perm.ACTIVITY_MANAGE in perms and grant.user not in found:
            found.append(grant.user)
    return found


def _aware(day: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, at))


def _age(person: Person, today: dt.date) -> int:
    if person.birth_date is None:
        return 40
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _weighted_sample(rng: random.Random, items: list, weights: list, k: int) -> list:
    """``k`` of ``items`` without replacement, likelier by weight
    (Efraimidis and Spirakis: the largest of u ** (1 / w))."""
    keyed = sorted(
        ((rng.random() ** (1 / w), n) for n, w in enumerate(weights) if w > 0),
        reverse=True,
    )
    return [items[n] for _key, n in keyed[:k]]


@dataclass
class Resident:
    person: Person
    age: int
    zeal: float

    @property
    def user(self) -> User | None:
        return self.person.user


@dataclass
class _Year:
    """One community's year being played out, event by event."""

    community: Area
    index: int
    organizers: list[User]
    now: dt.datetime
    days: int
    ahead: int
    rng: random.Random
    featured: set[int]
    turnout: float = 1.0
    tally: Tally = field(default_factory=Tally)
    events: list = field(default_factory=list)
    sequence: Iterable[int] = field(default_factory=itertools.count)
    # Team pk: {person pk: when she joined}.
    joined: dict[int, dict[int, dt.datetime]] = field(default_factory=dict)
    # (team pk, person pk) of every application planned, and the sessions
    # called off.
    applied: set[tuple[int, int]] = field(default_factory=set)
    called_off: set[int] = field(default_factory=set)

    def at(self, when: dt.datetime, kind: str, **data) -> None:
        heapq.heappush(self.events, (when, next(self.sequence), kind, data))

    @property
    def start(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.days)

    def short_name(self) -> str:
        name = self.community.name
        return name[: -len("社区")] if name.endswith("社区") else name

    # Who lives here

    def residents(self) -> None:
        today = timezone.localdate(self.now)
        people = list(
            Person.objects.filter(
                household__path__within=self.community.path,
                status=PersonStatus.ACTIVE,
            )
            .select_related("household", "last_household", "user")
            .order_by("pk")
        )
        adults = [p for p in people if _age(p, today) >= MIN_AGE]
        children = [p for p in people if 7 <= _age(p, today) <= 14]
        keen = [p for p in adults if p.pk in self.featured]
        rest = [p for p in adults if p.pk not in self.featured]
        rest = self.rng.sample(rest, min(len(rest), POOL_ADULTS - len(keen)))
        chosen = sorted(keen + rest, key=lambda p: p.pk)
        self.adults = [
            Resident(
                p,
                _age(p, today),
                4.0
                if p.pk in self.featured
                else self.rng.choices(ZEAL, ZEAL_WEIGHTS)[0],
            )
            for p in chosen
        ]
        self.children = [
            Resident(p, _age(p, today), 1.0)
            for p in sorted(
                self.rng.sample(children, min(len(children), POOL_CHILDREN)),
                key=lambda p: p.pk,
            )
        ]
        self.by_person = {r.person.pk: r for r in self.adults + self.children}
        estates = Area.objects.filter(
            kind=Kind.ESTATE, path__within=self.community.path
        ).order_by("path")
        names = "、".join(e.name for e in estates[:4])
        self.estates = f"辖区各小区（{names}）" if names else self.community.name

    # The teams

    def form_teams(self) -> None:
        """The community's teams, their leaders members from the start;
        the others apply over the year (most in the first months) and are
        approved within days, a few declined, the last few still waiting."""
        specs = DEMO_TEAMS[self.index] if self.index < len(DEMO_TEAMS) else OTHER_TEAMS
        rng, founded = self.rng, self.start - dt.timedelta(days=30)
        by = self.organizers[0]
        self.teams: dict[str, Team] = {}
        taken: set[int] = set()
        for name, kind, skills, availability in specs:
            able = [
                r
                for r in self.adults
                if 30 <= r.age <= 70 and r.person.pk not in taken | self.featured
            ]
            if not able:
                continue
            leader = rng.choice(able)
            taken.add(leader.person.pk)
            team = teams.team_create(
                area=self.community,
                name=name,
                kind=kind,
                leader=leader.person,
                by=by,
                skills=skills,
                availability=availability,
                now=founded,
            )
            self.teams[kind] = team
            self.joined[team.pk] = {leader.person.pk: founded}
            self.applied.add((team.pk, leader.person.pk))
            lowest, highest = (45, 78) if kind == TeamType.CULTURE else (18, 75)
            able = [
                r
                for r in self.adults
                if lowest <= r.age <= highest
                and r.person.pk != leader.person.pk
                and r.person.pk not in self.featured
            ]
            size = min(len(able), rng.randint(*TEAM_SIZE))
            weights = [r.zeal for r in able]
            for member in _weighted_sample(rng, able, weights, size):
                self.applied.add((team.pk, member.person.pk))
                # Most join in the first months, a few later in the year.
                share = rng.random() ** 3
                day = self.start + dt.timedelta(days=self.days * 0.9 * share)
                self.at(
                    _aware(timezone.localdate(day), dt.time())
                    + dt.timedelta(hours=rng.uniform(8, 20)),
                    "apply",
                    team=team,
                    resident=member,
                    approve=True,
                )
        self._featured_apply()
        outsiders = [r for r in self.adults if r.person.pk not in self.featured]
        for n in range(DECLINED + PENDING):
            team = rng.choice(list(self.teams.values()))
            resident = rng.choice(outsiders)
            if (team.pk, resident.person.pk) in self.applied:
                continue
            self.applied.add((team.pk, resident.person.pk))
            if n < DECLINED:
                day = rng.uniform(30, self.days - 10)
            else:
                day = self.days - rng.uniform(0.5, 4)
            self.at(
                self.start + dt.timedelta(days=day),
                "apply",
                team=team,
                resident=resident,
                approve=False if n < DECLINED else None,
            )

    def _featured_apply(self) -> None:
        """The demo resident joins the elderly team and her husband the
        repair team (where there are such), early in the year."""
        wanted = [TeamType.ELDERLY, TeamType.REPAIR, TeamType.PATROL]
        for n, pk in enumerate(sorted(self.featured & set(self.by_person))):
            team = self.teams.get(wanted[n % len(wanted)])
            if team is None:
                continue
            when = self.start + dt.timedelta(days=3 + n, hours=10)
            self.at(when, "apply", team=team, resident=self.by_person[pk], approve=True)

    def members_at(self, team: Team, when: dt.datetime) -> list[Resident]:
        return [
            self.by_person[pk]
            for pk, joined in self.joined[team.pk].items()
            if joined <= when
        ]

    # The activities

    def plan(self) -> None:
        """Publish each series when its organizer would, as an event."""
        today = timezone.localdate(self.now)
        first = timezone.localdate(self.start)
        until = today + dt.timedelta(days=self.ahead)
        for series in SERIES:
            if series.only is not None and self.index % 3 != series.only:
                continue
            team = self._team_for(series)
            if series.team is not None and team is None and series.who == "team":
                continue
            if series.when in ("weekly", "monthly", "lunar"):
                rule = self._rule(series, until)
                self._publish_at(series, team, first, rule=rule)
            elif series.when == "clinic":
                self._clinic(series, team, first, today)
            elif series.when == "festival":
                rule = Rule(
                    Frequency.LUNAR_YEARLY, festivals=(series.festival,), count=1
                )
                (day,) = occurrences(rule, start=first)
                if day <= today + dt.timedelta(days=FESTIVAL_AHEAD):
                    self._publish_at(series, team, day, rule=rule)
            elif series.when == "talks":
                self._talks(series, team, first, until)
            elif series.when == "once":
                self._publish_at(series, team, self._one_day(series, first, today))
            else:  # pragma: no cover
                raise ValueError(series.when)

    @property
    def shift(self) -> int:
        return self.index % len(WEEKDAY_SHIFT)

    def _month_day(self, day: int) -> int:
        """``day`` moved a few days on in every other community (1 to 28)."""
        return (day - 1 + MONTH_DAY_SHIFT * self.shift) % 28 + 1

    def _team_for(self, series: Series) -> Team | None:
        if series.team is None:
            return None
        team = self.teams.get(series.team)
        if team is None and series.team in STAND_INS:
            team = self.teams.get(STAND_INS[series.team])
        return team

    def _rule(self, series: Series, until: dt.date) -> Rule:
        if series.when == "weekly":
            return Rule(
                Frequency.WEEKLY,
                interval=series.every,
                weekdays=tuple(
                    (d + WEEKDAY_SHIFT[self.shift]) % 7 for d in series.days
                ),
                until=until,
            )
        if series.when == "monthly":
            return Rule(
                Frequency.MONTHLY,
                interval=series.every,
                month_days=tuple(self._month_day(d) for d in series.days),
                until=until,
            )
        return Rule(Frequency.LUNAR_MONTHLY, lunar_days=(1, 15), until=until)

    def _clinic(self, series, team, first: dt.date, today: dt.date) -> None:
        """Eight 义诊 on the 20th (or a few days later, so that the street's
        communities take turns), the last one still to come."""
        number = self._month_day(20)
        day = today.replace(day=number)
        if day <= today:
            day = (day.replace(day=1) + dt.timedelta(days=31)).replace(day=number)
        dates = [day]
        while len(dates) < CLINICS:
            earlier = dates[-1].replace(day=1) - dt.timedelta(days=1)
            earlier = earlier.replace(day=number)
            if earlier < first:
                break
            dates.append(earlier)
        rule = Rule(Frequency.MONTHLY, month_days=(number,), count=len(dates))
        self._publish_at(series, team, dates[-1], rule=rule)

    def _talks(self, series, team, first: dt.date, until: dt.date) -> None:
        """A talk every six weeks or so, on a Tuesday or Thursday, the
        titles in turn; the last one still to come."""
        rng = self.rng
        titles = list(series.titles)
        rng.shuffle(titles)
        day, n = first + dt.timedelta(days=rng.randrange(10, 30)), 0
        while day <= until:
            day += dt.timedelta(days=(1 - day.weekday()) % 7 + rng.choice((0, 2)))
            if day > until:
                break
            title = titles[n % len(titles)]
            self._publish_at(series, team, day, title=title)
            day += dt.timedelta(days=rng.randrange(35, 50))
            n += 1

    def _one_day(self, series: Series, first: dt.date, today: dt.date) -> dt.date:
        """A weekday of the past year in one of the series' months (any
        weekday of it if none falls in them)."""
        days = [
            first + dt.timedelta(days=n)
            for n in range(14, (today - first).days - 3)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ]
        fitting = [d for d in days if d.month in series.months] or days
        if not fitting:
            return today + dt.timedelta(days=10)
        return self.rng.choice(fitting)

    def _publish_at(
        self,
        series: Series,
        team: Team | None,
        day: dt.date,
        *,
        rule: Rule | None = None,
        title: str = "",
    ) -> None:
        starts_at = _aware(day, series.at) + TIME_SHIFT[self.shift]
        # A series is published days before its first session; a single
        # session a week or two before.
        lead = (
            self.rng.uniform(2, 6)
            if rule is not None and series.when != "festival"
            else self.rng.uniform(*PUBLISH_DAYS)
        )
        when = starts_at - dt.timedelta(days=lead, hours=self.rng.uniform(0, 6))
        self.at(
            when,
            "publish",
            series=series,
            team=team,
            starts_at=starts_at,
            rule=rule,
            title=title,
        )

    # Playing it out

    def play(self) -> None:
        """Every event up to ``now`` in time order, a day to a transaction."""
        events = self.events
        while events and events[0][0] <= self.now:
            day = timezone.localdate(events[0][0])
            with transaction.atomic():
                while (
                    events
                    and events[0][0] <= self.now
                    and timezone.localdate(events[0][0]) == day
                ):
                    when, _n, kind, data = heapq.heappop(events)
                    try:
                        getattr(self, f"_{kind}")(when, **data)
                    except DomainError:
                        self.tally.refused += 1
                    reset_queries()

    def _by(self, resident: Resident, organizer: User) -> User:
        """Who acts for a resident: herself where she has a login, else the
        organizer at the desk."""
        return resident.user if resident.user is not None else organizer

    def _apply(self, when, *, team, resident, approve):
        member = teams.member_apply(
            team=team,
            person=resident.person,
            by=self._by(resident, self.organizers[0]),
            skills=team.skills,
            availability=team.availability,
            now=when,
        )
        if approve is None:
            return
        later = when + dt.timedelta(hours=self.rng.uniform(4, 72))
        self.at(later, "decide", member=member, resident=resident, approve=approve)

    def _decide(self, when, *, member, resident, approve):
        teams.member_decide(
            member=member,
            approve=approve,
            by=self.rng.choice(self.organizers),
            note="" if approve else DECLINE_NOTE,
            now=when,
        )
        if approve:
            self.joined[member.team_id][resident.person.pk] = when

    def _publish(self, when, *, series, team, starts_at, rule, title):
        rng = self.rng
        organizer = rng.choice(self.organizers)
        team_name = team.name if team is not None else ""
        activity = activities.activity_create(
            community=self.community,
            title=title or series.title.format(team=team_name),
            kind=series.kind,
            place_kind=series.place_kind,
            place=series.place.format(name=self.short_name(), estates=self.estates),
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=series.minutes),
            by=organizer,
            team=team,
            audience=series.audience,
            signup_required=series.signup,
            capacity=self._places(series),
            signup_closes_hours=series.closes if series.signup else 0,
            points_per_hour=series.points,
            description=series.description,
            repeat=rule,
            now=when,
        )
        for occurrence in activity.occurrences.order_by("starts_at"):
            occurrence.activity = activity
            self._session(when, occurrence, series=series, organizer=organizer)

    def _session(self, published, occurrence, *, series, organizer):
        """Plan one session: its sign-ups, or its being called off, then
        the day itself."""
        rng, starts = self.rng, occurrence.starts_at
        ctx = {"occurrence": occurrence, "series": series, "organizer": organizer}
        called_off = None
        if rng.random() < CALL_OFF and starts - published > dt.timedelta(days=2):
            called_off = starts - dt.timedelta(hours=rng.uniform(6, 40))
            self.at(called_off, "call_off", **ctx)
        if series.signup:
            opens = max(published, starts - dt.timedelta(days=SIGNUP_DAYS))
            closes = occurrence.signup_closes_at or starts
            if opens < closes:
                self.at(opens, "open", closes=min(closes, called_off or closes), **ctx)
        if called_off is None:
            self.at(starts - dt.timedelta(minutes=31), "begin", **ctx)

    def _places(self, series: Series) -> int | None:
        """The series' places, scaled with the turnout."""
        if series.capacity is None:
            return None
        return max(1, round(series.capacity * self.turnout))

    def _want(self, series: Series) -> int:
        low, high = series.turnout
        return max(1, round(self.rng.randint(low, high) * self.turnout))

    def _who(self, series: Series, when: dt.datetime, team: Team | None) -> list:
        """Who might come, each with her weight."""
        if series.who == "team" and team is not None:
            people = self.members_at(team, when)
            return [(r, 1.0 + r.zeal) for r in people]
        if series.who == "children":
            return [(r, 1.0) for r in self.children]
        out = []
        for r in self.adults:
            weight = r.zeal
            if series.who == "elderly":
                weight *= 4.0 if r.age >= 60 else 0.2
            out.append((r, weight))
        return out

    def _open(self, when, *, occurrence, series, organizer, closes):
        """Sign-up opens: residents sign up over the days it is open,
        most of them early."""
        rng = self.rng
        team = occurrence.activity.team
        pool = self._who(series, when, team)
        chosen = _weighted_sample(
            rng, [r for r, _w in pool], [w for _r, w in pool], self._want(series)
        )
        span = (closes - when).total_seconds()
        for resident in chosen:
            offset = span * rng.random() ** 2
            moment = when + dt.timedelta(seconds=max(offset - 60, 0))
            self.at(
                moment,
                "sign_up",
                resident=resident,
                occurrence=occurrence,
                organizer=organizer,
            )

    def _sign_up(self, when, *, resident, occurrence, organizer):
        made = signup.signup_create(
            occurrence=occurrence,
            person=resident.person,
            by=self._by(resident, organizer),
            wait=True,
            now=when,
        )
        keen = resident.person.pk in self.featured
        if not keen and self.rng.random() < GIVE_UP:
            last = occurrence.starts_at - dt.timedelta(hours=1)
            if last > when:
                later = when + (last - when) * self.rng.random()
                self.at(
                    later, "give_up", made=made, resident=resident, organizer=organizer
                )

    def _give_up(self, when, *, made, resident, organizer):
        if made.occurrence_id in self.called_off:
            return
        signup.signup_cancel(signup=made, by=self._by(resident, organizer), now=when)

    def _call_off(self, when, *, occurrence, series, organizer):
        activities.occurrence_cancel(
            occurrence=occurrence,
            reason=self.rng.choice(CALL_OFF_REASONS),
            by=organizer,
            now=when,
        )
        self.called_off.add(occurrence.pk)

    def _begin(self, when, *, occurrence, series, organizer):
        """Half an hour before the start: who holds a place (or, with no
        sign-up, who turns up) comes, scans in and out or is marked by
        hand; the organizer corrects a few hours and confirms."""
        rng = self.rng
        starts, ends = occurrence.starts_at, occurrence.ends_at
        if series.signup:
            holders = SignUp.objects.filter(
                occurrence=occurrence, status=SignUpStatus.CONFIRMED
            ).values_list("person_id", flat=True)
            coming = [
                self.by_person[pk]
                for pk in holders.order_by("pk")
                if pk in self.featured or rng.random() < SHOW
            ]
        else:
            pool = self._who(series, when, occurrence.activity.team)
            coming = _weighted_sample(
                rng, [r for r, _w in pool], [w for _r, w in pool], self._want(series)
            )
        length = ends - starts
        ctx = {"occurrence": occurrence, "organizer": organizer}
        for resident in coming:
            arrive = starts + dt.timedelta(minutes=rng.uniform(-25, 12))
            leave = ends + dt.timedelta(minutes=rng.uniform(-8, 25))
            if rng.random() < EARLY:
                leave = starts + length * rng.uniform(0.4, 0.8)
            if rng.random() < BY_HAND:
                self.at(
                    ends + dt.timedelta(minutes=rng.uniform(10, 80)),
                    "mark",
                    resident=resident,
                    arrive=max(arrive, starts - dt.timedelta(minutes=20)),
                    leave=min(leave, ends),
                    reason=rng.choice(HAND_REASONS),
                    **ctx,
                )
            else:
                self.at(arrive, "scan", resident=resident, direction="in", **ctx)
                if rng.random() >= FORGET:
                    self.at(leave, "scan", resident=resident, direction="out", **ctx)
                elif rng.random() < FORGET_FIXED:
                    self.at(
                        ends + dt.timedelta(minutes=rng.uniform(10, 80)),
                        "mark",
                        resident=resident,
                        arrive=arrive,
                        leave=ends,
                        reason=FORGOT_REASON,
                        **ctx,
                    )
        confirm = ends + dt.timedelta(hours=rng.uniform(2, 30))
        for resident in coming:
            if rng.random() < CORRECT_BEFORE:
                moment = ends + dt.timedelta(minutes=rng.uniform(95, 115))
                self.at(moment, "correct", resident=resident, **ctx)
            elif rng.random() < CORRECT_AFTER:
                moment = confirm + dt.timedelta(days=rng.uniform(1, 4))
                self.at(moment, "correct", resident=resident, **ctx)
        self.at(confirm, "confirm", **ctx)

    def _scan(self, when, *, resident, direction, occurrence, organizer):
        attendance.attendance_scan(
            occurrence=occurrence,
            person=resident.person,
            code=attendance.scan_code(occurrence, direction, now=when),
            by=resident.user,
            now=when,
        )

    def _mark(self, when, *, resident, arrive, leave, reason, occurrence, organizer):
        attendance.attendance_mark(
            occurrence=occurrence,
            person=resident.person,
            checked_in_at=arrive,
            checked_out_at=leave,
            reason=reason,
            by=organizer,
            now=when,
        )

    def _correct(self, when, *, resident, occurrence, organizer):
        came = Attendance.objects.filter(
            occurrence=occurrence, person=resident.person
        ).first()
        if came is None:
            return
        came.occurrence = occurrence
        longest = attendance.hours_between(
            occurrence.starts_at, occurrence.ends_at, occurrence
        )
        if came.hours is None:
            hours, reason = longest, FORGOT_HOURS
        elif came.hours < longest:
            hours, reason = longest, CORRECT_REASONS[0]
        else:
            hours = max(came.hours - Decimal("0.5"), Decimal(0))
            reason = self.rng.choice(CORRECT_REASONS[1:])
        attendance.hours_correct(
            attendance=came, hours=hours, reason=reason, by=organizer, now=when
        )

    def _confirm(self, when, *, occurrence, organizer):
        attendance.occurrence_confirm(occurrence=occurrence, by=organizer, now=when)

    # The demo resident's coming weeks

    def finale(self) -> None:
        """The featured residents hold places in the next two sessions open
        to them (the 义诊, a talk, a festival, their own team's service), as
        the portal shows."""
        upcoming = (
            Occurrence.objects.filter(
                community=self.community,
                starts_at__gt=self.now,
                cancelled_at=None,
                activity__signup_required=True,
                signup_closes_at__gt=self.now,
            )
            .select_related("activity")
            .order_by("starts_at", "pk")
        )
        for pk in sorted(self.featured & set(self.by_person)):
            resident = self.by_person[pk]
            hers = [team for team, joined in self.joined.items() if pk in joined]
            open_to_her = upcoming.filter(
                Q(activity__audience__in=[Audience.ALL, Audience.ELDERLY])
                | Q(activity__team__in=hers)
            )
            for occurrence in open_to_her[:2]:
                try:
                    signup.signup_create(
                        occurrence=occurrence,
                        person=resident.person,
                        by=self._by(resident, self.rng.choice(self.organizers)),
                        wait=True,
                        now=self.now,
                    )
                except DomainError:
                    # Signed up already in the year's play: that will do.
                    continue

    # Counting

    def count(self) -> None:
        """The tally, from the rows the services wrote."""
        t, community, now = self.tally, self.community, self.now
        members = TeamMember.objects.filter(team__area=community)
        by_status = dict(
            members.values_list("status").annotate(n=Count("pk")).order_by()
        )
        t.teams = Team.objects.filter(area=community).count()
        t.members = by_status.get(MemberStatus.MEMBER, 0)
        t.pending = by_status.get(MemberStatus.APPLIED, 0)
        t.declined = by_status.get(MemberStatus.DECLINED, 0)
        t.activities = Activity.objects.filter(community=community).count()
        sessions = Occurrence.objects.filter(community=community)
        figures = sessions.aggregate(
            all=Count("pk"),
            held=Count("pk", filter=Q(cancelled_at=None, starts_at__lte=now)),
            upcoming=Count("pk", filter=Q(cancelled_at=None, starts_at__gt=now)),
            called_off=Count("pk", filter=~Q(cancelled_at=None)),
            confirmed=Count("pk", filter=~Q(confirmed_at=None)),
        )
        t.sessions, t.held = figures["all"], figures["held"]
        t.upcoming, t.called_off = figures["upcoming"], figures["called_off"]
        t.confirmed = figures["confirmed"]
        signups = SignUp.objects.filter(occurrence__community=community).aggregate(
            all=Count("pk"),
            waited=Count(
                "pk",
                filter=Q(status=SignUpStatus.WAITING) | ~Q(promoted_at=None),
            ),
            moved_up=Count("pk", filter=~Q(promoted_at=None)),
            given_up=Count(
                "pk",
                filter=Q(status=SignUpStatus.CANCELLED, occurrence__cancelled_at=None),
            ),
        )
        t.signups, t.waited = signups["all"], signups["waited"]
        t.moved_up = signups["moved_up"]
        t.given_up = signups["given_up"]
        came = Attendance.objects.filter(occurrence__community=community).aggregate(
            all=Count("pk"),
            by_hand=Count("pk", filter=Q(in_method=Method.HAND)),
            corrected=Count("pk", filter=Q(corrected=True)),
            hours=Sum("hours"),
            awards=Count("award"),
            points=Sum("award__points"),
        )
        t.attendances, t.by_hand = came["all"], came["by_hand"]
        t.corrected = came["corrected"]
        t.hours = (came["hours"] or Decimal(0)).quantize(Decimal("0.01"))
        t.awards, t.points = came["awards"], came["points"] or 0


def seed_volunteering_year(
    *,
    community: Area,
    organizers: list[User],
    now: dt.datetime,
    index: int = 0,
    days: int = 365,
    ahead: int = 28,
    turnout: float = 1.0,
    featured: Iterable[int] = (),
    demo: bool = False,
    seed: int = 2026,
) -> Tally | None:
    """Play out ``days`` of volunteering in ``community`` up to ``now``, the
    series running on ``ahead`` days past it; ``turnout`` scales how many
    come. The people ``featured`` (person pks) take part keenly and hold
    places in the coming sessions. With ``demo``, the teams are those of
    the ``index``-th demo community. ``None`` when the community has a
    team already.

    The teams are set up in one transaction, then each day of the year
    runs in one of its own; a run stopped halfway leaves the days done and
    a second run leaves the community as it is."""
    if community.kind != Kind.COMMUNITY:
        raise ValueError(f"{community.name} is not a community")
    if Team.objects.filter(area=community).exists():
        return None
    if not organizers:
        raise ValueError(f"{community.name} has nobody to run its activities")
    started = time.perf_counter()
    year = _Year(
        community=community,
        index=index,
        organizers=organizers,
        now=now,
        days=days,
        ahead=ahead,
        rng=random.Random(f"{seed}:{community.code}:volunteering"),  # noqa: S311
        featured=set(featured),
        turnout=turnout,
    )
    if not demo:
        year.index = len(DEMO_TEAMS) + index
    with transaction.atomic():
        year.residents()
        if not year.adults:
            return None
        year.form_teams()
    year.plan()
    year.play()
    with transaction.atomic():
        year.finale()
    year.count()
    year.tally.seconds = time.perf_counter() - started
    return year.tally


def _run(
    communities: list[Area],
    *,
    say: Callable[[int, Area, Tally | None], None],
    **options,
) -> Tally:
    from .demo import DEMO_PASSWORD

    total = Tally()
    for index, community in enumerate(communities):
        if Team.objects.filter(area=community).exists():
            say(index, community, None)
            continue
        staff_ensure(community, password=DEMO_PASSWORD, index=index)
        tally = seed_volunteering_year(
            community=community,
            organizers=organizers_for(community),
            index=index,
            **options,
        )
        say(index, community, tally)
        if tally is not None:
            total.add(tally)
    return total


def seed_demo_volunteering(
    *,
    now: dt.datetime | None = None,
    days: int = 365,
    ahead: int = 28,
    turnout: float = 1.0,
    stdout=None,
) -> Tally | None:
    """A year of volunteering in each community of the demo street, the
    teams named as in the news reports. The demo resident and her husband
    join teams, come keenly, earn points for their hours and hold places
    in the coming weeks' sessions. ``None`` when already seeded."""
    from .demo import LOGINS, STREET

    now = now or timezone.now()
    street = Area.objects.get(code=STREET[0])
    resident = next(x for x in LOGINS if x.role == Role.RESIDENT)
    featured = set(
        Person.objects.filter(household__code=resident.area_code).values_list(
            "pk", flat=True
        )
    )
    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__within=street.path).order_by(
            "path"
        )
    )
    if all(Team.objects.filter(area=c).exists() for c in communities):
        return None
    say(stdout, "A year of volunteering, through the volunteering services:")

    def progress(_index, community, tally):
        if tally is not None:
            say(stdout, f"  {community.name}: {tally.line()}")

    total = _run(
        communities,
        say=progress,
        now=now,
        days=days,
        ahead=ahead,
        turnout=turnout,
        featured=featured,
        demo=True,
    )
    say(stdout, f"Volunteering: {total.line()}")
    return total


def seed_scale_volunteering(
    *,
    root: Area,
    communities: int | None = None,
    now: dt.datetime | None = None,
    days: int = 365,
    stdout=None,
) -> Tally:
    """A year of volunteering in the communities under ``root`` (the first
    ``communities`` of them in tree order, or all), each run by a secretary
    and a staff member of its own. Prints each community's figures as it
    goes."""
    out = stdout if stdout is not None else sys.stdout
    now = now or timezone.now()
    nodes = Area.objects.filter(kind=Kind.COMMUNITY, path__within=root.path).order_by(
        "path"
    )
    if communities is not None:
        nodes = nodes[:communities]
    nodes = list(nodes)
    started = time.perf_counter()

    def progress(index, community, tally):
        where = f"  {index + 1}/{len(nodes)} {community.name}"
        if tally is None:
            say(out, f"{where}: seeded already")
            return
        say(
            out,
            f"{where}: {tally.sessions:,} sessions, {tally.attendances:,} "
            f"attendances; {time.perf_counter() - started:.0f} s so far",
        )

    total = _run(nodes, say=progress, now=now, days=days)
    total.seconds = time.perf_counter() - started
    say(out, f"Volunteering: {total.line()}")
    return total
