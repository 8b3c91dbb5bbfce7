"""Pre-annotation figures: evaluation against the gold sets, engine speed, end-to-end speed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench.corpus import generated_documents, generated_text
from bench.imports import start_celery, stop_celery

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
Row = tuple[str, str, str]

# (name, texts folder, gold folder, sentences file, zones file, what the figure means)
GOLD_SETS = (
    ("seeds", ROOT / "seeds", DATA, "eval_sentences.jsonl", "eval_zones.json",
     "in-sample: the rules were tuned on it"),
    ("held-out 1", DATA / "heldout", DATA / "heldout", "sentences.jsonl", "zones.json",
     "development set: rules were tuned on it (engine 1.1)"),
    ("held-out 2", DATA / "heldout2", DATA / "heldout2", "sentences.jsonl", "zones.json",
     "development set: rules were tuned on it (engine 1.2)"),
    ("held-out 3", DATA / "heldout3", DATA / "heldout3", "sentences.jsonl", "zones.json",
     "development set: rules were tuned on it (engine 1.3)"),
    ("held-out 4", DATA / "heldout4", DATA / "heldout4", "sentences.jsonl", "zones.json",
     "clean test: never used for tuning; new page shapes"),
)  # fmt: skip


def bench_quality() -> list[Row]:
    """Precision, recall and F1 per label and for zones on each hand-labelled set."""
    from annotations.preannotation.evaluation import evaluate

    rows: list[Row] = []
    for name, texts, gold, sentences, zones, meaning in GOLD_SETS:
        if not (gold / sentences).exists():
            rows.append((f"quality {name}", "(set not present)", ""))
            continue
        report = evaluate(texts, gold, sentences_file=sentences, zones_file=zones)
        rows.append((f"quality {name}", f"{report.sentences} sentences; {meaning}", ""))
        for label, score in report.labels.items():
            rows.append(
                (
                    f"quality {name}",
                    f"{label} P/R/F1",
                    f"{score.precision:.2f} / {score.recall:.2f} / {score.f1:.2f}",
                )
            )
        total = report.zone_total()
        rows.append(
            (
                f"quality {name}",
                "zones P/R/F1",
                f"{total.precision:.2f} / {total.recall:.2f} / {total.f1:.2f}",
            )
        )
    return rows


def bench_engine(megabytes: float) -> list[Row]:
    """Engine throughput in one process, on the seeds and on a generated corpus."""
    from annotations.preannotation.evaluation import throughput

    seeds = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    corpus = generated_text(megabytes)
    size = sum(len(t.encode("utf-8")) for t in corpus) / 1e6
    on_seeds, on_corpus = throughput(seeds, repeat=5), throughput(corpus)
    return [
        ("engine", "seed corpus (100 KB, 5 passes), 1 process", f"{on_seeds:.2f} MB/s"),
        ("engine", f"generated corpus ({size:.1f} MB), 1 process", f"{on_corpus:.2f} MB/s"),
    ]


def bench_end_to_end(documents: int, database_url: str, redis_url: str) -> list[Row]:
    """Import `documents` and wait for real Celery workers (2 processes) to pre-annotate them."""
    from annotations.importing import ParsedDocument
    from annotations.models import PreannotationItem, RunState
    from annotations.services import documents_import, project_create

    queue = f"factcheck-bench-{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "LOG_LEVEL": "WARNING",
    }
    worker = start_celery(env)
    try:
        from factcheck.celery import app

        app.conf.task_default_queue = queue
        parsed = [
            ParsedDocument(origin=f"bench:{n}", title=title, text=text)
            for n, (title, text) in enumerate(generated_documents(documents, seed=99))
        ]
        size = sum(len(p.text.encode("utf-8")) for p in parsed) / 1e6
        project = project_create(name=f"bench e2e {time.time_ns()}")
        time.sleep(3)  # let the worker connect before the clock starts
        started = time.perf_counter()
        documents_import(project=project, items=parsed)
        pending = PreannotationItem.objects.filter(run__project=project).exclude(
            state__in=[RunState.DONE, RunState.FAILED]
        )
        deadline = time.monotonic() + 900
        while pending.exists():
            if time.monotonic() > deadline:
                raise RuntimeError("end-to-end pre-annotation did not finish in 15 minutes")
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        failed = PreannotationItem.objects.filter(
            run__project=project, state=RunState.FAILED
        ).count()
    finally:
        stop_celery(worker)
    return [
        ("end to end", f"{documents} docs ({size:.1f} MB) import -> 2 Celery workers -> stored",
         f"{elapsed:.1f} s"),
        ("end to end", "throughput", f"{documents / elapsed:.0f} docs/s, {size / elapsed:.2f} MB/s"
         + (f" ({failed} failed)" if failed else "")),
    ]  # fmt: skip
