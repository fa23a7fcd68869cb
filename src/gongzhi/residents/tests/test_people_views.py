"""The registry pages: the list with its search, filters and paging, a
person's page with the audited reveal, registering, moving, tags, the
household page and the resident's own record in the portal.

UI labels are compared with their translation in the default language;
the data (names, addresses, tags) as users read them. A full ID number
never reaches a page unless someone with the right clicked 显示.
"""

import datetime as dt

import pytest
from django.utils import timezone, translation

from gongzhi.audit.models import Action, Event
from gongzhi.residents.idnumbers import check_char
from gongzhi.residents.models import Person, PersonTag, TagType

TODAY = timezone.localdate()
PEOPLE = "/workbench/residents/people/"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def make_id(birth="19800101", seq="123", region="120101") -> str:
    first17 = region + birth + seq
    return first17 + check_char(first17)


@pytest.fixture
def zhou(demo_people):
    return Person.objects.get(name="周桂兰")


@pytest.fixture
def worker(client, users):
    client.force_login(users["grid_worker"])
    return client


def names_in(html: str, people) -> set[str]:
    return {p.name for p in people if f">{p.name}<" in html}


# The list


def test_the_list_shows_labels_masked_numbers_and_addresses(worker, zhou):
    html = worker.get(PEOPLE + "?q=周桂兰").content.decode()
    for label in ("Name", "Gender", "Age", "ID number", "Phone", "Address"):
        assert zh(label) in html
    assert zhou.id_number not in html
    assert zhou.id_number_masked in html
    assert "138****0009" in html and "13800000009" not in html
    assert "航院小区 1号楼 1单元 101" in html
    assert zh("Head of household") in html


def test_no_full_id_number_on_a_whole_page(worker, demo_people, areas):
    html = worker.get(PEOPLE).content.decode()
    shown = Person.objects.filter(last_household__path__startswith=areas["grid"].path)
    leaked = [p.name for p in shown if p.id_number and p.id_number in html]
    assert leaked == []


def test_search_by_pinyin_initials_last_four_digits_and_name(worker, zhou):
    for query in ("zgl", "0009", "138****0009", "桂兰"):
        html = worker.get(PEOPLE, {"q": query}).content.decode()
        assert f">{zhou.name}<" in html, query


def test_tag_and_age_filters(worker, demo_people, areas):
    dibao = TagType.objects.get(code="dibao", street__isnull=True)
    html = worker.get(PEOPLE, {"tag": dibao.pk, "status": "all"}).content.decode()
    in_grid = Person.objects.filter(last_household__path__startswith=areas["grid"].path)
    tagged = in_grid.filter(tags__tag=dibao, tags__end__isnull=True).distinct()
    untagged = in_grid.exclude(pk__in=tagged)
    assert names_in(html, tagged) == {p.name for p in tagged} - {""}
    assert not {p.name for p in untagged} & names_in(html, untagged) - {
        p.name for p in tagged
    }
    html = worker.get(PEOPLE, {"age_band": "0-17"}).content.decode()
    assert "周桂兰" not in html


def test_the_list_pages_by_fifty_with_the_total(worker, demo_people, areas):
    total = Person.objects.filter(
        last_household__path__startswith=areas["grid"].path, status="active"
    ).count()
    assert total > 50
    first = worker.get(PEOPLE).content.decode()
    assert f"{total}" in first
    assert "page=2" in first
    second = worker.get(PEOPLE, {"page": 2})
    assert second.status_code == 200


def test_the_list_runs_a_fixed_number_of_queries(
    worker, demo_people, django_assert_max_num_queries
):
    worker.get(PEOPLE)  # warm the session and grant caches
    with django_assert_max_num_queries(16):
        response = worker.get(PEOPLE)
    assert response.status_code == 200


def test_a_grid_worker_lists_her_grid_only(worker, demo_people, areas):
    outside = Person.objects.filter(household=areas["other_household"]).first()
    html = worker.get(PEOPLE, {"q": outside.name}).content.decode()
    assert f'href="/workbench/residents/people/{outside.pk}/"' not in html
    assert worker.get(PEOPLE, {"area": areas["other_grid"].pk}).status_code == 404


def test_the_list_opens_on_an_area(worker, demo_people, areas):
    html = worker.get(PEOPLE, {"area": areas["building"].pk}).content.decode()
    assert areas["building"].name in html
    neighbour = Person.objects.filter(household__path__startswith=areas["grid"].path)
    outside_building = neighbour.exclude(
        household__path__startswith=areas["building"].path
    ).first()
    assert f"/people/{outside_building.pk}/" not in html


@pytest.mark.parametrize("key", ["unit", "resident", "system_admin", "audit_admin"])
def test_roles_without_personal_data_do_not_find_the_list(client, users, key):
    client.force_login(users[key])
    assert client.get(PEOPLE).status_code == 404


