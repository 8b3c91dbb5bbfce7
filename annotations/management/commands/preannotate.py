"""`manage.py preannotate --project NAME [--document ID ...] [--force] [--no-wait]`."""

from __future__ import annotations

import sys
import time
from typing import Any

from celery.signals import task_postrun
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotations.exceptions import InvalidInput
from annotations.models import PreannotationRun, Project, RunState
from annotations.services import preannotation_request


class Command(BaseCommand):
    help = (
        "Pre-annotate a project's documents (or the given ones) in the background workers, "
        "showing progress. Without --force, documents this engine version has already "
        "annotated are skipped. Reviewers' spans are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="Name of the project.")
        parser.add_argument(
            "--document",
            type=int,
            action="append",
            dest="documents",
            metavar="ID",
            help="Only this document (repeatable).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Re-run documents this engine version has already annotated.",
        )
        parser.add_argument(
            "--no-wait",
            action="store_true",
            help="Queue the run and return without waiting for the workers.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(f"Project {options['project']!r} does not exist.")
        documents = None
        if options["documents"]:
            wanted = set(options["documents"])
            documents = list(
                project.documents.filter(pk__in=wanted).only("id", "project_id", "status")
            )
            missing = sorted(wanted - {d.pk for d in documents})
            if missing:
                raise CommandError(f"No document(s) {missing} in project {project.name!r}.")
        show = not options["no_progress"] and options["verbosity"] > 0
        started = time.monotonic()
        with tqdm(desc="Pre-annotating", unit=" doc", disable=not show, file=sys.stderr) as bar:
            # In-process Celery runs every task inside preannotation_request: follow the run
            # after each task, or nothing shows until the end (then with an impossible rate).
            def after_task(**_: Any) -> None:
                latest = project.preannotation_runs.order_by("-id").first()
                if latest is not None:
                    self._advance(bar, latest)

            eager = settings.CELERY_TASK_ALWAYS_EAGER and not options["no_wait"]
            if eager:
                task_postrun.connect(after_task, weak=False)
            try:
                run = preannotation_request(
                    project=project, documents=documents, force=options["force"]
                )
            except InvalidInput as error:
                raise CommandError(error.message) from error
            finally:
                if eager:
                    task_postrun.disconnect(after_task)
            with bar.external_write_mode():
                self.stdout.write(
                    f"Run #{run.pk}: {run.documents_total} document(s) queued for "
                    f"{run.engine} {run.engine_version}."
                )
            if options["no_wait"]:
                return
            if not settings.CELERY_TASK_ALWAYS_EAGER:
                with bar.external_write_mode():
                    self.stdout.write(
                        "Waiting for the workers (Ctrl-C stops waiting; the run goes on)."
                    )
            self._follow(run, bar)
        elapsed = max(time.monotonic() - started, 1e-6)
        finished = run.documents_done + run.documents_failed
        summary = (
            f"Run #{run.pk} {run.state}: {run.documents_done} done, {run.documents_failed} failed; "
            f"{finished} document(s) in {elapsed:.2f} s ({finished / elapsed:.1f} documents/s)."
        )
        if run.state == RunState.FAILED or run.documents_failed:
            raise CommandError(f"{summary} {run.error}")
        self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _advance(bar: tqdm[Any], run: PreannotationRun) -> None:
        """Move the bar to the run's count with update(), so tqdm's rate stays true."""
        bar.total = run.documents_total
        finished = run.documents_done + run.documents_failed
        if finished > bar.n:
            bar.update(finished - bar.n)
        # Drawn every time: tqdm skips redraws within 0.1 s, and in-process documents of a
        # small run all finish inside that, so the bar would jump from 0 to the end.
        bar.refresh()

    def _follow(self, run: PreannotationRun, bar: tqdm[Any]) -> None:
        while True:
            run.refresh_from_db()
            self._advance(bar, run)
            if run.state in (RunState.DONE, RunState.FAILED):
                return
            time.sleep(0.5)
