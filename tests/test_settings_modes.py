"""Development works with nothing set; production refuses to start without its secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "DEBUG"}
    }
    # A fresh, empty env file: the developer's .env must not satisfy production's requirements.
    with tempfile.TemporaryDirectory() as folder:
        env = {"FACTCHECK_ENV_FILE": str(Path(folder) / ".env"), **env}
        return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=base | env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_each_required_variable(missing: str) -> None:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "factcheck.example.org",
    }
    del env[missing]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required in production." in result.stderr


def test_production_settings_pass_the_deployment_check_with_no_warnings() -> None:
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 20 + "Zq9-2_xY!aBcD" * 4,
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "factcheck.example.org",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_malformed_mode_is_refused_by_name() -> None:
    result = manage("check", env={"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV must be development or production" in result.stderr


PRODUCTION = {
    "DJANGO_ENV": "production",
    "DATABASE_URL": "postgres://u@127.0.0.1:5432/db",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "factcheck.example.org",
}


def test_production_refuses_the_secret_development_generated_into_the_env_file() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / ".env"
        first_run = manage("check", env={"FACTCHECK_ENV_FILE": str(env_file)})
        assert first_run.returncode == 0, first_run.stderr
        assert "SECRET_KEY=" in env_file.read_text()
        generated = env_file.read_text()
        result = manage("check", env={**PRODUCTION, "FACTCHECK_ENV_FILE": str(env_file)})
        assert result.returncode != 0
        assert "SECRET_KEY is the development key" in result.stderr
        # Production never writes a key of its own either.
        assert env_file.read_text() == generated


def test_production_refuses_that_key_even_when_set_in_the_environment() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / ".env"
        manage("check", env={"FACTCHECK_ENV_FILE": str(env_file)})
        key = next(
            line.split("=", 1)[1]
            for line in env_file.read_text().splitlines()
            if line.startswith("SECRET_KEY=")
        )
        result = manage("check", env={**PRODUCTION, "SECRET_KEY": key})
        assert result.returncode != 0
        assert "SECRET_KEY is the development key" in result.stderr


def test_production_without_a_secret_does_not_generate_one() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env_file = Path(folder) / ".env"
        result = manage("check", env={**PRODUCTION, "FACTCHECK_ENV_FILE": str(env_file)})
        assert result.returncode != 0
        assert not env_file.exists()
