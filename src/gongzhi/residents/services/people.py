"""Registering people, moving them in and out, tags, and revealing their
personal data. Every write checks first and writes after; every reveal of a
full ID or phone number is written to the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import touching_q
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..idnumbers import parse_resident_id
from ..models import (
    Gender,
    IdType,
    Membership,
    Person,
    PersonStatus,
    PersonTag,
    Relation,
    Residency,
    TagType,
)
from ..pinyin import name_initials
from .changes import PERSON, TAG, residents_changed

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

NAME_MAX_LENGTH = 50
OTHER_ID_MAX_LENGTH = 30


def _today() -> dt.date:
    return timezone.localdate()


def _require(by: User | None, perm: str, area: Area) -> None:
    """``by`` None is the command line, seeding or an import already
    checked as a whole."""
    if by is not None and not in_scope(by, area, perm):
        raise NotAllowed(_("You may not change residents' records here."))


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter the full name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("A full name can have at most %(max)d characters (this one has %(n)d).")
            % {"max": NAME_MAX_LENGTH, "n": len(name)},
            field="name",
        )
    return name


def _clean_household(household: Area | None) -> Area:
    if household is None:
        raise ValidationFailed(_("Choose the household."), field="household")
    if household.kind != Kind.HOUSEHOLD:
        raise ValidationFailed(
            _("People live in a household, not in a %(kind)s.")
            % {"kind": Kind(household.kind).label},
            field="household",
        )
    if household.retired_at is not None:
        raise ValidationFailed(
            _("“%(name)s” is retired.") % {"name": household.name}, field="household"
        )
    return household


def _clean_date(value, *, field: str, allow_future: bool = False) -> dt.date | None:
    if value is None:
        return None
    if not allow_future and value > _today():
        raise ValidationFailed(_("This date is in the future."), field=field)
    return value


def _clean_choice(value: str, choices, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationFailed(_("Choose a valid option."), field=field)
    return value


def clean_identity(
    *,
    id_type: str,
    id_number: str,
    gender: str | None,
    birth_date: dt.date | None,
) -> tuple[str, str, dt.date | None]:
    """Validate a document and reconcile it with gender and birth date.

    For a resident ID the birth date and gender are read from the number;
    a different one entered by hand is refused rather than silently
    overwritten. Returns (normalized number, gender, birth date).
    """
    _clean_choice(id_type, IdType, field="id_type")
    id_number = (id_number or "").strip().upper()
    if id_type == IdType.RESIDENT_ID and id_number:
        parsed = parse_resident_id(id_number)
        if birth_date is not None and birth_date != parsed.birth_date:
            raise ValidationFailed(
                _("The date of birth does not match the ID number."),
                field="birth_date",
            )
        if gender and gender != parsed.gender:
            raise ValidationFailed(
                _("The gender does not match the ID number."), field="gender"
            )
        return parsed.number, parsed.gender, parsed.birth_date
    if len(id_number) > OTHER_ID_MAX_LENGTH:
        raise ValidationFailed(
            _("A document number can have at most %(max)d characters.")
            % {"max": OTHER_ID_MAX_LENGTH},
            field="id_number",
        )
    if not gender:
        raise ValidationFailed(_("Choose the gender."), field="gender")
    _clean_choice(gender, Gender, field="gender")
    return id_number, gender, _clean_date(birth_date, field="birth_date")


def document_index(id_type: str, number: str) -> str:
    return crypto.blind_index(f"{id_type}:{number}", purpose="id") if number else ""


def _check_unique_document(id_type: str, number: str, *, exclude=None) -> str:
    index = document_index(id_type, number)
    if index:
        clash = Person.objects.filter(id_type=id_type, id_number_index=index)
        if exclude is not None:
            clash = clash.exclude(pk=exclude.pk)
        if clash.exists():
            raise ValidationFailed(
                _("A person with this ID number is already registered."),
                field="id_number",
            )
    return index


def _set_phone(person: Person, phone: str) -> None:
    phone = clean_phone(phone) if (phone or "").strip() else ""
    person.phone_encrypted = crypto.encrypt(phone)
    person.phone_index = crypto.blind_index(phone, purpose="phone") if phone else ""
    person.phone_last4 = phone[-4:]


def _check_head(household: Area, relation: str, *, exclude: Person | None = None):
    if relation != Relation.HEAD:
        return
    heads = Membership.objects.filter(
        household=household, relation=Relation.HEAD, moved_out__isnull=True
    )
    if exclude is not None:
        heads = heads.exclude(person=exclude)
    if heads.exists():
        raise ValidationFailed(
            _("This household already has a head of household."), field="relation"
        )


@transaction.atomic
def person_create(
    *,
    household: Area,
    name: str,
    relation: str,
    residency: str,
    moved_in: dt.date | None = None,
    gender: str | None = None,
    birth_date: dt.date | None = None,
    id_type: str = IdType.RESIDENT_ID,
    id_number: str = "",
    phone: str = "",
    note: str = "",
    by: User | None,
    request=None,
) -> Person:
    """Register a person living in ``household``.

    Refuses a bad ID (checksum, date), a document already registered, a
    second head of household, a future birth or moving-in date.
    """
    household = _clean_household(household)
    _require(by, Perm.RESIDENT_MANAGE, household)
    name = _clean_name(name)
    relation = _clean_choice(relation, Relation, field="relation")
    residency = _clean_choice(residency, Residency, field="residency")
    moved_in = _clean_date(moved_in or _today(), field="moved_in")
    id_number, gender, birth_date = clean_identity(
        id_type=id_type, id_number=id_number, gender=gender, birth_date=birth_date
    )
    if birth_date and moved_in < birth_date:
        raise ValidationFailed(
            _("Moving in cannot come before birth."), field="moved_in"
        )
    index = _check_unique_document(id_type, id_number)
    _check_head(household, relation)
    person = Person(
        name=name,
        initials=name_initials(name),
        gender=gender,
        birth_date=birth_date,
        id_type=id_type,
        id_number_encrypted=crypto.encrypt(id_number),
        id_number_index=index,
        household=household,
        last_household=household,
        status_date=moved_in,
        note=note,
    )
    _set_phone(person, phone)
    try:
        with transaction.atomic():
            person.save()
            Membership.objects.create(
                person=person,
                household=household,
                relation=relation,
                residency=residency,
                moved_in=moved_in,
            )
    except IntegrityError as exc:  # a concurrent registration won the race
        raise ValidationFailed(
            _("This person or head of household was registered meanwhile."),
            field="id_number",
        ) from exc
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_CREATED,
            target=person,
            area=household,
            request=request,
        )
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    by: User | None,
    request=None,
    **changes,
) -> Person:
    """Correct a person's details (name, gender, birth date, document,
    phone, note). Moving and status changes have their own services."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(by, Perm.RESIDENT_MANAGE, person.last_household)
    allowed = {"name", "gender", "birth_date", "id_type", "id_number", "phone", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    name = _clean_name(changes.get("name", person.name))
    id_type = changes.get("id_type", person.id_type)
    id_number = changes.get("id_number", person.id_number)
    number, gender, birth_date = clean_identity(
        id_type=id_type,
        id_number=id_number,
        gender=changes.get("gender", person.gender),
        birth_date=changes.get("birth_date", person.birth_date),
    )
    index = _check_unique_document(id_type, number, exclude=person)
    person.name, person.initials = name, name_initials(name)
    person.gender, person.birth_date = gender, birth_date
    person.id_type = id_type
    person.id_number_encrypted = crypto.encrypt(number)
    person.id_number_index = index
    if "phone" in changes:
        _set_phone(person, changes["phone"])
    if "note" in changes:
        person.note = changes["note"] or ""
    person.save()
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_UPDATED,
            target=person,
            area=person.last_household,
            request=request,
            detail={"fields": sorted(changes)},
        )
    return person


