"""Key-population tags per street: the defaults every street offers, a
street's own added by its manager, switched off rather than deleted, and
never seen by another street. Page, API and service alike."""

import pytest
from django.utils import translation

from gongzhi.areas.services import area_create
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.models import PersonTag, TagType
from gongzhi.residents.services import tags as services
from gongzhi.residents.services.people import tag_types_for

TAGS = "/workbench/residents/tags/"
API = "/api/v1/residents/tags"


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def other_street(users, areas):
    return area_create(
        parent=areas["district"],
        kind="street",
        name="劝业场街道",
        by=users["district_manager"],
    )


@pytest.fixture
def shidu(users, areas):
    return services.tag_type_create(
        street=areas["street"],
        code="shidu",
        name="失独家庭",
        visit_every_days=30,
        by=users["street_manager"],
    )


# Services


def test_a_street_tag_is_offered_in_its_street_only(shidu, areas, other_street):
    here = {t.name for t in tag_types_for(area=areas["household"])}
    assert {"独居老人", "残疾人", "低保户", "失独家庭"} <= here
    there = {t.name for t in tag_types_for(area=other_street)}
    assert "独居老人" in there and "失独家庭" not in there


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [
        ("shidu", "失独", "code"),  # the street's own code again
        ("alone2", "独居老人", "name"),  # a default's name
        ("alone_elderly", "另一个", "code"),  # a default's code
        ("Bad Code", "某标签", "code"),
        ("fine", "", "name"),
        ("fine", "名" * 31, "name"),
    ],
)
def test_a_clash_or_bad_value_names_the_field(shidu, users, areas, code, name, field):
    before = TagType.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        services.tag_type_create(
            street=areas["street"], code=code, name=name, by=users["street_manager"]
        )
    assert caught.value.field == field
    assert TagType.objects.count() == before


def test_a_visit_interval_out_of_range_is_refused(users, areas):
    for days in (0, 367):
        with pytest.raises(ValidationFailed) as caught:
            services.tag_type_create(
                street=areas["street"],
                code="x",
                name="某标签",
                visit_every_days=days,
                by=users["street_manager"],
            )
        assert caught.value.field == "visit_every_days"


def test_a_community_secretary_does_not_configure_tags(users, areas):
    with pytest.raises(NotAllowed):
        services.tag_type_create(
            street=areas["street"], code="x", name="某标签", by=users["secretary"]
        )


def test_switching_off_keeps_the_people_who_carry_it(shidu, users, demo_people):
    from gongzhi.residents.models import Person

    person = Person.objects.get(name="周桂兰")
    carried = PersonTag.objects.create(person=person, tag=shidu, start="2026-01-01")
    services.tag_type_deactivate(tag=shidu, by=users["street_manager"])
    assert "失独家庭" not in {t.name for t in tag_types_for(area=person.household)}
    carried.refresh_from_db()
    assert carried.end is None
    with pytest.raises(ValidationFailed):
        services.tag_type_deactivate(tag=shidu, by=users["street_manager"])
    services.tag_type_activate(tag=shidu, by=users["street_manager"])
    assert "失独家庭" in {t.name for t in tag_types_for(area=person.household)}


def test_a_default_cannot_be_switched_off(users):
    default = TagType.objects.get(code="alone_elderly", street=None)
    with pytest.raises(ValidationFailed) as caught:
        services.tag_type_deactivate(tag=default, by=users["street_manager"])
    assert caught.value.field == "tag"


# The page


def test_the_page_lists_defaults_and_adds_a_tag(client, users, areas):
    client.force_login(users["street_manager"])
    url = f"{TAGS}?area={areas['street'].pk}"
    html = client.get(url).content.decode()
    assert zh("Key-population tags") in html
    for name in (
        "独居老人",
        "空巢老人",
        "高龄老人",
        "残疾人",
        "低保户",
        "特困",
        "退役军人",
    ):
        assert name in html
    response = client.post(
        url, {"code": "shidu", "name": "失独家庭", "visit_every_days": "30"}
    )
    assert response.status_code == 302
    tag = TagType.objects.get(street=areas["street"], code="shidu")
    assert tag.name == "失独家庭" and tag.visit_every_days == 30
    assert "失独家庭" in client.get(url).content.decode()


