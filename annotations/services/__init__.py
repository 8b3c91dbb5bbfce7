"""Services: every write and state transition of the domain, one call per operation.

Each service takes keyword-only arguments, opens its own short transaction, writes an audit
row for each state change, and raises `annotations.exceptions.DomainError` subclasses for the
caller to show. Callers (views, tasks, admin, commands) never write models directly.
"""

from annotations.services.accounts import token_issue
from annotations.services.adjudication import (
    agreed_span_rate,
    dispute_resolve,
    dispute_snapshot,
    document_reopen,
)
from annotations.services.agreement import (
    agreement_record,
    agreement_settle,
    agreement_totals_change,
    agreement_totals_rebuild,
    agreements_backfill,
)
from annotations.services.audit import (
    audit_change,
    audit_record,
    audit_record_each,
    audit_record_many,
    model_snapshot,
)
from annotations.services.documents import ImportReport, documents_import
from annotations.services.imports import import_job_request, upload_parse_inline
from annotations.services.jobs import (
    job_close,
    job_create,
    job_fail,
    job_finish,
    job_run,
    jobs_dispatch_pending,
    jobs_remove_expired,
)
from annotations.services.preannotation import (
    dispatch_items,
    preannotation_dispatch_pending,
    preannotation_items_fail,
    preannotation_request,
    preannotation_run_items,
)
from annotations.services.preannotation_jobs import preannotation_job_request
from annotations.services.projects import (
    DEFAULT_LABELS,
    membership_set,
    project_create,
    project_get_or_create,
)
from annotations.services.review import (
    Claim,
    assignment_claim_next,
    assignment_release,
    assignment_snapshot,
    assignment_submit,
    assignments_expire,
    evidence_add,
    evidence_delete,
    span_create,
    span_delete,
    span_update,
    spans_create,
)

__all__ = [
    "DEFAULT_LABELS",
    "Claim",
    "ImportReport",
    "agreed_span_rate",
    "agreement_record",
    "agreement_settle",
    "agreement_totals_change",
    "agreement_totals_rebuild",
    "agreements_backfill",
    "assignment_claim_next",
    "assignment_release",
    "assignment_snapshot",
    "assignment_submit",
    "assignments_expire",
    "audit_change",
    "audit_record",
    "audit_record_each",
    "audit_record_many",
    "dispatch_items",
    "dispute_resolve",
    "dispute_snapshot",
    "document_reopen",
    "documents_import",
    "evidence_add",
    "evidence_delete",
    "import_job_request",
    "job_close",
    "job_create",
    "job_fail",
    "job_finish",
    "job_run",
    "jobs_dispatch_pending",
    "jobs_remove_expired",
    "membership_set",
    "model_snapshot",
    "preannotation_dispatch_pending",
    "preannotation_items_fail",
    "preannotation_job_request",
    "preannotation_request",
    "preannotation_run_items",
    "project_create",
    "project_get_or_create",
    "span_create",
    "span_delete",
    "span_update",
    "spans_create",
    "token_issue",
    "upload_parse_inline",
]
