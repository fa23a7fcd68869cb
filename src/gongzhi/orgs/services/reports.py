"""The 双报到 service report as an Excel workbook, to send back to the
members' work units (党员双报到服务情况反馈表).

A community secretary mails each unit its own page, so every unit has a
sheet of its own that prints on its own: the title, the unit, the period,
its members with their sessions and hours, the total, and a line for the
community's seal. A summary sheet in front lists every unit with its
totals and carries the exporter's watermark. The report names residents,
so each export is written to the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooter

from gongzhi.areas.models import Area
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.excel import watermark

from ..selectors import UnitReport, pool_by_unit

# What Excel refuses in a sheet's name, and how long a name may be.
_SHEET_BAD = re.compile(r"[\\/?*\[\]:]")
SHEET_MAX = 31
HOURS = "0.00"


def pool_report_filename(area: Area, start: dt.date, end: dt.date) -> str:
    title = _("Party members service report")
    return f"{title}_{area.name}_{start:%Y%m%d}-{end:%Y%m%d}.xlsx"


def report_title() -> str:
    return _("Party members' service report to their work units (双报到)")


def _sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as Excel accepts it: no forbidden characters, at most 31
    characters, unlike any sheet already there (Excel compares names
    without case)."""
    base = _SHEET_BAD.sub("_", name).strip("'") or "_"
    candidate, number = base[:SHEET_MAX], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f"({number})"
        candidate = base[: SHEET_MAX - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _printed(sheet, columns: int, widths: tuple[int, ...], footer: str) -> None:
    """Column widths, one page wide, the header row repeated on every
    printed page, ``footer`` at the foot of each."""
    for index, width in enumerate(widths):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.HeaderFooter = HeaderFooter()
    sheet.HeaderFooter.oddFooter.center.text = footer
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    title = sheet.cell(row=1, column=1)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center")


def _bold_row(sheet, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)


def _period(start: dt.date, end: dt.date) -> str:
    return _("Period: %(start)s to %(end)s") % {
        "start": f"{start:%Y-%m-%d}",
        "end": f"{end:%Y-%m-%d}",
    }


def _unit_sheet(
    workbook, unit: UnitReport, *, name: str, area: Area, period: str, prepared: str
) -> None:
    sheet = workbook.create_sheet(name)
    sheet.append([report_title()])
    sheet.append([_("Work unit: %(unit)s") % {"unit": unit.work_unit}])
    sheet.append([_("Reported to: %(area)s") % {"area": area.name}, "", "", period])
    sheet.append(
        [
            _("No."),
            _("Full name"),
            _("Community"),
            _("Confirmed on"),
            _("Sessions"),
            _("Service hours"),
        ]
    )
    header = sheet.max_row
    _bold_row(sheet, header)
    for number, row in enumerate(unit.rows, start=1):
        registration = row["registration"]
        decided = registration.decided_at
        sheet.append(
            [
                number,
                row["person"].name,
                registration.community.name,
                timezone.localdate(decided) if decided else None,
                row["sessions"],
                row["hours"],
            ]
        )
        sheet.cell(row=sheet.max_row, column=4).number_format = "yyyy-mm-dd"
        sheet.cell(row=sheet.max_row, column=6).number_format = HOURS
    sheet.append([_("Total"), "", "", "", unit.sessions, unit.hours])
    _bold_row(sheet, sheet.max_row)
    sheet.cell(row=sheet.max_row, column=6).number_format = HOURS
    sheet.append([])
    sheet.append([prepared])
    sheet.append([_("%(area)s (seal):") % {"area": area.name}])
    sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
    sheet.print_title_rows = f"{header}:{header}"
    _printed(sheet, 6, (6, 12, 14, 14, 10, 14), f"{unit.work_unit} · {period}")


def pool_report_write(
    *, area: Area, start: dt.date, end: dt.date, by, out, request=None
) -> list[UnitReport]:
    """Write the report of the confirmed members within ``area`` from
    ``start`` to ``end`` to ``out``: a summary sheet, then a sheet per work
    unit. Records the export in the audit trail; answers the units."""
    units = pool_by_unit(area, start=start, end=end)
    period = _period(start, end)
    now = timezone.localtime()
    prepared = _("Prepared by %(name)s on %(date)s") % {
        "name": by.name,
        "date": f"{now:%Y-%m-%d}",
    }
    mark = watermark(by=by, at=now)
    workbook = Workbook()
    workbook.properties.creator = by.name
    workbook.properties.title = report_title()
    summary = workbook.active
    taken: set[str] = set()
    summary.title = _sheet_name(_("Summary"), taken)
    summary.append([report_title()])
    summary.append([_("Reported to: %(area)s") % {"area": area.name}, "", period])
    summary.append([mark])
    summary.cell(row=3, column=1).font = Font(color="9F1016")
    summary.append(
        [
            _("Work unit"),
            _("Party members"),
            _("Served in the period"),
            _("Sessions"),
            _("Service hours"),
        ]
    )
    _bold_row(summary, 4)
    for unit in units:
        summary.append(
            [unit.work_unit, len(unit.rows), unit.active, unit.sessions, unit.hours]
        )
        summary.cell(row=summary.max_row, column=5).number_format = HOURS
    summary.append(
        [
            _("Total"),
            sum(len(unit.rows) for unit in units),
            sum(unit.active for unit in units),
            sum(unit.sessions for unit in units),
            sum((unit.hours for unit in units), Decimal("0.00")),
        ]
    )
    _bold_row(summary, summary.max_row)
    summary.cell(row=summary.max_row, column=5).number_format = HOURS
    summary.freeze_panes = "A5"
    summary.print_title_rows = "4:4"
    _printed(summary, 5, (30, 10, 14, 10, 14), mark)
    for unit in units:
        _unit_sheet(
            workbook,
            unit,
            name=_sheet_name(unit.work_unit, taken),
            area=area,
            period=period,
            prepared=prepared,
        )
    workbook.save(out)
    audit_record(
        by=by,
        action=Action.PERSONAL_EXPORTED,
        target=area,
        area=area,
        request=request,
        detail={
            "party_pool_report": f"{start:%Y-%m-%d}..{end:%Y-%m-%d}",
            "units": len(units),
            "rows": sum(len(unit.rows) for unit in units),
        },
    )
    return units
