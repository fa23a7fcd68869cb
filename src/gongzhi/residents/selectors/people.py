"""Finding people: the registry list, its search and filters, and the one
scoped lookup every page, export and endpoint goes through."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.accounts.refusals import referenced, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import scoped, subtree_q
from gongzhi.core import crypto

from ..models import Person, PersonStatus, PersonTag

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.areas.models import Area

# Age bands as the grid ledgers count them: minors, working age, the young
# old, and 80 and over (高龄).
AGE_BANDS = {
    "0-17": (0, 17),
    "18-59": (18, 59),
    "60-79": (60, 79),
    "80+": (80, None),
}

_INITIALS = re.compile(r"^[a-z]{1,10}$")
_LAST4 = re.compile(r"^(?:\d{3}\*{4})?(\d{4})$")  # 5678 or 138****5678
_PHONE = re.compile(r"^1\d{10}$")
_RESIDENT_ID = re.compile(r"^\d{17}[\dX]$")


def people_in_scope(*, user: User, perm: str = Perm.PERSONAL_VIEW) -> QuerySet:
    """Everyone whose (last) household lies where ``user`` holds ``perm``:
    the living, and those who moved out or died, whose records stay."""
    return scoped(Person.objects.all(), user=user, via="last_household", perm=perm)


def person_get(*, user: User, pk: int, perm: str = Perm.PERSONAL_VIEW) -> Person:
    """One person in scope, or 404 as if there were none."""
    return get_object_or_404(
        people_in_scope(user=user, perm=perm).select_related(
            "household", "last_household"
        ),
        pk=pk,
    )


def person_seen(request, pk: int, perm: str) -> Person:
    """The person ``pk`` where the caller sees her (last) household, else
    404; ``NotAllowed`` where the caller's role there lacks ``perm``."""
    return seen(
        Person.objects.select_related("household", "last_household"),
        request,
        pk,
        via="last_household",
        perm=perm,
    )


def person_referenced(request, pk: int, *, field: str) -> Person:
    """A person named in a request body where the caller sees her (last)
    household, else a ``field`` error: unknown and out of sight alike."""
    return referenced(
        request,
        Person.objects.select_related("household", "last_household"),
        pk,
        via="last_household",
        field=field,
    )


def person_of(user: User) -> Person | None:
    """The resident record of a login; None when it has none."""
    return Person.objects.filter(user=user).first()


def _born_between(band: str, today: dt.date) -> Q:
    low, high = AGE_BANDS[band]
    # Aged at least ``low``: born on or before today ``low`` years ago.
    query = Q(birth_date__lte=_years_before(today, low))
    if high is not None:
        # Aged at most ``high``: born after today ``high + 1`` years ago.
        query &= Q(birth_date__gt=_years_before(today, high + 1))
    return query


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def search_q(text: str) -> Q:
    """What a search box finds: a name or part of it; pinyin initials
    ("zsf" finds 张三丰, prefixes too); the last four digits of a phone, as
    a resident reads them out from 138****5678; a whole phone or ID number,
    matched through their blind indexes (never by decrypting)."""
    text = "".join(text.split())
    if not text:
        return Q()
    lower = text.lower()
    if _INITIALS.match(lower):
        return Q(initials__startswith=lower) | Q(initials__contains=f" {lower}")
    if _PHONE.match(text):
        return Q(phone_index=crypto.blind_index(text, purpose="phone"))
    match = _LAST4.match(text)
    if match:
        return Q(phone_last4=match.group(1))
    if _RESIDENT_ID.match(text.upper()):
        from ..services.people import document_index

        return Q(id_number_index=document_index("resident_id", text.upper()))
    return Q(name__icontains=text)


@dataclass(frozen=True)
class PeopleFilter:
    """The registry list's search and filters, as the list, the export and
    the API share them."""

    q: str = ""
    area: Area | None = None  # any node: a community, grid, estate, building
    tag: int | None = None  # a TagType held now
    age_band: str = ""
    status: str = PersonStatus.ACTIVE  # "" for everyone ever registered


def people_search(
    *, user: User, filters: PeopleFilter, perm: str = Perm.PERSONAL_VIEW
) -> QuerySet[Person]:
    """The registry list: scoped, searched, filtered, ordered by address so
    a page reads building by building."""
    people = people_in_scope(user=user, perm=perm)
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.area is not None:
        people = people.filter(
            subtree_q([filters.area.path], field="last_household__path")
        )
    if filters.q:
        people = people.filter(search_q(filters.q))
    if filters.tag:
        people = people.filter(
            Exists(
                PersonTag.objects.filter(
                    person=OuterRef("pk"), tag_id=filters.tag, end__isnull=True
                )
            )
        )
    if filters.age_band in AGE_BANDS:
        people = people.filter(_born_between(filters.age_band, timezone.localdate()))
    return people.select_related("last_household").order_by(
        "last_household__path", "pk"
    )


def open_tags(people) -> dict[int, list[PersonTag]]:
    """The tags each of ``people`` holds now, in one query."""
    result: dict[int, list[PersonTag]] = {}
    tags = (
        PersonTag.objects.filter(person__in=[p.pk for p in people], end__isnull=True)
        .select_related("tag")
        .order_by("tag__position", "pk")
    )
    for person_tag in tags:
        result.setdefault(person_tag.person_id, []).append(person_tag)
    return result
