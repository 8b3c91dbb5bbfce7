"""Importing documents into a project: one service for the CLI, the REST API and the admin."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from annotations.importing import ImportItem, ParsedDocument, Refusal
from annotations.models import Document, DocumentStatus, Job, Project, Suggestion
from annotations.services.audit import audit_record_many
from annotations.services.bulk import bulk_insert
from annotations.services.preannotation import preannotation_request

IMPORT_BATCH_SIZE = 500
IMPORT_ENGINE_VERSION = "1"  # of the suggestions an annotated export brings in


@dataclass(frozen=True)
class Duplicate:
    """An input whose text is already in the project, and the document that holds it."""

    origin: str
    existing_document_id: int


@dataclass
class ImportReport:
    """What an import did: never silent about what it skipped or refused."""

    imported: list[Document] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.imported)} imported, {len(self.duplicates)} duplicate(s) skipped, "
            f"{len(self.refused)} refused"
        )


def documents_import(
    *,
    project: Project,
    items: Iterable[ImportItem],
    imported_by: User | None = None,
    on_progress: Callable[[ImportItem], None] | None = None,
    batch_size: int = IMPORT_BATCH_SIZE,
    job: Job | None = None,
) -> ImportReport:
    """Store parsed documents in `project`, skipping duplicates and collecting refusals.

    Duplicates are texts whose SHA-256 is already in the project (or earlier in this import);
    they are reported with the existing document's id, never re-imported. Each batch is its own
    short transaction, so a long import holds no lock for long and a failure loses at most the
    batch being written. Each batch's documents get a pre-annotation run in the same
    transaction, sent to the workers after commit, counted in `job`'s pre-annotation progress
    when an import job is given. Writes one audit row per imported document. On PostgreSQL the
    documents are written with COPY (`bulk_insert`); texts are hashed when parsed, before any
    transaction opens.
    """
    report = ImportReport()
    batch: list[ParsedDocument] = []
    for item in items:
        if isinstance(item, Refusal):
            report.refused.append(item)
        else:
            report.warnings.extend(f"{item.origin}: {warning}" for warning in item.warnings)
            batch.append(item)
            if len(batch) >= batch_size:
                _import_batch(project, batch, imported_by, report, job)
                batch = []
        if on_progress is not None:
            on_progress(item)
    if batch:
        _import_batch(project, batch, imported_by, report, job)
    return report


def _import_batch(
    project: Project,
    batch: list[ParsedDocument],
    imported_by: User | None,
    report: ImportReport,
    job: Job | None,
) -> None:
    hashes = {parsed.sha256 for parsed in batch}
    known = dict(
        Document.objects.filter(project=project, text_sha256__in=hashes).values_list(
            "text_sha256", "id"
        )
    )
    fresh: list[tuple[ParsedDocument, Document]] = []
    # Same text twice in one import: the first one is imported, later ones are duplicates of it.
    repeats: list[tuple[str, str]] = []
    fresh_hashes: set[str] = set()
    for parsed in batch:
        digest = parsed.sha256
        if digest in known:
            report.duplicates.append(Duplicate(parsed.origin, known[digest]))
        elif digest in fresh_hashes:
            repeats.append((parsed.origin, digest))
        else:
            fresh_hashes.add(digest)
            fresh.append((parsed, _document_from(project, parsed, imported_by)))
    try:
        with transaction.atomic():
            created = bulk_insert([document for _, document in fresh])
            _suggestions_create(fresh)
            audit_record_many(
                actor=imported_by, action="document.imported", entities=created, project=project
            )
            if created:
                preannotation_request(
                    project=project, documents=created, requested_by=imported_by, import_job=job
                )
    except IntegrityError:
        # Another import added some of these texts since we looked: fall back to one row at a
        # time so that only the real duplicates are skipped.
        created = _import_one_by_one(project, fresh, imported_by, report)
        if created:
            preannotation_request(
                project=project, documents=created, requested_by=imported_by, import_job=job
            )
    report.imported.extend(created)
    ids = {document.text_sha256: document.pk for document in created}
    report.duplicates.extend(
        Duplicate(origin, ids[digest]) for origin, digest in repeats if digest in ids
    )


def _import_one_by_one(
    project: Project,
    fresh: list[tuple[ParsedDocument, Document]],
    imported_by: User | None,
    report: ImportReport,
) -> list[Document]:
    created: list[Document] = []
    for parsed, document in fresh:
        try:
            with transaction.atomic():
                document.save()
                _suggestions_create([(parsed, document)])
                audit_record_many(
                    actor=imported_by,
                    action="document.imported",
                    entities=[document],
                    project=project,
                )
            created.append(document)
        except IntegrityError:
            existing = Document.objects.get(project=project, text_sha256=parsed.sha256)
            report.duplicates.append(Duplicate(parsed.origin, existing.pk))
    return created


def _suggestions_create(pairs: list[tuple[ParsedDocument, Document]]) -> None:
    """Store the spans an annotated export brought with its documents, as suggestions.

    Precondition: inside the transaction that created the documents (they have their ids).
    """
    Suggestion.objects.bulk_create(
        Suggestion(
            document=document,
            engine=span.engine,
            engine_version=IMPORT_ENGINE_VERSION,
            start=span.start,
            end=span.end,
            label=span.label,
            reason=span.reason,
            confidence=span.confidence,
            source_name=span.source,
        )
        for parsed, document in pairs
        for span in parsed.suggestions
    )


def _document_from(project: Project, parsed: ParsedDocument, imported_by: User | None) -> Document:
    return Document(
        project=project,
        title=parsed.title or "(untitled)",
        source_url=parsed.source_url,
        author=parsed.author,
        outlet=parsed.outlet,
        published_on=parsed.published_on,
        text=parsed.text,
        text_sha256=parsed.sha256,
        # Held back from the queue until pre-annotation has run (or failed).
        status=DocumentStatus.PREANNOTATING,
        metadata={
            "origin": parsed.origin,
            **parsed.metadata,
            # Lets pre-annotation replace a guessed title with the headline it finds.
            **({"title_from_first_line": True} if parsed.title_from_first_line else {}),
        },
        imported_by=imported_by,
    )
