"""A year of councils (议事协商) on the demo street, played through the
councils services:

- 三盛里's monthly 家门口议事会: the five parties at the table, 两代表一委员
  and a lawyer as guests; each month a topic accepted, noticed three days
  ahead, attendance taken, voted on and minuted; one month without
  quorum (流会), its topic deferred to the next;
- 马场道56号's 吃水难: the residents' requests gathered into one topic, passed,
  whistled up (吹哨) to the street's 水务站, done and publicised;
- 航院小区's renovation collection in July: 21 suggestions, their
  supporters, one topic carried out by a team with a budget from the
  党组织服务群众专项资金 and receipts;
- 航院小区's owners' vote on a lift from the maintenance fund, which fails
  the double majority.

Suggestions and supporters are written in bulk (they need no account);
everything that moves a workflow goes through a service. Seeding again
adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.areas.models import Area, Kind
from gongzhi.councils.models import Council, Suggestion, Support
from gongzhi.councils.services import (
    meetings,
    minutes,
    owners,
    suggestions,
    topics,
    votes,
    work,
)
from gongzhi.requests import selectors as requests_selectors
from gongzhi.requests.models import ServiceRequest
from gongzhi.requests.services.workflow import (
    request_accept,
    request_resolve,
    request_start,
    request_street_dispatch,
)
from gongzhi.residents.models import Person
from gongzhi.volunteering.models import Team

from .bulk import say

COUNCIL = "三盛里家门口议事会"
MONTHLY_TOPICS = [
    "楼道堆物清理",
    "大理道20号围墙倾斜",
    "小区电动车充电桩",
    "垃圾分类投放点调整",
    "航院小区停车秩序",
    "老年食堂开餐时间",
    "健身器材更新",
    "楼门防盗门维修",
    "社区文化墙设计",
    "雨季排水隐患",
    "路灯照明不足",
    "邻里节活动安排",
]
NO_QUORUM_MONTH = 4
SUGGESTIONS = [
    "小区内围墙生锈，希望除锈刷漆",
    "希望合理利用小区内种植的植物空地",
    "路灯太暗，晚上出行不安全",
    "增设居民休息座椅",
    "监控设施老化，需要更换",
    "楼道灯坏了很久",
    "水泥桥墩斑驳，希望粉刷",
    "垃圾桶摆放位置不合理",
    "花坛杂草丛生",
    "增加晾衣架",
    "单元门口台阶破损",
    "希望增设非机动车棚",
    "小区宣传栏陈旧",
    "绿地里铺一条小路",
    "儿童游乐设施太少",
    "增设快递柜",
    "下水井盖松动",
    "楼间空地改成小花园",
    "围墙上的电线杂乱",
    "增设无障碍坡道",
    "小区门口减速带",
]
PARTIES = [
    ("party", "社区党委书记"),
    ("committee", "居委会主任"),
    ("owners", "业委会主任"),
    ("property", "物业项目经理"),
    ("unit", "天津民航大学"),
    ("residents", "居民代表"),
    ("residents", "居民代表"),
    ("residents", "居民代表"),
    ("deputy", "区人大代表"),
    ("expert", "律师"),
]


def _receipt(name: str) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), "white").save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _staff(community: Area):
    grant = (
        Grant.objects.filter(
            area=community, role=Role.SECRETARY, revoked_at__isnull=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grant.user if grant else None


def _people(community: Area, count: int, rng: random.Random) -> list[Person]:
    people = list(
        Person.objects.filter(
            household__path__startswith=community.path, household__isnull=False
        ).order_by("pk")[:400]
    )
    rng.shuffle(people)
    return people[:count]


def seed_demo_councils(*, now: dt.datetime | None = None, stdout=None):
    """The year of councils; ``None`` when already seeded or the street
    has no people yet."""
    from .demo import C1, STREET

    now = now or timezone.now()
    community = Area.objects.filter(code=C1).first()
    if community is None or Council.objects.filter(name=COUNCIL).exists():
        return None
    staff = _staff(community)
    if (
        staff is None
        or not Person.objects.filter(
            household__path__startswith=community.path
        ).exists()
    ):
        return None
    say(stdout, "A year of councils (议事协商), through the councils services:")
    rng = random.Random(17)  # noqa: S311
    with transaction.atomic():
        council = _monthly(community, staff, now=now, rng=rng)
        water = _water(community, staff, now=now)
        renovation = _renovation(community, staff, now=now, rng=rng)
        lift = _owners_vote(community, staff, now=now)
    street = Area.objects.get(code=STREET[0])
    say(
        stdout,
        f"  {community.name} ({street.name}): {council.meetings.count()} meetings of "
        f"{council.name}; {water.title}; {renovation.title} "
        f"({renovation.suggestions.count()} suggestions); {lift.title}: "
        f"{lift.get_status_display()}",
    )
    return council


def _meeting(
    council, staff, *, topic, title, at, present, ballots, now_text="", more=()
):
    """One meeting: planned and noticed a week ahead with ``topic`` (and
    ``more`` topics) on its agenda, ``present`` marked, ``ballots`` (seat,
    choice) cast on each topic, closed and minuted."""
    before = at - dt.timedelta(days=7)
    meeting = meetings.meeting_plan(
        council=council,
        title=title,
        place="三盛里党群服务中心",
        starts_at=at,
        by=staff,
        now=before,
    )
    meetings.agenda_add(meeting=meeting, topic=topic, by=staff, now=before)
    meetings.meeting_step(meeting=meeting, action="publish", by=staff, now=before)
    meetings.meeting_step(meeting=meeting, action="open", by=staff, now=at)
    for seat in present:
        meetings.meeting_mark_present(meeting=meeting, seat=seat, by=staff, now=at)
    later = at + dt.timedelta(minutes=40)
    if ballots:
        vote = votes.vote_create(meeting=meeting, topic=topic, by=staff, now=at)
        votes.vote_open(vote=vote, by=staff, now=at + dt.timedelta(minutes=30))
        for seat, choice in ballots:
            votes.ballot_cast(vote=vote, seat=seat, choice=choice, by=staff, now=later)
        votes.vote_close(vote=vote, by=staff, now=later)
    minutes.minutes_save(
        meeting=meeting,
        text=f"议题：{topic.title}。{now_text or '与会各方充分协商。'}",
        by=staff,
        now=later,
    )
    end = at + dt.timedelta(hours=1)
    meetings.meeting_step(meeting=meeting, action="close", by=staff, now=end)
    minutes.minutes_open_comments(meeting=meeting, by=staff, now=end)
    minutes.minutes_finalise(
        meeting=meeting, by=staff, now=end + dt.timedelta(days=council.comment_days)
    )
    return meeting


def _monthly(community, staff, *, now, rng) -> Council:
    council = meetings.council_create(
        area=community, name=COUNCIL, by=staff, comment_days=3
    )
    start = timezone.localdate(now) - dt.timedelta(days=400)
    seats = [
        meetings.seat_add(
            council=council,
            person=person,
            party=party,
            title=title,
            starts_on=start,
            by=staff,
        )
        for person, (party, title) in zip(
            _people(community, len(PARTIES), rng), PARTIES, strict=True
        )
    ]
    voting = [s for s in seats if s.votes]
    deferred = None
    for month, title in enumerate(MONTHLY_TOPICS):
        at = (now - dt.timedelta(days=30 * (12 - month))).replace(
            hour=19, minute=0, second=0, microsecond=0
        )
        opened = at - dt.timedelta(days=12)
        topic = topics.topic_open(
            community=community,
            title=title,
            interested=["property"] if "停车" in title else [],
            by=staff,
            now=opened,
        )
        topics.topic_step(topic=topic, action="accept", by=staff, now=opened)
        label = f"{at:%Y年%m月}家门口议事会"
        if month == NO_QUORUM_MONTH:
            # 流会: four of seven voting seats came and nobody of the property.
            _meeting(
                council,
                staff,
                topic=topic,
                title=label,
                at=at,
                present=[s for s in voting if s.party != "property"][:4],
                ballots=[],
                now_text="到会人数不足，未形成决议，议题顺延。",
            )
            deferred = topic
            continue
        # Now and then a residents' representative sends apologies.
        away = rng.choice([s for s in voting if s.party == "residents"])
        present = [s for s in voting if s != away or rng.random() < 0.5]
        ballots = [
            (s, "yes" if rng.random() < 0.8 else rng.choice(["no", "abstain"]))
            for s in present
        ]
        _meeting(
            council,
            staff,
            topic=topic,
            title=label,
            at=at,
            present=present,
            ballots=ballots,
            more=[deferred] if deferred is not None else [],
        )
        for decided in [topic] + ([deferred] if deferred is not None else []):
            decided.refresh_from_db()
            if decided.status in ("passed", "not_passed"):
                topics.topic_step(
                    topic=decided,
                    action="publicise",
                    notice_days=7,
                    by=staff,
                    now=at + dt.timedelta(days=4),
                )
        deferred = None
    return council


def _water(community, staff, *, now):
    """马场道56号: residents' requests over the years, one topic, the
    水务站 through 吹哨."""
    place = (
        Area.objects.filter(kind=Kind.BUILDING, path__startswith=community.path)
        .order_by("path")
        .last()
    )
    linked = list(
        ServiceRequest.objects.filter(community=community).order_by("created_at")[:3]
    )
    at = now - dt.timedelta(days=150)
    council = Council.objects.get(name=COUNCIL)
    topic = topics.topic_open(
        community=community,
        area=place,
        title="马场道56号吃水难：供水管道老化",
        description="居民长年受“吃水难”困扰，水压低、水质黄，管道老化严重。",
        requests=linked,
        by=staff,
        now=at - dt.timedelta(days=10),
    )
    topics.topic_step(topic=topic, action="accept", by=staff, now=at)
    voting = [s for s in council.seats.all() if s.votes]
    _meeting(
        council,
        staff,
        topic=topic,
        title="马场道56号供水专题议事会",
        at=at,
        present=voting,
        ballots=[(s, "yes") for s in voting],
        now_text="邀请水务部门干部列席，商定由水务站更换老化管道。",
    )
    category = requests_selectors.categories_at(place).first()
    department = (
        requests_selectors.departments_of(community.get_parent())
        .filter(name="水务站")
        .first()
    )
    if category is not None and department is not None:
        task = work.task_create(
            topic=topic,
            title="更换马场道56号老化供水管道",
            category=category,
            to=department,
            by=staff,
            now=at + dt.timedelta(days=1),
        )
        street_grant = (
            Grant.objects.filter(
                area=community.get_parent(), role=Role.STREET_MANAGER, revoked_at=None
            )
            .select_related("user")
            .first()
        )
        if street_grant is not None:
            item = request_street_dispatch(
                service_request=task.service_request,
                to=department,
                by=street_grant.user,
                now=at + dt.timedelta(days=2),
            )
            _finish_request(item, department, at + dt.timedelta(days=20))
        stone = work.milestone_add(task=task, title="管道更换完成", by=staff)
        work.milestone_done(milestone=stone, by=staff, now=at + dt.timedelta(days=20))
        _finish(topic, staff, when=at + dt.timedelta(days=21), notice_days=7)
    return topic


def _finish(topic, staff, *, when, notice_days: int) -> None:
    """The work is done, and the next day the topic is publicised."""
    topics.topic_step(topic=topic, action="finish", by=staff, now=when)
    topics.topic_step(
        topic=topic,
        action="publicise",
        notice_days=notice_days,
        by=staff,
        now=when + dt.timedelta(days=1),
    )


def _finish_request(item, assignee, when) -> None:
    """The assignee's handler starts and resolves the work, where it has one."""
    from gongzhi.requests.selectors_setup import handlers_of

    handler = handlers_of(assignee, ended=False).first()
    if handler is None:
        return
    user = handler.user
    request_accept(service_request=item, by=user, now=when - dt.timedelta(days=6))
    request_start(service_request=item, by=user, now=when - dt.timedelta(days=5))
    request_resolve(
        service_request=item, by=user, resolution="管道已更换，水压恢复", now=when
    )


