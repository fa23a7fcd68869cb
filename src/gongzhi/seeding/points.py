"""A year of the 文明实践积分超市 for seeded communities: a catalog of deeds,
a shelf of daily goods, and a year of awards and redemptions posted through
the same services the pages and the API call (``item_create``,
``goods_create``, ``award_create``, ``award_approve``, ``order_place``,
``order_hand_over``, ``order_cancel``, ``orders_cancel_unclaimed``), each
dated by the ``now`` those services take. No ledger row is written any
other way, so ``gongzhi reconcile`` passes on the result.

The year is simulated per community as one timeline of events in time
order: deeds awarded by the nearest grid worker or building leader, large
awards approved (now and then turned down) by a second person, orders
placed when a resident has saved enough, handed over at the counter within
days, a few cancelled, a few left unclaimed and refunded by the daily
housekeeping, shelves restocked when they run low. Events that would fall
after ``now`` never happen, so the last days leave orders awaiting pickup
and awards awaiting approval, as on a working morning.

Deterministic: each community draws from a random generator seeded with
its code, so the same street seeded on the same day gets the same year
(only pickup codes, which the shop draws itself, differ). A community
that has a catalog already is left alone: seeding again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import math
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import reset_queries, transaction
from django.utils import timezone

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.roles import ROLE_PERMS, Perm, Role
from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import DomainError
from gongzhi.points.models import (
    Account,
    AccountKind,
    AwardStatus,
    EarningItem,
    Goods,
    LimitPeriod,
    Order,
    OrderStatus,
)
from gongzhi.points.services import earning, shop
from gongzhi.points.services.ledger import account_open
from gongzhi.residents.models import Person, PersonStatus

from .accounts import account_ensure, grant_ensure
from .bulk import say

# The deeds on every seeded catalog: name, points, cap, cap period, how
# often an ordinary participant does it a month, and what the award says.
CATALOG = [
    ("垃圾分类", 2, 20, LimitPeriod.MONTH, 0.55, ["垃圾分类"]),
    (
        "志愿服务",
        10,
        8,
        LimitPeriod.MONTH,
        0.22,
        [
            "志愿服务：社区义诊",
            "志愿服务：敬老院慰问",
            "志愿服务：文明交通劝导",
            "志愿服务：防汛值守",
            "志愿服务：周末集市秩序维护",
        ],
    ),
    (
        "楼道清理",
        5,
        4,
        LimitPeriod.MONTH,
        0.12,
        ["楼道清理：清理楼道杂物", "楼道清理：清扫单元门口"],
    ),
    (
        "邻里互助",
        5,
        4,
        LimitPeriod.MONTH,
        0.1,
        [
            "邻里互助：帮独居老人买菜",
            "邻里互助：照看邻居孩子",
            "邻里互助：帮邻居修水管",
        ],
    ),
    ("文明养犬", 3, 4, LimitPeriod.MONTH, 0.06, ["文明养犬：牵绳出行、及时清理"]),
    ("参加议事协商", 5, 2, LimitPeriod.MONTH, 0.04, ["参加议事协商"]),
    (
        "无偿献血",
        60,
        2,
        LimitPeriod.YEAR,
        0.006,
        ["无偿献血 400ml", "无偿献血 200ml"],
    ),
    (
        "见义勇为",
        100,
        None,
        LimitPeriod.MONTH,
        0.002,
        ["见义勇为：协助民警制止盗窃", "见义勇为：救助落水儿童"],
    ),
]

# The shelf: name, points price, opening stock, limit per person and period.
SHELF = [
    ("香皂", 8, 80, None, LimitPeriod.MONTH),
    ("挂面 1kg", 10, 60, None, LimitPeriod.MONTH),
    ("毛巾", 10, 60, 2, LimitPeriod.MONTH),
    ("牙膏", 12, 60, None, LimitPeriod.MONTH),
    ("酱油 500ml", 15, 50, None, LimitPeriod.MONTH),
    ("抽纸 一提", 20, 60, None, LimitPeriod.MONTH),
    ("鸡蛋 一盒", 25, 40, 2, LimitPeriod.WEEK),
    ("洗衣液 2kg", 30, 40, 2, LimitPeriod.MONTH),
    ("大米 5kg", 50, 40, 1, LimitPeriod.MONTH),
    ("食用油 1.8L", 60, 30, 1, LimitPeriod.MONTH),
]
RESTOCK_BELOW = 10
RESTOCK = 40

# How keen a participant is, in multiples of the ordinary rates above.
ZEAL = (0.3, 0.6, 1.0, 2.0, 4.0)
ZEAL_WEIGHTS = (30, 25, 20, 15, 10)
SHOPPING_PER_MONTH = 0.3
# Of the orders placed: handed over, cancelled by the resident, left
# unclaimed (the rest).
HANDED_OVER, CANCELLED = 0.88, 0.05
CANCEL_REASONS = ["居民申请取消", "想换其他商品", "临时外出，无法领取"]
REJECTED = 0.1
REJECT_NOTE = "材料不全，请补充证明后重新申报"
# Residents younger than this earn no points of their own.
MIN_AGE = 16
# The demo resident saves: she never spends below this.
FEATURED_RESERVE = 50
# Residents earning in each demo community at most.
DEMO_MOST = 40

# Who runs the shop where no login does: a secretary and a staff member
# for each community, numbered after the community's code.
STAFF_NAMES = [
    ("黄立新", "何晓敏"),
    ("马春燕", "罗建军"),
    ("高玉兰", "林志刚"),
    ("郭淑珍", "宋文博"),
    ("梁秀云", "唐国栋"),
]


@dataclass
class Staff:
    """The community's people who award points (deepest grant first) and
    who manage the shop (approve, hand over, restock)."""

    awarders: list[tuple[str, User]]
    managers: list[User]

    def awarder(self, path: str, rng: random.Random) -> User:
        near = [user for p, user in self.awarders if path.startswith(p)]
        # Mostly the grid worker or building leader who knows the family.
        return near[0] if rng.random() < 0.7 else rng.choice(near)

    def checker(self, maker: User, rng: random.Random) -> User:
        return rng.choice([m for m in self.managers if m.pk != maker.pk])


@dataclass
class Tally:
    """What one community's year came to."""

    participants: int = 0
    awards: int = 0
    pending: int = 0
    rejected: int = 0
    orders: int = 0
    handed_over: int = 0
    cancelled: int = 0
    unclaimed: int = 0
    waiting: int = 0
    refused: int = 0
    restocks: int = 0
    transfers: int = 0
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        rate = self.transfers / self.seconds if self.seconds else 0
        return (
            f"{self.participants:,} residents earning, {self.awards:,} awards "
            f"({self.pending:,} awaiting approval, {self.rejected:,} turned "
            f"down), {self.orders:,} orders ({self.handed_over:,} picked up, "
            f"{self.cancelled:,} cancelled, {self.unclaimed:,} refunded "
            f"unclaimed, {self.waiting:,} awaiting pickup, {self.refused:,} "
            f"refused), "
            f"{self.transfers:,} transfers in {self.seconds:.1f} s "
            f"({rate:,.0f} transfers/s)"
        )


