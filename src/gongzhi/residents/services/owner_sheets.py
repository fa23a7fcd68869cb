"""房屋产权 in and out of Excel: the floor areas and owners of an estate.

One owner a row (``房屋产权`` sheet): a household with two co-owners takes
two rows with the same address and floor area. Reading, checking, the
error report and the template are the residents import's own
(``services.imports``); what differs is the columns and what a row means.

An imported household's floor area and certificate are set, and its
current owners become exactly those of the file: owners not in it are
ended on the day of the import (the rows stay as history), new ones start
on their row's date. Households the file does not name are left alone.
Owners are found by their document: a registered person is named owner
(the names must agree); anyone else is registered as an owner living
elsewhere, once however many units she owns. All or nothing, like the
residents import.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..models import IdType, Owner, Person, PersonStatus, Property
from .exports import _label, _Places, data_cells, watermarked_sheet
from .imports import COLUMN_BY_KEY as PEOPLE_COLUMNS
from .imports import (
    ID_TYPES,
    NUMBER_STORED_AS_NUMBER,
    SAMPLE_ADDRESS,
    Addresses,
    Column,
    RowError,
    _choice,
    _common_area,
    _date,
    _file_error,
    _sample_address,
    cells_read,
    import_paths,
    row_fail,
    sheet_check,
    template_build,
)
from .owners import CERTIFICATE_MAX_LENGTH, clean_floor_area, elsewhere_person
from .people import NAME_MAX_LENGTH, OTHER_ID_MAX_LENGTH, clean_identity, document_index

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

SHEET_TITLE = "房屋产权"
MAX_ROWS = 50_000
EXPORT_MAX_ROWS = 100_000
ADDRESS_MAX_LENGTH = 200
LIVES_HERE, ELSEWHERE = "本户居住", "不在此居住"

COLUMNS = (
    Column(
        "address",
        "住址",
        True,
        gettext_lazy(
            "The household as the area tree names it below the community, "
            "levels separated by /: 小区/楼栋/单元/户, e.g. 航院小区/1号楼/1单元/101. "
            "The household must already exist in the tree."
        ),
        width=28,
    ),
    Column(
        "floor_area",
        "专有部分面积",
        True,
        gettext_lazy(
            "The exclusive floor area in m² as on the property certificate, "
            "e.g. 86.5; more than 0, at most 100,000, two decimals at most. "
            "Rows of one household give the same area."
        ),
        width=14,
    ),
    Column(
        "certificate_no",
        "不动产权证号",
        False,
        gettext_lazy("Optional; at most 50 characters."),
        width=26,
        text=True,
    ),
    Column(
        "name",
        "产权人姓名",
        True,
        gettext_lazy(
            "One owner per row: a household with co-owners takes one row "
            "for each. At most 50 characters."
        ),
        width=12,
    ),
    PEOPLE_COLUMNS["id_type"],
    Column(
        "id_number",
        "证件号码",
        True,
        gettext_lazy(
            "Required: it tells one owner from another, so an owner of two "
            "units is counted once. A registered person is named owner (the "
            "name must match); anyone else is registered as an owner living "
            "elsewhere. Keep the column formatted as text."
        ),
        width=22,
        text=True,
    ),
    Column(
        "phone",
        "联系电话",
        False,
        gettext_lazy(
            "An 11-digit mobile number for an owner not yet registered; "
            "a registered person keeps the number on her record."
        ),
        width=14,
        text=True,
    ),
    Column(
        "since",
        "产权起始日期",
        False,
        gettext_lazy(
            "When the owner acquired the unit, e.g. 2015-06-30; empty means "
            "the day of the import. Not in the future."
        ),
        width=14,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
EXPORT_TITLES = (*(c.title for c in COLUMNS), "居住情况", "所属社区", "所属网格")


class PropertiesRejected(ValidationFailed):
    pass


@dataclass(frozen=True)
class ImportSummary:
    households: int
    owners_added: int
    owners_ended: int
    people_registered: int


@dataclass
class _Household:
    row: int  # the first row naming it
    floor_area: Decimal
    certificate_no: str
    owners: list = field(default_factory=list)  # [(row, document index)]


@dataclass
class _Owner:
    row: int
    name: str
    id_type: str
    id_number: str
    index: str
    phone: str
    since: dt.date
    household: int


class _Checker:
    def __init__(self, *, paths: list[str], today: dt.date):
        self.addresses = Addresses(paths)
        self.today = today
        self.errors: list[RowError] = []
        self.households: dict[int, _Household] = {}
        self.owners: dict[str, _Owner] = {}  # document index -> first row
        self.pairs: dict[tuple[int, str], int] = {}  # (household, index) -> row

    def fail(self, row: int, key: str, message) -> None:
        row_fail(self.errors, COLUMN_BY_KEY, row, key, message)

    def check(self, row: int, cells: dict[str, Any]) -> None:
        before = len(self.errors)
        text = cells_read(
            self.errors,
            COLUMNS,
            row,
            cells,
            limits={
                "address": ADDRESS_MAX_LENGTH,
                "certificate_no": CERTIFICATE_MAX_LENGTH,
                "name": NAME_MAX_LENGTH,
                "id_number": OTHER_ID_MAX_LENGTH,
                "phone": 20,
            },
        )
        household = floor_area = None
        if text["address"]:
            try:
                household = self.addresses.find(text["address"])
            except ValidationFailed as exc:
                self.fail(row, "address", exc.message)
        if text["floor_area"]:
            try:
                floor_area = clean_floor_area(cells["floor_area"])
            except ValidationFailed as exc:
                self.fail(row, "floor_area", exc.message)
        id_type = IdType.RESIDENT_ID
        if text["id_type"]:
            try:
                id_type = _choice("id_type", text["id_type"])
            except ValidationFailed as exc:
                self.fail(row, "id_type", exc.message)
        number = ""
        if isinstance(cells["id_number"], float):
            self.fail(row, "id_number", NUMBER_STORED_AS_NUMBER)
        elif text["id_number"]:
            try:
                number, _gender, _birth = clean_identity(
                    id_type=id_type,
                    id_number=text["id_number"],
                    gender=None if id_type == IdType.RESIDENT_ID else "male",
                    birth_date=None,
                )
            except ValidationFailed as exc:
                self.fail(row, "id_number", exc.message)
        phone = ""
        if text["phone"]:
            try:
                phone = clean_phone(text["phone"])
            except ValidationFailed as exc:
                self.fail(row, "phone", exc.message)
        since = self.today
        if text["since"]:
            try:
                since = _date(cells["since"])
            except ValidationFailed as exc:
                self.fail(row, "since", exc.message)
            else:
                if since > self.today:
                    self.fail(row, "since", _("This date is in the future."))
        if len(self.errors) > before or household is None:
            return
        name = " ".join(text["name"].split())
        index = document_index(id_type, number)
        self._across(
            _Owner(row, name, id_type, number, index, phone, since, household),
            floor_area=floor_area,
            certificate_no=text["certificate_no"],
        )

    def _across(self, owner: _Owner, *, floor_area, certificate_no) -> None:
        """What one row cannot say alone: a household's rows agree on its
        area and certificate; an owner is named once per household and
        under one name."""
        known = self.households.get(owner.household)
        if known is None:
            known = self.households[owner.household] = _Household(
                owner.row, floor_area, certificate_no
            )
        elif known.floor_area != floor_area:
            self.fail(
                owner.row,
                "floor_area",
                _("Row %(row)d gives this household %(area)s m².")
                % {"row": known.row, "area": known.floor_area},
            )
            return
        elif known.certificate_no != certificate_no:
            self.fail(
                owner.row,
                "certificate_no",
                _("Row %(row)d gives this household another certificate number.")
                % {"row": known.row},
            )
            return
        pair = (owner.household, owner.index)
        if pair in self.pairs:
            self.fail(
                owner.row,
                "id_number",
                _("Row %(row)d already names this owner of this household.")
                % {"row": self.pairs[pair]},
            )
            return
        first = self.owners.get(owner.index)
        if first is not None and first.name != owner.name:
            self.fail(
                owner.row,
                "name",
                _("Row %(row)d gives this document the name %(name)s.")
                % {"row": first.row, "name": first.name},
            )
            return
        self.pairs[pair] = owner.row
        self.owners.setdefault(owner.index, owner)
        known.owners.append(owner)

    def flush(self) -> None:
        """Owners already registered: their names must agree, and none may
        be recorded as deceased."""
        self.registered: dict[str, Person] = {}
        indexes = list(self.owners)
        for start in range(0, len(indexes), 1000):
            for person in Person.objects.filter(
                id_number_index__in=indexes[start : start + 1000]
            ):
                self.registered[person.id_number_index] = person
        for index, person in self.registered.items():
            first = self.owners[index]
            if person.name != first.name:
                self.fail(
                    first.row,
                    "name",
                    _("This document is registered under another name."),
                )
            elif person.status == PersonStatus.DECEASED:
                self.fail(
                    first.row,
                    "name",
                    _("%(name)s is recorded as deceased.") % {"name": person.name},
                )


def properties_check(*, file, by: User, area: Area | None = None) -> _Checker:
    """Read and check every row; raise ``ImportRejected`` with all errors,
    or return the checked file. Reads only."""
    paths = import_paths(by=by, area=area)
    checker = _Checker(paths=paths, today=timezone.localdate())
    sheet_check(
        file=file,
        columns=COLUMNS,
        sheet_title=SHEET_TITLE,
        checker=checker,
        max_rows=MAX_ROWS,
        too_many=_(
            "The file has more than %(max)s rows of owners; split it into "
            "several files."
        ),
        empty=_("The file has column titles but no owners in it."),
    )
    return checker


def properties_import(
    *, file, by: User, area: Area | None = None, request=None, filename: str = ""
) -> ImportSummary:
    """Import the floor areas and owners of an Excel file, or nothing.

    Checks every row first (``properties_check``), then in one
    transaction: sets each named household's floor area and certificate,
    registers owners living elsewhere, ends the ownerships the file no
    longer lists and starts the new ones; records one ``people_imported``
    audit event with the counts."""
    checker = properties_check(file=file, by=by, area=area)
    today = timezone.localdate()
    households = checker.households
    try:
        with transaction.atomic():
            props = _properties(households)
            people = dict(checker.registered)
            new = [
                _new_person(owner)
                for index, owner in checker.owners.items()
                if index not in people
            ]
            Person.objects.bulk_create(new, batch_size=1000)
            people.update({p.id_number_index: p for p in new})
            ended, added = _owners(households, props, people, today)
            paths = import_paths(by=by, area=area)
            audit_record(
                by=by,
                action=Action.PEOPLE_IMPORTED,
                area=area or _common_area(paths),
                request=request,
                detail={
                    "properties": len(households),
                    "owners_added": added,
                    "owners_ended": ended,
                    "people": len(new),
                    "file": filename[:100],
                },
            )
    except IntegrityError as exc:  # someone changed the same rows meanwhile
        raise _file_error(
            _(
                "Someone changed these households' owners or registered one "
                "of them while the file was being imported; nothing was "
                "imported. Upload the file again."
            )
        ) from exc
    return ImportSummary(
        households=len(households),
        owners_added=added,
        owners_ended=ended,
        people_registered=len(new),
    )


def _properties(households: dict[int, _Household]) -> dict[int, Property]:
    ids = list(households)
    existing = {
        p.area_id: p
        for p in Property.objects.select_for_update().filter(area_id__in=ids)
    }
    for household_id, item in households.items():
        prop = existing.get(household_id)
        if prop is None:
            existing[household_id] = Property(area_id=household_id)
            prop = existing[household_id]
        prop.floor_area, prop.certificate_no = item.floor_area, item.certificate_no
    Property.objects.bulk_create(
        [p for p in existing.values() if p.pk is None], batch_size=1000
    )
    Property.objects.bulk_update(
        [p for p in existing.values() if p.pk is not None],
        ["floor_area", "certificate_no"],
        batch_size=1000,
    )
    return existing


def _new_person(owner: _Owner) -> Person:
    gender, birth = "", None
    if owner.id_type == IdType.RESIDENT_ID:
        _number, gender, birth = clean_identity(
            id_type=owner.id_type,
            id_number=owner.id_number,
            gender=None,
            birth_date=None,
        )
    return elsewhere_person(
        household_id=owner.household,
        name=owner.name,
        id_type=owner.id_type,
        id_number=owner.id_number,
        gender=gender,
        birth_date=birth,
        phone=owner.phone,
    )


def _owners(households, props, people, today) -> tuple[int, int]:
    current: dict[int, dict[int, Owner]] = {}
    for owner in Owner.objects.select_for_update().filter(
        property__in=[p.pk for p in props.values()], until__isnull=True
    ):
        current.setdefault(owner.property_id, {})[owner.person_id] = owner
    ending, adding = [], []
    for household_id, item in households.items():
        prop = props[household_id]
        now = current.get(prop.pk, {})
        wanted = {people[o.index].pk: o for o in item.owners}
        for person_id, owner in now.items():
            if person_id not in wanted:
                owner.until = max(today, owner.since)
                ending.append(owner)
        for person_id, row in wanted.items():
            if person_id not in now:
                adding.append(
                    Owner(property=prop, person_id=person_id, since=row.since)
                )
    Owner.objects.bulk_update(ending, ["until"], batch_size=1000)
    Owner.objects.bulk_create(adding, batch_size=1000)
    return len(ending), len(adding)


# The template


def _general_notes() -> list[str]:
    return [
        _("How to fill in the property sheet (房屋产权)"),
        _(
            "One owner per row on the sheet 房屋产权; keep the column titles of "
            "the first row as they are. Delete the sample row before importing."
        ),
        _(
            "Each household named in the file gets the floor area given and "
            "exactly the owners listed: owners no longer listed are ended on "
            "the day of the import. Households not in the file stay as they are."
        ),
        _(
            "The import is all or nothing: if any row is wrong, nothing is "
            "imported and an error report lists each row and column to correct."
        ),
        _("At most %(rows)s rows per file.") % {"rows": f"{MAX_ROWS:,}"},
    ]


def properties_template_build(*, by: User, area: Area | None = None) -> bytes:
    """The template: the columns, a sample row on a household the user
    reaches, drop-downs and a notes sheet."""
    paths = import_paths(by=by, area=area)
    sample = {
        "address": _sample_address(paths) if paths else SAMPLE_ADDRESS,
        "floor_area": 86.5,
        "certificate_no": "津(2015)和平区不动产权第0012345号",
        "name": "张建国",
        "id_type": "居民身份证",
        "id_number": _("(the owner's ID number)"),
        "phone": "13800000000",
        "since": dt.date(2015, 6, 30),
    }
    return template_build(
        columns=COLUMNS,
        sheet_title=SHEET_TITLE,
        sample=sample,
        general=_general_notes(),
        date_keys=("since",),
        max_rows=MAX_ROWS,
    )


# The export


def properties_export(*, by: User, area: Area, out: BinaryIO, request=None) -> int:
    """Write the floor areas and owners of the households under ``area``
    to ``out`` as .xlsx, one owner a row (a household without owners one
    row), ID and phone numbers masked; watermarked and audited like the
    registry's export. Returns the number of rows."""
    if not in_scope(by, area, Perm.PERSONAL_VIEW):
        raise NotAllowed(_("You may not export residents' records here."))
    households = Area.objects.filter(
        kind=Kind.HOUSEHOLD, retired_at__isnull=True, path__within=area
    )
    total = households.count()
    if total > EXPORT_MAX_ROWS:
        raise ValidationFailed(
            _(
                "There are %(n)s households here; an export holds at most "
                "%(max)s. Choose a smaller place."
            )
            % {"n": f"{total:,}", "max": f"{EXPORT_MAX_ROWS:,}"},
            field="area",
        )
    workbook, sheet = watermarked_sheet(
        by=by,
        title=SHEET_TITLE,
        titles=EXPORT_TITLES,
        widths=[*(c.width for c in COLUMNS), 10, 12, 10],
    )
    nodes = list(households.order_by("path").values_list("pk", "path"))
    props = {p.area_id: p for p in Property.objects.filter(area__path__within=area)}
    owners: dict[int, list[Owner]] = {}
    for owner in (
        Owner.objects.filter(until__isnull=True, property__area__path__within=area)
        .select_related("person", "property")
        .order_by("since", "pk")
    ):
        owners.setdefault(owner.property.area_id, []).append(owner)
    places = _Places()
    places.load({path for _pk, path in nodes})
    written = 0
    for pk, path in nodes:
        address, community, grid = places.describe(path)
        prop = props.get(pk)
        area_value = float(prop.floor_area) if prop and prop.floor_area else None
        certificate = prop.certificate_no if prop else ""
        for owner in owners.get(pk) or [None]:
            person = owner.person if owner else None
            row = [
                address,
                area_value,
                certificate,
                person.name if person else "",
                _label(ID_TYPES, person.id_type) if person else "",
                person.id_number_masked if person else "",
                person.phone_masked if person else "",
                owner.since if owner else None,
                (LIVES_HERE if person.household_id == pk else ELSEWHERE)
                if person
                else "",
                community,
                grid,
            ]
            sheet.append(data_cells(sheet, row))
            written += 1
    workbook.save(out)
    audit_record(
        by=by,
        action=Action.PERSONAL_EXPORTED,
        target=area,
        area=area,
        request=request,
        detail={"rows": written, "full": False, "sheet": SHEET_TITLE},
    )
    return written


def export_filename(*, at=None) -> str:
    at = timezone.localtime(at or timezone.now())
    return f"房屋产权_{at:%Y%m%d_%H%M}.xlsx"
