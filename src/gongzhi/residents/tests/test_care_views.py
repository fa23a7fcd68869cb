"""The care pages: the due list and the visit form on a phone, incidents,
pairing aid, care plans, photos served only in scope.

UI labels are compared with their translation in the default language
(``zh``), the data (names, addresses, tags) as the users read them.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from gongzhi.audit.models import Action, Event
from gongzhi.residents.models import (
    CarePlan,
    Incident,
    Pairing,
    Person,
    PersonTag,
    TagType,
    Visit,
)

TODAY = timezone.localdate()


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def liu(demo_people, areas):
    """刘振华 of 101, living alone, never visited, tagged 30 days ago; the
    only one due in the grid."""
    PersonTag.objects.filter(
        person__household__path__startswith=areas["grid"].path
    ).delete()
    person = Person.objects.get(household=areas["household"], name="刘振华")
    PersonTag.objects.create(
        person=person,
        tag=TagType.objects.get(code="alone_elderly", street=None),
        start=TODAY - dt.timedelta(days=30),
    )
    return person


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")


def test_due_list_shows_who_is_due_with_address_tags_and_days(client, users, liu):
    client.force_login(users["grid_worker"])
    response = client.get(reverse("residents:care_due"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "刘振华" in text
    assert "航院小区 1号楼 1单元 101" in text
    assert "独居老人" in text
    assert zh("Record a visit") in text
    assert f"?person={liu.pk}" in text


def test_due_list_refuses_a_grid_out_of_reach(client, users, liu, areas):
    client.force_login(users["grid_worker"])
    url = reverse("residents:care_due")
    assert client.get(f"{url}?area={areas['other_grid'].pk}").status_code == 404
    assert client.get(f"{url}?area={areas['building'].pk}").status_code == 200


def test_due_list_is_not_for_roles_without_care(client, users, liu):
    client.force_login(users["street_manager"])
    assert client.get(reverse("residents:care_due")).status_code == 404


def test_recording_a_visit_goes_back_to_the_due_list(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:visit_create')}?person={liu.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{TODAY.isoformat()}"' in page.content.decode()  # today
    response = client.post(
        url,
        {
            "form": "home",
            "visited_on": TODAY.isoformat(),
            "findings": "精神不错",
            "photos": [png()],
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("residents:care_due")
    text = response.content.decode()
    assert (zh("Visit to %(name)s recorded.") % {"name": "刘振华"}) in text
    assert all(r.person_id != liu.pk for r in response.context["page"].object_list)
    visit = Visit.objects.get(person=liu)
    assert visit.photos.count() == 1
    assert Event.objects.filter(action=Action.VISIT_RECORDED).exists()


def test_a_visit_in_the_future_is_refused_on_the_date_field(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:visit_create')}?person={liu.pk}"
    response = client.post(
        url,
        {
            "form": "home",
            "visited_on": (TODAY + dt.timedelta(days=1)).isoformat(),
            "findings": "精神不错",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["visited_on"]
    assert not Visit.objects.exists()


def test_a_file_that_is_no_photo_is_refused(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:visit_create')}?person={liu.pk}"
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 no image", content_type="image/jpeg")
    response = client.post(
        url,
        {
            "form": "home",
            "visited_on": TODAY.isoformat(),
            "findings": "精神不错",
            "photos": [fake],
        },
    )
    assert response.status_code == 400
    assert "x.jpg" in response.context["form"].errors["photos"][0]
    assert not Visit.objects.exists()


def test_visit_form_for_a_person_out_of_reach_is_not_found(client, users, liu):
    client.force_login(users["other_grid_worker"])
    url = f"{reverse('residents:visit_create')}?person={liu.pk}"
    assert client.get(url).status_code == 404


def test_photos_are_served_only_in_scope(client, users, liu):
    client.force_login(users["grid_worker"])
    client.post(
        f"{reverse('residents:visit_create')}?person={liu.pk}",
        {
            "form": "phone",
            "visited_on": TODAY.isoformat(),
            "findings": "电话里说都好",
            "photos": [png()],
        },
    )
    visit = Visit.objects.get(person=liu)
    photo = visit.photos.get()
    url = reverse("residents:visit_photo", args=[visit.pk, photo.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    detail = client.get(reverse("residents:visit", args=[visit.pk]))
    assert url in detail.content.decode()
    client.force_login(users["other_grid_worker"])
    assert client.get(url).status_code == 404
    client.force_login(users["unit"])
    assert client.get(url).status_code == 404


def test_an_emergency_is_recorded_with_calls_and_heads_the_due_list(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:incident_create')}?person={liu.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "航院小区 1号楼 1单元 101" in page.content.decode()
    at = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        url,
        {
            "kind": "fall",
            "occurred_at": at.strftime("%Y-%m-%dT%H:%M"),
            "area": liu.household_id,
            "description": "在家中摔倒，无法起身",
            "responders": "网格员",
            "outcome": "",
            "calls-TOTAL_FORMS": "3",
            "calls-INITIAL_FORMS": "0",
            "calls-0-to": "120",
            "calls-0-at": at.strftime("%H:%M"),
            "calls-0-note": "",
            "calls-1-to": "family",
            "calls-1-at": at.strftime("%H:%M"),
            "calls-1-note": "女儿去医院",
        },
        follow=True,
    )
    incident = Incident.objects.get(person=liu)
    assert response.redirect_chain[-1][0] == reverse(
        "residents:incident", args=[incident.pk]
    )
    assert len(incident.calls) == 2
    text = response.content.decode()
    assert "女儿去医院" in text
    assert incident.follow_up_due == timezone.localdate(
        incident.occurred_at
    ) + dt.timedelta(days=1)
    due = client.get(reverse("residents:care_due"))
    first = due.context["page"].object_list[0]
    assert first.person_id == liu.pk and first.incident_id == incident.pk


def test_a_call_row_without_its_time_names_the_field(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:incident_create')}?person={liu.pk}"
    response = client.post(
        url,
        {
            "kind": "fall",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "area": liu.household_id,
            "description": "摔倒",
            "calls-TOTAL_FORMS": "3",
            "calls-INITIAL_FORMS": "0",
            "calls-0-to": "120",
        },
    )
    assert response.status_code == 400
    assert response.context["calls"].forms[0].errors["at"]
    assert not Incident.objects.exists()


def test_incident_timeline_grows_and_closing_stops_it(client, users, liu):
    client.force_login(users["grid_worker"])
    from gongzhi.residents.services.care import incident_record

    incident = incident_record(
        by=users["grid_worker"],
        area=liu.household,
        person=liu,
        kind="fall",
        occurred_at=timezone.now(),
        description="摔倒",
    )
    note_url = reverse("residents:incident_note", args=[incident.pk])
    assert client.post(note_url, {"note": "已送医"}).status_code == 302
    close_url = reverse("residents:incident_close", args=[incident.pk])
    assert client.post(close_url, {"note": ""}).status_code == 302
    response = client.post(note_url, {"note": "再补充"})
    assert response.status_code == 400
    assert incident.events.count() == 3
    page = client.get(reverse("residents:incident", args=[incident.pk]))
    assert "已送医" in page.content.decode()
    client.force_login(users["staff"])
    assert client.get(reverse("residents:incidents")).status_code == 200


def test_a_household_is_paired_and_a_delivery_recorded(client, users, liu, areas):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:pairing_create')}?person={liu.pk}"
    response = client.post(
        url,
        {
            "partner_name": "天津民航大学",
            "partner_phone": "",
            "started_on": TODAY.isoformat(),
            "note": "",
        },
    )
    pairing = Pairing.objects.get()
    assert response.status_code == 302
    assert pairing.household == areas["household"]
    deliver = reverse("residents:pairing_deliver", args=[pairing.pk])
    response = client.post(
        deliver, {"what": "冬季慰问品", "delivered_on": TODAY.isoformat()}
    )
    assert response.status_code == 302
    page = client.get(reverse("residents:pairing", args=[pairing.pk]))
    assert "冬季慰问品" in page.content.decode()
    bad = client.post(url, {"partner_name": "志愿者", "partner_phone": "12345"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["started_on"]


def test_street_manager_sets_a_weekly_plan_for_a_grid(client, users, liu, areas):
    client.force_login(users["street_manager"])
    url = f"{reverse('residents:care_plans')}?area={areas['grid'].pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert "独居老人" in page.content.decode()
    alone = TagType.objects.get(code="alone_elderly", street=None)
    response = client.post(url, {f"tag_{alone.pk}": "3"})
    assert response.status_code == 302
    assert CarePlan.objects.get(area=areas["grid"], tag=alone).visit_every_days == 3
    response = client.post(url, {f"tag_{alone.pk}": "0"})
    assert response.status_code == 400
    client.force_login(users["grid_worker"])
    assert client.get(url).status_code == 404


def test_person_care_summary_shows_schedule_and_links(client, users, liu):
    client.force_login(users["grid_worker"])
    response = client.get(reverse("residents:person_care", args=[liu.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "独居老人" in text
    assert f"{reverse('residents:visit_create')}?person={liu.pk}" in text
    assert f"{reverse('residents:incident_create')}?person={liu.pk}" in text
    client.force_login(users["other_grid_worker"])
    url = reverse("residents:person_care", args=[liu.pk])
    assert client.get(url).status_code == 404


def test_due_list_page_reads_in_few_queries(
    client, users, demo_people, django_assert_max_num_queries
):
    client.force_login(users["secretary"])
    client.get(reverse("residents:care_due"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("residents:care_due"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 30


def test_an_empty_visit_is_refused_on_the_findings_field(client, users, liu):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:visit_create')}?person={liu.pk}"
    response = client.post(
        url, {"form": "home", "visited_on": TODAY.isoformat(), "findings": "  "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["findings"] == [
        zh("Fill in the findings of the visit.")
    ]
    assert "请填写走访情况" in response.content.decode()
    assert not Visit.objects.exists()


def test_an_unnamed_incident_asks_for_its_person_instead_of_never_visited(
    client, users, liu, areas
):
    client.force_login(users["grid_worker"])
    response = client.post(
        f"{reverse('residents:incident_create')}?area={areas['building'].pk}",
        {
            "kind": "fall",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "area": areas["building"].pk,
            "description": "楼道里有老人摔倒",
            "person": "",
            "calls-TOTAL_FORMS": "0",
            "calls-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert incident.person is None
    due = client.get(reverse("residents:care_due")).content.decode()
    card = due[due.index(incident.get_kind_display()) :]
    card = card[: card.index("</li>")]
    assert zh("Nobody named yet") in card and zh("Never visited") not in card
    assert f"{reverse('residents:incident', args=[incident.pk])}#person" in card

    page = client.get(reverse("residents:incident", args=[incident.pk]))
    assert "刘振华" in page.content.decode()  # offered: he lives in 1号楼
    named = client.post(
        reverse("residents:incident_person", args=[incident.pk]), {"person": liu.pk}
    )
    assert named.status_code == 302
    incident.refresh_from_db()
    assert incident.person == liu
    rows = client.get(reverse("residents:care_due")).context["page"].object_list
    assert [(r.person_id, r.incident_id) for r in rows if r.follow_up] == [
        (liu.pk, incident.pk)
    ]


def test_the_incident_form_offers_the_people_of_the_place(client, users, liu, areas):
    client.force_login(users["grid_worker"])
    url = f"{reverse('residents:incident_create')}?area={areas['building'].pk}"
    page = client.get(url).content.decode()
    assert zh("Who was it about") in page and "刘振华" in page
    other = Person.objects.exclude(
        household__path__startswith=areas["building"].path
    ).first()
    response = client.post(
        url,
        {
            "kind": "fall",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "area": areas["building"].pk,
            "description": "摔倒",
            "person": other.pk,
            "calls-TOTAL_FORMS": "0",
            "calls-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert not Incident.objects.exists()
