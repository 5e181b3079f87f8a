"""The published API schema documents what each operation answers, its errors and the credentials it takes."""

import pytest
from drf_spectacular.generators import SchemaGenerator

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_SHAPE = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_operation_declares_the_body_of_its_success_or_a_deliberate_204(schema):
    def documented(status: str, response: dict) -> bool:
        return status == "204" or any(media.get("schema") for media in response.get("content", {}).values())

    undocumented = [
        label
        for label, operation in operations(schema)
        if not any(status.startswith("2") and documented(status, r) for status, r in operation["responses"].items())
    ]
    assert undocumented == []


def test_every_operation_declares_its_errors_with_the_code_and_detail_shape(schema):
    """At least one 4xx each (the health check, which takes nothing, declares its 503 instead)."""
    without_errors, other_shapes = [], []
    for label, operation in operations(schema):
        statuses = operation["responses"]
        if not any(status.startswith("4") for status in statuses) and label != "GET /api/health/":
            without_errors.append(label)
        for status, response in statuses.items():
            if not status.startswith("4"):
                continue
            if response.get("content", {}).get("application/json", {}).get("schema") != ERROR_SHAPE:
                other_shapes.append(f"{label} {status}")
    assert without_errors == [] and other_shapes == []
    assert "503" in dict(operations(schema))["GET /api/health/"]["responses"]


def test_the_error_shape_is_code_and_detail(schema):
    error = schema["components"]["schemas"]["Error"]
    assert {"code", "detail"} <= set(error["required"]) and "errors" in error["properties"]


def test_the_invigilator_and_livret_scolaire_bearer_tokens_are_security_schemes(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["invigilatorAuth"]["type"] == "http" and schemes["invigilatorAuth"]["scheme"] == "bearer"
    assert schemes["livretAuth"]["type"] == "http" and schemes["livretAuth"]["scheme"] == "bearer"
    security = {label: operation.get("security") for label, operation in operations(schema)}
    assert security["GET /api/sessions/{session_id}/invigilation/candidates/"] == [{"invigilatorAuth": []}]
    assert security["POST /api/sessions/{session_id}/invigilation/candidates/{candidate_id}/end/"] == [
        {"invigilatorAuth": []}
    ]
    assert security["GET /api/organizations/{uai}/certifications/"] == [{"livretAuth": []}]
    assert security["GET /api/me/"] == [{"cookieAuth": []}, {"tokenAuth": []}]
