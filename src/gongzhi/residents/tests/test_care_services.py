"""Care plans, the due list, visits with photos, incidents, pairing aid."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.audit.models import Action, Event
from gongzhi.core import photos
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.residents.models import (
    CarePlan,
    Incident,
    IncidentEvent,
    IncidentKind,
    Person,
    PersonTag,
    TagType,
    Visit,
    VisitForm,
    VisitPhoto,
)
from gongzhi.residents.selectors import care as selectors
from gongzhi.residents.services import care as services

TODAY = timezone.localdate()


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def tag(code: str) -> TagType:
    return TagType.objects.get(code=code, street=None)


def give(person: Person, *codes: str, start: dt.date | None = None) -> None:
    """Replace the person's tags with ``codes``, all started ``start``."""
    PersonTag.objects.filter(person=person).delete()
    for code in codes:
        PersonTag.objects.create(
            person=person, tag=tag(code), start=start or days_ago(20)
        )


def png(size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return SimpleUploadedFile("门口.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def liu(demo_people, areas):
    """刘振华, 77, the demo resident's husband in 101, now living alone."""
    person = Person.objects.get(household=areas["household"], name="刘振华")
    give(person, "alone_elderly")
    return person


@pytest.fixture
def grid_people(liu, areas):
    """Nobody else in the grid is due: only the people a test tags."""
    PersonTag.objects.filter(
        person__household__path__startswith=areas["grid"].path
    ).exclude(person=liu).delete()
    return liu


def visit(person, by, *, on=TODAY, **kwargs) -> Visit:
    kwargs.setdefault("findings", "精神不错")
    return services.visit_record(
        person=person, by=by, visited_on=on, form=VisitForm.HOME, **kwargs
    )


def interval_of(person) -> int | None:
    return selectors.person_care_status(person=person).interval


# Interval resolution


def test_a_tags_default_sets_the_interval(liu):
    assert interval_of(liu) == 7  # 独居老人 weekly


def test_an_area_plan_overrides_the_tags_default(liu, areas):
    CarePlan.objects.create(
        area=areas["community"], tag=tag("alone_elderly"), visit_every_days=10
    )
    assert interval_of(liu) == 10


def test_the_deepest_plan_wins(liu, areas):
    alone = tag("alone_elderly")
    CarePlan.objects.create(area=areas["street"], tag=alone, visit_every_days=3)
    CarePlan.objects.create(area=areas["community"], tag=alone, visit_every_days=10)
    CarePlan.objects.create(area=areas["grid"], tag=alone, visit_every_days=5)
    CarePlan.objects.create(area=areas["sibling_grid"], tag=alone, visit_every_days=2)
    assert interval_of(liu) == 5


def test_the_smallest_interval_among_the_tags_wins(liu, areas):
    give(liu, "dibao", "disabled")
    assert interval_of(liu) == 30  # 残疾人 monthly beats 低保户 quarterly
    CarePlan.objects.create(
        area=areas["grid"], tag=tag("disabled"), visit_every_days=120
    )
    assert interval_of(liu) == 90


def test_a_tag_without_a_schedule_gets_one_from_a_plan(liu, areas):
    give(liu, "veteran")
    assert interval_of(liu) is None
    CarePlan.objects.create(
        area=areas["estate"], tag=tag("veteran"), visit_every_days=60
    )
    assert interval_of(liu) == 60


# The due list


def test_never_visited_is_due_since_the_tag_started(grid_people, users):
    row = selectors.care_due(user=users["grid_worker"])[0]
    assert row.person_id == grid_people.pk
    assert row.never_visited
    assert row.due_on == days_ago(20)
    assert row.days_overdue == 20


def test_most_overdue_comes_first_and_the_recently_visited_are_not_due(
    grid_people, users, areas
):
    worker = users["grid_worker"]
    wife = Person.objects.get(household=areas["household"], name="周桂兰")
    neighbour = Person.objects.filter(household=areas["neighbour_household"]).first()
    give(wife, "dibao", start=days_ago(400))  # quarterly
    give(neighbour, "disabled", start=days_ago(400))  # monthly
    visit(wife, worker, on=days_ago(100))  # 10 days overdue
    visit(neighbour, worker, on=days_ago(35))  # 5 days overdue
    visit(grid_people, worker, on=days_ago(2))  # visited: not due
    rows = selectors.care_due(user=worker)
    assert [(r.person_id, r.days_overdue) for r in rows] == [
        (wife.pk, 10),
        (neighbour.pk, 5),
    ]


def test_due_list_filters_by_tag_and_stays_inside_the_scope(grid_people, users):
    worker = users["grid_worker"]
    assert selectors.care_due(user=worker, tag=tag("dibao").pk) == []
    alone = selectors.care_due(user=worker, tag=tag("alone_elderly").pk)
    assert [row.person_id for row in alone] == [grid_people.pk]
    elsewhere = selectors.care_due(user=users["other_grid_worker"])
    assert elsewhere  # the other grid has its own people due
    assert grid_people.pk not in {row.person_id for row in elsewhere}


def test_due_list_reads_in_a_fixed_number_of_queries(
    demo_people, users, django_assert_max_num_queries
):
    worker = users["secretary"]
    selectors.care_due(user=worker)  # grants cached on the user
    with django_assert_max_num_queries(5):
        rows = selectors.care_due(user=worker)
    assert len(rows) > 20
    with django_assert_max_num_queries(4):
        selectors.care_due_dress(rows=rows[:30])


# Visits


def test_a_visit_is_recorded_and_audited(liu, users):
    record = visit(liu, users["grid_worker"], findings="身体还好", needs="想装扶手")
    assert record.household == liu.household
    assert Event.objects.filter(
        action=Action.VISIT_RECORDED, target_id=str(liu.pk)
    ).exists()
    assert selectors.person_care_status(person=liu).next_due == TODAY + dt.timedelta(
        days=7
    )


def test_a_visit_dated_in_the_future_is_refused_and_nothing_is_written(liu, users):
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"], on=TODAY + dt.timedelta(days=1))
    assert refused.value.field == "visited_on"
    assert not Visit.objects.filter(person=liu).exists()


def test_a_visit_before_the_person_was_born_is_refused(liu, users):
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"], on=liu.birth_date - dt.timedelta(days=1))
    assert refused.value.field == "visited_on"


def test_a_need_for_a_service_request_must_be_written_down(liu, users):
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"], request_wanted=True)
    assert refused.value.field == "needs"
    record = visit(liu, users["grid_worker"], needs="换灯泡", request_wanted=True)
    assert record.service_request_id is None  # the requests app links it
    event = Event.objects.get(action=Action.VISIT_RECORDED)
    assert event.detail["request_wanted"] is True


def test_only_care_recorders_of_the_place_record_visits(liu, users):
    for key in ("other_grid_worker", "street_manager", "unit"):
        with pytest.raises(NotAllowed):
            visit(liu, users[key])
    assert visit(liu, users["building_leader"]).pk


def test_photos_are_stored_under_a_name_of_their_own(liu, users, tmp_path):
    record = visit(liu, users["grid_worker"], photos=[png(), png()])
    photos = list(record.photos.all())
    assert len(photos) == 2
    assert all(p.image.name.endswith(".png") for p in photos)
    assert "门口" not in photos[0].image.name
    assert (tmp_path / photos[0].image.name).exists()


def test_a_photo_that_is_not_an_image_is_refused(liu, users):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", "image/jpeg")
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"], photos=[png(), fake])
    assert refused.value.field == "photos"
    assert "photo.jpg" in str(refused.value.message)
    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(liu, users, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 50)
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"], photos=[png()])
    assert refused.value.field == "photos"


def test_a_person_who_moved_out_is_not_visited(liu, users):
    Person.objects.filter(pk=liu.pk).update(status="moved_out", household=None)
    with pytest.raises(ValidationFailed) as refused:
        visit(liu, users["grid_worker"])
    assert refused.value.field == "person"


# Incidents


def fall(person, by, **kwargs) -> Incident:
    """久华里: he falls at home at nine; the grid worker calls 120, then his
    children."""
    at = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    if at > timezone.now():
        at -= dt.timedelta(days=1)
    return services.incident_record(
        by=by,
        area=kwargs.pop("area", person.household),
        person=person,
        kind=IncidentKind.FALL,
        occurred_at=at,
        description="老人在家中摔倒，无法起身，伴有呕吐",
        responders="网格员两人",
        calls=[
            {"to": "120", "at": at + dt.timedelta(minutes=5), "note": ""},
            {
                "to": "family",
                "at": at + dt.timedelta(minutes=8),
                "note": "子女直接去医院",
            },
        ],
        **kwargs,
    )


def test_an_incident_schedules_a_follow_up_at_the_top_of_the_due_list(
    grid_people, users, areas
):
    worker = users["grid_worker"]
    wife = Person.objects.get(household=areas["household"], name="周桂兰")
    give(wife, "dibao", start=days_ago(400))  # far more overdue than he is
    visit(grid_people, worker)  # he is not due for his plan
    incident = fall(grid_people, worker)
    assert incident.follow_up_due == timezone.localdate(
        incident.occurred_at
    ) + dt.timedelta(days=1)
    assert Event.objects.filter(action=Action.INCIDENT_RECORDED).count() == 1
    rows = selectors.care_due(user=worker)
    assert rows[0].person_id == grid_people.pk
    assert rows[0].incident_id == incident.pk
    assert rows[0].follow_up_late == (TODAY - incident.follow_up_due).days
    assert rows[1].person_id == wife.pk
    notes = list(incident.events.values_list("note", flat=True))
    assert len(notes) == 3  # the fall, the 120 call, the call to the family
    assert "120" in notes[1]


def test_the_follow_up_visit_clears_the_follow_up(grid_people, users):
    worker = users["grid_worker"]
    incident = fall(grid_people, worker)
    before = incident.events.count()
    visit(grid_people, worker, incident=incident, findings="老人已能行走")
    incident.refresh_from_db()
    assert incident.follow_up_due is None
    assert incident.follow_ups.count() == 1
    assert incident.events.count() == before + 1
    assert all(row.incident_id is None for row in selectors.care_due(user=worker))


def test_a_follow_up_visit_must_concern_the_incidents_person(liu, users, areas):
    worker = users["grid_worker"]
    incident = fall(liu, worker)
    neighbour = Person.objects.filter(household=areas["neighbour_household"]).first()
    with pytest.raises(ValidationFailed) as refused:
        visit(neighbour, worker, incident=incident)
    assert refused.value.field == "incident"


def test_an_incident_in_the_future_or_without_description_is_refused(liu, users):
    with pytest.raises(ValidationFailed) as refused:
        services.incident_record(
            by=users["grid_worker"],
            area=liu.household,
            kind=IncidentKind.FALL,
            occurred_at=timezone.now() + dt.timedelta(hours=2),
            description="x",
        )
    assert refused.value.field == "occurred_at"
    with pytest.raises(ValidationFailed) as refused:
        services.incident_record(
            by=users["grid_worker"],
            area=liu.household,
            kind=IncidentKind.FALL,
            occurred_at=timezone.now(),
            description="  ",
        )
    assert refused.value.field == "description"
    with pytest.raises(ValidationFailed) as refused:
        fall(liu, users["grid_worker"], outcome="x" * 2001)
    assert refused.value.field == "outcome"
    assert not Incident.objects.exists()


def test_the_timeline_is_only_appended_to(liu, users):
    worker = users["grid_worker"]
    incident = fall(liu, worker)
    first = list(incident.events.values_list("pk", "note", "at"))
    services.incident_note_add(incident=incident, by=worker, note="已送往医院")
    services.incident_call_add(
        incident=incident, by=worker, to="110", at=timezone.now(), note=""
    )
    services.incident_outcome_record(
        incident=incident, by=worker, outcome="当晚回家，恢复良好"
    )
    services.incident_outcome_record(incident=incident, by=worker, outcome="已康复")
    services.incident_close(incident=incident, by=worker)
    events = list(incident.events.values_list("pk", "note", "at"))
    assert events[: len(first)] == first  # nothing earlier changed
    assert len(events) == len(first) + 5
    notes = [note for _, note, _ in events]
    assert any("当晚回家" in note for note in notes)  # the earlier outcome stays
    incident.refresh_from_db()
    assert incident.outcome == "已康复"
    assert len(incident.calls) == 3
    with pytest.raises(TransitionNotAllowed):
        services.incident_note_add(incident=incident, by=worker, note="再补充")
    assert IncidentEvent.objects.filter(incident=incident).count() == len(events)


# Care plans


def test_care_plans_are_set_by_tag_configurers_only(demo_people, users, areas):
    alone = tag("alone_elderly")
    with pytest.raises(NotAllowed):
        services.care_plan_set(
            area=areas["grid"], tag=alone, visit_every_days=3, by=users["secretary"]
        )
    plan = services.care_plan_set(
        area=areas["grid"], tag=alone, visit_every_days=3, by=users["street_manager"]
    )
    assert plan.visit_every_days == 3
    with pytest.raises(ValidationFailed) as refused:
        services.care_plan_set(
            area=areas["grid"],
            tag=alone,
            visit_every_days=0,
            by=users["street_manager"],
        )
    assert refused.value.field == "visit_every_days"
    with pytest.raises(ValidationFailed):
        services.care_plan_set(
            area=areas["household"],
            tag=alone,
            visit_every_days=3,
            by=users["street_manager"],
        )
    services.care_plan_set(
        area=areas["grid"], tag=alone, visit_every_days=None, by=users["street_manager"]
    )
    assert not CarePlan.objects.exists()


# Pairing aid


def test_a_pairing_records_deliveries_until_it_ends(demo_people, users, areas):
    worker = users["grid_worker"]
    pairing = services.pairing_create(
        household=areas["household"],
        partner_name="天津民航大学",
        started_on=days_ago(60),
        by=worker,
    )
    delivery = services.pairing_delivery_record(
        pairing=pairing, delivered_on=days_ago(3), what="冬季慰问品", by=worker
    )
    assert delivery.what == "冬季慰问品"
    with pytest.raises(ValidationFailed) as refused:
        services.pairing_delivery_record(
            pairing=pairing, delivered_on=days_ago(90), what="米面油", by=worker
        )
    assert refused.value.field == "delivered_on"
    with pytest.raises(ValidationFailed):
        services.pairing_create(
            household=areas["household"],
            partner_name="天津民航大学",
            started_on=TODAY,
            by=worker,
        )
    services.pairing_end(pairing=pairing, ended_on=TODAY, by=worker)
    with pytest.raises(TransitionNotAllowed):
        services.pairing_delivery_record(
            pairing=pairing, delivered_on=TODAY, what="米面油", by=worker
        )
    with pytest.raises(NotAllowed):
        services.pairing_create(
            household=areas["household"],
            partner_name="志愿者",
            started_on=TODAY,
            by=users["other_grid_worker"],
        )


@pytest.mark.parametrize("findings", ["", "   \n "])
def test_a_visit_without_findings_is_refused_and_keeps_the_person_due(
    grid_people, users, findings
):
    worker = users["grid_worker"]
    with pytest.raises(ValidationFailed) as refused:
        visit(grid_people, worker, findings=findings)
    assert refused.value.field == "findings"
    assert not Visit.objects.exists()
    due = selectors.care_due(user=worker)
    assert grid_people.pk in {row.person_id for row in due}


def test_an_incident_cannot_name_someone_living_elsewhere(liu, users, areas):
    worker = users["grid_worker"]
    before = Incident.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        fall(liu, worker, area=areas["neighbour_household"])
    assert refused.value.field == "person"
    assert Incident.objects.count() == before


def test_naming_the_person_moves_the_follow_up_onto_their_row(
    grid_people, users, areas
):
    """An incident recorded at the building without a name heads the list
    as "nobody named yet"; once named, it is that person's follow-up."""
    worker = users["grid_worker"]
    visit(grid_people, worker)  # not due for his plan
    incident = fall(grid_people, worker, area=areas["building"])
    Incident.objects.filter(pk=incident.pk).update(person=None)
    incident.refresh_from_db()
    unnamed = [r for r in selectors.care_due(user=worker) if r.follow_up]
    assert [(r.person_id, r.incident_id) for r in unnamed] == [(None, incident.pk)]

    services.incident_person_set(incident=incident, person=grid_people, by=worker)
    rows = [r for r in selectors.care_due(user=worker) if r.follow_up]
    assert [(r.person_id, r.incident_id) for r in rows] == [
        (grid_people.pk, incident.pk)
    ]
    assert rows[0].last_visit == TODAY  # his visits, not "never visited"
    assert "刘振华" in incident.events.last().note
    with pytest.raises(TransitionNotAllowed):
        services.incident_person_set(incident=incident, person=grid_people, by=worker)


def test_naming_someone_from_another_household_is_refused(grid_people, users, areas):
    worker = users["grid_worker"]
    incident = fall(grid_people, worker)  # at his home
    Incident.objects.filter(pk=incident.pk).update(person=None)
    neighbour = Person.objects.filter(household=areas["neighbour_household"]).first()
    with pytest.raises(ValidationFailed) as refused:
        services.incident_person_set(incident=incident, person=neighbour, by=worker)
    assert refused.value.field == "person"
    incident.refresh_from_db()
    assert incident.person_id is None
