"""A real Open311 client drives the facade over HTTP: the ``georeport``
package (a GeoReport v2 wrapper for Python) reads the services, a
definition and the requests, in JSON and in XML (parsed by xmltodict). It
cannot create requests, so the POST goes form-encoded through ``requests``,
the HTTP library it is built on, exactly as the specification shows."""

import pytest

georeport = pytest.importorskip("georeport")
http = pytest.importorskip("requests")

from gongzhi.accounts.models import Grant  # noqa: E402
from gongzhi.accounts.roles import Role  # noqa: E402
from gongzhi.accounts.services import token_issue, user_create  # noqa: E402


@pytest.fixture
def endpoint(live_server, world):
    return f"{live_server.url}/open311/v2"


@pytest.fixture
def key(world):
    user = user_create(
        phone="13900000031", name="12345热线", password="P#2026abc", by=None
    )
    Grant.objects.create(user=user, area=world.community, role=Role.STAFF)
    return token_issue(user=user)[0]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_georeport_client_reads_services_and_the_requests_it_posted(
    endpoint, key, world, fmt
):
    client = georeport.GeoReport(
        endpoint, jurisdiction=world.community.code, output_format=fmt
    )
    listed = client.get_service_list()
    assert {s["service_code"] for s in listed} == {"wall", "streetlight"}
    wall = next(s for s in listed if s["service_code"] == "wall")
    assert wall["service_name"] == "墙体维修"
    assert str(wall["metadata"]).lower() == "true"

    definition = client.get_service_definition("wall")
    assert definition["service_code"] == "wall"
    attributes = definition["attributes"]
    first = attributes[0] if fmt == "json" else attributes["attribute"][0]
    assert first["code"] == "public"

    posted = http.post(
        f"{endpoint}/requests.{fmt}",
        data={
            "api_key": key,
            "jurisdiction_id": world.community.code,
            "service_code": "wall",
            "address_string": "1号楼, 航院小区, 三盛里社区",
            "description": "大理道20号围墙倾斜",
            "first_name": "桂兰",
            "last_name": "周",
            "attribute[public]": "true",
        },
        timeout=30,
    )
    assert posted.status_code == 200, posted.text
    if fmt == "json":
        number = posted.json()[0]["service_request_id"]
    else:
        number = georeport.georeport.xmltodict.parse(posted.content)[
            "service_requests"
        ]["request"]["service_request_id"]

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert one["address"] == "1号楼, 航院小区, 三盛里社区, 五大道街道"
    found = client.get_service_requests(service_code="wall", status="open")
    if fmt == "xml":  # xmltodict gives one request as a dict, not a list
        found = found if isinstance(found, list) else [found]
    assert [r["service_request_id"] for r in found] == [number]
    assert "周桂兰" not in str(found)

    refused = http.post(f"{endpoint}/requests.{fmt}", data={"service_code": "wall"})
    assert refused.status_code == 403