# Who runs the points


def staff_for(community: Area) -> Staff:
    """Everyone holding a grant in ``community``'s subtree that lets them
    award points or manage the shop."""
    awarders, managers = [], []
    grants = (
        Grant.objects.filter(revoked_at=None, area__path__within=community.path)
        .select_related("area", "user")
        .order_by("-area__depth", "pk")
    )
    for grant in grants:
        perms = ROLE_PERMS.get(grant.role, set())
        if Perm.POINTS_AWARD in perms:
            awarders.append((grant.area.path, grant.user))
        if Perm.POINTS_MANAGE in perms and grant.user not in managers:
            managers.append(grant.user)
    return Staff(awarders=awarders, managers=managers)


def staff_ensure(community: Area, *, password: str, index: int = 0) -> Staff:
    """The community's points staff, adding a secretary and a staff member
    (phones 19 + the last eight digits of the code + 1 or 2) where fewer
    than two people can manage the shop: approving a large award takes a
    second person."""
    staff = staff_for(community)
    if len(staff.managers) >= 2:
        return staff
    if not community.code or len(community.code) < 8:
        raise ValueError(f"{community.name} has no code to number its staff by")
    names = STAFF_NAMES[index % len(STAFF_NAMES)]
    for number, (name, role) in enumerate(
        zip(names, (Role.SECRETARY, Role.STAFF), strict=True), start=1
    ):
        phone = f"19{community.code[-8:]}{number}"
        user = account_ensure(phone, name, password)
        grant_ensure(user, community, role)
    return staff_for(community)


