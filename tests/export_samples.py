"""Plain export records for the writers' tests: agreed, disputed and resolved spans, rated
claims, an emoji and Arabic document, and markup and formula text in every user string."""

from __future__ import annotations

import datetime as dt
import hashlib

from annotations.exports.records import (
    DecisionRecord,
    DisputeRecord,
    DocumentRecord,
    EvidenceRecord,
    Export,
    LabelRecord,
    ProjectRecord,
    ReviewerVersion,
    ReviewRecord,
    SpanRecord,
    Verdict,
    VerdictEvidence,
)

WHEN = dt.datetime(2026, 12, 2, 18, 30, tzinfo=dt.UTC)
EVIL = '<script>alert("x")</script>'

ENGLISH = (
    "Schools to close\n\nThe minister said on Monday that 40 schools would close. "
    "Officials never explained why. This is clearly a disgrace."
)
ARABIC = (
    "قال الوزير إن 40 مدرسة ستغلق 🏫.\n"
    "Emoji 👩🏽‍🔬 and combining é here: the council said =SUM(A1) costs rose 12%."
)
MARKUP = f"Headline {EVIL}\n\nA reader wrote {EVIL} & <b>bold</b> claims."


def _verdict(doc: int, text: str, quote: str, label: str, **extra: object) -> Verdict:
    start = text.index(quote)
    fields: dict[str, object] = {
        "source": "",
        "rating": "",
        "rationale": "",
        "provenance": "agreed",
        "decided_by": "",
        "decided_at": None,
        "reviewers": (
            ReviewerVersion("alice", label, start, start + len(quote), "", ""),
            ReviewerVersion("bob", label, start, start + len(quote), "", ""),
        ),
        "evidence": (),
        "dispute_id": None,
        "resolution_id": None,
    }
    fields.update(extra)
    return Verdict(
        document_id=doc,
        start=start,
        end=start + len(quote),
        quote=quote,
        label=label,
        **fields,
    )


def _span(span_id: int, text: str, quote: str, label: str, **extra: object) -> SpanRecord:
    start = text.index(quote)
    return SpanRecord(
        id=span_id,
        start=start,
        end=start + len(quote),
        quote=quote,
        label=label,
        source=str(extra.get("source", "")),
        note=str(extra.get("note", "")),
        from_suggestion=False,
        evidence=tuple(extra.get("evidence", ())),
    )


def sample_project(*, base_url: str = "") -> ProjectRecord:
    return ProjectRecord(
        id=7,
        name=f"Desk {EVIL}",
        description="Checks & balances",
        reviews_required=2,
        dispute_tolerance=3,
        labels=(
            LabelRecord("sourced", "Sourced", "#2e7d32"),
            LabelRecord("unsourced", "Unsourced", "#c62828"),
            LabelRecord("opinion", "Opinion", "#1565c0"),
        ),
        exported_at=WHEN,
        exported_by="lead",
        agreement={
            "project": 7,
            "documents": 3,
            "disputes": {"open": 0, "resolved": 1, "withdrawn": 0, "by_kind": {}},
            "alpha": {"value": 0.71, "documents": 3, "units": 420},
            "pooled": {
                "kappa": {"value": 0.64, "documents": 3},
                "span_overlap": {"precision": 0.8, "recall": 0.9, "f1": 0.85, "documents": 3},
            },
            "labels": {
                "sourced": {"alpha": {"value": 0.9, "documents": 3}},
                "unsourced": {"alpha": {"value": -0.2, "documents": 3}},
                "opinion": {},
            },
            "pairs": [{"reviewers": ["alice", EVIL], "documents": 3, "kappa": {"value": 0.6}}],
            "reviewers": [
                {"reviewer": "alice", "documents": 3, "survival": {"value": 0.8, "documents": 3}},
                {"reviewer": EVIL, "documents": 3},
            ],
        },
        base_url=base_url,
    )


