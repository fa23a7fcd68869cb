"""房屋产权 endpoints: a place's households with their exclusive floor
areas and owners, one household's property to read and correct, owners to
add and end, and the Excel import, template and export.

A household is looked up where the caller sees it (404 elsewhere); where
she sees it but her role does not read personal data, manage residents or
import them, 403. Owners' phone numbers leave masked.
"""

import datetime as dt
import tempfile
from decimal import Decimal

from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, ErrorOut, area_seen, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import ValidationFailed

from ..models import IdType, Owner
from ..selectors.people import person_referenced
from ..selectors.properties import property_households, property_rows
from ..services import owner_sheets, owners
from ..services.imports import ImportRejected
from ..services.people import NAME_MAX_LENGTH, OTHER_ID_MAX_LENGTH
from .imports import (
    _FILE_RESPONSE,
    XLSX,
    ImportErrorsOut,
    _area,
    _xlsx,
    rejected_answer,
)

router = Router(tags=["residents"])


class OwnerOut(Schema):
    id: int
    person_id: int
    name: str
    phone_masked: str
    lives_here: bool  # registered in this household, not elsewhere
    since: dt.date
    until: dt.date | None


class PropertyOut(Schema):
    household_id: int
    label: str
    floor_area: Decimal | None = Field(description="Exclusive floor area in m²")
    certificate_no: str
    owners: list[OwnerOut]


class PropertyQuery(Schema):
    area_id: int = Field(description="Any node: its households are listed")


class PropertyIn(Schema):
    floor_area: float | str | None = Field(
        None, description="m², more than 0 and at most 100,000; null when unknown"
    )
    certificate_no: str = Field("", max_length=50)


class OwnerIn(Schema):
    """A registry person by ``person_id``, or an owner living elsewhere
    registered from ``name`` and her document."""

    person_id: int | None = None
    name: str = Field("", max_length=NAME_MAX_LENGTH)
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field("", max_length=OTHER_ID_MAX_LENGTH)
    gender: str | None = Field(None, description="male or female; read from an ID")
    phone: str = Field("", max_length=20)
    since: dt.date | None = None


class OwnerEndIn(Schema):
    until: dt.date | None = None


class PropertiesImportOut(Schema):
    households: int
    owners_added: int
    owners_ended: int
    people_registered: int


def _owner_out(owner: Owner, household_id: int) -> dict:
    person = owner.person
    return {
        "id": owner.pk,
        "person_id": person.pk,
        "name": person.name,
        "phone_masked": person.phone_masked,
        "lives_here": person.household_id == household_id,
        "since": owner.since,
        "until": owner.until,
    }


def _property_out(row) -> dict:
    household = row.household
    return {
        "household_id": household.pk,
        "label": household.place_label,
        "floor_area": row.floor_area,
        "certificate_no": row.certificate_no,
        "owners": [_owner_out(o, household.pk) for o in row.owners],
    }


def _household(request, pk: int, perm: str) -> Area:
    return seen(
        Area.objects.filter(kind=Kind.HOUSEHOLD), request, pk, via="", perm=perm
    )


def _one(household: Area) -> dict:
    return _property_out(property_rows([household])[0])


@router.get(
    "/properties",
    response={200: list[PropertyOut], **NOT_ALLOWED},
    summary="The households below a place with floor areas and owners",
)
@paginate(LimitOffsetPagination, page_size=100)
def property_list(request, query: Query[PropertyQuery]):
    area = area_seen(request, query.area_id, Perm.PERSONAL_VIEW)
    return _Rows(property_households(user=request.user, area=area))


class _Rows:
    """The households as a sliceable list of ``PropertyOut`` values: the
    paginator slices, and only the page is read."""

    def __init__(self, households):
        self.households = households

    def __len__(self):
        return self.households.count()

    def count(self):
        return len(self)

    def __getitem__(self, index):
        return [_property_out(r) for r in property_rows(self.households[index])]


@router.get(
    "/properties/{int:household_id}",
    response={200: PropertyOut, **NOT_ALLOWED},
    summary="One household's floor area and current owners",
)
def property_detail(request, household_id: int):
    return _one(_household(request, household_id, Perm.PERSONAL_VIEW))


