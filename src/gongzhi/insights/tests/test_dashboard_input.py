"""The 数据大屏's refusals: a month not yet begun or malformed, a place
below a community, an area outside one's reach, a comparison of the wrong
areas; each a clear answer naming the field, in Chinese or English, and
nothing written."""

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.insights.models import Rollup

A = "/api/v1/insights"


def _next_month() -> str:
    today = timezone.localdate()
    return (today.replace(day=28) + dt.timedelta(days=7)).strftime("%Y-%m")


@pytest.mark.parametrize(
    ("month", "says"),
    [
        (None, "该月份尚未到来"),
        ("2026-13", "YYYY-MM"),
        ("last month", "YYYY-MM"),
        ("1999-01", "起保留"),
    ],
)
def test_a_bad_month_is_refused_naming_the_field(api_client, users, areas, month, says):
    api_client.login_api(users["street_manager"])
    answer = api_client.get(
        f"{A}/areas/{areas['street'].pk}/trends", {"month": month or _next_month()}
    )
    assert answer.status_code == 400
    assert answer.json()["field"] == "month"
    assert says in answer.json()["detail"]
    assert not Rollup.objects.exists()


def test_an_area_outside_ones_reach_is_not_there(api_client, users, areas):
    api_client.login_api(users["secretary"])  # 三盛里's secretary
    mine = api_client.get(f"{A}/areas/{areas['community'].pk}/screen")
    assert mine.status_code == 200
    assert mine.json()["area"]["name"] == areas["community"].name
    for place in ("other_community", "street", "district"):
        answer = api_client.get(f"{A}/areas/{areas[place].pk}/points")
        assert answer.status_code == 404, place
    # A grid worker sees her grid but holds no insights.view.
    api_client.login_api(users["grid_worker"])
    assert api_client.get(f"{A}/areas/{areas['grid'].pk}/care").status_code == 404


def test_a_place_below_a_community_is_a_field_error(api_client, users, areas):
    api_client.login_api(users["street_manager"])
    answer = api_client.get(f"{A}/areas/{areas['grid'].pk}/care")
    assert answer.status_code == 400
    assert answer.json()["field"] == "area"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"ids": "1"}, "ids"),
        ({"ids": "a,b"}, "ids"),
        ({"ids": ",".join(str(n) for n in range(1, 12))}, "ids"),
        ({}, "ids"),
    ],
)
def test_a_comparison_of_too_few_or_bad_ids_is_refused(api_client, users, query, field):
    api_client.login_api(users["district_manager"])
    answer = api_client.get(f"{A}/compare", query)
    assert answer.status_code == 400
    assert answer.json()["field"] == field


def test_a_comparison_mixes_no_kinds_and_reaches_no_further(api_client, users, areas):
    api_client.login_api(users["district_manager"])
    mixed = api_client.get(
        f"{A}/compare", {"ids": f"{areas['community'].pk},{areas['street'].pk}"}
    )
    assert mixed.status_code == 400 and mixed.json()["field"] == "ids"
    of_community = api_client.get(f"{A}/compare", {"area_id": areas["community"].pk})
    assert of_community.status_code == 400
    assert of_community.json()["field"] == "area_id"
    both = api_client.get(
        f"{A}/compare",
        {"ids": f"{areas['community'].pk},{areas['other_community'].pk}"},
    )
    assert both.status_code == 200
    assert [a["id"] for a in both.json()["areas"]] == [
        areas["community"].pk,
        areas["other_community"].pk,
    ]
    api_client.login_api(users["secretary"])
    assert (
        api_client.get(
            f"{A}/compare",
            {"ids": f"{areas['community'].pk},{areas['other_community'].pk}"},
        ).status_code
        == 404
    )


def test_the_page_json_refuses_a_future_month_in_english_too(client, users, areas):
    client.force_login(users["street_manager"])
    url = f"/workbench/insights/screen/{areas['street'].pk}/data.json"
    answer = client.get(url, {"month": _next_month()})
    assert answer.status_code == 400
    assert answer.json() == {"detail": "该月份尚未到来。", "field": "month"}
    client.cookies["django_language"] = "en"
    answer = client.get(url, {"month": _next_month()})
    assert answer.json()["detail"] == "That month has not come yet."
    page = client.get(f"/workbench/insights/screen/{areas['street'].pk}/")
    assert "data screen (数据大屏)" in page.content.decode()


def test_the_screen_and_its_downloads_open_on_an_empty_street(client, users, areas):
    client.force_login(users["street_manager"])
    page = client.get(f"/workbench/insights/screen/{areas['street'].pk}/")
    assert "五大道街道数据大屏" in page.content.decode()
    book = client.get(f"/workbench/insights/screen/{areas['street'].pk}/download")
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get(
        f"/workbench/insights/screen/{areas['street'].pk}/download",
        {"format": "csv", "panel": "tree"},
    )
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("区域") or "诉求数" in text
    assert len(text.splitlines()) == 4  # the header and three communities
    bad = client.get(
        f"/workbench/insights/screen/{areas['street'].pk}/download",
        {"format": "csv", "panel": "nothing"},
    )
    assert bad.status_code == 400 and bad.json()["field"] == "panel"
