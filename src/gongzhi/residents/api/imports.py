"""Excel import and export endpoints: the template, an import that is all
or nothing with a row/field error list, and the filtered list's export."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gongzhi.accounts.refusals import ErrorOut, area_seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import scope_paths
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..models import PersonStatus
from ..selectors.people import AGE_BANDS, PeopleFilter
from ..services import exports, imports

router = Router(tags=["residents"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# An API answer lists at most this many row errors; ``error_count`` says
# how many there were.
MAX_ERRORS = 1000
_FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "An Excel workbook",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class ImportOut(Schema):
    people: int
    households: int
    tags: int


class RowErrorOut(Schema):
    row: int | None
    field: str
    column: str
    message: str


class ImportErrorsOut(Schema):
    detail: str
    field: str | None = None
    error_count: int
    errors: list[RowErrorOut]


class ExportFilter(Schema):
    q: str = ""
    area_id: int | None = None
    tag_id: int | None = None
    age_band: str = ""
    status: str = PersonStatus.ACTIVE  # "all" for everyone ever registered
    full: bool = False
    reason: str = Field(
        "", description="Why the full numbers are needed: required with full"
    )


def _area(request, pk: int | None, perm: str) -> Area | None:
    """The node ``pk``: 404 outside what the caller sees, 403 where she
    sees it but her role lacks ``perm``."""
    if pk is None:
        if not scope_paths(request.user, perm):
            raise NotAllowed()
        return None
    return area_seen(request, pk, perm)


def rejected_answer(exc: imports.ImportRejected) -> Status:
    """The 422 answer of an import whose rows have errors."""
    return Status(
        422,
        {
            "detail": str(exc.message),
            "field": "file",
            "error_count": len(exc.errors),
            "errors": [e.as_dict() for e in exc.errors[:MAX_ERRORS]],
        },
    )


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@router.post(
    "/imports",
    response={200: ImportOut, 400: ErrorOut, 422: ImportErrorsOut},
    summary="Import people from an Excel file, all or nothing",
    description=(
        "Multipart upload of the template (.xlsx, at most 20 MB and 200,000 "
        "rows). ``area_id`` narrows where addresses are looked up. A file "
        "that cannot be read answers 400; rows with errors answer 422 with "
        "the list of row/field errors (``row`` as Excel numbers it) and "
        "nothing is written."
    ),
)
def import_people(request, file: File[UploadedFile] = None, area_id: int | None = None):
    area = _area(request, area_id, Perm.RESIDENT_IMPORT)
    if file is None:
        raise ValidationFailed(_("Choose the Excel file to import."), field="file")
    try:
        summary = imports.people_import(
            file=file, by=request.user, area=area, request=request, filename=file.name
        )
    except imports.ImportRejected as exc:
        return rejected_answer(exc)
    return Status(200, summary.__dict__)


@router.get(
    "/imports/template",
    response={200: None},
    summary="The Excel import template",
    openapi_extra=_FILE_RESPONSE,
)
def import_template(request, area_id: int | None = None):
    area = _area(request, area_id, Perm.RESIDENT_IMPORT)
    return _xlsx(
        imports.import_template_build(by=request.user, area=area), "居民导入模板.xlsx"
    )


@router.get(
    "/people/export",
    response={200: None},
    summary="The filtered registry list as Excel, masked unless full",
    description=(
        "The same filters as the people list. ``full=true`` needs both "
        "resident.import and personal.full over the whole list, and a "
        "``reason``; every export is written to the audit trail."
    ),
    openapi_extra=_FILE_RESPONSE,
)
def people_export(request, filters: Query[ExportFilter]):
    area = _area(request, filters.area_id, Perm.PERSONAL_VIEW)
    if len(filters.q) > 50:
        raise ValidationFailed(
            _("Ensure this value has at most 50 characters."), field="q"
        )
    if filters.age_band and filters.age_band not in AGE_BANDS:
        raise ValidationFailed(_("Choose a valid option."), field="age_band")
    status = "" if filters.status in ("all", "") else filters.status
    if status and status not in PersonStatus.values:
        raise ValidationFailed(_("Choose a valid option."), field="status")
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        exports.people_export(
            by=request.user,
            filters=PeopleFilter(
                q=filters.q.strip(),
                area=area,
                tag=filters.tag_id,
                age_band=filters.age_band,
                status=status,
            ),
            out=out,
            full=filters.full,
            reason=filters.reason,
            request=request,
        )
    except Exception:
        out.close()
        raise
    out.seek(0)
    return FileResponse(
        out, as_attachment=True, filename=exports.export_filename(), content_type=XLSX
    )