def _renovation(community, staff, *, now, rng):
    """航院小区改造建议征集（7月）: 21 suggestions, one topic, a team, a budget."""
    estate = (
        Area.objects.filter(kind=Kind.ESTATE, path__startswith=community.path)
        .order_by("path")
        .first()
    )
    year = timezone.localdate(now).year
    july = dt.date(year if timezone.localdate(now).month > 7 else year - 1, 7, 1)
    collection = suggestions.collection_create(
        area=estate,
        title=f"{estate.name}改造建议征集（7月）",
        description="请居民对小区环境和文化设施改造提出建议。",
        opens_on=july,
        closes_on=july + dt.timedelta(days=30),
        by=staff,
    )
    residents = list(
        Person.objects.filter(household__path__startswith=estate.path).order_by("pk")
    )
    made = Suggestion.objects.bulk_create(
        [
            Suggestion(
                collection=collection,
                area=rng.choice(residents).household,
                author=residents[i % len(residents)],
                text=text,
                supports=0,
                created_at=timezone.make_aware(
                    dt.datetime.combine(july + dt.timedelta(days=i), dt.time(10))
                ),
            )
            for i, text in enumerate(SUGGESTIONS)
        ]
    )
    support_rows = []
    for suggestion in made:
        fans = rng.sample(residents, k=min(len(residents), rng.randint(0, 12)))
        support_rows += [
            Support(suggestion=suggestion, person=p)
            for p in fans
            if p.pk != suggestion.author_id
        ]
    Support.objects.bulk_create(support_rows)
    for suggestion in made:
        suggestion.supports = sum(
            1 for s in support_rows if s.suggestion_id == suggestion.pk
        )
    Suggestion.objects.bulk_update(made, ["supports"])
    at = timezone.make_aware(dt.datetime.combine(july, dt.time(19))) + dt.timedelta(
        days=45
    )
    topic = topics.topic_open(
        community=community,
        area=estate,
        title=f"{estate.name}微改造：21条居民建议",
        description="围墙除锈、路灯、监控、休息座椅、植物空地利用等21条建议。",
        suggestions=made,
        by=staff,
        now=at - dt.timedelta(days=10),
    )
    topics.topic_step(topic=topic, action="accept", by=staff, now=at)
    council = Council.objects.get(name=COUNCIL)
    voting = [s for s in council.seats.all() if s.votes]
    _meeting(
        council,
        staff,
        topic=topic,
        title=f"{estate.name}微改造议事会",
        at=at,
        present=voting,
        ballots=[(s, "yes") for s in voting],
        now_text="居民分工合作：花草移植、电焊安装、粉刷水泥桥墩。",
    )
    team = Team.objects.filter(area=community, active=True).order_by("pk").first()
    category = requests_selectors.categories_at(estate).first()
    if team is not None and category is not None:
        task = work.task_create(
            topic=topic,
            title="围墙除锈刷漆、粉刷桥墩",
            category=category,
            to=team,
            by=staff,
            now=at + dt.timedelta(days=60),
        )
        for i, title in enumerate(["花草移植", "电焊安装", "粉刷水泥桥墩"]):
            stone = work.milestone_add(task=task, title=title, by=staff)
            work.milestone_done(
                milestone=stone, by=staff, now=at + dt.timedelta(days=70 + 5 * i)
            )
        work.task_photos_add(
            task=task, kind="before", photos=[_receipt("before.png")], by=staff
        )
        work.task_photos_add(
            task=task, kind="after", photos=[_receipt("after.png")], by=staff
        )
    budget = work.budget_set(
        topic=topic,
        source="党组织服务群众专项资金",
        approved=Decimal("50000"),
        by=staff,
    )
    for amount, note in [
        ("12800.00", "防锈漆与涂料"),
        ("18600.00", "监控设备更换"),
        ("6400.00", "休息座椅"),
    ]:
        work.expense_add(
            budget=budget,
            amount=amount,
            note=note,
            spent_on=timezone.localdate(at) + dt.timedelta(days=65),
            receipt=_receipt("receipt.png"),
            by=staff,
        )
    topic.refresh_from_db()
    if topic.status == "carrying_out":
        _finish(topic, staff, when=at + dt.timedelta(days=90), notice_days=10)
    return collection


