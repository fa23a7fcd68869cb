"""A year of selections and honours (评选表彰) on the demo street, through the
selections services, each step dated by the ``now`` they take:

- 裕华园社区's 好人榜 in spring: neighbours, staff and one resident herself
  nominate; one nominee declines; the street's committee reviews; the
  residents vote (a burst of ballots from one network address is flagged,
  checked and voided, the decision recorded); the committee casts its
  secret ballot; the winners are publicised for seven days and honoured,
  earning points;
- a street-level 道德模范 selection in summer, fed by the communities'
  winners (层层筛选) in its five categories; one objection during publicity
  is sustained and withdraws the candidate; the rest are honoured and
  speak at the talks volunteering seeded (道德模范进小区宣讲);
- 三盛里's 最美楼栋 in autumn and 团结巷's 文明家庭 of the year.

Voters are demo residents given a login of their own (no password: they
never log in). Seeding again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area, Kind
from gongzhi.core import crypto
from gongzhi.residents.models import Person, PersonStatus
from gongzhi.selections.models import NominationStatus, Selection
from gongzhi.selections.services import (
    honours,
    nominations,
    publicity,
    running,
    voting,
)
from gongzhi.selections.services.kinds import kinds_ensure
from gongzhi.volunteering.models import Activity, ActivityType

STORIES = [
    "二十年如一日照顾瘫痪在床的婆婆，邻里都称她是孝顺媳妇。",
    "每天清晨义务打扫楼道，逢年过节给独居老人送饺子。",
    "楼里停水时挨家挨户送水，自费修好了单元门禁。",
    "捡到装有现金的钱包，冒雨等了两个小时交还失主。",
    "退休后加入红色宣讲队，给孩子们讲社区的老故事。",
    "组织邻居成立助老小组，定期陪独居老人看病取药。",
    "在小区池塘边救起落水儿童，事后悄然离开。",
    "三十年扎根社区卫生站，夜里也随叫随到。",
]


def say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _login(phone: str) -> User:
    return user_find_by_phone(phone=phone)


def _login_of(person: Person, community: Area) -> User:
    """The person's login, made once (no usable password: seed voters
    never log in)."""
    if person.user_id is None:
        phone = f"17{community.pk % 100:02d}{person.pk:07d}"[:11]
        user = User(name=person.name)
        user.set_phone(phone)
        user.set_unusable_password()
        user.save()
        Grant.objects.get_or_create(user=user, area=person.household, role="resident")
        person.user = user
        person.phone_encrypted = crypto.encrypt(phone)
        person.save(update_fields=["user", "phone_encrypted"])
    return person.user


def _voters(community: Area, count: int, rng: random.Random) -> list[User]:
    """``count`` residents of ``community`` with a login of their own."""
    people = list(
        Person.objects.filter(
            household__path__within=community.path, status=PersonStatus.ACTIVE
        )
        .select_related("user")
        .order_by("pk")[: count * 2]
    )
    rng.shuffle(people)
    return [_login_of(person, community) for person in people[:count]]


def _one_a_building(community: Area, skip: list[User]) -> list[User]:
    """A voter of each building of ``community``, none of ``skip``."""
    taken = {user.pk for user in skip}
    found = []
    for building in Area.objects.filter(
        kind=Kind.BUILDING, path__within=community.path
    ).order_by("path"):
        person = (
            Person.objects.filter(
                household__path__within=building.path, status=PersonStatus.ACTIVE
            )
            .exclude(user_id__in=taken)
            .order_by("-pk")
            .first()
        )
        if person is not None:
            found.append(_login_of(person, community))
    return found


def _people(area: Area, count: int) -> list[Person]:
    everyone = list(
        Person.objects.filter(
            household__path__within=area.path, status=PersonStatus.ACTIVE
        ).order_by("pk")[: count * 7]
    )
    return everyone[::7][:count]


def _day(base: dt.datetime, days: float, hour: int = 10) -> dt.datetime:
    """``days`` after ``base`` at ``hour`` o'clock local time (fractions of
    a day move the minutes on, so a day's nominations come one by one)."""
    whole = int(days)
    moment = timezone.localtime(base + dt.timedelta(days=whole))
    moment = moment.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment + dt.timedelta(minutes=round((days - whole) * 300))