# The year


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _moment(day: dt.date, rng: random.Random, start=8, end=20) -> dt.datetime:
    """A random moment of ``day`` between ``start`` and ``end`` o'clock."""
    seconds = rng.randrange(start * 3600, end * 3600)
    return timezone.make_aware(dt.datetime.combine(day, dt.time())) + dt.timedelta(
        seconds=seconds
    )


def _age(person: Person, today: dt.date) -> int:
    if person.birth_date is None:
        return 40
    born = person.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@dataclass
class _Year:
    """One community's year being played out, event by event."""

    community: Area
    staff: Staff
    now: dt.datetime
    days: int
    rng: random.Random
    featured: set[int]
    tally: Tally = field(default_factory=Tally)
    events: list = field(default_factory=list)
    balance: dict[int, int] = field(default_factory=dict)
    sequence: Iterable[int] = field(default_factory=itertools.count)

    def at(self, when: dt.datetime, kind: str, **data) -> None:
        heapq.heappush(self.events, (when, next(self.sequence), kind, data))

    def key(self, what: str) -> str:
        return f"seed:{self.community.code}:{what}:{next(self.sequence)}"

    # Setting up

    def open_shop(self, start: dt.datetime) -> None:
        manager = self.staff.managers[0]
        self.items = [
            earning.item_create(
                community=self.community,
                name=name,
                points=points,
                cap=cap,
                cap_period=period,
                by=manager,
            )
            for name, points, cap, period, _rate, _reasons in CATALOG
        ]
        self.goods = [
            shop.goods_create(
                community=self.community,
                name=name,
                price=price,
                stock=stock,
                limit=limit,
                limit_period=period,
                by=manager,
                now=start,
            )
            for name, price, stock, limit, period in SHELF
        ]

    def participants(
        self, share: float, today: dt.date, most: int | None
    ) -> list[Account]:
        people = (
            Person.objects.filter(
                household__path__within=self.community.path,
                status=PersonStatus.ACTIVE,
            )
            .only("pk", "birth_date")
            .order_by("pk")
        )
        chosen = [
            p.pk
            for p in people
            if p.pk in self.featured
            or (_age(p, today) >= MIN_AGE and self.rng.random() < share)
        ]
        if most is not None and len(chosen) > most:
            keen = [pk for pk in chosen if pk in self.featured]
            rest = [pk for pk in chosen if pk not in self.featured]
            chosen = sorted(keen + self.rng.sample(rest, max(most - len(keen), 0)))
        for pk in chosen:
            account_open(
                kind=AccountKind.PERSON,
                community=self.community,
                person=Person(pk=pk),
            )
        accounts = list(
            Account.objects.filter(kind=AccountKind.PERSON, person__in=chosen)
            .select_related(
                "area", "person__household", "person__last_household", "person__user"
            )
            .order_by("pk")
        )
        for account in accounts:
            self.balance[account.pk] = account.balance
        self.tally.participants = len(accounts)
        return accounts

    def plan(self, accounts: list[Account], start: dt.date) -> None:
        """Draw every participant's deeds and shopping trips for the year."""
        rng, months = self.rng, self.days / 30.4
        for account in accounts:
            featured = account.person_id in self.featured
            zeal = 4.0 if featured else rng.choices(ZEAL, ZEAL_WEIGHTS)[0]
            for item, (*_spec, rate, reasons) in zip(self.items, CATALOG, strict=True):
                for _ in range(_poisson(rng, rate * zeal * months)):
                    day = start + dt.timedelta(days=rng.randrange(self.days))
                    self.at(
                        _moment(day, rng),
                        "award",
                        account=account,
                        item=item,
                        reason=rng.choice(reasons),
                    )
            trips = _poisson(rng, SHOPPING_PER_MONTH * min(zeal, 2.0) * months)
            for _ in range(trips):
                day = start + dt.timedelta(days=rng.randrange(1, self.days))
                self.at(_moment(day, rng, 9, 19), "shop", account=account)
        for offset in range(self.days + 1):
            day = start + dt.timedelta(days=offset)
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            self.at(midnight + dt.timedelta(minutes=5), "housekeeping")
            self.at(midnight + dt.timedelta(hours=8, minutes=30), "restock")

    def finale(self, accounts: list[Account]) -> None:
        """The last days as the demo shows them: the featured residents
        with orders awaiting pickup, and large awards awaiting a second
        person's approval."""
        rng, today = self.rng, timezone.localdate(self.now)
        by_person = {a.person_id: a for a in accounts}
        volunteering = self.items[1]
        # Goods without a per-person limit, so the orders cannot be refused.
        unlimited = [g for g in self.goods if g.limit is None]
        # The first featured person (the household's head, the demo login)
        # has two orders waiting, the others one each.
        for index, pk in enumerate(sorted(self.featured)):
            account = by_person.get(pk)
            if account is None:
                continue
            self.at(
                _moment(today - dt.timedelta(days=4), rng, 9, 17),
                "award",
                account=account,
                item=volunteering,
                reason="志愿服务：社区义诊",
            )
            for days in (2, 1) if index == 0 else (3,):
                when = _moment(today - dt.timedelta(days=days), rng, 9, 18)
                goods = rng.choice(unlimited)
                self.at(when, "shop", account=account, goods=goods, keep=True)
        large = [i for i in self.items if i.points > earning.approval_threshold()]
        ordinary = [a for a in accounts if a.person_id not in self.featured]
        if not large or not ordinary:
            return
        for hours in (30, 6):
            self.at(
                self.now - dt.timedelta(hours=hours),
                "award",
                account=self.rng.choice(ordinary),
                item=self.rng.choice(large),
                reason=None,
                undecided=True,
            )

    # Playing it out

    def play(self) -> None:
        """Every event up to ``now`` in time order, a day to a transaction.

        One transaction for the whole year would make PostgreSQL keep every
        version of the issuing account's row (updated by each award) until
        the end, and each later update walk them all."""
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
                        # A cap reached, a limit, the stock: refused and
                        # nothing written, as for a resident at the counter.
                        self.tally.refused += 1
                    reset_queries()

    def _award(self, when, *, account, item, reason, undecided=False):
        rng = self.rng
        path = account.person.household.path
        if item.points > earning.approval_threshold():
            maker = self.staff.managers[0]
        else:
            maker = self.staff.awarder(path, rng)
        reason = reason or rng.choice(CATALOG[self.items.index(item)][5])
        award = earning.award_create(
            account=account,
            by=maker,
            idempotency_key=self.key("award"),
            item=item,
            reason=reason,
            now=when,
        )
        self.tally.awards += 1
        if award.status == AwardStatus.PAID:
            self.balance[account.pk] += award.points
            self.tally.transfers += 1
            return
        self.tally.pending += 1
        if undecided:
            return
        later = when + dt.timedelta(hours=rng.uniform(3, 72))
        self.at(later, "decide", award=award, maker=maker)

    def _decide(self, when, *, award, maker):
        checker = self.staff.checker(maker, self.rng)
        self.tally.pending -= 1
        if self.rng.random() < REJECTED:
            earning.award_reject(award=award, by=checker, note=REJECT_NOTE, now=when)
            self.tally.rejected += 1
            return
        earning.award_approve(award=award, by=checker, now=when)
        self.balance[award.account_id] += award.points
        self.tally.transfers += 1

    def _shop(self, when, *, account, goods=None, keep=False):
        rng = self.rng
        reserve = FEATURED_RESERVE if account.person_id in self.featured else 0
        spendable = self.balance[account.pk] - reserve
        if goods is None:
            wishes = rng.sample(self.goods, 3)
            affordable = [g for g in wishes if g.price <= spendable]
            if not affordable:
                return
            goods = max(affordable, key=lambda g: g.price)
        elif goods.price > self.balance[account.pk]:
            return
        user = account.person.user
        order = shop.order_place(
            account=account,
            goods=goods,
            quantity=1,
            by=user,
            idempotency_key=self.key("order"),
            now=when,
        )
        self.balance[account.pk] -= order.points
        self.tally.orders += 1
        self.tally.transfers += 1
        self.tally.waiting += 1
        if keep:
            return
        fate = rng.random()
        if fate < HANDED_OVER:
            hours = rng.uniform(0.2, 24 * 6)
            self.at(when + dt.timedelta(hours=hours), "hand_over", order=order)
        elif fate < HANDED_OVER + CANCELLED:
            hours = rng.uniform(1, 48)
            self.at(when + dt.timedelta(hours=hours), "cancel", order=order)
        # Otherwise it waits past its pickup date for the housekeeping.

    def _hand_over(self, when, *, order):
        shop.order_hand_over(
            community=self.community,
            code=order.code,
            by=self.rng.choice(self.staff.managers),
            now=min(when, order.pickup_by),
        )
        self.tally.handed_over += 1
        self.tally.waiting -= 1

    def _cancel(self, when, *, order):
        shop.order_cancel(
            order=order,
            by=order.account.person.user,
            reason=self.rng.choice(CANCEL_REASONS),
            now=when,
        )
        self.balance[order.account_id] += order.points
        self.tally.cancelled += 1
        self.tally.waiting -= 1
        self.tally.transfers += 1

    def _housekeeping(self, when):
        late = list(
            Order.objects.filter(
                community=self.community,
                status=OrderStatus.PLACED,
                pickup_by__lt=when,
            ).values_list("account_id", "points")
        )
        if not late:
            return
        done = shop.orders_cancel_unclaimed(now=when)
        for account_id, points in late:
            self.balance[account_id] += points
        self.tally.unclaimed += done
        self.tally.waiting -= done
        self.tally.transfers += done

    def _restock(self, when):
        low = Goods.objects.filter(community=self.community, stock__lt=RESTOCK_BELOW)
        for goods in low.order_by("pk"):
            shop.goods_restock(
                goods=goods,
                quantity=RESTOCK,
                by=self.staff.managers[0],
                note="补货",
                now=when,
            )
            self.tally.restocks += 1


