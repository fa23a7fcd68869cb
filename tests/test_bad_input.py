"""No input can crash a page or an endpoint: control characters and
numbers beyond 64 bits are refused at one gate, naming the field, in
Chinese by default, and change nothing; then a walk over every operation
of the OpenAPI document with out-of-range numbers, NUL bytes, over-long
strings and wrong types, which must all answer 4xx (or succeed), never 5xx.
"""

import json

import pytest
from django.db import transaction
from django.utils import translation

from gongzhi.areas.models import Area

HUGE = 2**64
NUL = "a\x00b"
LONG = "长" * 20_000


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


# The gate


def test_a_huge_id_in_the_path_is_refused(api_client, users):
    api_client.login_api(users["district_manager"])
    response = api_client.get(f"/api/v1/areas/{HUGE}")
    assert response.status_code == 400
    assert response.json()["field"] == "path"


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_a_huge_limit_or_offset_is_refused_naming_it(api_client, users, areas, param):
    api_client.login_api(users["district_manager"])
    response = api_client.get(
        f"/api/v1/areas/{areas['street'].pk}/children", {param: str(HUGE)}
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": zh("This number is far too large."),
        "field": param,
    }


def test_a_long_code_in_a_query_is_text_not_a_number(client, areas):
    # A household's civil-affairs code is longer than any 64-bit number.
    code = "1" * 25
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": code})
    assert response.status_code == 404  # no such place, not a refused number


def test_a_nul_byte_in_a_json_body_is_refused_and_nothing_is_written(
    api_client, users, areas
):
    api_client.login_api(users["secretary"])
    before = Area.objects.count()
    response = api_client.post(
        "/api/v1/areas",
        {"parent_id": areas["grid"].pk, "kind": "estate", "name": NUL},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "name"
    assert "NUL" in response.json()["detail"]
    assert Area.objects.count() == before


def test_a_huge_number_deep_in_a_json_body_names_its_place(api_client, users):
    api_client.login_api(users["secretary"])
    response = api_client.post(
        "/api/v1/areas",
        {"parent_id": 1, "extra": [{"n": HUGE}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "extra.0.n"


def test_an_ordinary_long_number_in_a_search_is_not_a_number(api_client, users):
    api_client.login_api(users["secretary"])
    # 18 digits, like an ID number: text, not a number out of range.
    response = api_client.get("/api/v1/residents/people", {"q": "120101195001011234"})
    assert response.status_code == 200


def test_a_form_with_a_nul_byte_gets_a_chinese_page_naming_the_field(
    client, users, areas
):
    client.force_login(users["secretary"])
    before = Area.objects.count()
    response = client.post(
        f"/workbench/areas/{areas['grid'].pk}/add/",
        {"kind": "estate", "name": NUL},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("Input not accepted") in html and "name" in html
    assert zh("Nothing was saved. Go back, correct the field and send it again.") in (
        html
    )
    assert Area.objects.count() == before


# The walk over the whole OpenAPI


def _schema(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def _plausible(spec, schema):
    """A value of the schema's type, so that one bad field at a time reaches
    the code behind validation."""
    schema = _schema(spec, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _plausible(spec, schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {
            name: _plausible(spec, sub)
            for name, sub in schema.get("properties", {}).items()
        }
    if schema.get("format") == "date":
        return "2026-12-01"
    if schema.get("format") == "date-time":
        return "2026-12-01T09:00:00+08:00"
    return "x"


def _base_body(spec, operation):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _plausible(spec, content["application/json"]["schema"])


BAD_VALUES = [HUGE, -HUGE, 2**40, NUL, LONG, {"not": "this"}, 1e308]


def _operations(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _url(path, value):
    out = path
    while "{" in out:
        start = out.index("{")
        out = out[:start] + str(value) + out[out.index("}", start) + 1 :]
    return out


def test_every_operation_answers_bad_input_with_4xx_never_5xx(api_client, users):
    spec = api_client.get("/api/v1/openapi.json").json()
    api_client.raise_request_exception = False
    failures = []
    count = 0

    def send(method, url, **kwargs):
        nonlocal count
        count += 1
        with transaction.atomic():  # each request on the same data
            response = getattr(api_client, method)(url, **kwargs)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            failures.append((method.upper(), url, kwargs, response.status_code))

    for method, path, operation in _operations(spec):
        # Each operation on the same seeded data, undone afterwards: a
        # retire or a token revoked must not hide the next one's faults.
        with transaction.atomic():
            api_client.login_api(users["district_manager"])
            _walk_one(spec, method, path, operation, send)
            transaction.set_rollback(True)
    assert count > 500, count  # the walk really covered the API
    assert not failures, failures[:10]


def _walk_one(spec, method, path, operation, send):
    if "{" in path:
        for value in (HUGE, -1, "x"):
            url = _url(path, value)
            if method in ("get", "delete"):
                send(method, url)
            else:
                send(method, url, data="{}", content_type="application/json")
    url = _url(path, 1)
    query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    if method == "get":
        for name in query:  # one bad parameter at a time
            for value in (HUGE, 2**40, NUL, LONG, "not-a-number", "-1"):
                send(method, url, data={name: str(value)})
    body = _base_body(spec, operation)
    if isinstance(body, dict):
        for name in body:  # one bad field at a time in a plausible body
            for value in BAD_VALUES:
                bad = json.dumps({**body, name: value})
                send(method, url, data=bad, content_type="application/json")
    if body is not None:
        send(method, url, data="[", content_type="application/json")
        send(method, url, data='"just a string"', content_type="application/json")


def test_open311_echoes_a_bad_parameter_name_as_well_formed_xml(client, db):
    from xml.etree import ElementTree

    response = client.get("/open311/v2/requests.xml", {NUL: "1"})
    assert response.status_code == 400
    root = ElementTree.fromstring(response.content)
    assert root.find("error/description").text.startswith("a?b: ")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_refuses_a_nul_byte_in_its_own_error_format(client, db, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_code": NUL})
    assert response.status_code == 400
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 400 and "service_code" in error["description"]
    else:
        from xml.etree import ElementTree

        root = ElementTree.fromstring(response.content)
        assert root.tag == "errors"
        assert root.find("error/code").text == "400"
        assert "service_code" in root.find("error/description").text


@pytest.fixture
def liu_for_gate(demo_people, areas):
    from gongzhi.residents.models import Person

    return Person.objects.get(household=areas["household"], name="刘振华")


def test_the_refusal_page_names_the_field_by_the_label_a_person_saw(
    client, users, liu_for_gate
):
    from django.urls import reverse

    client.force_login(users["grid_worker"])
    url = reverse("residents:visit_create")
    response = client.post(
        f"{url}?person={liu_for_gate.pk}",
        {"form": "home", "visited_on": "2026-01-01", "findings": f"好{NUL}"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{zh('field')}: {zh('Findings')}" in html
    assert "findings)" not in html


def test_the_refusal_page_speaks_of_a_field_when_its_label_is_unknown(client, users):
    client.force_login(users["secretary"])
    response = client.post("/workbench/", {"no_such_field": NUL})
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("in one of the fields you filled in") in html
    assert "no_such_field" not in html
