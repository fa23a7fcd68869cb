"""The owners' registry (房屋产权): a household's exclusive floor area
(专有部分面积), its certificate and its owners (产权人).

An owner is a registry person: one of the household's residents, anyone
else on the registry, or someone living elsewhere, who is registered
without a household membership (status ``elsewhere``, the household owned
as the last address, so the record stays in its community's scope). Owners
are never deleted: a sale ends the seller's ownership (``until``) and
starts the buyer's. Every change is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core import crypto
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import ValidationFailed

from ..models import (
    FLOOR_AREA_MAX,
    IdType,
    Owner,
    Person,
    PersonStatus,
    Property,
)
from ..pinyin import name_initials
from .people import (
    _check_unique_document,
    _clean_household,
    _clean_name,
    _require,
    clean_identity,
    document_index,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

CERTIFICATE_MAX_LENGTH = 50
_UNIT = re.compile(r"(平方米|平米|㎡|m²|m2|sqm)$", re.IGNORECASE)
CENT = Decimal("0.01")


def _today() -> dt.date:
    return timezone.localdate()


def clean_floor_area(value, *, field: str = "floor_area") -> Decimal | None:
    """A floor area in m² as a ``Decimal`` of two places: "86.5",
    "86.5㎡", "86.50 平方米" or a number; None for an empty value. Refuses
    what is no number, has more than two decimals, is not above zero or
    is above 100,000 m²."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationFailed(_("Enter the floor area in m², e.g. 86.5."), field=field)
    if isinstance(value, float):
        value = repr(value)
    text = _UNIT.sub("", str(value).strip().replace(",", "")).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            _("Enter the floor area in m², e.g. 86.5."), field=field
        ) from None
    if not number.is_finite():
        raise ValidationFailed(_("Enter the floor area in m², e.g. 86.5."), field=field)
    if number <= 0 or number > FLOOR_AREA_MAX:
        raise ValidationFailed(
            _("A floor area is more than 0 and at most %(max)s m².")
            % {"max": f"{FLOOR_AREA_MAX:,}"},
            field=field,
        )
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationFailed(
            _("Give the floor area with at most two decimals."), field=field
        )
    return number.quantize(CENT)


def _clean_since(since: dt.date | None, *, field: str = "since") -> dt.date:
    since = since or _today()
    if since > _today():
        raise ValidationFailed(_("This date is in the future."), field=field)
    return since


def _property(household: Area) -> Property:
    """The household's property row, made when it has none; locked."""
    try:
        with transaction.atomic():
            prop, _created = Property.objects.get_or_create(area=household)
    except IntegrityError:  # made meanwhile by someone else
        pass
    return Property.objects.select_for_update().get(area=household)


def _audit(*, by, household: Area, request, detail: dict, target=None) -> None:
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_UPDATED,
            target=target,
            area=household,
            request=request,
            detail={"property": household.pk, **detail},
        )


@transaction.atomic
def property_update(
    *,
    household: Area,
    floor_area,
    certificate_no: str = "",
    by: User | None,
    request=None,
) -> Property:
    """Set a household's exclusive floor area (m², None when unknown) and
    its property certificate number. Refuses a node that is no household,
    a place where ``by`` does not manage residents, an area out of range."""
    household = _clean_household(household)
    _require(by, Perm.RESIDENT_MANAGE, household)
    floor_area = clean_floor_area(floor_area)
    certificate_no = text_clean(
        certificate_no, field="certificate_no", limit=CERTIFICATE_MAX_LENGTH
    )
    prop = _property(household)
    before = prop.floor_area
    prop.floor_area, prop.certificate_no = floor_area, certificate_no
    prop.save(update_fields=["floor_area", "certificate_no", "updated_at"])
    _audit(
        by=by,
        household=household,
        request=request,
        detail={
            "floor_area": str(floor_area) if floor_area is not None else None,
            "floor_area_before": str(before) if before is not None else None,
        },
    )
    return prop


def _add(prop: Property, person: Person, since: dt.date) -> Owner:
    if Owner.objects.filter(property=prop, person=person, until__isnull=True).exists():
        raise ValidationFailed(
            _("%(name)s is already an owner of this household.")
            % {"name": person.name},
            field="person",
        )
    try:
        with transaction.atomic():
            return Owner.objects.create(property=prop, person=person, since=since)
    except IntegrityError as exc:  # added meanwhile
        raise ValidationFailed(
            _("%(name)s is already an owner of this household.")
            % {"name": person.name},
            field="person",
        ) from exc


