"""The shared KnowledgeGraph: one parse, an rdflib view with the same triples, labels, extension."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.compare import isomorphic

from calcinosis_kg.core.resources import default_ontology_files
from calcinosis_kg.graph.knowledge import KnowledgeGraph, load

CCKG = "https://w3id.org/calcinosis-kg/CCKG_"


def test_rdflib_view_holds_the_same_triples_as_an_rdflib_parse(tiny_ontology: Path) -> None:
    reference = rdflib.Graph().parse(tiny_ontology, format="turtle")
    assert isomorphic(load([tiny_ontology]).graph, reference)


def test_label_prefers_untagged_or_english(tiny_ontology: Path) -> None:
    assert load([tiny_ontology]).labels[CCKG + "9000003"] == "tiny skin"


def test_with_triples_extends_a_copy_and_changes_the_digest(tiny_ontology: Path) -> None:
    kg = load([tiny_ontology])
    extra = rdflib.Graph()
    triple = (
        rdflib.URIRef(CCKG + "9000004"),
        rdflib.RDFS.subClassOf,
        rdflib.URIRef(CCKG + "9000001"),
    )
    extra.add(triple)
    bigger = kg.with_triples(extra)
    assert len(bigger) == len(kg) + 1
    assert triple in bigger.graph and triple not in kg.graph
    assert bigger.digest != kg.digest


def test_knowledge_graph_built_from_files_loads_lazily(tiny_ontology: Path) -> None:
    kg = KnowledgeGraph(files=[tiny_ontology])
    assert len(kg.store) == len(load([tiny_ontology]).store)
    assert kg.digest == load([tiny_ontology]).digest


def test_bundled_ontology_loads_with_its_import_module_and_no_warnings() -> None:
    kg = load()
    assert [p.resolve() for p in kg.files] == [p.resolve() for p in default_ontology_files()]
    assert kg.warnings == []
