"""The Makefile's targets: ``make help`` names each of them, and ``make bench-serve`` runs the
side-by-side benchmark of serve and the Oxigraph server, whose binary the dev extra installs."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(*args: str) -> str:
    return subprocess.run(
        ["make", "-s", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout


def test_make_help_names_every_target() -> None:
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert phony is not None
    listed = set(re.findall(r"^make (\S+)", make("help"), re.M))
    assert set(phony.group(1).split()) - {"help", "setup"} == listed


def test_make_bench_serve_runs_the_side_by_side_benchmark_with_the_installed_oxigraph() -> None:
    planned = make("-n", "bench-serve", "VENV=" + str(Path(sys.executable).parent.parent))
    assert planned.strip().splitlines()[-1].endswith("benchmarks/bench_serve.py")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_serve import oxigraph_binary
    finally:
        sys.path.pop(0)
    found = subprocess.run(
        [oxigraph_binary(), "--version"], capture_output=True, text=True, timeout=60
    )
    assert found.returncode == 0 and "oxigraph" in found.stdout.lower()
