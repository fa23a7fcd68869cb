"""The registry endpoints: people with search and paging, one person,
registering and correcting, moving, death, tags, households and the
audited reveal. ID and phone numbers leave masked; only the reveal
endpoint hands out a full value, and it writes who, whose and from where.
"""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.audit.models import Action, Event
from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.models import Membership, Person, PersonTag, TagType

TODAY = timezone.localdate()
BASE = "/api/v1/residents"


def make_id(birth="19800101", seq="123", region="120101") -> str:
    first17 = region + birth + seq
    return first17 + check_char(first17)


@pytest.fixture
def zhou(demo_people):
    return Person.objects.get(name="周桂兰")


@pytest.fixture
def worker(api_client, users):
    api_client.login_api(users["grid_worker"])
    return api_client


def full_numbers(people) -> set[str]:
    numbers = set()
    for person in people:
        numbers.update(v for v in (person.id_number, person.phone) if v)
    return numbers


# Reading


def test_the_list_pages_with_masked_numbers_only(worker, demo_people, areas):
    response = worker.get(f"{BASE}/people", {"limit": 500})
    assert response.status_code == 200, response.content
    body = response.json()
    in_grid = Person.objects.filter(
        household__path__startswith=areas["grid"].path, status="active"
    )
    assert body["count"] == in_grid.count() > 0
    assert {row["id"] for row in body["items"]} == set(
        in_grid.values_list("pk", flat=True)
    )
    text = response.content.decode()
    assert not [n for n in full_numbers(in_grid) if n in text]
    zhou = next(row for row in body["items"] if row["name"] == "周桂兰")
    assert zhou["phone_masked"] == "138****0009"
    assert zhou["id_number_masked"].startswith(zhou["id_number_masked"][:3])
    assert "*" in zhou["id_number_masked"]
    assert "id_number" not in zhou and "phone" not in zhou


def test_the_list_searches_by_initials_phone_suffix_and_tag(worker, zhou):
    by_initials = worker.get(f"{BASE}/people", {"q": "zgl"}).json()
    assert "周桂兰" in {row["name"] for row in by_initials["items"]}
    by_phone = worker.get(f"{BASE}/people", {"q": "0009"}).json()
    assert [row["name"] for row in by_phone["items"]] == ["周桂兰"]
    tag = TagType.objects.get(code="alone_elderly", street=None)
    PersonTag.objects.create(person=zhou, tag=tag, start=TODAY)
    tagged = worker.get(f"{BASE}/people", {"tag_id": tag.pk}).json()
    assert zhou.pk in {row["id"] for row in tagged["items"]}
    assert all(
        PersonTag.objects.filter(person_id=row["id"], tag=tag, end=None).exists()
        for row in tagged["items"]
    )


def test_a_search_too_long_names_the_field(worker, demo_people):
    response = worker.get(f"{BASE}/people", {"q": "x" * 51})
    assert response.status_code == 400
    assert response.json()["field"] == "q"


def test_an_area_out_of_reach_is_404(worker, areas):
    response = worker.get(f"{BASE}/people", {"area_id": areas["other_grid"].pk})
    assert response.status_code == 404


