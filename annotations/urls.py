"""REST API routes under /api/v1/. State changes are POST (or PATCH/DELETE), never GET."""

from django.urls import path, re_path

from annotations.api import (
    agreement,
    auth,
    disputes,
    documents,
    exports,
    health,
    jobs,
    projects,
    queue,
    runs,
    spans,
)
from annotations.api.common import endpoint_not_found

app_name = "annotations"

urlpatterns = [
    path("health", health.HealthView.as_view(), name="health"),
    path("auth/token", auth.TokenView.as_view(), name="auth-token"),
    path("projects", projects.ProjectListView.as_view(), name="projects"),
    path("projects/<int:project_id>", projects.ProjectDetailView.as_view(), name="project"),
    path(
        "projects/<int:project_id>/memberships",
        projects.MembershipListView.as_view(),
        name="memberships",
    ),
    path(
        "projects/<int:project_id>/documents",
        documents.DocumentListView.as_view(),
        name="documents",
    ),
    path(
        "projects/<int:project_id>/documents/upload",
        documents.DocumentUploadView.as_view(),
        name="documents-upload",
    ),
    path("documents/<int:document_id>", documents.DocumentDetailView.as_view(), name="document"),
    path("projects/<int:project_id>/queue/next", queue.QueueNextView.as_view(), name="queue-next"),
    path(
        "projects/<int:project_id>/assignments",
        queue.ProjectAssignmentsView.as_view(),
        name="assignments",
    ),
    path(
        "assignments/<int:assignment_id>", queue.AssignmentDetailView.as_view(), name="assignment"
    ),
    path(
        "assignments/<int:assignment_id>/release",
        queue.AssignmentReleaseView.as_view(),
        name="assignment-release",
    ),
    path(
        "assignments/<int:assignment_id>/submit",
        queue.AssignmentSubmitView.as_view(),
        name="assignment-submit",
    ),
    path("assignments/<int:assignment_id>/spans", spans.SpanCreateView.as_view(), name="spans"),
    path(
        "assignments/<int:assignment_id>/spans/batch",
        spans.SpanBatchCreateView.as_view(),
        name="spans-batch",
    ),
    path("spans/<int:span_id>", spans.SpanDetailView.as_view(), name="span"),
    path("spans/<int:span_id>/evidence", spans.EvidenceCreateView.as_view(), name="evidence"),
    path("evidence/<int:evidence_id>", spans.EvidenceDetailView.as_view(), name="evidence-detail"),
    path("projects/<int:project_id>/preannotation-runs", runs.RunListView.as_view(), name="runs"),
    path(
        "projects/<int:project_id>/preannotate", runs.PreannotateView.as_view(), name="preannotate"
    ),
    path(
        "projects/<int:project_id>/preannotation-runs/<int:run_id>",
        runs.RunDetailView.as_view(),
        name="run",
    ),
    # Agreement and adjudication (leads and admins).
    path(
        "projects/<int:project_id>/agreement",
        agreement.ProjectAgreementView.as_view(),
        name="agreement",
    ),
    path(
        "projects/<int:project_id>/disputes",
        disputes.ProjectDisputesView.as_view(),
        name="disputes",
    ),
    path("disputes/<int:dispute_id>", disputes.DisputeDetailView.as_view(), name="dispute"),
    path(
        "disputes/<int:dispute_id>/resolve",
        disputes.DisputeResolveView.as_view(),
        name="dispute-resolve",
    ),
    path(
        "documents/<int:document_id>/ratings",
        agreement.DocumentRatingView.as_view(),
        name="document-ratings",
    ),
    path(
        "documents/<int:document_id>/reopen",
        agreement.DocumentReopenView.as_view(),
        name="document-reopen",
    ),
    path(
        "documents/<int:document_id>/verdicts",
        agreement.DocumentVerdictsView.as_view(),
        name="document-verdicts",
    ),
    # Exports of final verdicts (issue 9).
    path("projects/<int:project_id>/export", exports.ProjectExportView.as_view(), name="export"),
    path(
        "documents/<int:document_id>/export",
        exports.DocumentExportView.as_view(),
        name="document-export",
    ),
    path("jobs/<int:job_id>", jobs.JobDetailView.as_view(), name="job"),
    path("jobs/<int:job_id>/download", jobs.JobDownloadView.as_view(), name="job-download"),
    # Last: any other path under /api/v1/ answers 404 in the API's JSON error shape.
    # [\s\S], not ".": a newline in the path (%0A) must match too, or Django's HTML 404 answers.
    re_path(r"^(?P<path>[\s\S]*)$", endpoint_not_found, name="not-found"),
]
