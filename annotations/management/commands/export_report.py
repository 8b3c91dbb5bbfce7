"""`manage.py export_report --project NAME --format F [--document ID] [--output FILE]`."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from annotations.exceptions import InvalidInput
from annotations.exports import FORMATS
from annotations.models import Project
from annotations.selectors.exports import (
    ExportFilters,
    export_build,
    export_documents,
    export_filters_check,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc


def _peak_memory_mb() -> float | None:
    """This process's peak resident memory (Linux), which the bench reads from our output."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


class Command(BaseCommand):
    help = (
        "Export a project's (or one document's) final verdicts as "
        + ", ".join(FORMATS)
        + ". Writes to FILE, or to standard output with '-' (the default); the progress bar "
        "goes to standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, help="Name of the project.")
        parser.add_argument(
            "--format",
            required=True,
            choices=sorted(FORMATS),
            help="; ".join(f"{name}: {fmt.description}" for name, fmt in FORMATS.items()),
        )
        parser.add_argument("--document", type=int, metavar="ID", help="Only this document.")
        parser.add_argument(
            "--output", default="-", metavar="FILE", help="Where to write ('-' for stdout)."
        )
        parser.add_argument("--status", default="", help="Only documents in this status.")
        parser.add_argument("--label", default="", help="Only final spans with this label.")
        parser.add_argument(
            "--published-from", type=_date, metavar="DATE", help="Published on or after."
        )
        parser.add_argument(
            "--published-to", type=_date, metavar="DATE", help="Published on or before."
        )
        parser.add_argument(
            "--base-url", default="", help="Where links in the export point, e.g. https://desk."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show a progress bar."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(f"Project {options['project']!r} does not exist.")
        filters = ExportFilters(
            status=options["status"],
            label=options["label"],
            published_from=options["published_from"],
            published_to=options["published_to"],
            document_ids=(options["document"],) if options["document"] is not None else (),
        )
        try:
            export_filters_check(project=project, filters=filters)
        except InvalidInput as exc:
            raise CommandError(
                "; ".join(f"--{k.replace('_', '-')}: {', '.join(v)}" for k, v in exc.fields.items())
            ) from exc
        documents = export_documents(project=project, filters=filters)
        total = documents.count()
        if options["document"] is not None and total == 0:
            raise CommandError(f"Project {project.name!r} has no document {options['document']}.")
        fmt = FORMATS[options["format"]]
        show = not options["no_progress"] and options["verbosity"] > 0
        output: str = options["output"]
        started = time.perf_counter()
        with tqdm(
            total=total, desc=f"Exporting {fmt.name}", unit=" doc", disable=not show,
            file=sys.stderr,
        ) as bar:  # fmt: skip

            def advance() -> None:
                bar.update(1)

            export = export_build(
                project=project,
                filters=filters,
                base_url=options["base_url"],
                on_document=advance,
                history=fmt.history,
            )
            if output == "-":
                for chunk in fmt.write(export):
                    self.stdout.write(chunk, ending="")
            else:
                path = Path(output)
                partial = path.with_name(path.name + ".partial")
                try:
                    with partial.open("w", encoding="utf-8", newline="") as handle:
                        handle.writelines(fmt.write(export))
                    partial.replace(path)
                except OSError as exc:
                    partial.unlink(missing_ok=True)
                    raise CommandError(f"Cannot write {output}: {exc.strerror}") from exc
        if output != "-":
            elapsed = time.perf_counter() - started
            peak = _peak_memory_mb()
            self.stderr.write(
                f"Wrote {total} document(s) as {fmt.name} to {output} in {elapsed:.2f} s"
                + (f" (peak memory {peak:.0f} MB)." if peak is not None else ".")
            )
