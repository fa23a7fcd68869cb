"""Exporting the registry list to Excel, as filtered on the list page.

ID and phone numbers are masked unless the exporter asks for full values
and holds both resident.import and personal.full over the whole list.
Every export is written to the audit trail (who, how many, which filter,
full or masked, from which address) and carries a watermark line naming
the exporter and the time, in the first row and in the printed header.
The sheet is protected (sorting and filtering stay possible), so the
watermark is not edited away by accident; sheet protection is no security
against a determined user, the audit trail is.

Rows are streamed: the queryset is read in chunks and openpyxl's
write-only mode writes each row to disk as it comes, so 100,000 people
take flat memory.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, BinaryIO

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths
from gongzhi.areas.tree import ancestor_paths, ancestor_paths_of
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core import crypto
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.core.excel import watermark

from ..models import Membership, PersonStatus
from ..selectors.people import PeopleFilter, open_tags, people_search
from .imports import (
    COLUMNS,
    GENDERS,
    ID_TYPES,
    RELATIONS,
    RESIDENCIES,
    SHEET_TITLE,
    _common_area,
)

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

EXPORT_MAX_ROWS = 200_000
REASON_MAX = 200
CHUNK = 2000
STATUS_TITLES = {
    PersonStatus.ACTIVE: "在住",
    PersonStatus.MOVED_OUT: "已迁出",
    PersonStatus.DECEASED: "已故",
    PersonStatus.ELSEWHERE: "不在此居住的产权人",
}
EXTRA_TITLES = ("状态", "所属社区", "所属网格")
_PHONE = re.compile(r"^1\d{10}$")
_ID = re.compile(r"^\d{15}(\d{2}[\dXx])?$")


def _label(table: dict[str, str], code: str) -> str:
    return next((title for title, value in table.items() if value == code), code)


def export_full_allowed(*, user: User, area: Area | None) -> bool:
    """Whether ``user`` may export full ID and phone numbers of the list
    under ``area`` (or of everyone she sees, when None): she must hold
    both resident.import and personal.full over all of it."""
    needed = (Perm.RESIDENT_IMPORT, Perm.PERSONAL_FULL)
    if area is not None:
        return all(in_scope(user, area, perm) for perm in needed)
    seen = scope_paths(user, Perm.PERSONAL_VIEW)
    return bool(seen) and all(
        any(path.startswith(p) for p in scope_paths(user, perm))
        for path in seen
        for perm in needed
    )


def export_filename(*, at=None) -> str:
    at = timezone.localtime(at or timezone.now())
    return f"居民名册_{at:%Y%m%d_%H%M}.xlsx"


def _audit_filter(filters: PeopleFilter) -> dict:
    """The filter as the audit trail records it; a searched phone or ID
    number is recorded masked, like everywhere else."""
    q = filters.q
    if _PHONE.match(q):
        q = crypto.mask_phone(q)
    elif _ID.match(q):
        q = crypto.mask_id_number(q)
    return {
        "q": q,
        "area": filters.area.name if filters.area else "",
        "tag": filters.tag,
        "age_band": filters.age_band,
        "status": filters.status,
    }


class _Places:
    """Names of the nodes above each household, fetched once per path."""

    def __init__(self):
        self.nodes: dict[str, tuple[str, str]] = {}

    def load(self, paths) -> None:
        wanted = ancestor_paths_of(paths) - self.nodes.keys()
        if wanted:
            for path, name, kind in Area.objects.filter(path__in=wanted).values_list(
                "path", "name", "kind"
            ):
                self.nodes[path] = (name, kind)

    def describe(self, path: str) -> tuple[str, str, str]:
        """(address as the import writes it, community, grid)."""
        chain = [
            self.nodes[p]
            for p in ancestor_paths(path, include_self=True)
            if p in self.nodes
        ]
        place = "/".join(
            name
            for name, kind in chain
            if kind in (Kind.ESTATE, Kind.BUILDING, Kind.ENTRANCE, Kind.HOUSEHOLD)
        )
        community = next((n for n, k in chain if k == Kind.COMMUNITY), "")
        grid = next((n for n, k in chain if k == Kind.GRID), "")
        return place, community, grid


def watermarked_sheet(*, by: User, title: str, titles, widths):
    """A write-only workbook and its one sheet ``title``: the watermark
    naming ``by`` and the time in the first row and the printed header and
    footer, the column ``titles`` in the second, ``widths`` set, the sheet
    protected (sorting, filtering and resizing allowed). Append the data
    rows, then save the workbook."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.header_footer import HeaderFooter

    line = watermark(by=by)
    workbook = Workbook(write_only=True)
    workbook.properties.creator = by.name
    workbook.properties.title = line
    sheet = workbook.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    sheet.HeaderFooter = HeaderFooter()
    sheet.HeaderFooter.oddHeader.center.text = line
    sheet.HeaderFooter.oddFooter.center.text = line
    # Locked cells: the watermark and data read only; sorting, filtering
    # and resizing stay allowed (False means "not prevented").
    sheet.protection.sheet = True
    sheet.protection.password = secrets.token_hex(8)
    for allowed in ("sort", "autoFilter", "formatColumns", "formatRows"):
        setattr(sheet.protection, allowed, False)
    mark = WriteOnlyCell(sheet, value=line)
    mark.font = Font(bold=True, color="9F1016")
    sheet.append([mark])
    fill = PatternFill("solid", fgColor="F3F4F6")
    head = []
    for text in titles:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font, cell.fill = Font(bold=True), fill
        head.append(cell)
    sheet.append(head)
    return workbook, sheet


