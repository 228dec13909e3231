"""Export: byte-identical under any PYTHONHASHSEED, curated prefixes, merge, loadable, atomic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from calcinosis_kg.core.serialize import to_ntriples
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.export import (
    FORMATS,
    _jsonld_compressor,
    export,
    export_bytes,
    jsonld_context,
    merged_graph,
)

OX_FORMATS = {
    "ttl": pyoxigraph.RdfFormat.TURTLE,
    "nt": pyoxigraph.RdfFormat.N_TRIPLES,
    "owl": pyoxigraph.RdfFormat.RDF_XML,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
}
RESTRICTION_TTL = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
CCKG:9 a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:1 ;
    owl:someValuesFrom [ a owl:Class ; owl:unionOf ( CCKG:1 CCKG:2 ) ] ] .
[] a owl:Axiom ; owl:annotatedSource CCKG:9 ; owl:annotatedProperty rdfs:label ;
   owl:annotatedTarget "x" ; rdfs:comment "why" .
"""


def _export_in_subprocess(fmt: str, output: Path, seed: str, ontology: Path | None) -> bytes:
    args = [
        sys.executable,
        "-m",
        "calcinosis_kg",
        "export",
        "--format",
        fmt,
        "--output",
        str(output),
    ]
    if ontology is not None:
        args += ["--ontology", str(ontology)]
    env = dict(os.environ, PYTHONHASHSEED=seed)
    subprocess.run(args, check=True, env=env, capture_output=True)
    return output.read_bytes()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_is_byte_identical_under_two_hash_seeds(fmt: str, tmp_path: Path) -> None:
    source = tmp_path / "restrictions.ttl"
    source.write_text(RESTRICTION_TTL)
    for ontology in (None, source):  # the bundled graph, and one full of blank nodes
        first = _export_in_subprocess(fmt, tmp_path / f"a.{fmt}", "1", ontology)
        second = _export_in_subprocess(fmt, tmp_path / f"b.{fmt}", "4242", ontology)
        assert first == second


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_parses_back_to_the_merged_graph(fmt: str, tmp_path: Path) -> None:
    source = tmp_path / "restrictions.ttl"
    source.write_text(RESTRICTION_TTL)
    for kg in (load(), load([source])):
        data = export_bytes(kg, fmt)
        back = rdflib.Graph()
        for quad in pyoxigraph.parse(data, format=OX_FORMATS[fmt]):
            back.add(tuple(_to_rdflib(t) for t in (quad.subject, quad.predicate, quad.object)))
        # canonical N-Triples are equal exactly when the graphs are isomorphic (and this is
        # ~100x faster than rdflib.compare.isomorphic on OWL graphs full of blank nodes)
        assert to_ntriples(back) == to_ntriples(merged_graph(kg))


def _to_rdflib(term):
    from calcinosis_kg.graph.knowledge import to_rdflib_term

    return to_rdflib_term(term)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_uses_only_curated_prefixes(fmt: str) -> None:
    text = export_bytes(load(), fmt).decode()
    assert "ns1:" not in text and "ns1=" not in text
    if fmt != "nt":
        assert "CCKG" in text


def test_merge_drops_the_import_module_header_and_its_import() -> None:
    from calcinosis_kg.graph.loading import import_map

    kg = load()
    merged = merged_graph(kg)
    import_iri = rdflib.URIRef(next(iter(import_map())))
    assert (None, rdflib.OWL.imports, import_iri) in kg.graph
    assert (None, rdflib.OWL.imports, import_iri) not in merged
    assert (import_iri, None, None) not in merged
    assert len(list(merged.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))) == 1


def test_rdfxml_export_loads_in_owlready2(tmp_path: Path) -> None:
    import owlready2

    kg = load()
    path = export(kg, "owl", tmp_path / "kg.owl")
    world = owlready2.World()
    onto = world.get_ontology(path.resolve().as_uri()).load()
    named = {
        str(c)
        for c in kg.graph.subjects(rdflib.RDF.type, rdflib.OWL.Class)
        if isinstance(c, rdflib.URIRef)
    }
    assert {c.iri for c in onto.classes()} == named


