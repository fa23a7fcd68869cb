"""The data behind every chart of the 数据大屏, as tables: what the
downloads (Excel, CSV) hold, one table per panel, read from the same
dictionaries the charts draw."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from gongzhi.core.excel import watermark

SHEET_MAX = 31


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def tables(screen: dict) -> dict[str, tuple[str, list[str], list[list]]]:
    """panel -> (title, headers, rows)."""
    panels = screen["panels"]
    tree, trends, rates = panels["tree"], panels["trends"], panels["rates"]
    care, vol, points = panels["care"], panels["volunteering"], panels["points"]
    out = {}
    out["tree"] = (
        _("Sub-areas"),
        [
            _("Area"),
            _("Requests raised"),
            _("Resolved"),
            _("Response rate"),
            _("Resolution rate"),
            _("Satisfaction rate"),
            _("Visits"),
            _("Participations"),
            _("Service hours"),
            _("Points earned"),
        ],
        [
            [
                row["name"],
                row["raised"],
                row["resolved"],
                _percent(row["rates"]["response"]),
                _percent(row["rates"]["resolve"]),
                _percent(row["rates"]["satisfaction"]),
                row["visits"],
                row["participations"],
                row["hours"],
                row["earned"],
            ]
            for row in tree["children"]
        ],
    )
    series = trends["series"]
    out["trends"] = (
        _("Monthly trends"),
        [
            _("Month"),
            _("Requests raised"),
            _("Resolved"),
            _("Visits"),
            _("Participations"),
            _("Service hours"),
            _("Points earned"),
            _("Points redeemed"),
        ],
        [
            [month, *(series[key][i] for key in series)]
            for i, month in enumerate(trends["months"])
        ],
    )
    out["categories"] = (
        _("Requests by category"),
        [_("Category"), _("Requests raised"), _("Resolved")],
        [
            [row["name"], row["raised"], row["resolved"]]
            for row in panels["categories"]["categories"]
        ],
    )
    labels = {
        "response": _("Response rate"),
        "resolve": _("Resolution rate"),
        "satisfaction": _("Satisfaction rate"),
    }
    terms = {
        "response": ("responded_in_time", "dispatched"),
        "resolve": ("resolved", "valid"),
        "satisfaction": ("satisfied", "rated"),
    }
    counts = rates["counts"]
    out["rates"] = (
        _("Three rates and ranking"),
        [_("Rate"), _("Rank"), _("Area"), _("Numerator"), _("Denominator"), _("Value")],
        [
            [
                labels[name],
                "",
                screen["area"]["name"],
                counts[terms[name][0]],
                counts[terms[name][1]],
                _percent(rates["rates"][name]),
            ]
            for name in labels
        ]
        + [
            [
                labels[name],
                row["rank"] or "—",
                row["name"],
                row["numerator"],
                row["denominator"],
                _percent(row["value"]),
            ]
            for name, rows in rates["rankings"].items()
            for row in rows
        ],
    )
    out["care"] = (
        _("Care coverage"),
        [_("Key population"), _("People"), _("Visited in 7 days"), _("Coverage")],
        [
            [row["name"], row["tagged"], row["covered"], _percent(row["coverage"])]
            for row in care["people"]
        ]
        + [[_("Visits this month"), care["visits"], "", ""]]
        + [[row["name"], row["value"], "", ""] for row in care["visits_by_form"]]
        + [[_("Incidents this month"), care["incidents"], "", ""]]
        + [[row["name"], row["value"], "", ""] for row in care["incidents_by_kind"]],
    )
    out["volunteering"] = (
        _("Volunteering"),
        [_("Activity type"), _("Sessions"), _("Participations"), _("Service hours")],
        [[_("Total"), vol["sessions"], vol["participations"], vol["hours"]]]
        + [
            [row["name"], row["sessions"], row["participations"], row["hours"]]
            for row in vol["by_kind"]
        ]
        + [
            [
                _("双报到 members' service"),
                vol["party"]["members"],
                vol["party"]["participations"],
                vol["party"]["hours"],
            ]
        ],
    )
    flow = points["flow"]
    out["points"] = (
        _("Points flow"),
        [_("Month"), _("Earned"), _("Redeemed"), _("Expired"), _("Outstanding")],
        [
            [month, flow["earned"][i], flow["redeemed"][i], flow["expired"][i]]
            + [flow["outstanding"][i]]
            for i, month in enumerate(points["months"])
        ],
    )
    return out


def workbook_write(screen: dict, *, by, out) -> None:
    """Every panel's table on a sheet of its own, watermarked."""
    book = Workbook()
    mark = watermark(by=by)
    first = True
    for title, headers, rows in tables(screen).values():
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title[:SHEET_MAX]
        area = screen["area"]["name"]
        sheet.append([f"{area} · {screen['month']} · {title}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([mark])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        sheet.oddHeader.center.text = mark
    book.save(out)


def csv_text(screen: dict, panel: str) -> str:
    title, headers, rows = tables(screen)[panel]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()  # Excel reads UTF-8 with the mark
