"""Residents for the demo street and for scale data: families in every
household, with key-population tags in the shares a northern city's grid
ledgers show (独居老人 and 空巢老人 among the elderly, about one person in
forty disabled, one household in seventy on 低保 …).

Households are filled in batches with ``bulk_create``, so a district of a
million people takes minutes and flat memory. A household that already has
anyone living in it is left alone: seeding again adds nothing.

ID numbers are valid (GB 11643 check digit) and unique by construction: the
region code and sequence number are derived from the household's id and the
member's place in it, the birth date from the person's age.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from dataclasses import dataclass
from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import subtree_q
from gongzhi.core import crypto
from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.models import (
    Gender,
    IdType,
    Membership,
    Person,
    PersonTag,
    Relation,
    Residency,
    TagType,
)
from gongzhi.residents.pinyin import name_initials
from gongzhi.residents.services.people import document_index

BATCH_HOUSEHOLDS = 1000
MAX_MEMBERS = 5

# Surnames weighted roughly by frequency, and given-name characters.
SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨赵赵黄黄周周吴吴徐孙胡朱高林何郭马罗"
    "梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任"
)
GIVEN_MALE = "建国志强伟明军勇杰涛斌磊超刚平辉鹏华飞鑫波宇浩凯健俊峰晨阳东海德福成"
GIVEN_FEMALE = "秀英桂兰玉梅丽娟敏静燕艳芳霞红萍琳洁婷雪慧颖倩丹玲瑶佳欣怡雅淑珍凤"

SIZES = (1, 2, 3, 4, 5)
SIZE_WEIGHTS = (20, 30, 28, 15, 7)
RESIDENCIES = (Residency.HUJI, Residency.CHANGZHU, Residency.LIUDONG, Residency.KONGGUA)
RESIDENCY_WEIGHTS = (85, 8, 6, 1)
PHONE_PREFIXES = ("138", "139", "158", "159", "186", "187", "136", "135", "150")


@dataclass
class Member:
    name: str
    gender: str
    age: int
    relation: str


@lru_cache(maxsize=50_000)
def _initials(name: str) -> str:
    return name_initials(name)


def _name(rng: random.Random, gender: str, surname: str | None = None) -> str:
    surname = surname or rng.choice(SURNAMES)
    pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
    length = 1 if rng.random() < 0.35 else 2
    return surname + "".join(rng.choice(pool) for _ in range(length))


def _other(gender: str) -> str:
    return Gender.FEMALE if gender == Gender.MALE else Gender.MALE


def family(rng: random.Random) -> list[Member]:
    """One household's people: alone, a couple, or parents with children
    and perhaps grandparents. The head comes first."""
    size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
    head_gender = rng.choice((Gender.MALE, Gender.FEMALE))
    surname = rng.choice(SURNAMES)
    if size == 1:
        age = rng.randint(66, 93) if rng.random() < 0.35 else rng.randint(22, 64)
        return [Member(_name(rng, head_gender, surname), head_gender, age, "head")]
    elderly = size == 2 and rng.random() < 0.45
    head_age = rng.randint(62, 90) if elderly else rng.randint(28, 58)
    members = [
        Member(_name(rng, head_gender, surname), head_gender, head_age, "head"),
        Member(
            _name(rng, _other(head_gender)),
            _other(head_gender),
            max(20, head_age + rng.randint(-4, 4)),
            Relation.SPOUSE,
        ),
    ]
    for _ in range(min(size, 3) - 2):
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        age = max(0, head_age - rng.randint(22, 34))
        members.append(Member(_name(rng, gender, surname), gender, age, "child"))
    for _ in range(size - 3):
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        age = min(98, head_age + rng.randint(24, 32))
        members.append(Member(_name(rng, gender, surname), gender, age, "parent"))
    return members


def _birth_date(rng: random.Random, age: int, today: dt.date) -> dt.date:
    days = age * 365 + rng.randint(0, 364)
    return max(dt.date(1900, 1, 1), today - dt.timedelta(days=days))


def id_number(household_id: int, index: int, birth: dt.date, gender: str) -> str:
    """A valid, unique ID number for member ``index`` of a household: the
    pair (household, index) maps to a distinct (region, sequence)."""
    key = household_id * MAX_MEMBERS + index
    region = 120101 + (key // 500) % 879_898
    sequence = (key % 500) * 2 + (1 if gender == Gender.MALE else 0)
    first17 = f"{region:06d}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _tags_for(
    rng: random.Random, members: list[Member], tags: dict[str, TagType]
) -> list[tuple[int, TagType, int | None]]:
    """(member index, tag, grade) in realistic shares."""
    result = []
    old = [m.age >= 60 for m in members]
    if len(members) == 1 and old[0]:
        result.append((0, tags["alone_elderly"], None))
    if len(members) == 2 and all(old):
        result += [(0, tags["empty_nest"], None), (1, tags["empty_nest"], None)]
    if rng.random() < 0.015:
        result.append((0, tags["dibao"], None))
    if rng.random() < 0.008:
        result.append((0, tags["military_family"], None))
    for i, member in enumerate(members):
        if member.age >= 80:
            result.append((i, tags["oldest_old"], None))
        if rng.random() < 0.025:
            result.append((i, tags["disabled"], rng.randint(1, 4)))
        if old[i] and rng.random() < 0.004:
            result.append((i, tags["tekun"], None))
        if member.gender == Gender.MALE and member.age >= 35 and rng.random() < 0.03:
            result.append((i, tags["veteran"], None))
        if 12 <= member.age <= 25 and rng.random() < 0.004:
            result.append((i, tags["youth_at_risk"], None))
        if (
            member.gender == Gender.FEMALE
            and 22 <= member.age <= 40
            and rng.random() < 0.03
        ):
            result.append((i, tags["maternal"], None))
    return result


def _fill_batch(
    rng: random.Random,
    households: list[tuple[int, str]],
    tags: dict[str, TagType],
    today: dt.date,
    families: dict[int, list[Member]],
) -> int:
    people, plans = [], []
    for household_id, _path in households:
        members = families.get(household_id) or family(rng)
        residency = rng.choices(RESIDENCIES, RESIDENCY_WEIGHTS)[0]
        moved_in = today - dt.timedelta(days=rng.randint(200, 30 * 365))
        for index, member in enumerate(members):
            birth = _birth_date(rng, member.age, today)
            number = id_number(household_id, index, birth, member.gender)
            phone = _phone(rng) if member.age >= 16 and rng.random() < 0.8 else ""
            person = Person(
                name=member.name,
                initials=_initials(member.name),
                gender=member.gender,
                birth_date=birth,
                id_type=IdType.RESIDENT_ID,
                id_number_encrypted=crypto.encrypt(number),
                id_number_index=document_index(IdType.RESIDENT_ID, number),
                phone_encrypted=crypto.encrypt(phone),
                phone_index=crypto.blind_index(phone, purpose="phone") if phone else "",
                phone_last4=phone[-4:],
                household_id=household_id,
                last_household_id=household_id,
                status_date=max(moved_in, birth),
            )
            people.append(person)
            plans.append((person, household_id, member, residency, moved_in, birth))
        for index, tag, grade in _tags_for(rng, members, tags):
            plans[len(plans) - len(members) + index] += ((tag, grade),)
    Person.objects.bulk_create(people, batch_size=500)
    memberships, person_tags = [], []
    for person, household_id, member, residency, moved_in, birth, *held in plans:
        memberships.append(
            Membership(
                person=person,
                household_id=household_id,
                relation=member.relation,
                residency=residency,
                moved_in=max(moved_in, birth),
            )
        )
        for tag, grade in held:
            start = max(birth, today - dt.timedelta(days=rng.randint(30, 3650)))
            person_tags.append(
                PersonTag(person=person, tag=tag, grade=grade, start=start)
            )
    Membership.objects.bulk_create(memberships, batch_size=1000)
    PersonTag.objects.bulk_create(person_tags, batch_size=1000)
    return len(people)


def occupied(household_id: int, occupancy: float) -> bool:
    """Whether a household is lived in, decided by its id alone, so that a
    second run picks the same households and adds nobody."""
    return (household_id * 2_654_435_761) % 1000 < occupancy * 1000


def seed_people(
    *,
    root: Area,
    occupancy: float = 1.0,
    seed: int = 2026,
    families: dict[int, list[Member]] | None = None,
    stdout=None,
) -> int:
    """Fill the empty households under ``root``; returns people added.

    ``occupancy`` below 1 leaves that share of flats without registered
    residents (vacant, sold but unoccupied, or not yet entered), which is
    how the scale seeds keep about one person per household of the tree.
    """
    out = stdout if stdout is not None else sys.stdout
    rng = random.Random(seed)  # noqa: S311 (repeatable demo data)
    tags = {t.code: t for t in TagType.objects.filter(street__isnull=True)}
    today = timezone.localdate()
    started = time.perf_counter()
    households = (
        Area.objects.filter(subtree_q([root.path]), kind=Kind.HOUSEHOLD)
        .order_by("path")
        .values_list("pk", "path")
    )
    added, last_path, next_report = 0, "", 100_000
    while True:
        batch = list(households.filter(path__gt=last_path)[:BATCH_HOUSEHOLDS])
        if not batch:
            break
        last_path = batch[-1][1]
        lived_in = set(
            Membership.objects.filter(
                household_id__in=[pk for pk, _ in batch]
            ).values_list("household_id", flat=True)
        )
        empty = [
            row
            for row in batch
            if row[0] not in lived_in and occupied(row[0], occupancy)
        ]
        if empty:
            with transaction.atomic():
                added += _fill_batch(rng, empty, tags, today, families or {})
        if stdout is not None and added >= next_report:
            out.write(f"  {added:,} people …\n")
            next_report += 100_000
    if stdout is not None:
        out.write(
            f"{added:,} people seeded in {time.perf_counter() - started:.1f} s.\n"
        )
    return added