def data_cells(sheet, values) -> list:
    """One data row's cells, dates shown as dates."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if value is not None and hasattr(value, "isoformat"):
            cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    return cells


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _memberships(people) -> dict[int, Membership]:
    """Each person's current stay, or the last one after moving out."""
    latest: dict[int, Membership] = {}
    for membership in Membership.objects.filter(
        person_id__in=[p.pk for p in people]
    ).order_by("person_id", "moved_in", "pk"):
        latest[membership.person_id] = membership
    return latest


def people_export(
    *,
    by: User,
    filters: PeopleFilter,
    out: BinaryIO,
    full: bool = False,
    reason: str = "",
    request=None,
) -> int:
    """Write the filtered registry list to ``out`` as .xlsx; returns the
    number of people. Refuses full values to a user who may not export
    them or who does not say why, and a list longer than
    ``EXPORT_MAX_ROWS``; records the export in the audit trail with its
    subject (the area exported, the filter, the rows) and the reason."""
    if full and not export_full_allowed(user=by, area=filters.area):
        raise NotAllowed(_("Your role does not export full personal data here."))
    reason = (reason or "").strip()
    if full and not reason:
        raise ValidationFailed(
            _("Say why the full ID and phone numbers are needed."), field="reason"
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("The reason can have at most %(max)d characters.") % {"max": REASON_MAX},
            field="reason",
        )
    people = people_search(user=by, filters=filters)
    total = people.count()
    if total > EXPORT_MAX_ROWS:
        raise ValidationFailed(
            _(
                "The list has %(n)s people; an export holds at most %(max)s. "
                "Narrow it down with the filters."
            )
            % {"n": f"{total:,}", "max": f"{EXPORT_MAX_ROWS:,}"},
            field="area",
        )
    workbook, sheet = watermarked_sheet(
        by=by,
        title=SHEET_TITLE,
        titles=[column.title for column in COLUMNS] + list(EXTRA_TITLES),
        widths=[column.width for column in COLUMNS],
    )
    places = _Places()
    written = 0
    for chunk in _chunks(people.iterator(chunk_size=CHUNK), CHUNK):
        places.load({p.last_household.path for p in chunk})
        tags = open_tags(chunk)
        stays = _memberships(chunk)
        for person in chunk:
            id_number, phone = person.id_number, person.phone
            if not full:
                id_number = crypto.mask_id_number(id_number)
                phone = crypto.mask_phone(phone)
            address, community, grid = places.describe(person.last_household.path)
            stay = stays.get(person.pk)
            held = ";".join(
                f"{t.tag.name}:{t.grade}" if t.grade else t.tag.name
                for t in tags.get(person.pk, [])
            )
            row = [
                person.name,
                _label(GENDERS, person.gender),
                person.birth_date,
                _label(ID_TYPES, person.id_type),
                id_number,
                phone,
                address,
                _label(RELATIONS, stay.relation) if stay else "",
                _label(RESIDENCIES, stay.residency) if stay else "",
                stay.moved_in if stay else None,
                held,
                person.note,
                STATUS_TITLES.get(person.status, person.status),
                community,
                grid,
            ]
            sheet.append(data_cells(sheet, row))
            written += 1
    workbook.save(out)
    seen = scope_paths(by, Perm.PERSONAL_VIEW)
    area = filters.area or (_common_area(seen) if seen else None)
    audit_record(
        by=by,
        action=Action.PERSONAL_EXPORTED,
        target=area,  # the subject: whose list went out
        area=area,
        request=request,
        detail={
            "rows": written,
            "full": full,
            "filter": _audit_filter(filters),
            "reason": reason,
        },
    )
    return written
