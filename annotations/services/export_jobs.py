"""Exports too large for one request: written to a file by a background job, then downloaded.

The API streams an export of up to `FACTCHECK_EXPORT_INLINE_MAX_DOCUMENTS` documents in the
request; a larger one is recorded as an export job, and a worker writes the file into the jobs
folder, committing its progress every chunk of documents, so the client polls
`GET /api/v1/jobs/{id}` and then downloads from `GET /api/v1/jobs/{id}/download` until the file
expires (`FACTCHECK_JOB_RESULT_HOURS`).

An export changes nothing, so a retried or resumed job simply writes its file again from the
start (into a `.partial` file, renamed when complete): no half-written file is ever offered.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from annotations.exports import FORMATS
from annotations.models import Job, JobKind, Project
from annotations.selectors.exports import (
    EXPORT_CHUNK_SIZE,
    ExportFilters,
    export_build,
    export_documents,
)
from annotations.services.jobs import (
    JobResult,
    JobTicket,
    job_advance,
    job_create,
    job_result_expiry,
    job_result_target,
)


def export_job_create(
    *,
    project: Project,
    fmt_name: str,
    filters: ExportFilters,
    created_by: User | None,
    base_url: str = "",
) -> Job:
    """Record an export job for the workers (queued; sent after commit).

    Precondition: the caller may export the project and the filters were checked. Opens a
    durable transaction (through `job_create`); writes an audit row.
    """
    total = export_documents(project=project, filters=filters).count()
    params = {
        "format": fmt_name,
        "status": filters.status,
        "label": filters.label,
        "published_from": filters.published_from.isoformat() if filters.published_from else "",
        "published_to": filters.published_to.isoformat() if filters.published_to else "",
        "document_ids": list(filters.document_ids),
        "base_url": base_url,
        "exported_by": created_by.get_username() if created_by is not None else "",
    }
    return job_create(
        project=project, kind=JobKind.EXPORT, created_by=created_by, params=params, total=total
    )


def export_job_run(job: Job, ticket: JobTicket) -> JobResult:
    """Write the job's export to its result file (the runner of `JobKind.EXPORT`).

    Commits progress every chunk of documents (`job_advance`, which raises JobLost if another
    attempt took the job over); never inside a transaction of its own caller.
    """
    params: Mapping[str, Any] = job.params
    fmt = FORMATS[str(params["format"])]
    filters = ExportFilters(
        status=str(params.get("status") or ""),
        label=str(params.get("label") or ""),
        published_from=_date(params.get("published_from")),
        published_to=_date(params.get("published_to")),
        document_ids=tuple(int(pk) for pk in params.get("document_ids") or ()),
    )
    done = 0

    def advance() -> None:
        nonlocal done
        done += 1
        if done % EXPORT_CHUNK_SIZE == 0:
            with transaction.atomic(durable=True):
                job_advance(ticket=ticket, done=done, report={"documents": done})

    export = export_build(
        project=job.project,
        filters=filters,
        exported_by=str(params.get("exported_by") or ""),
        base_url=str(params.get("base_url") or ""),
        on_document=advance,
        history=fmt.history,
    )
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", job.project.name).strip("-") or "export"
    target, relative = job_result_target(job_id=job.pk, filename=f"{stem}.{fmt.extension}")
    partial = target.with_name(target.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as handle:
        handle.writelines(fmt.write(export))
    partial.replace(target)
    return JobResult(
        report={"documents": done, "format": fmt.name, "bytes": target.stat().st_size},
        result_path=relative,
        expires_at=job_result_expiry(),
    )


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
