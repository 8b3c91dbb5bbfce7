"""Token and session authentication, and the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_a_right_password_and_authenticates(api: Any, team: Any) -> None:
    team.reviewer.set_password("s3cret-enough")
    team.reviewer.save()
    response = api.post(
        "/api/v1/auth/token", {"username": team.reviewer.username, "password": "s3cret-enough"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    again = api.post(
        "/api/v1/auth/token", {"username": team.reviewer.username, "password": "s3cret-enough"}
    )
    assert again.json()["token"] == token
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(f"/api/v1/projects/{team.project.pk}").status_code == 200


def test_wrong_password_gets_400_and_no_token(api: Any, team: Any) -> None:
    response = api.post(
        "/api/v1/auth/token", {"username": team.reviewer.username, "password": "wrong"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "token" not in response.json()


def test_bad_token_is_401(api: Any, team: Any) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token nope")
    response = api.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_session_authentication_works_and_enforces_csrf(team: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    team.reviewer.set_password("s3cret-enough")
    team.reviewer.save()
    assert client.login(username=team.reviewer.username, password="s3cret-enough")
    assert client.get(f"/api/v1/projects/{team.project.pk}").status_code == 200
    refused = client.post(f"/api/v1/projects/{team.project.pk}/queue/next")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["message"]


def test_schema_validates_without_warnings(tmp_path: Any) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    for path in (
        "/api/v1/projects/{project_id}/queue/next",
        "/api/v1/assignments/{assignment_id}/submit",
        "/api/v1/spans/{span_id}/evidence",
        "/api/v1/auth/token",
    ):
        assert path in schema
    assert "Error:" in schema


def test_schema_and_docs_are_served(api: Any) -> None:
    assert api.get("/api/schema/").status_code == 200
    assert api.get("/api/docs/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/projects/{project}/queue/next",
        "/api/v1/projects/{project}/preannotate",
        "/api/v1/projects/{project}/documents/upload",
        "/api/v1/projects/{project}/documents",
        "/api/v1/projects",
    ],
)
def test_options_describes_the_endpoint_without_error(api: Any, team: Any, path: str) -> None:
    api.force_authenticate(team.admin)
    response = api.options(path.format(project=team.project.pk))
    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}


@pytest.mark.parametrize(
    "path", ["/api/v1/spans/abc", "/api/v1/documents/-1", "/api/v1/projects/1,2", "/api/v1/nope"]
)
def test_unknown_api_paths_answer_404_in_the_error_shape(api: Any, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_schema_documents_the_errors_of_every_operation(api: Any) -> None:
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    public = {"/api/v1/health", "/api/v1/auth/token"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            if path not in public:
                assert "401" in documented, (method, path)
            if any(p["name"] == "page" for p in operation.get("parameters", [])):
                # An invalid or past-the-end page is DRF's 404.
                assert "404" in documented, (method, path)
            if operation.get("requestBody") or any(
                p["in"] == "query" and p["name"] != "page" for p in operation.get("parameters", [])
            ):
                assert "400" in documented, (method, path)


def test_a_page_past_the_end_is_404_in_the_error_shape(api: Any, team: Any) -> None:
    api.force_authenticate(team.reviewer)
    response = api.get("/api/v1/projects", {"page": 2})
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Invalid page."}


def test_unknown_api_paths_answer_404_to_a_post_with_a_session_cookie(team: Any) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(team.reviewer)
    response = client.post("/api/v1/assignments/abc/submit", {"version": 1}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
