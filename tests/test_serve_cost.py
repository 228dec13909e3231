"""The fast lane's ticket (``serve.cost``): a work bound proven on the parsed algebra from the
store's own counts, and none for anything whose cost it cannot prove."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import URIRef

from calcinosis_kg.serve.cost import FAST_BOUND, Unbounded, _Counter, fast_bound, work_bound
from calcinosis_kg.serve.guard import parsed

EX = "http://example.org/"
BASE = "http://127.0.0.1:8000/sparql"


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    """``ex:a`` has 3 properties, ``ex:b`` 2; 150 ``ex:n`` nodes; all in one named graph."""
    store = pyoxigraph.Store()
    graph = pyoxigraph.NamedNode(EX + "g")

    def add(s: str, p: str, o: pyoxigraph.NamedNode | pyoxigraph.Literal) -> None:
        store.add(
            pyoxigraph.Quad(pyoxigraph.NamedNode(EX + s), pyoxigraph.NamedNode(EX + p), o, graph)
        )

    for n in range(3):
        add("a", f"p{n}", pyoxigraph.Literal(f"a{n}"))
    for n in range(2):
        add("b", f"p{n}", pyoxigraph.NamedNode(EX + "a"))
    for n in range(150):
        add(f"n{n}", "next", pyoxigraph.NamedNode(EX + f"n{n + 1}"))
    return store


def bound(text: str, store: pyoxigraph.Store) -> int | None:
    try:
        return work_bound(parsed(text, BASE), store)
    except Unbounded:
        return None


def test_a_point_query_is_bounded_by_the_quads_its_subject_has(store) -> None:
    assert bound(f"SELECT ?p ?o WHERE {{ <{EX}a> ?p ?o }}", store) == 3
    assert bound(f"ASK {{ <{EX}b> ?p ?o }}", store) == 2
    assert fast_bound(f"SELECT ?p ?o WHERE {{ <{EX}a> ?p ?o }}", BASE, store) == 3


def test_a_join_is_bounded_by_the_product_and_a_union_by_the_sum(store) -> None:
    join = f"SELECT * WHERE {{ <{EX}a> ?p ?o . <{EX}b> ?q ?r }}"
    assert bound(join, store) == 3 * 2
    union = f"SELECT * WHERE {{ {{ <{EX}a> ?p ?o }} UNION {{ <{EX}b> ?p ?o }} }}"
    assert bound(union, store) == 3 + 2 + 1
    optional = f"SELECT * WHERE {{ <{EX}a> ?p ?o OPTIONAL {{ <{EX}b> ?q ?r }} }}"
    assert bound(optional, store) == (3 + 1) * (2 + 1)


def test_a_pattern_matching_no_quad_still_counts_one_so_no_partial_join_escapes(store) -> None:
    # ex:none matches nothing, but an engine may still enumerate ?s ?p ?o first
    text = f"SELECT * WHERE {{ ?s ?p ?o . <{EX}none> ?q ?r }}"
    assert bound(text, store) == len(store)


def test_literals_count_as_variables_so_the_count_is_never_too_low(store) -> None:
    # rdflib and pyoxigraph may write a literal differently ("01" vs "1"): never counted as such
    assert bound(f'SELECT ?s WHERE {{ ?s <{EX}p0> "a0" }}', store) == 2  # every ex:p0
    assert bound('SELECT ?s WHERE { ?s ?p "a0" }', store) == len(store)


def test_filters_and_binds_of_linear_functions_are_bounded(store) -> None:
    text = (
        f"SELECT ?o ?l WHERE {{ <{EX}a> ?p ?o FILTER(isLiteral(?o) && STRLEN(STR(?o)) > 1 "
        f'&& LANG(?o) = "" && ?o IN ("a0", "a1")) BIND(UCASE(?o) AS ?l) }} ORDER BY ?o LIMIT 2'
    )
    assert bound(text, store) == 3 * 2  # n log n for ORDER BY (3 * bit_length(3))


def test_count_and_the_other_linear_aggregates_are_bounded(store) -> None:
    text = f"SELECT ?p (COUNT(?o) AS ?n) (MAX(?o) AS ?m) WHERE {{ <{EX}a> ?p ?o }} GROUP BY ?p"
    assert bound(text, store) == 3


@pytest.mark.parametrize(
    "text",
    [
        # a cross product of two all-variable patterns: 155 x 155, past the threshold
        "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 1",
        # property paths: * and +, and even a plain sequence (no count proves it)
        f"SELECT * WHERE {{ <{EX}n0> <{EX}next>* ?o }}",
        f"SELECT * WHERE {{ <{EX}n0> <{EX}next>+ ?o }}",
        f"SELECT * WHERE {{ <{EX}n0> <{EX}next>/<{EX}next> ?o }}",
        # functions whose cost or result is not linear in their inputs
        f'SELECT * WHERE {{ <{EX}a> ?p ?o FILTER(REGEX(STR(?o), "(a+)+$")) }}',
        f"SELECT * WHERE {{ <{EX}a> ?p ?o FILTER(STRLEN(CONCAT(?o, CONCAT(?o, ?o))) > 1) }}",
        f'SELECT * WHERE {{ <{EX}a> ?p ?o FILTER(STRLEN(REPLACE(?o, "a", "aa")) > 1) }}',
        f"SELECT * WHERE {{ <{EX}a> ?p ?o FILTER(STRLEN(SHA512(STR(?o))) > 1) }}",
        f"SELECT * WHERE {{ <{EX}a> ?p ?o FILTER EXISTS {{ ?s ?q ?r }} }}",
        f"SELECT (GROUP_CONCAT(?o) AS ?all) WHERE {{ <{EX}a> ?p ?o }}",
        # other forms
        f"CONSTRUCT WHERE {{ <{EX}a> ?p ?o }}",
        f"DESCRIBE <{EX}a>",
    ],
)
def test_what_the_bound_cannot_prove_small_gets_no_bound(store, text: str) -> None:
    with pytest.raises(Unbounded):
        _Counter(store).pattern(_algebra(text))  # the algebra itself
    assert fast_bound(text, BASE, store) is None


def _algebra(text: str):
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    algebra = translateQuery(parseQuery(text), base=BASE).algebra
    if algebra.name not in ("SelectQuery", "AskQuery"):
        raise Unbounded
    return algebra.p


def test_a_pattern_past_the_threshold_is_unbounded_without_counting_it_all(store) -> None:
    counter = _Counter(store, limit=10)
    with pytest.raises(Unbounded):
        counter.count(None, None, None)
    assert counter.count(URIRef(EX + "a"), None, None) == 3
    assert _Counter(store).limit == FAST_BOUND == 1_000


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { <a> ?p ?o }",  # relative: resolved against the endpoint's URL
        f"BASE <{EX}> SELECT * WHERE {{ <{EX}a> ?p ?o }}",
        f"PREFIX ex: <rel/> SELECT * WHERE {{ <{EX}a> ?p ?o }}",
        f"SELECT * WHERE {{ <{EX}x/../a> ?p ?o }}",  # dot segments
        f"SELECT * WHERE {{ <{EX}\\u0061> ?p ?o }}",  # an escape
    ],
)
def test_iris_two_parsers_might_read_differently_get_no_bound(store, text: str) -> None:
    assert fast_bound(text, BASE, store) is None


def test_a_text_slow_for_pyoxigraph_to_read_gets_no_bound_even_if_its_work_is_one(store) -> None:
    slow = "ASK { FILTER(" + "||".join(["1"] * 1300) + ") }"  # 370 ms to parse, measured
    assert bound(slow, store) == 1
    assert fast_bound(slow, BASE, store) is None
    assert fast_bound("ASK { FILTER(" + "||".join(["1"] * 20) + ") }", BASE, store) == 1


def test_a_long_text_gets_no_bound(store, monkeypatch) -> None:
    from calcinosis_kg.serve import cost

    monkeypatch.setattr(cost, "parse_seconds", lambda text, base: 0.0)  # only the length refuses
    padding = "# " + "x" * 5000 + "\n"
    assert fast_bound(padding + f"ASK {{ <{EX}a> ?p ?o }}", BASE, store) is None
    assert fast_bound(f"ASK {{ <{EX}a> ?p ?o }}", BASE, store) == 3
