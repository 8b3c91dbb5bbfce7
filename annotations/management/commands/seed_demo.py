"""`manage.py seed_demo`: the demo project, its users and the seed corpus; safe to re-run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.importing import read_paths
from annotations.models import Role
from annotations.services import documents_import, membership_set, project_get_or_create

DEMO_PROJECT = "Demo: seed corpus"
DEMO_USERS: tuple[tuple[str, str, bool], ...] = (
    ("admin", Role.ADMIN, True),
    ("lead", Role.LEAD, False),
    ("reviewer1", Role.REVIEWER, False),
    ("reviewer2", Role.REVIEWER, False),
)
PASSWORD_VARIABLE = "FACTCHECK_DEMO_PASSWORD"  # noqa: S105 - the variable's name, not a password


class Command(BaseCommand):
    help = (
        "Create the demo project from seeds/, the users admin, lead, reviewer1 and reviewer2, "
        "and import the seed documents. Idempotent: re-running changes nothing that exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seeds",
            type=Path,
            default=Path(settings.BASE_DIR) / "seeds",
            help="Folder of seed documents (default: the project's seeds/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seeds: Path = options["seeds"]
        if not seeds.is_dir():
            raise CommandError(f"No seed folder at {seeds}.")
        project, _ = project_get_or_create(name=DEMO_PROJECT)
        user_model = get_user_model()
        existing = set(
            user_model.objects.filter(username__in=[u for u, _, _ in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        # Only a run that creates users needs (and may generate) a password.
        password, generated = self._password() if len(existing) < len(DEMO_USERS) else ("", False)
        new_users: list[str] = []
        for username, role, is_superuser in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                create = (
                    user_model.objects.create_superuser
                    if is_superuser
                    else user_model.objects.create_user
                )
                user = create(username=username, password=password, email=f"{username}@example.org")
                new_users.append(username)
            membership_set(project=project, user=user, role=role)

        report = documents_import(
            project=project,
            items=read_paths([seeds], max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES),
        )
        self.stdout.write(f"Project {project.name!r}: {report.summary()}.")
        for refusal in report.refused:
            self.stderr.write(self.style.ERROR(f"refused: {refusal.origin}: {refusal.reason}"))
        if new_users:
            where = (
                f" (also saved as {PASSWORD_VARIABLE} in .env)"
                if generated and not settings.PRODUCTION
                else ""
            )
            shown = password if generated else f"set in {PASSWORD_VARIABLE}"
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created users {', '.join(new_users)} with password {shown}{where}."
                )
            )
        else:
            self.stdout.write(
                f"Demo users already exist; their passwords are unchanged ({PASSWORD_VARIABLE})."
            )

    def _password(self) -> tuple[str, bool]:
        """The demo password from the environment, or a new one (kept in .env in development)."""
        existing = os.environ.get(PASSWORD_VARIABLE, "").strip()
        if existing:
            return existing, False
        password = secrets.token_urlsafe(9)
        if not settings.PRODUCTION:
            with (Path(settings.BASE_DIR) / ".env").open("a", encoding="utf-8") as handle:
                handle.write(f"{PASSWORD_VARIABLE}={password}\n")
        os.environ[PASSWORD_VARIABLE] = password
        return password, True
