"""A year of 急难愁盼 requests for seeded communities, through the services
the pages, the API and Open311 call (``department_create``,
``category_create``, ``handler_add``, ``request_raise`` and every workflow
service, then ``sweep_overdue``), each dated by the ``now`` those
services take.

Set-up: each street gets its departments (城管科, 住建科（房管站）, 水务站,
供电所, 市容园林科, 派出所), one handler account each, and its categories,
whose codes are Open311 service codes (``repair-water`` 上下水管道 pooled
among the repair teams, ``street-light`` 路灯照明 routed to 城管科 by
itself, ``elderly-help`` 助老服务 handed round the care and vanguard teams
in turn, ``building-safety`` and ``parking`` escalating to the street when
overdue …). Each community gets ``home-repair`` 居家小修, routed by itself
to its repair team (else its vanguard team), and handler accounts for its
teams, its property companies and its co-building units; on the demo
street the unit login 孙志强 works 三盛里's 邻里维修队, so the demo's unit
login opens on a queue. Some residents use the portal (an account each).

The year: requests raised on the portal by residents, by grid workers and
building leaders on a resident's behalf, by staff at the desk, from home
visits, and a few through Open311 and the API; placed at the household,
the building or the estate, with an address and a description drawn from
templates. Each plays out in time order: routed by its category or
dispatched by staff within office hours, a few escalated (吹哨) and sent to
a department by the street, accepted (a few late), a few returned (退单)
or transferred (转单), worked and resolved (a few late, a few stuck for
months), rated by residents with a login (mostly 满意 or 基本满意, a few
不满意, one of which reopens), called back (回访) or closed unrated after
the category's period; a few rejected, a few duplicates merged (their
reporters then follow the one kept), some followed (关注) by a neighbour
shown them while raising the same problem. Events
after ``now`` never happen, so the last days' requests are still open,
some overdue; a sweep at ``now`` flags them. Each community's rollups are
re-summed once its year is played (``rollups_deferred``), so the rates
page has data.

Every step goes through the services: every request's last transition
leads to its status, and the rollups equal a rebuild. Portal accounts
share one password hash (``seeding.accounts``).

Deterministic: each community draws from a random generator seeded with
its code. A community with a request already is left alone: seeding
again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import reset_queries, transaction
from django.db.models import Count, Q
from django.utils import timezone

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import Role
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import ancestor_paths, is_within, street_of
from gongzhi.core.errors import DomainError
from gongzhi.insights.rollups import rollups_deferred
from gongzhi.orgs.models import Organization, OrgKind
from gongzhi.requests import services
from gongzhi.requests.models import (
    Category,
    Department,
    DispatchMode,
    Follow,
    Handler,
    ServiceRequest,
    Transition,
)
from gongzhi.requests.states import OPEN, Channel, Rating, Status, Urgency
from gongzhi.residents.models import Gender, Person, PersonStatus
from gongzhi.volunteering.models import Team, TeamType

from .accounts import account_ensure, grant_ensure
from .bulk import say
from .people import _name

# The street's departments (部门报到): name, what it takes on.
DEPARTMENTS = [
    ("城管科", "路灯、违章搭建、占道经营、乱停车"),
    ("住建科（房管站）", "老旧房屋安全鉴定、公房维修、维修资金"),
    ("水务站", "供排水管网、雨污水井、管道改造"),
    ("供电所", "小区供电线路、电动自行车充电设施"),
    ("市容园林科", "公共绿地、树木修剪、环境卫生"),
    ("派出所", "治安、噪音扰民、邻里纠纷调处"),
]


@dataclass(frozen=True)
class Spec:
    """A category and how its requests are worked.

    ``mode`` and ``default`` route a new request (``default`` a department
    name, or ``"team"`` for the community's repair team, which makes the
    category a community's own); ``pool`` names the team types of its pool
    or rotation. ``place``: where its requests are placed (household,
    building or estate). ``routes``: whom staff dispatch it to, weighted
    (``property``, ``police``, ``utility``, a team type, or a department
    to escalate to)."""

    code: str
    name: str
    description: str
    urgency: str
    response_hours: int
    resolve_hours: int
    weight: int
    place: str
    routes: tuple[tuple[str, int], ...] = ()
    mode: str = DispatchMode.ASSIGN
    default: str = ""
    pool: tuple[str, ...] = ()
    auto_escalate: bool = False
    auto_close_days: int = 7
    reject: float = 0.03


HOUSEHOLD, BUILDING, ESTATE = "household", "building", "estate"

SPECS = [
    Spec(
        "repair-water",
        "上下水管道",
        "自来水、下水管道漏水、堵塞、老化锈蚀",
        Urgency.NORMAL,
        12,
        72,
        14,
        HOUSEHOLD,
        routes=(("property", 7), ("水务站", 3)),
        mode=DispatchMode.POOL,
        pool=(TeamType.REPAIR,),
    ),
    Spec(
        "street-light",
        "路灯照明",
        "小区道路、楼道路灯不亮、损坏",
        Urgency.NORMAL,
        24,
        72,
        8,
        ESTATE,
        default="城管科",
    ),
    Spec(
        "building-safety",
        "房屋安全",
        "墙体倾斜开裂、外墙脱落、楼梯扶手松动等房屋安全隐患",
        Urgency.URGENT,
        2,
        48,
        5,
        BUILDING,
        routes=(("property", 5), ("住建科（房管站）", 5)),
        auto_escalate=True,
        reject=0.0,
    ),
    Spec(
        "charging",
        "充电桩",
        "电动自行车、汽车充电设施的增设和维修",
        Urgency.NORMAL,
        48,
        720,
        4,
        ESTATE,
        routes=(("供电所", 6), ("property", 3), ("utility", 1)),
        auto_close_days=10,
    ),
    Spec(
        "sanitation",
        "环境卫生",
        "楼道堆物、垃圾清运不及时、卫生死角",
        Urgency.NORMAL,
        12,
        48,
        13,
        BUILDING,
        routes=(("property", 7), (TeamType.PARTY, 3)),
    ),
    Spec(
        "greening",
        "绿化养护",
        "树木修剪、绿地破坏、枯枝隐患",
        Urgency.NORMAL,
        24,
        168,
        6,
        ESTATE,
        routes=(("property", 5), ("市容园林科", 5)),
    ),
    Spec(
        "noise",
        "噪音扰民",
        "装修、商铺、广场舞等噪音扰民",
        Urgency.NORMAL,
        12,
        48,
        6,
        HOUSEHOLD,
        routes=(("police", 5), (TeamType.MEDIATION, 3), (TeamType.PARTY, 2)),
    ),
    Spec(
        "elderly-help",
        "助老服务",
        "独居、高龄老人代买代办、陪同就医、上门探望",
        Urgency.NORMAL,
        24,
        72,
        10,
        HOUSEHOLD,
        routes=((TeamType.ELDERLY, 7), (TeamType.PARTY, 3)),
        mode=DispatchMode.ROTATION,
        pool=(TeamType.ELDERLY, TeamType.PARTY),
        reject=0.0,
    ),
    Spec(
        "neighbour-dispute",
        "邻里纠纷",
        "漏水、噪音、公共空间占用等邻里矛盾",
        Urgency.NORMAL,
        24,
        168,
        5,
        HOUSEHOLD,
        routes=((TeamType.MEDIATION, 6), ("police", 2), (TeamType.PARTY, 2)),
    ),
    Spec(
        "parking",
        "停车管理",
        "乱停乱放、占用消防通道、车位纠纷",
        Urgency.NORMAL,
        24,
        120,
        6,
        ESTATE,
        routes=(("property", 6), ("城管科", 4)),
        auto_escalate=True,
    ),
    Spec(
        "other",
        "其他",
        "其他急难愁盼问题",
        Urgency.NORMAL,
        24,
        168,
        4,
        BUILDING,
        routes=((TeamType.PARTY, 5), ("property", 5)),
        reject=0.25,
    ),
    Spec(
        "home-repair",
        "居家小修",
        "换灯泡、修门锁、疏通下水、修理小家电，邻里维修队上门",
        Urgency.NORMAL,
        24,
        72,
        12,
        HOUSEHOLD,
        routes=((TeamType.REPAIR, 6), (TeamType.PARTY, 4)),
        default="team",
        reject=0.0,
    ),
]
SPEC_BY_CODE = {spec.code: spec for spec in SPECS}

# Descriptions: {place} is where it is ("3号楼2单元"), {estate} the estate.
TEMPLATES = {
    "repair-water": [
        "{place}家里厨房下水管道堵塞，污水往上返，请帮忙疏通",
        "{place}卫生间上水管老化漏水，楼下邻居屋顶已经洇湿",
        "{place}自来水管锈蚀严重，水发黄，希望更换管道",
        "{place}暖气回水管接口滴水，地面一直是湿的",
        "{place}楼道里的下水立管裂了，一楼地面返水有异味",
    ],
    "street-light": [
        "{estate}{spot}的路灯坏了好几天了，晚上黑，老人出门不方便",
        "{estate}{spot}路灯一闪一闪的，晚上看不清路",
        "{estate}{spot}的庭院灯灯罩掉了，灯也不亮",
    ],
    "building-safety": [
        "{place}外面的围墙往外倾斜，墙上有裂缝，怕倒了砸着人",
        "{place}外墙皮大块脱落，楼下经常有人走，很危险",
        "{place}楼梯扶手松动，老人上下楼不敢扶",
        "{place}阳台底板有裂缝，钢筋都露出来了",
        "{place}楼顶女儿墙开裂，刮风天往下掉碎砖",
    ],
    "charging": [
        "{estate}电动自行车没有地方充电，居民从楼上拉飞线，希望安装充电桩",
        "{estate}{spot}的充电桩坏了，扫码充不上电",
        "{estate}想申请安装汽车充电桩，不知道找谁办",
    ],
    "sanitation": [
        "{place}楼道里堆了很多杂物，堵着消防通道",
        "{place}门口的垃圾桶好几天没人清运，有味了",
        "{place}楼道墙上贴满了小广告，希望清理",
        "{place}楼前有一处卫生死角，苍蝇蚊子多",
    ],
    "greening": [
        "{estate}{spot}的大树枝子伸到居民窗户前了，挡光还招虫子，请修剪",
        "{estate}{spot}有枯树枝，刮风天怕掉下来砸人",
        "{estate}{spot}绿地被人种了菜，希望恢复绿化",
    ],
    "noise": [
        "{place}楼上装修每天早上七点就开始砸墙，休息日也不停",
        "{place}附近商铺晚上音响声音太大，影响休息",
        "{place}楼下每天晚上有人唱歌到很晚",
    ],
    "elderly-help": [
        "{place}独居老人腿脚不便，想请志愿者帮忙买菜、取药",
        "{place}老人下周要去医院复查，家里没人，想请人陪同",
        "{place}高龄老人想请人上门帮忙打扫卫生、换季整理衣物",
        "{place}老人不会用手机缴费，想请人上门帮忙",
    ],
    "neighbour-dispute": [
        "{place}和楼上因为漏水赔偿的事闹矛盾，想请社区帮忙调解",
        "{place}邻居在楼道里放鞋柜，说了不听，希望社区出面协调",
        "{place}楼上邻居家的狗夜里一直叫，沟通了几次没有效果",
    ],
    "parking": [
        "{estate}{spot}总有车停在消防通道上，救护车进不来",
        "{estate}{spot}僵尸车停了半年没人挪，占着车位",
        "{estate}外来车辆乱停，小区里车都开不进去",
    ],
    "other": [
        "{place}单元门禁坏了，门关不上",
        "{place}楼道里的信报箱坏了，希望修一修",
        "{estate}健身器材的螺丝松了，老人锻炼不安全",
        "{place}想咨询老旧小区改造什么时候轮到我们楼",
    ],
    "home-repair": [
        "{place}家里的灯泡坏了，老人自己够不着，想请维修队帮忙换",
        "{place}入户门锁不好使了，钥匙经常拧不动",
        "{place}厨房水龙头一直滴水，想请师傅看看",
        "{place}家里的电饭锅不加热了，想请维修队看看能不能修",
        "{place}纱窗破了，想请人帮忙换一下",
    ],
}
SPOTS = ["东门口", "西侧小路", "3号楼前", "车棚旁", "小广场", "北门", "南侧围墙边"]
RESOLUTIONS = {
    "repair-water": [
        "已上门疏通下水管道，现排水正常",
        "已更换老化的上水管和阀门，试水无渗漏",
        "已更换锈蚀管段，水质恢复正常",
    ],
    "street-light": ["已更换灯泡和镇流器，路灯恢复照明", "已修复线路，路灯正常亮起"],
    "building-safety": [
        "已对倾斜围墙设置警戒并拆除重砌，隐患消除",
        "已清理空鼓外墙皮并修补，设置了安全提示",
        "已加固楼梯扶手，老人上下楼可以放心扶",
    ],
    "charging": [
        "已协调在车棚新装充电桩8个，居民可扫码充电",
        "已修复充电桩主板，恢复使用",
        "已答复居民汽车充电桩报装流程，并协助提交申请",
    ],
    "sanitation": [
        "已组织清理楼道堆物，消防通道畅通",
        "已协调物业增加清运频次，垃圾已清运",
        "已清除小广告并粉刷墙面",
    ],
    "greening": ["已修剪树枝，消除遮挡和隐患", "已清理枯枝", "已恢复绿地并补种草皮"],
    "noise": [
        "已上门提醒装修户按规定时间施工，居民表示理解",
        "已约谈商铺负责人，调低音量并承诺晚九点后停止",
    ],
    "elderly-help": [
        "志愿者已上门帮老人买菜取药，并约定每周探望",
        "志愿者已陪同老人到医院复查，平安送回家",
        "志愿者已上门帮助老人打扫卫生、整理衣物",
    ],
    "neighbour-dispute": [
        "已组织双方协商，达成一致意见，矛盾化解",
        "已协调邻居将杂物移走，楼道恢复畅通",
    ],
    "parking": [
        "已联系车主挪车，并在消防通道施划禁停标线",
        "已协调拖移僵尸车，车位恢复使用",
    ],
    "other": ["已修复单元门禁", "已更换信报箱", "已加固健身器材", "已答复居民"],
    "home-repair": [
        "维修队已上门更换灯泡",
        "维修队已上门更换门锁芯",
        "维修队已更换水龙头阀芯，不再滴水",
        "维修队已修好电饭锅加热盘",
    ],
}
COMMENTS = {
    Rating.SATISFIED: [
        "师傅很热情，修得又快又好",
        "社区办事效率高，感谢！",
        "问题解决了，谢谢社区",
        "",
        "",
    ],
    Rating.BASIC: ["解决了，就是等的时间长了点", "基本解决，希望以后多巡查", ""],
    Rating.DISSATISFIED: [
        "说是修好了，没过两天又漏了",
        "来了一趟就走了，问题没解决",
    ],
}
REJECT_REASONS = [
    "属于居民家中自用设施的装修问题，不在社区受理范围，已告知居民联系装修单位",
    "经核实，该位置不属于本社区，已告知居民向所属社区反映",
    "描述不清，多次电话联系未果，请补充具体位置后重新提交",
    "属于12345热线受理范围，已引导居民拨打热线反映",
]
RETURN_REASONS = [
    "该问题不属于本队服务范围，请重新派单",
    "需要专业资质施工，本队无法处理",
]
TRANSFER_REASONS = ["涉及水电维修，转维修队处理更合适", "需要调解，转调解队处理"]
DECLINE_NOTE = "请先上门查看后再定，暂由原队伍处理"
ESCALATE_NOTES = {
    "城管科": "涉及占道和违章，需街道城管协调处理",
    "住建科（房管站）": "房屋安全隐患，需房管站鉴定并协调维修资金",
    "水务站": "涉及供排水主管网，需水务部门处理",
    "供电所": "需供电部门现场勘察线路容量",
    "市容园林科": "公共绿地树木修剪需园林部门处理",
    "派出所": "需派出所民警出面处理",
}
STUCK_NOTES = [
    "已现场查看，需申请专项维修资金，正在走审批流程",
    "需协调多方共同出资，正在征求居民意见",
    "已报区相关部门，等待统一施工",
]
CONTACT_NOTES = ["已电话联系居民，约好上门时间", "已联系居民，明天上午上门查看"]
CALLBACK_NOTES = ["电话回访，居民表示问题已解决", "电话回访，居民满意", ""]
REOPEN_REASON = "问题没有彻底解决，又出现了同样的情况"
MERGE_NOTE = "同一问题已有居民反映，合并处理"
SYSTEM_DOMAIN = "api.example.cn"

# The year's requests of each demo community, and of a scale community per
# household (a district of a million households then counts some 300,000).
DEMO_YEARLY = (170, 150, 160)
PER_HOUSEHOLD = 0.3
# Channels, weighted: the portal most, grid workers on residents' behalf,
# staff at the desk, home visits, Open311, the API.
CHANNELS = (
    (Channel.PORTAL, 52),
    (Channel.GRID, 28),
    (Channel.STAFF, 10),
    (Channel.CARE_VISIT, 5),
    (Channel.OPEN311, 3),
    (Channel.API, 2),
)
# Residents who use the portal, per request of the year (an account each).
PORTAL_SHARE = 0.25
# How requests go: late response, late resolution, stuck unresolved for
# months, returned once, transfer asked, a duplicate of an open one,
# rated by a reporter who can, called back and reached.
LATE_RESPONSE, LATE_RESOLVE, STUCK = 0.05, 0.07, 0.05
# (given an open one of the same category in the estate).
RETURN, TRANSFER, DUPLICATE = 0.03, 0.02, 0.25
# A neighbour follows it (关注) rather than report it again.
FOLLOWED = 0.06
RATES_ON_TIME = ((Rating.SATISFIED, 80), (Rating.BASIC, 17), (Rating.DISSATISFIED, 3))
RATES_LATE = ((Rating.SATISFIED, 55), (Rating.BASIC, 33), (Rating.DISSATISFIED, 12))
RATE_SHARE, REACHED = 0.75, 0.75
REOPENS = 1  # per community
HOURS = [7, 8, 8, 9, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 18, 19, 19, 20, 21, 22]


@dataclass
class Tally:
    """What one community's year came to (counted from the rows written)."""

    requests: int = 0
    transitions: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    rated: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    rejected: int = 0
    merged: int = 0
    followed: int = 0
    escalated: int = 0
    returned: int = 0
    transferred: int = 0
    reopened: int = 0
    callbacks: int = 0
    auto_closed: int = 0
    accounts: int = 0
    refused: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.requests:,} requests ({self.open:,} open, {self.overdue:,} "
            f"overdue; {self.resolved:,} resolved, {self.rated:,} rated, "
            f"{self.satisfied:,} satisfied, {self.dissatisfied:,} dissatisfied; "
            f"{self.rejected:,} rejected, {self.merged:,} merged; "
            f"{self.followed:,} followed by neighbours), "
            f"{self.transitions:,} steps ({self.escalated:,} escalated, "
            f"{self.returned:,} returned, {self.transferred:,} transferred, "
            f"{self.reopened:,} reopened, {self.callbacks:,} call backs, "
            f"{self.auto_closed:,} closed unrated), {self.accounts:,} portal "
            f"accounts, {self.refused:,} refused, in {self.seconds:.1f} s "
            f"({self.rate:.1f} requests/s)"
        )


