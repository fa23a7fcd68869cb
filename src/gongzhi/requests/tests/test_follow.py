"""Following (关注): 周桂兰 finds that 王建国 has reported the leaning wall
already and follows his request instead of raising her own; she sees it
through to its end, the community sees how many wait on it, and a
duplicate merged into it brings its reporter along. 李秀英 of 裕华园 sees
none of it.

Pages are read in English where a label is asserted: the Chinese comes
with the translations."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts.services import user_create
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.requests import services
from gongzhi.requests.models import Follow, ServiceRequest
from gongzhi.requests.states import Status

from .conftest import hours, raise_wall

P = "/portal/requests"
W = "/workbench/requests"
R = "/api/v1/requests"


def _english(client):
    """Pages speak Chinese unless she switched (the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _login_for(person, phone: str):
    user = user_create(phone=phone, name=person.name, password="Resident#2026", by=None)
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def wang(world):
    """王建国, 周桂兰's neighbour, with a login of his own."""
    return _login_for(world.neighbour, "13900000031")


@pytest.fixture
def li(world):
    """李秀英 of 裕华园社区, another community of the street."""
    return _login_for(world.other, "13900000032")


def _his(world, **kwargs):
    """王建国's report of the wall, raised for him by the community."""
    fields = {"by": world.staff, "reporter": world.neighbour, "public": True}
    return raise_wall(world, **{**fields, **kwargs})


def _follow(world, item, **kwargs):
    return services.request_follow(service_request=item, by=world.resident, **kwargs)


def _close(world, item):
    """Dispatched, resolved, and closed on a call back."""
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    services.request_accept(service_request=item, by=world.a)
    services.request_resolve(service_request=item, by=world.a, resolution="已加固围墙")
    return services.request_callback(
        service_request=item, by=world.staff, reached=True, rating="satisfied"
    )


# The services


def test_a_resident_follows_an_open_request_of_her_community(world):
    item = _his(world)
    follow = _follow(world, item, now=hours(1))
    assert follow.person == world.zhou and follow.request == item
    assert follow.created_at == hours(1) and not follow.replayed
    # No step of the request: the timeline and the version stay.
    item.refresh_from_db()
    assert item.version == 1
    assert list(item.transitions.values_list("action", flat=True)) == ["raise"]


def test_following_twice_answers_the_first_follow(world):
    item = _his(world)
    first = _follow(world, item, now=hours(1))
    again = _follow(world, item, now=hours(2))
    assert again.pk == first.pk and again.replayed
    assert again.created_at == hours(1)
    assert Follow.objects.count() == 1


def test_her_own_request_is_refused_as_followed_already(world):
    mine = raise_wall(world)
    with pytest.raises(ValidationFailed) as refused:
        _follow(world, mine)
    assert refused.value.field == "request"
    assert not Follow.objects.exists()


def test_a_resident_of_another_community_may_not_follow(world, li):
    item = _his(world)
    with pytest.raises(NotAllowed):
        services.request_follow(service_request=item, by=li)
    assert not Follow.objects.exists()


def test_a_login_linked_to_no_resident_may_not_follow(world):
    item = _his(world)
    with pytest.raises(NotAllowed):
        services.request_follow(service_request=item, by=world.staff)
    with pytest.raises(NotAllowed):
        services.request_unfollow(service_request=item, by=world.staff)
    assert not Follow.objects.exists()


@pytest.mark.parametrize("ending", ["reject", "merge", "close"])
def test_a_request_rejected_merged_or_closed_cannot_be_followed(world, ending):
    item = _his(world)
    if ending == "reject":
        services.request_reject(service_request=item, by=world.staff, reason="无效")
    elif ending == "merge":
        other = raise_wall(world, by=world.staff, reporter=None, contact_name="张")
        services.request_merge(service_request=item, into=other, by=world.staff)
    else:
        _close(world, item)
    with pytest.raises(TransitionNotAllowed) as refused:
        _follow(world, item)
    assert refused.value.field == "status"
    assert not Follow.objects.filter(request=item).exists()


def test_a_follow_outlives_the_requests_end(world):
    item = _his(world)
    first = _follow(world, item)
    services.request_reject(service_request=item, by=world.staff, reason="无效")
    # Asked again after the end: still hers, nothing new.
    assert _follow(world, item).pk == first.pk


def test_unfollowing_ends_the_follow_and_a_second_time_changes_nothing(world):
    item = _his(world)
    _follow(world, item)
    assert services.request_unfollow(service_request=item, by=world.resident)
    assert not Follow.objects.exists()
    assert not services.request_unfollow(service_request=item, by=world.resident)
    assert not Follow.objects.exists()


# Merging


def test_a_merged_duplicates_reporter_follows_the_request_it_went_into(world):
    his = _his(world, now=hours(0))
    hers = raise_wall(world, now=hours(1))
    services.request_merge(service_request=hers, into=his, by=world.staff, now=hours(2))
    follow = Follow.objects.get()
    assert (follow.request, follow.person) == (his, world.zhou)
    assert follow.created_at == hours(2)


def test_merging_carries_the_duplicates_followers_but_not_the_targets_reporter(
    world, wang
):
    hers = raise_wall(world)
    his = _his(world)
    _follow(world, his)
    # 王建国's report goes into 周桂兰's: she follows hers already, and he
    # follows it now.
    services.request_merge(service_request=his, into=hers, by=world.staff)
    assert set(Follow.objects.values_list("request", "person")) == {
        (his.pk, world.zhou.pk),
        (hers.pk, world.neighbour.pk),
    }


def test_a_duplicate_with_no_registered_reporter_brings_no_one(world):
    his = _his(world)
    walk_in = raise_wall(world, by=world.staff, reporter=None, contact_name="张")
    services.request_merge(service_request=walk_in, into=his, by=world.staff)
    assert not Follow.objects.exists()


def test_her_merged_request_links_to_the_one_she_now_follows(client, world):
    his = _his(world)
    hers = raise_wall(world)
    services.request_merge(service_request=hers, into=his, by=world.staff)
    _close(world, his)
    client.force_login(world.resident)
    page = client.get(f"{P}/{hers.pk}/").content.decode()
    link = f'href="{P}/similar/{his.pk}/" data-testid="merged-into">{his.number}'
    assert link in page
    # Closed, and still hers to see.
    followed = client.get(f"{P}/similar/{his.pk}/")
    assert followed.status_code == 200
    assert 'data-testid="status">' in followed.content.decode()
    assert 'data-testid="unfollow"' in followed.content.decode()


# The resident's phone


def test_she_follows_from_the_similar_page_and_finds_it_in_her_list(client, world):
    item = _his(world)
    client.force_login(world.resident)
    _english(client)
    page = client.get(f"{P}/similar/{item.pk}/").content.decode()
    assert 'data-testid="follow-button">Follow (关注)</button>' in page
    assert f'action="{P}/similar/{item.pk}/follow/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    followed = client.post(f"{P}/similar/{item.pk}/follow/", follow=True)
    assert followed.redirect_chain == [(f"{P}/similar/{item.pk}/", 302)]
    page = followed.content.decode()
    assert f"You follow {item.number}" in page
    assert 'data-testid="following">Following (已关注)' in page
    assert "Unfollow (取消关注)" in page
    assert Follow.objects.get().person == world.zhou
    # A second tap changes nothing.
    client.post(f"{P}/similar/{item.pk}/follow/")
    assert Follow.objects.count() == 1
    listing = client.get(P + "/").content.decode()
    assert "Requests I follow (我关注的)" in listing
    section = listing[listing.index('data-testid="followed"') :]
    assert item.number in section and "大理道20号围墙倾斜" in section
    # Whose it is, never: not his name, not his phone.
    assert "王建国" not in listing


def test_her_own_request_on_the_similar_page_is_her_own_page(client, world):
    mine = raise_wall(world)
    client.force_login(world.resident)
    _english(client)
    response = client.get(f"{P}/similar/{mine.pk}/")
    assert response.status_code == 302 and response.url == f"{P}/{mine.pk}/"
    refused = client.post(f"{P}/similar/{mine.pk}/follow/", follow=True)
    assert "your own request" in refused.content.decode()
    assert not Follow.objects.exists()


def test_words_not_made_public_stay_hidden_from_followers(client, world):
    item = _his(world, public=False, description="三楼卫生间渗水，电话13912345678")
    _follow(world, item)
    client.force_login(world.resident)
    for url in (P + "/", f"{P}/similar/{item.pk}/"):
        page = client.get(url).content.decode()
        assert item.number in page
        assert "渗水" not in page and "13912345678" not in page


def test_a_followed_request_stays_in_sight_after_it_closes(client, world):
    followed, other = _his(world), _his(world)
    _follow(world, followed)
    for item in (followed, other):
        _close(world, item)
    client.force_login(world.resident)
    _english(client)
    page = client.get(f"{P}/similar/{followed.pk}/").content.decode()
    assert "Closed" in page and "Unfollow (取消关注)" in page
    listing = client.get(P + "/").content.decode()
    assert (
        'class="badge st-closed"' in listing[listing.index('data-testid="followed"') :]
    )
    # One she never followed leaves her sight once it is no longer open.
    assert client.get(f"{P}/similar/{other.pk}/").status_code == 404
    assert client.post(f"{P}/similar/{other.pk}/follow/").status_code == 404


def test_unfollowing_a_closed_request_takes_her_back_to_her_list(client, world):
    item = _his(world)
    _follow(world, item)
    client.force_login(world.resident)
    _english(client)
    still_open = client.post(f"{P}/similar/{item.pk}/unfollow/")
    assert still_open.url == f"{P}/similar/{item.pk}/"
    _follow(world, item)
    _close(world, item)
    response = client.post(f"{P}/similar/{item.pk}/unfollow/", follow=True)
    assert response.redirect_chain == [(P + "/", 302)]
    assert f"You no longer follow {item.number}" in response.content.decode()
    assert not Follow.objects.exists()
    assert client.get(f"{P}/similar/{item.pk}/").status_code == 404


def test_the_duplicates_she_follows_are_marked(client, world):
    followed, other = _his(world), _his(world)
    _follow(world, followed)
    client.force_login(world.resident)
    _english(client)
    page = client.get(
        P + "/duplicates/",
        {"category": world.wall.pk, "area": world.areas["household"].pk},
    ).content.decode()
    mark = f'href="{P}/similar/{followed.pk}/" data-testid="followed">'
    assert mark + "Following (已关注)</a>" in page
    assert f'href="{P}/similar/{other.pk}/">Follow this one (关注这条)' in page


def test_another_communitys_resident_finds_nothing_to_follow(client, world, li):
    item = _his(world)
    client.force_login(li)
    assert client.get(f"{P}/similar/{item.pk}/").status_code == 404
    assert client.post(f"{P}/similar/{item.pk}/follow/").status_code == 404
    assert client.post(f"{P}/similar/{item.pk}/unfollow/").status_code == 404
    assert not Follow.objects.exists()
    # Nor does a login that is no resident.
    client.force_login(world.staff)
    assert client.get(f"{P}/similar/{item.pk}/").status_code == 404


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_her_list_reads_what_she_follows_in_one_query(
    client, world, django_assert_num_queries
):
    _follow(world, _his(world))
    raise_wall(world)
    client.force_login(world.resident)
    # Six, one for the names of the places above all the rows', one for
    # the bell's unread count.
    with django_assert_num_queries(8):
        client.get(P + "/")
    for _n in range(3):
        _follow(world, _his(world))
    assert _queries(client, P + "/") == 8


# The workbench


def test_staff_see_how_many_residents_follow(client, world, wang, li):
    item = raise_wall(world, by=world.staff, reporter=None, contact_name="张")
    _follow(world, item)
    services.request_follow(service_request=item, by=wang)
    client.force_login(world.staff)
    _english(client)
    page = client.get(f"{W}/{item.pk}/").content.decode()
    assert 'data-count="2">2 residents follow</span>' in page
    desk = client.get(W + "/").content.decode()
    assert 'data-count="2">2 residents follow</span>' in desk
    # Counted, never named.
    assert "周桂兰" not in page and "王建国" not in page


def test_the_desk_counts_followers_without_a_query_per_request(client, world):
    for _n in range(2):
        _follow(world, _his(world))
    client.force_login(world.staff)
    few = _queries(client, W + "/")
    for _n in range(3):
        _follow(world, _his(world))
    assert _queries(client, W + "/") == few


# The API


def test_following_over_the_api(api_client, world):
    item = _his(world)
    url = f"{R}/{item.pk}/follow"
    api_client.login_api(world.resident)
    made = api_client.post(url)
    assert made.status_code == 201, made.json()
    assert made.json()["number"] == item.number
    assert made.json()["description"] == "大理道20号围墙倾斜"
    again = api_client.post(url)
    assert again.status_code == 200
    assert again.json()["followed_at"] == made.json()["followed_at"]
    listed = api_client.get(f"{R}/following").json()
    assert [f["id"] for f in listed["items"]] == [item.pk]
    assert "reporter" not in listed["items"][0]

    api_client.login_api(world.staff)
    shown = api_client.get(f"{R}/{item.pk}").json()
    assert shown["followers"] == 1
    desk = api_client.get(f"{R}/communities/{world.community.pk}/queue").json()
    assert [r["followers"] for r in desk["items"]] == [1]

    api_client.login_api(world.resident)
    assert api_client.delete(url).status_code == 204
    assert api_client.delete(url).status_code == 204
    assert api_client.get(f"{R}/following").json()["items"] == []


def test_a_followed_request_is_listed_after_it_closes(api_client, world):
    item = _his(world, public=False)
    _follow(world, item)
    _close(world, item)
    api_client.login_api(world.resident)
    listed = api_client.get(f"{R}/following").json()["items"]
    assert [(f["id"], f["status"]) for f in listed] == [(item.pk, Status.CLOSED)]
    assert listed[0]["description"] == ""
    # One she never followed is out of reach once closed.
    other = _his(world)
    _close(world, other)
    assert api_client.post(f"{R}/{other.pk}/follow").status_code == 404


def test_the_api_refuses_following_as_the_portal_does(api_client, world, li):
    item = _his(world)
    url = f"{R}/{item.pk}/follow"
    mine = raise_wall(world)
    api_client.login_api(world.resident)
    own = api_client.post(f"{R}/{mine.pk}/follow")
    assert own.status_code == 400 and own.json()["field"] == "request_id"
    api_client.login_api(li)  # another community
    assert api_client.post(url).status_code == 404
    assert api_client.delete(url).status_code == 404
    api_client.login_api(world.staff)  # sees the place, follows nothing
    assert api_client.post(url).status_code == 403
    assert api_client.get(f"{R}/following").json()["items"] == []
    api_client.login_api(world.users["other_grid_worker"])
    assert api_client.post(url).status_code == 404
    assert not Follow.objects.exists()
    assert ServiceRequest.objects.get(pk=item.pk).version == 1