def _open_membership(person: Person) -> Membership | None:
    return (
        Membership.objects.select_for_update()
        .filter(person=person, moved_out__isnull=True)
        .first()
    )


def _leave(person: Person, *, on: dt.date, reason: str, status: str) -> None:
    membership = _open_membership(person)
    if membership is None:
        raise ValidationFailed(
            _("%(name)s does not live in a household here.") % {"name": person.name},
            field="person",
        )
    if on < membership.moved_in:
        raise ValidationFailed(
            _("The date is before %(name)s moved in (%(date)s).")
            % {"name": person.name, "date": membership.moved_in},
            field="date",
        )
    membership.moved_out = on
    membership.reason = reason[:200]
    membership.save(update_fields=["moved_out", "reason"])
    person.household = None
    person.status = status
    person.status_date = on
    person.save(update_fields=["household", "status", "status_date", "updated_at"])


@transaction.atomic
def person_move_out(
    *, person: Person, on: dt.date, reason: str = "", by: User | None, request=None
) -> Person:
    """Record that a person left; the membership is closed, not deleted."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(by, Perm.RESIDENT_MANAGE, person.last_household)
    on = _clean_date(on, field="date")
    _leave(person, on=on, reason=reason, status=PersonStatus.MOVED_OUT)
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_MOVED_OUT,
            target=person,
            area=person.last_household,
            request=request,
        )
    residents_changed(what=PERSON, area_ids=[person.last_household_id], days=[on])
    return person


@transaction.atomic
def person_record_death(
    *, person: Person, on: dt.date, by: User | None, request=None
) -> Person:
    """Record a death: the record stays, its open tags end that day."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(by, Perm.RESIDENT_MANAGE, person.last_household)
    on = _clean_date(on, field="date")
    _leave(person, on=on, reason=_("Deceased"), status=PersonStatus.DECEASED)
    PersonTag.objects.filter(person=person, end__isnull=True).update(end=on)
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_DECEASED,
            target=person,
            area=person.last_household,
            request=request,
        )
    residents_changed(what=PERSON, area_ids=[person.last_household_id], days=[on])
    return person