def seed_points_year(
    *,
    community: Area,
    staff: Staff,
    now: dt.datetime,
    days: int = 365,
    share: float = 0.25,
    most: int | None = None,
    featured: Iterable[int] = (),
    seed: int = 2026,
) -> Tally | None:
    """Play out ``days`` of the points supermarket in ``community`` up to
    ``now``, about ``share`` of its residents (aged 16 and over) taking
    part, ``most`` of them at most, the people ``featured`` (person pks)
    always, keenly and keeping a reserve. ``None`` when the community has
    a catalog already.

    The catalog, shelf and accounts are written in one transaction, then
    each day of the year in one of its own; a run stopped halfway leaves
    the days done (consistent, reconciling) and a second run leaves the
    community as it is."""
    if community.kind != Kind.COMMUNITY:
        raise ValueError(f"{community.name} is not a community")
    if EarningItem.objects.filter(community=community).exists():
        return None
    if len(staff.managers) < 2 or not staff.awarders:
        raise ValueError(f"{community.name} needs two people to run its points")
    started = time.perf_counter()
    year = _Year(
        community=community,
        staff=staff,
        now=now,
        days=days,
        rng=random.Random(f"{seed}:{community.code}"),  # noqa: S311 (not secret)
        featured=set(featured),
    )
    start = now - dt.timedelta(days=days)
    with transaction.atomic():
        year.open_shop(start)
        accounts = year.participants(share, timezone.localdate(now), most)
    year.plan(accounts, timezone.localdate(start))
    year.finale(accounts)
    year.play()
    year.tally.seconds = time.perf_counter() - started
    return year.tally


