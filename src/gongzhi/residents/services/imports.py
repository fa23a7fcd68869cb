"""Importing people and households from Excel, all or nothing.

The file is the household registry's own sheet (``居民信息``): one person a
row, under fixed Chinese column titles. Every row is checked first, with the
same rules as registering one person by hand (``services.people``): the
GB 11643 check digit, no future dates, one head per household, a document
registered once, names of at most 50 characters. Any bad row rejects the
whole file with a per-row, per-field error list and writes nothing; a good
file is written in one transaction with ``bulk_create``, in batches.

Limits: a file of at most ``MAX_FILE_BYTES`` (20 MB) holding at most
``MAX_ROWS`` (200,000) people. The workbook is read in openpyxl's read-only
mode, so memory grows with the compact parsed rows, not with the sheet.

Addresses (住址) name the household below the community: ``小区/楼栋/单元/户``
as the tree spells them, e.g. ``航院小区/1号楼/1单元/101``; levels the tree
lacks are left out (``1号楼/101`` for a building without estate or
entrances). The community's and the grid's names may be written in front
(``三盛里社区/第一网格/航院小区/1号楼/1单元/101``), which is needed only when
a short address would match two households the importer reaches.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths, subtree_q
from gongzhi.areas.tree import (
    ancestor_path,
    ancestor_paths,
    ancestor_paths_of,
    common_path,
)
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..idnumbers import check_char
from ..models import (
    Gender,
    IdType,
    Membership,
    Person,
    PersonTag,
    Relation,
    Residency,
    TagType,
)
from ..pinyin import name_initials
from .changes import PERSON, residents_changed
from .people import NAME_MAX_LENGTH, OTHER_ID_MAX_LENGTH, clean_identity, document_index

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
# An .xlsx is a zip: a small file can unpack to gigabytes (a zip bomb).
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
# Rows checked against the database per query (documents, heads).
CHECK_BATCH = 1000
WRITE_BATCH = 1000
ADDRESS_MAX_LENGTH = 200
TAGS_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 500
REPORT_TTL_SECONDS = 30 * 60
MAX_REPORT_BYTES = 40 * 1024 * 1024

SHEET_TITLE = "居民信息"
NUMBER_STORED_AS_NUMBER = gettext_lazy(
    "Excel stored this number as a number and kept only its "
    "first 15 digits. Format the column as text and type it again."
)
NOTES_TITLE = "填写说明"
ERROR_TITLE = "错误"


@dataclass(frozen=True)
class Column:
    key: str  # the field name an API client reads in the error list
    title: str  # the Chinese header: part of the file format, never translated
    required: bool
    note: Any  # lazily translated
    width: int = 14
    choices: tuple[str, ...] = ()
    text: bool = False  # formatted as text, so Excel keeps every digit


# Values in the file are Chinese whatever the interface language: they are
# the words on the household register. A few everyday synonyms are accepted.
GENDERS = {"男": Gender.MALE, "女": Gender.FEMALE}
ID_TYPES = {
    "居民身份证": IdType.RESIDENT_ID,
    "护照": IdType.PASSPORT,
    "港澳居民来往内地通行证": IdType.HK_MACAU,
    "台湾居民来往大陆通行证": IdType.TAIWAN,
    "其他证件": IdType.OTHER,
}
RELATIONS = {
    "户主": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "父母": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "儿媳/女婿": Relation.CHILD_IN_LAW,
    "租户": Relation.TENANT,
    "其他": Relation.OTHER,
}
RESIDENCIES = {
    "户籍": Residency.HUJI,
    "常住": Residency.CHANGZHU,
    "流动": Residency.LIUDONG,
    "空挂户": Residency.KONGGUA,
}
_SYNONYMS = {
    "id_type": {
        "身份证": IdType.RESIDENT_ID,
        "回乡证": IdType.HK_MACAU,
        "台胞证": IdType.TAIWAN,
        "其他": IdType.OTHER,
    },
    "relation": {
        "本人": Relation.HEAD,
        **dict.fromkeys(("妻子", "丈夫", "妻", "夫"), Relation.SPOUSE),
        **dict.fromkeys(("儿子", "女儿", "子", "女"), Relation.CHILD),
        **dict.fromkeys(("父亲", "母亲", "父", "母"), Relation.PARENT),
        **dict.fromkeys(
            ("孙子", "孙女", "外孙", "外孙子", "外孙女"), Relation.GRANDCHILD
        ),
        **dict.fromkeys(("祖父", "祖母", "外祖父", "外祖母"), Relation.GRANDPARENT),
        **dict.fromkeys(
            ("哥哥", "弟弟", "姐姐", "妹妹", "兄", "弟", "姐", "妹"),
            Relation.SIBLING,
        ),
        **dict.fromkeys(("儿媳", "女婿"), Relation.CHILD_IN_LAW),
        "租客": Relation.TENANT,
    },
    "residency": {
        "户籍人口": Residency.HUJI,
        "常住人口": Residency.CHANGZHU,
        "流动人口": Residency.LIUDONG,
        "空挂": Residency.KONGGUA,
    },
}
CHOICES = {
    "gender": GENDERS,
    "id_type": ID_TYPES,
    "relation": RELATIONS,
    "residency": RESIDENCIES,
}

COLUMNS = (
    Column(
        "name",
        "姓名",
        True,
        gettext_lazy("As on the ID card; at most 50 characters."),
        width=10,
    ),
    Column(
        "gender",
        "性别",
        False,
        gettext_lazy(
            "男 or 女. May be left empty for a resident ID card, which "
            "states it; if filled in, it must match."
        ),
        width=6,
        choices=tuple(GENDERS),
    ),
    Column(
        "birth_date",
        "出生日期",
        False,
        gettext_lazy(
            "A date such as 1950-03-07. May be left empty for a resident ID "
            "card; if filled in, it must match. Not in the future."
        ),
        width=12,
    ),
    Column(
        "id_type",
        "证件类型",
        False,
        gettext_lazy("Choose from the list; empty means 居民身份证."),
        width=14,
        choices=tuple(ID_TYPES),
    ),
    Column(
        "id_number",
        "证件号码",
        True,
        gettext_lazy(
            "Required, so that nobody is registered twice. A resident ID has "
            "18 characters (the last may be X) with a valid check digit; a "
            "15-digit old ID is accepted. Keep the column formatted as text: "
            "Excel keeps only 15 digits of a number."
        ),
        width=22,
        text=True,
    ),
    Column(
        "phone",
        "联系电话",
        False,
        gettext_lazy("An 11-digit mobile number; may be left empty."),
        width=14,
        text=True,
    ),
    Column(
        "address",
        "住址",
        True,
        gettext_lazy(
            "The household as the area tree names it below the community, "
            "levels separated by /: 小区/楼栋/单元/户, e.g. 航院小区/1号楼/1单元/101. "
            "Leave out levels the tree lacks (a building without entrances: "
            "小区/楼栋/户). Write the community and grid in front "
            "(三盛里社区/第一网格/航院小区/…) only if the short address matches "
            "two households. The household must already exist in the tree."
        ),
        width=28,
    ),
    Column(
        "relation",
        "与户主关系",
        True,
        gettext_lazy(
            "Choose from the list. A household has one 户主: one in the file, "
            "and none if one is already registered."
        ),
        width=12,
        choices=tuple(RELATIONS),
    ),
    Column(
        "residency",
        "户籍类型",
        True,
        gettext_lazy("户籍, 常住, 流动 or 空挂户."),
        width=10,
        choices=tuple(RESIDENCIES),
    ),
    Column(
        "moved_in",
        "迁入日期",
        False,
        gettext_lazy(
            "When the person moved in, e.g. 2010-05-01; empty means the day "
            "of the import. Not in the future, not before the birth date."
        ),
        width=12,
    ),
    Column(
        "tags",
        "重点人群标签",
        False,
        gettext_lazy(
            "Optional key-population tags by name, separated by ; (e.g. "
            "独居老人;低保户). A tag with a grade takes it after a colon: "
            "残疾人:2 (grades 1 to 4). Tags start on the day of the import."
        ),
        width=20,
    ),
    Column(
        "note",
        "备注",
        False,
        gettext_lazy("Optional; at most 500 characters."),
        width=20,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TITLES = tuple(column.title for column in COLUMNS)
_INDEX = {column.key: i for i, column in enumerate(COLUMNS)}

# The template's sample person: a valid but made-up ID number. A file that
# still holds it is refused, so nobody imports 张建国 by mistake.
SAMPLE_ID_FIRST17 = "12010119560307001"
SAMPLE_ID = SAMPLE_ID_FIRST17 + check_char(SAMPLE_ID_FIRST17)
SAMPLE_ADDRESS = "航院小区/1号楼/1单元/101"


@dataclass(frozen=True)
class RowError:
    row: int | None  # the sheet's row number as Excel shows it
    field: str  # a Column.key, or "file"
    column: str  # the Chinese column title
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "field": self.field,
            "column": self.column,
            "message": self.message,
        }


class ImportRejected(ValidationFailed):
    """Rows with errors: nothing was written. ``errors`` holds every error
    found, in row order."""

    def __init__(self, errors: list[RowError], *, rows: int):
        self.errors = errors
        self.rows = rows
        super().__init__(
            _(
                "%(errors)d errors in %(rows)d rows; nothing was imported. "
                "Correct them and upload the whole file again."
            )
            % {"errors": len(errors), "rows": len({e.row for e in errors})},
            field="file",
        )


@dataclass(frozen=True)
class ImportSummary:
    people: int
    households: int
    tags: int


def _file_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="file")


# Reading the file


def _size(file) -> int:
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    file.seek(0)
    return size


def open_workbook(file):
    """The workbook in read-only mode, or a clear refusal for anything that
    is not a readable .xlsx of acceptable size."""
    from openpyxl import load_workbook

    size = _size(file)
    if size == 0:
        raise _file_error(_("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise _file_error(
            _("The file is larger than %(max)d MB; split it into several files.")
            % {"max": MAX_FILE_BYTES // (1024 * 1024)}
        )
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(
            _(
                "This is an old .xls workbook or a password-protected one. "
                "Save it as an Excel workbook (.xlsx) without a password."
            )
        )
    not_excel = _file_error(
        _("This is not an Excel file (.xlsx). Download the template and fill it in.")
    )
    if not head.startswith(b"PK\x03\x04"):
        raise not_excel
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_excel from None
    if "xl/workbook.xml" not in names:
        raise not_excel
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error(
            _("The file unpacks to more than %(max)d MB; split it.")
            % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    file.seek(0)
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise _file_error(
            _("The Excel file is damaged and cannot be read; save it again in Excel.")
        ) from None


def _sheet(workbook, title: str = SHEET_TITLE):
    if title in workbook.sheetnames:
        return workbook[title]
    return workbook.worksheets[0]


def _title(value) -> str:
    return "".join(str(value).split()) if value is not None else ""


def read_header(
    rows: Iterator[tuple], columns: tuple[Column, ...] = COLUMNS
) -> tuple[dict[str, int], int | None]:
    """Map ``columns``' keys to positions from the first row; the position
    of an ``错误`` column (a downloaded error report) is returned to be
    ignored."""
    first = next(rows, None)
    if first is None or not any(_title(v) for v in first):
        raise _file_error(_("The file is empty."))
    positions: dict[str, int] = {}
    error_at = None
    extra, repeated = [], []
    by_title = {column.title: column.key for column in columns}
    for i, value in enumerate(first):
        title = _title(value)
        if not title:
            continue
        if title == ERROR_TITLE:
            error_at = i
        elif title not in by_title:
            extra.append(title)
        elif by_title[title] in positions:
            repeated.append(title)
        else:
            positions[by_title[title]] = i
    missing = [column.title for column in columns if column.key not in positions]
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": "、".join(missing)})
    if extra:
        problems.append(
            _("columns the template does not have: %(names)s")
            % {"names": "、".join(extra)}
        )
    if repeated:
        problems.append(
            _("columns given twice: %(names)s") % {"names": "、".join(repeated)}
        )
    if problems:
        raise _file_error(
            _(
                "The first row must hold the template's column titles; "
                "%(problems)s. Download the template and copy the data into it."
            )
            % {"problems": "; ".join(problems)}
        )
    return positions, error_at


# Parsing cells


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationFailed(
        _("“%(value)s” is not a date; write it as 1950-03-07.") % {"value": text}
    )


def _choice(key: str, value: str) -> str:
    table = CHOICES[key]
    choice = table.get(value) or _SYNONYMS.get(key, {}).get(value)
    if choice is None and value in table.values():
        choice = value  # the stored code (male, head …) also works
    if choice is None:
        raise ValidationFailed(
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": "、".join(table)}
        )
    return choice


_TAG = re.compile(
    r"^(.+?)\s*(?:[:：]\s*([1-4一二三四])\s*级?|[(（]\s*([1-4一二三四])\s*级?\s*[)）])?$"
)
_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4}


def _split_address(text: str) -> list[str]:
    parts = re.split(r"[/／\\]", text)
    return ["".join(part.split()).casefold() for part in parts if part.strip()]


class Addresses:
    """Every household the importer reaches, by each way of writing its
    address; built once per import from one query over the subtree."""

    AMBIGUOUS = -1

    def __init__(self, paths: list[str]):
        ancestors = ancestor_paths_of(paths, include_self=False)
        nodes = {}
        query = Area.objects.filter(subtree_q(paths)) | Area.objects.filter(
            path__in=ancestors
        )
        for pk, path, name, kind, retired in query.values_list(
            "pk", "path", "name", "kind", "retired_at"
        ):
            nodes[path] = (pk, name, kind, retired is not None)
        self.households: dict[str, int] = {}
        self.prefixes: dict[str, str] = {}  # address prefix -> its last name
        self.retired: set[int] = set()
        self.paths: dict[int, str] = {}
        for path, (pk, _name, kind, _retired) in nodes.items():
            if kind != Kind.HOUSEHOLD or not any(path.startswith(p) for p in paths):
                continue
            chain = [
                nodes[p] for p in ancestor_paths(path, include_self=True) if p in nodes
            ]
            if any(node[3] for node in chain):
                self.retired.add(pk)
            self.paths[pk] = path
            community = [n[1] for n in chain if n[2] == Kind.COMMUNITY]
            grid = [n[1] for n in chain if n[2] == Kind.GRID]
            place = [
                n[1]
                for n in chain
                if n[2] in (Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD)
            ]
            for front in {(), (*community,), (*grid,), (*community, *grid)}:
                names = ["".join(n.split()).casefold() for n in (*front, *place)]
                key = "/".join(names)
                known = self.households.get(key)
                self.households[key] = pk if known in (None, pk) else self.AMBIGUOUS
                for i in range(1, len(names)):
                    self.prefixes["/".join(names[:i])] = (front + tuple(place))[i - 1]

    def find(self, text: str) -> int:
        parts = _split_address(text)
        key = "/".join(parts)
        pk = self.households.get(key)
        if pk == self.AMBIGUOUS:
            raise ValidationFailed(
                _(
                    "“%(address)s” matches several households; write the "
                    "community and grid in front."
                )
                % {"address": text}
            )
        if pk is not None:
            if pk in self.retired:
                raise ValidationFailed(
                    _("“%(address)s” is retired.") % {"address": text}
                )
            return pk
        known = 0
        while known < len(parts) and "/".join(parts[: known + 1]) in self.prefixes:
            known += 1
        if known == len(parts):
            raise ValidationFailed(
                _("“%(address)s” is not a household; add the room, e.g. …/1单元/101.")
                % {"address": text}
            )
        raw = [p.strip() for p in re.split(r"[/／\\]", text) if p.strip()]
        if known == 0:
            raise ValidationFailed(
                _(
                    "No estate or building named “%(name)s” in your area; write "
                    "the address as 小区/楼栋/单元/户."
                )
                % {"name": raw[0]}
            )
        raise ValidationFailed(
            _("No “%(name)s” under “%(parent)s”.")
            % {"name": raw[known], "parent": "/".join(raw[:known])}
        )


class Tags:
    """Active tags by name, for each street: the defaults and its own."""

    def __init__(self):
        self.defaults: dict[str, TagType] = {}
        self.by_street: dict[str, dict[str, TagType]] = {}
        for tag in TagType.objects.filter(active=True).select_related("street"):
            key = "".join(tag.name.split()).casefold()
            if tag.street is None:
                self.defaults[key] = tag
            else:
                self.by_street.setdefault(tag.street.path, {})[key] = tag

    def parse(self, text: str, household_path: str) -> list[tuple[TagType, int | None]]:
        street = ancestor_path(household_path, Kind.STREET)
        offered = {**self.defaults, **self.by_street.get(street, {})}
        result: list[tuple[TagType, int | None]] = []
        for item in re.split(r"[;；,，、]", text):
            item = item.strip()
            if not item:
                continue
            match = _TAG.match(item)
            name = "".join(match.group(1).split()).casefold()
            raw_grade = match.group(2) or match.group(3)
            tag = offered.get(name)
            if tag is None:
                raise ValidationFailed(
                    _("There is no tag “%(name)s” here.") % {"name": match.group(1)}
                )
            if any(t.pk == tag.pk for t, _g in result):
                raise ValidationFailed(
                    _("The tag %(tag)s is given twice.") % {"tag": tag.name}
                )
            grade = None
            if raw_grade is not None and not tag.has_grade:
                raise ValidationFailed(
                    _("The tag %(tag)s has no grade.") % {"tag": tag.name}
                )
            if tag.has_grade:
                if raw_grade is None:
                    raise ValidationFailed(
                        _("Give the grade of %(tag)s, e.g. %(tag)s:2.")
                        % {"tag": tag.name}
                    )
                grade = _GRADES.get(raw_grade) or int(raw_grade)
            result.append((tag, grade))
        return result


@dataclass(slots=True)
class Parsed:
    """One good row, ready to write."""

    row: int
    name: str
    gender: str
    birth_date: dt.date | None
    id_type: str
    id_number: str
    index: str
    phone: str
    household: int
    relation: str
    residency: str
    moved_in: dt.date
    tags: list = field(default_factory=list)
    note: str = ""
    valid: bool = True  # False: a row with errors, kept only for cross checks


def row_fail(errors: list, columns_by_key, row: int, key: str, message) -> None:
    column = columns_by_key[key]
    errors.append(RowError(row, key, column.title, str(message)))


def cells_read(
    errors: list, columns: tuple[Column, ...], row: int, cells: dict, *, limits
) -> dict[str, str]:
    """A row's cells as text; a cell longer than its limit in ``limits``
    and an empty required one are errors, and the long one is emptied
    (``cells`` too) so that no later check reads it."""
    text = {key: _text(value) for key, value in cells.items()}
    by_key = {column.key: column for column in columns}
    too_long = set()
    for key, limit in limits.items():
        if len(text[key]) > limit:
            row_fail(
                errors,
                by_key,
                row,
                key,
                _("At most %(max)d characters (this has %(n)d).")
                % {"max": limit, "n": len(text[key])},
            )
            text[key], cells[key] = "", None
            too_long.add(key)
    for column in columns:
        if column.required and not text[column.key] and column.key not in too_long:
            row_fail(
                errors, by_key, row, column.key, _("Required; this cell is empty.")
            )
    return text


@lru_cache(maxsize=100_000)
def _initials(name: str) -> str:
    return name_initials(name)


class _Checker:
    """Checks rows one by one and across the file; the database is asked
    once per ``CHECK_BATCH`` rows for documents and heads."""

    def __init__(self, *, paths: list[str], today: dt.date):
        self.addresses = Addresses(paths)
        self.tags = Tags()
        self.today = today
        self.errors: list[RowError] = []
        self.parsed: list[Parsed] = []
        self.documents: dict[str, int] = {}  # blind index -> first row
        self.heads: dict[int, int] = {}  # household -> row of its head
        self.pending: list[Parsed] = []

    def fail(self, row: int, key: str, message) -> None:
        row_fail(self.errors, COLUMN_BY_KEY, row, key, message)

    def check(self, row: int, cells: dict[str, Any]) -> None:
        errors_before = len(self.errors)
        text = cells_read(
            self.errors,
            COLUMNS,
            row,
            cells,
            limits={
                "name": NAME_MAX_LENGTH,
                "address": ADDRESS_MAX_LENGTH,
                "tags": TAGS_MAX_LENGTH,
                "note": NOTE_MAX_LENGTH,
                "phone": 20,
                "id_number": OTHER_ID_MAX_LENGTH,
            },
        )
        values: dict[str, Any] = {}
        for key in CHOICES:
            if text[key]:
                try:
                    values[key] = _choice(key, text[key])
                except ValidationFailed as exc:
                    self.fail(row, key, exc.message)
        values.setdefault(
            "id_type", IdType.RESIDENT_ID if not text["id_type"] else None
        )
        for key in ("birth_date", "moved_in"):
            if text[key]:
                try:
                    day = _date(cells[key])
                except ValidationFailed as exc:
                    self.fail(row, key, exc.message)
                    continue
                if day > self.today:
                    self.fail(row, key, _("This date is in the future."))
                    continue
                values[key] = day
        if isinstance(cells["id_number"], float):
            self.fail(row, "id_number", NUMBER_STORED_AS_NUMBER)
        elif text["id_number"] == SAMPLE_ID:
            self.fail(
                row,
                "id_number",
                _("This is the template's sample row; delete it."),
            )
        elif text["id_number"] and values.get("id_type"):
            try:
                number, gender, birth = clean_identity(
                    id_type=values["id_type"],
                    id_number=text["id_number"],
                    gender=values.get("gender"),
                    birth_date=values.get("birth_date"),
                )
            except ValidationFailed as exc:
                key = exc.field if exc.field in COLUMN_BY_KEY else "id_number"
                if key not in {e.field for e in self.errors[errors_before:]}:
                    self.fail(row, key, exc.message)
            else:
                values.update(id_number=number, gender=gender, birth_date=birth)
        if text["phone"]:
            try:
                values["phone"] = clean_phone(text["phone"])
            except ValidationFailed as exc:
                self.fail(row, "phone", exc.message)
        household = None
        if text["address"]:
            try:
                household = self.addresses.find(text["address"])
            except ValidationFailed as exc:
                self.fail(row, "address", exc.message)
        birth, moved_in = values.get("birth_date"), values.get("moved_in")
        if birth and moved_in and moved_in < birth:
            self.fail(row, "moved_in", _("Moving in cannot come before birth."))
        tags = []
        if text["tags"] and household is not None:
            try:
                tags = self.tags.parse(text["tags"], self.addresses.paths[household])
            except ValidationFailed as exc:
                self.fail(row, "tags", exc.message)
        if len(self.errors) > errors_before:
            # Still look for duplicates and second heads, so one round of
            # corrections finds them too; the row itself is not kept.
            self._check_across(
                Parsed(
                    row=row,
                    name="",
                    gender="",
                    birth_date=None,
                    id_type="",
                    id_number="",
                    index=document_index(values["id_type"], values["id_number"])
                    if "id_number" in values
                    else "",
                    phone="",
                    household=household,
                    relation=values.get("relation", ""),
                    residency="",
                    moved_in=self.today,
                    valid=False,
                )
            )
            return
        item = Parsed(
            row=row,
            name=" ".join(text["name"].split()),
            gender=values["gender"],
            birth_date=values["birth_date"],
            id_type=values["id_type"],
            id_number=values["id_number"],
            index=document_index(values["id_type"], values["id_number"]),
            phone=values.get("phone", ""),
            household=household,
            relation=values["relation"],
            residency=values["residency"],
            moved_in=values.get("moved_in") or self.today,
            tags=tags,
            note=text["note"],
        )
        self._check_across(item)

    def _check_across(self, item: Parsed) -> None:
        first = self.documents.get(item.index) if item.index else None
        if first is not None:
            self.fail(
                item.row,
                "id_number",
                _("The same document is already in row %(row)d.") % {"row": first},
            )
            return
        if item.index:
            self.documents[item.index] = item.row
        if item.relation == Relation.HEAD and item.household is not None:
            head = self.heads.get(item.household)
            if head is not None:
                self.fail(
                    item.row,
                    "relation",
                    _("Row %(row)d is already the head of this household.")
                    % {"row": head},
                )
                return
            self.heads[item.household] = item.row
        self.pending.append(item)
        if len(self.pending) >= CHECK_BATCH:
            self.flush()

    def flush(self) -> None:
        """Ask the database about the pending rows: documents already
        registered, households that already have a head."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        taken = set(
            Person.objects.filter(
                id_number_index__in=[p.index for p in pending if p.index]
            ).values_list("id_number_index", flat=True)
        )
        headed = set(
            Membership.objects.filter(
                household_id__in={
                    p.household
                    for p in pending
                    if p.relation == Relation.HEAD and p.household is not None
                },
                relation=Relation.HEAD,
                moved_out__isnull=True,
            ).values_list("household_id", flat=True)
        )
        for item in pending:
            if item.index and item.index in taken:
                self.fail(
                    item.row,
                    "id_number",
                    _("A person with this ID number is already registered."),
                )
            elif item.relation == Relation.HEAD and item.household in headed:
                self.fail(
                    item.row,
                    "relation",
                    _("This household already has a head of household."),
                )
            elif item.valid:
                self.parsed.append(item)


