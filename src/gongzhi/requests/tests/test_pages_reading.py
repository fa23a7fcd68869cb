"""What the request pages let a person read and do at a glance: places
named in full, what each request is about on the desk, whose photos are
whose, the steps before the history, the number to call, and a
duplicates panel that never offers to follow her own request."""

import re

import pytest

from gongzhi.audit.models import Action, Event
from gongzhi.core import crypto
from gongzhi.requests import services

from .conftest import hours, photo, raise_wall

P = "/portal/requests"
W = "/workbench/requests"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


PHONE = "13912345678"


def _dispatched(world, **kwargs):
    world.zhou.phone_encrypted = crypto.encrypt(PHONE)
    world.zhou.save(update_fields=["phone_encrypted"])
    item = raise_wall(world, now=hours(0), **kwargs)
    return services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.1)
    )


def _in_full(world, key="building"):
    return {
        "building": f"{world.areas['estate'].name} {world.areas['building'].name}",
    }[key]


# Places named in full


def test_the_team_queue_names_the_estate_of_the_building(client, world):
    _dispatched(world)
    client.force_login(world.a)
    page = client.get(W + "/mine/").content.decode()
    assert _in_full(world) in page


def test_the_desk_and_the_request_name_the_estate(client, world):
    item = raise_wall(world, now=hours(0))
    client.force_login(world.staff)
    desk = client.get(W + "/").content.decode()
    assert _in_full(world) in desk
    detail = client.get(f"{W}/{item.pk}/").content.decode()
    assert _in_full(world) in detail


def test_her_request_and_those_she_follows_name_the_estate(client, world):
    item = raise_wall(world, now=hours(0))
    his = raise_wall(world, now=hours(1), by=world.staff, reporter=world.neighbour)
    services.request_follow(service_request=his, by=world.resident)
    client.force_login(world.resident)
    assert _in_full(world) in client.get(P + "/").content.decode()
    assert _in_full(world) in client.get(f"{P}/{item.pk}/").content.decode()
    assert _in_full(world) in client.get(f"{P}/similar/{his.pk}/").content.decode()


