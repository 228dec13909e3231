"""Benchmark: the polars classification step alone (criteria, the declared decisions, support,
differential) on one chunk of synthetic cases.

    python benchmarks/bench_classify.py [--n 100000] [--runs 5]

It writes a synthetic cohort (``cases synth``'s generator, seed 1, 3 % planted defects; not
counted), reads it and validates it once (not counted), then times ``classify.classify`` on the
chunk ``--runs`` times, in CPU and wall seconds: as the engine runs it (the decisions once per
distinct group of cases, ``nodes.polars_steps`` with ``ids``), and beside it, as its peer in the
same run, the same declaration evaluated on every row (``ids`` ignored). It prints the minimum
and the median of each, their ratio and the load average (2 shared cores here: CPU seconds are
steadier than wall seconds under load). Target (issue 20): <= 0.3 CPU s per 100k cases.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _times(run: Any, runs: int) -> list[tuple[float, float]]:
    out = []
    for _ in range(runs):
        cpu, wall = _cpu(), time.perf_counter()
        run()
        out.append((_cpu() - cpu, time.perf_counter() - wall))
    return out


def main() -> None:
    """Print the classification step's CPU and wall seconds, grouped and per row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from calcinosis_kg.cases import classify as module
    from calcinosis_kg.cases import pipeline, triples
    from calcinosis_kg.cases.inputs import iter_frames
    from calcinosis_kg.cases.synth import write_cohort

    clf = module.build_classifier()
    with tempfile.TemporaryDirectory() as tmp:
        cohort = Path(tmp) / "cohort.csv"
        write_cohort(cohort, args.n, 1, 0.03)
        frame = next(iter_frames([cohort], args.n))
    frame = frame.with_columns(triples.case_iris(frame["case_id"]))
    bad = pipeline.problems(frame)
    invalid = frame["case_id"].is_in(bad["case_id"].unique().implode())
    text = pipeline.problem_text(frame, bad)

    def run() -> None:
        module.classify(frame, clf, invalid, text)

    grouped = _times(run, args.runs)
    plain = module.polars_steps
    module.polars_steps = lambda frame, steps, ids=None: plain(frame, steps)
    try:
        per_row = _times(run, args.runs)
    finally:
        module.polars_steps = plain
    print(f"classify, {frame.height:,} cases, {args.runs} runs (CPU s / wall s):")
    for name, got in (("once per group (the engine)", grouped), ("every row (peer)", per_row)):
        cpu = sorted(c for c, _ in got)
        wall = sorted(w for _, w in got)
        print(
            f"  {name:28s} CPU min {cpu[0]:.3f} median {statistics.median(cpu):.3f}"
            f" | wall min {wall[0]:.3f} median {statistics.median(wall):.3f}"
        )
    ratio = min(c for c, _ in per_row) / min(c for c, _ in grouped)
    print(f"  every row / once per group (min CPU): {ratio:.2f}x; target <= 0.3 CPU s per 100k")
    print("  load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
