"""schema.org ClaimReview JSON-LD for every rated claim (final spans with a rating).

One `@graph` of ClaimReview objects. The verdict is `reviewRating.alternateName` (the textual
rating) with a numeric `ratingValue` on a declared scale from `worstRating` 1 to `bestRating` 4:

    1 contradicted · 2 misleading · 3 unverifiable · 4 supported

Unverifiable sits above misleading because it says nothing was shown false. The claim is an
`itemReviewed` of type `Claim`, whose `appearance` is the article and whose author is the named
source of a sourced claim, else the article's author, else its outlet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from annotations.exports.records import (
    DocumentRecord,
    Export,
    ProjectRecord,
    Verdict,
    document_iri,
    verdict_anchor,
)

CONTENT_TYPE = "application/ld+json; charset=utf-8"
EXTENSION = "jsonld"
SCALE = {"contradicted": 1, "misleading": 2, "unverifiable": 3, "supported": 4}
RATING_NAMES = {
    "contradicted": "Contradicted",
    "misleading": "Misleading",
    "unverifiable": "Unverifiable",
    "supported": "Supported",
}
WORST, BEST = 1, 4


def write(export: Export) -> Iterator[str]:
    """Yield `{"@context": ..., "@graph": [ClaimReview, ...]}`, a document's reviews per chunk."""
    yield '{"@context":"https://schema.org","@graph":['
    count = 0
    for document in export.documents:
        for verdict in document.verdicts:
            if verdict.rating in SCALE:
                review = claim_review(export.project, document, verdict)
                yield ("," if count else "") + "\n" + _dumps(review)
                count += 1
    yield "\n]}\n"


def claim_review(
    project: ProjectRecord, document: DocumentRecord, verdict: Verdict
) -> dict[str, Any]:
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": document.title}
    if document.source_url:
        appearance["url"] = document.source_url
    if document.published_on is not None:
        appearance["datePublished"] = document.published_on.isoformat()
    if document.outlet:
        appearance["publisher"] = {"@type": "Organization", "name": document.outlet}
    claim: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    claimant = verdict.source or document.author
    if claimant:
        claim["author"] = {"@type": "Person", "name": claimant}
    elif document.outlet:
        claim["author"] = {"@type": "Organization", "name": document.outlet}
    if document.published_on is not None:
        claim["datePublished"] = document.published_on.isoformat()
    review: dict[str, Any] = {
        "@type": "ClaimReview",
        "url": f"{document_iri(project, document.id)}/report#{verdict_anchor(verdict)}"
        if project.base_url
        else f"{document_iri(project, document.id)}#{verdict_anchor(verdict)}",
        "claimReviewed": verdict.quote,
        "itemReviewed": claim,
        "author": {"@type": "Organization", "name": project.name},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": SCALE[verdict.rating],
            "worstRating": WORST,
            "bestRating": BEST,
            "alternateName": RATING_NAMES[verdict.rating],
        },
    }
    if verdict.rationale:
        review["reviewRating"]["ratingExplanation"] = verdict.rationale
    decided = verdict.decided_at or project.exported_at
    review["datePublished"] = decided.date().isoformat()
    if verdict.decided_by:
        review["creator"] = {"@type": "Person", "name": verdict.decided_by}
    return review


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
