"""Which src modules have tests but none in ``make test-fast``'s selection (issue 21).

Why: leaving slow, Java and server tests out must not leave a module without any quick test.
Each collected test is mapped to the ``calcinosis_kg`` modules its file imports (its AST:
``import`` and ``from … import``, a name that is itself a module counting as one), once for the
whole suite and once for the quick selection; a module in the first and not the second is
printed with its number of tests. Exit 0 always: a module tested only by a JVM or a live server
is expected (CONTRIBUTING.md lists them).

    .venv/bin/python scripts/quick_coverage.py
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = "not java and not browser and not server and not slow"


def imported_modules(test_file: Path) -> set[str]:
    """The ``calcinosis_kg`` modules ``test_file`` imports (and those named in a from-import)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(test_file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("calcinosis_kg"):
            module = node.module or ""
            found.add(module)
            for alias in node.names:
                name = f"{module}.{alias.name}"
                if (ROOT / "src" / (name.replace(".", "/") + ".py")).exists():
                    found.add(name)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("calcinosis_kg"))
    return found


def tests_per_module(*marker: str) -> Counter[str]:
    """How many collected tests (with ``-m`` ``marker``, if given) import each module."""
    args = [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:randomly"]
    listed = subprocess.run(
        [*args, *(["-m", *marker] if marker else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = Counter(line.split("::")[0] for line in listed.splitlines() if "::" in line)
    counts: Counter[str] = Counter()
    for file, n in files.items():
        for module in imported_modules(ROOT / file):
            counts[module] += n
    return counts


def main() -> int:
    """Print the modules with tests but no quick test."""
    src = {
        ".".join(p.relative_to(ROOT / "src").with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "src").rglob("*.py")
    }
    whole, quick = tests_per_module(), tests_per_module(QUICK)
    tested = sorted(m for m in whole if m in src)
    lost = [m for m in tested if not quick[m]]
    print(f"{len(tested)} src modules have tests; {len(tested) - len(lost)} keep a quick test")
    for module in lost:
        print(f"  only slow, Java, browser or server tests: {module} ({whole[module]} tests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
