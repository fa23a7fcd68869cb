"""A street's key-population tags: the defaults every street offers, and
the street's own (a street adds 失独家庭 or 刑满释放人员 where it needs them).

A street manager or district manager configures them; a tag is switched
off, never deleted, so the people who carried it keep their history.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..models import TagType

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

CODE_MAX_LENGTH = 32
NAME_MAX_LENGTH = 30
MAX_VISIT_EVERY_DAYS = 366
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def street_tag_types(*, street: Area) -> QuerySet[TagType]:
    """Every tag a street's page lists: the defaults, then the street's
    own, switched-off ones included."""
    return TagType.objects.filter(Q(street__isnull=True) | Q(street=street)).order_by(
        "street_id", "position", "pk"
    )


def _require(by: User | None, street: Area) -> None:
    if by is not None and not in_scope(by, street, Perm.TAG_CONFIGURE):
        raise NotAllowed(_("You may not configure the key-population tags here."))


def _clean_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not code:
        raise ValidationFailed(_("Enter a code."), field="code")
    if len(code) > CODE_MAX_LENGTH:
        raise ValidationFailed(
            _("A code can have at most %(max)d characters (this one has %(n)d).")
            % {"max": CODE_MAX_LENGTH, "n": len(code)},
            field="code",
        )
    if not _CODE.match(code):
        raise ValidationFailed(
            _(
                "A code is lowercase letters, digits and underscores, starting "
                "with a letter (for example lost_only_child)."
            ),
            field="code",
        )
    return code


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter the tag's name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("A tag's name can have at most %(max)d characters (this one has %(n)d).")
            % {"max": NAME_MAX_LENGTH, "n": len(name)},
            field="name",
        )
    return name


def _clean_every(days: int | None) -> int | None:
    if days is None:
        return None
    if not 1 <= days <= MAX_VISIT_EVERY_DAYS:
        raise ValidationFailed(
            _("Visit every 1 to %(max)d days, or leave it empty.")
            % {"max": MAX_VISIT_EVERY_DAYS},
            field="visit_every_days",
        )
    return days


@transaction.atomic
def tag_type_create(
    *,
    street: Area,
    code: str,
    name: str,
    has_grade: bool = False,
    visit_every_days: int | None = None,
    by: User | None,
) -> TagType:
    """Add a street's own tag.

    Refuses a code or a name the street already offers (its own, active or
    not, or a default's): two tags called 独居老人 would split one group of
    people in two.
    """
    if street is None or street.kind != Kind.STREET:
        raise ValidationFailed(_("Choose a street."), field="street")
    _require(by, street)
    code = _clean_code(code)
    name = _clean_name(name)
    visit_every_days = _clean_every(visit_every_days)
    offered = street_tag_types(street=street)
    if offered.filter(code=code).exists():
        raise ValidationFailed(
            _("The code “%(code)s” is already used here.") % {"code": code},
            field="code",
        )
    if offered.filter(name=name).exists():
        raise ValidationFailed(
            _("A tag called “%(name)s” already exists here.") % {"name": name},
            field="name",
        )
    position = offered.aggregate(top=Max("position"))["top"] or 0
    try:
        with transaction.atomic():
            return TagType.objects.create(
                street=street,
                code=code,
                name=name,
                has_grade=has_grade,
                visit_every_days=visit_every_days,
                position=position + 1,
            )
    except IntegrityError as exc:  # the same code added meanwhile
        raise ValidationFailed(
            _("The code “%(code)s” is already used here.") % {"code": code},
            field="code",
        ) from exc


def _own_tag(tag: TagType, by: User | None) -> TagType:
    tag = (
        TagType.objects.select_for_update(of=("self",))
        .select_related("street")
        .get(pk=tag.pk)
    )
    if tag.street is None:
        raise ValidationFailed(
            _("Default tags are offered in every street and cannot be switched off."),
            field="tag",
        )
    _require(by, tag.street)
    return tag


@transaction.atomic
def tag_type_deactivate(*, tag: TagType, by: User | None) -> TagType:
    """Stop offering a street's tag; people keep the tags they carry."""
    tag = _own_tag(tag, by)
    if not tag.active:
        raise ValidationFailed(_("This tag is already switched off."), field="tag")
    tag.active = False
    tag.save(update_fields=["active"])
    return tag


@transaction.atomic
def tag_type_activate(*, tag: TagType, by: User | None) -> TagType:
    """Offer a switched-off street tag again."""
    tag = _own_tag(tag, by)
    if tag.active:
        raise ValidationFailed(_("This tag is already in use."), field="tag")
    tag.active = True
    tag.save(update_fields=["active"])
    return tag
