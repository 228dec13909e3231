"""The examples in docstrings run: every module of the package with a ``>>>`` example is
run through doctest, so an example that no longer holds fails the suite (found by scanning the
sources, so a new module's examples are included without a list to keep)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
MODULES = sorted(
    ".".join(path.relative_to(SRC).with_suffix("").parts)
    for path in (SRC / "calcinosis_kg").rglob("*.py")
    if ">>> " in path.read_text(encoding="utf-8")
)


def test_the_modules_with_examples_are_found() -> None:
    assert "calcinosis_kg.core.text" in MODULES and len(MODULES) >= 6


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    result = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False
    )
    assert result.attempted > 0 and result.failed == 0, result
