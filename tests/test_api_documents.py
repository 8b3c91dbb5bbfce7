"""Documents through the API: list, filter, search, paginate, detail, create, upload."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations import services
from annotations.models import Document, DocumentStatus, Zone
from tests.factories import AssignmentFactory, DocumentFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


def test_list_filters_searches_and_paginates_in_constant_queries(
    api: Any, team: Any, django_assert_num_queries: Any
) -> None:
    DocumentFactory.create_batch(55, project=team.project)
    DocumentFactory(project=team.project, title="Flood report", status=DocumentStatus.REVIEWED)
    DocumentFactory(project=team.other_project, title="Flood elsewhere")
    api.force_authenticate(team.lead)
    url = f"/api/v1/projects/{team.project.pk}/documents"
    # project with the caller's role, count, page: the same for any page size.
    with django_assert_num_queries(3):
        first = api.get(url).json()
    assert first["count"] == 56
    assert len(first["results"]) == 50
    assert "text" not in first["results"][0]
    assert len(api.get(url, {"page": 2}).json()["results"]) == 6
    searched = api.get(url, {"search": "flood"}).json()
    assert [row["title"] for row in searched["results"]] == ["Flood report"]
    reviewed = api.get(url, {"status": "reviewed"}).json()
    assert reviewed["count"] == 1
    bad = api.get(url, {"status": "lost"})
    assert bad.status_code == 400
    assert "status" in bad.json()["fields"]


def test_detail_has_text_zones_and_suggestions(
    api: Any, team: Any, django_assert_max_num_queries: Any
) -> None:
    document = DocumentFactory(project=team.project)
    Zone.objects.create(
        document=document, engine="rules", engine_version="1", kind="body", start=0, end=10
    )
    SuggestionFactory(document=document, end=8, label="unsourced", reason="bare number")
    AssignmentFactory(document=document, reviewer=team.reviewer)
    api.force_authenticate(team.reviewer)
    with django_assert_max_num_queries(4):
        body = api.get(f"/api/v1/documents/{document.pk}").json()
    assert body["text"] == document.text
    assert body["zones"][0]["kind"] == "body"
    assert body["suggestions"][0]["reason"] == "bare number"


def test_create_from_json_normalises_and_reports_duplicates(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    url = f"/api/v1/projects/{team.project.pk}/documents"
    created = api.post(url, {"title": "Cafe", "text": "Cafe\u0301 news\r\nline two"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["text"] == "Café news\nline two"
    duplicate = api.post(url, {"text": "Café news\nline two"}, format="json")
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "duplicate"
    assert duplicate.json()["existing_document_id"] == created.json()["id"]
    empty = api.post(url, {"text": "   "}, format="json")
    assert empty.status_code == 400
    assert "text" in empty.json()["fields"]
    bad_date = api.post(url, {"text": "Other", "published": "yesterday"}, format="json")
    assert bad_date.status_code == 400
    assert "published" in bad_date.json()["fields"]


def test_upload_imports_files_and_reports_duplicates_and_refusals(api: Any, team: Any) -> None:
    api.force_authenticate(team.admin)
    DocumentFactory(project=team.project, text="Already here.")
    records = [{"title": "One", "text": "First record."}, {"text": "Already here."}, {"x": 1}]
    files = [
        SimpleUploadedFile("a.txt", b"Headline\n\nBody text."),
        SimpleUploadedFile("batch.jsonl", "\n".join(map(json.dumps, records)).encode()),
        SimpleUploadedFile("empty.txt", b"   "),
        SimpleUploadedFile("blob.bin", b"\x00\x01"),
    ]
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload", {"files": files}, format="multipart"
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert [row["title"] for row in report["imported"]] == ["Headline", "One"]
    assert [row["origin"] for row in report["duplicates"]] == ["batch.jsonl:2"]
    assert {row["origin"] for row in report["refused"]} == {
        "batch.jsonl:3",
        "empty.txt",
        "blob.bin",
    }
    assert report["summary"] == "2 imported, 1 duplicate(s) skipped, 3 refused"
    assert Document.objects.filter(project=team.project).count() == 3


def test_upload_without_files_names_the_field(api: Any, team: Any) -> None:
    api.force_authenticate(team.admin)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "files" in response.json()["fields"]


def test_preannotate_answers_202_with_a_job_whose_run_reports_its_progress(
    api: Any, team: Any
) -> None:
    document = DocumentFactory(project=team.project)
    foreign = DocumentFactory(project=team.other_project)
    api.force_authenticate(team.lead)
    url = f"/api/v1/projects/{team.project.pk}/preannotate"
    refused = api.post(url, {"document_ids": [document.pk, foreign.pk]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"document_ids": [f"Not in this project: {foreign.pk}."]}
    started = api.post(url, {"document_ids": [document.pk]}, format="json")
    assert started.status_code == 202, started.content
    job = started.json()
    assert started["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert (job["kind"], job["state"], job["progress_total"], job["report"]) == (
        "preannotate",
        "queued",
        1,
        {},
    )
    # What the worker does with the job's message (sent only after commit, which this test's
    # transaction never reaches): it starts the run and waits for it.
    services.job_run(job_id=job["id"])
    polled = api.get(job["url"]).json()
    assert (polled["state"], polled["progress_done"], polled["progress_total"]) == ("running", 0, 1)
    run_id = polled["report"]["run"]
    detail = api.get(f"/api/v1/projects/{team.project.pk}/preannotation-runs/{run_id}")
    assert detail.status_code == 200
    assert (detail.json()["state"], detail.json()["job"], detail.json()["documents_total"]) == (
        "queued",
        job["id"],
        1,
    )
    elsewhere = api.get(f"/api/v1/projects/{team.other_project.pk}/preannotation-runs/{run_id}")
    assert elsewhere.status_code == 404


def test_upload_refuses_oversized_files_by_kind_as_the_command_does(
    api: Any, team: Any, settings: Any
) -> None:
    settings.FACTCHECK_IMPORT_MAX_BYTES = 1024
    api.force_authenticate(team.admin)
    many = "\n".join(json.dumps({"text": f"Record {n} " + "x" * 500}) for n in range(8))
    files = [
        SimpleUploadedFile("big.txt", b"Big\n\n" + b"y" * 2048),
        # A file of many documents may be 40 times one document's limit.
        SimpleUploadedFile("many.jsonl", many.encode()),
        SimpleUploadedFile("huge.jsonl", b"z" * (41 * 1024)),
    ]
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload", {"files": files}, format="multipart"
    )
    report = response.json()
    assert {row["origin"]: row["reason"] for row in report["refused"]} == {
        "big.txt": "the file is 2.0 KB, over the 1.0 KB limit",
        "huge.jsonl": "the file is 41.0 KB, over the 40.0 KB limit",
    }
    assert len(report["imported"]) == 8
