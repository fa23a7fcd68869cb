"""The requests API: the loop over HTTP, errors that name the field, and
what each caller may open."""

import pytest

from gongzhi.audit.models import Action, Event
from gongzhi.requests.models import ServiceRequest, Transition
from gongzhi.requests.states import Status

from .conftest import photo, raise_wall

R = "/api/v1/requests"


def _raise(api_client, world, key="k1", **body):
    payload = {
        "category_id": world.wall.pk,
        "area_id": world.areas["building"].pk,
        "description": "大理道20号围墙倾斜",
        **body,
    }
    return api_client.post(
        R, payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def _post(api_client, url, body=None):
    return api_client.post(url, body or {}, content_type="application/json")


def test_the_loop_over_the_api(api_client, world):
    api_client.login_api(world.resident)
    made = _raise(api_client, world)
    assert made.status_code == 201, made.json()
    item = made.json()
    assert item["number"].startswith("GZ")
    assert item["reporter"] == "周桂兰"
    assert item["status"] == Status.SUBMITTED
    again = _raise(api_client, world)
    assert again.status_code == 200 and again.json()["id"] == item["id"]
    url = f"{R}/{item['id']}"

    api_client.login_api(world.staff)
    queue = api_client.get(f"{R}/communities/{world.community.pk}/queue").json()
    assert [r["id"] for r in queue["items"]] == [item["id"]]
    detail = api_client.get(url).json()
    assert "dispatch" in detail["actions"]
    done = _post(
        api_client,
        f"{url}/dispatch",
        {"team_id": world.team_a.pk, "version": detail["version"]},
    )
    assert done.status_code == 200, done.json()
    assert done.json()["assignee"] == "维修服务队"

    api_client.login_api(world.a)
    mine = api_client.get(f"{R}/queue").json()
    assert [r["id"] for r in mine["items"]] == [item["id"]]
    assert _post(api_client, f"{url}/accept").status_code == 200
    resolved = api_client.post(
        f"{url}/resolve",
        {"resolution": "已加固", "photos": [photo()]},
    )
    assert resolved.status_code == 200, resolved.json()

    api_client.login_api(world.resident)
    rated = _post(api_client, f"{url}/rate", {"rating": "satisfied"})
    assert rated.json()["status"] == Status.CLOSED
    again = _post(api_client, f"{url}/rate", {"rating": "satisfied"})
    assert again.status_code == 409 and again.json()["field"] == "rating"
    steps = api_client.get(f"{url}/timeline").json()
    assert [s["action"] for s in steps] == [
        "raise",
        "dispatch",
        "accept",
        "resolve",
        "rate",
    ]
    # Staff appear as their role, never by name, to the resident.
    assert all(s["by"] == "" for s in steps)
    assert steps[1]["actor_label"] in ("Community", "社区")
    assert [r["id"] for r in api_client.get(f"{R}/mine").json()["items"]] == [
        item["id"]
    ]


def test_raise_needs_an_idempotency_key(api_client, world):
    api_client.login_api(world.resident)
    response = api_client.post(
        R,
        {"category_id": world.wall.pk, "area_id": world.areas["building"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"category_id": 999999}, "category_id"),
        ({"description": ""}, "description"),
        ({"area_id": 999999}, "area_id"),
    ],
)
def test_bad_input_over_the_api_names_the_field(api_client, world, body, field):
    api_client.login_api(world.resident)
    response = _raise(api_client, world, **body)
    assert response.status_code == 400, response.json()
    assert response.json()["field"] == field
    assert not ServiceRequest.objects.exists()


def test_a_place_outside_the_residents_community_is_refused(api_client, world):
    api_client.login_api(world.resident)
    response = _raise(
        api_client,
        world,
        category_id=world.light.pk,
        area_id=world.areas["other_household"].pk,
    )
    assert response.status_code == 400
    assert response.json()["field"] == "area_id"


