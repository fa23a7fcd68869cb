"""Scale data for benchmarks: a community, a street or a whole district of
about a million households, behind ``gongzhi seed --scale``.

Creating a million nodes one ``add_child`` at a time would take hours, since
treebeard reads and updates the parent for every insert. Because the whole
shape is known up front, we compute each node's materialized path, depth and
number of children ourselves and write them with ``bulk_create``, one
community at a time, so memory stays flat however large the district. The
result is an ordinary treebeard tree: ``add_child``, ``get_children`` and
``find_problems`` work on it as on one built node by node.

Every node gets a hierarchical code (district 6 digits, street +3,
community +3, grid, estate, building and entrance +2 each, household +4), so
a second run finds the district's code and leaves everything as it is.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import reset_queries, transaction
from django.db.models import Count
from django.utils import timezone

from gongzhi.areas.cache import tree_changed
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import subtree_q

from . import names

STEPLEN = 4
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
KIND_ORDER = [
    Kind.DISTRICT,
    Kind.STREET,
    Kind.COMMUNITY,
    Kind.GRID,
    Kind.ESTATE,
    Kind.BUILDING,
    Kind.ENTRANCE,
    Kind.HOUSEHOLD,
]


@dataclass(frozen=True)
class Style:
    """A kind of residential building: entrances, floors and doors per floor."""

    label: str
    entrances: int
    floors: int
    doors: int

    @property
    def households(self) -> int:
        return self.entrances * self.floors * self.doors


# The three buildings of a Chinese residential estate: the old six-floor
# walk-up, the eleven-floor 小高层 and the eighteen-floor tower.
WALK_UP = Style("多层", entrances=3, floors=6, doors=2)
MID_RISE = Style("小高层", entrances=2, floors=11, doors=2)
TOWER = Style("高层", entrances=2, floors=18, doors=2)


@dataclass(frozen=True)
class Plan:
    """The shape of one seeded district; counts are per parent.

    Estates take their building style from ``styles`` in turn (estate
    ``i`` of a community gets ``styles[i % len(styles)]``), so communities
    look alike in size but not in skyline, and the counts stay computable.
    """

    code: str
    name: str
    streets: int
    communities: int
    grids: int
    estates: int
    buildings: int
    styles: tuple[Style, ...] = (WALK_UP, MID_RISE, TOWER)
    seed: int = 2026

    def __post_init__(self) -> None:
        # Codes give grids, estates, buildings and entrances two digits.
        if max(self.grids, self.estates, self.buildings) > 99 or any(
            s.entrances > 99 or s.floors > 99 or s.doors > 99 for s in self.styles
        ):
            raise ValueError("a plan's per-parent counts must stay below 100")
        if self.streets > 999 or self.communities > 999:
            raise ValueError("streets and communities per parent must stay below 1000")

    def estate_styles(self) -> list[Style]:
        """The style of each estate of one community, in order."""
        total = self.grids * self.estates
        return [self.styles[i % len(self.styles)] for i in range(total)]

    def counts(self) -> dict[str, int]:
        """How many nodes of each kind the plan creates."""
        communities = self.streets * self.communities
        styles = self.estate_styles()
        per_community = {
            Kind.GRID: self.grids,
            Kind.ESTATE: len(styles),
            Kind.BUILDING: len(styles) * self.buildings,
            Kind.ENTRANCE: sum(s.entrances for s in styles) * self.buildings,
            Kind.HOUSEHOLD: sum(s.households for s in styles) * self.buildings,
        }
        counts = {Kind.DISTRICT: 1, Kind.STREET: self.streets}
        counts[Kind.COMMUNITY] = communities
        for kind, n in per_community.items():
            counts[kind] = n * communities
        return {str(kind): n for kind, n in counts.items()}


# Tianjin's civil-affairs codes; 120101 和平区 is the demo's, so each scale
# takes a district of its own and the scales can sit side by side.
SCALES: dict[str, Plan] = {
    # 8 grids x 2 estates x 5 buildings: 3,980 households.
    "community": Plan(
        code="120102",
        name="河东区",
        streets=1,
        communities=1,
        grids=8,
        estates=2,
        buildings=5,
    ),
    # Ten such communities: 39,800 households.
    "street": Plan(
        code="120103",
        name="河西区",
        streets=1,
        communities=10,
        grids=8,
        estates=2,
        buildings=5,
    ),
    # 12 streets x 14 communities x 10 grids x 2 estates x 6 buildings:
    # 168 communities of 5,952 households, 999,936 in all.
    "district": Plan(
        code="120104",
        name="南开区",
        streets=12,
        communities=14,
        grids=10,
        estates=2,
        buildings=6,
    ),
}

# Rows per INSERT where the backend allows it; SQLite caps it lower itself
# (999 variables), PostgreSQL takes it as given.
BATCH_SIZE = 2000


def seed_scale(scale: str, *, stdout=None) -> dict[str, int] | None:
    """Seed the named scale; see ``SCALES``. ``None`` when already there."""
    try:
        plan = SCALES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; one of {sorted(SCALES)}") from None
    return seed_plan(plan=plan, stdout=stdout, label=scale)


def seed_plan(
    *, plan: Plan, stdout=None, label: str = "plan", batch_size: int = BATCH_SIZE
) -> dict[str, int] | None:
    """Build ``plan`` as a new root, or do nothing if its code exists.

    Returns the node counts per kind read back from the database, or
    ``None`` when the district was already seeded.
    """
    out = stdout if stdout is not None else sys.stdout
    existing = Area.objects.filter(code=plan.code).first()
    if existing is not None:
        say(out, f"{existing.name} ({plan.code}) is already seeded; nothing to do.")
        return None
    if Area.objects.filter(
        depth=1, name__iexact=plan.name, retired_at__isnull=True
    ).exists():
        raise ValueError(f"an active root named {plan.name} exists under another code")

    expected = plan.counts()
    say(
        out,
        f"Seeding {label} scale: {plan.name} ({plan.code}), "
        f"{sum(expected.values()):,} areas, "
        f"{expected[Kind.HOUSEHOLD]:,} households.",
    )
    started = time.perf_counter()
    with transaction.atomic():
        builder = _Builder(plan=plan, out=out, batch_size=batch_size, started=started)
        root_path = builder.build()
        counts = _counts_under(root_path)
        tree_changed()
    elapsed = time.perf_counter() - started

    for kind in KIND_ORDER:
        say(out, f"  {kind.value:<10} {counts.get(str(kind), 0):>10,}")
    say(out, f"Done in {elapsed:.1f} s, peak memory {peak_rss_mib():.0f} MiB.")
    return counts


def peak_rss_mib() -> float:
    """This process's peak resident set size; Linux counts KiB, macOS bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def step(number: int) -> str:
    """One treebeard path step: ``number`` in base 36, four characters."""
    digits, rest = "", number
    while rest:
        rest, digit = divmod(rest, 36)
        digits = ALPHABET[digit] + digits
    if number <= 0 or len(digits) > STEPLEN:
        raise OverflowError(f"{number} does not fit one path step")
    return digits.rjust(STEPLEN, "0")


