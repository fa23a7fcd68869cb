"""Grid care: care plans, visits with photos, incidents and their timeline,
pairing aid. Every service checks everything first and writes after, so a
refusal changes nothing; visits and incidents are written to the audit
trail, and an incident's timeline is only ever appended to.

A need raised on a visit may be meant to become a service request:
``visit_record`` keeps the need on the visit and records the wish in the
audit event's detail (``"request_wanted": true``); ``Visit.service_request``
stays empty until the requests app turns the need into a request and links
it through ``visit_request_link``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.core.photos import photo_check

from ..models import (
    CarePlan,
    Incident,
    IncidentEvent,
    IncidentKind,
    Pairing,
    PairingDelivery,
    Person,
    PersonStatus,
    TagType,
    Visit,
    VisitForm,
    VisitPhoto,
)
from .changes import INCIDENT, VISIT, residents_changed
from .people import tag_types_for

if TYPE_CHECKING:
    from gongzhi.accounts.models import User

MAX_PHOTOS = 9
TEXT_MAX = 2000
MAX_PLAN_DAYS = 3650
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=10)


class CallTo:
    """Whom a responder called."""

    CHOICES = [
        ("120", gettext_lazy("120 ambulance")),
        ("110", gettext_lazy("110 police")),
        ("119", gettext_lazy("119 fire")),
        ("family", gettext_lazy("Family")),
        ("other", gettext_lazy("Other")),
    ]
    VALUES = {value for value, _label in CHOICES}

    @classmethod
    def label(cls, value: str) -> str:
        return str(dict(cls.CHOICES).get(value, value))


def _today() -> dt.date:
    return timezone.localdate()


def _require(by: User, area: Area, perm: str = Perm.CARE_RECORD) -> None:
    if not in_scope(by, area, perm):
        raise NotAllowed(_("You may not record care here."))


def _text(value: str | None, *, field: str, label: str, required=False, limit=None):
    value = (value or "").strip()
    limit = limit or TEXT_MAX
    if required and not value:
        raise ValidationFailed(_("Fill in %(label)s.") % {"label": label}, field=field)
    if len(value) > limit:
        raise ValidationFailed(
            _("%(label)s can have at most %(max)d characters (this has %(n)d).")
            % {"label": label, "max": limit, "n": len(value)},
            field=field,
        )
    return value


def _not_future(value: dt.date | None, *, field: str) -> dt.date:
    if value is None:
        raise ValidationFailed(_("Enter the date."), field=field)
    if value > _today():
        raise ValidationFailed(_("This date is in the future."), field=field)
    return value


# Care plans


@transaction.atomic
def care_plan_set(
    *, area: Area, tag: TagType, visit_every_days: int | None, by: User
) -> CarePlan | None:
    """Set how often people with ``tag`` are visited under ``area``, or
    with None remove the area's own plan so the one above applies."""
    _require(by, area, Perm.TAG_CONFIGURE)
    if area.kind == Kind.HOUSEHOLD:
        raise ValidationFailed(
            _("Care plans are set for an area, not for one household."), field="area"
        )
    if not tag_types_for(area=area).filter(pk=tag.pk).exists():
        raise ValidationFailed(_("This tag is not used here."), field="tag")
    if visit_every_days is None:
        CarePlan.objects.filter(area=area, tag=tag).delete()
        return None
    if not 1 <= visit_every_days <= MAX_PLAN_DAYS:
        raise ValidationFailed(
            _("Visit every 1 to %(max)d days.") % {"max": MAX_PLAN_DAYS},
            field="visit_every_days",
        )
    plan, _created = CarePlan.objects.update_or_create(
        area=area, tag=tag, defaults={"visit_every_days": visit_every_days}
    )
    return plan


@transaction.atomic
def care_plans_save(
    *, area: Area, intervals: dict[TagType, int | None], by: User
) -> int:
    """Set several tags' plans on ``area`` at once; all or nothing."""
    for tag, days in intervals.items():
        try:
            care_plan_set(area=area, tag=tag, visit_every_days=days, by=by)
        except ValidationFailed as exc:
            if exc.field == "visit_every_days":
                exc.field = f"tag_{tag.pk}"
            raise
    return len(intervals)


# Visits


def _clean_incident(incident: Incident | None, person: Person) -> Incident | None:
    if incident is None:
        return None
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    home = person.household.path
    if incident.person_id != person.pk and not (
        incident.person_id is None and home.startswith(incident.area.path)
    ):
        raise ValidationFailed(
            _("This incident is not about %(name)s.") % {"name": person.name},
            field="incident",
        )
    return incident