def _run(
    *,
    selection: Selection,
    manager: User,
    nominees,
    base: dt.datetime,
    voters: list[User],
    rng: random.Random,
    decline: bool = False,
    burst: list[User] | None = None,
    objection_by: User | None = None,
):
    """Nominate, review, vote, count, publicise (with an objection), and
    honour; returns the honoured."""
    for i, (fields, by, category) in enumerate(nominees):
        nominations.nomination_create(
            selection=selection,
            by=by,
            story=STORIES[(selection.pk + i) % len(STORIES)],
            category=category,
            now=_day(base, 1 + i * 0.2),
            **fields,
        )
    waiting = selection.nominations.filter(
        status__in=[NominationStatus.ASKED, NominationStatus.REVIEW]
    ).order_by("pk")
    for i, nomination in enumerate(list(waiting)):
        at = _day(base, 5 + i * 0.1, 15)
        if nomination.status == NominationStatus.ASKED:
            action = "decline" if decline and i == 1 else "consent"
            nomination = nominations.nomination_act(
                nomination=nomination, action=action, by=manager, now=at
            )
            if action == "decline":
                continue
        nominations.comment_add(
            nomination=nomination,
            by=manager,
            eligible=True,
            comment="事迹经核实属实",
            now=at,
        )
        nominations.nomination_act(
            nomination=nomination, action="approve", by=manager, now=at
        )
    running.vote_open(selection=selection, by=manager, now=selection.vote_opens)
    selection.refresh_from_db()
    candidates = list(selection.nominations.filter(status=NominationStatus.VOTING))
    opened = selection.vote_opens
    for i, user in enumerate(voters):
        picks = rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3)))
        by_category: dict[str, list] = {}
        for pick in picks:
            by_category.setdefault(pick.category, []).append(pick.pk)
        choices = [
            pk
            for group in by_category.values()
            for pk in group[: selection.per_category]
        ][: selection.per_ballot]
        voting.ballot_cast(
            selection=selection,
            by=user,
            choices=choices,
            network=f"10.{selection.pk % 200}.{i % 250}.{i % 7 + 1}",
            now=opened + dt.timedelta(hours=2 + i * 3),
        )
    if burst:
        at = opened + dt.timedelta(days=3, hours=21)
        for i, user in enumerate(burst):
            voting.ballot_cast(
                selection=selection,
                by=user,
                choices=[candidates[-1].pk],
                network="10.88.0.9",
                now=at + dt.timedelta(seconds=40 * i),
            )
        for flag in selection.flags.filter(status="open"):
            voting.flag_decide(
                flag=flag,
                action="void",
                reason="同一网络地址三分钟内集中投票，核实为代投，作废",
                by=manager,
                now=at + dt.timedelta(days=1),
            )
    members = list(selection.committee.all())
    for member in members:
        choices = []
        per: dict[str, int] = {}
        for candidate in candidates:
            if per.get(candidate.category, 0) < selection.seats and rng.random() < 0.7:
                per[candidate.category] = per.get(candidate.category, 0) + 1
                choices.append(candidate.pk)
        if choices:
            voting.committee_ballot_cast(
                selection=selection, by=member, choices=choices, now=opened
            )
    closed = running.vote_close(
        selection=selection, by=manager, now=selection.vote_closes
    )
    if objection_by is not None:
        target = closed.nominations.filter(status=NominationStatus.PUBLICITY).last()
        objection = publicity.objection_raise(
            nomination=target,
            by=objection_by,
            reason="据邻居反映，所述见义勇为事迹另有其人，请核实。",
            now=closed.vote_closes + dt.timedelta(days=2),
        )
        publicity.objection_answer(
            objection=objection,
            action="sustain",
            answer="经走访核实，事迹主体有误，撤销其候选资格。",
            by=manager,
            now=closed.vote_closes + dt.timedelta(days=4),
        )
    running.honour(selection=closed, by=manager, now=closed.publicity_ends)
    return list(closed.nominations.filter(status=NominationStatus.HONOURED))


def _selection(kind, area, title, base, manager, committee, **extra) -> Selection:
    return running.selection_create(
        kind=kind,
        area=area,
        title=title,
        year=base.year,
        vote_opens=_day(base, 14, 9),
        vote_closes=_day(base, 21, 18),
        by=manager,
        committee=committee,
        now=base,
        **extra,
    )