def next_root_path() -> str:
    """The path ``add_root`` would give the next root.

    Read inside the build's transaction, so a root added meanwhile by
    someone else fails our insert on the unique path instead of interleaving.
    """
    last = Area.objects.get_last_root_node()
    return step(1 if last is None else int(last.path, 36) + 1)


def say(out, line: str) -> None:
    """Write a progress line to ``out`` (a command's stdout), if any."""
    if out is None:
        return
    out.write(line + "\n")
    if hasattr(out, "flush"):
        out.flush()


def _counts_under(path: str) -> dict[str, int]:
    rows = (
        Area.objects.filter(subtree_q([path]))
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


@dataclass
class _Builder:
    """Walks the plan top-down, writing one community's subtree at a time."""

    plan: Plan
    out: object
    batch_size: int
    started: float
    names: names.NameMaker = field(init=False)
    now: object = field(init=False)
    # District-wide, as real community and estate names are.
    community_names: set[str] = field(default_factory=set)
    estate_names: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.names = names.NameMaker(seed=self.plan.seed)
        self.now = timezone.now()

    def node(self, *, path: str, kind: str, name: str, code: str, numchild: int):
        return Area(
            path=path,
            depth=len(path) // STEPLEN,
            numchild=numchild,
            kind=kind,
            name=name,
            code=code,
            created_at=self.now,
            updated_at=self.now,
        )

    def write(self, rows: list[Area]) -> None:
        Area.objects.bulk_create(rows, batch_size=self.batch_size)
        # With DEBUG on, Django would keep every INSERT's SQL in memory.
        reset_queries()

    def build(self) -> str:
        plan = self.plan
        root = next_root_path()
        self.write(
            [
                self.node(
                    path=root,
                    kind=Kind.DISTRICT,
                    name=plan.name,
                    code=plan.code,
                    numchild=plan.streets,
                )
            ]
        )
        street_names: set[str] = set()
        households_done = 0
        for s in range(1, plan.streets + 1):
            street_path = root + step(s)
            street_code = f"{plan.code}{s:03d}"
            street_name = self.names.street(taken=street_names)
            self.write(
                [
                    self.node(
                        path=street_path,
                        kind=Kind.STREET,
                        name=street_name,
                        code=street_code,
                        numchild=plan.communities,
                    )
                ]
            )
            for c in range(1, plan.communities + 1):
                rows = list(
                    self.community(
                        path=street_path + step(c), code=f"{street_code}{c:03d}"
                    )
                )
                households_done += sum(1 for r in rows if r.kind == Kind.HOUSEHOLD)
                self.write(rows)
            say(
                self.out,
                f"  street {s}/{plan.streets} {street_name}: "
                f"{plan.communities} communities, {households_done:,} households "
                f"so far, {time.perf_counter() - self.started:.1f} s",
            )
        return root

    def community(self, *, path: str, code: str) -> Iterator[Area]:
        plan = self.plan
        styles = iter(plan.estate_styles())
        name = self.names.community(taken=self.community_names)
        yield self.node(
            path=path, kind=Kind.COMMUNITY, name=name, code=code, numchild=plan.grids
        )
        for g in range(1, plan.grids + 1):
            grid_path, grid_code = path + step(g), f"{code}{g:02d}"
            yield self.node(
                path=grid_path,
                kind=Kind.GRID,
                name=names.grid_name(g),
                code=grid_code,
                numchild=plan.estates,
            )
            for e in range(1, plan.estates + 1):
                yield from self.estate(
                    path=grid_path + step(e),
                    code=f"{grid_code}{e:02d}",
                    style=next(styles),
                )

    def estate(self, *, path: str, code: str, style: Style) -> Iterator[Area]:
        buildings = self.plan.buildings
        yield self.node(
            path=path,
            kind=Kind.ESTATE,
            name=self.names.estate(taken=self.estate_names),
            code=code,
            numchild=buildings,
        )
        per_entrance = style.floors * style.doors
        for b in range(1, buildings + 1):
            building_path, building_code = path + step(b), f"{code}{b:02d}"
            yield self.node(
                path=building_path,
                kind=Kind.BUILDING,
                name=names.building_name(b),
                code=building_code,
                numchild=style.entrances,
            )
            for n in range(1, style.entrances + 1):
                entrance_path = building_path + step(n)
                entrance_code = f"{building_code}{n:02d}"
                yield self.node(
                    path=entrance_path,
                    kind=Kind.ENTRANCE,
                    name=names.entrance_name(n),
                    code=entrance_code,
                    numchild=per_entrance,
                )
                number = 0
                for floor in range(1, style.floors + 1):
                    for door in range(1, style.doors + 1):
                        number += 1
                        yield self.node(
                            path=entrance_path + step(number),
                            kind=Kind.HOUSEHOLD,
                            name=names.household_name(floor=floor, door=door),
                            code=f"{entrance_code}{floor:02d}{door:02d}",
                            numchild=0,
                        )
