"""Span alignment and agreement metrics: plain Python, no Django import.

Dependency direction: `alignment` (clusters and disputes) <- `coefficients` (kappa, AC1, alpha
from counts) <- `metrics` (one document's figures and additive statistics) <- `project` (sums
over documents, reviewers against verdicts); `verdicts` (the final-verdict records) stands
alone. Services load rows, call these and store the results.
"""

from annotations.agreement.alignment import (
    Cluster,
    Disagreement,
    FinalSpan,
    Review,
    ReviewerSpan,
    align,
    normalise_source,
)
from annotations.agreement.metrics import DocumentFigures, article_units, document_figures
from annotations.agreement.project import (
    add_round,
    add_verdicts,
    figures_from_total,
    project_figures,
    reviewer_verdict_counts,
)
from annotations.agreement.verdicts import (
    AgreedRecord,
    DecisionRecord,
    DisputeRecord,
    ReviewerVersion,
    SpanRecord,
    Verdict,
    VerdictEvidence,
    build_verdicts,
)

__all__ = [
    "AgreedRecord",
    "Cluster",
    "DecisionRecord",
    "Disagreement",
    "DisputeRecord",
    "DocumentFigures",
    "FinalSpan",
    "Review",
    "ReviewerSpan",
    "ReviewerVersion",
    "SpanRecord",
    "Verdict",
    "VerdictEvidence",
    "add_round",
    "add_verdicts",
    "align",
    "article_units",
    "build_verdicts",
    "document_figures",
    "figures_from_total",
    "normalise_source",
    "project_figures",
    "reviewer_verdict_counts",
]
