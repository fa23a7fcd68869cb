"""Schemas of the registry API. ID and phone numbers go out masked only:
the full value leaves through the audited reveal endpoint alone."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from gongzhi.core.crypto import mask_id_number, mask_phone

from .services.people import NAME_MAX_LENGTH


class TagOut(Schema):
    id: int
    code: str
    name: str
    street_id: int | None
    has_grade: bool
    visit_every_days: int | None
    active: bool


class TagIn(Schema):
    street_id: int
    code: str
    name: str
    has_grade: bool = False
    visit_every_days: int | None = None


class PersonTagOut(Schema):
    id: int
    tag_id: int
    code: str
    name: str
    grade: int | None
    start: dt.date
    end: dt.date | None
    note: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.tag.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.tag.name


class MembershipOut(Schema):
    id: int
    household_id: int
    relation: str
    relation_label: str
    residency: str
    residency_label: str
    moved_in: dt.date
    moved_out: dt.date | None
    reason: str

    @staticmethod
    def resolve_relation_label(obj) -> str:
        return str(obj.get_relation_display())

    @staticmethod
    def resolve_residency_label(obj) -> str:
        return str(obj.get_residency_display())


class PersonListOut(Schema):
    """One row of the list; masking happens here, not in the client."""

    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    id_type: str
    id_number_masked: str
    phone_masked: str
    household_id: int | None
    last_household_id: int
    status: str
    status_date: dt.date | None

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class PersonOut(PersonListOut):
    """One person: the view dresses it with ``address``, ``tag_list``
    (current and past) and ``membership_list`` (newest stay first)."""

    address: str
    note: str
    tags: list[PersonTagOut]
    memberships: list[MembershipOut]

    @staticmethod
    def resolve_tags(obj) -> list:
        return obj.tag_list

    @staticmethod
    def resolve_memberships(obj) -> list:
        return obj.membership_list


class PersonCreateIn(Schema):
    household_id: int
    name: str = Field(..., json_schema_extra={"maxLength": NAME_MAX_LENGTH})
    relation: str
    residency: str
    moved_in: dt.date | None = None
    gender: str | None = None
    birth_date: dt.date | None = None
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    note: str = ""


class PersonUpdateIn(Schema):
    """Only the fields sent change; omit a field to keep it."""

    name: str | None = Field(None, json_schema_extra={"maxLength": NAME_MAX_LENGTH})
    gender: str | None = None
    birth_date: dt.date | None = None
    id_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    note: str | None = None


class MoveOutIn(Schema):
    date: dt.date
    reason: str = Field("", max_length=200)


class MoveInIn(Schema):
    household_id: int
    relation: str
    residency: str
    date: dt.date


class DeathIn(Schema):
    date: dt.date


class RevealIn(Schema):
    field: Literal["id_number", "phone"]


class RevealOut(Schema):
    field: str
    value: str


class PersonTagIn(Schema):
    tag_id: int
    start: dt.date
    grade: int | None = None
    note: str = Field("", max_length=200)


class PersonTagEndIn(Schema):
    end: dt.date


class HouseholdMemberOut(Schema):
    person: PersonListOut
    relation: str
    relation_label: str
    residency: str
    residency_label: str
    moved_in: dt.date


class HouseholdOut(Schema):
    id: int
    name: str
    address: str
    members: list[HouseholdMemberOut]