def sample_documents() -> list[DocumentRecord]:
    evidence = VerdictEvidence(
        "https://stats.example.org/schools?q=1&r=2", "refutes", f"Stats {EVIL}", "only 12", "alice"
    )
    source_span = _span(11, ENGLISH, "The minister said on Monday", "sourced", source="minister")
    bob_span = _span(12, ENGLISH, "40 schools would close", "unsourced", note=f"odd {EVIL}")
    alice_span = _span(
        13,
        ENGLISH,
        "40 schools would close",
        "sourced",
        source="the minister",
        evidence=(
            EvidenceRecord(evidence.url, "refutes", evidence.title, "only 12", "alice", WHEN),
        ),
    )
    resolution = DecisionRecord(
        id=31,
        kind="resolution",
        lead="lead",
        created_at=WHEN,
        rationale=f"The minister said it {EVIL}; figures say 12.",
        rating="contradicted",
        start=alice_span.start,
        end=alice_span.end,
        label="sourced",
        source="the minister",
        dispute_id=21,
    )
    english = DocumentRecord(
        id=101,
        title="Schools to close",
        text=ENGLISH,
        text_sha256=hashlib.sha256(ENGLISH.encode()).hexdigest(),
        status="accepted",
        source_url="https://news.example.com/schools",
        author="Jane Doe",
        outlet="Daily Example",
        published_on=dt.date(2026, 11, 30),
        created_at=WHEN,
        reviews=(
            ReviewRecord("alice", "submitted", WHEN, WHEN, False, (source_span, alice_span)),
            ReviewRecord("bob", "submitted", WHEN, WHEN, False, (bob_span,)),
        ),
        disputes=(
            DisputeRecord(
                id=21,
                kind="label",
                status="resolved",
                start=alice_span.start,
                end=alice_span.end,
                created_at=WHEN,
                span_ids=(12, 13),
                resolutions=(resolution,),
            ),
        ),
        verdicts=(
            _verdict(101, ENGLISH, "The minister said on Monday", "sourced", source="minister"),
            _verdict(
                101,
                ENGLISH,
                "40 schools would close",
                "sourced",
                source="the minister",
                rating="contradicted",
                rationale=resolution.rationale,
                provenance="resolved",
                decided_by="lead",
                decided_at=WHEN,
                reviewers=(
                    ReviewerVersion(
                        "alice", "sourced", alice_span.start, alice_span.end, "the minister", ""
                    ),
                    ReviewerVersion(
                        "bob", "unsourced", bob_span.start, bob_span.end, "", f"odd {EVIL}"
                    ),
                ),
                evidence=(evidence,),
                dispute_id=21,
                resolution_id=31,
            ),
            _verdict(101, ENGLISH, "Officials never explained why.", "unsourced"),
            _verdict(
                101,
                ENGLISH,
                "This is clearly a disgrace.",
                "opinion",
                rating="",
                rationale="",
            ),
        ),
    )
    arabic = DocumentRecord(
        id=102,
        title="مدارس 🏫",
        text=ARABIC,
        text_sha256=hashlib.sha256(ARABIC.encode()).hexdigest(),
        status="accepted",
        author='=HYPERLINK("http://evil")',
        outlet="+Outlet",
        created_at=WHEN,
        verdicts=(
            _verdict(102, ARABIC, "قال الوزير إن 40 مدرسة ستغلق 🏫", "sourced", source="الوزير"),
            _verdict(102, ARABIC, "👩🏽‍🔬", "opinion"),
            _verdict(
                102,
                ARABIC,
                "=SUM(A1) costs rose 12%",
                "unsourced",
                rating="unverifiable",
                rationale="-no data\r\nat all",
                provenance="resolved",
                decided_by="lead",
                decided_at=WHEN,
                resolution_id=32,
            ),
        ),
    )
    markup = DocumentRecord(
        id=103,
        title=f"Markup {EVIL}",
        text=MARKUP,
        text_sha256=hashlib.sha256(MARKUP.encode()).hexdigest(),
        status="accepted",
        source_url="javascript:alert(1)",
        author=f"{EVIL}",
        outlet="Daily Example",
        created_at=WHEN,
        verdicts=(
            _verdict(
                103,
                MARKUP,
                f"{EVIL} & <b>bold</b> claims",
                "unsourced",
                source="",
                rating="misleading",
                rationale=f"@lead says {EVIL}",
                provenance="resolved",
                decided_by="lead",
                decided_at=WHEN,
                resolution_id=33,
            ),
        ),
    )
    pending = DocumentRecord(
        id=104,
        title="Still in review",
        text="Nothing settled here yet.",
        text_sha256=hashlib.sha256(b"Nothing settled here yet.").hexdigest(),
        status="in_review",
        created_at=WHEN,
    )
    return [english, arabic, markup, pending]


def sample_export(*, scope: str = "project", base_url: str = "") -> Export:
    return Export(
        project=sample_project(base_url=base_url), documents=sample_documents(), scope=scope
    )