@transaction.atomic
def visit_record(
    *,
    person: Person,
    by: User,
    visited_on: dt.date,
    form: str,
    findings: str = "",
    needs: str = "",
    photos=(),
    incident: Incident | None = None,
    request_wanted: bool = False,
    request=None,
) -> Visit:
    """Record a visit to ``person`` in their household, with photos.

    Refuses a visit that says nothing of what was found (an empty visit
    would count and drop the person from the due list), a date in the
    future or before the person was born, a person who no longer lives
    here, files that are not photos, and a request wish without a need.
    A visit following an incident clears the incident's follow-up and
    appends to its timeline. Audited.
    """
    person = (
        Person.objects.select_for_update(of=("self",))
        .select_related("household", "last_household")
        .get(pk=person.pk)
    )
    _require(by, person.last_household)
    if person.status != PersonStatus.ACTIVE or person.household is None:
        raise ValidationFailed(
            _("%(name)s no longer lives here.") % {"name": person.name},
            field="person",
        )
    visited_on = _not_future(visited_on, field="visited_on")
    if person.birth_date and visited_on < person.birth_date:
        raise ValidationFailed(
            _("The visit cannot be before %(name)s was born.") % {"name": person.name},
            field="visited_on",
        )
    if form not in VisitForm.values:
        raise ValidationFailed(_("Choose how the visit was made."), field="form")
    findings = _text(findings, field="findings", label=_("findings"), required=True)
    needs = _text(needs, field="needs", label=_("needs raised"))
    if request_wanted and not needs:
        raise ValidationFailed(
            _("Write down the need that should become a service request."),
            field="needs",
        )
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(max)d photos per visit.") % {"max": MAX_PHOTOS},
            field="photos",
        )
    extensions = [photo_check(photo) for photo in photos]
    incident = _clean_incident(incident, person)

    visit = Visit.objects.create(
        person=person,
        household=person.household,
        worker=by,
        visited_on=visited_on,
        form=form,
        findings=findings,
        needs=needs,
        incident=incident,
    )
    _store_photos(visit, photos, extensions)
    if incident is not None and incident.follow_up_due is not None:
        incident.follow_up_due = None
        incident.save(update_fields=["follow_up_due"])
        IncidentEvent.objects.create(
            incident=incident,
            by=by,
            note=_("Follow-up visit (%(form)s) on %(date)s.")
            % {"form": VisitForm(form).label, "date": visited_on.isoformat()},
        )
    audit_record(
        by=by,
        action=Action.VISIT_RECORDED,
        target=person,
        area=person.household,
        request=request,
        detail={
            "visit": visit.pk,
            "form": form,
            "photos": len(photos),
            "incident": incident.pk if incident else None,
            "request_wanted": bool(request_wanted),
        },
    )
    residents_changed(what=VISIT, area_ids=[visit.household_id], days=[visited_on])
    return visit


def visit_request_link(*, visit: Visit, service_request) -> Visit:
    """Link the service request a visit's need became (转为诉求) to the
    visit: what the visit's page then shows."""
    Visit.objects.filter(pk=visit.pk).update(service_request=service_request)
    visit.service_request = service_request
    return visit


@transaction.atomic
def visit_photos_add(*, visit: Visit, photos, by: User) -> list[VisitPhoto]:
    """Add photos to a visit after the fact (a phone uploads them one by
    one on a weak signal); at most ``MAX_PHOTOS`` per visit in all."""
    visit = (
        Visit.objects.select_for_update().select_related("household").get(pk=visit.pk)
    )
    _require(by, visit.household)
    photos = list(photos or ())
    if not photos:
        raise ValidationFailed(_("Choose the photos to add."), field="photos")
    if visit.photos.count() + len(photos) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(max)d photos per visit.") % {"max": MAX_PHOTOS},
            field="photos",
        )
    extensions = [photo_check(photo) for photo in photos]
    return _store_photos(visit, photos, extensions)


def _store_photos(visit: Visit, photos, extensions) -> list[VisitPhoto]:
    stored = []
    for upload, extension in zip(photos, extensions, strict=True):
        photo = VisitPhoto(visit=visit)
        photo.image.save(f"{uuid.uuid4().hex}.{extension}", upload, save=True)
        stored.append(photo)
    return stored


# Incidents


def _clean_call(call: dict, *, index: int) -> dict:
    field = f"calls.{index}"
    to = (call.get("to") or "").strip()
    if to not in CallTo.VALUES:
        raise ValidationFailed(_("Choose whom was called."), field=f"{field}.to")
    at = call.get("at")
    if at is None:
        raise ValidationFailed(_("Enter when the call was made."), field=f"{field}.at")
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed(_("This time is in the future."), field=f"{field}.at")
    note = _text(call.get("note"), field=f"{field}.note", label=_("note"), limit=200)
    return {"to": to, "at": at.isoformat(), "note": note}


