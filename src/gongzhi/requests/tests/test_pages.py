"""The pages of the requests loop: 周桂兰 raises, follows and rates on her
phone; 刘洋 dispatches at the community's desk; 孙志强 (维修服务队) accepts
and resolves from 我的工单; teams take from the pool; the street routes
what the community escalates. In Chinese, as the pages default to."""

import pytest

from gongzhi.requests import services
from gongzhi.requests.models import ServiceRequest, Transition
from gongzhi.requests.states import Status

from .conftest import hours, photo, raise_wall

P = "/portal/requests"
W = "/workbench/requests"


def _not_image():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("wall.png", b"not a picture", content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _steps(item) -> int:
    return Transition.objects.filter(request=item).count()


def _dispatched(world, **kwargs):
    item = raise_wall(world, now=hours(0), **kwargs)
    return services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.1)
    )


def _resolved(world):
    item = _dispatched(world)
    services.request_accept(service_request=item, by=world.a, now=hours(0.2))
    return services.request_resolve(
        service_request=item, by=world.a, resolution="已加固围墙", now=hours(1)
    )


# The resident's phone


def test_the_raise_form_offers_her_home_and_the_places_of_her_community(client, world):
    client.force_login(world.resident)
    response = client.get(P + "/new/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "墙体维修" in page
    assert "航院小区 1号楼" in page
    assert world.areas["household"].name in page


def test_raising_on_her_phone_gives_a_tracking_number(client, world, media):
    client.force_login(world.resident)
    response = client.post(
        P + "/new/",
        {
            "category": world.wall.pk,
            "area": world.areas["building"].pk,
            "description": "大理道20号围墙倾斜",
            "public": "on",
            "photos": [photo("a.png"), photo("b.png")],
            "key": "k1",
        },
        follow=True,
    )
    item = ServiceRequest.objects.get()
    assert item.reporter == world.zhou and item.public
    assert item.photos.count() == 2
    page = response.content.decode()
    assert item.number in page
    assert "大理道20号围墙倾斜" in page
    # Sent twice (a double tap): the same request.
    client.post(
        P + "/new/",
        {
            "category": world.wall.pk,
            "area": world.areas["building"].pk,
            "description": "大理道20号围墙倾斜",
            "public": "on",
            "key": "k1",
        },
    )
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("description", "", "必填"),
        ("category", "999999", "有效的选项"),
        ("area", "999999", "有效的选项"),
    ],
)
def test_bad_input_on_the_phone_names_the_field_and_raises_nothing(
    client, world, field, value, error
):
    client.force_login(world.resident)
    data = {
        "category": world.wall.pk,
        "area": world.areas["building"].pk,
        "description": "围墙倾斜",
        field: value,
    }
    response = client.post(P + "/new/", data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not ServiceRequest.objects.exists()


def test_a_file_that_is_no_photo_is_refused_on_the_photos_field(client, world, media):
    client.force_login(world.resident)
    response = client.post(
        P + "/new/",
        {
            "category": world.wall.pk,
            "area": world.areas["building"].pk,
            "description": "围墙倾斜",
            "photos": [_not_image()],
        },
    )
    assert response.status_code == 400
    assert "不是照片" in response.content.decode() or "wall.png" in (
        response.content.decode()
    )
    assert not ServiceRequest.objects.exists()


def test_likely_duplicates_are_shown_to_follow(client, world):
    first = raise_wall(world, by=world.staff, reporter=world.neighbour, public=True)
    client.force_login(world.resident)
    response = client.get(
        P + "/duplicates/",
        {"category": world.wall.pk, "area": world.areas["household"].pk},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert first.number in page and "关注这条" in page
    similar = client.get(f"{P}/similar/{first.pk}/")
    assert similar.status_code == 200
    assert first.number in similar.content.decode()
    # Another community's request is not hers to follow.
    far = services.request_raise(
        category=world.light,
        area=world.areas["other_household"],
        description="路灯坏了",
        by=None,
    )
    assert client.get(f"{P}/similar/{far.pk}/").status_code == 404


def test_her_list_and_detail_show_status_and_timeline(client, world):
    item = _dispatched(world)
    client.force_login(world.resident)
    listing = client.get(P + "/").content.decode()
    assert item.number in listing
    response = client.get(f"{P}/{item.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert item.number in page and "维修服务队" in page
    # The timeline names roles, not staff.
    assert world.staff.name not in page


def test_someone_elses_request_is_not_there(client, world):
    theirs = raise_wall(world, by=world.staff, reporter=world.neighbour)
    client.force_login(world.resident)
    assert client.get(f"{P}/{theirs.pk}/").status_code == 404
    response = client.post(f"{P}/{theirs.pk}/rate/", {"rating": "satisfied"})
    assert response.status_code == 404


def test_she_rates_a_resolved_request_once(client, world):
    item = _resolved(world)
    client.force_login(world.resident)
    page = client.get(f"{P}/{item.pk}/").content.decode()
    assert "满意" in page and "已加固围墙" in page
    bad = client.post(f"{P}/{item.pk}/rate/", {"rating": ""})
    assert bad.status_code == 400
    item.refresh_from_db()
    assert item.status == Status.RESOLVED
    response = client.post(
        f"{P}/{item.pk}/rate/", {"rating": "satisfied", "comment": "很及时"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.rating == "satisfied"
    again = client.post(f"{P}/{item.pk}/rate/", {"rating": "dissatisfied"})
    assert again.status_code == 400
    item.refresh_from_db()
    assert item.rating == "satisfied"


def test_dissatisfied_she_reopens_once_with_a_reason(client, world):
    item = _resolved(world)
    client.force_login(world.resident)
    client.post(f"{P}/{item.pk}/rate/", {"rating": "dissatisfied"})
    assert 'data-testid="reopen"' in client.get(f"{P}/{item.pk}/").content.decode()
    empty = client.post(f"{P}/{item.pk}/reopen/", {"reason": ""})
    assert empty.status_code == 400
    assert "必填" in empty.content.decode()
    client.post(f"{P}/{item.pk}/reopen/", {"reason": "墙还是歪的"})
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and item.reopened_count == 1


def test_her_photos_show_to_her_and_no_one_else(client, world, media):
    item = raise_wall(world, photos=[photo()])
    shot = item.photos.get()
    client.force_login(world.resident)
    assert client.get(f"{P}/{item.pk}/photos/{shot.pk}/").status_code == 200
    client.force_login(world.other_user) if hasattr(world, "other_user") else None
    client.force_login(world.a)
    assert client.get(f"{P}/{item.pk}/photos/{shot.pk}/").status_code == 404
    client.force_login(world.staff)
    assert client.get(f"{W}/{item.pk}/photos/{shot.pk}/").status_code == 200


# The community's desk


def test_the_desk_lists_what_waits_with_overdue_in_red(client, world):
    waiting = raise_wall(world)
    late = raise_wall(world, category=world.light)
    ServiceRequest.objects.filter(pk=late.pk).update(resolve_overdue=True)
    client.force_login(world.staff)
    response = client.get(W + "/")
    assert response.status_code == 200
    page = response.content.decode()
    assert waiting.number in page and late.number in page
    assert "已超时" in page and "is-overdue" in page
    # Overdue first.
    assert page.index(late.number) < page.index(waiting.number)
    only = client.get(W + "/", {"overdue": "1"}).content.decode()
    assert late.number in only and waiting.number not in only
    by_category = client.get(W + "/", {"category": world.light.pk}).content.decode()
    assert late.number in by_category and waiting.number not in by_category


def test_the_desk_of_a_community_out_of_reach_is_not_there(client, world):
    client.force_login(world.staff)
    other = world.areas["other_community"].pk
    assert client.get(W + "/", {"community": other}).status_code == 404
    client.force_login(world.resident)
    assert client.get(W + "/").status_code == 404


def test_staff_see_reporter_masked_and_every_step_they_may_take(client, world):
    item = raise_wall(world)
    client.force_login(world.staff)
    response = client.get(f"{W}/{item.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="reporter">周桂兰' in page
    for step in ("dispatch", "pool", "escalate", "reject", "merge"):
        assert f'data-step="{step}"' in page
    assert 'data-step="accept"' not in page


def test_a_request_out_of_reach_answers_404(client, world):
    item = raise_wall(world)
    client.force_login(world.users["other_grid_worker"])
    assert client.get(f"{W}/{item.pk}/").status_code == 404
    response = client.post(f"{W}/{item.pk}/reject/", {"reason": "无效"})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_dispatching_from_the_page(client, world):
    item = raise_wall(world)
    client.force_login(world.staff)
    response = client.post(
        f"{W}/{item.pk}/dispatch/",
        {"to": f"team:{world.team_a.pk}", "version": item.version},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED and item.team == world.team_a


def test_dispatching_with_nobody_chosen_names_the_field_and_changes_nothing(
    client, world
):
    item = raise_wall(world)
    before = _steps(item)
    client.force_login(world.staff)
    response = client.post(f"{W}/{item.pk}/dispatch/", {"to": ""})
    assert response.status_code == 400
    assert "必填" in response.content.decode()
    assert _steps(item) == before


def test_a_stale_page_is_told_someone_else_acted(client, world):
    item = raise_wall(world)
    seen = item.version
    services.request_dispatch(service_request=item, to=world.team_b, by=world.staff)
    client.force_login(world.secretary)
    response = client.post(
        f"{W}/{item.pk}/dispatch/",
        {"to": f"team:{world.team_a.pk}", "version": seen},
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.team == world.team_b


def test_rejecting_needs_a_reason_the_resident_then_reads(client, world):
    item = raise_wall(world)
    client.force_login(world.staff)
    empty = client.post(f"{W}/{item.pk}/reject/", {"reason": ""})
    assert empty.status_code == 400
    assert "必填" in empty.content.decode()
    client.post(f"{W}/{item.pk}/reject/", {"reason": "不属于社区职责"})
    item.refresh_from_db()
    assert item.status == Status.REJECTED
    client.force_login(world.resident)
    assert "不属于社区职责" in client.get(f"{P}/{item.pk}/").content.decode()


def test_merging_by_tracking_number(client, world):
    first = raise_wall(world)
    second = raise_wall(world, by=world.staff, reporter=world.neighbour)
    client.force_login(world.staff)
    bad = client.post(f"{W}/{second.pk}/merge/", {"into": "GZ000"})
    assert bad.status_code == 400
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    client.post(f"{W}/{second.pk}/merge/", {"into": first.number})
    second.refresh_from_db()
    assert second.status == Status.MERGED and second.merged_into == first


def test_escalating_then_the_street_dispatches_to_a_department(client, world):
    item = raise_wall(world)
    client.force_login(world.staff)
    empty = client.post(f"{W}/{item.pk}/escalate/", {"note": ""})
    assert empty.status_code == 400
    client.post(f"{W}/{item.pk}/escalate/", {"note": "需要水务办"})
    item.refresh_from_db()
    assert item.status == Status.ESCALATED
    assert client.get(W + "/street/").status_code == 404
    client.force_login(world.street_manager)
    desk = client.get(W + "/street/")
    assert desk.status_code == 200 and item.number in desk.content.decode()
    client.post(f"{W}/{item.pk}/street_dispatch/", {"to": world.department.pk})
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED and item.department == world.department


def test_a_call_back_records_the_answer(client, world):
    item = _resolved(world)
    client.force_login(world.staff)
    bad = client.post(f"{W}/{item.pk}/callback/", {"reached": "1", "rating": ""})
    assert bad.status_code == 400
    client.post(
        f"{W}/{item.pk}/callback/",
        {"reached": "1", "rating": "basic", "note": "电话回访"},
    )
    item.refresh_from_db()
    assert item.status == Status.CLOSED and item.rating == "basic"


# A team's queue


def test_a_handler_works_her_queue(client, world, media):
    item = _dispatched(world)
    client.force_login(world.a)
    queue = client.get(W + "/mine/")
    assert queue.status_code == 200 and item.number in queue.content.decode()
    page = client.get(f"{W}/{item.pk}/").content.decode()
    assert 'data-step="accept"' in page and 'data-step="dispatch"' not in page
    client.post(f"{W}/{item.pk}/accept/", {"version": item.version})
    client.post(f"{W}/{item.pk}/contact/", {"note": "已电话联系"})
    client.post(f"{W}/{item.pk}/start/", {})
    empty = client.post(f"{W}/{item.pk}/resolve/", {"resolution": ""})
    assert empty.status_code == 400
    assert "必填" in empty.content.decode()
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    client.post(
        f"{W}/{item.pk}/resolve/", {"resolution": "已加固", "photos": [photo()]}
    )
    item.refresh_from_db()
    assert item.status == Status.RESOLVED and item.photos.count() == 1


def test_another_teams_handler_cannot_accept(client, world):
    item = _dispatched(world)
    client.force_login(world.b)
    assert client.get(f"{W}/{item.pk}/").status_code == 404
    assert client.post(f"{W}/{item.pk}/accept/", {}).status_code == 404
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED


def test_returning_needs_a_reason(client, world):
    item = _dispatched(world)
    client.force_login(world.a)
    empty = client.post(f"{W}/{item.pk}/return/", {"reason": ""})
    assert empty.status_code == 400
    client.post(f"{W}/{item.pk}/return/", {"reason": "不归我们管"})
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_a_transfer_asked_then_consented(client, world):
    item = _dispatched(world)
    client.force_login(world.a)
    empty = client.post(f"{W}/{item.pk}/transfer/", {"to": "", "reason": "x"})
    assert empty.status_code == 400
    client.post(
        f"{W}/{item.pk}/transfer/", {"to": world.team_b.pk, "reason": "水电问题"}
    )
    item.refresh_from_db()
    assert item.status == Status.TRANSFER_REQUESTED
    client.force_login(world.staff)
    assert (
        'data-step="transfer_decide"' in client.get(f"{W}/{item.pk}/").content.decode()
    )
    client.post(f"{W}/{item.pk}/transfer_decide/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == Status.DISPATCHED and item.team == world.team_b


def test_the_pool_first_team_wins_the_other_is_told(client, world, pool_category):
    item = raise_wall(world, category=pool_category)
    assert item.status == Status.POOLED
    client.force_login(world.a)
    pool = client.get(W + "/pool/")
    assert pool.status_code == 200 and item.number in pool.content.decode()
    won = client.post(f"{W}/{item.pk}/take/", {"team": world.team_a.pk})
    assert won.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED and item.team == world.team_a
    client.force_login(world.b)
    lost = client.post(f"{W}/{item.pk}/take/", {"team": world.team_b.pk}, follow=True)
    assert "维修服务队" in lost.content.decode()
    item.refresh_from_db()
    assert item.team == world.team_a


def test_an_unknown_step_is_not_there(client, world):
    item = raise_wall(world)
    client.force_login(world.staff)
    assert client.post(f"{W}/{item.pk}/explode/", {}).status_code == 404


# Raising for someone


def test_staff_find_the_resident_and_raise_for_her(client, world):
    client.force_login(world.staff)
    community = world.community.pk
    assert client.get(W + "/new/", {"community": community}).status_code == 200
    found = client.get(W + "/new/people/", {"community": community, "q": "周桂兰"})
    assert "周桂兰" in found.content.decode()
    response = client.post(
        W + "/new/",
        {
            "community": community,
            "person": world.zhou.pk,
            "category": world.wall.pk,
            "area": "",
            "description": "楼道灯不亮",
        },
    )
    assert response.status_code == 302
    item = ServiceRequest.objects.get()
    assert item.reporter == world.zhou and item.raised_by == world.staff


def test_staff_raising_with_no_one_named_changes_nothing(client, world):
    client.force_login(world.staff)
    response = client.post(
        W + "/new/",
        {
            "community": world.community.pk,
            "category": world.wall.pk,
            "description": "楼道灯不亮",
        },
    )
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


def test_raising_in_a_community_out_of_reach_is_not_there(client, world):
    client.force_login(world.staff)
    other = world.areas["other_community"].pk
    assert client.get(W + "/new/", {"community": other}).status_code == 404
    assert (
        client.get(W + "/new/people/", {"community": other, "q": "李"}).status_code
        == 404
    )