def import_paths(*, by: User, area: Area | None = None) -> list[str]:
    """Where ``by`` may import: the subtree of ``area`` if given (which must
    lie where ``by`` holds resident.import), else all such subtrees."""
    if area is not None:
        if not in_scope(by, area, Perm.RESIDENT_IMPORT):
            raise NotAllowed(_("You may not import residents here."))
        return [area.path]
    paths = scope_paths(by, Perm.RESIDENT_IMPORT)
    if not paths:
        raise NotAllowed(_("You may not import residents here."))
    return paths


def _rows(sheet, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, cells by key) of every non-empty row below the header."""
    width = max(positions.values()) + 1
    for number, values in enumerate(
        sheet.iter_rows(min_row=2, values_only=True), start=2
    ):
        values = tuple(values[:width]) + (None,) * (width - len(values))
        cells = {key: values[i] for key, i in positions.items()}
        if all(
            v is None or (isinstance(v, str) and not v.strip()) for v in cells.values()
        ):
            continue
        yield number, cells


def sheet_check(
    *,
    file,
    columns: tuple[Column, ...],
    sheet_title: str,
    checker,
    max_rows: int,
    too_many: str,
    empty: str,
) -> int:
    """Read every row of the sheet under ``columns``' titles into
    ``checker`` (its ``check(row, cells)``, then ``flush()``); raise
    ``ImportRejected`` with its ``errors`` in row and column order, or
    return the number of rows. What any import of a sheet shares; ``empty``
    and ``too_many`` (with ``%(max)s``) say what the file lacks or holds
    too much of."""
    workbook = open_workbook(file)
    try:
        rows = _sheet(workbook, sheet_title).iter_rows(values_only=True)
        positions, _error_at = read_header(rows, columns)
        count = 0
        for number, cells in _rows(_sheet(workbook, sheet_title), positions):
            count += 1
            if count > max_rows:
                raise _file_error(too_many % {"max": f"{max_rows:,}"})
            checker.check(number, cells)
        checker.flush()
    finally:
        workbook.close()
    if count == 0:
        raise _file_error(empty)
    if checker.errors:
        order = {column.key: i for i, column in enumerate(columns)}
        checker.errors.sort(key=lambda e: (e.row, order.get(e.field, 99)))
        raise ImportRejected(checker.errors, rows=count)
    return count


def import_check(*, file, by: User, area: Area | None = None) -> list[Parsed]:
    """Read and check every row; raise ``ImportRejected`` with all errors,
    or return the rows to write. Reads only."""
    paths = import_paths(by=by, area=area)
    checker = _Checker(paths=paths, today=timezone.localdate())
    sheet_check(
        file=file,
        columns=COLUMNS,
        sheet_title=SHEET_TITLE,
        checker=checker,
        max_rows=MAX_ROWS,
        too_many=_(
            "The file has more than %(max)s rows of people; split it "
            "into several files."
        ),
        empty=_("The file has column titles but no people in it."),
    )
    return checker.parsed


def _common_area(paths: list[str]) -> Area | None:
    prefix = common_path(paths)
    return Area.objects.filter(path=prefix).first() if prefix else None


def people_import(
    *, file, by: User, area: Area | None = None, request=None, filename: str = ""
) -> ImportSummary:
    """Import every person of an Excel file, or nobody.

    Checks every row first (``import_check``) and refuses the file with
    the full error list if any is wrong; then writes people, their
    household memberships and tags in one transaction and records one
    ``people_imported`` audit event with the counts.
    """
    parsed = import_check(file=file, by=by, area=area)
    today = timezone.localdate()
    tags = 0
    try:
        with transaction.atomic():
            for start in range(0, len(parsed), WRITE_BATCH):
                tags += _write(parsed[start : start + WRITE_BATCH], today=today)
            households = len({item.household for item in parsed})
            paths = import_paths(by=by, area=area)
            audit_record(
                by=by,
                action=Action.PEOPLE_IMPORTED,
                area=area or _common_area(paths),
                request=request,
                detail={
                    "people": len(parsed),
                    "households": households,
                    "tags": tags,
                    "file": filename[:100],
                },
            )
    except IntegrityError as exc:  # someone registered one of them meanwhile
        raise _file_error(
            _(
                "Someone registered one of these people or heads of household "
                "while the file was being imported; nothing was imported. "
                "Upload the file again to see which."
            )
        ) from exc
    return ImportSummary(people=len(parsed), households=households, tags=tags)


def _write(batch: list[Parsed], *, today: dt.date) -> int:
    people = []
    for item in batch:
        people.append(
            Person(
                name=item.name,
                initials=_initials(item.name),
                gender=item.gender,
                birth_date=item.birth_date,
                id_type=item.id_type,
                id_number_encrypted=crypto.encrypt(item.id_number),
                id_number_index=item.index,
                phone_encrypted=crypto.encrypt(item.phone),
                phone_index=crypto.blind_index(item.phone, purpose="phone")
                if item.phone
                else "",
                phone_last4=item.phone[-4:],
                household_id=item.household,
                last_household_id=item.household,
                status_date=item.moved_in,
                note=item.note,
            )
        )
    Person.objects.bulk_create(people)
    Membership.objects.bulk_create(
        Membership(
            person=person,
            household_id=item.household,
            relation=item.relation,
            residency=item.residency,
            moved_in=item.moved_in,
        )
        for person, item in zip(people, batch, strict=True)
    )
    person_tags = [
        PersonTag(person=person, tag=tag, grade=grade, start=today)
        for person, item in zip(people, batch, strict=True)
        for tag, grade in item.tags
    ]
    PersonTag.objects.bulk_create(person_tags)
    residents_changed(
        what=PERSON, area_ids=[item.household for item in batch], days=[today]
    )
    return len(person_tags)


# The template and the error report


def _notes_rows(columns: tuple[Column, ...]) -> list[list[str]]:
    return [
        [_("Column"), _("Required"), _("How to fill it in")],
        *(
            [
                column.title,
                _("Required") if column.required else _("Optional"),
                str(column.note),
            ]
            for column in columns
        ),
    ]


def _general_notes() -> list[str]:
    return [
        _("How to fill in the residents' import sheet"),
        _(
            "One person per row on the sheet 居民信息; keep the column titles "
            "of the first row as they are. Delete the sample row before importing."
        ),
        _(
            "The import is all or nothing: if any row is wrong, nobody is "
            "imported and an error report lists each row and column to correct. "
            "The error report can be corrected and uploaded again."
        ),
        _("At most %(rows)s people and %(mb)d MB per file; split larger files.")
        % {"rows": f"{MAX_ROWS:,}", "mb": MAX_FILE_BYTES // (1024 * 1024)},
    ]


def import_template_filename() -> str:
    """The template's file name, in the language of the page asking."""
    return _("Resident import template") + ".xlsx"


