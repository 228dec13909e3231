"""Benchmark: patient cases end to end at 1k / 10k / 100k (1M behind --million).

Each size runs in a fresh subprocess (so its peak memory is its own) and prints, per stage, the
seconds and the peak resident memory so far:

  synth (not counted) -> read CSV -> ids -> validate (SHACL on the frame's columns) -> classify
  -> cohort store (ontology + valid cases in pyoxigraph; the only stage that builds triples)
  -> the 5 cohort queries

next to the baseline the issue names: rdflib parse of the same cases + pySHACL validation with
the same shapes (1k and 10k; 100k with --baseline-100k, it takes minutes). --million streams
1M cases through validate + classify in 100k chunks (no cohort store) to show bounded memory.

    python benchmarks/bench_cases.py [--sizes 1000 10000 100000] [--million] [--baseline-100k]
    python benchmarks/bench_cases.py --work [--n 100000] [--format csv|jsonl]

--work times ``cases classify --format csv`` (read, validate, classify, write) in-process after
start-up (classifier, name and identifier indexes, bands and shapes built first, not counted),
wall and CPU seconds, beside its peers on the same file in the same run: the bare polars read of
the CSV, the same run with every row through the record reader (``inputs.VECTORISED = False``),
and pyoxigraph's bulk load of the same cases as N-Triples; it prints the ratios and the load
average (2 shared cores here: CPU seconds are steadier than wall seconds under load).
``--format jsonl`` does the same on the cohort as Phenopacket JSON Lines (``cases synth`` writes
it; the bare read is then polars' ``read_ndjson`` of the file).

Targets (issue 12): 100k imported, validated, classified and answered < 60 s, peak < 4 GB;
1M validated + classified with peak < 8 GB; case validation >= 10x faster than pySHACL at 10k.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self.start = time.perf_counter()

    def __call__(self, name: str, started: float) -> None:
        self.rows.append((name, time.perf_counter() - started, peak_mib()))


def write_cohort_apart(source: Path, n: int) -> None:
    """The synthetic cohort (seed 1, 3 % defects) written by another process, so that its
    memory does not count in this one's peak."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from calcinosis_kg.cases.synth import write_cohort; "
            "write_cohort(Path(sys.argv[1]), int(sys.argv[2]), 1, 0.03)",
            str(source),
            str(n),
        ],
        check=True,
    )


def run_pipeline(n: int, folder: Path, cohort: bool) -> list[tuple[str, float, float]]:
    import polars as pl

    from calcinosis_kg.cases import pipeline, triples
    from calcinosis_kg.cases.classify import build_classifier, classify

    stage = Stages()
    source = folder / f"cohort-{n}.csv"
    t = time.perf_counter()
    write_cohort_apart(source, n)
    stage("synth (not counted, own process)", t)
    begin = time.perf_counter()
    t = time.perf_counter()
    clf = build_classifier()
    stage("compile criteria", t)
    counts: dict[str, int] = {}
    read = tri = val = cls = 0.0
    frames = []
    t = time.perf_counter()
    for frame in pipeline.iter_frames([source]):
        read += time.perf_counter() - t
        t = time.perf_counter()
        frame = pipeline.Identifiers().check(frame)
        frame = frame.with_columns(triples.case_iris(frame["case_id"]))
        tri += time.perf_counter() - t
        t = time.perf_counter()
        bad = pipeline.problems(frame)  # on the frame's columns: no triple built
        val += time.perf_counter() - t
        t = time.perf_counter()
        result = classify(frame, clf, frame["case_id"].is_in(bad["case_id"].implode()))
        cls += time.perf_counter() - t
        for status, k in result.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + k
        if cohort:
            frames.append(pipeline.Chunk(frame, bad, result))
        t = time.perf_counter()
    for name, secs in (
        ("read CSV", read),
        ("ids + case IRIs", tri),
        ("validate (SHACL on the frame's columns)", val),
        ("classify", cls),
    ):
        stage.rows.append((name, secs, peak_mib()))
    if cohort:
        import pyoxigraph as ox

        from calcinosis_kg.cases.cohort import query_files, run
        from calcinosis_kg.graph.knowledge import load

        t = time.perf_counter()
        store = ox.Store()
        store.bulk_extend(load().store)
        for chunk in frames:
            valid = chunk.results["status"] != "invalid"
            store.bulk_load(
                pipeline.results_ntriples(
                    chunk.frame.filter(valid),
                    chunk.results.filter(valid),
                    sort=False,
                    table=pipeline.valid_triples(chunk),
                ),
                format=ox.RdfFormat.N_TRIPLES,
            )
        stage(f"cohort store ({len(store):,} triples)", t)
        t = time.perf_counter()
        for name in query_files():
            run(name, store)
        stage("5 cohort queries (pyoxigraph)", t)
        t = time.perf_counter()
        whole = pl.concat([c.results for c in frames])
        (
            whole.filter(pl.col("status") != "invalid")
            .select(pl.col("types").explode())
            .group_by("types")
            .len()
        )
        stage("count by type (polars, for comparison)", t)
    stage.rows.append(("END TO END (without synth)", time.perf_counter() - begin, peak_mib()))
    stage.rows.append((f"statuses {json.dumps(counts, sort_keys=True)}", 0.0, peak_mib()))
    return stage.rows


