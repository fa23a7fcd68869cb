"""The owners' roll and the double majority of owners' decisions.

Civil Code art. 278 (2021) has owners decide together (业主共同决定):
taking part needs owners holding at least two thirds of the total exclusive
floor area (专有部分面积) and at least two thirds of all owners; a decision
then needs the consent of more than half of the area and of the owners that
took part, or of at least three quarters of both for the weighty matters
(maintenance funds, rebuilding, a change of use of common parts or their
business use).

``owner_roll`` reads who and what counts from the registry;
``double_majority`` is the pure arithmetic on a roll and its ballots,
exact throughout (``Decimal`` areas, ``Fraction`` shares), so a share of
exactly two thirds is two thirds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.selectors import place_labels
from gongzhi.core.errors import ValidationFailed

from ..models import Owner

YES, NO, ABSTAIN = "yes", "no", "abstain"
BALLOT_CHOICES = (YES, NO, ABSTAIN)

PARTICIPATION = Fraction(2, 3)
ORDINARY = Fraction(1, 2)  # strictly more than
SPECIAL = Fraction(3, 4)  # at least


@dataclass(frozen=True)
class RollEntry:
    """One household (专有部分) on the owners' roll."""

    household_id: int
    label: str  # "航院小区 1号楼 1单元 101"
    floor_area: Decimal | None  # m²; None where the registry has none yet
    owner_ids: tuple[int, ...]  # Person ids of the current owners, sorted


def owner_roll(area: Area) -> list[RollEntry]:
    """Every active household in ``area``'s subtree (``area`` itself when
    it is one), in tree order, with its floor area and current owners.

    Not scoped: the caller passes a node it already holds in scope (a
    council's estate). Three queries whatever the size: households with
    their floor area, current owners, and the names above them for labels.
    """
    households = list(
        Area.objects.filter(
            kind=Kind.HOUSEHOLD, retired_at__isnull=True, path__within=area
        )
        .only("pk", "path", "name", "kind")
        .annotate(floor_area_m2=F("property__floor_area"))
        .order_by("path")
    )
    owners: dict[int, list[int]] = {}
    for household_id, person_id in (
        Owner.objects.filter(until__isnull=True, property__area__path__within=area)
        .order_by("person_id")
        .values_list("property__area_id", "person_id")
    ):
        owners.setdefault(household_id, []).append(person_id)
    labels = place_labels(households)
    return [
        RollEntry(
            household_id=node.pk,
            label=labels[node.pk],
            floor_area=node.floor_area_m2,
            owner_ids=tuple(owners.get(node.pk, ())),
        )
        for node in households
    ]


@dataclass(frozen=True)
class Missing:
    """Households of a roll that cannot be counted yet."""

    no_floor_area: tuple[int, ...]
    no_owner: tuple[int, ...]

    @property
    def households(self) -> tuple[int, ...]:
        return tuple(sorted({*self.no_floor_area, *self.no_owner}))

    def __bool__(self) -> bool:
        return bool(self.no_floor_area or self.no_owner)

    def message(self) -> str:
        parts = []
        if self.no_floor_area:
            n = len(self.no_floor_area)
            parts.append(
                ngettext(
                    "%(n)d household has no exclusive floor area",
                    "%(n)d households have no exclusive floor area",
                    n,
                )
                % {"n": n}
            )
        if self.no_owner:
            n = len(self.no_owner)
            parts.append(
                ngettext(
                    "%(n)d household has no owner",
                    "%(n)d households have no owner",
                    n,
                )
                % {"n": n}
            )
        return _(
            "%(gaps)s in the property registry; complete it before the "
            "owners' vote can be counted."
        ) % {"gaps": _("; ").join(parts)}


def roll_missing(roll: Sequence[RollEntry]) -> Missing:
    """The households of ``roll`` without a (positive) floor area, and
    those without a current owner."""
    return Missing(
        no_floor_area=tuple(
            e.household_id for e in roll if e.floor_area is None or e.floor_area <= 0
        ),
        no_owner=tuple(e.household_id for e in roll if not e.owner_ids),
    )


class RollIncomplete(ValidationFailed):
    """A roll with households lacking a floor area or an owner: no owners'
    vote is counted on it. ``missing`` says which."""

    def __init__(self, missing: Missing):
        self.missing = missing
        super().__init__(
            missing.message(),
            field="floor_area" if missing.no_floor_area else "owners",
        )


@dataclass(frozen=True)
class Threshold:
    """One of the four tests: ``count`` of ``of`` must reach ``required``
    (strictly more than it when ``strict``)."""

    key: str  # participation_area, participation_heads, consent_area, …
    count: Decimal | int
    of: Decimal | int
    required: Fraction
    strict: bool
    met: bool

    @property
    def share(self) -> Fraction | None:
        """``count / of`` exactly; None when ``of`` is zero."""
        return Fraction(self.count) / Fraction(self.of) if self.of else None


def _threshold(key, count, of, required: Fraction, *, strict: bool) -> Threshold:
    if not of:
        met = False
    else:
        # count / of against required, cross-multiplied in exact fractions.
        lhs, rhs = Fraction(count), required * Fraction(of)
        met = lhs > rhs if strict else lhs >= rhs
    return Threshold(key, count, of, required, strict, met)


