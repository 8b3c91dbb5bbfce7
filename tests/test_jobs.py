"""Background jobs: large uploads and pre-annotation requests answer 202 and a job to poll;
jobs are taken once, resumed from their committed cursor, and report the truth."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from annotations import clock, services
from annotations.models import AuditEvent, Document, Job, JobKind, JobState, PreannotationRun
from annotations.services.jobs import JobLost, JobTicket, _job_take, job_advance
from annotations.services.preannotation import _close_run_if_complete
from tests.factories import DocumentFactory, JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def jobs_folder(settings: Any, tmp_path: Path) -> Path:
    settings.FACTCHECK_JOB_FILES_DIR = tmp_path / "jobs"
    return tmp_path / "jobs"


def large_jsonl(count: int, *, extra: list[dict[str, Any]] | None = None) -> bytes:
    """More than 1 MB of records, so that the upload becomes a job."""
    records = [
        {"title": f"Record {n}", "text": f"Record {n}. The council said so. " + "word " * 60}
        for n in range(count)
    ]
    return "\n".join(json.dumps(r) for r in records + (extra or [])).encode()


def upload(api: Any, team: Any, data: bytes, name: str = "big.jsonl") -> Any:
    return api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload",
        {"files": [SimpleUploadedFile(name, data)]},
        format="multipart",
    )


def download_lines(api: Any, job: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-line report of a finished import job, fetched from its `download_url`."""
    response = api.get(job["download_url"])
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('import-report.jsonl"')
    return [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_a_large_upload_answers_202_and_its_job_reports_every_record(
    api: Any, team: Any, jobs_folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    existing = DocumentFactory(project=team.project, text="Already here.")
    data = large_jsonl(
        3000,
        extra=[
            {"text": "Already here."},
            {"title": "Record 7 again", "text": json.loads(large_jsonl(8).split(b"\n")[7])["text"]},
            {"text": "Dated.", "published": "last week"},
            {"no_text": True},
        ],
    )
    assert len(data) > 1024 * 1024
    api.force_authenticate(team.lead)
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = upload(api, team, data)
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == job["url"]
    assert (job["kind"], job["state"]) == ("import", "queued")
    assert len(sent) == 1  # the job's message, sent after commit
    # What the worker does with that message (pre-annotation of the imported documents is
    # sent after commit, which this test's transaction never reaches).
    services.job_run(job_id=job["id"])
    polled = api.get(job["url"]).json()
    assert (polled["state"], polled["progress_done"], polled["progress_total"]) == (
        "done",
        3004,
        3004,
    )
    report = polled["report"]
    assert report["summary"] == "3000 imported, 2 duplicate(s) skipped, 2 refused"
    assert report["counts"] == {"imported": 3000, "duplicates": 2, "refused": 2, "warnings": 0}
    # The job's row keeps the first 1,000 of a kind; its file has every record.
    assert len({row["id"] for row in report["imported"]}) == 1000
    assert report["truncated"] is True
    lines = download_lines(api, polled)
    assert len({row["id"] for row in lines if row["outcome"] == "imported"}) == 3000
    assert report["duplicates"] == [
        {"origin": "big.jsonl:3001", "existing_document_id": existing.pk},
        {
            "origin": "big.jsonl:3002",
            "existing_document_id": next(
                row["id"] for row in report["imported"] if row["origin"] == "big.jsonl:8"
            ),
        },
    ]
    assert report["refused"] == [
        {
            "origin": "big.jsonl:3003",
            "reason": 'published is not an ISO date (YYYY-MM-DD): "last week"',
        },
        {
            "origin": "big.jsonl:3004",
            "reason": "the record has no text field (a string is required)",
        },
    ]
    assert "cursor" not in report
    assert Document.objects.filter(project=team.project).count() == 3001
    assert AuditEvent.objects.filter(action="job.finished", entity_id=job["id"]).count() == 1


def test_a_job_cut_into_many_slices_ends_with_the_report_of_one_slice(
    api: Any, team: Any, eager: None, settings: Any
) -> None:
    # No time at all per slice: the job is sent again (in-process here) after every batch and
    # resumes from its committed cursor each time.
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0
    api.force_authenticate(team.lead)
    response = upload(api, team, large_jsonl(2600))
    services.job_run(job_id=response.json()["id"])
    job = Job.objects.get(pk=response.json()["id"])
    assert job.state == JobState.DONE
    assert job.report["summary"] == "2600 imported, 0 duplicate(s) skipped, 0 refused"
    lines = download_lines(api, api.get(f"/api/v1/jobs/{job.pk}").json())
    assert [row["origin"] for row in lines] == [f"big.jsonl:{n}" for n in range(1, 2601)]
    # One take per batch (five of 500, one of 100), and a last one that finds nothing left.
    assert job.attempts == 7
    assert Document.objects.filter(project=team.project).count() == 2600


def test_a_small_upload_is_still_imported_in_the_request(api: Any, team: Any) -> None:
    api.force_authenticate(team.lead)
    response = upload(api, team, large_jsonl(20), name="few.jsonl")
    assert response.status_code == 200
    assert response.json()["summary"] == "20 imported, 0 duplicate(s) skipped, 0 refused"
    assert not Job.objects.exists()


def test_an_upload_of_more_than_one_batch_of_documents_is_a_job_even_if_small(
    api: Any, team: Any
) -> None:
    api.force_authenticate(team.lead)
    tiny = "\n".join(json.dumps({"text": f"Note {n}."}) for n in range(501)).encode()
    assert len(tiny) < 1024 * 1024
    response = upload(api, team, tiny, name="tiny.jsonl")
    assert response.status_code == 202
    assert Job.objects.get().params["files"][0]["size"] == len(tiny)


def test_preannotating_a_project_is_a_job_that_ends_with_the_run(
    api: Any, team: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(3):
        DocumentFactory(project=team.project, text=f"Story {n}. The mayor said it would rain.")
    api.force_authenticate(team.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/projects/{team.project.pk}/preannotate", {}, format="json")
    assert response.status_code == 202
    polled = api.get(response.json()["url"]).json()
    run = PreannotationRun.objects.get(job_id=polled["id"])
    assert (polled["state"], polled["progress_done"], polled["progress_total"]) == ("done", 3, 3)
    assert polled["report"]["run"] == run.pk
    assert polled["report"]["summary"] == "3 pre-annotated, 0 failed of 3"


def test_a_job_is_taken_once_and_only_its_latest_attempt_may_write(team: Any) -> None:
    job = JobFactory(project=team.project, progress_total=10)
    first = _job_take(job_id=job.pk, takeover_attempt=None)
    assert first is not None
    assert first.attempt == 1
    # A duplicate message while the first worker is alive and committing: not taken.
    assert _job_take(job_id=job.pk, takeover_attempt=None) is None
    # The dispatcher judged attempt 1 abandoned: a new attempt takes over.
    second = _job_take(job_id=job.pk, takeover_attempt=1)
    assert second is not None
    assert second.attempt == 2
    with pytest.raises(JobLost), transaction.atomic():
        job_advance(ticket=first, done=5, report={"from": "the old worker"})
    with transaction.atomic():
        job_advance(ticket=second, done=3, report={"from": "the new worker"})
    job.refresh_from_db()
    assert (job.progress_done, job.report) == (3, {"from": "the new worker"})
    assert (
        services.job_finish(job_id=job.pk, attempt=1, result=services.jobs.JobResult(report={}))
        is False
    )
    assert services.job_fail(job_id=job.pk, error="boom", attempt=2) is True
    job.refresh_from_db()
    assert (job.state, job.error, job.report) == (
        JobState.FAILED,
        "boom",
        {"from": "the new worker"},
    )
    assert _job_take(job_id=job.pk, takeover_attempt=2) is None


def test_a_running_job_silent_for_longer_than_any_task_lives_is_taken_over(team: Any) -> None:
    job = JobFactory(project=team.project)
    assert _job_take(job_id=job.pk, takeover_attempt=None) is not None
    later = timezone.now() + timedelta(minutes=30)
    with clock.frozen(later):
        ticket = _job_take(job_id=job.pk, takeover_attempt=None)
    assert ticket is not None
    assert ticket.attempt == 2
    assert AuditEvent.objects.filter(action="job.resumed", entity_id=job.pk).count() == 1


def test_the_dispatcher_sends_unsent_and_abandoned_jobs(team: Any, eager: None) -> None:
    DocumentFactory(project=team.project)
    unsent = JobFactory(
        project=team.project,
        kind=JobKind.PREANNOTATE,
        params={"document_ids": None, "force": False},
        progress_total=1,
    )
    assert services.jobs_dispatch_pending() == 1
    unsent.refresh_from_db()
    assert unsent.state == JobState.RUNNING  # waiting for its run, which is queued
    run = PreannotationRun.objects.get(job=unsent)
    assert services.jobs_dispatch_pending() == 0
    # Its worker died an hour ago: taken over, and the run is found again, not made twice.
    assert services.jobs_dispatch_pending(now=timezone.now() + timedelta(hours=1)) == 1
    unsent.refresh_from_db()
    assert unsent.attempts == 2
    assert list(PreannotationRun.objects.filter(job=unsent)) == [run]


def test_a_finished_run_finishes_its_job_with_the_failures(team: Any) -> None:
    from annotations.models import PreannotationItem, RunState

    documents = [DocumentFactory(project=team.project) for _ in range(2)]
    job = JobFactory(project=team.project, kind=JobKind.PREANNOTATE, progress_total=2)
    ticket = _job_take(job_id=job.pk, takeover_attempt=None)
    assert ticket is not None
    run = services.preannotation_request(project=team.project, documents=documents, job=job)
    PreannotationItem.objects.filter(run=run, document=documents[0]).update(
        state=RunState.FAILED, error="TimeoutError: too slow"
    )
    PreannotationRun.objects.filter(pk=run.pk).update(documents_done=1, documents_failed=1)
    with transaction.atomic():
        _close_run_if_complete(run.pk, timezone.now())
    job.refresh_from_db()
    assert (job.state, job.progress_done) == (JobState.DONE, 2)
    assert job.report["failed"] == [
        {"document_id": documents[0].pk, "error": "TimeoutError: too slow"}
    ]


def test_download_streams_the_file_until_it_expires(api: Any, team: Any, jobs_folder: Path) -> None:
    (jobs_folder / "7").mkdir(parents=True)
    (jobs_folder / "7" / "export.csv").write_bytes(b"id,label\n1,opinion\n")
    job = JobFactory(
        project=team.project,
        kind=JobKind.EXPORT,
        state=JobState.DONE,
        finished_at=timezone.now(),
        result_path="7/export.csv",
        expires_at=timezone.now() + timedelta(hours=1),
    )
    api.force_authenticate(team.lead)
    response = api.get(f"/api/v1/jobs/{job.pk}/download")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"id,label\n1,opinion\n"
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert api.get(f"/api/v1/jobs/{job.pk}").json()["download_url"] == (
        f"/api/v1/jobs/{job.pk}/download"
    )

    assert services.jobs_remove_expired(now=timezone.now() + timedelta(hours=2)) == 1
    assert not (jobs_folder / "7").exists()
    assert services.jobs_remove_expired(now=timezone.now() + timedelta(hours=2)) == 0
    gone = api.get(f"/api/v1/jobs/{job.pk}/download")
    assert (gone.status_code, gone.json()["code"]) == (410, "gone")
    assert AuditEvent.objects.filter(action="job.file_removed", entity_id=job.pk).count() == 1


def test_download_refuses_unfinished_jobs_and_paths_outside_the_folder(
    api: Any, team: Any, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text("not yours")
    running = JobFactory(project=team.project, kind=JobKind.EXPORT, state=JobState.RUNNING)
    escaping = JobFactory(
        project=team.project,
        kind=JobKind.EXPORT,
        state=JobState.DONE,
        finished_at=timezone.now(),
        result_path="../secret.txt",
    )
    api.force_authenticate(team.admin)
    refused = api.get(f"/api/v1/jobs/{running.pk}/download")
    assert (refused.status_code, refused.json()["code"]) == (409, "wrong_state")
    assert api.get(f"/api/v1/jobs/{escaping.pk}/download").status_code == 410


def test_a_lead_demoted_to_reviewer_sees_their_job_but_cannot_download(api: Any, team: Any) -> None:
    from annotations.models import Membership, Role

    job = JobFactory(project=team.project, created_by=team.lead)
    Membership.objects.filter(user=team.lead).update(role=Role.REVIEWER)
    api.force_authenticate(team.lead)
    assert api.get(f"/api/v1/jobs/{job.pk}").status_code == 200
    assert api.get(f"/api/v1/jobs/{job.pk}/download").status_code == 403


def test_a_ticket_knows_when_its_time_slice_is_used_up() -> None:
    assert JobTicket(1, 1, deadline=0).out_of_time()


def test_a_result_written_where_the_service_says_is_downloadable(
    api: Any, team: Any, jobs_folder: Path
) -> None:
    job = JobFactory(project=team.project, kind=JobKind.EXPORT)
    ticket = _job_take(job_id=job.pk, takeover_attempt=None)
    assert ticket is not None
    path, relative = services.jobs.job_result_target(job_id=job.pk, filename="../spans.jsonl")
    path.write_text('{"id": 1}\n')
    result = services.jobs.JobResult(
        report={"rows": 1}, result_path=relative, expires_at=services.jobs.job_result_expiry()
    )
    assert services.job_finish(job_id=job.pk, result=result, attempt=ticket.attempt)
    assert relative == f"results/{job.pk}/spans.jsonl"
    api.force_authenticate(team.lead)
    response = api.get(f"/api/v1/jobs/{job.pk}/download")
    assert b"".join(response.streaming_content) == b'{"id": 1}\n'


def test_a_job_that_fails_midway_reports_exactly_what_it_committed(
    api: Any, team: Any, jobs_folder: Path
) -> None:
    from annotations.services.imports import import_job_run

    api.force_authenticate(team.lead)
    job_id = upload(api, team, large_jsonl(1200)).json()["id"]
    ticket = _job_take(job_id=job_id, takeover_attempt=None)
    assert ticket is not None
    # One batch, then out of time (as a worker's slice ends).
    outcome = import_job_run(
        Job.objects.get(pk=job_id), JobTicket(ticket.job_id, ticket.attempt, deadline=0)
    )
    assert outcome is services.jobs.JobStep.CONTINUE
    # The stored upload disappears before the job is taken again.
    for stored in (jobs_folder / "uploads").rglob("*.jsonl"):
        stored.unlink()
    services.job_run(job_id=job_id, takeover_attempt=ticket.attempt)
    polled = api.get(f"/api/v1/jobs/{job_id}").json()
    assert polled["state"] == "failed"
    assert polled["error"].startswith("FileNotFoundError")
    assert (polled["progress_done"], polled["progress_total"]) == (500, 1200)
    assert polled["report"]["summary"] == "500 imported, 0 duplicate(s) skipped, 0 refused"
    assert Document.objects.filter(project=team.project).count() == 500
