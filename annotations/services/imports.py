"""Uploads too large for one request: stored on disk, then imported by a background job.

The rule (one, for the API): an upload that fits in one import batch — its files total at
most `INLINE_MAX_BYTES` and hold at most `IMPORT_BATCH_SIZE` documents — is imported in the
request, in one transaction. Anything larger is written to the jobs folder in chunks (never
held in memory whole), recorded as an import job, and imported by a worker batch by batch.

Each batch commits its documents, their audit rows, their pre-annotation run and the job's
progress, report and cursor in one transaction, so a killed worker loses nothing committed
and the next attempt resumes at the cursor without importing anything twice. The job's file
says exactly what happened to every record, one line each: imported, duplicate, or refused with
the reason; the report in the job holds the counts and the first records of each kind.

Memory does not grow with the upload: the web worker copies it to disk in chunks (Django's
upload handlers have already spilled anything over FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary
file), and the worker reads a .jsonl line by line and keeps one batch at a time.
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from annotations.importing import (
    ImportItem,
    ParsedDocument,
    Refusal,
    count_file_items,
    oversized,
    parse_bytes,
    parse_file,
)
from annotations.models import Job, JobKind, Project
from annotations.services.documents import IMPORT_BATCH_SIZE, ImportReport, documents_import
from annotations.services.jobs import (
    JobResult,
    JobStep,
    JobTicket,
    job_advance,
    job_create,
    job_files_dir,
    job_result_expiry,
    job_result_target,
)

# Uploads up to this size (all files together) may be imported in the request, if they also
# hold at most IMPORT_BATCH_SIZE documents: one batch, one transaction, a second or two.
INLINE_MAX_BYTES = 1024 * 1024
# A job's batch holds at most this many bytes of text as well as IMPORT_BATCH_SIZE documents,
# so one transaction stays short whatever the documents' sizes.
JOB_BATCH_MAX_BYTES = 8 * 1024 * 1024
_CHUNK = 1024 * 1024
# A job's report keeps this many records of each kind (imported, duplicates, refused,
# warnings) besides the counts; the full per-line report is the job's file.
REPORT_LIST_LIMIT = 1000
REPORT_KINDS = ("imported", "duplicates", "refused", "warnings")
REPORT_FILENAME = "import-report.jsonl"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Upload(Protocol):
    """What an uploaded file offers (Django's UploadedFile does)."""

    name: str | None
    size: int | None

    def chunks(self, chunk_size: int | None = ...) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class StoredUpload:
    """An uploaded file written to the jobs folder: its name as sent, and where it lies."""

    name: str
    path: str  # relative to the jobs folder
    size: int


def upload_parse_inline(uploads: Sequence[Upload]) -> list[ImportItem] | None:
    """Parse an upload in memory if it is small enough to import in the request, else None.

    Small enough: the files total at most INLINE_MAX_BYTES and yield at most IMPORT_BATCH_SIZE
    items. Reads at most INLINE_MAX_BYTES; writes nothing.
    """
    if sum(upload.size or 0 for upload in uploads) > INLINE_MAX_BYTES:
        return None
    limit = settings.FACTCHECK_IMPORT_MAX_BYTES
    items: list[ImportItem] = []
    for upload in uploads:
        name = upload.name or "upload"
        too_large = oversized(name, upload.size or 0, max_bytes=limit)
        if too_large is not None:
            items.append(too_large)
            continue
        items.extend(parse_bytes(name, b"".join(upload.chunks()), max_bytes=limit))
        if len(items) > IMPORT_BATCH_SIZE:
            return None
    return items


def import_job_request(
    *, project: Project, uploads: Sequence[Upload], created_by: User | None
) -> Job:
    """Store the uploaded files in the jobs folder (chunk by chunk) and record an import job.

    The job is sent to the workers after commit (see `job_create`). If recording it fails,
    the stored files are removed again. Side effects: files under `uploads/<uuid>/`.
    """
    folder = Path("uploads") / uuid.uuid4().hex
    (job_files_dir() / folder).mkdir(parents=True, exist_ok=True)
    stored: list[StoredUpload] = []
    try:
        for index, upload in enumerate(uploads):
            name = upload.name or "upload"
            relative = folder / f"{index:03d}-{_UNSAFE_NAME.sub('_', Path(name).name)[-100:]}"
            target = job_files_dir() / relative
            spilled = getattr(upload, "temporary_file_path", None)
            if spilled is not None:
                # Django already spilled it to a temporary file (FILE_UPLOAD_MAX_MEMORY_SIZE):
                # the kernel copies it (sendfile), never passing through this process.
                shutil.copyfile(spilled(), target)
                size = target.stat().st_size
            else:
                with target.open("wb") as out:
                    size = _copy(upload.chunks(_CHUNK), out)
            stored.append(StoredUpload(name=name, path=str(relative), size=size))
        return job_create(
            project=project,
            kind=JobKind.IMPORT,
            created_by=created_by,
            params={
                "files": [vars(s) for s in stored],
                "files_dir": str(folder),
                "max_bytes": settings.FACTCHECK_IMPORT_MAX_BYTES,
            },
        )
    except BaseException:
        _remove_folder(folder)
        raise


def _copy(chunks: Iterable[bytes], out: IO[bytes]) -> int:
    size = 0
    for chunk in chunks:
        out.write(chunk)
        size += len(chunk)
    return size


def _remove_folder(folder: Path) -> None:
    from annotations.services.jobs import job_folder_remove

    job_folder_remove(str(folder))


def _file_items(stored: Mapping[str, Any], max_bytes: int, skip: int = 0) -> Iterator[ImportItem]:
    """The items of one stored file, exactly as the command and the inline upload read it,
    without the first `skip` (a .jsonl is streamed from disk, never read whole)."""
    path = job_files_dir() / stored["path"]
    too_large = _oversized(stored["name"], path, max_bytes)
    if too_large is not None:
        if skip == 0:
            yield too_large
        return
    yield from parse_file(stored["name"], path, max_bytes=max_bytes, skip=skip)


def _oversized(name: str, path: Path, max_bytes: int) -> Refusal | None:
    """A stored file too large to import. A .jsonl is streamed line by line, so the upload
    limit is its only bound; a .json is parsed whole, so it keeps the container limit."""
    streamed = Path(name).suffix.lower() == ".jsonl"
    return oversized(
        name,
        path.stat().st_size,
        max_bytes=max_bytes,
        max_container_bytes=settings.FACTCHECK_UPLOAD_MAX_BYTES if streamed else None,
    )


def _file_count(stored: Mapping[str, Any], max_bytes: int) -> int:
    path = job_files_dir() / stored["path"]
    if _oversized(stored["name"], path, max_bytes) is not None:
        return 1
    return count_file_items(stored["name"], path)


def _empty_report() -> dict[str, Any]:
    return {
        "counts": dict.fromkeys(REPORT_KINDS, 0),
        # The first REPORT_LIST_LIMIT of each kind; the download has them all.
        **{kind: [] for kind in REPORT_KINDS},
        "truncated": False,
        "summary": "",
        # Where the next attempt resumes: the file, how many of its items are done, and how
        # long the per-line report file was when that was committed.
        "cursor": {"file": 0, "item": 0, "report_bytes": 0},
    }


def _summary(counts: Mapping[str, int]) -> str:
    return (
        f"{counts['imported']} imported, {counts['duplicates']} duplicate(s) skipped, "
        f"{counts['refused']} refused"
    )


def _batches(items: Iterator[ImportItem]) -> Iterator[list[ImportItem]]:
    """Consecutive batches of at most IMPORT_BATCH_SIZE items and JOB_BATCH_MAX_BYTES of text."""
    batch: list[ImportItem] = []
    size = 0
    for item in items:
        text_size = len(item.text) if isinstance(item, ParsedDocument) else 0
        if batch and (len(batch) >= IMPORT_BATCH_SIZE or size + text_size > JOB_BATCH_MAX_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += text_size
    if batch:
        yield batch


def _rows(batch: Sequence[ImportItem], part: ImportReport) -> list[tuple[str, dict[str, Any]]]:
    """The batch's outcome as (kind, row) in the order of the input, warnings after their
    document: the per-line report."""
    position = {item.origin: index for index, item in enumerate(batch)}
    rows: list[tuple[int, int, str, dict[str, Any]]] = []
    for d in part.imported:
        origin = d.metadata.get("origin", "")
        row = {"id": d.pk, "title": d.title, "origin": origin}
        rows.append((position.get(origin, 0), 0, "imported", row))
    for dup in part.duplicates:
        row = {"origin": dup.origin, "existing_document_id": dup.existing_document_id}
        rows.append((position.get(dup.origin, 0), 0, "duplicates", row))
    for refusal in part.refused:
        row = {"origin": refusal.origin, "reason": refusal.reason}
        rows.append((position.get(refusal.origin, 0), 0, "refused", row))
    for item in batch:
        if isinstance(item, ParsedDocument):
            for warning in item.warnings:
                row = {"origin": item.origin, "warning": warning}
                rows.append((position[item.origin], 1, "warnings", row))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(kind, row) for _, _, kind, row in rows]


def _merge(report: dict[str, Any], rows: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Count every row; keep the first REPORT_LIST_LIMIT of each kind in the report."""
    counts = report["counts"]
    for kind, row in rows:
        counts[kind] += 1
        kept = report[kind]
        if len(kept) < REPORT_LIST_LIMIT:
            kept.append(row if kind != "warnings" else f"{row['origin']}: {row['warning']}")
        else:
            report["truncated"] = True
    report["summary"] = _summary(counts)


def _append_rows(path: Path, rows: Sequence[tuple[str, dict[str, Any]]], *, at: int) -> int:
    """Write the rows to the per-line report file from byte `at` (cutting off what a lost
    attempt wrote past its last commit); return the file's new length."""
    outcome = {"imported": "imported", "duplicates": "duplicate", "refused": "refused"}
    with path.open("r+b" if path.exists() else "wb") as out:
        out.truncate(at)
        out.seek(at)
        for kind, row in rows:
            record = {"outcome": outcome.get(kind, "warning"), **row}
            out.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        return out.tell()


def import_job_run(job: Job, ticket: JobTicket) -> JobResult | JobStep:
    """Import the job's stored files batch by batch from its cursor; the job's runner.

    Each batch is one durable transaction holding the documents, their audit rows and
    pre-annotation run (sent after commit), and the job's progress, report and cursor
    (`job_advance`, which raises JobLost if another attempt took the job: the batch then rolls
    back). Every record's outcome is appended to the job's per-line report file (downloadable
    once done); the report in the row keeps counts and the first records of each kind, so it
    stays the same size however large the upload. Returns CONTINUE when the time slice is used
    up, else the final report and the file.
    """
    files: list[dict[str, Any]] = job.params["files"]
    max_bytes = int(job.params.get("max_bytes", settings.FACTCHECK_IMPORT_MAX_BYTES))
    report: dict[str, Any] = dict(job.report) or _empty_report()
    report_file, report_path = job_result_target(job_id=job.pk, filename=REPORT_FILENAME)
    if "total" not in report:
        # Counted once, so that progress reads "records done / records in the upload".
        report["total"] = sum(_file_count(f, max_bytes) for f in files)
        report["summary"] = _summary(report["counts"])
        with transaction.atomic(durable=True):
            job_advance(ticket=ticket, done=0, total=report["total"], report=report)
    done = sum(report["counts"][kind] for kind in ("imported", "duplicates", "refused"))
    project = job.project
    creator = User.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
    while report["cursor"]["file"] < len(files):
        cursor = report["cursor"]
        items = _file_items(files[cursor["file"]], max_bytes, skip=cursor["item"])
        for batch in _batches(items):
            with transaction.atomic(durable=True):
                part = documents_import(
                    project=project,
                    items=batch,
                    imported_by=creator,
                    batch_size=len(batch),
                    job=job,
                )
                rows = _rows(batch, part)
                _merge(report, rows)
                cursor["report_bytes"] = _append_rows(report_file, rows, at=cursor["report_bytes"])
                cursor["item"] += len(batch)
                done += len(batch)
                job_advance(ticket=ticket, done=done, report=report)
            if ticket.out_of_time():
                return JobStep.CONTINUE
        report["cursor"] = {**cursor, "file": cursor["file"] + 1, "item": 0}
    if not report_file.exists():
        report_file.touch()  # an upload of nothing but unreadable files still has its report
    return JobResult(
        report={k: v for k, v in report.items() if k != "cursor"},
        result_path=report_path,
        expires_at=job_result_expiry(),
    )
