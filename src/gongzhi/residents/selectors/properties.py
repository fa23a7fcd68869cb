"""Reading the owners' registry for display: the 房屋产权 list of a place,
its figures, one household's property and owners."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scoped
from gongzhi.areas.selectors import with_places

from ..models import Owner, Property

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


def property_households(
    *, user: User, area: Area, perm: str = Perm.PERSONAL_VIEW
) -> QuerySet[Area]:
    """The active households under ``area`` where ``user`` holds ``perm``,
    in tree order."""
    households = Area.objects.filter(
        kind=Kind.HOUSEHOLD, retired_at__isnull=True, path__within=area
    )
    return scoped(households, user=user, via="", perm=perm).order_by("path")


def property_household_get(
    *, user: User, pk: int, perm: str = Perm.PERSONAL_VIEW
) -> Area:
    """One household where ``user`` holds ``perm``, else 404."""
    households = scoped(
        Area.objects.filter(kind=Kind.HOUSEHOLD), user=user, via="", perm=perm
    )
    return get_object_or_404(households, pk=pk)


@dataclass
class PropertyRow:
    household: Area  # carrying its place_label
    property: Property | None
    owners: list[Owner] = field(default_factory=list)  # current, person loaded

    @property
    def floor_area(self) -> Decimal | None:
        return self.property.floor_area if self.property else None

    @property
    def certificate_no(self) -> str:
        return self.property.certificate_no if self.property else ""


def property_rows(households) -> list[PropertyRow]:
    """Each of ``households`` with its property and current owners: three
    queries for the page (properties with owners, and the place names)."""
    households = with_places(households, via="")
    ids = [h.pk for h in households]
    props = {p.area_id: p for p in Property.objects.filter(area_id__in=ids)}
    owners: dict[int, list[Owner]] = {}
    for owner in (
        Owner.objects.filter(property__area_id__in=ids, until__isnull=True)
        .select_related("person", "property")
        .order_by("since", "pk")
    ):
        owners.setdefault(owner.property.area_id, []).append(owner)
    return [
        PropertyRow(household=h, property=props.get(h.pk), owners=owners.get(h.pk, []))
        for h in households
    ]


@dataclass(frozen=True)
class PropertyFigures:
    households: int
    with_floor_area: int
    with_owner: int
    total_area: Decimal

    @property
    def missing_floor_area(self) -> int:
        return self.households - self.with_floor_area

    @property
    def missing_owner(self) -> int:
        return self.households - self.with_owner


def property_figures(households: QuerySet[Area]) -> PropertyFigures:
    """How complete the registry is for ``households``: one query."""
    current = Owner.objects.filter(property__area=OuterRef("pk"), until__isnull=True)
    row = (
        households.order_by()
        .annotate(owned=Exists(current))
        .aggregate(
            n=Count("pk"),
            with_area=Count("pk", filter=Q(property__floor_area__isnull=False)),
            with_owner=Count("pk", filter=Q(owned=True)),
            total=Sum("property__floor_area"),
        )
    )
    return PropertyFigures(
        households=row["n"],
        with_floor_area=row["with_area"],
        with_owner=row["with_owner"],
        total_area=row["total"] or Decimal(0),
    )


def owner_history(household: Area) -> list[Owner]:
    """Everyone who ever owned ``household``, the current owners first."""
    return list(
        Owner.objects.filter(property__area=household)
        .select_related("person")
        .order_by(F("until").desc(nulls_first=True), "-since", "pk")
    )
