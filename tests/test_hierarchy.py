"""``core.hierarchy``: the one transitive closure, and the graph's ancestors/descendants on it."""

from __future__ import annotations

from calcinosis_kg.core.hierarchy import ancestor_map, closure
from calcinosis_kg.graph.knowledge import load

PARENTS = {"d": ["b", "c"], "b": ["a"], "c": ["a"], "a": []}


def test_closure_is_nearest_first_each_once_without_the_start():
    assert closure("d", lambda n: PARENTS.get(n, [])) == ["b", "c", "a"]


def test_closure_ends_on_a_cycle_of_equivalent_classes():
    equal = {"x": ["y"], "y": ["x", "z"]}
    assert closure("x", lambda n: equal.get(n, [])) == ["y", "z"]


def test_ancestor_map_gives_every_node_its_ancestors():
    assert ancestor_map(PARENTS) == {"d": {"a", "b", "c"}, "b": {"a"}, "c": {"a"}, "a": set()}


TTL = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
CCKG:9000001 a owl:Class ; rdfs:subClassOf owl:Thing .
CCKG:9000002 a owl:Class ; rdfs:subClassOf CCKG:9000001 .
CCKG:9000003 a owl:Class ; rdfs:subClassOf CCKG:9000002 , [ a owl:Restriction ;
    owl:onProperty CCKG:9000009 ; owl:someValuesFrom CCKG:9000001 ] .
"""


def test_graph_ancestors_and_descendants_are_named_asserted_and_transitive(tmp_path):
    path = tmp_path / "h.ttl"
    path.write_text(TTL)
    kg = load([path])
    assert kg.ancestors("CCKG:9000003") == ["CCKG:9000002", "CCKG:9000001"]
    assert kg.descendants("CCKG:9000001") == ["CCKG:9000002", "CCKG:9000003"]
    iri = "https://w3id.org/calcinosis-kg/CCKG_9000003"
    assert kg.ancestors(iri) == kg.ancestors("CCKG:9000003")
    assert kg.ancestors("CCKG:9000001") == []


def test_graph_most_specific_keeps_only_the_terms_nothing_else_given_is_under(tmp_path):
    path = tmp_path / "h.ttl"
    path.write_text(TTL + "CCKG:9000004 a owl:Class ; rdfs:subClassOf CCKG:9000001 .\n")
    kg = load([path])
    top, middle, leaf, side = (f"CCKG:900000{n}" for n in (1, 2, 3, 4))
    assert kg.most_specific([top, middle, leaf]) == [leaf]
    assert kg.most_specific([side, top, middle, side]) == [side, middle]  # order kept, once
    assert kg.most_specific([top]) == [top]
    iri = "https://w3id.org/calcinosis-kg/CCKG_9000003"
    assert kg.most_specific([middle, iri]) == [iri]  # CURIEs and IRIs mix, as given
