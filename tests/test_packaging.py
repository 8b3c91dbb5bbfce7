"""The app installs from a wheel (`pip install .`), with everything it needs at run time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

# Files a deployment reads besides Python modules: migrations are modules, but templates,
# static files and data files are easy to leave out of a wheel by accident.
_DATA_SUFFIXES = {".html", ".js", ".css", ".json", ".svg", ".txt", ".md"}


def _shipped_data_files() -> set[str]:
    return {
        str(path.relative_to(ROOT))
        for package in ("annotations", "factcheck")
        for path in (ROOT / package).rglob("*")
        if path.is_file()
        and path.suffix in _DATA_SUFFIXES
        and "__pycache__" not in path.parts
        and ("templates" in path.parts or "static" in path.parts or path.suffix == ".json")
    }


def test_wheel_holds_the_app_its_migrations_and_data_files(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info into the source tree, where
    # mypy would then find every module twice.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("annotations", "factcheck"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(  # noqa: S603 - pip on a copy of our own repository, fixed arguments
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        cwd=tmp_path,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("factcheck-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())

    for module in (
        "factcheck/settings.py",
        "factcheck/celery.py",
        "annotations/models/__init__.py",
        "annotations/migrations/0001_initial.py",
        "annotations/preannotation/engine.py",
    ):
        assert module in names
    assert _shipped_data_files() <= names
    assert not any(name.startswith(("tests/", "seeds/", "bench/")) for name in names)
