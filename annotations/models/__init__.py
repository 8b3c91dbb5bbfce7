"""Models of the domain, one module per concept, re-exported here.

Models hold fields, states, constraints and cheap properties only; every write and state
transition lives in `annotations.services`.
"""

from annotations.models.adjudication import (
    ClaimRating,
    Dispute,
    DisputeKind,
    DisputeStatus,
    Resolution,
    ResolutionKind,
)
from annotations.models.agreement import DocumentAgreement, ProjectAgreement
from annotations.models.audit import AuditEvent
from annotations.models.documents import Document, DocumentStatus
from annotations.models.jobs import FINISHED_JOB_STATES, Job, JobKind, JobState
from annotations.models.preannotation import (
    PreannotationItem,
    PreannotationOutput,
    PreannotationRun,
    RunState,
    Suggestion,
    Zone,
    ZoneKind,
)
from annotations.models.projects import Label, Membership, Project, Role
from annotations.models.review import (
    Assignment,
    AssignmentState,
    EvidenceLink,
    EvidenceStance,
    Span,
)

__all__ = [
    "FINISHED_JOB_STATES",
    "Assignment",
    "AssignmentState",
    "AuditEvent",
    "ClaimRating",
    "Dispute",
    "DisputeKind",
    "DisputeStatus",
    "Document",
    "DocumentAgreement",
    "DocumentStatus",
    "EvidenceLink",
    "EvidenceStance",
    "Job",
    "JobKind",
    "JobState",
    "Label",
    "Membership",
    "PreannotationItem",
    "PreannotationOutput",
    "PreannotationRun",
    "Project",
    "ProjectAgreement",
    "Resolution",
    "ResolutionKind",
    "Role",
    "RunState",
    "Span",
    "Suggestion",
    "Zone",
    "ZoneKind",
]