def run_baseline(n: int, folder: Path) -> list[tuple[str, float, float]]:
    import pyshacl
    import rdflib

    from calcinosis_kg.cases import pipeline, shacl, triples
    from calcinosis_kg.cases.synth import write_cohort

    stage = Stages()
    source = folder / f"cohort-{n}.csv"
    write_cohort(source, n, seed=1, invalid_rate=0.03)
    frame = next(pipeline.iter_frames([source], chunk=n))
    table = triples.triples(frame)
    data = folder / f"cohort-{n}.nt"
    data.write_bytes(triples.ntriples(table))
    t = time.perf_counter()
    graph = rdflib.Graph().parse(data, format="nt")
    stage(f"rdflib parse ({len(graph):,} triples)", t)
    shapes = rdflib.Graph().parse(shacl.shapes_file(), format="turtle")
    t = time.perf_counter()
    _ok, results, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    stage("pySHACL validate", t)
    sh = rdflib.Namespace(shacl.SH)
    slow = set()
    for r in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        value = results.value(r, sh.value)
        key = (
            None
            if value is None
            else f"<{value}>"
            if not isinstance(value, rdflib.Literal)
            else f'"{value}"^^{value.datatype or shacl.XSD + "string"}'
        )
        component = str(results.value(r, sh.sourceConstraintComponent))
        slow.add(
            (
                str(results.value(r, sh.focusNode)),
                str(results.value(r, sh.resultPath)),
                component.removeprefix(shacl.SH).removesuffix("ConstraintComponent"),
                key,
            )
        )
    t = time.perf_counter()
    fast = shacl.validate_table(triples.triples(frame, sort=False))
    stage("fast path on the same data (triples + validate)", t)
    same = slow == {
        tuple(r) for r in fast.select("focus", "path", "component", "value").iter_rows()
    }
    stage.rows.append(
        (
            f"violations: pySHACL {len(slow)}, fast path {fast.height}, identical: {same}",
            0.0,
            peak_mib(),
        )
    )
    return stage.rows


def run_work(n: int, folder: Path, fmt: str = "csv") -> list[tuple[str, float, float]]:
    """(name, wall s, CPU s) of the work after start-up and of its peers, same file, same run."""
    import polars as pl
    import pyoxigraph as ox

    from calcinosis_kg.cases import (
        api,
        classify,
        identifiers,
        inputs,
        intervals,
        pipeline,
        shacl,
        triples,
        vocab,
    )

    source = folder / f"cohort-{n}.{fmt}"
    write_cohort_apart(source, n)
    clf = classify.build_classifier()  # start-up, not counted
    vocab.name_index(), identifiers.index(), intervals.default_bands(), shacl.compiled()
    # both names: api imports it by name, so patching only the module's left it in the work
    classify.build_classifier = lambda: clf  # type: ignore[assignment]
    api.build_classifier = lambda: clf  # type: ignore[assignment]
    rows: list[tuple[str, float, float]] = []

    def timed(name: str, work: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        rows.append((name, time.perf_counter() - wall, time.process_time() - cpu))

    if fmt == "csv":
        timed(
            "bare polars read of the CSV (all strings)",
            lambda: pl.read_csv(source, infer_schema=False),
        )
    else:
        timed("bare polars read of the JSON Lines (read_ndjson)", lambda: pl.read_ndjson(source))
    timed(
        "cases classify --format csv (vectorised reader)",
        lambda: b"".join(api.classify_stream([source], "csv", {})),
    )
    timed("  of which reading the frames", lambda: list(pipeline.iter_frames([source])))
    rows += work_steps(source, clf)
    timed("cases validate", lambda: api.validate_paths([source]))
    inputs.VECTORISED = False
    timed(
        "cases classify, every row through the record reader",
        lambda: b"".join(api.classify_stream([source], "csv", {})),
    )
    inputs.VECTORISED = True
    data = folder / "cases.nt"
    data.write_bytes(
        b"".join(
            triples.ntriples(triples.triples(f, sort=False)) for f in pipeline.iter_frames([source])
        )
    )
    timed(
        "pyoxigraph bulk load of the same cases (N-Triples)",
        lambda: ox.Store().bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES),
    )
    return rows