# The demo street and the scale seeds


def seed_demo_points(
    *,
    now: dt.datetime | None = None,
    days: int = 365,
    share: float = 0.25,
    most: int | None = DEMO_MOST,
    stdout=None,
) -> Tally | None:
    """A year of points in each community of the demo street, ``most``
    residents earning in each (the year goes through the services at some
    sixty transfers a second, and the demo should start in a minute). The
    demo resident and her household take part keenly and end with a
    balance, a history and orders awaiting pickup; each community's
    secretary finds large awards awaiting approval. ``None`` when already
    seeded."""
    from .demo import DEMO_PASSWORD, LOGINS, STREET

    now = now or timezone.now()
    street = Area.objects.get(code=STREET[0])
    resident = next(x for x in LOGINS if x.role == Role.RESIDENT)
    featured = set(
        Person.objects.filter(household__code=resident.area_code).values_list(
            "pk", flat=True
        )
    )
    communities = Area.objects.filter(
        kind=Kind.COMMUNITY, path__within=street.path
    ).order_by("path")
    total, seeded = Tally(), False
    for index, community in enumerate(communities):
        if EarningItem.objects.filter(community=community).exists():
            continue
        if not seeded:
            say(stdout, "A year of points, through the points services:")
        staff = staff_ensure(community, password=DEMO_PASSWORD, index=index)
        tally = seed_points_year(
            community=community,
            staff=staff,
            now=now,
            days=days,
            share=share,
            most=most,
            featured=featured,
        )
        if tally is None:
            continue
        seeded = True
        say(stdout, f"  {community.name}: {tally.line()}")
        total.add(tally)
    if not seeded:
        return None
    say(stdout, f"Points: {total.line()}")
    return total


