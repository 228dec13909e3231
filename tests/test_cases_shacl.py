"""The SHACL fast path reports exactly what pySHACL reports, violation by violation."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from calcinosis_kg.cases import pipeline, shacl, triples
from calcinosis_kg.cases.synth import rows, to_csv

DATA = Path(__file__).parent / "cases_data"
SH = "http://www.w3.org/ns/shacl#"


def table_of(path: Path) -> pl.DataFrame:
    """The triple table of an RDF file, exactly as parsed (no pivot through rows)."""
    import pyoxigraph as ox

    out = []
    for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE):
        o = q.object
        lit = isinstance(o, ox.Literal)
        dt = o.datatype.value if lit and o.datatype.value != shacl.XSD + "string" else ""
        out.append((q.subject.value, q.predicate.value, o.value, lit, dt))
    return pl.DataFrame(out, schema=triples.TRIPLE_SCHEMA, orient="row")


def pyshacl_violations(data: bytes, fmt: str) -> set[tuple]:
    import pyshacl
    import rdflib

    graph = rdflib.Graph().parse(data=data, format=fmt)
    shapes = rdflib.Graph().parse(shacl.shapes_file(), format="turtle")
    _ok, results, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    found = set()
    for result in results.subjects(rdflib.RDF.type, rdflib.URIRef(SH + "ValidationResult")):
        value = results.value(result, rdflib.URIRef(SH + "value"))
        if isinstance(value, rdflib.Literal):
            key = f'"{value}"^^{value.datatype or shacl.XSD + "string"}'
        else:
            key = None if value is None else f"<{value}>"
        component = str(results.value(result, rdflib.URIRef(SH + "sourceConstraintComponent")))
        found.add(
            (
                str(results.value(result, rdflib.URIRef(SH + "focusNode"))),
                str(results.value(result, rdflib.URIRef(SH + "resultPath"))),
                component.removeprefix(SH).removesuffix("ConstraintComponent"),
                key,
            )
        )
    return found


def fast_violations(table: pl.DataFrame) -> set[tuple]:
    return {
        (r["focus"], r["path"], r["component"], r["value"])
        for r in shacl.validate_table(table).iter_rows(named=True)
    }


def _without_illtyped(found: set[tuple]) -> set[tuple]:
    return {v for v in found if "/illtyped" not in v[0]}


def test_planted_errors_of_every_constraint_kind_give_identical_violations() -> None:
    path = DATA / "planted.ttl"
    fast = fast_violations(table_of(path))
    assert _without_illtyped(fast) == _without_illtyped(
        pyshacl_violations(path.read_bytes(), "turtle")
    )
    kinds = {component for _f, _p, component, _v in fast}
    assert kinds == {
        "MinCount",
        "MaxCount",
        "Datatype",
        "In",
        "Pattern",
        "MinInclusive",
        "MaxInclusive",
        "MinExclusive",
        "MaxExclusive",
    }


def test_every_planted_case_has_a_violation_and_the_good_case_none() -> None:
    fast = fast_violations(table_of(DATA / "planted.ttl"))
    cases = {f.split("/case/")[1].split("-")[0] for f, *_ in fast}
    assert cases == {"no", "two", "none", "dt", "in", "pat", "range", "untyped", "illtyped"}


def test_an_ill_typed_decimal_makes_the_record_invalid_in_both_validators() -> None:
    path = DATA / "planted.ttl"
    fast = {f for f, *_ in fast_violations(table_of(path))}
    slow = {f for f, *_ in pyshacl_violations(path.read_bytes(), "turtle")}
    assert fast == slow
    assert any(f.endswith("/illtyped") for f in fast)


def test_a_synthetic_cohort_with_defects_gets_the_verdicts_of_pyshacl(tmp_path: Path) -> None:
    source = tmp_path / "cohort.csv"
    source.write_bytes(to_csv(rows(150, seed=11, invalid_rate=0.3)))
    frame = next(pipeline.iter_frames([source]))
    table = triples.triples(frame)
    fast = fast_violations(table)
    assert fast  # the defects include SHACL-level ones (sex, age, mg/dL given as mmol/L)
    assert fast == pyshacl_violations(triples.ntriples(table), "nt")


def test_a_construct_the_fast_path_does_not_implement_is_refused(tmp_path: Path) -> None:
    from calcinosis_kg.core.errors import InputError

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        shacl.shapes_file()
        .read_text()
        .replace("sh:maxCount 1 ;\n    sh:in", "sh:maxLength 9 ;\n    sh:in")
    )
    with pytest.raises(InputError, match="not supported"):
        shacl.compiled(shapes)


def test_every_case_shape_catches_a_planted_error() -> None:
    """Each named shape of shapes/case-model.ttl (or one of its property shapes) reports at
    least one planted error (tests/test_shapes.py leaves the case shapes to this file)."""
    import pyshacl
    import rdflib

    shapes = rdflib.Graph().parse(shacl.shapes_file(), format="turtle")
    data = rdflib.Graph().parse(DATA / "planted.ttl", format="turtle")
    _ok, results, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    sh = rdflib.Namespace(SH)
    owner = {}
    for node in shapes.subjects(rdflib.RDF.type, sh.NodeShape):
        owner[node] = node
        for prop in shapes.objects(node, sh.property):
            owner[prop] = prop if isinstance(prop, rdflib.URIRef) else node
    hit = {owner[s] for s in results.objects(None, sh.sourceShape)}
    # every named property shape, and every node shape with constraints of its own (blank
    # property shapes); CaseRecordShape only groups named property shapes
    named = {
        s
        for s in owner.values()
        if isinstance(s, rdflib.URIRef)
        and (s, rdflib.RDF.type, sh.PropertyShape) in shapes
        or any(isinstance(p, rdflib.BNode) for p in shapes.objects(s, sh.property))
    }
    assert named - hit == set()
