"""Hostile bodies and paths: each answer is a 4xx in the one JSON error shape, naming the field.

Non-JSON numbers, bodies past the documented limits, newlines in paths and nested validation
errors used to answer 500s, Django's HTML pages, or messages holding a Python repr.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations import jsonsafe
from annotations.models import Document

pytestmark = pytest.mark.django_db

HUGE_NUMBER = "9" * 100_000


def assert_error_shape(body: dict[str, Any]) -> None:
    """The one error shape, with `fields` as the schema declares it: lists of strings."""
    assert set(body) <= {"code", "message", "fields", "current", "constraint"}
    assert isinstance(body["code"], str)
    assert isinstance(body["message"], str)
    for name, reasons in body.get("fields", {}).items():
        assert isinstance(name, str)
        assert isinstance(reasons, list)
        assert all(isinstance(reason, str) for reason in reasons)
    text = json.dumps(body)
    for python_repr in ("ErrorDetail(", "{'", "[ErrorDetail", "code='"):
        assert python_repr not in text


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"text": "Body.", "score": NaN}', "score"),
        ('{"text": "Body.", "meta": {"ratio": Infinity}}', "ratio"),
        ('{"text": "Body.", "ranks": [1, -Infinity]}', "ranks"),
        ('{"text": "Body.", "count": ' + HUGE_NUMBER + "}", "count"),
        ('{"text": "Body.", "mass": 1e999}', "mass"),
    ],
    ids=["NaN", "Infinity nested", "-Infinity in an array", "100,000 digits", "overflowing float"],
)
def test_strict_json_names_the_field_holding_a_non_number(raw: str, field: str) -> None:
    with pytest.raises(jsonsafe.JSONValueError) as error:
        jsonsafe.loads(raw)
    assert error.value.field == field


def test_strict_json_reads_ordinary_numbers() -> None:
    assert jsonsafe.loads('{"a": [1, 2.5, -3e2], "b": {"c": 12345678901234567890}}') == {
        "a": [1, 2.5, -300.0],
        "b": {"c": 12345678901234567890},
    }


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b'{"text": "Body.", "score": NaN}', "score"),
        (b'[{"text": "Body.", "weight": Infinity}]', "weight"),
        (b'{"text": "Body.", "count": ' + HUGE_NUMBER.encode() + b"}", "count"),
    ],
    ids=["NaN", "Infinity", "100,000 digits"],
)
def test_json_upload_with_a_non_number_is_a_400_naming_the_field(
    api: Any, team: Any, content: bytes, field: str
) -> None:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload",
        {"files": [SimpleUploadedFile("bad.json", content)]},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert_error_shape(body)
    assert list(body["fields"]) == ["files"]
    assert f'"{field}"' in body["fields"]["files"][0]
    assert not Document.objects.filter(project=team.project).exists()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('{"text": "Body.", "title": NaN}', "title"),
        ('{"text": "Body.", "title": -Infinity}', "title"),
        ('{"text": "Body.", "title": ' + HUGE_NUMBER + "}", "title"),
    ],
    ids=["NaN", "-Infinity", "100,000 digits"],
)
def test_json_body_with_a_non_number_is_a_400_naming_the_field(
    api: Any, team: Any, raw: str, field: str
) -> None:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert_error_shape(body)
    assert list(body["fields"]) == [field]


def test_a_3_mb_document_sent_as_json_is_accepted(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    text = ("A sentence of plain news text. " * 100 + "\n\n") * 1000
    assert 3_000_000 < len(text) < settings.FACTCHECK_IMPORT_MAX_BYTES
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents",
        json.dumps({"title": "Long", "text": text}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:300]


@pytest.mark.parametrize("megabytes", [10, 100])
def test_bodies_past_the_request_limit_are_a_json_413(api: Any, team: Any, megabytes: int) -> None:
    api.force_authenticate(team.lead)
    # Only the declared length is needed: the body is refused before it is read.
    response = api.generic(
        "POST",
        f"/api/v1/projects/{team.project.pk}/documents",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(megabytes * 1024 * 1024),
    )
    assert response.status_code == 413
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "too_large"


def test_a_file_upload_may_pass_the_request_limit_up_to_the_upload_limit(
    api: Any, team: Any
) -> None:
    # Uploads are streamed to disk and imported by a job: a 9 MB JSONL file is accepted (202),
    # while a body past the upload limit is refused before it is read.
    api.force_authenticate(team.lead)
    record = json.dumps({"title": "T", "text": "x" * 1000}) + "\n"
    lines = [record.replace('"T"', f'"T{n}"') for n in range(9 * 1024)]
    upload = SimpleUploadedFile("big.jsonl", "".join(lines).encode())
    assert (upload.size or 0) > settings.FACTCHECK_REQUEST_MAX_BYTES
    url = f"/api/v1/projects/{team.project.pk}/documents/upload"

    accepted = api.post(url, {"files": [upload]}, format="multipart")
    refused = api.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.FACTCHECK_UPLOAD_MAX_BYTES + 1),
    )

    assert accepted.status_code == 202, accepted.content[:300]
    assert refused.status_code == 413
    assert "256 MB" in refused.json()["message"]


def test_a_body_over_the_form_limit_read_in_full_is_a_json_413(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents",
        "t=" + "x" * size,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_size_limits_are_one_set_of_numbers() -> None:
    document = settings.FACTCHECK_IMPORT_MAX_BYTES
    assert document == 5 * 1024 * 1024
    # A document escaped into JSON fits in a body; a body fits in what the server accepts.
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.FACTCHECK_REQUEST_MAX_BYTES
    assert document < settings.FACTCHECK_REQUEST_MAX_BYTES
    assert settings.FACTCHECK_REQUEST_MAX_BYTES < 10 * 1024 * 1024


@pytest.mark.parametrize(
    "path",
    ["/api/v1/projects/1%0A", "/api/v1/%0A", "/api/v1/documents/1%0Aextra", "/api/nope%0A"],
)
def test_a_newline_in_a_path_is_a_json_404(api: Any, team: Any, path: str) -> None:
    api.force_authenticate(team.lead)
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert_error_shape(response.json())


def test_nested_validation_errors_are_flat_lists_of_strings(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/preannotate",
        {"document_ids": ["x", 2]},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert list(body["fields"]) == ["document_ids.0"]
    assert body["message"].startswith("document_ids.0: ")


def test_a_json_parse_error_carries_no_python_repr(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents",
        b"\xff\xfe{",
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert "\\x" not in body["message"]
    assert "'" not in body["message"]