def test_import_and_export_links_carry_the_filters(client, users, demo_people):
    client.force_login(users["staff"])
    html = client.get(PEOPLE, {"q": "zgl"}).content.decode()
    assert "/workbench/residents/people/export.xlsx?q=zgl" in html
    assert "/workbench/residents/import/" in html
    assert "/workbench/residents/people/export.xlsx?q=zgl&amp;full=1" in html
    client.force_login(users["building_leader"])
    html = client.get(PEOPLE).content.decode()
    assert "/workbench/residents/import/" not in html
    assert "full=1" not in html


def test_the_area_page_leads_to_its_residents(client, users, areas, demo_people):
    client.force_login(users["grid_worker"])
    html = client.get(f"/workbench/areas/{areas['building'].pk}/").content.decode()
    assert f"{PEOPLE}?area={areas['building'].pk}" in html
    assert zh("Residents here") in html
    home = client.get(f"/workbench/areas/{areas['household'].pk}/").content.decode()
    assert f"/workbench/residents/households/{areas['household'].pk}/" in home
    client.force_login(users["system_admin"])
    html = client.get(f"/workbench/areas/{areas['building'].pk}/").content.decode()
    assert PEOPLE not in html


# A person


def test_the_person_page_is_masked_until_revealed(worker, zhou):
    url = f"{PEOPLE}{zhou.pk}/"
    html = worker.get(url).content.decode()
    assert zhou.id_number not in html and zhou.id_number_masked in html
    assert zh("Show") in html
    assert "刘振华" in html  # her husband, a household member
    response = worker.post(url + "reveal/", {"field": "id_number"})
    assert response.status_code == 200
    assert zhou.id_number in response.content.decode()
    event = Event.objects.get(action=Action.PERSONAL_VIEWED)
    assert event.target_id == str(zhou.pk) and event.detail == {"field": "id_number"}