@dataclass(frozen=True)
class Tally:
    """An owners' vote counted on a roll: areas in m², heads as the
    Supreme People's Court counts owners (see ``double_majority``)."""

    special: bool
    total_area: Decimal
    total_heads: int
    participating_area: Decimal
    participating_heads: int
    yes_area: Decimal
    no_area: Decimal
    abstain_area: Decimal
    yes_heads: int
    no_heads: int
    abstain_heads: int
    participation_area: Threshold
    participation_heads: Threshold
    consent_area: Threshold
    consent_heads: Threshold
    participated: bool  # both participation thresholds met
    passed: bool  # participated and both consent thresholds met
    # Households without floor area or owner: always empty on a tally, since
    # such a roll is refused (``RollIncomplete.missing`` names them).
    missing: tuple[int, ...] = ()

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        return (
            self.participation_area,
            self.participation_heads,
            self.consent_area,
            self.consent_heads,
        )


def double_majority(
    roll: Sequence[RollEntry], ballots: Mapping[int, str], *, special: bool
) -> Tally:
    """Count an owners' decision (Civil Code art. 278) on ``roll``.

    ``ballots`` maps household ids to "yes", "no" or "abstain"; a household
    absent from it did not take part. Abstentions take part but do not
    consent. Participation needs at least 2/3 of the total exclusive area
    and at least 2/3 of all owners; consent needs more than 1/2
    (``special``: at least 3/4) of the participating area and of the
    participating owners.

    Owners are counted as the Supreme People's Court's interpretation on
    建筑物区分所有权 (法释〔2009〕7号, art. 9) counts them: by exclusive
    part, one unit one person, so co-owners of one unit count as one; but
    one buyer owning several units counts once. A buyer is the set of a
    unit's current owners: units with the very same owners are one buyer.
    That buyer takes part when any of its units votes, with the ballot its
    units cast; units of one buyer voting differently are refused, since
    one person cannot both consent and not.

    Refuses (``RollIncomplete``, nothing counted) a roll where a household
    has no floor area or no owner, a ballot other than the three choices,
    and a ballot from a household not on the roll.
    """
    missing = roll_missing(roll)
    if missing:
        raise RollIncomplete(missing)
    entries = {entry.household_id: entry for entry in roll}
    for household_id, choice in ballots.items():
        if choice not in BALLOT_CHOICES:
            raise ValidationFailed(
                _("A ballot is yes, no or abstain, not “%(choice)s”.")
                % {"choice": choice},
                field="ballots",
            )
        if household_id not in entries:
            raise ValidationFailed(
                _("A ballot came from a household that is not on the roll."),
                field="ballots",
            )
    area = {YES: Decimal(0), NO: Decimal(0), ABSTAIN: Decimal(0)}
    total_area = Decimal(0)
    buyers: dict[tuple[int, ...], list[RollEntry]] = {}
    for entry in roll:
        total_area += entry.floor_area
        buyers.setdefault(entry.owner_ids, []).append(entry)
        choice = ballots.get(entry.household_id)
        if choice is not None:
            area[choice] += entry.floor_area
    heads = {YES: 0, NO: 0, ABSTAIN: 0}
    for units in buyers.values():
        cast = {ballots[u.household_id] for u in units if u.household_id in ballots}
        if len(cast) > 1:
            raise ValidationFailed(
                _(
                    "The units %(units)s have the same owners but were voted "
                    "differently; one owner casts one vote."
                )
                % {"units": "、".join(u.label for u in units)},
                field="ballots",
            )
        if cast:
            heads[cast.pop()] += 1
    total_heads = len(buyers)
    participating_area = area[YES] + area[NO] + area[ABSTAIN]
    participating_heads = heads[YES] + heads[NO] + heads[ABSTAIN]
    consent = SPECIAL if special else ORDINARY
    participation_area = _threshold(
        "participation_area",
        participating_area,
        total_area,
        PARTICIPATION,
        strict=False,
    )
    participation_heads = _threshold(
        "participation_heads",
        participating_heads,
        total_heads,
        PARTICIPATION,
        strict=False,
    )
    consent_area = _threshold(
        "consent_area", area[YES], participating_area, consent, strict=not special
    )
    consent_heads = _threshold(
        "consent_heads", heads[YES], participating_heads, consent, strict=not special
    )
    participated = participation_area.met and participation_heads.met
    return Tally(
        special=special,
        total_area=total_area,
        total_heads=total_heads,
        participating_area=participating_area,
        participating_heads=participating_heads,
        yes_area=area[YES],
        no_area=area[NO],
        abstain_area=area[ABSTAIN],
        yes_heads=heads[YES],
        no_heads=heads[NO],
        abstain_heads=heads[ABSTAIN],
        participation_area=participation_area,
        participation_heads=participation_heads,
        consent_area=consent_area,
        consent_heads=consent_heads,
        participated=participated,
        passed=participated and consent_area.met and consent_heads.met,
    )
