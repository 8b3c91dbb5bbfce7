"""Pre-annotation requested through the API: a background job that starts a run and ends with it.

Creating a run for a whole project (one item per document, thousands of broker messages) can
outlast a web request, so `POST /projects/{id}/preannotate` only records a job. Its runner
creates the run in the same transaction as the job's report naming it (so a repeated delivery
finds the run and creates no second one), and the job then waits for the run: each finished
document advances the job's progress, and closing the run finishes the job with the run's
counts and failures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from annotations.exceptions import InvalidInput
from annotations.models import Document, Job, JobKind, PreannotationRun, Project, RunState
from annotations.services.jobs import (
    JobResult,
    JobStep,
    JobTicket,
    job_advance,
    job_close,
    job_create,
)
from annotations.services.preannotation import preannotation_request


def preannotation_job_request(
    *,
    project: Project,
    document_ids: Sequence[int] | None,
    force: bool,
    requested_by: User | None,
) -> Job:
    """Record a job that pre-annotates the listed documents (all of the project's if None).

    Raises InvalidInput naming `document_ids` if some are not documents of the project.
    Opens a durable transaction (job_create); the job is sent to the workers after commit.
    """
    if document_ids is not None:
        wanted = set(document_ids)
        found = set(
            Document.objects.filter(project=project, pk__in=wanted).values_list("pk", flat=True)
        )
        missing = sorted(wanted - found)
        if missing:
            raise InvalidInput(
                "document_ids: Not documents of this project.",
                fields={
                    "document_ids": [
                        "Not in this project: " + ", ".join(map(str, missing[:20])) + "."
                    ]
                },
            )
        total = len(wanted)
    else:
        total = Document.objects.filter(project=project).count()
    return job_create(
        project=project,
        kind=JobKind.PREANNOTATE,
        created_by=requested_by,
        params={
            "document_ids": sorted(set(document_ids)) if document_ids is not None else None,
            "force": force,
        },
        total=total,
    )


def preannotation_job_run(job: Job, ticket: JobTicket) -> JobResult | JobStep:
    """Start the job's run once (the job's runner), then wait for the run to finish it.

    The run and the job's report naming it commit together, so a redelivered or resumed job
    finds its run and starts no other. Documents deleted since the request are left out.
    """
    run = PreannotationRun.objects.filter(job=job).first()
    if run is None:
        ids = job.params.get("document_ids")
        documents = Document.objects.filter(project_id=job.project_id).only(
            "id", "status", "project_id"
        )
        if ids is not None:
            documents = documents.filter(pk__in=ids)
        creator = User.objects.filter(pk=job.created_by_id).first() if job.created_by_id else None
        with transaction.atomic(durable=True):
            run = preannotation_request(
                project=job.project,
                documents=None if ids is None else list(documents),
                force=bool(job.params.get("force")),
                requested_by=creator,
                job=job,
            )
            job_advance(
                ticket=ticket,
                done=0,
                total=run.documents_total,
                report=_report(run),
            )
    if run.finished_at is not None:
        return JobResult(report=_report(run))
    return JobStep.WAIT


def preannotation_job_close(*, run: PreannotationRun) -> None:
    """Finish the run's job with the run's outcome: done, or failed if every document failed.

    Precondition: called inside the transaction that closes the run, with the run's row
    locked (see `_close_run_if_complete`).
    """
    if run.job_id is None:
        return
    result = JobResult(report=_report(run))
    if run.state == RunState.FAILED:
        job_close(job_id=run.job_id, result=result, error=run.error or "Every document failed.")
    else:
        job_close(job_id=run.job_id, result=result)


def _report(run: PreannotationRun) -> dict[str, Any]:
    failures = list(run.items.filter(state=RunState.FAILED).values("document_id", "error")[:100])
    return {
        "run": run.pk,
        "engine": run.engine,
        "engine_version": run.engine_version,
        "documents_total": run.documents_total,
        "documents_done": run.documents_done,
        "documents_failed": run.documents_failed,
        "failed": [{"document_id": f["document_id"], "error": f["error"]} for f in failures],
        "summary": (
            f"{run.documents_done} pre-annotated, {run.documents_failed} failed "
            f"of {run.documents_total}"
        ),
    }
