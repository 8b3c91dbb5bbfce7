"""docker-compose.yml is valid against the Compose specification (no Docker engine runs here)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT


def test_compose_file_validates_against_the_compose_spec() -> None:
    checker = shutil.which("check-jsonschema") or str(
        Path(sys.executable).parent / "check-jsonschema"
    )
    if not Path(checker).exists():
        pytest.fail(
            "check-jsonschema is not installed; `make test` installs it with the dev extras"
        )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_full_stack_from_one_image_with_healthchecks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
        assert services[name]["image"] == services["web"]["image"]
        # Background jobs hand files from web to worker (uploads) and back (exports).
        assert "jobfiles:/var/lib/factcheck/jobs" in services[name]["volumes"]
    assert {"pgdata", "jobfiles"} <= set(compose["volumes"])
