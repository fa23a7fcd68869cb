"""The OpenAPI document, checked by a third-party validator: what a client
generator or an integrating city system would read."""

from openapi_spec_validator import validate


def test_openapi_document_is_a_valid_openapi_3_1_description(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_every_endpoint_but_token_exchange_requires_the_bearer_token(client):
    spec = client.get("/api/v1/openapi.json").json()
    open_operations = [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if not operation.get("security")
    ]
    assert open_operations == [("POST", "/api/v1/auth/token")]
