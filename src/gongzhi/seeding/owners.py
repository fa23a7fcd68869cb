"""房屋产权 for the demo street: every household gets an exclusive floor
area (55 to 140 m², from its path, so a second run and another database
give the same) and its owners: mostly the household's head, for the
households named in ``co_owned`` the head and the spouse, and in about one
household in twelve (and in any household nobody lives in) an owner who
lives elsewhere; the first two such owners are one buyer, who owns two
units. Set-based: a few queries and ``bulk_create`` for the whole street.

A household that has a property row already is left alone, so seeding
again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.residents.models import (
    Gender,
    IdType,
    Membership,
    Owner,
    Person,
    Property,
    Relation,
)
from gongzhi.residents.services.owners import elsewhere_person

from .people import _name, _phone, id_number

ELSEWHERE_EVERY = 12
# Owners living elsewhere take ID numbers from a key range no household's
# members reach (``id_number`` maps household id and member index).
ELSEWHERE_KEY = 40_000_000
ADULT_AGE = 18


def _floor_area(path: str) -> Decimal:
    return Decimal(5500 + zlib.crc32(path.encode()) % 8501) / 100


def _certificate(path: str, n: int) -> str:
    """A 不动产权证号 for most flats; a few old ones have none entered yet."""
    if n % 7 == 3:
        return ""
    year = 2015 + zlib.crc32(path.encode()) % 10
    number = zlib.crc32(path[::-1].encode()) % 10**7
    return f"津({year})和平区不动产权第{number:07d}号"


def _adult(birth: dt.date | None, today: dt.date) -> bool:
    return birth is None or (today - birth).days >= ADULT_AGE * 365


@transaction.atomic
def seed_owners(*, root: Area, co_owned=(), today: dt.date | None = None) -> int:
    """Properties and owners for the households under ``root`` that have
    none; returns the number of owners added."""
    today = today or timezone.localdate()
    households = list(
        Area.objects.filter(
            kind=Kind.HOUSEHOLD, retired_at__isnull=True, path__within=root
        )
        .exclude(Exists(Property.objects.filter(area=OuterRef("pk"))))
        .order_by("path")
        .values_list("pk", "path")
    )
    if not households:
        return 0
    ids = [pk for pk, _path in households]
    residents: dict[int, list[tuple[int, str, dt.date]]] = {}
    for household_id, person_id, relation, birth, moved_in in (
        Membership.objects.filter(household_id__in=ids, moved_out__isnull=True)
        .order_by("household_id", "pk")
        .values_list(
            "household_id", "person_id", "relation", "person__birth_date", "moved_in"
        )
    ):
        if _adult(birth, today):
            residents.setdefault(household_id, []).append(
                (person_id, relation, moved_in)
            )
    props = [
        Property(
            area_id=pk,
            floor_area=_floor_area(path),
            certificate_no=_certificate(path, n),
        )
        for n, (pk, path) in enumerate(households)
    ]
    Property.objects.bulk_create(props, batch_size=1000)
    rng = random.Random(2026)  # noqa: S311 (repeatable demo data)
    plans: list[tuple[Property, int | Person, dt.date]] = []
    elsewhere: list[Person] = []
    co_owned = set(co_owned)
    buyer, bought_twice = None, False
    for n, prop in enumerate(props):
        adults = sorted(
            residents.get(prop.area_id, []), key=lambda r: r[1] != Relation.HEAD
        )
        if adults and n % ELSEWHERE_EVERY != ELSEWHERE_EVERY // 2:
            chosen = adults[:2] if prop.area_id in co_owned else adults[:1]
            plans.extend((prop, pid, moved_in) for pid, _rel, moved_in in chosen)
            continue
        since = today - dt.timedelta(days=365 + zlib.crc32(b"%d" % n) % 7000)
        if buyer is not None and not bought_twice:
            # The first owner living elsewhere bought a second unit.
            plans.append((prop, buyer, since))
            bought_twice = True
            continue
        person = _elsewhere_person(rng, prop.area_id, today)
        elsewhere.append(person)
        plans.append((prop, person, since))
        buyer = buyer or person
    # Owners registered by an earlier run (whose flats lost their rows
    # since) are found again by their document, not registered twice.
    known = dict(
        Person.objects.filter(
            id_number_index__in=[p.id_number_index for p in elsewhere]
        ).values_list("id_number_index", "pk")
    )
    for person in elsewhere:
        person.pk = known.get(person.id_number_index)
    Person.objects.bulk_create([p for p in elsewhere if p.pk is None], batch_size=500)
    owners = [
        Owner(
            property=prop,
            person_id=who if isinstance(who, int) else who.pk,
            since=since,
        )
        for prop, who, since in plans
    ]
    Owner.objects.bulk_create(owners, batch_size=1000)
    return len(owners)


def _elsewhere_person(rng: random.Random, household_id: int, today: dt.date) -> Person:
    gender = rng.choice((Gender.MALE, Gender.FEMALE))
    birth = today - dt.timedelta(days=rng.randint(35 * 365, 75 * 365))
    return elsewhere_person(
        household_id=household_id,
        name=_name(rng, gender),
        id_type=IdType.RESIDENT_ID,
        id_number=id_number(ELSEWHERE_KEY + household_id, 0, birth, gender),
        gender=gender,
        birth_date=birth,
        phone=_phone(rng),
    )