DATE_KEYS = ("birth_date", "moved_in")


def import_template_build(*, by: User, area: Area | None = None) -> bytes:
    """The import template: the column titles, a sample row whose address
    is a real household the user reaches, drop-downs for choice columns,
    and a second sheet of notes."""
    paths = import_paths(by=by, area=area)
    sample = {
        "name": "张建国",
        "gender": "男",
        "birth_date": dt.date(1956, 3, 7),
        "id_type": "居民身份证",
        "id_number": SAMPLE_ID,
        "phone": "13800000000",
        "address": _sample_address(paths),
        "relation": "户主",
        "residency": "户籍",
        "moved_in": dt.date(1998, 5, 1),
        "tags": "独居老人",
        "note": _("Sample row: delete it before importing."),
    }
    return template_build(
        columns=COLUMNS,
        sheet_title=SHEET_TITLE,
        sample=sample,
        general=_general_notes(),
        date_keys=DATE_KEYS,
    )


def template_build(
    *,
    columns: tuple[Column, ...],
    sheet_title: str,
    sample: dict[str, Any],
    general: list[str],
    date_keys: tuple[str, ...] = (),
    max_rows: int = MAX_ROWS,
) -> bytes:
    """An import template: ``columns``' titles (required ones in red, each
    with its note as a comment), drop-downs for choice columns, text and
    date formats, the ``sample`` row in grey, and a notes sheet with the
    ``general`` lines (the first is its title) and a table of the
    columns."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([column.title for column in columns])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FDECEC")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = Font(bold=True, color="9F1016" if column.required else "1F2329")
        cell.fill = fill
        cell.comment = Comment(str(column.note), "共治")
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = column.width
        if column.text:
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
                showErrorMessage=False,  # synonyms (儿子, 妻子 …) are accepted too
            )
            validation.add(f"{letter}2:{letter}{max_rows + 1}")
            sheet.add_data_validation(validation)
        if column.key in date_keys:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
    sheet.append([sample.get(column.key) for column in columns])
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=2, column=i)
        cell.font = Font(color="6B7280", italic=True)
        if column.text:
            cell.number_format = "@"
        if column.key in date_keys:
            cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(NOTES_TITLE)
    notes.append([general[0]])
    notes["A1"].font = Font(bold=True, size=13)
    for line in general[1:]:
        notes.append([line])
    notes.append([])
    start = notes.max_row + 1
    for row in _notes_rows(columns):
        notes.append(row)
    for cell in notes[start]:
        cell.font = bold
        cell.fill = fill
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in notes.iter_rows(min_row=start + 1):
        for cell in row:
            cell.alignment = wrap
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sample_address(paths: list[str]) -> str:
    """The address of the first household the user reaches, written as
    the import expects it; the demo's when there is none."""
    first = (
        Area.objects.filter(subtree_q(paths), kind=Kind.HOUSEHOLD, retired_at=None)
        .order_by("path")
        .values_list("path", flat=True)
        .first()
    )
    if first is None:
        return SAMPLE_ADDRESS
    chain = Area.objects.filter(
        path__in=ancestor_paths(first, include_self=True),
        kind__in=[Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD],
    ).order_by("path")
    return "/".join(node.name for node in chain)


