"""诉求设置: 张丽华 (三盛里's secretary) and 李秀英 (the street manager) set
up categories, the street's departments and who works each queue, through
the API and the workbench; 刘洋 (staff, who dispatches) may not. A care
visit's need becomes a request (转为诉求). In Chinese, as the pages
default to."""

import datetime as dt

import pytest

from gongzhi.requests.models import (
    Category,
    Department,
    DispatchMode,
    Handler,
    ServiceRequest,
)
from gongzhi.requests.states import Channel
from gongzhi.residents.models import Visit, VisitForm

from .conftest import unit_user

R = "/api/v1/requests"
W = "/workbench/requests/setup"


def _snapshot():
    return (
        list(Category.objects.order_by("pk").values()),
        list(Department.objects.order_by("pk").values()),
        list(Handler.objects.order_by("pk").values()),
    )


def _new_category(world, **extra) -> dict:
    return {
        "area_id": world.community.pk,
        "code": "pipes",
        "name": "管道维修",
        "urgency": "urgent",
        "response_hours": 2,
        "resolve_hours": 24,
        "dispatch_mode": "rotation",
        "team_ids": [world.team_a.pk, world.team_b.pk],
        **extra,
    }


# The API: categories


def test_a_secretary_creates_a_category_that_rotates_among_two_teams(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/categories", _new_category(world), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    category = Category.objects.get(pk=body["id"])
    assert category.area == world.community
    assert category.dispatch_mode == DispatchMode.ROTATION
    assert set(category.teams.all()) == {world.team_a, world.team_b}
    assert body["team_ids"] == sorted([world.team_a.pk, world.team_b.pk])
    assert body["dispatch_mode_label"]


def test_a_category_with_the_property_company_as_default(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/categories",
        _new_category(
            world,
            dispatch_mode="assign",
            team_ids=[],
            default_organization_id=world.company.pk,
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["default_kind"] == "organization"
    assert response.json()["default_name"] == "航院物业"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"code": "管道"}, "code"),
        ({"code": "wall"}, "code"),  # taken in 三盛里
        ({"name": "  "}, "name"),
        ({"response_hours": 0}, "response_hours"),
        ({"resolve_hours": 1}, "resolve_hours"),  # before the response
        ({"urgency": "whenever"}, "urgency"),
        ({"dispatch_mode": "lottery"}, "dispatch_mode"),
        ({"dispatch_mode": "pool", "team_ids": []}, "team_ids"),
        ({"auto_close_days": 0}, "auto_close_days"),
        ({"team_ids": [999999]}, "team_ids"),
        ({"default_team_id": 999999}, "default_team_id"),
        (
            {"default_team_id": 1, "default_organization_id": 1},
            "default_team_id",
        ),
    ],
)
def test_bad_category_input_is_refused_naming_the_field_and_changes_nothing(
    api_client, world, change, field
):
    api_client.login_api(world.secretary)
    before = _snapshot()
    response = api_client.post(
        R + "/categories",
        _new_category(world, **change),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert _snapshot() == before


def test_a_team_of_another_community_is_not_found_for_a_category(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/categories",
        _new_category(world, team_ids=[world.other_team.pk]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "team_ids"
    # Its name does not leak either.
    assert "裕华园" not in response.content.decode()


def test_staff_who_dispatch_may_not_create_categories(api_client, world):
    api_client.login_api(world.staff)
    before = _snapshot()
    response = api_client.post(
        R + "/categories", _new_category(world), content_type="application/json"
    )
    assert response.status_code == 403
    assert _snapshot() == before


def test_a_category_in_another_community_is_a_field_error(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/categories",
        _new_category(world, area_id=world.areas["other_community"].pk, team_ids=[]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"


def test_updating_changes_only_what_is_sent(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.patch(
        f"{R}/categories/{world.wall.pk}",
        {"resolve_hours": 48, "dispatch_mode": "pool", "auto_escalate": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    world.wall.refresh_from_db()
    assert world.wall.resolve_hours == 48
    assert world.wall.response_hours == 2
    assert world.wall.name == "墙体维修"
    assert world.wall.dispatch_mode == DispatchMode.POOL
    assert world.wall.auto_escalate
    assert set(world.wall.teams.all()) == {world.team_a, world.team_b}


def test_updating_sets_and_clears_the_default_and_retires(api_client, world):
    api_client.login_api(world.secretary)
    url = f"{R}/categories/{world.wall.pk}"
    response = api_client.patch(
        url, {"default_team_id": world.team_a.pk}, content_type="application/json"
    )
    assert response.json()["default_id"] == world.team_a.pk
    response = api_client.patch(
        url,
        {"default_team_id": None, "active": False},
        content_type="application/json",
    )
    assert response.status_code == 200
    world.wall.refresh_from_db()
    assert world.wall.default_assignee is None
    assert not world.wall.active


def test_a_bad_update_changes_nothing(api_client, world):
    api_client.login_api(world.secretary)
    before = _snapshot()
    response = api_client.patch(
        f"{R}/categories/{world.wall.pk}",
        {"name": "新名字", "response_hours": 30},  # after the 24 h resolution
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "resolve_hours"
    assert _snapshot() == before


def test_a_category_out_of_reach_is_not_found_and_a_seen_one_refused(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.patch(
        f"{R}/categories/{world.light.pk}",  # the street's
        {"name": "路灯报修"},
        content_type="application/json",
    )
    assert response.status_code == 404
    api_client.login_api(world.staff)
    response = api_client.patch(
        f"{R}/categories/{world.wall.pk}",
        {"name": "墙"},
        content_type="application/json",
    )
    assert response.status_code == 403
    world.wall.refresh_from_db()
    assert world.wall.name == "墙体维修"


def test_the_street_manager_updates_the_streets_category(api_client, world):
    api_client.login_api(world.street_manager)
    response = api_client.patch(
        f"{R}/categories/{world.light.pk}",
        {"default_department_id": world.department.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    world.light.refresh_from_db()
    assert world.light.default_department == world.department


# The API: departments and handlers


def test_departments_are_listed_and_added_by_the_street(api_client, world):
    api_client.login_api(world.street_manager)
    response = api_client.post(
        R + "/departments",
        {"street_id": world.street.pk, "name": "城管科"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    names = [
        d["name"]
        for d in api_client.get(f"{R}/departments?street_id={world.street.pk}").json()
    ]
    assert names == ["城管科", "水务办"]


def test_a_department_named_twice_is_refused_on_the_name(api_client, world):
    api_client.login_api(world.street_manager)
    before = _snapshot()
    response = api_client.post(
        R + "/departments",
        {"street_id": world.street.pk, "name": "水务办"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert _snapshot() == before


def test_a_secretary_may_not_add_departments_to_the_street(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/departments",
        {"street_id": world.street.pk, "name": "城管科"},
        content_type="application/json",
    )
    assert response.status_code == 400  # the street is out of her sight
    assert response.json()["field"] == "street_id"
    assert (
        api_client.get(f"{R}/departments?street_id={world.street.pk}").status_code
        == 404
    )


def test_handlers_are_listed_added_by_phone_and_ended(api_client, world):
    newcomer = unit_user("13900000031", "郭师傅", world.community)
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/handlers",
        {"team_id": world.team_a.pk, "phone": "13900000031"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["name"] == "郭师傅" and added["phone"].startswith("139")
    assert "13900000031" not in response.content.decode()
    listed = api_client.get(f"{R}/handlers?team_id={world.team_a.pk}").json()
    assert {h["user_id"] for h in listed} == {world.a.pk, newcomer.pk}
    response = api_client.post(f"{R}/handlers/{added['id']}/end")
    assert response.status_code == 200
    assert response.json()["ended_at"] is not None
    again = api_client.post(f"{R}/handlers/{added['id']}/end")
    assert again.status_code == 409


@pytest.mark.parametrize(
    "body, field",
    [
        ({"phone": "13900000099"}, "phone"),  # no such account
        ({"phone": "12"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"user_id": 999999}, "user_id"),
    ],
)
def test_bad_handler_input_names_the_field(api_client, world, body, field):
    api_client.login_api(world.secretary)
    before = _snapshot()
    response = api_client.post(
        R + "/handlers",
        {"team_id": world.team_a.pk, **body},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert _snapshot() == before


def test_a_user_without_the_unit_role_cannot_work_a_queue(api_client, world):
    api_client.login_api(world.secretary)
    response = api_client.post(
        R + "/handlers",
        {"team_id": world.team_a.pk, "user_id": world.staff.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "user_id"
    response = api_client.post(
        R + "/handlers",
        {"team_id": world.team_a.pk, "phone": world.staff.phone},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "phone"


def test_queues_out_of_reach_are_not_found(api_client, world):
    api_client.login_api(world.secretary)
    assert (
        api_client.get(f"{R}/handlers?department_id={world.department.pk}").status_code
        == 404
    )
    assert (
        api_client.get(f"{R}/handlers?team_id={world.other_team.pk}").status_code == 404
    )
    end = api_client.post(f"{R}/handlers/{world.handlers['department'].pk}/end")
    assert end.status_code == 404
    api_client.login_api(world.staff)
    assert api_client.get(f"{R}/handlers?team_id={world.team_a.pk}").status_code == 403


# The workbench pages


def test_the_nav_links_the_settings_for_configurers_only(client, world):
    client.force_login(world.secretary)
    assert "诉求设置" in client.get("/workbench/requests/").content.decode() or (
        "/workbench/requests/setup/"
        in client.get("/workbench/requests/").content.decode()
    )
    client.force_login(world.staff)
    page = client.get("/workbench/requests/").content.decode()
    assert "/workbench/requests/setup/" not in page
    assert client.get(W + "/").status_code == 404


def test_the_categories_page_lists_code_deadlines_mode_and_default(client, world):
    world.wall.default_team = world.team_a
    world.wall.save()
    client.force_login(world.secretary)
    response = client.get(W + "/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("wall", "墙体维修", "维修服务队", "航院物业", "水电服务队"):
        assert text in page
    assert "路灯" in page  # inherited from the street


def test_creating_a_category_on_the_page(client, world):
    client.force_login(world.secretary)
    response = client.post(
        W + "/",
        {
            "area": world.community.pk,
            "code": "pipes",
            "name": "管道维修",
            "urgency": "normal",
            "response_hours": "4",
            "resolve_hours": "48",
            "dispatch_mode": "pool",
            "default_to": "",
            "teams": [world.team_a.pk, world.team_b.pk],
            "auto_close_days": "7",
        },
    )
    assert response.status_code == 302
    category = Category.objects.get(code="pipes")
    assert category.dispatch_mode == DispatchMode.POOL
    assert set(category.teams.all()) == {world.team_a, world.team_b}


def test_a_bad_category_on_the_page_is_shown_on_its_field_in_chinese(client, world):
    client.force_login(world.secretary)
    before = _snapshot()
    response = client.post(
        W + "/",
        {
            "area": world.community.pk,
            "code": "wall",
            "name": "又一个",
            "urgency": "normal",
            "response_hours": "4",
            "resolve_hours": "48",
            "dispatch_mode": "assign",
            "auto_close_days": "7",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="code"' in page and "has-error" in page
    assert "wall" in page
    assert _snapshot() == before
    response = client.post(
        W + "/",
        {
            "area": world.community.pk,
            "code": "new",
            "name": "新类别",
            "urgency": "normal",
            "response_hours": "abc",
            "resolve_hours": "48",
            "dispatch_mode": "pool",
            "auto_close_days": "7",
        },
    )
    assert response.status_code == 400
    assert (
        "请输入整数" in response.content.decode() or "整数" in response.content.decode()
    )
    assert _snapshot() == before


def test_editing_a_category_on_the_page(client, world):
    client.force_login(world.secretary)
    url = f"{W}/categories/{world.wall.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "墙体维修" in page.content.decode()
    response = client.post(
        url,
        {
            "name": "墙体加固",
            "urgency": "urgent",
            "response_hours": "2",
            "resolve_hours": "24",
            "dispatch_mode": "assign",
            "default_to": f"organization:{world.company.pk}",
            "auto_close_days": "5",
            "active": "on",
        },
    )
    assert response.status_code == 302
    world.wall.refresh_from_db()
    assert world.wall.name == "墙体加固"
    assert world.wall.default_organization == world.company
    assert world.wall.auto_close_days == 5
    assert not world.wall.teams.exists()


def test_the_pages_of_another_community_are_not_found(client, world):
    client.force_login(world.secretary)
    other = world.areas["other_community"]
    assert client.get(f"{W}/?area={other.pk}").status_code == 404
    assert client.get(f"{W}/categories/{world.light.pk}/").status_code == 404
    assert client.get(f"{W}/departments/").status_code == 404
    assert client.get(f"{W}/handlers/team/{world.other_team.pk}/").status_code == 404
    assert client.get(f"{W}/handlers/planet/{world.team_a.pk}/").status_code == 404


def test_the_street_adds_a_department_on_the_page(client, world):
    client.force_login(world.street_manager)
    response = client.post(
        f"{W}/departments/", {"street": world.street.pk, "name": "城管科"}
    )
    assert response.status_code == 302
    assert Department.objects.filter(name="城管科").exists()
    before = _snapshot()
    response = client.post(
        f"{W}/departments/", {"street": world.street.pk, "name": "城管科"}
    )
    assert response.status_code == 400
    assert 'data-field="name"' in response.content.decode()
    assert _snapshot() == before


def test_handlers_page_adds_from_the_list_and_ends(client, world):
    newcomer = unit_user("13900000032", "冯师傅", world.community)
    client.force_login(world.secretary)
    url = f"{W}/handlers/team/{world.team_b.pk}/"
    page = client.get(url).content.decode()
    assert "钱多多" in page and "冯师傅" in page
    assert "13900000032" not in page
    response = client.post(url, {"user": newcomer.pk})
    assert response.status_code == 302
    handler = Handler.objects.get(user=newcomer, team=world.team_b)
    response = client.post(f"{W}/handlers/{handler.pk}/end/")
    assert response.status_code == 302
    handler.refresh_from_db()
    assert handler.ended_at is not None


def test_a_handler_by_an_unknown_phone_is_refused_on_the_phone_field(client, world):
    client.force_login(world.secretary)
    before = _snapshot()
    response = client.post(
        f"{W}/handlers/team/{world.team_b.pk}/", {"phone": "13900000098"}
    )
    assert response.status_code == 400
    assert 'data-field="phone"' in response.content.decode()
    assert _snapshot() == before


# 转为诉求: from a care visit


@pytest.fixture
def visit(world):
    return Visit.objects.create(
        person=world.zhou,
        household=world.areas["household"],
        worker=world.grid_worker,
        visited_on=dt.date(2026, 11, 20),
        form=VisitForm.HOME,
        findings="独居，身体尚可",
        needs="厨房水管老化漏水",
    )


def test_a_visit_page_offers_to_raise_its_need_as_a_request(client, world, visit):
    client.force_login(world.grid_worker)
    response = client.get(f"/workbench/residents/care/visits/{visit.pk}/")
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert "转为诉求" in page or f"/workbench/requests/from-visit/{visit.pk}/" in page
    assert "厨房水管老化漏水" in page


def test_raising_from_a_visit_links_the_request_to_it(client, world, visit):
    client.force_login(world.grid_worker)
    response = client.post(
        f"/workbench/requests/from-visit/{visit.pk}/",
        {"category": world.wall.pk, "description": "厨房水管老化漏水"},
    )
    assert response.status_code == 302
    item = ServiceRequest.objects.get()
    assert item.channel == Channel.CARE_VISIT
    assert item.reporter == world.zhou
    assert item.area == world.areas["household"]
    visit.refresh_from_db()
    assert visit.service_request_id == item.pk
    page = client.get(response.url).content.decode()
    assert item.number in page
    assert f"/workbench/requests/{item.pk}/" in page


def test_a_visit_without_a_description_raises_nothing(client, world, visit):
    client.force_login(world.grid_worker)
    response = client.post(
        f"/workbench/requests/from-visit/{visit.pk}/",
        {"category": world.wall.pk, "description": " "},
    )
    assert response.status_code == 400
    assert 'data-field="description"' in response.content.decode() or (
        "description" in response.content.decode()
    )
    assert not ServiceRequest.objects.exists()
    visit.refresh_from_db()
    assert visit.service_request_id is None


def test_a_visit_out_of_reach_cannot_be_raised_from(client, world, visit, users):
    client.force_login(users["other_grid_worker"])
    response = client.post(
        f"/workbench/requests/from-visit/{visit.pk}/",
        {"category": world.wall.pk, "description": "漏水"},
    )
    assert response.status_code == 404
    assert not ServiceRequest.objects.exists()