def _weighted(rng: random.Random, pairs) -> str:
    items = [item for item, _w in pairs]
    return rng.choices(items, [w for _i, w in pairs])[0]


def _handler(user: User, to, by: User, now: dt.datetime) -> None:
    field_name = (
        "team"
        if isinstance(to, Team)
        else "organization"
        if isinstance(to, Organization)
        else "department"
    )
    if not Handler.objects.filter(
        user=user, ended_at__isnull=True, **{field_name: to}
    ).exists():
        services.handler_add(user=user, to=to, by=by, now=now)


def _street_manager(street: Area, *, password: str) -> User:
    """Who configures the street's requests and routes its 吹哨: its street
    manager, added (phone 19 + the last eight digits of the code + 0)
    where it has none."""
    grant = (
        Grant.objects.filter(
            area=street, role=Role.STREET_MANAGER, revoked_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if grant is not None:
        return grant.user
    user = account_ensure(f"19{street.code[-8:]}0", "街道办事员", password)
    grant_ensure(user, street, Role.STREET_MANAGER)
    return user


def _community_staff(community: Area) -> list[User]:
    return [
        grant.user
        for grant in Grant.objects.filter(
            area=community,
            role__in=[Role.STAFF, Role.SECRETARY],
            revoked_at__isnull=True,
        )
        .select_related("user")
        .order_by("role", "pk")
    ]


def _secretary(community: Area) -> User:
    for role in (Role.SECRETARY, Role.STAFF):
        grant = (
            Grant.objects.filter(area=community, role=role, revoked_at__isnull=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if grant is not None:
            return grant.user
    raise ValueError(f"{community.name} has nobody to configure its requests")


@dataclass
class StreetDesk:
    """A street's departments, their handlers and its categories."""

    street: Area
    manager: User
    departments: dict[str, Department]
    handlers: dict[int, User]
    categories: dict[str, Category]


def street_setup(
    street: Area, *, now: dt.datetime, password: str, pool_teams: list[Team]
) -> StreetDesk:
    """The street's departments (a handler account each) and categories,
    found where they exist. ``pool_teams``: the teams of the street's
    communities, for the categories' pools and rotations."""
    manager = _street_manager(street, password=password)
    rng = random.Random(f"{street.code}:departments")  # noqa: S311
    departments, handlers = {}, {}
    for number, (name, description) in enumerate(DEPARTMENTS, start=1):
        department = Department.objects.filter(street=street, name=name).first()
        if department is None:
            department = services.department_create(
                street=street, name=name, description=description, by=manager, now=now
            )
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        phone = f"19{street.code[-8:]}{number}"
        user = account_ensure(phone, _name(rng, gender), password)
        grant_ensure(user, street, Role.UNIT)
        _handler(user, department, manager, now)
        departments[name] = department
        handlers[department.pk] = user
    categories = {}
    for spec in SPECS:
        if spec.default == "team":
            continue
        found = Category.objects.filter(area=street, code=spec.code).first()
        if found is None:
            teams = [t for t in pool_teams if t.kind in spec.pool]
            mode = spec.mode if teams else DispatchMode.ASSIGN
            found = services.category_create(
                area=street,
                code=spec.code,
                name=spec.name,
                description=spec.description,
                urgency=spec.urgency,
                response_hours=spec.response_hours,
                resolve_hours=spec.resolve_hours,
                dispatch_mode=mode,
                default_to=departments.get(spec.default),
                teams=teams if mode != DispatchMode.ASSIGN else (),
                auto_escalate=spec.auto_escalate,
                auto_close_days=spec.auto_close_days,
                by=manager,
                now=now,
            )
        categories[spec.code] = found
    return StreetDesk(street, manager, departments, handlers, categories)


@dataclass
class Place:
    area: Area
    estate: Area
    building: Area | None
    address: str
    where: str  # for the description: "3号楼2单元301"


@dataclass
class Plan:
    """One request being played out."""

    spec: Spec
    place: Place
    channel: str
    reporter: Person | None
    raiser: User | None
    late_response: bool
    late_resolve: bool
    stuck: bool
    returns: bool
    transfer: bool
    duplicate_of: Plan | None = None
    pk: int | None = None
    status: str = ""
    dispatched_at: dt.datetime | None = None
    round: int = 1
    route: str = ""  # the route staff took
    tried: set = field(default_factory=set)


class _Year:
    """One community's year of requests being played out, event by event."""

    def __init__(
        self,
        community: Area,
        *,
        desk: StreetDesk,
        now: dt.datetime,
        days: int,
        count: int,
        password: str,
        seed: int,
        unit_login: User | None,
    ):
        self.community = community
        self.desk = desk
        self.now = now
        self.days = days
        self.count = count
        self.password = password
        self.unit_login = unit_login
        self.rng = random.Random(f"{seed}:{community.code}:requests")  # noqa: S311
        self.events: list = []
        self.sequence = itertools.count()
        self.tally = Tally()
        self.reopens = 0
        self.open_by_estate: dict[tuple[str, int], list[Plan]] = {}

    @property
    def start(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.days)

    def at(self, when: dt.datetime, kind: str, plan: Plan) -> None:
        heapq.heappush(self.events, (when, next(self.sequence), kind, plan))

    # Set-up

    def setup(self) -> None:
        community, rng = self.community, self.rng
        self.staff = _community_staff(community)
        if not self.staff:
            raise ValueError(f"{community.name} has nobody to dispatch requests")
        secretary = _secretary(community)
        self.teams: dict[str, list[Team]] = {}
        for team in Team.objects.filter(area=community, active=True).order_by("pk"):
            self.teams.setdefault(team.kind, []).append(team)
        self.orgs = list(
            Organization.objects.filter(
                area__path__within=community.path,
                active=True,
                kind__in=[OrgKind.PROPERTY, OrgKind.CO_BUILDING],
            )
            .select_related("area")
            .order_by("pk")
        )
        self.property_of = {
            org.area.path: org for org in self.orgs if org.kind == OrgKind.PROPERTY
        }
        self.police = [o for o in self.orgs if "派出所" in o.name]
        self.utility = [
            o
            for o in self.orgs
            if o.kind == OrgKind.CO_BUILDING and ("供电" in o.name or "燃气" in o.name)
        ]
        # Handler accounts: 19 + the code's last eight digits + 3, 4, 5
        # (staff_ensure numbers its secretary and staff 1 and 2).
        base = f"19{community.code[-8:]}"
        names = [_name(rng, rng.choice((Gender.MALE, Gender.FEMALE))) for _ in "abc"]
        by = secretary
        self.handler: dict[tuple[str, int], User] = {}
        teams = [t for kind in self.teams.values() for t in kind]
        if teams:
            user = account_ensure(f"{base}3", names[0], self.password)
            grant_ensure(user, community, Role.UNIT)
            for team in teams:
                desk = user
                if (
                    self.unit_login is not None
                    and team.kind == TeamType.REPAIR
                    and team == self.teams[TeamType.REPAIR][0]
                ):
                    desk = self.unit_login
                _handler(desk, team, by, self.start)
                self.handler[("team", team.pk)] = desk
        for offset, kinds in ((4, {OrgKind.PROPERTY}), (5, {OrgKind.CO_BUILDING})):
            orgs = [o for o in self.orgs if o.kind in kinds]
            if not orgs:
                continue
            user = account_ensure(f"{base}{offset}", names[offset - 3], self.password)
            grant_ensure(user, community, Role.UNIT)
            for org in orgs:
                _handler(user, org, by, self.start)
                self.handler[("organization", org.pk)] = user
        for department in self.desk.departments.values():
            self.handler[("department", department.pk)] = self.desk.handlers[
                department.pk
            ]
        self.categories = dict(self.desk.categories)
        spec = SPEC_BY_CODE["home-repair"]
        own = Category.objects.filter(area=community, code=spec.code).first()
        default = self.teams.get(TeamType.REPAIR) or self.teams.get(TeamType.PARTY)
        if own is None and default:
            own = services.category_create(
                area=community,
                code=spec.code,
                name=spec.name,
                description=spec.description,
                urgency=spec.urgency,
                response_hours=spec.response_hours,
                resolve_hours=spec.resolve_hours,
                default_to=default[0],
                auto_close_days=spec.auto_close_days,
                by=secretary,
                now=self.start,
            )
        if own is not None:
            self.categories[spec.code] = own
        self.specs = [s for s in SPECS if s.code in self.categories]
        self.places()
        self.people()

    def places(self) -> None:
        nodes = list(
            Area.objects.filter(
                path__within=self.community.path,
                kind__in=[Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD],
                retired_at__isnull=True,
            ).order_by("path")
        )
        self.by_path = {n.path: n for n in nodes}
        self.estates = [n for n in nodes if n.kind == Kind.ESTATE]
        self.buildings = [n for n in nodes if n.kind == Kind.BUILDING]

    def _up(self, area: Area, kind: str) -> Area | None:
        for path in reversed(ancestor_paths(area.path, include_self=True)):
            node = self.by_path.get(path)
            if node is not None and node.kind == kind:
                return node
        return None

    def people(self) -> None:
        today = timezone.localdate(self.now)
        self.residents = list(
            Person.objects.filter(
                household__path__within=self.community.path,
                status=PersonStatus.ACTIVE,
            )
            .filter(
                Q(birth_date__isnull=True) | Q(birth_date__lte=_years_ago(today, 18))
            )
            .select_related("household", "user")
            .order_by("pk")
        )
        self.elderly = [
            p
            for p in self.residents
            if p.birth_date is not None and p.birth_date <= _years_ago(today, 70)
        ]
        # Those with a login already, and some more who use the portal
        # (drawn from everyone, so a second run draws the same people).
        want = max(3, round(self.count * PORTAL_SHARE))
        chosen = self.rng.sample(self.residents, min(len(self.residents), want))
        chosen += [p for p in self.residents if p.user_id is not None]
        self.portal = sorted(set(chosen), key=lambda p: p.pk)
        self.raisers = [
            (grant.area.path, grant.user)
            for grant in Grant.objects.filter(
                area__path__within=self.community.path,
                role__in=[Role.GRID_WORKER, Role.BUILDING_LEADER],
                revoked_at__isnull=True,
            )
            .select_related("area", "user")
            .order_by("pk")
        ]

    def accounts(self) -> None:
        """A portal account for each resident who uses the portal: her own
        phone, or one numbered by her household's code when hers is taken
        or missing."""
        for person in self.portal:
            if person.user_id is not None:
                continue
            phone = person.phone
            if not phone or user_find_by_phone(phone=phone) is not None:
                phone = f"16{person.household.code[-9:]}"
                if user_find_by_phone(phone=phone) is not None:
                    phone = f"14{person.pk:09d}"[-11:]
            user = account_ensure(phone, person.name, self.password)
            if Person.objects.filter(user=user).exists():
                continue
            grant_ensure(user, person.household, Role.RESIDENT)
            person.user = user
            person.save(update_fields=["user"])
            self.tally.accounts += 1
        self.portal = [p for p in self.portal if p.user_id is not None]

    # The plan

    def plan(self) -> None:
        rng = self.rng
        seconds = self.days * 86400
        weights = [s.weight for s in self.specs]
        for _n in range(self.count):
            day_start = self.start + dt.timedelta(seconds=rng.randrange(seconds))
            local = timezone.localtime(day_start)
            when = local.replace(
                hour=rng.choice(HOURS), minute=rng.randrange(60), second=0
            )
            if when >= self.now or when < self.start:
                when = day_start
            spec = rng.choices(self.specs, weights)[0]
            self.at(when, "raise", self._plan(spec, rng))

    def _plan(self, spec: Spec, rng: random.Random) -> Plan:
        channel = _weighted(rng, CHANNELS)
        reporter, raiser = None, None
        if channel == Channel.PORTAL and self.portal:
            reporter = rng.choice(self.portal)
            raiser = reporter.user
        elif channel == Channel.CARE_VISIT and self.elderly:
            reporter = rng.choice(self.elderly)
        elif channel in (Channel.OPEN311, Channel.API):
            pass
        else:
            channel = Channel.GRID if channel != Channel.STAFF else channel
            reporter = rng.choice(self.residents) if self.residents else None
        if channel in (Channel.GRID, Channel.CARE_VISIT, Channel.STAFF):
            raiser = None
            if reporter is not None and channel != Channel.STAFF:
                home = reporter.household.path
                near = [u for path, u in self.raisers if home.startswith(path)]
                if near:
                    raiser = rng.choice(near)
                    channel = channel if channel == Channel.CARE_VISIT else "grid"
            if raiser is None:
                raiser = rng.choice(self.staff)
                channel = (
                    Channel.CARE_VISIT
                    if channel == Channel.CARE_VISIT
                    else Channel.STAFF
                )
        if channel == Channel.PORTAL and reporter is None:
            channel, raiser = Channel.STAFF, rng.choice(self.staff)
        place = self._place(spec, reporter, raiser)
        late_response = rng.random() < LATE_RESPONSE
        late_resolve = rng.random() < LATE_RESOLVE
        return Plan(
            spec=spec,
            place=place,
            channel=channel,
            reporter=reporter,
            raiser=raiser,
            late_response=late_response,
            late_resolve=late_resolve,
            stuck=rng.random() < STUCK,
            returns=rng.random() < RETURN,
            transfer=rng.random() < TRANSFER,
        )

    def _place(self, spec: Spec, reporter: Person | None, raiser: User | None):
        rng = self.rng
        if reporter is not None:
            home = reporter.household
        else:
            building = rng.choice(self.buildings)
            homes = [
                n
                for path, n in self.by_path.items()
                if n.kind == Kind.HOUSEHOLD and path.startswith(building.path)
            ]
            home = rng.choice(homes) if homes else building
        estate = self._up(home, Kind.ESTATE)
        building = self._up(home, Kind.BUILDING)
        entrance = self._up(home, Kind.ENTRANCE)
        kind = spec.place
        # A building leader raises only within her building.
        if kind == ESTATE and raiser is not None and reporter is not None:
            scope = [p for p, u in self.raisers if u == raiser]
            if scope and not is_within(estate.path, scope[0]):
                kind = BUILDING
        if kind == HOUSEHOLD and home.kind == Kind.HOUSEHOLD:
            door = f"{entrance.name if entrance else ''}{home.name}"
            where = f"{building.name}{door}"
            return Place(home, estate, building, f"{estate.name}{where}室", where)
        if kind in (HOUSEHOLD, BUILDING) and building is not None:
            where = f"{building.name}{entrance.name if entrance else ''}"
            return Place(building, estate, building, f"{estate.name}{where}", where)
        spot = rng.choice(SPOTS)
        return Place(estate, estate, building, f"{estate.name}{spot}", spot)

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
                    when, _n, kind, plan = heapq.heappop(events)
                    try:
                        getattr(self, f"_{kind}")(when, plan)
                    except DomainError:
                        self.tally.refused += 1
                    reset_queries()

    def _office(self, when: dt.datetime, low=0.1, high=2.0) -> dt.datetime:
        """When staff get to it: within office hours (8:30 to 17:30)."""
        local = timezone.localtime(when)
        opens = local.replace(hour=8, minute=30, second=0)
        closes = local.replace(hour=17, minute=30, second=0)
        if local < opens:
            local = opens
        elif local >= closes:
            local = opens + dt.timedelta(days=1)
        return local + dt.timedelta(hours=self.rng.uniform(low, high))

    def _dispatcher(self) -> User:
        return self.rng.choice(self.staff)

    def _remember(self, plan: Plan, item: ServiceRequest) -> None:
        plan.status = item.status
        if item.dispatched_at is not None and plan.dispatched_at is None:
            plan.dispatched_at = item.dispatched_at
        key = (plan.spec.code, plan.place.estate.pk)
        found = self.open_by_estate.setdefault(key, [])
        if item.status in OPEN:
            if plan not in found:
                found.append(plan)
        elif plan in found:
            found.remove(plan)

    def _raise(self, when, plan: Plan) -> None:
        rng = self.rng
        spec, place = plan.spec, plan.place
        # Now and then someone reports what a neighbour reported already.
        earlier = [
            p
            for p in self.open_by_estate.get((spec.code, place.estate.pk), [])
            if p.status in (Status.SUBMITTED, Status.POOLED, Status.DISPATCHED)
        ]
        if earlier and rng.random() < DUPLICATE:
            plan.duplicate_of = earlier[0]
        template = rng.choice(TEMPLATES[spec.code])
        description = template.format(
            place=place.where, estate=place.estate.name, spot=place.where
        )
        extra = {}
        if plan.channel in (Channel.OPEN311, Channel.API):
            extra = {
                "contact_name": _name(rng, rng.choice((Gender.MALE, Gender.FEMALE))),
                "contact_phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            }
        item = services.request_raise(
            category=self.categories[spec.code],
            area=place.area,
            description=description,
            by=plan.raiser,
            reporter=plan.reporter,
            channel=plan.channel,
            public=rng.random() < 0.3,
            address=place.address,
            now=when,
            **extra,
        )
        plan.pk = item.pk
        self._remember(plan, item)
        self._next_after_route(when, plan, item)
        if plan.duplicate_of is None and rng.random() < FOLLOWED:
            self.at(when + dt.timedelta(hours=rng.uniform(1, 48)), "follow", plan)

    def _follow(self, when, plan: Plan) -> None:
        """A neighbour with the portal, shown the open request while
        raising the same problem, follows it (关注) instead. Nothing when
        it has ended meanwhile or nobody else of the estate uses the
        portal."""
        estate = plan.place.estate.path
        near = [
            p
            for p in self.portal
            if is_within(p.household.path, estate) and p != plan.reporter
        ]
        if not near or plan.status not in OPEN:
            return
        services.request_follow(
            service_request=ServiceRequest.objects.get(pk=plan.pk),
            by=self.rng.choice(near).user,
            now=when,
        )

    def _next_after_route(self, when, plan: Plan, item: ServiceRequest) -> None:
        rng = self.rng
        if plan.duplicate_of is not None:
            self.at(self._office(when), "merge", plan)
        elif item.status == Status.SUBMITTED:
            if plan.round == 1 and rng.random() < plan.spec.reject:
                self.at(self._office(when), "reject", plan)
            else:
                self.at(self._office(when), "dispatch", plan)
        elif item.status in (Status.DISPATCHED, Status.POOLED):
            self.at(self._respond_at(when, plan), "respond", plan)

    def _respond_at(self, when: dt.datetime, plan: Plan) -> dt.datetime:
        hours = plan.spec.response_hours
        due = (plan.dispatched_at or when) + dt.timedelta(hours=hours)
        if plan.late_response and plan.round == 1:
            return max(when, due) + dt.timedelta(hours=self.rng.uniform(0.5, 20))
        # Within the deadline, and never before the request reached them.
        latest = max(when + dt.timedelta(minutes=5), due - dt.timedelta(minutes=5))
        span = (latest - when).total_seconds()
        return when + dt.timedelta(seconds=span * self.rng.uniform(0.05, 0.8))

    def _assignee(self, route: str, plan: Plan):
        """The team or organization behind a route, or None."""
        if route == "property":
            estate = plan.place.estate
            return self.property_of.get(estate.path)
        if route == "police":
            return self.police[0] if self.police else None
        if route == "utility":
            return self.utility[0] if self.utility else None
        teams = self.teams.get(route)
        return teams[0] if teams else None

    def _dispatch(self, when, plan: Plan) -> None:
        rng, spec = self.rng, plan.spec
        routes = [(r, w) for r, w in spec.routes if r not in plan.tried]
        choices = []
        for route, weight in routes:
            if (
                route in self.desk.departments
                or self._assignee(route, plan) is not None
            ):
                choices.append((route, weight))
        if not choices:
            choices = [("城管科" if spec.place == ESTATE else "住建科（房管站）", 1)]
            if choices[0][0] in plan.tried:
                choices = [(d, 1) for d in self.desk.departments if d not in plan.tried]
        route = _weighted(rng, choices)
        plan.route = route
        plan.tried.add(route)
        by = self._dispatcher()
        if route in self.desk.departments:
            item = services.request_escalate(
                service_request=plan.pk, by=by, note=ESCALATE_NOTES[route], now=when
            )
            self.tally.escalated += 1
            self._remember(plan, item)
            self.at(self._office(when, 0.5, 6), "street_dispatch", plan)
            return
        item = services.request_dispatch(
            service_request=plan.pk, to=self._assignee(route, plan), by=by, now=when
        )
        self._remember(plan, item)
        self.at(self._respond_at(when, plan), "respond", plan)

    def _street_dispatch(self, when, plan: Plan) -> None:
        name = plan.route if plan.route in self.desk.departments else "城管科"
        item = services.request_street_dispatch(
            service_request=plan.pk,
            to=self.desk.departments[name],
            by=self.desk.manager,
            note=f"请{name}接单处理",
            now=when,
        )
        self._remember(plan, item)
        self.at(self._respond_at(when, plan), "respond", plan)

    def _escalate(self, when, plan: Plan) -> None:
        """The sweep's 吹哨 of an overdue request of a category so
        configured (the response deadline passed with nobody responding)."""
        item = ServiceRequest.objects.get(pk=plan.pk)
        if item.responded_at is not None or item.department_id is not None:
            return
        item = services.request_escalate(
            service_request=plan.pk,
            by=None,
            note="超时未响应，系统自动上报街道",
            now=when,
        )
        self.tally.escalated += 1
        self._remember(plan, item)
        plan.route = (
            "住建科（房管站）" if plan.spec.code == "building-safety" else "城管科"
        )
        self.at(self._office(when, 0.2, 3), "street_dispatch", plan)

    def _handler_of(self, item: ServiceRequest) -> User | None:
        if item.team_id:
            return self.handler.get(("team", item.team_id))
        if item.organization_id:
            return self.handler.get(("organization", item.organization_id))
        if item.department_id:
            return self.handler.get(("department", item.department_id))
        return None

    def _respond(self, when, plan: Plan) -> None:
        rng = self.rng
        item = ServiceRequest.objects.select_related("category").get(pk=plan.pk)
        if item.status not in (Status.DISPATCHED, Status.POOLED):
            return
        # An overdue request of an escalating category goes up first.
        if (
            plan.spec.auto_escalate
            and item.response_due is not None
            and when > item.response_due
            and item.escalated_at is None
            and item.department_id is None
            and item.responded_at is None
        ):
            sweep = item.response_due + dt.timedelta(minutes=rng.uniform(5, 30))
            self._escalate(min(sweep, when), plan)
            return
        if item.status == Status.POOLED:
            teams = [
                t for t in item.category.teams.all() if ("team", t.pk) in self.handler
            ]
            teams = [t for t in teams if is_within(t.area.path, self.community.path)]
            if not teams:
                return
            team = teams[0]
            item = services.request_take(
                service_request=plan.pk,
                team=team,
                by=self.handler[("team", team.pk)],
                now=when,
            )
            self._remember(plan, item)
            self.at(self._work_at(when, plan, item), "work", plan)
            return
        handler = self._handler_of(item)
        if handler is None:
            return
        if plan.returns and plan.round == 1:
            plan.returns = False
            item = services.request_return(
                service_request=plan.pk,
                by=handler,
                reason=rng.choice(RETURN_REASONS),
                now=when,
            )
            self.tally.returned += 1
            self._remember(plan, item)
            kind = "street_dispatch" if item.status == Status.ESCALATED else "dispatch"
            if kind == "street_dispatch":
                others = [d for d in self.desk.departments if d not in plan.tried]
                plan.route = rng.choice(others)
                plan.tried.add(plan.route)
            self.at(self._office(when), kind, plan)
            return
        if rng.random() < 0.25:
            services.request_contact(
                service_request=plan.pk,
                by=handler,
                note=rng.choice(CONTACT_NOTES),
                now=when,
            )
            when += dt.timedelta(minutes=rng.uniform(10, 180))
        item = services.request_accept(service_request=plan.pk, by=handler, now=when)
        self._remember(plan, item)
        if plan.transfer and item.team_id and plan.round == 1:
            plan.transfer = False
            others = [
                t
                for kind in (TeamType.REPAIR, TeamType.MEDIATION, TeamType.PARTY)
                for t in self.teams.get(kind, [])
                if t.pk != item.team_id
            ]
            if others:
                self.at(when + dt.timedelta(hours=rng.uniform(1, 8)), "transfer", plan)
                plan.route = str(others[0].pk)
                return
        self.at(self._work_at(when, plan, item), "work", plan)

    def _transfer(self, when, plan: Plan) -> None:
        item = ServiceRequest.objects.get(pk=plan.pk)
        to = Team.objects.get(pk=int(plan.route))
        item = services.request_transfer(
            service_request=plan.pk,
            to=to,
            by=self._handler_of(item),
            reason=self.rng.choice(TRANSFER_REASONS),
            now=when,
        )
        self._remember(plan, item)
        self.at(self._office(when), "transfer_decide", plan)

    def _transfer_decide(self, when, plan: Plan) -> None:
        approve = self.rng.random() < 0.8
        item = services.request_transfer_decide(
            service_request=plan.pk,
            approve=approve,
            by=self._dispatcher(),
            note="" if approve else DECLINE_NOTE,
            now=when,
        )
        if approve:
            self.tally.transferred += 1
        self._remember(plan, item)
        self.at(when + dt.timedelta(hours=self.rng.uniform(0.3, 4)), "respond", plan)

    def _work_at(self, when, plan: Plan, item: ServiceRequest) -> dt.datetime:
        due = item.resolve_due or when + dt.timedelta(hours=plan.spec.resolve_hours)
        if plan.late_resolve and plan.round == 1:
            return max(when, due) + dt.timedelta(hours=self.rng.uniform(2, 120))
        latest = max(when + dt.timedelta(minutes=30), due - dt.timedelta(minutes=10))
        span = (latest - when).total_seconds()
        return when + dt.timedelta(seconds=span * self.rng.uniform(0.1, 0.85))

    def _work(self, when, plan: Plan) -> None:
        rng = self.rng
        item = ServiceRequest.objects.get(pk=plan.pk)
        handler = self._handler_of(item)
        if handler is None or item.status not in (Status.ACCEPTED, Status.IN_PROGRESS):
            return
        if plan.stuck and plan.round == 1:
            if item.status == Status.ACCEPTED:
                item = services.request_start(
                    service_request=plan.pk,
                    by=handler,
                    note=rng.choice(STUCK_NOTES),
                    now=when,
                )
                self._remember(plan, item)
            return
        if item.status == Status.ACCEPTED and rng.random() < 0.5:
            started = item.updated_at  # the last step: accepted or taken
            begin = started + (when - started) * rng.uniform(0.2, 0.8)
            begin = max(begin, started + dt.timedelta(minutes=1))
            if begin < when:
                services.request_start(service_request=plan.pk, by=handler, now=begin)
        item = services.request_resolve(
            service_request=plan.pk,
            by=handler,
            resolution=rng.choice(RESOLUTIONS[plan.spec.code]),
            now=when,
        )
        self._remember(plan, item)
        can_rate = plan.reporter is not None and plan.reporter.user_id is not None
        if can_rate and rng.random() < RATE_SHARE:
            delay = dt.timedelta(hours=rng.choice((0.5, 2, 6, 20, 30, 50)))
            self.at(when + delay * rng.uniform(0.5, 1.5), "rate", plan)
        elif plan.channel in (Channel.OPEN311, Channel.API) and rng.random() < 0.4:
            self._close_later(when, plan)
        else:
            callback = self._office(when + dt.timedelta(days=rng.uniform(2, 4)))
            self.at(callback, "callback", plan)

    def _close_later(self, when, plan: Plan) -> None:
        days = plan.spec.auto_close_days
        # The sweep runs every quarter of an hour.
        close = when + dt.timedelta(days=days, minutes=self.rng.uniform(1, 15))
        self.at(close, "auto_close", plan)

    def _rating(self, plan: Plan, item: ServiceRequest) -> str:
        late = item.resolve_overdue or item.response_overdue
        if plan.round > 1:
            return _weighted(self.rng, ((Rating.SATISFIED, 6), (Rating.BASIC, 4)))
        return _weighted(self.rng, RATES_LATE if late else RATES_ON_TIME)

    def _rate(self, when, plan: Plan) -> None:
        rng = self.rng
        item = ServiceRequest.objects.get(pk=plan.pk)
        rating = self._rating(plan, item)
        item = services.request_rate(
            service_request=plan.pk,
            by=plan.reporter.user,
            rating=rating,
            comment=rng.choice(COMMENTS[rating]),
            now=when,
        )
        self._remember(plan, item)
        if rating == Rating.DISSATISFIED and self.reopens < REOPENS:
            self.reopens += 1
            self.at(when + dt.timedelta(hours=rng.uniform(1, 24)), "reopen", plan)

    def _reopen(self, when, plan: Plan) -> None:
        item = services.request_reopen(
            service_request=plan.pk,
            by=plan.reporter.user,
            reason=REOPEN_REASON,
            now=when,
        )
        self.tally.reopened += 1
        plan.round += 1
        plan.tried = set()
        plan.dispatched_at = None
        self._remember(plan, item)
        self.at(self._office(when), "dispatch", plan)

    def _callback(self, when, plan: Plan) -> None:
        rng = self.rng
        item = ServiceRequest.objects.get(pk=plan.pk)
        if item.status != Status.RESOLVED:
            return
        reached = rng.random() < REACHED
        rating = self._rating(plan, item) if reached else ""
        item = services.request_callback(
            service_request=plan.pk,
            by=self._dispatcher(),
            reached=reached,
            rating=rating,
            note=rng.choice(CALLBACK_NOTES) if reached else "电话无人接听",
            now=when,
        )
        self.tally.callbacks += 1
        self._remember(plan, item)
        if not reached:
            self._close_later(item.resolved_at, plan)

    def _auto_close(self, when, plan: Plan) -> None:
        item = services.request_auto_close(service_request=plan.pk, now=when)
        self.tally.auto_closed += 1
        self._remember(plan, item)

    def _reject(self, when, plan: Plan) -> None:
        item = services.request_reject(
            service_request=plan.pk,
            by=self._dispatcher(),
            reason=self.rng.choice(REJECT_REASONS),
            now=when,
        )
        self._remember(plan, item)

    def _merge(self, when, plan: Plan) -> None:
        target = plan.duplicate_of
        if target.status not in OPEN:
            # The first was done with meanwhile: this one goes its own way.
            plan.duplicate_of = None
            item = ServiceRequest.objects.get(pk=plan.pk)
            self._next_after_route(when, plan, item)
            return
        item = services.request_merge(
            service_request=plan.pk,
            into=ServiceRequest.objects.get(pk=target.pk),
            by=self._dispatcher(),
            note=MERGE_NOTE,
            now=when,
        )
        self._remember(plan, item)

    # The figures

    def figures(self) -> None:
        t = self.tally
        mine = ServiceRequest.objects.filter(community=self.community)
        sums = mine.aggregate(
            requests=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count(
                "pk",
                filter=Q(status__in=OPEN)
                & (Q(response_overdue=True) | Q(resolve_overdue=True)),
            ),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            rated=Count("pk", filter=~Q(rating="")),
            satisfied=Count(
                "pk", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])
            ),
            dissatisfied=Count("pk", filter=Q(rating=Rating.DISSATISFIED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            merged=Count("pk", filter=Q(status=Status.MERGED)),
        )
        for name, value in sums.items():
            setattr(t, name, value)
        t.transitions = Transition.objects.filter(
            request__community=self.community
        ).count()
        t.followed = Follow.objects.filter(request__community=self.community).count()


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def seed_requests_year(
    *,
    community: Area,
    desk: StreetDesk,
    now: dt.datetime,
    count: int,
    days: int = 365,
    password: str,
    unit_login: User | None = None,
    seed: int = 2026,
) -> Tally | None:
    """Play out ``days`` of requests in ``community`` up to ``now``,
    ``count`` of them raised. ``None`` when the community has a request
    already. The set-up and the portal accounts are one transaction, then
    each day of the year one of its own."""
    if community.kind != Kind.COMMUNITY:
        raise ValueError(f"{community.name} is not a community")
    if ServiceRequest.objects.filter(community=community).exists():
        return None
    started = time.perf_counter()
    year = _Year(
        community,
        desk=desk,
        now=now,
        days=days,
        count=count,
        password=password,
        seed=seed,
        unit_login=unit_login,
    )
    with transaction.atomic():
        year.setup()
        if not year.residents or not year.buildings:
            return None
        year.accounts()
    year.plan()
    # Each request's rollups re-summed once, after its year, rather than at
    # every step of it.
    with rollups_deferred(now=now):
        year.play()
        # The sweep's run at ``now``: late requests flagged, escalated where
        # so configured, and what nobody rated in time closed.
        services.sweep_overdue(now=now)
    year.figures()
    year.tally.seconds = time.perf_counter() - started
    return year.tally


def _street_of(community: Area) -> Area:
    return street_of(community)


def _run(
    communities: list[Area],
    *,
    now: dt.datetime,
    days: int,
    counts: Callable[[int, Area], int],
    say: Callable[[int, Area, Tally | None], None],
    unit_login: User | None = None,
) -> Tally:
    from .demo import DEMO_PASSWORD
    from .points import staff_ensure

    total = Tally()
    desks: dict[int, StreetDesk] = {}
    started = time.perf_counter()
    for index, community in enumerate(communities):
        if ServiceRequest.objects.filter(community=community).exists():
            say(index, community, None)
            continue
        staff_ensure(community, password=DEMO_PASSWORD, index=index)
        street = _street_of(community)
        if street.pk not in desks:
            teams = list(
                Team.objects.filter(
                    area__path__within=street.path,
                    active=True,
                    kind__in={k for s in SPECS for k in s.pool},
                ).order_by("pk")
            )
            with transaction.atomic():
                desks[street.pk] = street_setup(
                    street,
                    now=now - dt.timedelta(days=days + 30),
                    password=DEMO_PASSWORD,
                    pool_teams=teams,
                )
        tally = seed_requests_year(
            community=community,
            desk=desks[street.pk],
            now=now,
            days=days,
            count=counts(index, community),
            password=DEMO_PASSWORD,
            unit_login=unit_login if index == 0 else None,
        )
        say(index, community, tally)
        if tally is not None:
            total.add(tally)
    total.seconds = time.perf_counter() - started
    return total


def seed_demo_requests(
    *, now: dt.datetime | None = None, days: int = 365, stdout=None
) -> Tally | None:
    """A year of requests in each community of the demo street (some 480 in
    all); the demo unit login 孙志强 works 三盛里's repair team. ``None``
    when already seeded."""
    from .demo import LOGINS, STREET

    now = now or timezone.now()
    street = Area.objects.get(code=STREET[0])
    communities = list(
        Area.objects.filter(kind=Kind.COMMUNITY, path__within=street.path).order_by(
            "path"
        )
    )
    if all(ServiceRequest.objects.filter(community=c).exists() for c in communities):
        return None
    unit = next(x for x in LOGINS if x.role == Role.UNIT)
    unit_login = user_find_by_phone(phone=unit.phone)
    say(stdout, "A year of requests (急难愁盼), through the requests services:")

    def progress(_index, community, tally):
        if tally is not None:
            say(stdout, f"  {community.name}: {tally.line()}")

    total = _run(
        communities,
        now=now,
        days=days,
        counts=lambda index, _c: DEMO_YEARLY[index % len(DEMO_YEARLY)] * days // 365,
        say=progress,
        unit_login=unit_login,
    )
    say(stdout, f"Requests: {total.line()}")
    return total


def seed_scale_requests(
    *,
    root: Area,
    communities: int | None = None,
    now: dt.datetime | None = None,
    days: int = 365,
    per_household: float = PER_HOUSEHOLD,
    stdout=None,
) -> Tally:
    """A year of requests in the communities under ``root`` (the first
    ``communities`` of them in tree order, or all), ``per_household``
    requests a household a year. Prints each community's figures and the
    rate as it goes."""
    out = stdout if stdout is not None else sys.stdout
    now = now or timezone.now()
    nodes = Area.objects.filter(kind=Kind.COMMUNITY, path__within=root.path).order_by(
        "path"
    )
    if communities is not None:
        nodes = nodes[:communities]
    nodes = list(nodes)
    started = time.perf_counter()

    def count(_index, community):
        households = Area.objects.filter(
            kind=Kind.HOUSEHOLD, path__within=community.path
        ).count()
        return max(10, round(households * per_household * days / 365))

    def progress(index, community, tally):
        where = f"  {index + 1}/{len(nodes)} {community.name}"
        if tally is None:
            say(out, f"{where}: seeded already")
            return
        say(
            out,
            f"{where}: {tally.requests:,} requests, {tally.transitions:,} steps, "
            f"{tally.rate:.1f} requests/s; {time.perf_counter() - started:.0f} s "
            "so far",
        )

    total = _run(nodes, now=now, days=days, counts=count, say=progress)
    say(out, f"Requests: {total.line()}")
    return total
