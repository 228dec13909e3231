"""Benchmark: the CSV reader's memory when every serum value and age of a file differs.

The vectorised CSV reader runs each rule once per distinct value of its cells and keeps what it
computed per file (``csv_rules.Memo``), so that a value met again in a later block is not
computed again. A file whose values are all distinct (an export with full-precision values) must
not grow those memos with the file: each empties itself at ``csv_rules.CAP`` entries. This
prints, each in its own process, the seconds (wall and CPU), the peak resident memory and the
largest memo at the end for two cohorts of N rows:

- synthetic: ``cases synth --n 100000 --seed 1 --invalid-rate 0.03`` as CSV, repeated to N rows
  with distinct case ids;
- distinct: the same rows with every numeric serum value, albumin and age made distinct (the
  row's number appended as digits after the value's own: the same value to 1e-8).

    python benchmarks/bench_distinct.py [--n 2000000] [--folder F]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = 100_000
VALUES = (
    "age_years",
    "calcium_value",
    "albumin_value",
    "ionised_calcium_value",
    "phosphate_value",
)


def make_cohorts(folder: Path, n: int) -> tuple[Path, Path]:
    import polars as pl

    from calcinosis_kg.cases.synth import write_cohort

    base = folder / f"synth-{BASE}.csv"
    if not base.exists():
        write_cohort(base, BASE, 1, 0.03)
    plain, distinct = folder / f"synth-{n}.csv", folder / f"distinct-{n}.csv"
    if plain.exists() and distinct.exists():
        return plain, distinct
    rows = pl.read_csv(base, infer_schema=False)
    frame = pl.concat(
        rows.with_columns(pl.col("case_id") + f"-{k}") for k in range((n + BASE - 1) // BASE)
    ).head(n)
    frame.write_csv(plain)
    digits = pl.int_range(pl.len()).cast(pl.String).str.zfill(8)
    frame.with_columns(
        pl.when(pl.col(c).str.contains(r"^-?[0-9]+\.[0-9]+$"))
        .then(pl.col(c) + digits)
        .when(pl.col(c).str.contains(r"^-?[0-9]+$"))
        .then(pl.col(c) + "." + digits)
        .otherwise(pl.col(c))
        .alias(c)
        for c in VALUES
    ).write_csv(distinct)
    return plain, distinct


def child(path: Path) -> dict:
    from calcinosis_kg.cases import csv_frame, csv_rules, pipeline
    from calcinosis_kg.cases.classify import build_classifier

    made: list[csv_rules.Rules] = []

    class Kept(csv_rules.Rules):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    csv_frame.Rules = Kept  # type: ignore[misc]
    clf = build_classifier()
    t0, c0 = time.perf_counter(), time.process_time()
    counts: dict[str, int] = {}
    for chunk in pipeline.run([path], clf):
        for status, k in chunk.results.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + k
    memos = [m for r in made for m in (r.choices, r.reads, *r.memo.values())]
    return {
        "rows": sum(counts.values()),
        "work_s": time.perf_counter() - t0,
        "cpu_s": time.process_time() - c0,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "largest_memo": max((len(m) for m in memos), default=0),
        "counts": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2_000_000)
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench-distinct-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"load average at start: {os.getloadavg()}")
    for label, path in zip(("synthetic", "distinct"), make_cohorts(folder, args.n), strict=True):
        cmd = [sys.executable, __file__, "--child", str(path)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{label} failed:\n{done.stderr[-3000:]}")
        res = json.loads(done.stdout.strip().splitlines()[-1])
        size = path.stat().st_size / 2**20
        print(
            f"{label}: {res['rows']:,} cases ({size:,.0f} MiB CSV) in {res['work_s']:.1f} s "
            f"({res['cpu_s']:.1f} CPU s), peak {res['peak_mib']:,.0f} MiB, largest memo "
            f"{res['largest_memo']:,} entries (cap {_cap()}); {res['counts']}"
        )
    print(f"load average at end: {os.getloadavg()}")


def _cap() -> int:
    from calcinosis_kg.cases import csv_rules

    return csv_rules.CAP


if __name__ == "__main__":
    main()
