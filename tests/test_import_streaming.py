"""Large imports: read line by line from disk, written with COPY on PostgreSQL, reported in full
in a file while the job's own report stays small, and pre-annotated as one piece of progress."""

from __future__ import annotations

import codecs
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.importing import ParsedDocument, Refusal, parse_bytes, parse_file
from annotations.models import AuditEvent, Document, Job, PreannotationItem, PreannotationRun
from annotations.services import imports
from annotations.services.bulk import bulk_insert
from annotations.services.jobs import JobStep, JobTicket, _job_take
from annotations.services.preannotation import dispatch_items
from tests.factories import DocumentFactory
from tests.test_jobs import download_lines
from tests.test_preannotation_worker import isolated_queue  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db
LIMIT = 5 * 1024 * 1024


@pytest.fixture(autouse=True)
def jobs_folder(settings: Any, tmp_path: Path) -> Path:
    settings.FACTCHECK_JOB_FILES_DIR = tmp_path / "jobs"
    return tmp_path / "jobs"


def jsonl(texts: list[str]) -> bytes:
    return "\n".join(json.dumps({"text": text}) for text in texts).encode()


def upload(api: Any, team: Any, data: bytes, name: str = "feed.jsonl") -> dict[str, Any]:
    api.force_authenticate(team.lead)
    response = api.post(
        f"/api/v1/projects/{team.project.pk}/documents/upload",
        {"files": [SimpleUploadedFile(name, data)]},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    return dict(response.json())


def test_a_jsonl_file_read_from_disk_gives_what_its_bytes_give(tmp_path: Path) -> None:
    data = (
        codecs.BOM_UTF8
        + b'{"text": "First."}\r\n\n   \n'
        + b'{"text": "Second", "published": "soon"}\n'
        + b"{not json\n"
        + '{"text": "Caf\\u0065\\u0301 \u00e9"}'.encode()
    )
    path = tmp_path / "feed.jsonl"
    path.write_bytes(data)
    assert list(parse_file("feed.jsonl", path, max_bytes=LIMIT)) == list(
        parse_bytes("feed.jsonl", data, max_bytes=LIMIT)
    )
    # A resumed import skips what is done, and the line numbers stay the file's.
    assert [item.origin for item in parse_file("feed.jsonl", path, max_bytes=LIMIT, skip=2)] == [
        "feed.jsonl:5",
        "feed.jsonl:6",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"text": "ok"}\n{"text": "\xff"}\n', "it is not valid UTF-8 (undecodable byte at "),
        (b'{"text": "ok"}\n\x00\n', "it looks like a binary file (it contains NUL bytes)"),
        (b"\n  \n", "the file is empty"),
    ],
)
def test_a_jsonl_file_that_cannot_be_decoded_is_refused_whole_as_before(
    tmp_path: Path, data: bytes, reason: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    [item] = parse_file("bad.jsonl", path, max_bytes=LIMIT)
    assert isinstance(item, Refusal)
    assert item.reason.startswith(reason)
    assert [*parse_bytes("bad.jsonl", data, max_bytes=LIMIT)] == [item]


def test_reading_a_large_jsonl_file_holds_one_line_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    line = json.dumps({"text": "The council met on Tuesday. " * 400}) + "\n"  # ~11 KB
    path.write_text(line * 2000)  # ~22 MB
    tracemalloc.start()
    try:
        count = sum(1 for item in parse_file("big.jsonl", path, max_bytes=LIMIT))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    # Whole, the file would be 22 MB of bytes and as much again decoded.
    assert peak < 4 * 1024 * 1024, f"{peak / 1e6:.1f} MB"


def test_a_streamed_upload_imports_every_document_and_names_each_bad_line(
    api: Any, team: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = DocumentFactory(project=team.project, text="Already here.")
    monkeypatch.setattr(imports, "REPORT_LIST_LIMIT", 5)
    texts = [f"Story {n}. The mayor said it would rain." for n in range(1200)]
    lines = jsonl(texts).split(b"\n")
    lines[9] = b'{"text": "Already here."}'  # line 10: in the project before
    lines[700] = b'{"text": "Story 3. The mayor said it would rain."}'  # line 701: line 4 again
    lines[1099] = b"{broken"  # line 1100
    job = upload(api, team, b"\n".join(lines), name="feed.jsonl")
    services.job_run(job_id=job["id"])
    polled = api.get(job["url"]).json()
    assert polled["state"] == "done"
    report = polled["report"]
    assert report["counts"] == {"imported": 1197, "duplicates": 2, "refused": 1, "warnings": 0}
    assert report["summary"] == "1197 imported, 2 duplicate(s) skipped, 1 refused"
    assert Document.objects.filter(project=team.project).count() == 1198
    # The job's own report keeps the first few of each kind however large the upload ...
    assert len(report["imported"]) == 5
    assert report["truncated"] is True
    assert report["duplicates"][0] == {
        "origin": "feed.jsonl:10",
        "existing_document_id": existing.pk,
    }
    # ... and the file has every line, in the upload's order, with its outcome.
    rows = download_lines(api, polled)
    assert [row["origin"] for row in rows] == [f"feed.jsonl:{n}" for n in range(1, 1201)]
    by_line = {row["origin"]: row for row in rows}
    line_four = by_line["feed.jsonl:4"]
    assert by_line["feed.jsonl:701"] == {
        "outcome": "duplicate",
        "origin": "feed.jsonl:701",
        "existing_document_id": line_four["id"],
    }
    assert by_line["feed.jsonl:1100"]["outcome"] == "refused"
    assert by_line["feed.jsonl:1100"]["reason"].startswith("invalid JSON")
    assert Document.objects.get(pk=line_four["id"]).text == texts[3]


def test_a_resumed_job_writes_each_record_once_whatever_a_dead_attempt_left(
    api: Any, team: Any, jobs_folder: Path
) -> None:
    job = upload(api, team, jsonl([f"Note {n}." for n in range(1100)]))
    ticket = _job_take(job_id=job["id"], takeover_attempt=None)
    assert ticket is not None
    outcome = imports.import_job_run(
        Job.objects.get(pk=job["id"]), JobTicket(ticket.job_id, ticket.attempt, deadline=0)
    )
    assert outcome is JobStep.CONTINUE  # one batch committed
    # A worker that died after writing its next batch's lines but before committing them.
    [report_file] = (jobs_folder / "results").rglob("import-report.jsonl")
    with report_file.open("a") as out:
        out.write('{"outcome": "imported", "origin": "feed.jsonl:501"}\n' * 3)
    services.job_run(job_id=job["id"], takeover_attempt=ticket.attempt)
    polled = api.get(job["url"]).json()
    assert polled["report"]["summary"] == "1100 imported, 0 duplicate(s) skipped, 0 refused"
    origins = [row["origin"] for row in download_lines(api, polled)]
    assert origins == [f"feed.jsonl:{n}" for n in range(1, 1101)]


def test_the_import_job_shows_its_pre_annotation_as_one(
    api: Any, team: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    job = upload(
        api, team, jsonl([f"Story {n}. The mayor said it would rain." for n in range(1100)])
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.job_run(job_id=job["id"])
    # Imported, pre-annotation not yet run: three batches, one progress.
    pending = api.get(job["url"]).json()
    assert PreannotationRun.objects.filter(import_job_id=job["id"]).count() == 3
    assert pending["preannotation"] == {"total": 1100, "done": 0, "failed": 0, "finished": False}
    for run in PreannotationRun.objects.filter(import_job_id=job["id"]):
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_items(list(run.items.values_list("pk", flat=True)))
    done = api.get(job["url"]).json()
    assert done["preannotation"] == {"total": 1100, "done": 1100, "failed": 0, "finished": True}
    # The import job stays done; the runs only report to it.
    assert (done["state"], done["progress_done"]) == ("done", 1100)


def test_other_jobs_have_no_import_pre_annotation(api: Any, team: Any) -> None:
    api.force_authenticate(team.admin)
    response = api.post(f"/api/v1/projects/{team.project.pk}/preannotate", {}, format="json")
    assert response.json()["preannotation"] is None


@pytest.mark.requires_redis
def test_sending_an_import_batch_to_the_workers_marks_it_sent_in_one_update(
    team: Any,
    isolated_queue: str,  # noqa: F811 - the fixture
) -> None:
    documents = [DocumentFactory(project=team.project) for _ in range(60)]
    with transaction.atomic():
        run = services.preannotation_request(project=team.project, documents=documents)
    ids = list(run.items.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as captured:
        sent = dispatch_items(ids, sizes=dict.fromkeys(ids, 100))
    assert sent == 60  # in three messages of 20
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert not PreannotationItem.objects.filter(pk__in=ids, sent_at__isnull=True).exists()
    from factcheck.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(isolated_queue)


@pytest.mark.requires_postgres  # COPY is PostgreSQL's; SQLite keeps bulk_create
def test_on_postgresql_an_import_batch_is_copied_not_inserted(team: Any) -> None:
    parsed = [
        ParsedDocument(
            origin=f"feed.jsonl:{n}",
            title=f"Story {n}",
            text=f"Story {n}. Caf\u00e9 \U0001f600 said the mayor.",
            metadata={"desk": "city", "tags": ["a", n]},
        )
        for n in range(300)
    ]
    with CaptureQueriesContext(connection) as captured:
        report = services.documents_import(project=team.project, items=parsed, batch_size=300)
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [sql for sql in statements if sql.startswith('INSERT INTO "annotations_document"')]
    # One audit row is inserted (the pre-annotation run's); the 300 documents' are copied.
    audit_inserts = [s for s in statements if s.startswith('INSERT INTO "annotations_auditevent"')]
    assert len(audit_inserts) == 1
    assert len(report.imported) == 300
    stored = Document.objects.get(pk=report.imported[7].pk)
    assert (stored.title, stored.text) == (
        "Story 7",
        "Story 7. Caf\u00e9 \U0001f600 said the mayor.",
    )
    assert stored.metadata == {"origin": "feed.jsonl:7", "desk": "city", "tags": ["a", 7]}
    assert stored.created_at is not None
    assert AuditEvent.objects.filter(action="document.imported").count() == 300
    assert PreannotationItem.objects.filter(document__project=team.project).count() == 300


@pytest.mark.requires_postgres  # COPY is PostgreSQL's; SQLite keeps bulk_create
def test_on_postgresql_a_copy_that_meets_a_stored_text_inserts_nothing(team: Any) -> None:
    existing = DocumentFactory(project=team.project)
    rows = [
        Document(project=team.project, title=f"D{n}", text=f"Text {n}.", text_sha256=f"{n:064x}")
        for n in range(150)
    ]
    rows.append(
        Document(project=team.project, title="Again", text="x", text_sha256=existing.text_sha256)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(rows)
    assert Document.objects.filter(project=team.project).count() == 1


def test_an_upload_spilled_to_disk_is_stored_byte_for_byte_and_imported(
    api: Any, team: Any, settings: Any, jobs_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past this size Django's upload handlers write the file to disk as it arrives, so the
    # web worker never holds it; the job's copy is made from that file by the kernel.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    copied_from: list[str] = []
    real_copyfile = imports.shutil.copyfile

    def copyfile(source: str, target: Path) -> Any:
        copied_from.append(source)
        return real_copyfile(source, target)

    monkeypatch.setattr(imports.shutil, "copyfile", copyfile)
    data = jsonl([f"Report {n}. The minister denied it. " + "word " * 300 for n in range(700)])
    assert len(data) > 1024 * 1024
    job = upload(api, team, data)
    [stored] = (jobs_folder / "uploads").rglob("*.jsonl")
    assert stored.read_bytes() == data
    assert len(copied_from) == 1  # from Django's temporary file, not through this process
    services.job_run(job_id=job["id"])
    assert api.get(job["url"]).json()["report"]["counts"]["imported"] == 700
