"""A community's monthly points statement as an Excel workbook: the month's
figures, each movement that reached a resident or a household, and the
shelf's stock. It names residents, so each export is written to the audit
trail, and every sheet carries the exporter's watermark."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.excel import watermark

from ..models import Goods
from ..selectors import figures, month_bounds, month_lines


def statement_filename(community, year: int, month: int) -> str:
    return f"{_('Points ledger')}_{community.name}_{year}{month:02d}.xlsx"


def _sheet(workbook, title: str, mark: str, header: list[str], first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append([mark])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    return sheet


def statement_write(*, community, year: int, month: int, by, out, request=None) -> int:
    """Write the statement of ``community`` for ``year``-``month`` to
    ``out``; answers the number of movement lines."""
    start, end = month_bounds(year, month)
    line = figures([community], start=start, end=end)[community.pk]
    opening = figures([community], start=start, end=start)[community.pk].outstanding
    mark = watermark(by=by)
    workbook = Workbook()
    summary = _sheet(workbook, _("Summary"), mark, [_("Item"), _("Points")], first=True)
    for label, value in [
        (_("Community"), community.name),
        (_("Month"), f"{year}-{month:02d}"),
        (_("Outstanding at the start"), opening),
        (_("Issued"), line.issued),
        (_("Redeemed (net of refunds)"), line.redeemed),
        (_("Refunded"), line.refunded),
        (_("Expired"), line.expired),
        (_("Adjusted and reversed"), line.adjusted),
        (_("Outstanding at the end"), line.outstanding),
        (_("Active participants"), line.participants),
    ]:
        summary.append([label, value])
    summary.column_dimensions["A"].width = 28
    detail = _sheet(
        workbook,
        _("Movements"),
        mark,
        [_("Time"), _("Kind"), _("Resident"), _("Reason"), _("Points"), _("By")],
    )
    rows = 0
    for entry in month_lines(community, start=start, end=end).iterator(chunk_size=2000):
        transfer = entry.transfer
        holder = (
            entry.account.person.name
            if entry.account.person_id
            else entry.account.get_kind_display()
        )
        detail.append(
            [
                timezone.localtime(transfer.created_at).replace(tzinfo=None),
                transfer.get_kind_display(),
                holder,
                transfer.reason,
                entry.amount,
                transfer.by.name if transfer.by_id else _("System"),
            ]
        )
        detail.cell(row=detail.max_row, column=1).number_format = "yyyy-mm-dd hh:mm"
        rows += 1
    for column, width in zip("ABCDEF", (18, 10, 12, 36, 8, 12), strict=True):
        detail.column_dimensions[column].width = width
    stock = _sheet(
        workbook,
        _("Shelf"),
        mark,
        [_("Goods"), _("Points price"), _("Stock"), _("On the shelf")],
    )
    for goods in Goods.objects.filter(community=community).order_by("name", "pk"):
        stock.append(
            [
                goods.name,
                goods.price,
                goods.stock,
                _("Yes") if goods.active else _("No"),
            ]
        )
    workbook.save(out)
    audit_record(
        by=by,
        action=Action.PERSONAL_EXPORTED,
        target=community,
        area=community,
        request=request,
        detail={"points_statement": f"{year}-{month:02d}", "rows": rows},
    )
    return rows