def test_the_page_shows_a_clash_on_its_field_in_chinese(client, users, areas):
    client.force_login(users["street_manager"])
    response = client.post(
        f"{TAGS}?area={areas['street'].pk}", {"code": "alone2", "name": "独居老人"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = zh("A tag called “%(name)s” already exists here.") % {"name": "独居老人"}
    assert message in html
    assert not TagType.objects.filter(code="alone2").exists()


def test_a_district_manager_picks_the_street_first(client, users, areas):
    client.force_login(users["district_manager"])
    html = client.get(f"{TAGS}?area={areas['district'].pk}").content.decode()
    assert f"?area={areas['street'].pk}" in html
    assert "五大道街道" in html


def test_switching_a_tag_off_and_on_from_the_page(client, users, shidu):
    client.force_login(users["street_manager"])
    assert client.post(f"{TAGS}{shidu.pk}/off/").status_code == 302
    shidu.refresh_from_db()
    assert not shidu.active
    assert client.post(f"{TAGS}{shidu.pk}/on/").status_code == 302
    shidu.refresh_from_db()
    assert shidu.active


def test_the_grid_worker_does_not_find_the_page(client, users, shidu):
    client.force_login(users["grid_worker"])
    assert client.get(TAGS).status_code == 404
    assert client.post(f"{TAGS}{shidu.pk}/off/").status_code == 404
    shidu.refresh_from_db()
    assert shidu.active


def test_another_streets_manager_does_not_find_this_streets_tag(
    client, users, shidu, other_street
):
    from gongzhi.accounts.services import grant_create, user_create

    manager = user_create(
        phone="13900000077", name="王主任", password="x-Long-pass-1", by=None
    )
    grant_create(
        user=manager,
        area=other_street,
        role="street_manager",
        by=users["district_manager"],
    )
    client.force_login(manager)
    assert client.post(f"{TAGS}{shidu.pk}/off/").status_code == 404
    shidu.refresh_from_db()
    assert shidu.active


# The API


def test_the_api_adds_a_tag_and_switches_it_off(api_client, users, areas):
    api_client.login_api(users["street_manager"])
    response = api_client.post(
        API,
        {
            "street_id": areas["street"].pk,
            "code": "shidu",
            "name": "失独家庭",
            "visit_every_days": 30,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "失独家庭" and body["active"] is True
    off = api_client.post(f"{API}/{body['id']}/deactivate")
    assert off.status_code == 200 and off.json()["active"] is False
    again = api_client.post(f"{API}/{body['id']}/deactivate")
    assert again.status_code == 400 and again.json()["field"] == "tag_id"
    on = api_client.post(f"{API}/{body['id']}/activate")
    assert on.status_code == 200 and on.json()["active"] is True


def test_the_api_names_the_clashing_field(api_client, users, areas):
    api_client.login_api(users["street_manager"])
    response = api_client.post(
        API,
        {"street_id": areas["street"].pk, "code": "x1", "name": "低保户"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert not TagType.objects.filter(code="x1").exists()


def test_the_api_refuses_who_may_not_configure(api_client, users, areas, shidu):
    api_client.login_api(users["grid_worker"])
    response = api_client.post(
        API,
        {"street_id": areas["street"].pk, "code": "x1", "name": "某标签"},
        content_type="application/json",
    )
    assert response.status_code == 400  # the street is out of her sight
    assert response.json()["field"] == "street_id"
    assert api_client.post(f"{API}/{shidu.pk}/deactivate").status_code == 404
    api_client.login_api(users["secretary"])
    response = api_client.post(f"{API}/{shidu.pk}/deactivate")
    assert response.status_code == 404
    shidu.refresh_from_db()
    assert shidu.active


# Who sees a street's own tag when listing: the street and everyone above
# or below it, never another street. A district manager once got only the
# defaults, because the street was cut out of her district's path.


def test_a_district_offers_each_of_its_streets_tags(shidu, areas, other_street):
    theirs = services.tag_type_create(
        street=other_street, code="xingman", name="刑满释放人员", by=None
    )
    in_district = {t.name for t in tag_types_for(area=areas["district"])}
    assert {"独居老人", "失独家庭", theirs.name} <= in_district
    in_street = {t.name for t in tag_types_for(area=areas["street"])}
    assert "失独家庭" in in_street and theirs.name not in in_street


@pytest.mark.parametrize(
    "login", ["district_manager", "street_manager", "secretary", "grid_worker"]
)
def test_the_api_lists_the_streets_tag_to_everyone_on_its_line(
    api_client, users, shidu, login
):
    api_client.login_api(users[login])
    response = api_client.get(API)
    assert response.status_code == 200, response.content
    names = {tag["name"] for tag in response.json()}
    assert "独居老人" in names
    assert "失独家庭" in names


def test_the_api_does_not_list_the_tag_to_another_street(
    api_client, users, shidu, other_street
):
    from gongzhi.accounts.roles import Role
    from gongzhi.accounts.services import grant_create, user_create

    manager = user_create(
        phone="13900000999", name="劝业场街道主任", password="x-Long-pass-19", by=None
    )
    grant_create(user=manager, area=other_street, role=Role.STREET_MANAGER, by=None)
    api_client.login_api(manager)
    names = {tag["name"] for tag in api_client.get(API).json()}
    assert "独居老人" in names and "失独家庭" not in names


def test_the_district_managers_people_filter_offers_the_streets_tag(
    client, users, shidu
):
    client.force_login(users["district_manager"])
    html = client.get("/workbench/residents/people/").content.decode()
    assert "失独家庭" in html