def test_a_non_image_photo_is_refused_and_nothing_added(api_client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    item = raise_wall(world)
    api_client.login_api(world.resident)
    fake = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    response = api_client.post(f"{R}/{item.pk}/photos", {"photos": [fake]})
    assert response.status_code == 400
    assert response.json()["field"] == "photos"
    assert not item.photos.exists()


def test_another_team_cannot_accept_and_others_do_not_see_it(api_client, world):
    item = raise_wall(world)
    api_client.login_api(world.staff)
    _post(api_client, f"{R}/{item.pk}/dispatch", {"team_id": world.team_a.pk})
    api_client.login_api(world.b)  # sees the community, not the request
    assert _post(api_client, f"{R}/{item.pk}/accept").status_code == 403
    api_client.login_api(world.users["other_grid_worker"])
    assert api_client.get(f"{R}/{item.pk}").status_code == 404
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED


def test_a_neighbour_cannot_rate_and_a_grid_worker_may_not_dispatch(api_client, world):
    item = raise_wall(world)
    api_client.login_api(world.grid_worker)
    response = _post(
        api_client, f"{R}/{item.pk}/dispatch", {"team_id": world.team_a.pk}
    )
    assert response.status_code == 403
    assert item.transitions.count() == 1


def test_a_stale_version_answers_409(api_client, world):
    item = raise_wall(world)
    api_client.login_api(world.staff)
    first = _post(
        api_client,
        f"{R}/{item.pk}/dispatch",
        {"team_id": world.team_a.pk, "version": item.version},
    )
    assert first.status_code == 200
    second = _post(
        api_client,
        f"{R}/{item.pk}/dispatch",
        {"team_id": world.team_b.pk, "version": item.version},
    )
    assert second.status_code == 409 and second.json()["field"] == "version"
    assert Transition.objects.filter(action="dispatch").count() == 1


def test_pool_take_and_street_dispatch_over_the_api(api_client, world, pool_category):
    item = raise_wall(world, category=pool_category)
    api_client.login_api(world.b)
    pool = api_client.get(f"{R}/pool").json()
    assert [r["id"] for r in pool["items"]] == [item.pk]
    took = _post(api_client, f"{R}/{item.pk}/take", {"team_id": world.team_b.pk})
    assert took.status_code == 200 and took.json()["status"] == Status.ACCEPTED
    other = raise_wall(world)
    api_client.login_api(world.staff)
    _post(api_client, f"{R}/{other.pk}/escalate", {"note": "需水务"})
    api_client.login_api(world.street_manager)
    desk = api_client.get(f"{R}/streets/{world.street.pk}/queue").json()
    assert [r["id"] for r in desk["items"]] == [other.pk]
    sent = _post(
        api_client,
        f"{R}/{other.pk}/street-dispatch",
        {"department_id": world.department.pk},
    )
    assert sent.status_code == 200 and sent.json()["assignee"] == "水务办"


def test_revealing_the_phone_is_audited(api_client, world):
    item = raise_wall(world, reporter=None, by=world.staff, contact_phone="13912345678")
    api_client.login_api(world.staff)
    shown = api_client.get(f"{R}/{item.pk}").json()
    assert shown["contact_phone"] != "13912345678"
    full = _post(api_client, f"{R}/{item.pk}/reveal")
    assert full.json()["phone"] == "13912345678"
    assert Event.objects.filter(action=Action.PERSONAL_VIEWED).count() == 1
    api_client.login_api(world.street_manager)
    assert _post(api_client, f"{R}/{item.pk}/reveal").status_code == 403


def test_duplicates_are_suggested_without_others_words(api_client, world):
    first = raise_wall(world)
    api_client.login_api(world.resident)
    found = api_client.get(
        f"{R}/duplicates",
        {"category_id": world.wall.pk, "area_id": world.areas["entrance"].pk},
    ).json()
    assert [d["number"] for d in found] == [first.number]
    assert found[0]["description"] == ""