def _call_line(call: dict) -> str:
    line = _("Called %(to)s.") % {"to": CallTo.label(call["to"])}
    return f"{line} {call['note']}".strip()


@transaction.atomic
def incident_record(
    *,
    by: User,
    area: Area,
    kind: str,
    occurred_at: dt.datetime,
    description: str,
    person: Person | None = None,
    responders: str = "",
    calls=(),
    outcome: str = "",
    request=None,
) -> Incident:
    """Record an emergency where it happened, with the calls made; a
    follow-up visit falls due the next day. The timeline starts with the
    record and each call at its own time. Audited."""
    _require(by, area)
    if person is not None:
        person = _incident_person(person, area=area, by=by)
    if kind not in IncidentKind.values:
        raise ValidationFailed(_("Choose what kind of emergency."), field="kind")
    if occurred_at is None:
        raise ValidationFailed(_("Enter when it happened."), field="occurred_at")
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)
    if occurred_at > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed(_("This time is in the future."), field="occurred_at")
    description = _text(
        description, field="description", label=_("what happened"), required=True
    )
    responders = _text(
        responders, field="responders", label=_("who responded"), limit=200
    )
    outcome = _text(outcome, field="outcome", label=_("outcome"))
    calls = [_clean_call(call, index=i) for i, call in enumerate(calls)]

    incident = Incident.objects.create(
        person=person,
        area=area,
        kind=kind,
        occurred_at=occurred_at,
        description=description,
        responders=responders,
        calls=calls,
        outcome=outcome,
        follow_up_due=timezone.localdate(occurred_at) + dt.timedelta(days=1),
        created_by=by,
    )
    events = [
        IncidentEvent(
            incident=incident,
            by=by,
            at=occurred_at,
            note=_("%(kind)s: %(what)s")
            % {"kind": IncidentKind(kind).label, "what": description},
        )
    ]
    events += [
        IncidentEvent(
            incident=incident,
            by=by,
            at=dt.datetime.fromisoformat(call["at"]),
            note=_call_line(call),
        )
        for call in calls
    ]
    if outcome:
        events.append(
            IncidentEvent(
                incident=incident,
                by=by,
                note=_("Outcome: %(outcome)s") % {"outcome": outcome},
            )
        )
    IncidentEvent.objects.bulk_create(events)
    audit_record(
        by=by,
        action=Action.INCIDENT_RECORDED,
        target=incident,
        area=area,
        request=request,
        detail={"kind": kind, "person": person.pk if person else None},
    )
    residents_changed(
        what=INCIDENT,
        area_ids=[area.pk],
        days=[timezone.localdate(occurred_at)],
    )
    return incident


def _incident_person(person: Person, *, area: Area, by: User) -> Person:
    """The person an incident under ``area`` is about: someone living there
    (in the household, or anywhere under the estate or building named),
    whose home the user records care for."""
    person = Person.objects.select_related("household", "last_household").get(
        pk=person.pk
    )
    _require(by, person.last_household)
    home = person.household
    if (
        person.status != PersonStatus.ACTIVE
        or home is None
        or not home.path.startswith(area.path)
    ):
        raise ValidationFailed(
            _("%(name)s does not live where this happened.") % {"name": person.name},
            field="person",
        )
    return person


@transaction.atomic
def incident_person_set(*, incident: Incident, person: Person, by: User) -> Incident:
    """Name the person an incident recorded without one was about, so its
    follow-up visit joins that person on the due list. Refuses an incident
    that names someone already, or a person living elsewhere. Appended to
    the timeline; audited."""
    incident = _open_incident(incident, by, closed_ok=True)
    if incident.person_id is not None:
        raise TransitionNotAllowed(
            _("This incident already names the person it was about."),
            field="person",
        )
    person = _incident_person(person, area=incident.area, by=by)
    incident.person = person
    incident.save(update_fields=["person"])
    IncidentEvent.objects.create(
        incident=incident,
        by=by,
        note=_("It was about %(name)s.") % {"name": person.name},
    )
    audit_record(
        by=by,
        action=Action.INCIDENT_RECORDED,
        target=incident,
        area=incident.area,
        detail={"person": person.pk},
    )
    return incident


def _open_incident(incident: Incident, by: User, *, closed_ok=False) -> Incident:
    incident = (
        Incident.objects.select_for_update().select_related("area").get(pk=incident.pk)
    )
    _require(by, incident.area)
    if incident.closed_at is not None and not closed_ok:
        raise TransitionNotAllowed(
            _("This incident is closed; nothing more can be added."), field="incident"
        )
    return incident


@transaction.atomic
def incident_note_add(*, incident: Incident, by: User, note: str) -> IncidentEvent:
    """Append a note to an open incident's timeline."""
    incident = _open_incident(incident, by)
    note = _text(note, field="note", label=_("note"), required=True)
    return IncidentEvent.objects.create(incident=incident, by=by, note=note)