def seed_scale_points(
    *,
    root: Area,
    communities: int | None = None,
    now: dt.datetime | None = None,
    days: int = 365,
    share: float = 0.25,
    stdout=None,
) -> Tally:
    """A year of points in the communities under ``root`` (the first
    ``communities`` of them in tree order, or all), each with a secretary
    and a staff member of its own to run it. Prints each community's
    figures and rate as it goes."""
    from .demo import DEMO_PASSWORD

    out = stdout if stdout is not None else sys.stdout
    now = now or timezone.now()
    nodes = Area.objects.filter(kind=Kind.COMMUNITY, path__within=root.path).order_by(
        "path"
    )
    if communities is not None:
        nodes = nodes[:communities]
    nodes = list(nodes)
    total = Tally()
    started = time.perf_counter()
    for index, community in enumerate(nodes, start=1):
        staff = staff_ensure(community, password=DEMO_PASSWORD, index=index)
        tally = seed_points_year(
            community=community, staff=staff, now=now, days=days, share=share
        )
        if tally is None:
            say(out, f"  {index}/{len(nodes)} {community.name}: seeded already")
            continue
        total.add(tally)
        say(
            out,
            f"  {index}/{len(nodes)} {community.name}: {tally.transfers:,} "
            f"transfers, {tally.transfers / tally.seconds:,.0f}/s; "
            f"{time.perf_counter() - started:.0f} s so far",
        )
    total.seconds = time.perf_counter() - started
    say(out, f"Points: {total.line()}")
    return total
