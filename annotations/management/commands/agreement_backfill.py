"""`manage.py agreement_backfill`: settle documents whose reviews were all in before agreement
was computed on submit (they sit at `reviewed`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.models import Project
from annotations.services import agreements_backfill


class Command(BaseCommand):
    help = (
        "Align the reviews of documents left at 'reviewed', open their disputes and move them "
        "to 'accepted' or 'disputed'. Safe to re-run: settled documents are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", help="Only this project (by name).")

    def handle(self, *args: Any, **options: Any) -> None:
        project = None
        if options["project"]:
            project = Project.objects.filter(name=options["project"]).first()
            if project is None:
                raise CommandError(f"No project named {options['project']!r}.")
        settled = agreements_backfill(project=project)
        self.stdout.write(f"Settled {settled} document(s).")