def work_steps(source: Path, clf: object) -> list[tuple[str, float, float]]:
    """The same work step by step (``pipeline.run`` and ``api.classify_stream``'s calls, in
    their order), each step's wall and CPU seconds summed over the chunks."""
    from calcinosis_kg.cases import pipeline, triples
    from calcinosis_kg.cases.classify import classify

    names = ("reading", "run ids", "validation (SHACL on columns)", "classification", "writing")
    spent = {name: [0.0, 0.0] for name in names}

    def step(name: str, work: Callable[[], object]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = work()
        spent[name][0] += time.perf_counter() - wall
        spent[name][1] += time.process_time() - cpu
        return out

    identifiers = pipeline.Identifiers()
    frames = pipeline.iter_frames([source])
    first = True
    while (frame := step("reading", lambda: next(frames, None))) is not None:

        def ids(f: Any = frame) -> Any:
            f = identifiers.check(f)
            return f.with_columns(triples.case_iris(f["case_id"]))

        frame = step("run ids", ids)
        bad = step("validation (SHACL on columns)", lambda f=frame: pipeline.problems(f))

        def classified(f: Any = frame, b: Any = bad) -> Any:
            invalid = f["case_id"].is_in(b["case_id"].unique().implode())
            return classify(f, clf, invalid, pipeline.problem_text(f, b))

        results = step("classification", classified)
        step("writing", lambda r=results, h=first: pipeline.results_text(r, "csv", header=h))
        first = False
    return [(f"  step: {name}", wall, cpu) for name, (wall, cpu) in spent.items()]


def show_work(n: int, rows: list[tuple[str, float, float]], fmt: str = "csv") -> None:
    import os

    print(
        f"\n== the work after start-up, {n:,} cases as {fmt} (load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}) =="
    )
    print(f"{'':58} {'wall s':>8} {'CPU s':>8}")
    for name, wall, cpu in rows:
        print(f"{name:58} {wall:8.2f} {cpu:8.2f}")
    times = {name.split(" (")[0]: (wall, cpu) for name, wall, cpu in rows}
    work = times["cases classify --format csv"]
    for peer in (
        "bare polars read of the CSV" if fmt == "csv" else "bare polars read of the JSON Lines",
        "pyoxigraph bulk load of the same cases",
        "cases classify, every row through the record reader",
    ):
        wall, cpu = times[peer]
        print(f"classify / {peer}: wall {work[0] / wall:.1f}x, CPU {work[1] / cpu:.1f}x")


def child(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        if args.kind == "work":
            print(json.dumps(run_work(args.n or 100_000, Path(tmp), args.format)))
            return
        if args.kind == "baseline":
            rows = run_baseline(args.n, Path(tmp))
        else:
            rows = run_pipeline(args.n, Path(tmp), cohort=args.kind == "pipeline")
    print(json.dumps(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000, 100_000])
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--baseline-100k", action="store_true")
    parser.add_argument("--child", choices=["pipeline", "baseline", "stream", "work"])
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--work", action="store_true")
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    args = parser.parse_args()
    if args.child:
        args.kind = args.child
        child(args)
        return
    if args.work:
        n = args.n or 100_000
        done = subprocess.run(
            [sys.executable, __file__, "--child", "work", "--n", str(n), "--format", args.format],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"work {n}: failed\n{done.stderr[-2000:]}")
            return
        show_work(n, json.loads(done.stdout.strip().splitlines()[-1]), args.format)
        return
    plan = []
    for n in args.sizes:
        plan.append(("pipeline", n))
        if n <= 10_000 or (n == 100_000 and args.baseline_100k):
            plan.append(("baseline", n))
    if args.million:
        plan.append(("stream", 1_000_000))
    for kind, n in plan:
        done = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--n", str(n)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"{kind} {n}: failed\n{done.stderr[-2000:]}")
            continue
        title = {
            "pipeline": "cases pipeline",
            "baseline": "baseline rdflib + pySHACL",
            "stream": "1M streamed: validate + classify in 100k chunks",
        }[kind]
        print(f"\n== {title}, {n:,} cases ==")
        print(f"{'stage':58} {'seconds':>9} {'peak MiB':>9}")
        for name, secs, mib in json.loads(done.stdout.strip().splitlines()[-1]):
            print(f"{name:58} {secs:9.2f} {mib:9.0f}")


if __name__ == "__main__":
    main()
