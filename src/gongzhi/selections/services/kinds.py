"""A street's kinds of selection, with the defaults every street starts
from: 身边好人 (好人榜), 道德模范 in its five categories, 最美楼栋, 最美楼栋长,
文明家庭."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..models import NomineeType, SelectionKind

MORAL_CATEGORIES = ["助人为乐", "见义勇为", "诚实守信", "敬业奉献", "孝老爱亲"]
DEFAULT_KINDS = [
    ("good_people", "身边好人", NomineeType.PERSON, []),
    ("moral_model", "道德模范", NomineeType.PERSON, MORAL_CATEGORIES),
    ("best_building", "最美楼栋", NomineeType.BUILDING, []),
    ("best_leader", "最美楼栋长", NomineeType.PERSON, []),
    ("civilised_family", "文明家庭", NomineeType.HOUSEHOLD, []),
]
NAME_MAX = SelectionKind._meta.get_field("name").max_length
CATEGORY_MAX = 20
CATEGORIES_MAX = 12


def kinds_ensure(street: Area) -> list[SelectionKind]:
    """The street's kinds, the defaults added the first time they are
    asked for (a street that renamed or retired one keeps its choice)."""
    if street.kind != Kind.STREET:
        raise ValidationFailed(
            _("Kinds of selection belong to a street."), field="street"
        )
    have = set(
        SelectionKind.objects.filter(street=street).values_list("code", flat=True)
    )
    missing = [
        SelectionKind(
            street=street, code=code, name=name, nominee_type=t, categories=cats
        )
        for code, name, t, cats in DEFAULT_KINDS
        if code not in have
    ]
    if missing:
        SelectionKind.objects.bulk_create(missing, ignore_conflicts=True)
    return list(SelectionKind.objects.filter(street=street).order_by("pk"))


def categories_clean(value) -> list[str]:
    """Categories typed one a line (or given as a list): stripped, no
    empties, no repeats, each short."""
    items = value.splitlines() if isinstance(value, str) else list(value or [])
    found: list[str] = []
    for item in items:
        name = text_clean(item, field="categories", limit=CATEGORY_MAX)
        if name and name not in found:
            found.append(name)
    if len(found) > CATEGORIES_MAX:
        raise ValidationFailed(
            _("At most %(n)d categories.") % {"n": CATEGORIES_MAX}, field="categories"
        )
    return found


@transaction.atomic
def kind_update(
    *, kind: SelectionKind, name: str, categories, active: bool, by: User
) -> SelectionKind:
    """Rename a kind, set its categories, retire or restore it; the street's
    managers decide (selection.manage on the street)."""
    if not in_scope(by, kind.street, Perm.SELECTION_MANAGE):
        raise NotAllowed(_("Only the street sets up its kinds of selection."))
    kind.name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    kind.categories = categories_clean(categories)
    kind.active = bool(active)
    kind.save()
    return kind


@transaction.atomic
def kind_create(
    *, street: Area, name: str, nominee_type: str, categories, by: User
) -> SelectionKind:
    """A kind of the street's own (最美母亲, say)."""
    kinds_ensure(street)
    if not in_scope(by, street, Perm.SELECTION_MANAGE):
        raise NotAllowed(_("Only the street sets up its kinds of selection."))
    if nominee_type not in NomineeType.values:
        raise ValidationFailed(_("Choose one of the options."), field="nominee_type")
    name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    if SelectionKind.objects.filter(street=street, name=name).exists():
        raise ValidationFailed(_("The street has a kind of this name."), field="name")
    number = SelectionKind.objects.filter(street=street).count() + 1
    return SelectionKind.objects.create(
        street=street,
        code=f"own-{number}",
        name=name,
        nominee_type=nominee_type,
        categories=categories_clean(categories),
    )
