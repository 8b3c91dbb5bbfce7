"""The schema is as strict as the code: what the code refuses, the schema does not allow."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return dict(response.json())


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, ops in schema["paths"].items()
        for method, operation in ops.items()
    ]


def test_every_version_and_id_and_page_has_a_minimum(schema: dict[str, Any]) -> None:
    seen = 0
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in {"version", "page"} or parameter["in"] == "path":
                assert parameter["schema"].get("minimum") == 1, (path, method, parameter)
                seen += 1
    for name, component in schema["components"]["schemas"].items():
        version = component.get("properties", {}).get("version")
        if version is not None and not version.get("readOnly") and name.endswith("Request"):
            # An assignment's version starts at 1; a dispute's counts its decisions, from 0.
            expected = 0 if name == "ResolveInputRequest" else 1
            assert version.get("minimum") == expected, name
    assert seen > 20


def test_every_operation_taking_a_body_declares_413_and_415(schema: dict[str, Any]) -> None:
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(operation["responses"]), (path, method)


def test_the_error_fields_are_lists_of_strings(schema: dict[str, Any]) -> None:
    fields = schema["components"]["schemas"]["Error"]["properties"]["fields"]
    assert fields["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_filters_declare_their_choices_and_limits(schema: dict[str, Any]) -> None:
    documents = schema["paths"]["/api/v1/projects/{project_id}/documents"]["get"]
    parameters = {p["name"]: p["schema"] for p in documents["parameters"]}
    assert parameters["search"]["maxLength"] == 200
    assert "reviewed" in parameters["status"]["enum"]
