"""The shared class-expression reader/renderer and the shared label choice."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from calcinosis_kg.core.expressions import (
    Expr,
    RdflibSource,
    StoreSource,
    operand_text,
    parse,
    render,
    to_text,
    with_labels,
)
from calcinosis_kg.graph.knowledge import label_of, load

PREFIXES = """
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
"""
T = "http://example.org/t#"
SOME_SKIN = (
    "[ a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom obo:UBERON_0002097 ]"
)


def superclass(turtle: str) -> tuple[rdflib.Graph, rdflib.term.Node]:
    """The rdflib graph and the (only) superclass of ``:X`` in ``turtle``."""
    graph = rdflib.Graph().parse(data=PREFIXES + turtle, format="turtle")
    [node] = graph.objects(rdflib.URIRef(T + "X"), rdflib.RDFS.subClassOf)
    return graph, node


def text(turtle: str) -> str:
    graph, node = superclass(turtle)
    return render(RdflibSource(graph), node)


def test_store_and_rdflib_sources_read_the_same_tree(tmp_path: Path) -> None:
    turtle = (
        f":X rdfs:subClassOf [ owl:intersectionOf ( :A {SOME_SKIN} [ owl:complementOf :B ] ) ] ."
    )
    graph, node = superclass(turtle)
    store = pyoxigraph.Store()
    store.load((PREFIXES + turtle).encode(), pyoxigraph.RdfFormat.TURTLE)
    [quad] = store.quads_for_pattern(pyoxigraph.NamedNode(T + "X"), None, None)
    assert parse(StoreSource(store), quad.object) == parse(RdflibSource(graph), node)


def test_intersection_members_are_sorted_whatever_the_list_order() -> None:
    first = text(":X rdfs:subClassOf [ owl:intersectionOf ( :B :A ) ] .")
    assert first == text(":X rdfs:subClassOf [ owl:intersectionOf ( :A :B ) ] .")
    assert first == "http://example.org/t#A and http://example.org/t#B"


def test_nested_restriction_is_parenthesised_and_follows_the_named_class() -> None:
    assert (
        text(f":X rdfs:subClassOf [ owl:unionOf ( {SOME_SKIN} obo:UBERON_0001 ) ] .")
        == "UBERON:0001 or (RO:0004026 some UBERON:0002097)"
    )


def test_union_filler_of_a_restriction_is_parenthesised() -> None:
    assert (
        text(
            ":X rdfs:subClassOf [ owl:onProperty obo:RO_0004026 ; owl:someValuesFrom "
            "[ owl:unionOf ( obo:UBERON_0002097 obo:UBERON_0002072 ) ] ] ."
        )
        == "RO:0004026 some (UBERON:0002072 or UBERON:0002097)"
    )


def test_datatype_restriction_lists_lower_bound_before_upper_bound() -> None:
    assert (
        text(
            ":X rdfs:subClassOf [ owl:onProperty :p ; owl:someValuesFrom [ "
            "owl:onDatatype xsd:decimal ; owl:withRestrictions "
            "( [ xsd:maxInclusive 3.5 ] [ xsd:minExclusive 2.6 ] ) ] ] ."
        )
        == "http://example.org/t#p some xsd:decimal[> 2.6, <= 3.5]"
    )


def test_restriction_on_an_inverse_property_says_inverse() -> None:
    assert (
        text(
            ":X rdfs:subClassOf [ owl:onProperty [ owl:inverseOf obo:RO_0004029 ] ; "
            "owl:someValuesFrom obo:UBERON_0002097 ] ."
        )
        == "inverse RO:0004029 some UBERON:0002097"
    )


def test_qualified_cardinality_names_number_and_class() -> None:
    assert (
        text(
            ":X rdfs:subClassOf [ owl:onProperty obo:RO_0004026 ; "
            'owl:minQualifiedCardinality "2"^^xsd:nonNegativeInteger ; '
            "owl:onClass obo:UBERON_0002097 ] ."
        )
        == "RO:0004026 min 2 UBERON:0002097"
    )


def test_has_self_restriction_is_written_self() -> None:
    assert (
        text(":X rdfs:subClassOf [ owl:onProperty :p ; owl:hasSelf true ] .")
        == "http://example.org/t#p Self"
    )


def test_enumeration_is_braced_and_sorted() -> None:
    assert (
        text(":X rdfs:subClassOf [ owl:oneOf ( obo:UBERON_2 obo:UBERON_1 ) ] .")
        == "{UBERON:1, UBERON:2}"
    )


def test_complement_of_a_restriction_parenthesises_it() -> None:
    assert (
        text(f":X rdfs:subClassOf [ owl:complementOf {SOME_SKIN} ] .")
        == "not (RO:0004026 some UBERON:0002097)"
    )


def test_string_literal_is_quoted_and_number_is_bare() -> None:
    assert (
        text(':X rdfs:subClassOf [ owl:onProperty :p ; owl:hasValue "say \\"hi\\"" ] .')
        == 'http://example.org/t#p value "say \\"hi\\""'
    )
    assert (
        text(":X rdfs:subClassOf [ owl:onProperty :p ; owl:hasValue 3.5 ] .")
        == "http://example.org/t#p value 3.5"
    )


def test_restriction_without_a_known_filler_names_its_property() -> None:
    assert (
        text(":X rdfs:subClassOf [ owl:onProperty obo:RO_0004026 ] .") == "RO:0004026 (restriction)"
    )


def test_cyclic_rdf_list_ends() -> None:
    graph, node = superclass(
        ":X rdfs:subClassOf [ owl:unionOf _:l ] . _:l rdf:first :A ; rdf:rest _:l ."
    )
    assert parse(RdflibSource(graph), node) == Expr("or", items=(Expr("named", iri=T + "A"),))


def test_with_labels_appends_the_label_to_labelled_terms_only() -> None:
    name = with_labels({T + "A": "class A"})
    assert (
        to_text(Expr("and", items=(Expr("named", iri=T + "A"), Expr("named", iri=T + "B"))), name)
        == f"{T}A “class A” and {T}B"
    )


def test_operand_text_parenthesises_only_compound_expressions() -> None:
    union = Expr("or", items=(Expr("named", iri=T + "A"), Expr("named", iri=T + "B")))
    assert operand_text(union) == f"({T}A or {T}B)"
    assert operand_text(Expr("named", iri=T + "A")) == f"{T}A"


def test_named_lists_classes_but_not_properties() -> None:
    graph, node = superclass(f":X rdfs:subClassOf [ owl:intersectionOf ( :A {SOME_SKIN} ) ] .")
    assert parse(RdflibSource(graph), node).named() == [
        T + "A",
        "http://purl.obolibrary.org/obo/UBERON_0002097",
    ]


@pytest.mark.parametrize(
    "labels, expected",
    [
        ('"b"@en , "a"@fr , "c"', "c"),  # untagged first
        ('"b"@en , "a"@fr', "b"),  # then English
        ('"zz"@de , "aa"@fr', "aa"),  # then the smallest text
    ],
)
def test_label_of_prefers_untagged_then_english_then_smallest(labels: str, expected: str) -> None:
    graph = rdflib.Graph().parse(data=PREFIXES + f":A rdfs:label {labels} .", format="turtle")
    assert label_of(graph, rdflib.URIRef(T + "A")) == expected


def test_label_of_agrees_with_knowledge_graph_labels(tmp_path: Path) -> None:
    path = tmp_path / "t.ttl"
    path.write_text(
        PREFIXES + ':A a owl:Class ; rdfs:label "b"@en , "a"@fr , "d"@en-GB .\n', encoding="utf-8"
    )
    kg = load([path])
    assert kg.labels[T + "A"] == label_of(kg.graph, rdflib.URIRef(T + "A")) == "b"
