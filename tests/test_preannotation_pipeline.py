"""The pre-annotation pipeline through the database: import, run, idempotency, failure."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from annotations import preannotation as engine
from annotations.importing import read_paths
from annotations.models import (
    AssignmentState,
    Document,
    DocumentStatus,
    PreannotationItem,
    PreannotationRun,
    RunState,
    Span,
    Suggestion,
    Zone,
)
from annotations.services import (
    documents_import,
    preannotation_items_fail,
    preannotation_request,
    preannotation_run_items,
)
from tests.conftest import SEEDS
from tests.factories import AssignmentFactory, DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db


def engine_rows(document: Document) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    zones = list(
        Zone.objects.filter(document=document)
        .order_by("start", "end", "kind")
        .values_list("kind", "start", "end")
    )
    suggestions = list(
        Suggestion.objects.filter(document=document)
        .order_by("start", "end", "label")
        .values_list("label", "start", "end", "source_name", "reason")
    )
    return zones, suggestions


def import_seeds(project: Any) -> list[Document]:
    return documents_import(project=project, items=read_paths([SEEDS], max_bytes=5 << 20)).imported


def test_import_holds_documents_back_and_sends_the_run_only_after_commit(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        documents = import_seeds(project)
    assert len(callbacks) == 1
    assert {d.status for d in Document.objects.all()} == {DocumentStatus.PREANNOTATING}
    run = PreannotationRun.objects.get()
    assert (run.state, run.documents_total, run.documents_done) == (RunState.QUEUED, 5, 0)
    assert not Suggestion.objects.exists()

    callbacks[0]()
    run.refresh_from_db()
    assert (run.state, run.documents_done, run.progress) == (RunState.DONE, 5, 1.0)
    assert {d.status for d in Document.objects.all()} == {DocumentStatus.READY}
    assert all(Suggestion.objects.filter(document=d).exists() for d in documents)


@pytest.mark.parametrize("seed", sorted(p.name for p in SEEDS.glob("*.txt")))
def test_each_seed_gets_zones_and_suggestions_with_exact_offsets(
    seed: str, project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [document] = documents_import(
            project=project, items=read_paths([SEEDS / seed], max_bytes=5 << 20)
        ).imported
    text = Document.objects.get(pk=document.pk).text
    zones = Zone.objects.filter(document=document)
    assert zones.filter(kind="article").exists()
    assert zones.filter(kind="body").exists()
    labels = set(Suggestion.objects.filter(document=document).values_list("label", flat=True))
    assert labels == {"sourced", "unsourced", "opinion"}
    for suggestion in Suggestion.objects.filter(document=document):
        quoted = text[suggestion.start : suggestion.end]
        assert quoted, suggestion
        assert quoted == quoted.strip(), suggestion
        assert suggestion.reason
        assert suggestion.engine == engine.ENGINE_NAME
        assert suggestion.engine_version == engine.ENGINE_VERSION
        assert 0 <= suggestion.confidence <= 1
    # What is stored is exactly what the engine says about the stored text.
    analysis = engine.analyse(text)
    assert len(analysis.suggestions) == Suggestion.objects.filter(document=document).count()
    assert len(analysis.zones) == zones.count()


def test_structure_zones_of_the_seed_corpus(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        documents = {d.metadata["origin"].rsplit("/", 1)[-1][:3]: d for d in import_seeds(project)}
    kinds = {
        key: list(Zone.objects.filter(document=d).values_list("kind", flat=True))
        for key, d in documents.items()
    }
    assert "comments" in kinds["000"]
    assert "caption" in kinds["001"]
    assert kinds["002"].count("article") >= 8
    assert "boilerplate" in kinds["003"]
    compilation = Zone.objects.filter(document=documents["002"], kind="article")
    assert all(zone.metadata.get("title") for zone in compilation)


def test_a_forced_rerun_leaves_every_span_of_a_submitted_review_exactly_as_it_was(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    from django.core.management import call_command
    from django.forms.models import model_to_dict

    with django_capture_on_commit_callbacks(execute=True):
        [document, *_] = import_seeds(project)
    before = engine_rows(document)
    accepted, other = Suggestion.objects.filter(document=document).order_by("id")[:2]
    assignment = AssignmentFactory(
        document=document, state=AssignmentState.SUBMITTED, submitted_at=timezone.now()
    )
    spans = [
        SpanFactory(
            assignment=assignment,
            start=suggestion.start,
            end=suggestion.end,
            quote=document.text[suggestion.start : suggestion.end],
            label=suggestion.label,
            suggestion=suggestion,
        )
        for suggestion in (accepted, other)
    ]
    # One accepted suggestion is from an older engine version that said something else: the
    # re-run's output no longer holds it, and it must stay for the span all the same.
    Suggestion.objects.filter(pk=other.pk).update(label="opinion", engine_version="0.9")
    snapshot = [model_to_dict(span) | {"updated_at": span.updated_at} for span in spans]

    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "preannotate",
            "--project",
            project.name,
            "--document",
            str(document.pk),
            "--force",
            "--no-wait",
        )
    run = PreannotationRun.objects.order_by("-id").first()
    assert (run.state, run.force) == (RunState.DONE, True)
    for span, was in zip(spans, snapshot, strict=True):
        span.refresh_from_db()
        assert model_to_dict(span) | {"updated_at": span.updated_at} == was
    kept = Suggestion.objects.get(pk=other.pk)
    assert (kept.label, kept.engine_version) == ("opinion", "0.9")
    assert Suggestion.objects.filter(pk=accepted.pk).exists()
    # The output is the new run's, once: the suggestion identical to the accepted one is the
    # accepted row itself, not a second copy; the kept older one is the only extra row.
    zones, suggestions = engine_rows(document)
    assert zones == before[0]
    kept_row = (kept.label, kept.start, kept.end, kept.source_name, kept.reason)
    assert sorted(suggestions) == sorted([*before[1], kept_row])
    assert Span.objects.count() == 2
    # A document in review keeps its status while it is re-annotated.
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.READY


def test_a_repeated_delivery_of_a_finished_item_does_nothing(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        [document, *_] = import_seeds(project)
    item = PreannotationItem.objects.get(document=document)
    rows = engine_rows(document)
    assert preannotation_run_items(item_ids=[item.pk]) == 0
    assert preannotation_run_items(item_ids=[10**9]) == 0
    assert engine_rows(document) == rows
    run = item.run
    run.refresh_from_db()
    assert run.documents_done == run.documents_total == 5


def test_without_force_a_rerun_skips_documents_this_version_already_annotated(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        documents = import_seeds(project)
    ids_before = set(Suggestion.objects.values_list("id", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        run = preannotation_request(project=project)
    run.refresh_from_db()
    assert (run.state, run.documents_done, run.documents_total) == (
        RunState.DONE,
        5,
        len(documents),
    )
    assert set(Suggestion.objects.values_list("id", flat=True)) == ids_before


def test_a_failed_item_keeps_its_error_and_releases_the_document(project: Any) -> None:
    document = DocumentFactory(project=project, status=DocumentStatus.READY)
    run = preannotation_request(project=project, documents=[document])
    item = run.items.get()
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.PREANNOTATING
    preannotation_items_fail(item_ids=[item.pk], error="SoftTimeLimitExceeded: took too long")
    run.refresh_from_db()
    item.refresh_from_db()
    assert (item.state, item.error) == (RunState.FAILED, "SoftTimeLimitExceeded: took too long")
    assert (run.state, run.documents_failed) == (RunState.FAILED, 1)
    assert "took too long" in run.error
    assert run.finished_at is not None
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.READY


def test_requesting_documents_of_another_project_is_refused(project: Any) -> None:
    from annotations.exceptions import InvalidInput

    stranger = DocumentFactory()
    with pytest.raises(InvalidInput, match="not in project"):
        preannotation_request(project=project, documents=[stranger])
    with pytest.raises(InvalidInput, match="at least one document"):
        preannotation_request(project=project, documents=[])
    assert not PreannotationRun.objects.exists()


def test_preannotate_command_reruns_a_project_and_reports_the_run(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    with django_capture_on_commit_callbacks(execute=True):
        documents = import_seeds(project)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "preannotate",
            "--project",
            project.name,
            "--document",
            str(documents[0].pk),
            "--force",
            "--no-wait",
            stdout=out,
        )
    assert "1 document(s) queued for factcheck-rules" in out.getvalue()
    run = PreannotationRun.objects.order_by("-id").first()
    assert (run.state, run.documents_done, run.force) == (RunState.DONE, 1, True)
    with pytest.raises(CommandError, match=r"No document\(s\) \[999999\]"):
        call_command("preannotate", "--project", project.name, "--document", "999999")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("preannotate", "--project", "Nowhere")


def test_admin_action_reruns_the_selected_documents(
    client: Any, superuser: Any, project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        documents = import_seeds(project)
    client.force_login(superuser)
    changelist = client.get(reverse("admin:annotations_document_changelist"))
    assert b"Done" in changelist.content  # the pre-annotation column
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:annotations_document_changelist"),
            {"action": "preannotate_documents", "_selected_action": [d.pk for d in documents[:2]]},
        )
    assert response.status_code == 302
    run = PreannotationRun.objects.order_by("-id").first()
    assert (run.documents_total, run.state, run.requested_by) == (2, RunState.DONE, superuser)
    # A background job started the run and finished with it.
    assert (run.job.kind, run.job.state, run.job.progress_done) == ("preannotate", "done", 2)

    # The project-wide action, too, is a job rather than work in the request.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:annotations_project_changelist"),
            {"action": "preannotate_projects", "_selected_action": [project.pk]},
        )
    run = PreannotationRun.objects.order_by("-id").first()
    assert (run.documents_total, run.state, run.job.state) == (5, RunState.DONE, "done")


def test_structure_fills_a_guessed_title_and_blank_byline_fields_and_audits_it(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    import datetime as dt

    from annotations.models import AuditEvent

    with django_capture_on_commit_callbacks(execute=True):
        imported = import_seeds(project)
    by_seed = {d.metadata["origin"].rsplit("/", 1)[-1][:3]: d.pk for d in imported}
    chrome_titled = Document.objects.get(pk=by_seed["003"])
    # Import took the first line, page chrome; the engine found the headline under it.
    assert chrome_titled.title == "ISIS, US, HSD and Al-Qaeda: the Anti-Syrian Coalition"
    assert chrome_titled.author == "Paul Mansfield"
    single = Document.objects.get(pk=by_seed["004"])
    assert (single.author, single.outlet, single.published_on) == (
        "Claire Bernish",
        "Antimedia",
        dt.date(2016, 2, 12),
    )
    # A compilation's first byline is not the page's.
    compilation = Document.objects.get(pk=by_seed["002"])
    assert (compilation.author, compilation.outlet, compilation.published_on) == ("", "", None)
    assert compilation.title == "Ukraine\u2019s survival hangs in the balance"
    event = AuditEvent.objects.get(
        action="document.metadata_from_structure", entity_id=chrome_titled.pk
    )
    assert (event.before or {})["title"] == "Menu Close"
    assert event.actor is None


def test_structure_never_overwrites_what_the_importer_was_given(
    project: Any, django_capture_on_commit_callbacks: Any, eager: None
) -> None:
    import json

    from annotations.importing import parse_bytes

    text = (SEEDS / "004_9d5a950fd5bf1e8b.txt").read_text(encoding="utf-8")
    record = json.dumps({"title": "Given title", "text": text, "author": "Desk editor"})
    with django_capture_on_commit_callbacks(execute=True):
        [document] = documents_import(
            project=project, items=parse_bytes("given.json", record.encode(), max_bytes=5 << 20)
        ).imported
    stored = Document.objects.get(pk=document.pk)
    assert (stored.title, stored.author) == ("Given title", "Desk editor")
    assert stored.outlet == "Antimedia"  # blank before, so filled


def test_a_document_the_engine_fails_on_fails_alone_and_its_batch_is_stored(
    project: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from annotations.services import preannotation as service

    good = DocumentFactory(project=project, status=DocumentStatus.READY)
    bad = DocumentFactory(project=project, status=DocumentStatus.READY, text="POISON. Text.")
    real_analyse = engine.analyse

    def analyse(text: str) -> engine.Analysis:
        # Our own engine stands in for a bug on one input; database and broker stay real.
        if text.startswith("POISON"):
            raise ValueError("cannot read this text")
        return real_analyse(text)

    monkeypatch.setattr(service.engine, "analyse", analyse)
    run = preannotation_request(project=project, documents=[good, bad])
    items = {item.document_id: item for item in run.items.all()}
    assert preannotation_run_items(item_ids=[i.pk for i in items.values()]) == 1
    run.refresh_from_db()
    assert (run.state, run.documents_done, run.documents_failed) == (RunState.DONE, 1, 1)
    assert "ValueError: cannot read this text" in run.error
    assert PreannotationItem.objects.get(pk=items[bad.pk].pk).state == RunState.FAILED
    assert Suggestion.objects.filter(document=good).exists()
    assert not Suggestion.objects.filter(document=bad).exists()
    assert set(Document.objects.values_list("status", flat=True)) == {DocumentStatus.READY}


def test_a_document_queued_twice_in_one_batch_is_stored_once(project: Any) -> None:
    document = DocumentFactory(project=project, status=DocumentStatus.READY)
    first = preannotation_request(project=project, documents=[document], force=True)
    second = preannotation_request(project=project, documents=[document], force=True)
    item_ids = [first.items.get().pk, second.items.get().pk]
    assert preannotation_run_items(item_ids=item_ids) == 1
    expected = engine.analyse(document.text)
    assert Suggestion.objects.filter(document=document).count() == len(expected.suggestions)
    assert Zone.objects.filter(document=document).count() == len(expected.zones)
    for run in (first, second):
        run.refresh_from_db()
        assert (run.state, run.documents_done) == (RunState.DONE, 1)


def test_batches_are_cut_by_bytes_and_a_large_document_goes_alone(project: Any) -> None:
    from annotations.services.preannotation import BATCH_BYTES, BATCH_SIZE, _batches

    sizes = [1000] * 25 + [BATCH_BYTES + 1] + [BATCH_BYTES // 3] * 4 + [1000] * 3
    documents = [
        DocumentFactory(project=project, text=f"{n} " + "é" * ((size - len(f"{n} ")) // 2))
        for n, size in enumerate(sizes)
    ]
    run = preannotation_request(project=project, documents=documents)
    items = list(run.items.order_by("pk").values_list("pk", flat=True))
    batches = _batches(items)
    # Sizes are bytes of UTF-8 (each é is two), not characters.
    assert [len(batch) for batch in batches] == [BATCH_SIZE, 5, 1, 3, 4]
    assert batches[2] == [items[25]]
    assert [item for batch in batches for item in batch] == items
