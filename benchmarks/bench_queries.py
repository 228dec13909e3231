"""Benchmark: median time per bundled query once the graph is loaded (pyoxigraph vs rdflib).

Also times loading (pyoxigraph parse, and the rdflib view derived from it vs a plain rdflib
parse), ``calcinosis-kg --help``, and the refusal of a 10^9 "billion laughs" RDF/XML file.

    python benchmarks/bench_queries.py [--repeat 25] [--ontology FILE ...]

Target (issue 3): every bundled query < 20 ms median on pyoxigraph; --help < 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--ontology", action="append", type=Path, default=None)
    args = parser.parse_args()

    import rdflib

    from calcinosis_kg.core.resources import default_ontology_files
    from calcinosis_kg.graph.knowledge import load, to_rdflib
    from calcinosis_kg.graph.loading import load_files
    from calcinosis_kg.graph.queryfiles import list_queries
    from calcinosis_kg.graph.sparql import run_sparql

    files = args.ontology or default_ontology_files()
    kg = load(files)
    print(f"graph: {len(kg)} triples from {len(kg.files)} files; repeat {args.repeat}")

    def rdflib_parse() -> None:
        g = rdflib.Graph()
        for path in kg.files:
            g.parse(path, format="turtle" if path.suffix == ".ttl" else None)

    load_ms = median_ms(lambda: load_files(list(files)), args.repeat)
    derive_ms = median_ms(lambda: to_rdflib(kg.store), args.repeat)
    rdflib_ms = median_ms(rdflib_parse, args.repeat)
    print(f"load (pyoxigraph parse, imports resolved): {load_ms:.2f} ms")
    print(
        f"rdflib view derived from the store: {derive_ms:.2f} ms "
        f"(rdflib parse of the same files: {rdflib_ms:.2f} ms)"
    )
    kg.graph  # noqa: B018 (build the rdflib view once, outside the timings)

    print(f"\n{'query':40} {'oxigraph ms':>12} {'rdflib ms':>10} {'rows':>5}")
    worst = 0.0
    for query in list_queries():
        bindings = dict(query.example_bindings)
        ox = median_ms(lambda q=query, b=bindings: run_sparql(kg, q, b), args.repeat)
        rd = median_ms(
            lambda q=query, b=bindings: run_sparql(kg, q, b, engine="rdflib"),
            max(3, args.repeat // 5),
        )
        rows = len(run_sparql(kg, query, bindings).rows)
        worst = max(worst, ox)
        print(f"{query.name:40} {ox:12.2f} {rd:10.2f} {rows:5d}")
    print(f"slowest bundled query on pyoxigraph: {worst:.2f} ms (target < 20 ms)")

    help_times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "calcinosis_kg", "--help"], check=True, capture_output=True
        )
        help_times.append(time.perf_counter() - start)
    print(
        f"\ncalcinosis-kg --help: {statistics.median(help_times):.3f} s median of 5 "
        "(target < 0.3 s)"
    )

    levels = 9
    decls = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(decls) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/a">'
        f"<ex:p>&lol{levels};</ex:p></rdf:Description></rdf:RDF>\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "lol.owl"
        path.write_text(bomb)
        start = time.perf_counter()
        try:
            load([path])
            outcome = "LOADED (guard missing!)"
        except Exception as exc:  # noqa: BLE001 (report whatever the loader says)
            outcome = str(exc).split(": ", 1)[-1]
        elapsed = (time.perf_counter() - start) * 1000
    print(
        f"billion laughs ({len(bomb)} bytes, 10^{levels} expansions): refused in "
        f"{elapsed:.2f} ms: {outcome}"
    )


if __name__ == "__main__":
    main()