def test_the_desk_names_places_without_a_query_per_row(
    client, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    raise_wall(world, now=hours(0))
    client.force_login(world.staff)
    client.get(W + "/")
    with CaptureQueriesContext(connection) as one:
        client.get(W + "/")
    for n in range(4):
        raise_wall(world, now=hours(n + 1), area=world.areas["household"])
    with django_assert_max_num_queries(len(one)):
        client.get(W + "/")


def test_the_desks_tell_same_named_holders_apart_by_their_community(client, world):
    """Two 五大道派出所 on one page read with their communities; a holder met
    once reads as its plain name."""
    from types import SimpleNamespace

    from gongzhi.orgs.models import Organization, OrgKind
    from gongzhi.requests.selectors import with_assignee_names

    areas = world.areas
    twins = [
        Organization.objects.create(
            kind=OrgKind.CO_BUILDING, name="五大道派出所", area=area
        )
        for area in (areas["estate"], areas["other_community"])
    ]
    rows = [SimpleNamespace(assignee=holder) for holder in (*twins, world.team_a)]
    assert [row.assignee_name for row in with_assignee_names(rows)] == [
        f"五大道派出所 · {areas['community'].name}",
        f"五大道派出所 · {areas['other_community'].name}",
        world.team_a.name,
    ]
    _dispatched(world)
    client.force_login(world.a)
    mine = client.get(W + "/mine/").content.decode()
    assert f" · {world.team_a.name}" in mine


# The desk says what each request is about


def test_the_desk_shows_each_description_the_long_one_in_full_on_demand(client, world):
    long = "围墙倾斜" + "很危险" * 40
    raise_wall(world, now=hours(0), description=long)
    raise_wall(world, now=hours(1), description="楼道灯不亮")
    client.force_login(world.staff)
    page = client.get(W + "/").content.decode()
    assert "楼道灯不亮" in page
    assert '<details class="more"><summary>围墙倾斜很危险' in page
    assert long in page


# One request on the team's page


def test_photos_are_labelled_the_residents_and_the_finished_work(client, world, media):
    item = _dispatched(world, photos=[photo("wall.png")])
    services.request_accept(service_request=item, by=world.a, now=hours(0.2))
    services.request_resolve(
        service_request=item,
        by=world.a,
        resolution="已加固",
        photos=[photo("done.png")],
        now=hours(1),
    )
    client.force_login(world.a)
    page = client.get(f"{W}/{item.pk}/").content.decode()
    reported = page.index('data-testid="photos-report"')
    result = page.index('data-testid="photos-result"')
    assert "居民上传的照片" in page[reported:result]
    assert "办结照片" in page[result:]


def test_the_steps_come_before_the_timeline(client, world):
    item = _dispatched(world)
    client.force_login(world.a)
    page = client.get(f"{W}/{item.pk}/").content.decode()
    assert page.index('data-testid="steps"') < page.index('data-testid="timeline"')


# 显示电话: the assignee calls the resident


def test_the_assignee_reveals_the_number_with_a_call_link_and_it_is_audited(
    client, world
):
    item = _dispatched(world)
    client.force_login(world.a)
    page = client.get(f"{W}/{item.pk}/").content.decode()
    assert 'data-testid="show-phone"' in page
    assert PHONE not in page
    shown = client.post(f"{W}/{item.pk}/phone/", HTTP_HX_REQUEST="true")
    assert shown.status_code == 200
    assert f'href="tel:{PHONE}"' in shown.content.decode()
    event = Event.objects.get(action=Action.PERSONAL_VIEWED)
    assert event.actor == world.a and event.target_id == str(item.pk)
    assert event.detail["field"] == "reporter_phone"
    full = client.post(f"{W}/{item.pk}/phone/").content.decode()
    assert f'href="tel:{PHONE}"' in full and 'data-testid="steps"' in full


def test_no_one_but_the_assignee_reveals_the_number(client, world):
    item = _dispatched(world)
    for user in (world.b, world.street_manager, world.users["other_grid_worker"]):
        client.force_login(user)
        assert client.post(f"{W}/{item.pk}/phone/").status_code == 404
    client.force_login(world.street_manager)
    assert (
        'data-testid="show-phone"' not in client.get(f"{W}/{item.pk}/").content.decode()
    )
    services.request_accept(service_request=item, by=world.a, now=hours(0.2))
    services.request_return(
        service_request=item, by=world.a, reason="不归我们管", now=hours(0.3)
    )
    client.force_login(world.a)
    assert client.post(f"{W}/{item.pk}/phone/").status_code == 404
    assert not Event.objects.filter(action=Action.PERSONAL_VIEWED).exists()


# The duplicates panel


def test_the_duplicates_panel_does_not_offer_her_own_request_to_follow(client, world):
    mine = raise_wall(world, now=hours(0))
    his = raise_wall(
        world,
        now=hours(1),
        by=world.staff,
        reporter=world.neighbour,
        description="围墙裂了",
    )
    client.force_login(world.resident)
    panel = client.get(
        P + "/duplicates/",
        {"category": world.wall.pk, "area": world.areas["building"].pk},
    ).content.decode()
    assert f'href="{P}/{mine.pk}/"' in panel
    assert f"/similar/{mine.pk}/" not in panel
    assert f"/similar/{his.pk}/" in panel
    assert panel.count("关注这条") == 1


def test_the_duplicates_panel_follows_her_typing(client, world):
    client.force_login(world.resident)
    page = client.get(P + "/new/").content.decode()
    trigger = re.search(r'hx-trigger="([^"]*)"', page).group(1)
    assert "keyup changed delay:" in trigger and "from:#id_description" in trigger


def test_the_resident_found_to_raise_for_reads_with_her_whole_address(client, world):
    a = world.areas
    home = " ".join(a[k].name for k in ("estate", "building", "entrance", "household"))
    client.force_login(world.staff)
    found = client.get(
        W + "/new/people/", {"community": world.community.pk, "q": "周桂兰"}
    ).content.decode()
    assert home in found
