"""Selectors: reads that are already scoped to the caller.

Each returns only what the user may see, so a view that looks an object up through a selector
answers 404 for anything outside the caller's projects or, for a reviewer, anyone else's work
(blind review). Depends on models and exceptions only; services and views depend on this.
"""

from annotations.selectors.access import (
    LEAD_ROLES,
    project_get,
    project_role,
    projects_visible,
    user_addable,
)
from annotations.selectors.agreement import (
    agreement_for_project,
    dispute_detail,
    dispute_get,
    disputes_visible,
    verdicts_for_document,
    verdicts_for_documents,
)
from annotations.selectors.documents import document_get, documents_visible
from annotations.selectors.jobs import job_get, job_preannotation_progress, jobs_visible
from annotations.selectors.overview import (
    ProjectOverview,
    current_document_agreements,
    project_overviews,
)
from annotations.selectors.review import (
    assignment_get,
    assignment_review_material,
    assignments_own,
    assignments_visible,
    evidence_get,
    span_get,
)
from annotations.selectors.runs import run_get, runs_visible

__all__ = [
    "LEAD_ROLES",
    "ProjectOverview",
    "agreement_for_project",
    "assignment_get",
    "assignment_review_material",
    "assignments_own",
    "assignments_visible",
    "current_document_agreements",
    "dispute_detail",
    "dispute_get",
    "disputes_visible",
    "document_get",
    "documents_visible",
    "evidence_get",
    "job_get",
    "job_preannotation_progress",
    "jobs_visible",
    "project_get",
    "project_overviews",
    "project_role",
    "projects_visible",
    "run_get",
    "runs_visible",
    "span_get",
    "user_addable",
    "verdicts_for_document",
    "verdicts_for_documents",
]
