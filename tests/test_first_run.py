"""What a new user sees on a fresh clone in development mode, run as they would run it.

Each command runs in its own process on a fresh SQLite database with REDIS_URL unset (Celery
in-process), as `make run` does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEEDS

SUMMARY = "factcheck development mode"


@pytest.fixture(scope="module")
def dev_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("first-run")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}
    }
    env |= {
        "FACTCHECK_ENV_FILE": str(folder / ".env"),
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
    }
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("args", [("--help",), ("help",), ("check",), ("showmigrations",)])
def test_commands_do_not_print_the_start_up_line(dev_env: dict[str, str], args: tuple[str]) -> None:
    result = manage(*args, env=dev_env)
    assert result.returncode == 0, result.stderr
    assert SUMMARY not in result.stdout + result.stderr


def test_import_shows_a_total_and_preannotate_shows_progress_and_a_true_rate(
    dev_env: dict[str, str],
) -> None:
    imported = manage(
        "import_documents", str(SEEDS), "--project", "First run", "--create-project", env=dev_env
    )
    assert imported.returncode == 0, imported.stderr
    assert "5/5" in imported.stderr
    assert "No hostname was supplied" not in imported.stdout + imported.stderr
    assert SUMMARY not in imported.stderr

    run = manage("preannotate", "--project", "First run", env=dev_env)
    assert run.returncode == 0, run.stderr
    output = run.stdout + run.stderr
    assert "No hostname was supplied" not in output
    # Progress as it goes: the bar is drawn at counts between 0 and the total, not only at 5.
    counts = {int(n) for n in re.findall(r"\b([0-5])/5\b", run.stderr)}
    assert 5 in counts, run.stderr
    assert counts & {1, 2, 3, 4}, run.stderr
    # A true rate: five documents of seed news take well over a millisecond each.
    rate = re.search(r"5 document\(s\) in [\d.]+ s \(([\d.]+) documents/s\)", run.stdout)
    assert rate is not None, run.stdout
    assert 0 < float(rate.group(1)) < 1000


def test_the_development_line_is_printed_once_at_server_start(dev_env: dict[str, str]) -> None:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:8107"],
        cwd=ROOT,
        env=dev_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        assert server.stdout is not None
        os.set_blocking(server.stdout.fileno(), False)
        while time.monotonic() < deadline and not any("Quit the server" in x for x in lines):
            chunk = server.stdout.readline()
            if chunk:
                lines.append(chunk)
            else:
                time.sleep(0.1)
        time.sleep(1)
        lines.extend(server.stdout.readlines())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    output = "".join(lines)
    assert output.count(SUMMARY) == 1, output
    assert "Celery eager in-process (REDIS_URL is unset)" in output


def test_make_test_shows_skip_reasons() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    addopts = re.search(r'^addopts = "(.*)"$', pyproject, re.MULTILINE)
    assert addopts is not None
    assert re.search(r"-r\w*s", addopts.group(1))


def test_the_seeds_are_where_the_test_expects_them() -> None:
    assert len(list(Path(SEEDS).glob("*.txt"))) == 5
