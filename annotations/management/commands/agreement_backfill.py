"""`manage.py agreement_backfill`: settle documents whose reviews were all in before agreement
was computed on submit (they sit at `reviewed`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.models import Project
from annotations.services import agreement_totals_rebuild, agreements_backfill


class Command(BaseCommand):
    help = (
        "Align the reviews of documents left at 'reviewed', open their disputes and move them "
        "to 'accepted' or 'disputed'. Safe to re-run: settled documents are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", help="Only this project (by name).")
        parser.add_argument(
            "--rebuild-totals",
            action="store_true",
            help="Also recompute the projects' running totals from their documents' figures.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = None
        if options["project"]:
            project = Project.objects.filter(name=options["project"]).first()
            if project is None:
                raise CommandError(f"No project named {options['project']!r}.")
        settled = agreements_backfill(project=project)
        self.stdout.write(f"Settled {settled} document(s).")
        if options["rebuild_totals"]:
            projects = [project] if project is not None else list(Project.objects.order_by("id"))
            for each in projects:
                agreement_totals_rebuild(project=each)
            self.stdout.write(f"Rebuilt the running totals of {len(projects)} project(s).")