@transaction.atomic
def incident_call_add(
    *, incident: Incident, by: User, to: str, at: dt.datetime, note: str = ""
) -> IncidentEvent:
    """Add a call to an open incident and to its timeline, at its time."""
    incident = _open_incident(incident, by)
    try:
        call = _clean_call({"to": to, "at": at, "note": note}, index=0)
    except ValidationFailed as exc:
        exc.field = exc.field.rsplit(".", 1)[-1]
        raise
    incident.calls = [*incident.calls, call]
    incident.save(update_fields=["calls"])
    return IncidentEvent.objects.create(
        incident=incident,
        by=by,
        at=dt.datetime.fromisoformat(call["at"]),
        note=_call_line(call),
    )


@transaction.atomic
def incident_outcome_record(
    *, incident: Incident, by: User, outcome: str
) -> IncidentEvent:
    """Record (or restate) how an open incident ended; the earlier outcome
    stays on the timeline."""
    incident = _open_incident(incident, by)
    outcome = _text(outcome, field="outcome", label=_("outcome"), required=True)
    incident.outcome = outcome
    incident.save(update_fields=["outcome"])
    return IncidentEvent.objects.create(
        incident=incident, by=by, note=_("Outcome: %(outcome)s") % {"outcome": outcome}
    )


@transaction.atomic
def incident_close(*, incident: Incident, by: User, note: str = "") -> Incident:
    """Close an incident. A follow-up visit still due stays due: the
    person is visited whatever the paperwork says."""
    incident = _open_incident(incident, by)
    note = _text(note, field="note", label=_("note"))
    incident.closed_at = timezone.now()
    incident.save(update_fields=["closed_at"])
    IncidentEvent.objects.create(
        incident=incident,
        by=by,
        note=f"{_('Closed.')} {note}".strip(),
    )
    audit_record(
        by=by,
        action=Action.INCIDENT_RECORDED,
        target=incident,
        area=incident.area,
        detail={"closed": True},
    )
    return incident


# Pairing aid


@transaction.atomic
def pairing_create(
    *,
    household: Area,
    partner_name: str,
    started_on: dt.date,
    by: User,
    partner_user: User | None = None,
    note: str = "",
) -> Pairing:
    """Pair a household with a co-building unit or a volunteer."""
    _require(by, household)
    if household.kind != Kind.HOUSEHOLD:
        raise ValidationFailed(_("Choose a household."), field="household")
    partner_name = _text(
        partner_name, field="partner_name", label=_("partner"), required=True, limit=100
    )
    started_on = _not_future(started_on, field="started_on")
    note = _text(note, field="note", label=_("note"), limit=200)
    if Pairing.objects.filter(
        household=household, partner_name=partner_name, ended_on__isnull=True
    ).exists():
        raise ValidationFailed(
            _("%(partner)s is already paired with this household.")
            % {"partner": partner_name},
            field="partner_name",
        )
    return Pairing.objects.create(
        household=household,
        partner_name=partner_name,
        partner_user=partner_user,
        started_on=started_on,
        note=note,
    )


def _current_pairing(pairing: Pairing, by: User) -> Pairing:
    pairing = (
        Pairing.objects.select_for_update()
        .select_related("household")
        .get(pk=pairing.pk)
    )
    _require(by, pairing.household)
    if pairing.ended_on is not None:
        raise TransitionNotAllowed(_("This pairing has ended."), field="pairing")
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, ended_on: dt.date, by: User) -> Pairing:
    pairing = _current_pairing(pairing, by)
    ended_on = _not_future(ended_on, field="ended_on")
    if ended_on < pairing.started_on:
        raise ValidationFailed(
            _("The end comes before the start (%(date)s).")
            % {"date": pairing.started_on.isoformat()},
            field="ended_on",
        )
    pairing.ended_on = ended_on
    pairing.save(update_fields=["ended_on"])
    return pairing


@transaction.atomic
def pairing_delivery_record(
    *, pairing: Pairing, delivered_on: dt.date, what: str, by: User
) -> PairingDelivery:
    """Record what a partner delivered (冬季慰问品 …) to its household."""
    pairing = _current_pairing(pairing, by)
    what = _text(
        what, field="what", label=_("what was delivered"), required=True, limit=200
    )
    delivered_on = _not_future(delivered_on, field="delivered_on")
    if delivered_on < pairing.started_on:
        raise ValidationFailed(
            _("The pairing started on %(date)s.")
            % {"date": pairing.started_on.isoformat()},
            field="delivered_on",
        )
    return PairingDelivery.objects.create(
        pairing=pairing, delivered_on=delivered_on, what=what, recorded_by=by
    )
