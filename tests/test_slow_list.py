"""tests/slow_tests.txt, the ``slow`` marker's list, names tests that exist: an entry left
behind by a rename would silently put a slow test back into ``make test-fast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: read as tests/conftest.py reads it (a module named conftest is not importable from here:
#: tests/hostile has one too)
SLOW_TESTS = frozenset(
    line
    for line in (ROOT / "tests" / "slow_tests.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_the_slow_list_marks_its_tests_slow(request: pytest.FixtureRequest) -> None:
    assert len(SLOW_TESTS) > 100
    marked = {i.nodeid for i in request.session.items if i.get_closest_marker("slow")}
    # every listed test that was collected in this run carries the marker
    assert marked == SLOW_TESTS & {i.nodeid for i in request.session.items}
    assert all(entry.startswith("tests/") and "::" in entry for entry in SLOW_TESTS)


@pytest.mark.parametrize("entry", sorted(SLOW_TESTS))
def test_each_slow_entry_names_a_test_function_of_its_file(entry: str) -> None:
    file, _, name = entry.partition("::")
    assert (ROOT / file).is_file(), file
    assert name.split("[")[0] in _functions(ROOT / file), entry
