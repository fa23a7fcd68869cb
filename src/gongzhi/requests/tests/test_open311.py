"""The Open311 GeoReport v2 facade against the specification's examples:
every document compared, field by field, with the shape of the example
the specification gives for it, in JSON and in XML; every error; and what
is published (public requests only, no one's name or phone, no place
finer than the building)."""

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import token_issue, token_revoke, user_create
from gongzhi.requests import services
from gongzhi.requests.models import RequestPhoto, ServiceRequest
from gongzhi.requests.open311 import attributes as attributes_module
from gongzhi.requests.states import Channel, Rating, Status

from .conftest import photo

V2 = "/open311/v2"

# The specification's examples, as field names in document order.
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
W3C = "%Y-%m-%dT%H:%M:%S%z"


# Helpers


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def body(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content.decode("utf-8"))


def children(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


def errors_of(response, fmt="json") -> list[dict]:
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "errors"
        assert {tuple(children(e)) for e in root} == {("code", "description")}
        return [
            {"code": int(e.findtext("code")), "description": e.findtext("description")}
            for e in root
        ]
    items = body(response)
    assert all(list(item) == ["code", "description"] for item in items)
    return items


def refused(response, status: int, field: str, fmt="json") -> None:
    assert response.status_code == status, response.content
    items = errors_of(response, fmt)
    assert items and items[0]["code"] == status
    # "field: message", the colon full-width in Chinese
    assert re.match(rf"{re.escape(field)}[:：]", items[0]["description"]), items


def is_w3c(value: str) -> bool:
    moment = dt.datetime.strptime(value, W3C)
    return moment.tzinfo is not None and value.endswith("+08:00")


@pytest.fixture
def partner(world):
    """A partner hotline of 三盛里 with an account that may raise requests
    there (its key is an API token of that account)."""
    user = user_create(
        phone="13900000031", name="12345热线", password="P#2026abc", by=None
    )
    Grant.objects.create(user=user, area=world.community, role=Role.STAFF)
    raw, _token = token_issue(user=user)
    return user, raw


@pytest.fixture
def key(partner):
    return partner[1]


def post(client, fmt="json", **data):
    return client.post(f"{V2}/requests.{fmt}", data)


def report(key, **extra):
    data = {
        "api_key": key,
        "service_code": "wall",
        "address_string": "1号楼, 航院小区, 三盛里社区",
        "description": "大理道20号围墙倾斜",
        "attribute[public]": "true",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def raised(world, *, public=True, area=None, category=None, now=None, **kwargs):
    """A request 周桂兰 raised on her phone, an hour ago unless told."""
    return services.request_raise(
        category=category or world.wall,
        area=area or world.areas["household"],
        description="大理道20号围墙倾斜",
        by=world.resident,
        reporter=world.zhou,
        public=public,
        now=now or timezone.now() - dt.timedelta(hours=1),
        **kwargs,
    )


# Discovery


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_v2_endpoint_and_both_formats(client, world, fmt):
    response = client.get(f"/open311/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        found = body(response)
        assert list(found) == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = found["endpoints"][0]
        formats = endpoint["formats"]
    else:
        root = xml(response)
        assert root.tag == "discovery"
        assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
        element = root.find("endpoints/endpoint")
        endpoint = {child.tag: child.text for child in element}
        formats = [f.text for f in element.find("formats")]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["type"] == "production"
    assert formats == ["text/xml", "application/json"]


# GET Service List


def test_service_list_in_json_has_the_fields_of_the_example(client, world):
    response = client.get(f"{V2}/services.json?jurisdiction_id={world.community.code}")
    assert response.status_code == 200
    found = body(response)
    assert [list(item) for item in found] == [SERVICE_FIELDS] * 2
    by_code = {item["service_code"]: item for item in found}
    assert by_code["wall"] == {
        "service_code": "wall",
        "service_name": "墙体维修",
        "description": None,
        "metadata": True,
        "type": "realtime",
        "keywords": None,
        "group": str(world.wall.get_urgency_display()),
    }
    assert by_code["streetlight"]["service_name"] == "路灯"


def test_service_list_in_xml_is_services_of_service(client, world):
    response = client.get(f"{V2}/services.xml?jurisdiction_id={world.community.pk}")
    root = xml(response)
    assert root.tag == "services"
    assert children(root) == ["service", "service"]
    assert [children(s) for s in root] == [SERVICE_FIELDS] * 2
    wall = next(s for s in root if s.findtext("service_code") == "wall")
    assert wall.findtext("metadata") == "true"
    assert wall.findtext("type") == "realtime"
    assert wall.findtext("service_name") == "墙体维修"
    assert wall.find("description").text is None  # empty, as in the example


def test_a_jurisdiction_lists_what_applies_throughout_it(client, world):
    other = world.areas["other_community"]
    codes = lambda url: [s["service_code"] for s in body(client.get(url))]  # noqa: E731
    assert codes(f"{V2}/services.json?jurisdiction_id={other.code}") == ["streetlight"]
    # The street's own list leaves out what one community alone offers.
    assert codes(f"{V2}/services.json?jurisdiction_id={world.street.code}") == [
        "streetlight"
    ]


def test_without_a_jurisdiction_every_active_code_is_listed_once(client, world):
    services.category_create(
        area=None,
        code="wall",
        name="墙体(全区)",
        response_hours=4,
        resolve_hours=48,
        by=world.users["system_admin"],
    )
    retired = services.category_create(
        area=world.street,
        code="old",
        name="旧类别",
        response_hours=4,
        resolve_hours=48,
        by=world.street_manager,
    )
    retired.active = False
    retired.save()
    found = body(client.get(f"{V2}/services.json"))
    assert sorted(s["service_code"] for s in found) == ["streetlight", "wall"]
    # The most widely applying category answers for a shared code …
    assert (
        next(s for s in found if s["service_code"] == "wall")["service_name"]
        == "墙体(全区)"
    )
    # … and in the community, its own, as on raise.
    mine = body(
        client.get(f"{V2}/services.json?jurisdiction_id={world.community.code}")
    )
    assert {s["service_name"] for s in mine} == {"墙体维修", "路灯"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_jurisdiction_is_404_in_the_error_format(client, world, fmt):
    response = client.get(f"{V2}/services.{fmt}?jurisdiction_id=nowhere")
    refused(response, 404, "jurisdiction_id", fmt)


def test_a_household_is_no_jurisdiction(client, world):
    response = client.get(
        f"{V2}/services.json?jurisdiction_id={world.areas['household'].code}"
    )
    refused(response, 404, "jurisdiction_id")


# GET Service Definition


def test_service_definition_in_json_has_the_fields_of_the_example(client, world):
    response = client.get(f"{V2}/services/wall.json?jurisdiction_id=120101001001")
    assert response.status_code == 200
    found = body(response)
    assert list(found) == ["service_code", "attributes"]
    assert found["service_code"] == "wall"
    attributes = found["attributes"]
    assert [list(a) for a in attributes] == [ATTRIBUTE_FIELDS] * len(attributes)
    public = attributes[0]
    assert public["code"] == "public"
    assert public["variable"] is True and public["required"] is False
    assert public["datatype"] == "singlevaluelist"
    assert [v["key"] for v in public["values"]] == ["true", "false"]
    assert all(list(v) == ["key", "name"] for v in public["values"])
    assert [a["order"] for a in attributes] == [1, 2]
    assert {a["datatype"] for a in attributes} <= set(attributes_module.DATATYPES)
    # The deadlines are information, not input.
    assert attributes[1]["variable"] is False
    assert "24" in attributes[1]["description"]


def test_service_definition_in_xml_nests_attributes_and_values(client, world):
    root = xml(client.get(f"{V2}/services/streetlight.xml"))
    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    assert root.findtext("service_code") == "streetlight"
    attribute = root.find("attributes/attribute")
    assert children(attribute) == ATTRIBUTE_FIELDS
    assert attribute.findtext("variable") == "true"
    values = attribute.findall("values/value")
    assert [children(v) for v in values] == [["key", "name"]] * 2
    assert [v.findtext("key") for v in values] == ["true", "false"]


@pytest.mark.parametrize(
    "url",
    [
        f"{V2}/services/nothing.json",
        # 墙体维修 is 三盛里's: not a service of 裕华园.
        f"{V2}/services/wall.json?jurisdiction_id=120101001002",
    ],
)
def test_an_unknown_service_definition_is_404(client, world, url):
    refused(client.get(url), 404, "service_code")


def test_a_service_without_attributes_has_no_metadata(client, world, monkeypatch):
    monkeypatch.setattr(attributes_module, "attributes_for", lambda category: [])
    listed = body(client.get(f"{V2}/services.json?jurisdiction_id=120101001001"))
    assert {s["metadata"] for s in listed} == {False}
    found = body(client.get(f"{V2}/services/wall.json"))
    assert found == {"service_code": "wall", "attributes": []}
    root = xml(client.get(f"{V2}/services/wall.xml"))
    assert children(root) == ["service_code", "attributes"]
    assert list(root.find("attributes")) == []


# POST Service Request


def test_a_partner_posts_a_request_and_gets_its_id(client, world, partner):
    user, key = partner
    response = post(
        client,
        **report(
            key,
            email="zhou@example.org",
            first_name="桂兰",
            last_name="周",
            phone="13912345678",
            device_id="tt222111",
            account_id="123456",
        ),
    )
    assert response.status_code == 200, response.content
    found = body(response)
    assert [list(item) for item in found] == [CREATED_FIELDS]
    item = ServiceRequest.objects.get()
    assert found[0]["service_request_id"] == item.number
    assert found[0]["account_id"] is None
    assert "24" in found[0]["service_notice"]
    assert item.channel == Channel.OPEN311
    assert item.raised_by == user
    assert item.area == world.areas["building"]
    assert item.category == world.wall
    assert item.public is True
    assert item.description == "大理道20号围墙倾斜"
    assert item.address == "1号楼, 航院小区, 三盛里社区"
    assert item.contact_name == "周桂兰"
    assert item.contact_phone == "13912345678"
    assert item.reporter is None


def test_the_post_answers_in_xml_as_the_example(client, world, key):
    response = post(client, "xml", **report(key))
    root = xml(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert children(request) == CREATED_FIELDS
    assert request.findtext("service_request_id") == ServiceRequest.objects.get().number
    assert request.find("account_id").text is None  # <account_id/>


def test_a_post_needs_no_csrf_token(world, key):
    response = Client(enforce_csrf_checks=True).post(f"{V2}/requests.json", report(key))
    assert response.status_code == 200


def test_not_public_unless_asked(client, world, key):
    post(client, **report(key, **{"attribute[public]": None}))
    assert ServiceRequest.objects.get().public is False


@pytest.mark.parametrize(
    "address",
    [
        "三盛里社区航院小区1号楼",  # run together, general first
        "航院小区 1号楼",
        "五大道街道 › 三盛里社区 › 第一网格 › 航院小区 › 1号楼",
        "1号楼，航院小区",
    ],
)
def test_address_string_names_a_place_by_its_path(client, world, key, address):
    response = post(client, **report(key, address_string=address))
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get().area == world.areas["building"]


def test_address_id_is_the_place_id(client, world, key):
    estate = world.areas["estate"]
    response = post(
        client, **report(key, address_string=None, address_id=str(estate.pk))
    )
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get().area == estate


def test_lat_long_alone_place_it_in_the_keys_community(client, world, key):
    response = post(
        client,
        **report(key, address_string=None, lat="39.111231", long="117.201462"),
    )
    assert response.status_code == 200, response.content
    item = ServiceRequest.objects.get()
    assert item.area == world.community
    assert str(item.latitude) == "39.111231"
    assert str(item.longitude) == "117.201462"


def test_lat_long_alone_are_not_enough_for_a_key_over_several_places(client, world):
    grid_key, _token = token_issue(user=world.grid_worker)
    where = {"address_string": None, "lat": "39.1", "long": "117.2"}
    # She holds her grid only: a grid is a place, so lat/long will do …
    response = post(client, **report(grid_key, **where))
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get().area == world.areas["grid"]
    # … but over two grids they could mean either.
    Grant.objects.create(
        user=world.grid_worker, area=world.areas["sibling_grid"], role=Role.GRID_WORKER
    )
    refused(post(client, **report(grid_key, **where)), 400, "lat")
    assert ServiceRequest.objects.count() == 1


def test_a_photo_comes_with_the_post_and_is_served_when_public(client, world, key):
    data = report(key)
    data["media"] = photo()
    response = client.post(f"{V2}/requests.json", data)
    assert response.status_code == 200, response.content
    number = body(response)[0]["service_request_id"]
    assert RequestPhoto.objects.filter(request__number=number).count() == 1
    found = body(client.get(f"{V2}/requests/{number}.json"))[0]
    assert found["media_url"] == f"http://testserver{V2}/requests/{number}/media"
    served = client.get(f"{V2}/requests/{number}/media")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")


def test_a_media_url_goes_with_the_description(client, world, key):
    link = "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    post(client, **report(key, media_url=link))
    assert ServiceRequest.objects.get().description == f"大理道20号围墙倾斜\n{link}"


def test_a_retried_post_with_an_idempotency_key_answers_the_first(client, world, key):
    first = client.post(f"{V2}/requests.json", report(key), HTTP_IDEMPOTENCY_KEY="a1")
    again = client.post(f"{V2}/requests.json", report(key), HTTP_IDEMPOTENCY_KEY="a1")
    assert body(first) == body(again)
    assert ServiceRequest.objects.count() == 1


def _no_key(key):
    return report(key, api_key=None)


BAD_POSTS = [
    # (what, changes to the good report, status, the field named)
    ("no api_key", {"api_key": None}, 403, "api_key"),
    ("a wrong api_key", {"api_key": "gz_wrong"}, 403, "api_key"),
    ("no service_code", {"service_code": None}, 400, "service_code"),
    ("an unknown service_code", {"service_code": "nothing"}, 404, "service_code"),
    ("no location", {"address_string": None}, 400, "address_string"),
    ("an empty description", {"description": "  "}, 400, "description"),
    ("a description too long", {"description": "墙" * 2001}, 400, "description"),
    ("lat without long", {"address_string": None, "lat": "39.1"}, 400, "long"),
    ("a lat of no number", {"lat": "north", "long": "117.2"}, 400, "lat"),
    ("a long out of range", {"lat": "39.1", "long": "190"}, 400, "long"),
    ("an unknown place", {"address_string": "火星小区"}, 400, "address_string"),
    (
        "a place of another community",
        {"address_string": "裕华园社区"},
        400,
        "address_string",
    ),
    (
        "an address_id of no place",
        {"address_string": None, "address_id": "x"},
        400,
        "address_id",
    ),
    ("an unknown attribute", {"attribute[colour]": "red"}, 400, "attribute[colour]"),
    ("a value not listed", {"attribute[public]": "maybe"}, 400, "attribute[public]"),
    (
        "an informational attribute",
        {"attribute[deadlines]": "1"},
        400,
        "attribute[deadlines]",
    ),
    ("a bad phone", {"phone": "12"}, 400, "phone"),
    ("a bad media_url", {"media_url": "javascript:alert(1)"}, 400, "media_url"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "changes,status,field", [b[1:] for b in BAD_POSTS], ids=[b[0] for b in BAD_POSTS]
)
def test_a_bad_post_is_refused_naming_the_field_and_changes_nothing(
    client, world, key, changes, status, field, fmt
):
    response = post(client, fmt, **report(key, **changes))
    refused(response, status, field, fmt)
    assert not ServiceRequest.objects.exists()


def test_a_key_of_another_community_cannot_report_here(client, world):
    other = user_create(
        phone="13900000032", name="裕华园热线", password="P#2026abc", by=None
    )
    Grant.objects.create(
        user=other, area=world.areas["other_community"], role=Role.STAFF
    )
    raw, _token = token_issue(user=other)
    for place in (
        {"address_id": str(world.areas["building"].pk), "address_string": None},
        {"address_string": "航院小区 1号楼"},
        {"address_string": None, "address_id": str(world.community.pk)},
    ):
        response = post(client, **report(raw, **place))
        assert response.status_code == 400, place
        assert "address" in errors_of(response)[0]["description"]
    # 墙体维修 is 三盛里's alone: at home, 裕华园's key is told so.
    home = post(
        client,
        **report(
            raw, address_string=None, address_id=str(world.areas["other_grid"].pk)
        ),
    )
    refused(home, 400, "service_code")
    assert not ServiceRequest.objects.exists()


def test_a_key_that_may_not_raise_requests_is_403(client, world):
    raw, _token = token_issue(user=world.a)  # a team's handler
    refused(post(client, **report(raw)), 403, "api_key")
    assert not ServiceRequest.objects.exists()


def test_a_revoked_key_is_403(client, world, partner):
    user, raw = partner
    token_revoke(raw=raw, by=user)
    refused(post(client, **report(raw)), 403, "api_key")


def test_a_jurisdiction_bounds_where_a_post_may_place(client, world, key):
    response = post(client, **report(key, jurisdiction_id="120101001002"))
    refused(response, 400, "address_string")
    assert not ServiceRequest.objects.exists()
    response = post(client, **report(key, jurisdiction_id="nowhere"))
    refused(response, 404, "jurisdiction_id")


def test_ambiguous_addresses_are_refused(client, world, key):
    # Both grids of 三盛里 have a 航院小区 now.
    from gongzhi.areas.models import Area, Kind
    from gongzhi.areas.services import area_create

    area_create(
        parent=world.areas["sibling_grid"],
        kind=Kind.ESTATE,
        name="航院小区",
        by=world.secretary,
    )
    assert Area.objects.filter(name="航院小区").count() == 2
    response = post(client, **report(key, address_string="航院小区"))
    refused(response, 400, "address_string")
    # Naming the grid settles it.
    again = post(client, **report(key, address_string="第一网格 航院小区"))
    assert again.status_code == 200, again.content


# GET Service Requests


def test_requests_in_json_have_the_fields_of_the_example(client, world):
    item = raised(world, latitude="39.111231", longitude="117.201462")
    response = client.get(f"{V2}/requests.json")
    assert response.status_code == 200
    found = body(response)
    assert [list(r) for r in found] == [REQUEST_FIELDS]
    doc = found[0]
    assert doc["service_request_id"] == item.number
    assert doc["status"] == "open"
    assert doc["status_notes"] == str(Status(item.status).label)
    assert doc["service_name"] == "墙体维修"
    assert doc["service_code"] == "wall"
    assert doc["description"] == "大理道20号围墙倾斜"
    assert doc["agency_responsible"] is None
    assert is_w3c(doc["requested_datetime"]) and is_w3c(doc["updated_datetime"])
    assert doc["expected_datetime"] is None  # not dispatched yet
    # The household is never published: its building is.
    building = world.areas["building"]
    assert doc["address_id"] == building.pk
    assert doc["address"] == "1号楼, 航院小区, 三盛里社区, 五大道街道"
    assert doc["zipcode"] is None
    assert doc["lat"] == 39.111231 and doc["long"] == 117.201462
    assert doc["media_url"] is None


def test_requests_in_xml_are_service_requests_of_request(client, world):
    item = raised(world)
    root = xml(client.get(f"{V2}/requests.xml"))
    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    request = root.find("request")
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("service_request_id") == item.number
    assert request.findtext("status") == "open"
    assert is_w3c(request.findtext("requested_datetime"))
    assert request.find("lat").text is None


def test_no_name_phone_or_household_is_published(client, world):
    item = raised(
        world,
        contact_name="周桂兰",
        contact_phone="13912345678",
        address="大理道20号1号楼101",
    )
    for url in (
        f"{V2}/requests.json",
        f"{V2}/requests.xml",
        f"{V2}/requests/{item.number}.json",
    ):
        text = client.get(url).content.decode()
        for secret in ("周桂兰", "13912345678", "101", world.areas["household"].name):
            assert secret not in text, (url, secret)


def test_requests_not_public_never_appear(client, world, key):
    hidden = raised(world, public=False)
    shown = raised(world)
    listed = [r["service_request_id"] for r in body(client.get(f"{V2}/requests.json"))]
    assert listed == [shown.number]
    for url in (
        f"{V2}/requests/{hidden.number}.json",
        f"{V2}/tokens/{hidden.number}.json",
    ):
        assert client.get(url).status_code == 404
    asked = body(
        client.get(
            f"{V2}/requests.json?service_request_id={hidden.number},{shown.number}"
        )
    )
    assert [r["service_request_id"] for r in asked] == [shown.number]
    # Not even to another partner's key.
    assert (
        client.get(f"{V2}/requests/{hidden.number}.json?api_key={key}").status_code
        == 404
    )
    assert client.get(f"{V2}/requests/{hidden.number}/media").status_code == 404


def test_a_key_reads_back_the_requests_it_raised(client, world, key):
    number = body(post(client, **report(key, **{"attribute[public]": "false"})))[0][
        "service_request_id"
    ]
    assert client.get(f"{V2}/requests/{number}.json").status_code == 404
    mine = client.get(f"{V2}/requests/{number}.json?api_key={key}")
    assert body(mine)[0]["service_request_id"] == number
    listed = body(client.get(f"{V2}/requests.json?api_key={key}"))
    assert [r["service_request_id"] for r in listed] == [number]
    refused(client.get(f"{V2}/requests.json?api_key=gz_wrong"), 403, "api_key")


def test_statuses_fold_into_open_and_closed(client, world):
    staff = world.staff
    waiting = raised(world)
    rejected = raised(world)
    services.request_reject(service_request=rejected, by=staff, reason="重复")
    done = raised(world)
    services.request_dispatch(service_request=done, to=world.team_a, by=staff)
    services.request_accept(service_request=done, by=world.a)
    services.request_resolve(service_request=done, by=world.a, resolution="已加固")
    resolved_at = ServiceRequest.objects.get(pk=done.pk)
    assert resolved_at.status == Status.RESOLVED
    found = {
        r["service_request_id"]: r for r in body(client.get(f"{V2}/requests.json"))
    }
    assert found[waiting.number]["status"] == "open"
    assert found[done.number]["status"] == "open"  # resolved, not yet rated
    assert found[done.number]["agency_responsible"] == "维修服务队"
    assert is_w3c(found[done.number]["expected_datetime"])
    assert found[rejected.number]["status"] == "closed"
    services.request_rate(
        service_request=done, by=world.resident, rating=Rating.SATISFIED
    )
    closed = body(client.get(f"{V2}/requests/{done.number}.json"))[0]
    assert closed["status"] == "closed"
    closed_at = ServiceRequest.objects.get(pk=done.pk).closed_at
    assert closed["updated_datetime"] == timezone.localtime(closed_at).isoformat(
        timespec="seconds"
    )

    def numbers(query):
        return {
            r["service_request_id"]
            for r in body(client.get(f"{V2}/requests.json?{query}"))
        }

    assert numbers("status=open") == {waiting.number}
    assert numbers("status=closed") == {rejected.number, done.number}
    assert numbers("status=open,closed") == {
        waiting.number,
        rejected.number,
        done.number,
    }


def test_the_filters_of_the_specification(client, world):
    now = timezone.now()
    recent = raised(world, now=now - dt.timedelta(days=2))
    light = raised(world, category=world.light, now=now - dt.timedelta(days=10))
    old = raised(world, now=now - dt.timedelta(days=120))

    def numbers(query=""):
        response = client.get(f"{V2}/requests.json?{query}")
        assert response.status_code == 200, response.content
        return [r["service_request_id"] for r in body(response)]

    # The most recent 90 days by default, newest first.
    assert numbers() == [recent.number, light.number]
    assert numbers("service_code=streetlight") == [light.number]
    assert numbers("service_code=streetlight,wall") == [recent.number, light.number]
    start = timezone.localtime(now - dt.timedelta(days=130)).strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    end = timezone.localtime(now - dt.timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S")
    # An offset sent unescaped ("+" read as a space) still counts.
    assert numbers(f"start_date={start}+08:00&end_date={end}%2B08:00") == [old.number]
    assert numbers(f"start_date={start}Z") == [old.number]  # to 90 days after
    assert numbers(f"end_date={end}Z") == [old.number]  # from 90 days before
    # service_request_id overrides every other filter.
    assert numbers(
        f"service_request_id={old.number},{light.number}&service_code=wall&status=closed"
    ) == [light.number, old.number]


@pytest.mark.parametrize(
    "query,field",
    [
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
        ("start_date=yesterday", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("status=pending", "status"),
        ("jurisdiction_id=nowhere", "jurisdiction_id"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_filters_are_refused_naming_them(client, world, query, field, fmt):
    status = 404 if field == "jurisdiction_id" else 400
    refused(client.get(f"{V2}/requests.{fmt}?{query}"), status, field, fmt)


def test_a_jurisdiction_keeps_its_own_requests(client, world):
    here = raised(world)
    other_staff = world.users["other_grid_worker"]
    there = services.request_raise(
        category=world.light,
        area=world.areas["other_grid"],
        description="路灯不亮",
        by=other_staff,
        public=True,
        now=timezone.now() - dt.timedelta(hours=2),
    )

    def numbers(jurisdiction):
        url = f"{V2}/requests.json?jurisdiction_id={jurisdiction}"
        return [r["service_request_id"] for r in body(client.get(url))]

    assert numbers(world.community.code) == [here.number]
    assert numbers(world.areas["other_community"].code) == [there.number]
    assert numbers(world.street.code) == [here.number, there.number]
    assert (
        client.get(
            f"{V2}/requests/{there.number}.json?jurisdiction_id={world.community.code}"
        ).status_code
        == 404
    )


def test_listing_requests_takes_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    for _n in range(5):
        item = raised(world)
        RequestPhoto.objects.create(
            request=item, kind="report", image=f"requests/{item.pk}/a.png"
        )
    services.request_dispatch(service_request=item, to=world.team_a, by=world.staff)
    # Requests, their first photos, the names of their places.
    with django_assert_num_queries(3):
        found = body(client.get(f"{V2}/requests.json"))
    assert len(found) == 5
    assert all(r["media_url"] for r in found)


# GET Service Request, tokens


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_one_request_is_a_list_of_one(client, world, fmt):
    item = raised(world)
    response = client.get(f"{V2}/requests/{item.number}.{fmt}")
    if fmt == "json":
        found = body(response)
        assert len(found) == 1 and list(found[0]) == REQUEST_FIELDS
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        assert [children(r) for r in root] == [REQUEST_FIELDS]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_is_404(client, world, fmt):
    refused(
        client.get(f"{V2}/requests/GZ2026010100001.{fmt}"),
        404,
        "service_request_id",
        fmt,
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_is_the_request_id(client, world, key, fmt):
    number = body(post(client, **report(key)))[0]["service_request_id"]
    response = client.get(f"{V2}/tokens/{number}.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert body(response) == [{"service_request_id": number, "token": number}]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        assert [children(r) for r in root] == [["service_request_id", "token"]]
    refused(client.get(f"{V2}/tokens/nothing.{fmt}"), 404, "token", fmt)


# The rest of the URL space


def test_anything_else_under_v2_is_a_404_error_document(client, world):
    response = client.get(f"{V2}/nothing.json")
    assert response.status_code == 404
    assert errors_of(response)[0]["code"] == 404
    assert xml(client.get(f"{V2}/nothing/else"))[0].findtext("code") == "404"


def test_other_methods_are_400(client, world):
    response = client.put(f"{V2}/requests.json")
    assert response.status_code == 400
    assert errors_of(response)[0]["code"] == 400
    assert client.post(f"{V2}/services.xml").status_code == 400


def test_errors_follow_accept_language(client, world):
    """Machines choose their language as HTTP intends; Chinese by default."""
    data = {k: v for k, v in report("").items() if k != "api_key"}
    chinese = errors_of(post(client, **data))[0]["description"]
    english = errors_of(
        client.post(f"{V2}/requests.json", data, HTTP_ACCEPT_LANGUAGE="en")
    )[0]["description"]
    assert english == "api_key: An api_key is required."
    assert "api_key" in chinese and chinese != english