@transaction.atomic
def seed_demo_selections(*, now: dt.datetime | None = None, stdout=None) -> int:
    """The year's selections on the demo street; 0 when already there."""
    from .demo import LOGINS, STREET

    street = Area.objects.get(code=STREET[0])
    if Selection.objects.filter(area__path__within=street.path).exists():
        return 0
    now = now or timezone.now()
    rng = random.Random(street.code)  # noqa: S311 (repeatable demo data)
    say(stdout, "A year of selections and honours (评选表彰):")
    kinds = {k.code: k for k in kinds_ensure(street)}
    communities = {
        area.name: area
        for area in Area.objects.filter(kind=Kind.COMMUNITY, path__within=street.path)
    }
    street_manager = _login(LOGINS[1].phone)
    district_manager = _login(LOGINS[0].phone)
    secretary = _login(LOGINS[2].phone)
    staff = _login(LOGINS[3].phone)
    resident = _login(LOGINS[8].phone)
    committee = [street_manager, district_manager]
    yuhua = communities["裕华园社区"]
    sansheng = communities["三盛里社区"]
    tuanjie = communities["团结巷社区"]
    spring = now - dt.timedelta(days=300)

    # 裕华园's 好人榜: a neighbour, staff, one herself; one declines.
    people = _people(yuhua, 6)
    voters = _voters(yuhua, 40, rng)
    # The burst comes from one network address, a voter of each building:
    # one signal (the address), which staff check and void.
    burst = _one_a_building(yuhua, voters)
    board = _selection(
        kinds["good_people"],
        yuhua,
        f"裕华园社区{spring.year}年度好人榜",
        spring,
        street_manager,
        committee,
        seats=3,
        per_category=3,
        per_ballot=3,
        points=50,
        description="争做文明有礼天津人，打造“好人社区”。",
    )
    owner = people[0].user or voters[0]
    nominees = [({"person": p}, street_manager, "") for p in people]
    if owner is not None and owner.person is not None:
        nominees[0] = ({"person": owner.person}, owner, "")
    honoured = _run(
        selection=board,
        manager=street_manager,
        nominees=nominees,
        base=spring,
        voters=voters,
        rng=rng,
        decline=True,
        burst=burst,
    )
    say(stdout, f"  {board.title}: {len(honoured)} honoured")

    # 三盛里's own 好人榜, so the street's 道德模范 is fed by two communities.
    local = _selection(
        kinds["good_people"],
        sansheng,
        f"三盛里社区{spring.year}年度好人榜",
        spring,
        secretary,
        [secretary, staff],
        seats=2,
    )
    sansheng_people = _people(sansheng, 4)
    local_honoured = _run(
        selection=local,
        manager=secretary,
        nominees=[({"person": p}, staff, "") for p in sansheng_people],
        base=spring,
        voters=_voters(sansheng, 20, rng),
        rng=rng,
    )
    say(stdout, f"  {local.title}: {len(local_honoured)} honoured")

    # The street's 道德模范, fed by the communities' winners (层层筛选).
    summer = spring + dt.timedelta(days=60)
    models = _selection(
        kinds["moral_model"],
        street,
        f"五大道街道{summer.year}年度道德模范",
        summer,
        street_manager,
        committee,
        seats=1,
        per_category=2,
        per_ballot=5,
        points=100,
    )
    categories = kinds["moral_model"].categories
    for i, winner in enumerate(honoured + local_honoured):
        honours.nomination_forward(
            nomination=winner,
            to=models,
            by=street_manager,
            category=categories[i % len(categories)],
            now=_day(summer, 2 + i * 0.1),
        )
    # The forwarded are candidates already: no new nominee needed.
    street_voters = voters[:20] + _voters(sansheng, 20, rng) + _voters(tuanjie, 15, rng)
    moral = _run(
        selection=models,
        manager=street_manager,
        nominees=[],
        base=summer,
        voters=street_voters,
        rng=rng,
        objection_by=resident,
    )
    say(stdout, f"  {models.title}: {len(moral)} honoured, one objection sustained")
    talks = list(
        Activity.objects.filter(
            kind=ActivityType.TALK, community__path__within=street.path
        ).order_by("pk")[:6]
    )
    for i, activity in enumerate(talks):
        if moral:
            honours.talk_link(
                nomination=moral[i % len(moral)], activity=activity, by=street_manager
            )

    # 三盛里's 最美楼栋 in autumn.
    autumn = summer + dt.timedelta(days=90)
    buildings = list(
        Area.objects.filter(kind=Kind.BUILDING, path__within=sansheng.path).order_by(
            "path"
        )[:4]
    )
    building = _selection(
        kinds["best_building"],
        sansheng,
        f"三盛里社区{autumn.year}年度最美楼栋",
        autumn,
        secretary,
        [secretary, staff],
        seats=2,
    )
    best = _run(
        selection=building,
        manager=secretary,
        nominees=[({"building": b}, staff, "") for b in buildings],
        base=autumn,
        voters=_voters(sansheng, 20, rng),
        rng=rng,
    )
    say(stdout, f"  {building.title}: {len(best)} honoured")

    # 团结巷's 文明家庭 of the year.
    winter = autumn + dt.timedelta(days=45)
    households = list(
        {p.household_id: p.household for p in _people(tuanjie, 5)}.values()
    )
    families = _selection(
        kinds["civilised_family"],
        tuanjie,
        f"团结巷社区{winter.year}年度文明家庭",
        winter,
        street_manager,
        committee,
        seats=3,
    )
    family = _run(
        selection=families,
        manager=street_manager,
        nominees=[({"household": h}, street_manager, "") for h in households],
        base=winter,
        voters=_voters(tuanjie, 20, rng),
        rng=rng,
    )
    say(stdout, f"  {families.title}: {len(family)} honoured")
    return Selection.objects.filter(area__path__within=street.path).count()
