"""Schemas of the care endpoints. People appear by id and name only: no
ID or phone number, masked or not, travels with care records."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class DueOut(Schema):
    person_id: int | None
    name: str | None
    address: str
    tags: list[str]
    visit_every_days: int | None
    last_visit: dt.date | None
    due_on: dt.date | None
    days_overdue: int
    incident_id: int | None = Field(
        None, description="Set when this is an incident's follow-up visit"
    )


class PhotoOut(Schema):
    id: int
    url: str


class VisitOut(Schema):
    id: int
    person_id: int
    person_name: str
    household_id: int
    visited_on: dt.date
    form: str
    findings: str
    needs: str
    worker: str
    incident_id: int | None
    service_request_id: int | None = Field(
        None, description="The service request the need became, once linked"
    )
    photos: list[PhotoOut]
    created_at: dt.datetime


class VisitIn(Schema):
    person_id: int
    visited_on: dt.date
    form: str = Field(description="home, phone or video")
    findings: str = Field("", description="What was found: required")
    needs: str = ""
    incident_id: int | None = None
    request_wanted: bool = Field(
        False, description="Keep the need for a service request"
    )


class CallIn(Schema):
    to: str = Field(description="120, 110, 119, family or other")
    at: dt.datetime
    note: str = ""


class CallOut(Schema):
    to: str
    at: str
    note: str


class EventOut(Schema):
    id: int
    at: dt.datetime
    by: str
    note: str


class IncidentIn(Schema):
    area_id: int = Field(description="Where: a household or any area in scope")
    person_id: int | None = None
    kind: str
    occurred_at: dt.datetime
    description: str
    responders: str = ""
    calls: list[CallIn] = []
    outcome: str = ""


class IncidentOut(Schema):
    id: int
    kind: str
    person_id: int | None
    person_name: str | None
    area_id: int
    address: str
    occurred_at: dt.datetime
    description: str
    responders: str
    calls: list[CallOut]
    outcome: str
    follow_up_due: dt.date | None
    closed_at: dt.datetime | None
    created_by: str


class IncidentDetailOut(IncidentOut):
    timeline: list[EventOut]
    follow_up_visits: list[int]


class IncidentEventIn(Schema):
    type: str = Field(description="note, call or outcome")
    text: str = Field("", description="The note, or the outcome")
    to: str | None = Field(None, description="For a call: whom")
    at: dt.datetime | None = Field(None, description="For a call: when")


class CloseIn(Schema):
    note: str = ""


class DeliveryOut(Schema):
    id: int
    delivered_on: dt.date
    what: str
    recorded_by: str


class PairingIn(Schema):
    household_id: int
    partner_name: str
    partner_phone: str = Field("", description="The partner's account, if any")
    started_on: dt.date
    note: str = ""


class PairingOut(Schema):
    id: int
    household_id: int
    address: str
    partner_name: str
    partner_user_id: int | None
    started_on: dt.date
    ended_on: dt.date | None
    note: str
    deliveries: list[DeliveryOut]


class DeliveryIn(Schema):
    what: str
    delivered_on: dt.date


class PairingEndIn(Schema):
    ended_on: dt.date


class CarePlanOut(Schema):
    tag_id: int
    tag: str
    default_days: int | None
    inherited_days: int | None = Field(
        None, description="The plan of the nearest area above"
    )
    inherited_from: int | None = Field(None, description="That area's id")
    days: int | None = Field(None, description="The plan set on this area")


class CarePlanItem(Schema):
    tag_id: int
    days: int | None = Field(description="None removes this area's own plan")


class CarePlansIn(Schema):
    area_id: int
    plans: list[CarePlanItem]
