"""The straightforward pipeline a user would write, in one fresh process (the speed baseline).

rdflib parses the ontology files, pySHACL validates them against every shape file with RDFS
inference, owlready2 runs HermiT (it reads no Turtle, so the graph is handed over as N-Triples
without owl:imports, which owlready2 would otherwise try to download), and rdflib runs every
bundled SPARQL query (competency and QC). Prints one line per step with its time.

Usage: python benchmarks/naive_pipeline.py [ONTOLOGY_FILE ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    import rdflib
    from rdflib.namespace import OWL

    from calcinosis_kg.core.resources import default_ontology_files, queries_dir, shapes_dir

    files = [Path(a) for a in argv] or default_ontology_files()
    times: dict[str, float] = {}

    t = time.perf_counter()
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path)
    times["parse (rdflib)"] = time.perf_counter() - t

    t = time.perf_counter()
    import pyshacl

    shapes = rdflib.Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        shapes.parse(path)
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="rdfs")
    times["SHACL (pySHACL, RDFS inference)"] = time.perf_counter() - t

    t = time.perf_counter()
    import owlready2

    plain = rdflib.Graph()
    for triple in graph:
        if triple[1] != OWL.imports:
            plain.add(triple)
    with tempfile.NamedTemporaryFile(suffix=".nt", delete=False) as handle:
        handle.write(plain.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    onto = world.get_ontology(Path(handle.name).as_uri()).load(format="ntriples")
    consistent = True
    try:
        owlready2.sync_reasoner_hermit(world, debug=0)
        unsat = list(world.inconsistent_classes())
    except owlready2.OwlReadyInconsistentOntologyError:
        consistent, unsat = False, []
    Path(handle.name).unlink()
    del onto
    times["HermiT (owlready2)"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = errors = 0
    queries = sorted(queries_dir().rglob("*.rq"))
    for path in queries:
        try:
            rows += len(list(graph.query(path.read_text(encoding="utf-8"))))
        except Exception:  # a query rdflib cannot run still cost its time
            errors += 1
    times[f"{len(queries)} queries (rdflib)"] = time.perf_counter() - t

    for step, seconds in times.items():
        print(f"{step:<36} {seconds:6.2f} s")
    print(
        f"triples={len(graph)} shacl_conforms={conforms} consistent={consistent} "
        f"unsatisfiable={len(unsat)} query_rows={rows} query_errors={errors}"
    )
    print(f"{'total (in process)':<36} {time.perf_counter() - started:6.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
