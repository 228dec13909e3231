"""SHACL validation of the ontology (or of a user's RDF) against the shapes in ``shapes/``.

Why pySHACL with ``inference="none"``: RDFS inference lets a property's range retype a wrong value
into the expected class, which hides ``sh:class`` errors; our shapes state the hierarchy they need
explicitly (``rdfs:subClassOf+`` in SPARQL targets, ``sh:zeroOrMorePath``). The SPARQL-based
targets (SHACL-AF) that pick out the entities of our namespace are evaluated with pyoxigraph and
handed to pySHACL as ``sh:targetNode`` lists (``resolve_sparql_targets``); the constraints are
SHACL Core, evaluated by pySHACL.

``validate`` returns a ``ValidationReport`` (``shacl_report``) whose violations are sorted, so the
same input always gives the same report; ``validation_stage`` turns it into the shared
``StageResult`` for ``check``. This module loads the shapes and runs pySHACL; reading and
rendering its results is ``shacl_report``'s job.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.checks.shacl_report import ValidationReport, curie, shape_comments, violations_of
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import data_files, shapes_dir
from calcinosis_kg.core.vocab import CCKG_SHAPES, SH
from calcinosis_kg.core.yamlio import read_yaml
from calcinosis_kg.graph.knowledge import KnowledgeGraph as KG
from calcinosis_kg.graph.knowledge import load, to_rdflib_term

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

    from calcinosis_kg.graph.knowledge import KnowledgeGraph


# --- shapes --------------------------------------------------------------------------------------
def shape_files() -> list[Path]:
    """The bundled shape files (all are loaded together: they share prefixes and targets)."""

    return data_files(shapes_dir(), ".ttl")


def load_shapes(paths: Sequence[Path | str] | None = None) -> rdflib.Graph:
    """Parse shape files into one rdflib graph; bad files raise ``InputError`` with position."""

    files = [Path(p) for p in paths] if paths else shape_files()
    if not files:
        raise InputError("no SHACL shape files found", shapes_dir())
    return load(files).graph


# --- validation ----------------------------------------------------------------------------------
def _prefix_block(shapes: rdflib.Graph, target: Any) -> str:
    """PREFIX lines for a SPARQL target from its ``sh:prefixes`` / ``sh:declare`` (SHACL 5.2)."""
    from rdflib import URIRef

    lines = []
    for holder in shapes.objects(target, URIRef(SH + "prefixes")):
        for decl in shapes.objects(holder, URIRef(SH + "declare")):
            prefix = shapes.value(decl, URIRef(SH + "prefix"))
            namespace = shapes.value(decl, URIRef(SH + "namespace"))
            if prefix is not None and namespace is not None:
                lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


def resolve_sparql_targets(
    shapes: rdflib.Graph, store: pyoxigraph.Store, source_file: Path | str | None = None
) -> rdflib.Graph:
    """A copy of ``shapes`` whose SPARQL-based targets (``sh:target [sh:select …]``) are replaced
    by the ``sh:targetNode`` lists that their queries select on ``store``.

    Why: pySHACL runs each target query through rdflib's SPARQL engine (parse + evaluation
    about 0.4 s on the bundled ontology); pyoxigraph answers the same standard SPARQL in
    milliseconds, and the constraints stay pySHACL's. Targets with parameters (SPARQL target
    types) are left alone. ``tests/test_validation.py`` checks both paths give the same report.
    """
    from pyoxigraph import QuerySolutions
    from rdflib import Graph, URIRef

    out = Graph()
    out += shapes
    target_p, select_p, node_p = (URIRef(SH + n) for n in ("target", "select", "targetNode"))
    for shape, target in sorted(shapes.subject_objects(target_p)):
        query = shapes.value(target, select_p)
        if query is None:
            continue
        out.remove((shape, target_p, target))
        try:
            solutions = store.query(_prefix_block(shapes, target) + str(query))
        except SyntaxError as exc:
            raise InputError(
                f"SPARQL target of shape {curie(shape)} does not parse: {exc}", source_file
            ) from exc
        if not isinstance(solutions, QuerySolutions):
            raise InputError(
                f"SPARQL target of shape {curie(shape)} is not a SELECT query", source_file
            )
        for solution in solutions:
            out.add((shape, node_p, to_rdflib_term(solution["this"])))
    return out


def profiles() -> dict[str, dict[str, str]]:
    """Profile name -> {shape CURIE: why it does not apply} (``shapes/profiles.yaml``)."""

    path = shapes_dir() / "profiles.yaml"
    if not path.exists():
        return {"ontology": {}}
    loaded = read_yaml(path, {})
    return {str(name): dict(shapes or {}) for name, shapes in loaded.items()}


def apply_profile(shapes_graph: rdflib.Graph, profile: str) -> rdflib.Graph:
    """Deactivate (``sh:deactivated true``) the shapes that ``profile`` leaves out, in place."""
    from rdflib import Literal, URIRef

    known = profiles()
    if profile not in known:
        raise InputError(
            f"unknown shape profile '{profile}' (choose from {', '.join(sorted(known))})",
            shapes_dir() / "profiles.yaml",
        )
    for shape in known[profile]:
        iri = URIRef(CCKG_SHAPES + shape.removeprefix("cckgsh:"))
        shapes_graph.add((iri, URIRef(SH + "deactivated"), Literal(True)))
    return shapes_graph


def validate(
    kg: KnowledgeGraph,
    shapes: Sequence[Path | str] | None = None,
    data: Sequence[Path | str] | KnowledgeGraph | None = None,
    targets: str = "oxigraph",
    profile: str = "ontology",
) -> ValidationReport:
    """SHACL-validate the ontology (``data=None``) or the user's RDF ``data`` with the ontology
    as background (violations are then reported only for nodes the user's files describe).

    ``shapes`` defaults to every bundled file in ``shapes/``; ``profile`` names the release
    artifact being validated (``shapes/profiles.yaml``: the shapes its definition leaves out).
    ``targets="oxigraph"`` evaluates SPARQL-based targets with pyoxigraph (fast);
    ``"pyshacl"`` leaves them to pySHACL. The ``ValidationReport`` says whether it ``conforms``
    (no ``sh:Violation``; warnings never fail), lists its ``violations`` and prints with
    ``to_text()`` (``to_json()``, ``to_turtle()``), as ``calcinosis-kg validate`` does.
    """
    import pyoxigraph
    import pyshacl
    from pyshacl.errors import (
        ConstraintLoadError,
        ReportableRuntimeError,
        RuleLoadError,
        ShapeLoadError,
    )
    from rdflib import Graph, URIRef

    if targets not in ("oxigraph", "pyshacl"):
        raise ValueError(f"targets must be 'oxigraph' or 'pyshacl', not {targets!r}")
    if data is not None and not isinstance(data, KG) and not list(data):
        data = None  # no files: validate the ontology (graph.load([]) would load the bundled one)
    start = time.perf_counter()
    files = [Path(p) for p in shapes] if shapes else shape_files()
    shapes_graph = apply_profile(load_shapes(files), profile)
    keep: set | None = None
    labels = dict(kg.labels)
    if data is None:
        data_graph, store = kg.graph, kg.store
    else:
        user = data if isinstance(data, KG) else load([Path(p) for p in data])
        user_graph = user.graph
        data_graph = Graph()
        data_graph += kg.graph
        # the user's own statements: triples not already in the background ontology (a user file
        # that imports our ontology must not re-report the ontology's own results)
        keep = {s for s, p, o in user_graph if (s, p, o) not in kg.graph}
        data_graph += user_graph
        labels.update(user.labels)
        store = pyoxigraph.Store()
        store.extend(kg.store)
        store.extend(user.store)
    where = files[0] if len(files) == 1 else ", ".join(str(f) for f in files)
    run_shapes = (
        resolve_sparql_targets(shapes_graph, store, where)
        if targets == "oxigraph"
        else shapes_graph
    )
    has_rules = (None, URIRef(SH + "rule"), None) in shapes_graph
    advanced = has_rules or (None, URIRef(SH + "target"), None) in run_shapes
    try:
        conforms, results_graph, _ = pyshacl.validate(
            data_graph,
            shacl_graph=run_shapes,
            inference="none",
            advanced=advanced,
            abort_on_first=False,
            allow_warnings=True,
            # pySHACL's advanced mode clones the data graph in case SHACL rules write to it;
            # without rules nothing is written, so validate the shared graph in place
            inplace=data is not None or not has_rules,
        )
    except (ShapeLoadError, ConstraintLoadError, RuleLoadError, ReportableRuntimeError) as exc:
        first = str(getattr(exc, "message", None) or exc).strip().splitlines()[0]
        raise InputError(f"invalid SHACL shapes: {first}", where) from exc
    if isinstance(results_graph, Exception):  # pySHACL returns (not raises) ValidationFailure
        message = str(getattr(results_graph, "message", results_graph)).strip()
        raise InputError(f"SHACL validation failed: {message}", where)
    violations = violations_of(results_graph, shapes_graph, data_graph, labels, keep)
    report = ValidationReport(
        violations=violations,
        shape_comments=shape_comments(shapes_graph),
        shape_files=[str(p) for p in files],
        seconds=time.perf_counter() - start,
    )
    return report


def validation_stage(kg: KnowledgeGraph) -> StageResult:
    """The ``check`` stage: one ``Failure`` per SHACL result (entity = focus node CURIE)."""
    report = validate(kg)
    failures = [
        Failure(
            stage="validation",
            entity=v.focus,
            label=v.label,
            reason=f"{v.shape}: {v.message}"
            + (f" ({v.path} = {v.value_text()})" if v.value else f" ({v.path})" if v.path else ""),
            level=v.level,
        )
        for v in report.violations
    ]
    counts = report.counts()
    return StageResult(
        name="validation",
        ok=report.conforms,
        counts=counts,
        failures=failures,
        seconds=report.seconds,
    )