@router.put(
    "/properties/{int:household_id}",
    response={200: PropertyOut, **ERRORS},
    summary="Set a household's floor area and certificate number",
)
def property_update(request, household_id: int, payload: PropertyIn):
    household = _household(request, household_id, Perm.RESIDENT_MANAGE)
    owners.property_update(
        household=household,
        floor_area=payload.floor_area,
        certificate_no=payload.certificate_no,
        by=request.user,
        request=request,
    )
    return _one(household)


@router.post(
    "/properties/{int:household_id}/owners",
    response={201: OwnerOut, **ERRORS},
    summary="Add an owner: a registry person, or one living elsewhere",
)
def owner_add(request, household_id: int, payload: OwnerIn):
    household = _household(request, household_id, Perm.RESIDENT_MANAGE)
    if payload.person_id is not None:
        person = person_referenced(request, payload.person_id, field="person_id")
        try:
            owner = owners.owner_add(
                household=household,
                person=person,
                since=payload.since,
                by=request.user,
                request=request,
            )
        except ValidationFailed as exc:
            exc.field = "person_id" if exc.field == "person" else exc.field
            raise
    else:
        owner = owners.owner_register(
            household=household,
            name=payload.name,
            id_type=payload.id_type,
            id_number=payload.id_number,
            gender=payload.gender or None,
            phone=payload.phone,
            since=payload.since,
            by=request.user,
            request=request,
        )
    return Status(201, _owner_out(owner, household.pk))


@router.post(
    "/properties/{int:household_id}/owners/{int:owner_id}/end",
    response={200: OwnerOut, **ERRORS},
    summary="End an ownership (sold, inherited, corrected); it stays as history",
)
def owner_end(request, household_id: int, owner_id: int, payload: OwnerEndIn):
    household = _household(request, household_id, Perm.RESIDENT_MANAGE)
    owner = Owner.objects.filter(pk=owner_id, property__area=household).first()
    if owner is None:
        return Status(404, {"detail": _("Not found."), "field": "owner_id"})
    owner = owners.owner_end(
        owner=owner, until=payload.until, by=request.user, request=request
    )
    return _owner_out(owner, household.pk)


@router.post(
    "/properties/imports",
    response={
        200: PropertiesImportOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ImportErrorsOut,
    },
    summary="Import floor areas and owners from an Excel file, all or nothing",
    description=(
        "Multipart upload of the 房屋产权 template (.xlsx). Each household in "
        "the file gets its floor area and exactly the owners listed. A file "
        "that cannot be read answers 400; rows with errors answer 422 with "
        "the row/field errors and nothing is written."
    ),
)
def properties_import(
    request, file: File[UploadedFile] = None, area_id: int | None = None
):
    area = _area(request, area_id, Perm.RESIDENT_IMPORT)
    if file is None:
        raise ValidationFailed(_("Choose the Excel file to import."), field="file")
    try:
        summary = owner_sheets.properties_import(
            file=file, by=request.user, area=area, request=request, filename=file.name
        )
    except ImportRejected as exc:
        return rejected_answer(exc)
    return Status(200, summary.__dict__)


@router.get(
    "/properties/imports/template",
    response={200: None, **NOT_ALLOWED},
    summary="The Excel template for importing floor areas and owners",
    openapi_extra=_FILE_RESPONSE,
)
def properties_template(request, area_id: int | None = None):
    area = _area(request, area_id, Perm.RESIDENT_IMPORT)
    data = owner_sheets.properties_template_build(by=request.user, area=area)
    return _xlsx(data, "房屋产权导入模板.xlsx")


@router.get(
    "/properties/export",
    response={200: None, **NOT_ALLOWED},
    summary="A place's floor areas and owners as Excel, masked and audited",
    openapi_extra=_FILE_RESPONSE,
)
def properties_export(request, query: Query[PropertyQuery]):
    area = area_seen(request, query.area_id, Perm.PERSONAL_VIEW)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        owner_sheets.properties_export(
            by=request.user, area=area, out=out, request=request
        )
    except Exception:
        out.close()
        raise
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=owner_sheets.export_filename(),
        content_type=XLSX,
    )