def import_report_build(
    *, file, errors: list[RowError], sheet_title: str = SHEET_TITLE
) -> bytes:
    """The uploaded sheet again, row for row, with an ``错误`` column naming
    what to correct in each bad row: correct it and upload it again."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    by_row: dict[int | None, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(f"{error.column}：{error.message}")
    source = open_workbook(file)
    out = Workbook(write_only=True)
    sheet = out.create_sheet(sheet_title)
    red = Font(color="9F1016", bold=True)
    fill = PatternFill("solid", fgColor="FDECEC")
    try:
        rows = _sheet(source, sheet_title).iter_rows(values_only=True)
        header = list(next(rows, ()))
        keep = [i for i, v in enumerate(header) if _title(v) != ERROR_TITLE]
        width = max(keep) + 1 if keep else 0
        head = [WriteOnlyCell(sheet, value=header[i]) for i in keep]
        flag = WriteOnlyCell(sheet, value=ERROR_TITLE)
        flag.font, flag.fill = red, fill
        sheet.append([*head, flag])
        for number, values in enumerate(rows, start=2):
            values = tuple(values) + (None,) * (width - len(values))
            cells = []
            for i in keep:
                value = values[i]
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell.number_format = "@"
                cells.append(cell)
            messages = by_row.get(number)
            if messages:
                flag = WriteOnlyCell(sheet, value="；".join(messages))
                flag.font, flag.fill = red, fill
                cells.append(flag)
            sheet.append(cells)
    finally:
        source.close()
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _report_key(user_id: int, token: str) -> str:
    return f"residents:import-report:{user_id}:{token}"


def import_report_store(*, data: bytes, by: User) -> str | None:
    """Keep an error report for its uploader for half an hour, encrypted
    (it holds personal data); returns the token to fetch it with, or None
    when it is too large to keep."""
    if len(data) > MAX_REPORT_BYTES:
        return None
    token = secrets.token_urlsafe(16)
    sealed = crypto.encrypt(base64.b64encode(data).decode())
    cache.set(_report_key(by.pk, token), sealed, REPORT_TTL_SECONDS)
    return token


def import_report_get(*, token: str, by: User) -> bytes | None:
    sealed = cache.get(_report_key(by.pk, token))
    if sealed is None:
        return None
    return base64.b64decode(crypto.decrypt(sealed))
