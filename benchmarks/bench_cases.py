"""Benchmark: patient cases end to end at 1k / 10k / 100k (1M behind --million).

Each size runs in a fresh subprocess (so its peak memory is its own) and prints, per stage, the
seconds and the peak resident memory so far:

  synth (not counted) -> read CSV -> triples -> validate (SHACL fast path) -> classify
  -> cohort store (ontology + valid cases in pyoxigraph) -> the 5 cohort queries

next to the baseline the issue names: rdflib parse of the same cases + pySHACL validation with
the same shapes (1k and 10k; 100k with --baseline-100k, it takes minutes). --million streams
1M cases through validate + classify in 100k chunks (no cohort store) to show bounded memory.

    python benchmarks/bench_cases.py [--sizes 1000 10000 100000] [--million] [--baseline-100k]

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
from pathlib import Path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self.start = time.perf_counter()

    def __call__(self, name: str, started: float) -> None:
        self.rows.append((name, time.perf_counter() - started, peak_mib()))


def run_pipeline(n: int, folder: Path, cohort: bool) -> list[tuple[str, float, float]]:
    import polars as pl

    from calcinosis_kg.cases import pipeline, triples
    from calcinosis_kg.cases.classify import build_classifier, classify

    stage = Stages()
    source = folder / f"cohort-{n}.csv"
    t = time.perf_counter()
    # in its own process, so that its memory does not count in the pipeline's peak
    subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                    "from calcinosis_kg.cases.synth import write_cohort; "
                    "write_cohort(Path(sys.argv[1]), int(sys.argv[2]), 1, 0.03)",
                    str(source), str(n)], check=True)
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
        frame = frame.with_columns(pl.Series(
            "iri", [triples.case_iri(c) for c in frame["case_id"]], dtype=pl.String))
        table = triples.triples(frame, sort=False)
        tri += time.perf_counter() - t
        t = time.perf_counter()
        bad = pipeline.problems(frame, table)
        val += time.perf_counter() - t
        t = time.perf_counter()
        result = classify(frame, clf, frame["case_id"].is_in(bad["case_id"].implode()))
        cls += time.perf_counter() - t
        for status, k in result.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + k
        if cohort:
            frames.append(pipeline.Chunk(frame, bad, result, table))
        del table
        t = time.perf_counter()
    for name, secs in (("read CSV", read), ("triples", tri), ("validate (fast SHACL)", val),
                       ("classify", cls)):
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
            store.bulk_load(pipeline.results_ntriples(
                chunk.frame.filter(valid), chunk.results.filter(valid), sort=False,
                table=pipeline.valid_triples(chunk)), format=ox.RdfFormat.N_TRIPLES)
        stage(f"cohort store ({len(store):,} triples)", t)
        t = time.perf_counter()
        for name in query_files():
            run(name, store)
        stage("5 cohort queries (pyoxigraph)", t)
        t = time.perf_counter()
        whole = pl.concat([c.results for c in frames])
        (whole.filter(pl.col("status") != "invalid").select(pl.col("types").explode())
         .group_by("types").len())
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
        key = (None if value is None else f"<{value}>" if not isinstance(value, rdflib.Literal)
               else f'"{value}"^^{value.datatype or shacl.XSD + "string"}')
        component = str(results.value(r, sh.sourceConstraintComponent))
        slow.add((str(results.value(r, sh.focusNode)), str(results.value(r, sh.resultPath)),
                  component.removeprefix(shacl.SH).removesuffix("ConstraintComponent"), key))
    t = time.perf_counter()
    fast = shacl.validate_table(triples.triples(frame, sort=False))
    stage("fast path on the same data (triples + validate)", t)
    same = slow == {tuple(r) for r in fast.select("focus", "path", "component", "value")
                    .iter_rows()}
    stage.rows.append((f"violations: pySHACL {len(slow)}, fast path {fast.height}, "
                       f"identical: {same}", 0.0, peak_mib()))
    return stage.rows


def child(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
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
    parser.add_argument("--child", choices=["pipeline", "baseline", "stream"])
    parser.add_argument("--n", type=int, default=0)
    args = parser.parse_args()
    if args.child:
        args.kind = args.child
        child(args)
        return
    plan = []
    for n in args.sizes:
        plan.append(("pipeline", n))
        if n <= 10_000 or (n == 100_000 and args.baseline_100k):
            plan.append(("baseline", n))
    if args.million:
        plan.append(("stream", 1_000_000))
    for kind, n in plan:
        done = subprocess.run([sys.executable, __file__, "--child", kind, "--n", str(n)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{kind} {n}: failed\n{done.stderr[-2000:]}")
            continue
        title = {"pipeline": "cases pipeline", "baseline": "baseline rdflib + pySHACL",
                 "stream": "1M streamed: validate + classify in 100k chunks"}[kind]
        print(f"\n== {title}, {n:,} cases ==")
        print(f"{'stage':58} {'seconds':>9} {'peak MiB':>9}")
        for name, secs, mib in json.loads(done.stdout.strip().splitlines()[-1]):
            print(f"{name:58} {secs:9.2f} {mib:9.0f}")


if __name__ == "__main__":
    main()
