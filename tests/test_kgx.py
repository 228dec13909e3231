"""KGX nodes/edges: Biolink categories from ancestry, Biolink predicates, edge provenance."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.kgx import EDGE_COLUMNS, NODE_COLUMNS, kgx_tables, to_tsv
from calcinosis_kg.publish.release import release_graphs

ONTOLOGY = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://example.org/k/calcinosis-kg.owl> a owl:Ontology ; owl:versionInfo "2026-03-01" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
CCKG:9000001 a owl:Class ; rdfs:label "test calcinosis cutis" ;
    rdfs:subClassOf obo:MONDO_0002123 , _:site ,
      [ a owl:Restriction ; owl:onProperty obo:RO_0004022 ;
        owl:someValuesFrom [ a owl:Class ; owl:unionOf ( obo:HP_0003072 obo:HP_0002905 ) ] ] .
_:site a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom CCKG:9000200 .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty rdfs:subClassOf ;
    owl:annotatedTarget _:site ; biolink:supporting_text "Deposits form in the skin." ;
    dcterms:source <http://identifiers.org/pubmed/123> ; obo:RO_0002558 obo:ECO_0000033 .
CCKG:9000002 a owl:Class ; rdfs:label "test dystrophic calcinosis cutis" ;
    rdfs:subClassOf CCKG:9000001 .
CCKG:9000200 a owl:Class ; rdfs:label "test skin" ; rdfs:subClassOf obo:UBERON_0002097 .
CCKG:9000600 a owl:Class ; rdfs:label "test defined calcinosis" ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:9000001
      [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom CCKG:9000200 ] ) ] .
CCKG:9000900 a owl:Class ; rdfs:label "test thing with no external ancestor" .
CCKG:9000901 a owl:Class ; rdfs:label "test finding matched to HP" ;
    skos:exactMatch obo:HP_0003072 .
CCKG:0000450 a owl:Class ; rdfs:label "test finding in the phenotype ID range" .
obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .
obo:UBERON_0002097 a owl:Class ; rdfs:label "skin of body" .
"""

CCKG = rdflib.Namespace("https://w3id.org/calcinosis-kg/CCKG_")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "calcinosis-kg.ttl"
    path.write_text(ONTOLOGY, encoding="utf-8")
    return path


def _inferred() -> rdflib.Graph:
    g = rdflib.Graph()
    g.add((CCKG["9000600"], RDFS.subClassOf, CCKG["9000001"]))
    return g


@pytest.fixture
def tables(source: Path) -> tuple[list[dict], list[dict]]:
    full = release_graphs(load([source]), _inferred())["full"]
    return kgx_tables(full, _inferred())


def _edge(edges: list[dict], subject: str, obj: str) -> dict:
    found = [e for e in edges if e["subject"] == subject and e["object"] == obj]
    assert len(found) == 1, found
    return found[0]


def test_kgx_category_follows_the_nearest_external_ancestor(tables):
    categories = {n["id"]: n["category"] for n in tables[0]}
    assert categories["CCKG:9000002"] == "biolink:Disease"  # via CCKG:9000001 ⊑ MONDO
    assert categories["CCKG:9000200"] == "biolink:AnatomicalEntity"
    assert categories["UBERON:0002097"] == "biolink:AnatomicalEntity"


def test_kgx_category_of_a_defined_class_comes_from_its_genus(source: Path):
    full = release_graphs(load([source]), rdflib.Graph())["full"]  # no inferred parent
    categories = {n["id"]: n["category"] for n in kgx_tables(full)[0]}
    assert categories["CCKG:9000600"] == "biolink:Disease"


def test_kgx_class_without_categorised_ancestor_is_a_named_thing(tables):
    categories = {n["id"]: n["category"] for n in tables[0]}
    assert categories["CCKG:9000900"] == "biolink:NamedThing"


def test_kgx_category_falls_back_on_an_exact_match(tables):
    categories = {n["id"]: n["category"] for n in tables[0]}
    assert categories["CCKG:9000901"] == "biolink:PhenotypicFeature"


def test_kgx_category_falls_back_on_the_documented_id_range(tables):
    categories = {n["id"]: n["category"] for n in tables[0]}
    assert categories["CCKG:0000450"] == "biolink:PhenotypicFeature"


def test_kgx_maps_ro_relations_to_biolink_predicates(tables):
    site = _edge(tables[1], "CCKG:9000001", "CCKG:9000200")
    assert (site["predicate"], site["original_predicate"]) == (
        "biolink:disease_has_location",
        "RO:0004026",
    )
    assert _edge(tables[1], "CCKG:9000002", "CCKG:9000001")["predicate"] == "biolink:subclass_of"


def test_kgx_asserted_edge_carries_its_axiom_provenance(tables):
    site = _edge(tables[1], "CCKG:9000001", "CCKG:9000200")
    assert site["supporting_text"] == "Deposits form in the skin."
    assert site["publications"] == "PMID:123"
    assert site["has_evidence"] == "ECO:0000033"
    assert (site["knowledge_level"], site["agent_type"]) == ("knowledge_assertion", "manual_agent")


def test_kgx_inferred_subclass_edge_is_a_logical_entailment(tables):
    edge = _edge(tables[1], "CCKG:9000600", "CCKG:9000001")
    assert (edge["knowledge_level"], edge["agent_type"]) == (
        "logical_entailment",
        "automated_agent",
    )


def test_kgx_union_filler_gives_one_edge_per_member_marked_one_of(tables):
    union = [e for e in tables[1] if e["object"].startswith("HP:")]
    assert {e["object"] for e in union} == {"HP:0002905", "HP:0003072"}
    assert all(e["supporting_text"].startswith("one of: HP:0002905, HP:0003072") for e in union)


def test_kgx_tsv_has_the_kgx_columns_and_one_line_per_row(tables):
    nodes, edges = tables
    node_lines = to_tsv(nodes, NODE_COLUMNS).decode().splitlines()
    edge_lines = to_tsv(edges, EDGE_COLUMNS).decode().splitlines()
    assert node_lines[0].split("\t")[:3] == ["id", "category", "name"]
    assert edge_lines[0].split("\t")[:4] == ["id", "subject", "predicate", "object"]
    assert (len(node_lines), len(edge_lines)) == (len(nodes) + 1, len(edges) + 1)


def test_kgx_of_the_bundled_ontology_uses_only_biolink_categories_and_predicates():
    biolink_model = pytest.importorskip("biolink_model")
    import importlib.resources

    import yaml

    schema = yaml.safe_load(
        (importlib.resources.files(biolink_model) / "schema" / "biolink_model.yaml").read_text()
    )
    classes = {
        "biolink:" + "".join(w[:1].upper() + w[1:] for w in name.split())
        for name in schema["classes"]
    }
    slots = {"biolink:" + name.replace(" ", "_") for name in schema["slots"]}
    asserted_only = rdflib.Graph()  # no HermiT here: the mapping of asserted axioms is checked
    nodes, edges = kgx_tables(release_graphs(load(), asserted_only)["full"], asserted_only)
    categories = {node["category"] for node in nodes}
    predicates = {edge["predicate"] for edge in edges}
    assert categories and categories <= classes
    assert predicates and predicates <= slots
    levels = {edge["knowledge_level"] for edge in edges}
    agents = {edge["agent_type"] for edge in edges}
    assert levels <= set(schema["enums"]["KnowledgeLevelEnum"]["permissible_values"])
    assert agents <= set(schema["enums"]["AgentTypeEnum"]["permissible_values"])