@transaction.atomic
def owner_add(
    *,
    household: Area,
    person: Person,
    since: dt.date | None = None,
    by: User | None,
    request=None,
) -> Owner:
    """Name a registry person an owner of ``household`` from ``since``
    (today when None). The caller found ``person`` where ``by`` sees her.
    Refuses a deceased person, a current owner named twice, a future
    date."""
    household = _clean_household(household)
    _require(by, Perm.RESIDENT_MANAGE, household)
    if person.status == PersonStatus.DECEASED:
        raise ValidationFailed(
            _("%(name)s is recorded as deceased.") % {"name": person.name},
            field="person",
        )
    since = _clean_since(since)
    owner = _add(_property(household), person, since)
    _audit(
        by=by,
        household=household,
        request=request,
        target=person,
        detail={"owner_added": person.pk},
    )
    return owner


def elsewhere_person(
    *,
    household_id: int,
    name: str,
    id_type: str,
    id_number: str,
    gender: str,
    birth_date: dt.date | None,
    phone: str,
) -> Person:
    """An owner living elsewhere, unsaved, from values already checked:
    numbers encrypted and indexed, no household, ``household_id`` as the
    last address (her record's place in the tree)."""
    return Person(
        name=name,
        initials=name_initials(name),
        gender=gender,
        birth_date=birth_date,
        id_type=id_type,
        id_number_encrypted=crypto.encrypt(id_number),
        id_number_index=document_index(id_type, id_number),
        phone_encrypted=crypto.encrypt(phone),
        phone_index=crypto.blind_index(phone, purpose="phone") if phone else "",
        phone_last4=phone[-4:],
        household=None,
        last_household_id=household_id,
        status=PersonStatus.ELSEWHERE,
        status_date=timezone.localdate(),
    )


def person_register_elsewhere(
    *,
    household: Area,
    name: str,
    id_number: str,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
) -> Person:
    """Register an owner of ``household`` who lives elsewhere: no
    membership anywhere here; ``household`` is her last address so the
    record stays in its community's scope. The document is required, so
    that one owner of several units is one person."""
    name = _clean_name(name)
    if not (id_number or "").strip():
        raise ValidationFailed(
            _("Enter the owner's ID number: it tells one owner from another."),
            field="id_number",
        )
    number, gender, birth_date = clean_identity(
        id_type=id_type, id_number=id_number, gender=gender, birth_date=birth_date
    )
    _check_unique_document(id_type, number)
    phone = clean_phone(phone) if (phone or "").strip() else ""
    person = elsewhere_person(
        household_id=household.pk,
        name=name,
        id_type=id_type,
        id_number=number,
        gender=gender,
        birth_date=birth_date,
        phone=phone,
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ValidationFailed(
            _("A person with this ID number is already registered."),
            field="id_number",
        ) from exc
    return person


@transaction.atomic
def owner_register(
    *,
    household: Area,
    name: str,
    id_number: str,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
    gender: str | None = None,
    birth_date: dt.date | None = None,
    since: dt.date | None = None,
    by: User | None,
    request=None,
) -> Owner:
    """Register an owner living elsewhere and name her an owner of
    ``household``. Refuses what registering a person refuses (a bad or
    already registered ID, a bad phone), and a future date."""
    household = _clean_household(household)
    _require(by, Perm.RESIDENT_MANAGE, household)
    since = _clean_since(since)
    person = person_register_elsewhere(
        household=household,
        name=name,
        id_number=id_number,
        id_type=id_type,
        phone=phone,
        gender=gender,
        birth_date=birth_date,
    )
    owner = _add(_property(household), person, since)
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_CREATED,
            target=person,
            area=household,
            request=request,
            detail={"owner_of": household.pk},
        )
    return owner


@transaction.atomic
def owner_end(
    *, owner: Owner, until: dt.date | None = None, by: User | None, request=None
) -> Owner:
    """End an ownership on ``until`` (today when None): sold, inherited,
    corrected. The row stays, as the history of who owned the unit."""
    owner = (
        Owner.objects.select_for_update()
        .select_related("property__area", "person")
        .get(pk=owner.pk)
    )
    household = owner.property.area
    _require(by, Perm.RESIDENT_MANAGE, household)
    if owner.until is not None:
        raise ValidationFailed(_("This ownership has already ended."), field="until")
    until = _clean_since(until, field="until")
    if until < owner.since:
        raise ValidationFailed(
            _("The end comes before the start (%(date)s).") % {"date": owner.since},
            field="until",
        )
    owner.until = until
    owner.save(update_fields=["until"])
    _audit(
        by=by,
        household=household,
        request=request,
        target=owner.person,
        detail={"owner_ended": owner.person_id},
    )
    return owner