def test_interrupted_export_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "kg.ttl"
    target.write_bytes(b"old content\n")

    def crash(_fd: int) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="simulated"):
        export(load(), "ttl", target)
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]  # no temp file left behind


def test_inferred_export_adds_the_reasoner_hierarchy(
    tiny_ontology: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.checks import inferred as inferred_module

    edge = (
        rdflib.URIRef("https://w3id.org/calcinosis-kg/CCKG_9000004"),
        rdflib.RDFS.subClassOf,
        rdflib.URIRef("https://w3id.org/calcinosis-kg/CCKG_9000001"),
    )
    monkeypatch.setattr(inferred_module, "inferred_graph", lambda _kg: rdflib.Graph().add(edge))
    kg = load([tiny_ontology])
    plain = rdflib.Graph().parse(data=export_bytes(kg, "nt"), format="nt")
    inferred = rdflib.Graph().parse(data=export_bytes(kg, "nt", inferred=True), format="nt")
    assert edge not in plain and edge in inferred


def test_unknown_export_format_is_an_input_error() -> None:
    from calcinosis_kg.core.errors import InputError

    with pytest.raises(InputError, match="unknown export format"):
        export_bytes(load(), "xml")


def test_turtle_writes_each_list_cell_once() -> None:
    from calcinosis_kg.core.serialize import to_turtle

    # twenty root blank nodes with a list each: by their content-derived labels some list cells
    # sort before their root, which once made the writer emit them on their own *and* inline
    data = "\n".join(
        ["@prefix ex: <http://example.org/> .", "@prefix owl: <http://www.w3.org/2002/07/owl#> ."]
        + [
            f"[] a owl:AllDisjointClasses ; owl:members ( ex:a{i} ex:b{i} ex:c{i} ) ."
            for i in range(20)
        ]
    )
    graph = rdflib.Graph().parse(format="turtle", data=data)
    back = rdflib.Graph().parse(data=to_turtle(graph), format="turtle")
    assert len(back) == len(graph)
    assert to_ntriples(back) == to_ntriples(graph)


def test_export_streams_ntriples_from_the_store_without_building_an_rdflib_graph():
    from calcinosis_kg.core.serialize import to_ntriples
    from calcinosis_kg.publish.export import export_bytes, merged_graph

    streamed_kg = load()
    data = export_bytes(streamed_kg, "nt")
    assert streamed_kg._graph is None  # never copied into rdflib
    assert data == to_ntriples(merged_graph(load()))  # the same bytes as the copying writer


def test_export_turtle_from_the_stream_equals_the_copying_writer():
    from calcinosis_kg.core.serialize import to_turtle
    from calcinosis_kg.publish.export import export_bytes, merged_graph

    kg = load()
    assert export_bytes(kg, "ttl") == to_turtle(merged_graph(load()))
    assert kg._graph is None


def test_streamed_ntriples_escape_line_breaks_in_literals(tmp_path: Path):
    source = tmp_path / "multiline.nt"
    source.write_text(
        '<http://e/s> <http://e/p> "a\\nb\\rc" .\n_:x <http://e/p> "d\\ne" .\n', encoding="utf-8"
    )
    data = export_bytes(load([source]), "nt")
    assert data.count(b"\n") == 2  # one line per triple: no raw line break inside a literal
    back = pyoxigraph.Store()
    back.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert {q.object.value for q in back} == {"a\nb\rc", "d\ne"}


def test_jsonld_compacts_only_local_names_without_a_slash_or_hash() -> None:
    compress = _jsonld_compressor(jsonld_context())
    assert compress("https://w3id.org/calcinosis-kg/CCKG_0000001") == "cckg:CCKG_0000001"
    assert compress("https://w3id.org/calcinosis-kg/subset/core") == "cckg_subset:core"
    assert compress("https://w3id.org/calcinosis-kg/a/b") == "https://w3id.org/calcinosis-kg/a/b"
    assert compress("https://w3id.org/calcinosis-kg/") == "https://w3id.org/calcinosis-kg/"
    assert compress("http://nowhere.invalid/x") == "http://nowhere.invalid/x"