def test_one_person_is_masked_with_tags_and_history(worker, zhou):
    response = worker.get(f"{BASE}/people/{zhou.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "周桂兰"
    assert body["address"] == "航院小区 1号楼 1单元 101"
    assert body["memberships"][0]["relation"] == "head"
    assert zhou.id_number not in response.content.decode()
    assert "13800000009" not in response.content.decode()


def test_outside_the_grid_a_person_is_404(api_client, users, zhou):
    api_client.login_api(users["other_grid_worker"])
    assert api_client.get(f"{BASE}/people/{zhou.pk}").status_code == 404
    response = api_client.post(
        f"{BASE}/people/{zhou.pk}/reveal",
        {"field": "id_number"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()


def test_the_three_administrators_read_no_personal_data(api_client, users, zhou):
    """They see the tree, so the API says 403 rather than 404: no record."""
    for key in ("system_admin", "security_admin", "audit_admin"):
        api_client.login_api(users[key])
        response = api_client.get(f"{BASE}/people/{zhou.pk}")
        assert response.status_code == 403, key
        assert "周桂兰" not in response.content.decode()
        listing = api_client.get(f"{BASE}/people")
        assert "周桂兰" not in listing.content.decode(), key


# Reveal


def test_reveal_returns_the_value_and_audits_who_whose_which_and_where(
    worker, zhou, users
):
    response = worker.post(
        f"{BASE}/people/{zhou.pk}/reveal",
        {"field": "id_number"},
        content_type="application/json",
        REMOTE_ADDR="127.0.0.7",
    )
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": zhou.id_number}
    event = Event.objects.get(action=Action.PERSONAL_VIEWED)
    assert event.actor_id == users["grid_worker"].pk
    assert event.target_id == str(zhou.pk)
    assert event.detail == {"field": "id_number"}
    assert event.ip == "127.0.0.7"
    assert zhou.id_number not in str(event.detail)


def test_a_street_manager_reads_masked_but_may_not_reveal(api_client, users, zhou):
    api_client.login_api(users["street_manager"])
    assert api_client.get(f"{BASE}/people/{zhou.pk}").status_code == 200
    response = api_client.post(
        f"{BASE}/people/{zhou.pk}/reveal",
        {"field": "phone"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "13800000009" not in response.content.decode()
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()


def test_reveal_of_an_unknown_field_is_refused(worker, zhou):
    response = worker.post(
        f"{BASE}/people/{zhou.pk}/reveal",
        {"field": "name"},
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()


# Registering and correcting


def test_registering_a_person(worker, areas):
    number = make_id()
    response = worker.post(
        f"{BASE}/people",
        {
            "household_id": areas["neighbour_household"].pk,
            "name": "张三丰",
            "relation": "tenant",
            "residency": "liudong",
            "id_number": number,
            "phone": "13912345678",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "张三丰"
    assert body["gender"] == "male" and body["birth_date"] == "1980-01-01"
    assert body["phone_masked"] == "139****5678"
    assert number not in response.content.decode()
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == number and person.initials.startswith("zsf")
    assert Membership.objects.get(person=person).residency == "liudong"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id_number": make_id()[:17] + "7"}, "id_number"),  # its check is 4
        ({"id_number": make_id(birth="20991231")}, "id_number"),
        (
            {"birth_date": "2099-01-01", "id_type": "passport", "id_number": "E1"},
            "birth_date",
        ),
        ({"relation": "head"}, "relation"),
        ({"household_id": 0}, "household_id"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_registrations_name_the_field_and_write_nothing(
    worker, zhou, areas, change, field
):
    before = Person.objects.count()
    body = {
        "household_id": areas["household"].pk,  # 周桂兰 heads it already
        "name": "张三丰",
        "relation": "child",
        "residency": "huji",
        "gender": "male",
        **change,
    }
    response = worker.post(f"{BASE}/people", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert Person.objects.count() == before


def test_a_household_out_of_reach_looks_unknown(worker, areas, demo_people):
    response = worker.post(
        f"{BASE}/people",
        {
            "household_id": areas["other_household"].pk,
            "name": "张三丰",
            "relation": "child",
            "residency": "huji",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "household_id"


def test_a_street_manager_reads_but_does_not_register(
    api_client, users, areas, demo_people
):
    api_client.login_api(users["street_manager"])
    response = api_client.post(
        f"{BASE}/people",
        {
            "household_id": areas["neighbour_household"].pk,
            "name": "张三丰",
            "relation": "child",
            "residency": "huji",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not Person.objects.filter(name="张三丰").exists()


def test_patch_changes_only_what_is_sent(worker, zhou):
    number = zhou.id_number
    response = worker.patch(
        f"{BASE}/people/{zhou.pk}",
        {"phone": "13700001111", "note": "腿脚不便"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    zhou.refresh_from_db()
    assert zhou.phone == "13700001111" and zhou.note == "腿脚不便"
    assert zhou.id_number == number and zhou.name == "周桂兰"
    assert response.json()["phone_masked"] == "137****1111"


def test_patch_with_a_bad_phone_names_it_and_keeps_the_old(worker, zhou):
    response = worker.patch(
        f"{BASE}/people/{zhou.pk}", {"phone": "12"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "phone"
    zhou.refresh_from_db()
    assert zhou.phone == "13800000009"


# Moving, death, tags


def test_moving_out_and_in_keeps_the_history(worker, zhou, areas):
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    out = worker.post(
        f"{BASE}/people/{zhou.pk}/move-out",
        {"date": yesterday, "reason": "投靠子女"},
        content_type="application/json",
    )
    assert out.status_code == 200, out.content
    assert out.json()["status"] == "moved_out"
    back = worker.post(
        f"{BASE}/people/{zhou.pk}/move-in",
        {
            "household_id": areas["neighbour_household"].pk,
            "relation": "other",
            "residency": "changzhu",
            "date": TODAY.isoformat(),
        },
        content_type="application/json",
    )
    assert back.status_code == 200, back.content
    stays = back.json()["memberships"]
    assert [s["household_id"] for s in stays] == [
        areas["neighbour_household"].pk,
        areas["household"].pk,
    ]
    assert stays[1]["moved_out"] == yesterday and stays[1]["reason"] == "投靠子女"


def test_moving_out_in_the_future_is_refused(worker, zhou):
    response = worker.post(
        f"{BASE}/people/{zhou.pk}/move-out",
        {"date": (TODAY + dt.timedelta(days=3)).isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "date"
    zhou.refresh_from_db()
    assert zhou.status == "active"


def test_a_death_keeps_the_record_and_ends_tags(worker, zhou):
    tag = TagType.objects.get(code="oldest_old", street=None)
    PersonTag.objects.create(person=zhou, tag=tag, start=TODAY - dt.timedelta(days=90))
    response = worker.post(
        f"{BASE}/people/{zhou.pk}/death",
        {"date": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "deceased" and body["status_date"] == TODAY.isoformat()
    assert all(t["end"] for t in body["tags"])
    assert Person.objects.filter(pk=zhou.pk).exists()


def test_tags_are_listed_added_and_ended(worker, zhou):
    tags = worker.get(f"{BASE}/tags").json()
    names = {t["name"] for t in tags}
    assert {"独居老人", "残疾人", "低保户"} <= names
    disabled = next(t for t in tags if t["code"] == "disabled")
    assert disabled["has_grade"]
    without_grade = worker.post(
        f"{BASE}/people/{zhou.pk}/tags",
        {"tag_id": disabled["id"], "start": TODAY.isoformat()},
        content_type="application/json",
    )
    assert without_grade.status_code == 400
    assert without_grade.json()["field"] == "grade"
    added = worker.post(
        f"{BASE}/people/{zhou.pk}/tags",
        {"tag_id": disabled["id"], "start": TODAY.isoformat(), "grade": 2},
        content_type="application/json",
    )
    assert added.status_code == 201, added.content
    assert added.json()["grade"] == 2 and added.json()["name"] == "残疾人"
    ended = worker.post(
        f"{BASE}/person-tags/{added.json()['id']}/end",
        {"end": TODAY.isoformat()},
        content_type="application/json",
    )
    assert ended.status_code == 200, ended.content
    assert ended.json()["end"] == TODAY.isoformat()


def test_a_tag_of_another_person_out_of_reach_is_404(api_client, users, zhou):
    person_tag = PersonTag.objects.create(
        person=zhou,
        tag=TagType.objects.get(code="veteran", street=None),
        start=TODAY,
    )
    api_client.login_api(users["other_grid_worker"])
    response = api_client.post(
        f"{BASE}/person-tags/{person_tag.pk}/end",
        {"end": TODAY.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 404
    person_tag.refresh_from_db()
    assert person_tag.end is None


def test_a_household_lists_its_members_head_first(worker, zhou, areas):
    response = worker.get(f"{BASE}/households/{areas['household'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["address"] == "航院小区 1号楼 1单元 101"
    assert body["members"][0]["person"]["name"] == "周桂兰"
    assert body["members"][0]["relation_label"] == "户主"
    assert zhou.id_number not in response.content.decode()


def test_a_building_is_no_household(worker, areas, demo_people):
    response = worker.get(f"{BASE}/households/{areas['building'].pk}")
    assert response.status_code == 404
