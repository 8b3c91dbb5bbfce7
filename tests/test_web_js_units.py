"""The frontend's pure JavaScript modules, tested with Node's built-in runner (`node --test`).

Run from pytest so that `make test` and CI run them too; skipped (with the reason) only where
Node is not installed, unless FACTCHECK_REQUIRE_BROWSER asks for the full frontend check.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).resolve().parent / "js"


def test_node_unit_tests_of_the_frontend_modules_pass() -> None:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("FACTCHECK_REQUIRE_BROWSER"):
            pytest.fail("node is required for the frontend's unit tests")
        pytest.skip("node is not installed: the frontend's JavaScript unit tests need it")
    files = sorted(str(path) for path in JS_TESTS.glob("*.test.mjs"))
    assert files, "no JavaScript tests found"
    result = subprocess.run(  # noqa: S603 - our own test files, a fixed command
        [node, "--test", *files], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
