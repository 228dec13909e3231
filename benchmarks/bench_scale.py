"""Benchmark: 1M and 10M synthetic cases through the polars engine and Spark local[2].

Prints, per size and engine, the seconds of work, rows/s and peak resident memory (MiB), with
Spark's start-up (JVM + session) separated from its work, next to two floors measured in the
same run: polars' bare read of the same Parquet case frame, and pyoxigraph's bulk load of the
same cases as N-Triples (measured on the first 100k cases; the ratio is per row). Each engine
runs in its own subprocess so its peak memory is its own (Spark: the JVM's VmHWM plus the
Python driver's; also the JVM's CPU seconds, every thread, which a shared machine does not
inflate as it does the wall time).

The cohort: ``cases synth --n 1000000 --seed 1 --invalid-rate 0.03`` as a Parquet case frame;
10M is that frame ten times over with distinct case ids (synthesising 10M rows through the
readers alone takes longer than every engine run).

    python benchmarks/bench_scale.py [--sizes 1000000 10000000] [--engines polars spark]
        [--folder F] [--no-floors]
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

BASE = 1_000_000
ORACLE_ROWS = 100_000


def _mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_cohort(folder: Path, n: int) -> Path:
    import polars as pl

    from calcinosis_kg.cases.synth import write_cohort

    base = folder / f"cohort-{BASE}.parquet"
    if not base.exists():
        write_cohort(base, BASE, 1, 0.03)
    if n <= BASE:
        target = folder / f"cohort-{n}.parquet"
        if not target.exists():
            pl.read_parquet(base).head(n).write_parquet(target)
        return target
    target = folder / f"cohort-{n}.parquet"
    if not target.exists():
        frame = pl.read_parquet(base)
        copies = [frame.with_columns(pl.col("case_id") + f"-{k}") for k in range(n // BASE)]
        pl.concat(copies).write_parquet(target)
    return target


def child_polars(path: Path) -> dict:
    import polars as pl

    from calcinosis_kg.cases import pipeline
    from calcinosis_kg.cases.classify import build_classifier

    rows = pl.scan_parquet(path).select(pl.len()).collect().item()
    clf = build_classifier()
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    for chunk in pipeline.run([path], clf):
        for status, k in chunk.results.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + k
    work = time.perf_counter() - t0
    return {"rows": rows, "work_s": work, "peak_mib": _mib(), "counts": counts}


def child_bare(path: Path) -> dict:
    """polars' bare read of the whole frame, in its own process (its memory is not the
    pipeline's: the pipeline streams the file in chunks)."""
    import polars as pl

    t0 = time.perf_counter()
    frame = pl.read_parquet(path)
    return {"rows": frame.height, "work_s": time.perf_counter() - t0, "peak_mib": _mib()}


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system, every thread: tasks, JIT, GC) of process ``pid``: on a
    machine shared with other jobs, the Spark run's own cost beside its wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_spark(path: Path, out: Path) -> dict:
    from calcinosis_kg.cases import spark_api, spark_engine

    t0 = time.perf_counter()
    spark = spark_engine.session("local[2]")
    spark.range(1).count()
    start = time.perf_counter() - t0
    jvm = spark.sparkContext._gateway.proc.pid  # type: ignore[attr-defined]
    cpu0 = _cpu_s(jvm)
    t0 = time.perf_counter()
    # the session exists, so classify_paths reuses it: its time is the work alone
    counts = spark_api.classify_paths([str(path)], "local[2]", str(out), "parquet")
    work = time.perf_counter() - t0
    cpu = _cpu_s(jvm) - cpu0
    hwm = 0.0
    for line in Path(f"/proc/{jvm}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1]) / 1024
    return {
        "rows": sum(counts.values()),
        "start_s": start,
        "work_s": work,
        "peak_mib": hwm + _mib(),
        "jvm_mib": hwm,
        "jvm_cpu_s": cpu,
        "counts": counts,
    }


def child_oxigraph(path: Path) -> dict:
    import polars as pl
    import pyoxigraph as ox

    from calcinosis_kg.cases import triples

    frame = pl.read_parquet(path).head(ORACLE_ROWS)
    data = triples.ntriples(triples.triples(frame, sort=False))
    store = ox.Store()
    t0 = time.perf_counter()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return {
        "rows": frame.height,
        "work_s": time.perf_counter() - t0,
        "peak_mib": _mib(),
        "triples": len(store),
    }


def run_child(kind: str, path: Path, out: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", kind, str(path)] + ([str(out)] if out else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[BASE, 10 * BASE])
    parser.add_argument("--engines", nargs="+", default=["polars", "spark"])
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument(
        "--no-floors", action="store_true", help="skip pyoxigraph's load (engines alone)"
    )
    args = parser.parse_args()
    if args.child:
        kind, path = args.child[0], Path(args.child[1])
        fn = {
            "polars": lambda: child_polars(path),
            "oxigraph": lambda: child_oxigraph(path),
            "bare": lambda: child_bare(path),
            "spark": lambda: child_spark(path, Path(args.child[2])),
        }[kind]
        print(json.dumps(fn()))
        return
    folder = args.folder or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    print(f"load average at start: {os.getloadavg()}", flush=True)
    for n in args.sizes:
        t0 = time.perf_counter()
        path = make_cohort(folder, n)
        print(
            f"\n== {n:,} cases ({path.stat().st_size / 2**20:.0f} MiB Parquet; prepared in "
            f"{time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
        ox_rate = None
        if not args.no_floors:
            oracle = run_child("oxigraph", path)
            ox_rate = oracle["rows"] / oracle["work_s"]
            print(
                f"pyoxigraph bulk load, first {oracle['rows']:,} cases ({oracle['triples']:,} "
                f"triples): {oracle['work_s']:.2f} s = {ox_rate:,.0f} cases/s",
                flush=True,
            )
        bare = None
        for engine in args.engines:
            res = run_child(engine, path, folder / f"out-{engine}-{n}")
            rate = res["rows"] / res["work_s"]
            if engine == "polars":
                floor = run_child("bare", path)
                bare = floor["work_s"]
                print(
                    f"polars bare read of the frame: {bare:.2f} s, peak "
                    f"{floor['peak_mib']:,.0f} MiB (own process)",
                    flush=True,
                )
            extra = f", start-up {res['start_s']:.1f} s (not counted)" if "start_s" in res else ""
            if "jvm_cpu_s" in res:
                extra += f", JVM CPU {res['jvm_cpu_s']:.1f} s"
            ratio = f", {res['work_s'] / bare:.0f}x the bare read" if bare else ""
            oxr = f"{rate / ox_rate:.2f}x pyoxigraph's load rate" if ox_rate else "no floor"
            print(
                f"{engine}: {res['work_s']:.1f} s for {res['rows']:,} cases = {rate:,.0f} "
                f"cases/s ({oxr}{ratio}), peak "
                f"{res['peak_mib']:,.0f} MiB{extra}; {res['counts']}",
                flush=True,
            )
        print(f"load average: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