def test_htmx_reveal_returns_the_value_alone(worker, zhou):
    response = worker.post(
        f"{PEOPLE}{zhou.pk}/reveal/", {"field": "phone"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "13800000009" in html
    assert "<html" not in html
    assert 'id="reveal-phone"' in html


def test_a_street_manager_sees_masked_only_and_cannot_reveal(client, users, zhou):
    client.force_login(users["street_manager"])
    url = f"{PEOPLE}{zhou.pk}/"
    html = client.get(url).content.decode()
    assert zhou.id_number_masked in html
    assert "/reveal/" not in html
    assert client.post(url + "reveal/", {"field": "id_number"}).status_code == 404
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()


def test_a_person_outside_scope_is_not_found(client, users, zhou):
    client.force_login(users["other_grid_worker"])
    assert client.get(f"{PEOPLE}{zhou.pk}/").status_code == 404


# Registering and correcting


def test_registering_with_a_bad_id_shows_the_error_and_writes_nothing(
    worker, demo_people, areas
):
    good = make_id()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    before = Person.objects.count()
    response = worker.post(
        f"{PEOPLE}new/?household={areas['neighbour_household'].pk}",
        {
            "name": "张三丰",
            "id_type": "resident_id",
            "id_number": bad,
            "relation": "child",
            "residency": "huji",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("Document number") + "：" in html
    assert Person.objects.count() == before


def test_registering_a_person_then_seeing_her_page(worker, demo_people, areas):
    response = worker.post(
        f"{PEOPLE}new/?household={areas['neighbour_household'].pk}",
        {
            "name": "张三丰",
            "id_type": "resident_id",
            "id_number": make_id(birth="19520314", seq="011"),
            "phone": "13912345678",
            "relation": "child",
            "residency": "huji",
        },
    )
    person = Person.objects.get(name="张三丰")
    assert response.status_code == 302
    assert response.url == f"{PEOPLE}{person.pk}/"
    assert person.birth_date == dt.date(1952, 3, 14)
    html = worker.get(response.url).content.decode()
    assert "139****5678" in html and "13912345678" not in html


def test_the_register_page_without_household_finds_one(worker, demo_people, areas):
    html = worker.get(f"{PEOPLE}new/", {"q": "航院 1号楼 101"}).content.decode()
    assert f"?household={areas['household'].pk}" in html
    assert "航院小区 1号楼 1单元 101" in html


def test_editing_keeps_the_id_unless_a_new_one_is_typed(worker, zhou):
    url = f"{PEOPLE}{zhou.pk}/edit/"
    before = zhou.id_number
    form = worker.get(url).content.decode()
    assert zhou.id_number not in form
    data = {
        "name": "周桂兰",
        "id_type": "resident_id",
        "gender": "female",
        "birth_date": zhou.birth_date.isoformat(),
        "note": "耳背，请大声说话",
    }
    assert worker.post(url, data).status_code == 302
    zhou.refresh_from_db()
    assert zhou.note == "耳背，请大声说话"
    assert zhou.id_number == before
    # A corrected number brings its own birth date.
    new = make_id(birth="19520325", seq="080")
    assert worker.post(url, {**data, "id_number": new}).status_code == 302
    zhou.refresh_from_db()
    assert zhou.id_number == new and zhou.birth_date == dt.date(1952, 3, 25)


def test_a_building_leader_gets_no_forms(client, users, zhou, areas):
    client.force_login(users["building_leader"])
    assert client.get(f"{PEOPLE}{zhou.pk}/edit/").status_code == 404
    html = client.get(f"{PEOPLE}{zhou.pk}/").content.decode()
    assert "/move-out/" not in html


# Moving, death, tags


def test_moving_out_shows_in_the_history(worker, zhou):
    url = f"{PEOPLE}{zhou.pk}/"
    response = worker.post(
        url + "move-out/", {"date": TODAY.isoformat(), "reason": "随子女居住"}
    )
    assert response.status_code == 302
    html = worker.get(url).content.decode()
    assert "随子女居住" in html
    assert zh("Moved out") in html


def test_moving_out_before_moving_in_is_refused_on_the_page(worker, zhou):
    response = worker.post(f"{PEOPLE}{zhou.pk}/move-out/", {"date": "1900-01-01"})
    assert response.status_code == 400
    zhou.refresh_from_db()
    assert zhou.status == "active"


def test_moving_in_to_another_household(worker, zhou, areas):
    url = f"{PEOPLE}{zhou.pk}/move-in/"
    html = worker.get(url, {"q": "102"}).content.decode()
    assert "航院小区 1号楼 1单元 102" in html
    response = worker.post(
        url,
        {
            "household": areas["neighbour_household"].pk,
            "relation": "parent",
            "residency": "changzhu",
            "date": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302
    zhou.refresh_from_db()
    assert zhou.household == areas["neighbour_household"]
    assert zhou.memberships.count() == 2


def test_recording_a_death_ends_the_tags(worker, zhou):
    assert (
        worker.post(
            f"{PEOPLE}{zhou.pk}/death/", {"date": TODAY.isoformat()}
        ).status_code
        == 302
    )
    zhou.refresh_from_db()
    assert zhou.status == "deceased"
    assert not PersonTag.objects.filter(person=zhou, end__isnull=True).exists()


def test_adding_a_graded_tag_and_ending_it(worker, zhou):
    disabled = TagType.objects.get(code="disabled", street__isnull=True)
    url = f"{PEOPLE}{zhou.pk}/tags/"
    missing = worker.post(url, {"tag": disabled.pk, "start": TODAY.isoformat()})
    assert missing.status_code == 400
    assert (
        worker.post(
            url, {"tag": disabled.pk, "start": TODAY.isoformat(), "grade": 2}
        ).status_code
        == 302
    )
    person_tag = PersonTag.objects.get(person=zhou, tag=disabled)
    assert person_tag.grade == 2
    html = worker.get(f"{PEOPLE}{zhou.pk}/").content.decode()
    assert "残疾人" in html
    end = worker.post(f"{url}{person_tag.pk}/end/", {"end": TODAY.isoformat()})
    assert end.status_code == 302
    person_tag.refresh_from_db()
    assert person_tag.end == TODAY


# The household and the portal


def test_the_household_page_lists_members_and_history(worker, zhou, areas):
    html = worker.get(
        f"/workbench/residents/households/{areas['household'].pk}/"
    ).content.decode()
    assert "周桂兰" in html and "刘振华" in html
    assert zh("Head of household") in html and zh("Spouse") in html
    assert zhou.id_number not in html


def test_the_resident_reads_her_own_record(client, users, zhou):
    client.force_login(users["resident"])
    assert "/portal/me/record/" in client.get("/portal/").content.decode()
    html = client.get("/portal/me/record/").content.decode()
    assert "周桂兰" in html and "刘振华" in html
    assert zhou.id_number_masked in html and zhou.id_number not in html
    assert "138****0009" in html
    assert "航院小区 1号楼 1单元 101" in html


def test_an_unlinked_account_gets_a_friendly_word(client, users, demo_people):
    client.force_login(users["grid_worker"])
    response = client.get("/portal/me/record/")
    assert response.status_code == 200
    assert (
        zh(
            "No resident record is linked to your account yet. Ask your grid worker "
            "or the community office to link it; they will check your ID card."
        )
        in response.content.decode()
    )


def test_brackets_and_colons_follow_the_language_of_the_page(client, users, zhou):
    """Chinese pages use full-width （）and ：; English ones the ASCII
    kind, so "Living here now: 周桂兰 (Head of household)" reads right."""
    from django.conf import settings

    client.force_login(users["staff"])
    new = f"{PEOPLE}new/?household={zhou.household_id}"
    chinese = client.get(new).content.decode()
    assert "：周桂兰（" in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"{PEOPLE}{zhou.pk}/").content.decode()
    form = client.get(new).content.decode()
    for page in (english, form):
        assert "（" not in page and "）" not in page and "：" not in page
    assert " years)" in english
    assert "Living here now: " in form
