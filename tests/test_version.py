"""The version is written once (``calcinosis_kg.__version__``); the package metadata reads it."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import calcinosis_kg

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_pyproject_takes_the_version_from_the_package() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/calcinosis_kg/__init__.py"


def test_installed_metadata_and_cli_report_the_package_version(run_cli) -> None:
    assert version("calcinosis-kg") == calcinosis_kg.__version__
    code, out, _ = run_cli("--version")
    assert code == 0 and calcinosis_kg.__version__ in out
