"""Benchmark ``calcinosis-kg check`` against the naive pipeline (wall clock, fresh processes).

Runs, each as a fresh subprocess, several times, and reports the median:
  naive   benchmarks/naive_pipeline.py (rdflib + pySHACL/RDFS + owlready2 HermiT + rdflib queries)
  cold    calcinosis-kg check --no-cache
  cached  calcinosis-kg check   (after one warm-up run that fills the cache)
and, for the record, HermiT alone through owlready2 vs. the direct Java subprocess used by check.
Targets (issue 3): cold >= 1.5x faster than naive and < 3 s; cached >= 3x faster than naive.
The exit status of ``check`` (0 or 1) is not a benchmark failure; this script exits 1 only when
a target is missed.

Usage: python benchmarks/bench_check.py [--runs N] [--json] [--ontology FILE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def check_command() -> list[str]:
    script = Path(sys.executable).with_name("calcinosis-kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "calcinosis_kg"]


def wall(
    command: list[str], env: dict[str, str], runs: int, outputs: list[str] | None = None
) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr}")
        if outputs is not None:
            outputs.append(done.stdout)
    return times


def fully_cached(output: str) -> bool:
    """True when every stage line of a ``check`` text report says ``cached``."""
    stages = [
        line
        for line in output.splitlines()
        if line
        and not line.startswith(" ")
        and line.split()[0] in ("reasoning", "validation", "qc", "competency")
    ]
    return bool(stages) and all(line.endswith("cached") for line in stages)


HERMIT_OWLREADY2 = """
import rdflib, owlready2, tempfile, pathlib, sys
from rdflib.namespace import OWL
from calcinosis_kg.core.resources import default_ontology_files
files = sys.argv[1:] or default_ontology_files()
g = rdflib.Graph()
for f in files: g.parse(f)
plain = rdflib.Graph()
for t in g:
    if t[1] != OWL.imports: plain.add(t)
tmp = tempfile.NamedTemporaryFile(suffix=".nt", delete=False)
tmp.write(plain.serialize(format="nt", encoding="utf-8")); tmp.close()
w = owlready2.World(); w.get_ontology(pathlib.Path(tmp.name).as_uri()).load(format="ntriples")
owlready2.sync_reasoner_hermit(w, debug=0)
"""
HERMIT_DIRECT = """
import sys
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.checks.hermit import reason
reason(load(sys.argv[1:] or None))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--ontology", action="append", default=[])
    args = parser.parse_args()

    cache_dir = Path(tempfile.mkdtemp(prefix="calcinosis-kg-bench-cache-"))
    env = dict(os.environ, CALCINOSIS_KG_CACHE_DIR=str(cache_dir))
    onto_args = [a for path in args.ontology for a in ("--ontology", path)]
    check = check_command() + ["check", *onto_args]
    try:
        naive = wall(
            [sys.executable, str(HERE / "naive_pipeline.py"), *args.ontology], env, args.runs
        )
        cold = wall([*check, "--no-cache"], env, args.runs)
        wall(check, env, 1)  # fill the cache
        cached_outputs: list[str] = []
        cached = wall(check, env, args.runs, cached_outputs)
        hermit_owlready2 = wall(
            [sys.executable, "-c", HERMIT_OWLREADY2, *args.ontology], env, args.runs
        )
        hermit_direct = wall([sys.executable, "-c", HERMIT_DIRECT, *args.ontology], env, args.runs)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)

    med = {
        name: statistics.median(times)
        for name, times in {
            "naive": naive,
            "cold": cold,
            "cached": cached,
            "hermit_owlready2": hermit_owlready2,
            "hermit_direct": hermit_direct,
        }.items()
    }
    speed_cold = med["naive"] / med["cold"]
    speed_cached = med["naive"] / med["cached"]
    targets = {
        "cold >= 1.5x naive": speed_cold >= 1.5,
        "cold < 3 s": med["cold"] < 3.0,
        "cached >= 3x naive": speed_cached >= 3.0,
    }
    hits = sum(fully_cached(out) for out in cached_outputs)
    if args.json:
        print(
            json.dumps(
                {
                    "runs": args.runs,
                    "cpus": os.cpu_count(),
                    "median_seconds": med,
                    "all_seconds": {"naive": naive, "cold": cold, "cached": cached},
                    "speedup_cold": speed_cold,
                    "speedup_cached": speed_cached,
                    "cached_runs_fully_cached": hits,
                    "targets": targets,
                },
                indent=2,
            )
        )
    else:
        print(f"median wall clock of {args.runs} fresh runs, {os.cpu_count()} CPUs")
        print(f"  naive pipeline                      {med['naive']:6.2f} s")
        print(
            f"  calcinosis-kg check --no-cache      {med['cold']:6.2f} s   "
            f"{speed_cold:4.1f}x faster"
        )
        print(
            f"  calcinosis-kg check (cached)        {med['cached']:6.2f} s   "
            f"{speed_cached:4.1f}x faster   ({hits}/{args.runs} runs fully cached)"
        )
        print(f"  HermiT via owlready2 (process)      {med['hermit_owlready2']:6.2f} s")
        print(f"  HermiT direct subprocess (process)  {med['hermit_direct']:6.2f} s")
        for name, ok in targets.items():
            print(f"  target {name:<22} {'met' if ok else 'MISSED'}")
    return 0 if all(targets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
