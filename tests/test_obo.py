"""The OBO writer, judged by what pronto reads back from a small graph (and the OBO Graphs JSON of
its release): each tag the committed-release snapshot used to be the only guard of has its own
test here, so a wrong writer fails a behaviour, not a diff the developer is told to regenerate."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import rdflib

from calcinosis_kg.publish.obo import to_obo

pronto = pytest.importorskip("pronto")

GRAPH = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oio: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
<https://w3id.org/calcinosis-kg/test.owl> a owl:Ontology .
CCKG:9100001 a owl:Class ; rdfs:label "one" ; rdfs:subClassOf obo:MONDO_0002123 ;
    oio:hasExactSynonym "exact one" ; oio:hasRelatedSynonym "related one" ;
    oio:hasBroadSynonym "broad one" ; oio:hasNarrowSynonym "narrow one" ;
    owl:disjointWith CCKG:9100002 .
CCKG:9100002 a owl:Class ; rdfs:label "two" .
CCKG:9100003 a owl:Class ; rdfs:label "gone" ; owl:deprecated true .
obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .
obo:RO_0004026 a owl:ObjectProperty ; rdfs:label "disease has location" ;
    rdfs:subPropertyOf obo:RO_0002131 .
obo:RO_0002131 a owl:ObjectProperty ; rdfs:label "overlaps" .
CCKG:0001001 a owl:ObjectProperty ; rdfs:label "retired relation" ; owl:deprecated true .
"""


@pytest.fixture(scope="module")
def read_back(tmp_path_factory) -> pronto.Ontology:
    """``to_obo`` of GRAPH, read by pronto; pronto's warnings are kept and must be none."""
    path = tmp_path_factory.mktemp("obo") / "small.obo"
    path.write_bytes(to_obo(rdflib.Graph().parse(data=GRAPH, format="turtle")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ontology = pronto.Ontology(str(path))
    assert [str(w.message) for w in caught] == []
    return ontology


def test_each_synonym_keeps_its_scope(read_back) -> None:
    synonyms = {(s.description, s.scope) for s in read_back["CCKG:9100001"].synonyms}
    assert synonyms == {
        ("exact one", "EXACT"),
        ("related one", "RELATED"),
        ("broad one", "BROAD"),
        ("narrow one", "NARROW"),
    }


def test_disjoint_classes_are_disjoint_from(read_back) -> None:
    assert {t.id for t in read_back["CCKG:9100001"].disjoint_from} == {"CCKG:9100002"}


def test_a_deprecated_class_is_obsolete_and_others_are_not(read_back) -> None:
    assert read_back["CCKG:9100003"].obsolete is True
    assert read_back["CCKG:9100001"].obsolete is False


def test_a_deprecated_relation_is_obsolete(read_back) -> None:
    assert read_back.get_relationship("CCKG:0001001").obsolete is True
    assert read_back.get_relationship("RO:0004026").obsolete is False


def test_a_subproperty_is_a_relation_under_its_parent(read_back) -> None:
    relation = read_back.get_relationship("RO:0004026")
    assert {r.id for r in relation.superproperties(with_self=False)} == {"RO:0002131"}


def test_idspace_declared_for_our_namespace_only_not_for_obo_purls(read_back) -> None:
    # MONDO and RO are OBO PURLs (implicit); CCKG lives under w3id.org and must be declared
    assert read_back.metadata.idspaces == {"CCKG": ("https://w3id.org/calcinosis-kg/CCKG_", None)}


def test_obographs_json_has_a_subpropertyof_edge(tmp_path: Path) -> None:
    from calcinosis_kg.core.prefixes import expand
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish.release import release

    source = tmp_path / "small.ttl"
    source.write_text(
        GRAPH.replace(
            "<https://w3id.org/calcinosis-kg/test.owl> a owl:Ontology .",
            "<https://w3id.org/calcinosis-kg/test.owl> a owl:Ontology ; "
            'owl:versionInfo "2026-01-15" ; '
            "<http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> .",
        ),
        encoding="utf-8",
    )
    release(load([source]), tmp_path / "release", inferred=rdflib.Graph())
    graph = json.loads((tmp_path / "release" / "calcinosis-kg-full.json").read_text())
    # node ids as the document writes them (IRIs or CURIEs), read as IRIs
    edges = {(expand(e["sub"]), e["pred"], expand(e["obj"])) for e in graph["graphs"][0]["edges"]}
    assert (
        "http://purl.obolibrary.org/obo/RO_0004026",
        "subPropertyOf",
        "http://purl.obolibrary.org/obo/RO_0002131",
    ) in edges
