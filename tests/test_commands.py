"""The import_documents and seed_demo commands, as a user runs them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotations.models import Document, Membership, Project
from tests.conftest import SEEDS

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    quiet = ("--no-progress",) if args[0] == "import_documents" else ()
    call_command(*args, *quiet, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_into_a_missing_project_says_how_to_create_it() -> None:
    with pytest.raises(CommandError, match="pass --create-project"):
        run("import_documents", str(SEEDS), "--project", "Nope")
    assert not Project.objects.exists()


def test_import_reports_imported_duplicates_and_refusals_and_fails_when_something_was_refused(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("Alpha\nThe first text.")
    (tmp_path / "copy.txt").write_text("Alpha\r\nThe first text.\r\n")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "b.txt").write_text("Beta\nAnother text.")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="1 input\\(s\\) refused"):
        run("import_documents", str(tmp_path), "--project", "News", "--create-project")
    assert sorted(Document.objects.values_list("title", flat=True)) == ["Alpha", "Beta"]


def test_import_summary_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Alpha\nText.")
    out, _ = run("import_documents", str(tmp_path), "--project", "News", "--create-project")
    assert "Created project 'News'." in out
    assert "Project 'News': 1 imported, 0 duplicate(s) skipped, 0 refused." in out
    out, _ = run("import_documents", str(tmp_path), "--project", "News")
    assert "duplicate: " in out
    assert "0 imported, 1 duplicate(s) skipped, 0 refused." in out


def test_seed_demo_is_idempotent_and_sets_up_users_with_roles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FACTCHECK_DEMO_PASSWORD", "demo-password-for-tests")
    out, _ = run("seed_demo")
    assert "5 imported" in out
    assert "Created users admin, lead, reviewer1, reviewer2" in out
    out, _ = run("seed_demo")
    assert "0 imported, 5 duplicate(s) skipped" in out
    assert "already exist" in out
    project = Project.objects.get()
    assert project.documents.count() == 5
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "admin": "admin",
        "lead": "lead",
        "reviewer1": "reviewer",
        "reviewer2": "reviewer",
    }
    assert (
        get_user_model().objects.get(username="reviewer1").check_password("demo-password-for-tests")
    )
    assert [label.hotkey for label in project.labels.all()] == ["1", "2", "3"]
