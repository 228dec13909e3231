"""The version is written once (``calcinosis_kg.__version__``); the package metadata reads it."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import calcinosis_kg

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_pyproject_takes_the_version_from_the_package() -> None:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/calcinosis_kg/core/version.py"


def test_installed_metadata_and_cli_report_the_package_version(run_cli) -> None:
    assert version("calcinosis-kg") == calcinosis_kg.__version__
    code, out, _ = run_cli("--version")
    assert code == 0 and calcinosis_kg.__version__ in out


def test_the_newest_changelog_version_is_the_package_version() -> None:
    """A release bumps ``__version__`` and moves the Unreleased entries under its heading in one
    commit (CONTRIBUTING.md): the newest dated version of CHANGELOG.md is the package's."""
    changelog = (PYPROJECT.parent / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert headings and headings[0][0] == calcinosis_kg.__version__
    assert changelog.index("## [Unreleased]") < changelog.index(f"## [{headings[0][0]}]")