@transaction.atomic
def person_move_in(
    *,
    person: Person,
    household: Area,
    relation: str,
    residency: str,
    on: dt.date,
    by: User | None,
    request=None,
) -> Person:
    """Move a person into ``household`` (from another one, or back after
    moving out). The previous stay is closed the same day."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    left = person.household_id
    household = _clean_household(household)
    _require(by, Perm.RESIDENT_MANAGE, household)
    if person.status == PersonStatus.DECEASED:
        raise ValidationFailed(
            _("%(name)s is recorded as deceased.") % {"name": person.name},
            field="person",
        )
    relation = _clean_choice(relation, Relation, field="relation")
    residency = _clean_choice(residency, Residency, field="residency")
    on = _clean_date(on, field="date")
    _check_head(household, relation, exclude=person)
    if _open_membership(person) is not None:
        _leave(
            person,
            on=on,
            reason=_("Moved to another household"),
            status=PersonStatus.MOVED_OUT,
        )
    Membership.objects.create(
        person=person,
        household=household,
        relation=relation,
        residency=residency,
        moved_in=on,
    )
    person.household = household
    person.last_household = household
    person.status = PersonStatus.ACTIVE
    person.status_date = on
    person.save()
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_MOVED_IN,
            target=person,
            area=household,
            request=request,
        )
    residents_changed(what=PERSON, area_ids=[left, household.pk], days=[on])
    return person


def tag_types_for(*, area: Area):
    """Tags offered in ``area``: the defaults, those of the street it lies
    in, and those of every street below it (a district offers each of its
    streets' own tags)."""
    return tag_types_touching(paths=[area.path])


def tag_types_touching(*, paths):
    """Active tags offered anywhere on the lines through ``paths``."""
    return TagType.objects.filter(
        Q(street__isnull=True) | touching_q(paths, field="street__path"),
        active=True,
    )


@transaction.atomic
def tag_add(
    *,
    person: Person,
    tag: TagType,
    start: dt.date,
    grade: int | None = None,
    note: str = "",
    by: User | None,
    request=None,
) -> PersonTag:
    """Give a person a key-population tag from ``start``."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    _require(by, Perm.RESIDENT_MANAGE, person.last_household)
    if not tag_types_for(area=person.last_household).filter(pk=tag.pk).exists():
        raise ValidationFailed(_("This tag is not used here."), field="tag")
    start = _clean_date(start, field="start")
    if tag.has_grade and grade is None:
        raise ValidationFailed(_("Choose the grade."), field="grade")
    if not tag.has_grade:
        grade = None
    elif not 1 <= grade <= 4:
        raise ValidationFailed(_("The grade is 1 to 4."), field="grade")
    if PersonTag.objects.filter(person=person, tag=tag, end__isnull=True).exists():
        raise ValidationFailed(
            _("%(name)s already has the tag %(tag)s.")
            % {"name": person.name, "tag": tag.name},
            field="tag",
        )
    person_tag = PersonTag.objects.create(
        person=person, tag=tag, grade=grade, start=start, note=note[:200]
    )
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_UPDATED,
            target=person,
            area=person.last_household,
            request=request,
            detail={"tag_added": tag.code},
        )
    residents_changed(what=TAG, area_ids=[person.household_id], days=[start])
    return person_tag


@transaction.atomic
def tag_end(
    *, person_tag: PersonTag, end: dt.date, by: User | None, request=None
) -> PersonTag:
    person_tag = (
        PersonTag.objects.select_for_update()
        .select_related("person", "tag")
        .get(pk=person_tag.pk)
    )
    _require(by, Perm.RESIDENT_MANAGE, person_tag.person.last_household)
    if person_tag.end is not None:
        raise ValidationFailed(_("This tag has already ended."), field="end")
    end = _clean_date(end, field="end")
    if end < person_tag.start:
        raise ValidationFailed(_("The end comes before the start."), field="end")
    person_tag.end = end
    person_tag.save(update_fields=["end"])
    if by is not None:
        audit_record(
            by=by,
            action=Action.PERSON_UPDATED,
            target=person_tag.person,
            area=person_tag.person.last_household,
            request=request,
            detail={"tag_ended": person_tag.tag.code},
        )
    residents_changed(what=TAG, area_ids=[person_tag.person.household_id], days=[end])
    return person_tag


REVEALABLE = {"id_number", "phone"}


@transaction.atomic
def person_reveal(*, person: Person, field: str, by: User, request=None) -> str:
    """The full ID or phone number, for a role that needs it; each reveal
    is written to the audit trail (who, whose, which, when, from where)."""
    if field not in REVEALABLE:
        raise ValidationFailed(_("Nothing to reveal here."), field="field")
    if not in_scope(by, person.last_household, Perm.PERSONAL_FULL):
        raise NotAllowed(_("Your role does not show full personal data."))
    value = person.id_number if field == "id_number" else person.phone
    audit_record(
        by=by,
        action=Action.PERSONAL_VIEWED,
        target=person,
        area=person.last_household,
        request=request,
        detail={"field": field},
    )
    return value
