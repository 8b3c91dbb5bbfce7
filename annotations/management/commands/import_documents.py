"""`manage.py import_documents PATH... --project NAME [--create-project]`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotations.importing import SUPPORTED_SUFFIXES, ImportItem, count_items, read_paths
from annotations.models import Project
from annotations.services import documents_import, project_get_or_create


class Command(BaseCommand):
    help = (
        "Import documents (" + ", ".join(SUPPORTED_SUFFIXES) + ") from files or folders into a "
        "project. Duplicates are reported and skipped; bad files are refused with the reason "
        "while the rest import. Exits with status 1 if anything was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="Files or folders (searched recursively)."
        )
        parser.add_argument("--project", required=True, help="Name of the project to import into.")
        parser.add_argument(
            "--create-project", action="store_true", help="Create the project if it does not exist."
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.FACTCHECK_IMPORT_MAX_BYTES,
            help="Largest document accepted, in bytes (default %(default)s).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["project"].strip()
        if not name:
            raise CommandError("--project must name a project.")
        if options["max_bytes"] < 1:
            raise CommandError("--max-bytes must be a positive number of bytes.")
        if options["create_project"]:
            project, created = project_get_or_create(name=name)
            if created:
                self.stdout.write(f"Created project {name!r}.")
        else:
            project_or_none = Project.objects.filter(name=name).first()
            if project_or_none is None:
                raise CommandError(
                    f"Project {name!r} does not exist; pass --create-project to create it."
                )
            project = project_or_none

        items = read_paths(options["paths"], max_bytes=options["max_bytes"])
        show_progress = not options["no_progress"] and options["verbosity"] > 0
        total = (
            count_items(options["paths"], max_bytes=options["max_bytes"]) if show_progress else None
        )
        with tqdm(
            total=total, desc="Importing", unit=" doc", disable=not show_progress, file=sys.stderr
        ) as bar:

            def advance(_: ImportItem) -> None:
                bar.update(1)

            report = documents_import(project=project, items=items, on_progress=advance)

        for duplicate in report.duplicates:
            self.stdout.write(
                f"duplicate: {duplicate.origin} (same text as document "
                f"#{duplicate.existing_document_id}); skipped"
            )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        for refusal in report.refused:
            self.stderr.write(self.style.ERROR(f"refused: {refusal.origin}: {refusal.reason}"))
        self.stdout.write(self.style.SUCCESS(f"Project {project.name!r}: {report.summary()}."))
        if report.refused:
            raise CommandError(
                f"{len(report.refused)} input(s) refused; the rest were imported.", returncode=1
            )
