"""The reads behind the Open311 facade: jurisdictions, services, the
requests it publishes, and the places an address names.

A jurisdiction (``jurisdiction_id``) is a district, a street or a
community, named by its code or its id. Its services are the active
categories that apply throughout it (everywhere's, its street's, its
own), one per code, the most specific winning as it does on raise; a
street's list leaves out what only one of its communities offers (ask
that community). Without a jurisdiction every active category is listed,
one per code, the most widely applying winning.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scope_paths, subtree_q
from gongzhi.areas.tree import chains_of

from ..models import Category, PhotoKind, RequestPhoto, ServiceRequest
from ..selectors import categories_at
from ..services.raising import PLACE_KINDS
from ..states import Status

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

JURISDICTION_KINDS = (Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY)
# Folded into Open311's two statuses: everything else is open.
CLOSED = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})
# A published address stops at the building: an entrance or a household
# would tell which family reported. Grids are administrative, not places
# people name.
ADDRESS_KINDS = (Kind.BUILDING, Kind.ESTATE, Kind.COMMUNITY, Kind.STREET)
FINEST = {Kind.ENTRANCE, Kind.HOUSEHOLD}
# Spelled between the parts of an address_string.
SEPARATORS = re.compile(r"[\s,，、;；/|>›»·]+")
ADDRESS_MAX = 200


def jurisdiction_get(value: str) -> Area | None:
    """The district, street or community with this code, else this id."""
    areas = Area.objects.filter(kind__in=JURISDICTION_KINDS, retired_at__isnull=True)
    found = areas.filter(code=value).first()
    if found is None and value.isdigit():
        found = areas.filter(pk=int(value)).first()
    return found


def _specific(category: Category) -> int:
    return len(category.area.path) if category.area_id else 0


def services(jurisdiction: Area | None) -> list[Category]:
    """The services of ``jurisdiction`` (or of all), one per code, by
    name."""
    if jurisdiction is None:
        found = Category.objects.filter(active=True)
        prefer = -1  # the most widely applying
    else:
        found = categories_at(jurisdiction)
        prefer = 1  # the most specific, as on raise
    chosen: dict[str, Category] = {}
    for category in found.select_related("area").order_by("pk"):
        held = chosen.get(category.code)
        if held is None or prefer * (_specific(category) - _specific(held)) > 0:
            chosen[category.code] = category
    return sorted(chosen.values(), key=lambda c: (c.name, c.pk))


def service_get(code: str, jurisdiction: Area | None) -> Category | None:
    return next((c for c in services(jurisdiction) if c.code == code), None)


def service_known(code: str) -> bool:
    return Category.objects.filter(code=code, active=True).exists()


def requests_visible(*, key_holder: User | None) -> QuerySet:
    """The requests the facade publishes: those their reporters let be
    shown, and for an api_key the requests it raised itself."""
    condition = Q(public=True)
    if key_holder is not None:
        condition |= Q(raised_by=key_holder)
    first_photos = RequestPhoto.objects.filter(kind=PhotoKind.REPORT).order_by(
        "uploaded_at", "pk"
    )
    return (
        ServiceRequest.objects.filter(condition)
        .select_related("category", "area", "team", "organization", "department")
        .prefetch_related(Prefetch("photos", first_photos, to_attr="report_photos"))
    )


def addresses(areas) -> dict[int, tuple[int, str]]:
    """For each area, the place published for it and its address, most
    specific first ("1号楼, 航院小区, 三盛里社区, 五大道街道"): one query
    for all their ancestors."""
    areas = list(areas)
    chains = chains_of(
        [area.path for area in areas], fields=("pk", "path", "name", "kind")
    )
    found = {}
    for area in areas:
        chain = chains[area.path]
        shown = [node for node in chain if node.kind not in FINEST]
        place = shown[-1] if shown else area
        names = [node.name for node in reversed(shown) if node.kind in ADDRESS_KINDS]
        found[area.pk] = (place.pk, ", ".join(names))
    return found


# Placing a POSTed request


def raise_paths(user: User) -> list[str]:
    """Where the key holder may raise requests."""
    return scope_paths(user, Perm.REQUEST_RAISE)


def _places(paths: list[str], jurisdiction: Area | None) -> QuerySet:
    found = Area.objects.filter(
        subtree_q(paths), kind__in=PLACE_KINDS, retired_at__isnull=True
    )
    if jurisdiction is not None:
        found = found.filter(subtree_q([jurisdiction.path]))
    return found


def place_by_id(value: str, *, paths, jurisdiction: Area | None) -> Area | None:
    """``address_id``: a place (a community or below) with this id where the
    key may report."""
    if not value.isdigit():
        return None
    return _places(paths, jurisdiction).filter(pk=int(value)).first()


def only_place(*, paths, jurisdiction: Area | None) -> Area | None:
    """The one place a key reporting by lat/long alone can mean: the node
    it holds its only grant on, when that is a community or below."""
    if len(paths) != 1:
        return None
    return _places(paths, jurisdiction).filter(path=paths[0]).first()


def _squash(text: str) -> str:
    return SEPARATORS.sub("", text)


def _spelled_by(text: str, names: list[str]) -> bool:
    """Whether ``text`` is the names of a subsequence of ``names``, in
    order, run together."""

    def rest(pos: int, start: int) -> bool:
        if pos == len(text):
            return True
        return any(
            name and text.startswith(name, pos) and rest(pos + len(name), i + 1)
            for i, name in enumerate(names[start:], start)
        )

    return rest(0, 0)


def _names(text: str, chain: list[str]) -> bool:
    """Whether ``text`` names the last node of ``chain`` (names from the
    top): its own name and any of its ancestors', most specific first or
    most general first, separated or run together."""
    own, above = chain[-1], chain[:-1]
    if text.endswith(own) and _spelled_by(text[: len(text) - len(own)], above):
        return True
    return text.startswith(own) and _spelled_by(text[len(own) :], above[::-1])


def places_named(text: str, *, paths, jurisdiction: Area | None) -> list[Area]:
    """``address_string``: the places where the key may report that the
    text names (see ``_names``; letters in any case); more than one means
    it is ambiguous."""
    squashed = _squash(text[:ADDRESS_MAX])
    if not squashed:
        return []
    # The place's own name comes first or last: a prefix or a suffix.
    ends = {squashed[:i] for i in range(1, len(squashed) + 1)}
    ends |= {squashed[i:] for i in range(len(squashed))}
    ends |= {end.upper() for end in ends}
    candidates = list(_places(paths, jurisdiction).filter(name__in=ends))
    if not candidates:
        return []
    chains = chains_of([area.path for area in candidates], fields=("path", "name"))
    wanted = squashed.casefold()
    return [
        area
        for area in candidates
        if _names(wanted, [_squash(node.name).casefold() for node in chains[area.path]])
    ]
