"""Uploads too large for one request: stored on disk, then imported by a background job.

The rule (one, for the API): an upload that fits in one import batch — its files total at
most `INLINE_MAX_BYTES` and hold at most `IMPORT_BATCH_SIZE` documents — is imported in the
request, in one transaction. Anything larger is written to the jobs folder in chunks (never
held in memory whole), recorded as an import job, and imported by a worker batch by batch.

Each batch commits its documents, their audit rows, their pre-annotation run and the job's
progress, report and cursor in one transaction, so a killed worker loses nothing committed
and the next attempt resumes at the cursor without importing anything twice. The final report
says exactly what happened to every record: imported, duplicate, or refused with the reason.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from annotations.importing import ImportItem, ParsedDocument, oversized, parse_bytes
from annotations.models import Job, JobKind, Project
from annotations.services.documents import IMPORT_BATCH_SIZE, ImportReport, documents_import
from annotations.services.jobs import (
    JobResult,
    JobStep,
    JobTicket,
    job_advance,
    job_create,
    job_files_dir,
)

# Uploads up to this size (all files together) may be imported in the request, if they also
# hold at most IMPORT_BATCH_SIZE documents: one batch, one transaction, a second or two.
INLINE_MAX_BYTES = 1024 * 1024
# A job's batch holds at most this many bytes of text as well as IMPORT_BATCH_SIZE documents,
# so one transaction stays short whatever the documents' sizes.
JOB_BATCH_MAX_BYTES = 8 * 1024 * 1024
_CHUNK = 1024 * 1024
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
            with (job_files_dir() / relative).open("wb") as out:
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


def _file_items(stored: Mapping[str, Any], max_bytes: int) -> Iterator[ImportItem]:
    """The items of one stored file, exactly as the command and the inline upload read it."""
    path = job_files_dir() / stored["path"]
    too_large = oversized(stored["name"], path.stat().st_size, max_bytes=max_bytes)
    if too_large is not None:
        yield too_large
        return
    yield from parse_bytes(stored["name"], path.read_bytes(), max_bytes=max_bytes)


def _empty_report() -> dict[str, Any]:
    return {
        "imported": [],
        "duplicates": [],
        "refused": [],
        "warnings": [],
        "summary": "",
        # Where the next attempt resumes: the file, and how many of its items are done.
        "cursor": {"file": 0, "item": 0},
    }


def _summary(report: Mapping[str, Any]) -> str:
    return (
        f"{len(report['imported'])} imported, {len(report['duplicates'])} duplicate(s) skipped, "
        f"{len(report['refused'])} refused"
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


def _merge(report: dict[str, Any], part: ImportReport) -> None:
    report["imported"].extend(
        {"id": d.pk, "title": d.title, "origin": d.metadata.get("origin", "")}
        for d in part.imported
    )
    report["duplicates"].extend(
        {"origin": d.origin, "existing_document_id": d.existing_document_id}
        for d in part.duplicates
    )
    report["refused"].extend({"origin": r.origin, "reason": r.reason} for r in part.refused)
    report["warnings"].extend(part.warnings)
    report["summary"] = _summary(report)


def import_job_run(job: Job, ticket: JobTicket) -> JobResult | JobStep:
    """Import the job's stored files batch by batch from its cursor; the job's runner.

    Each batch is one durable transaction holding the documents, their audit rows and
    pre-annotation run (sent after commit), and the job's progress, report and cursor
    (`job_advance`, which raises JobLost if another attempt took the job: the batch then rolls
    back). Returns CONTINUE when the time slice is used up, else the final report.
    """
    files: list[dict[str, Any]] = job.params["files"]
    max_bytes = int(job.params.get("max_bytes", settings.FACTCHECK_IMPORT_MAX_BYTES))
    report: dict[str, Any] = dict(job.report) or _empty_report()
    if "total" not in report:
        # Counted once, so that progress reads "records done / records in the upload".
        report["total"] = sum(sum(1 for _ in _file_items(f, max_bytes)) for f in files)
        report["summary"] = _summary(report)
        with transaction.atomic(durable=True):
            job_advance(ticket=ticket, done=0, total=report["total"], report=report)
    done = len(report["imported"]) + len(report["duplicates"]) + len(report["refused"])
    project = job.project
    creator = User.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
    while report["cursor"]["file"] < len(files):
        cursor = report["cursor"]
        items = islice(_file_items(files[cursor["file"]], max_bytes), cursor["item"], None)
        for batch in _batches(items):
            with transaction.atomic(durable=True):
                part = documents_import(
                    project=project, items=batch, imported_by=creator, batch_size=len(batch)
                )
                _merge(report, part)
                cursor["item"] += len(batch)
                done += len(batch)
                job_advance(ticket=ticket, done=done, report=report)
            if ticket.out_of_time():
                return JobStep.CONTINUE
        report["cursor"] = {"file": cursor["file"] + 1, "item": 0}
    return JobResult(report={k: v for k, v in report.items() if k != "cursor"})