def _owners_vote(community, staff, *, now):
    """航院小区业主大会: a lift from the maintenance fund (a 3/4 matter), half
    the households voting on paper: it fails the double majority."""
    estate = (
        Area.objects.filter(kind=Kind.ESTATE, path__startswith=community.path)
        .order_by("path")
        .first()
    )
    council = meetings.council_create(
        area=estate, name=f"{estate.name}业主大会", by=staff, quorum_num=0
    )
    at = (now - dt.timedelta(days=20)).replace(hour=19, minute=0, second=0)
    topic = topics.topic_open(
        community=community,
        area=estate,
        title="使用专项维修资金加装电梯",
        by=staff,
        now=at - dt.timedelta(days=12),
    )
    topics.topic_step(topic=topic, action="accept", by=staff, now=at)
    before = at - dt.timedelta(days=7)
    meeting = meetings.meeting_plan(
        council=council,
        title="业主大会（书面表决）",
        place=f"{estate.name}物业服务中心",
        starts_at=at,
        by=staff,
        now=before,
    )
    meetings.agenda_add(meeting=meeting, topic=topic, by=staff, now=before)
    meetings.meeting_step(meeting=meeting, action="publish", by=staff, now=before)
    meetings.meeting_step(meeting=meeting, action="open", by=staff, now=at)
    try:
        vote = owners.owners_vote_create(
            meeting=meeting, topic=topic, special=True, by=staff, now=at
        )
    except Exception:  # the registry has no floor areas yet: no owners' vote
        return topic
    votes.vote_open(vote=vote, by=staff, now=at)
    roll = owners.roll_of(vote)
    for index, entry in enumerate(roll[: len(roll) // 2]):
        owners.owner_ballot_cast(
            vote=vote,
            household_id=entry.household_id,
            choice="yes" if index % 4 else "no",
            photo=_receipt("ballot.png"),
            by=staff,
            now=at + dt.timedelta(hours=1),
        )
    votes.vote_close(vote=vote, by=staff, now=at + dt.timedelta(days=7))
    meetings.meeting_step(
        meeting=meeting, action="close", by=staff, now=at + dt.timedelta(days=7)
    )
    topic.refresh_from_db()
    return topic
