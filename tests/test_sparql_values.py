"""Bindings sent as a VALUES block opening the WHERE group (``sparql_text.with_values``): where
the block goes for every query form, that braces inside strings, IRIs and comments never move it,
that the values stay serialised RDF terms, and that the placed query answers like pyoxigraph's own
substitution of the same terms."""

from __future__ import annotations

import pyoxigraph
import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.query_guard import check_query
from calcinosis_kg.graph.sparql_text import parse_term, where_group_start, with_values

EX = "http://example.org/"
A, B = pyoxigraph.NamedNode(EX + "a"), pyoxigraph.NamedNode(EX + "b")
LABEL = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.extend(
        [
            pyoxigraph.Quad(A, LABEL, pyoxigraph.Literal("alpha {x}")),
            pyoxigraph.Quad(B, LABEL, pyoxigraph.Literal("beta")),
            pyoxigraph.Quad(A, pyoxigraph.NamedNode(EX + "p"), B),
        ]
    )
    return store


def parses(text: str) -> None:
    """pyoxigraph (which answers locally and in serve) reads ``text`` as one query."""
    from calcinosis_kg.core.prefixes import prefix_map

    pyoxigraph.Store().query(text, prefixes=prefix_map())


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 1", "{ ?s"),
        ('PREFIX ex: <http://example.org/> SELECT ?l { ?s ex:p "{" }', '{ ?s ex:p "{" }'),
        ('SELECT ?l # a { comment\nWHERE { ?s ?p ?l FILTER(?l != "}{") }', "{ ?s ?p ?l FILTER"),
        ("ASK { ?s ?p ?l }", "{ ?s ?p ?l }"),
        ("CONSTRUCT { ?s ?p ?l } WHERE { ?s ?p ?l }", "{ ?s ?p ?l }"),
        ("DESCRIBE ?s WHERE { ?s ?p ?l }", "{ ?s ?p ?l }"),
        ("SELECT ?l WHERE { { SELECT ?s ?l WHERE { ?s ?p ?l } } }", "{ { SELECT"),
    ],
)
def test_the_block_opens_the_where_group(text: str, group: str) -> None:
    parses(text)
    at = where_group_start(text)
    assert text[at - 1] == "{" and text[at - 1 :].startswith(group)
    placed = with_values(text, {"s": A})
    assert placed[:at] == text[:at] and placed[at:].startswith(f" VALUES (?s) {{ ({A}) }}\n")
    assert placed.endswith(text[at:])
    parses(placed)  # still one valid query


def test_no_bindings_leave_the_text_alone_and_no_group_is_an_error() -> None:
    assert with_values("SELECT * { ?s ?p ?o }", {}) == "SELECT * { ?s ?p ?o }"
    with pytest.raises(InputError, match="no WHERE group"):
        with_values(f"DESCRIBE <{EX}a>", {"s": A})
    with pytest.raises(InputError, match="long form CONSTRUCT"):
        with_values("CONSTRUCT WHERE { ?s ?p ?o }", {"s": A})


def test_values_stay_serialised_terms(store) -> None:
    hostile = parse_term('"x\\" } } ; DROP ALL # "')
    placed = with_values("SELECT ?s WHERE { ?s ?p ?l }", {"l": hostile})
    check_query(placed)  # the quote and braces stay inside the literal
    assert list(store.query(placed)) == []
    found = store.query(
        with_values("SELECT ?s WHERE { ?s ?p ?l }", {"l": pyoxigraph.Literal("alpha {x}")})
    )
    assert [row["s"] for row in found] == [A]


@pytest.mark.parametrize(
    ("text", "constant"),
    [
        # the same query with ?s bound by VALUES, and with the IRI written in its place (trusted)
        (
            "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY DESC(?l) LIMIT 1",
            "SELECT ?l WHERE { {s} rdfs:label ?l } ORDER BY DESC(?l) LIMIT 1",
        ),
        (
            "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l",  # ?s not projected
            "SELECT ?l WHERE { {s} rdfs:label ?l } ORDER BY ?l",
        ),
        (
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "SELECT (COUNT(*) AS ?n) WHERE { {s} ?p ?o }",
        ),
        ("ASK { ?s <http://example.org/p> ?o }", "ASK { {s} <http://example.org/p> ?o }"),
    ],
)
def test_placed_values_answer_like_the_constant(store, text: str, constant: str) -> None:
    from calcinosis_kg.core.prefixes import prefix_map

    def answer(query: str) -> object:
        found = store.query(query, prefixes=prefix_map())
        if isinstance(found, pyoxigraph.QueryBoolean):
            return bool(found)
        return [[str(row[v]) for v in found.variables if v.value != "s"] for row in found]

    for term in (A, B):
        assert answer(with_values(text, {"s": term})) == answer(
            constant.replace("{s}", str(term))
        ), (text, term)
