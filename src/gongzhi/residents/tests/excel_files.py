"""Building Excel files for import tests, the way people fill them in."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.services.imports import TITLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def resident_id(birth: str, sequence: int, *, region: str = "120101") -> str:
    """A valid ID number born on ``birth`` (YYYYMMDD); an odd sequence is
    a man, an even one a woman."""
    first17 = f"{region}{birth}{sequence:03d}"
    return first17 + check_char(first17)


def person(**overrides) -> dict:
    row = {
        "姓名": "王秀英",
        "性别": "女",
        "出生日期": "1948-05-12",
        "证件类型": "居民身份证",
        "证件号码": resident_id("19480512", 2),
        "联系电话": "13912345678",
        "住址": "航院小区/1号楼/1单元/101",
        "与户主关系": "户主",
        "户籍类型": "户籍",
        "迁入日期": "1998-10-01",
        "重点人群标签": "独居老人",
        "备注": "",
    }
    row.update(overrides)
    return row


def workbook_bytes(
    rows: list[dict], *, titles=TITLES, sheet_title: str = "居民信息"
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(titles))
    for row in rows:
        sheet.append([row.get(title) for title in titles])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(data: bytes, name: str = "居民.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


def read_rows(data: bytes, sheet: str | None = None) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(data))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]
