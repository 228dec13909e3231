"""The query guard: nesting measured on the parsed query (a chain of triples is flat), and the
guard's own parse under the query's deadline (``run_checked``)."""

from __future__ import annotations

import time

import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph import query_guard
from calcinosis_kg.graph.bounded import QueryTimeout
from calcinosis_kg.graph.query_guard import (
    MAX_NESTING,
    check_bounded,
    check_query,
    nesting,
    remembered,
    run_checked,
)


def chain(count: int) -> str:
    return " ".join(f"?s{i} <http://e/p> ?o{i} ." for i in range(count))


def slow_filter(terms: int = 20_000) -> str:
    """A FILTER of ``terms`` ``||`` terms (229 KB at 20 000; its parse took 121 s at load 10)."""
    return (
        "SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(f"?o={i}" for i in range(terms)) + ") }"
    )


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT * WHERE {{ {chain(84)} }}",
        f"CONSTRUCT {{ {chain(84)} }} WHERE {{ {chain(84)} }}",
        f"SELECT * WHERE {{ {chain(3000)} }}",
        f"CONSTRUCT {{ {chain(3000)} }} WHERE {{ ?s0 ?p ?o0 }}",
        "SELECT * WHERE { ?s " + " ; ".join(f"<http://e/p{i}> ?o{i}" for i in range(2000)) + " }",
    ],
    ids=[
        "84-triples",
        "84-triple-template",
        "3000-triples",
        "3000-triple-template",
        "2000-predicates",
    ],
)
def test_a_flat_pattern_is_never_nested_too_deeply(text: str) -> None:
    assert check_query(text).form in ("select", "construct")


def test_nesting_counts_groups_not_the_length_of_a_chain() -> None:
    from rdflib.plugins.sparql.parser import parseQuery

    flat = nesting(parseQuery(f"SELECT * WHERE {{ {chain(80)} }}"))
    assert flat == nesting(parseQuery(f"SELECT * WHERE {{ {chain(2)} }}"))
    ten = nesting(parseQuery("SELECT * WHERE " + "{ " * 10 + "?s ?p ?o" + " }" * 10))
    twenty = nesting(parseQuery("SELECT * WHERE " + "{ " * 20 + "?s ?p ?o" + " }" * 20))
    assert twenty - ten == 20  # a group is a GroupOrUnionGraphPattern and its content


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE " + "{ " * 3000 + "?s ?p ?o" + " }" * 3000,  # pyoxigraph's stack overflows
        "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 200 + "?o" + ")" * 200 + ") }",
        "SELECT * WHERE {" * 600 + "}" * 600,  # 600 nested sub-selects
    ],
)
def test_deep_nesting_is_refused_before_any_engine(text: str) -> None:
    with pytest.raises(InputError, match="nested too deeply"):
        check_query(text)


def test_nesting_just_under_the_limit_is_accepted() -> None:
    levels = (MAX_NESTING - 3) // 2  # SelectQuery, the outer group, then 2 per nested group
    assert (
        check_query("SELECT * WHERE " + "{ " * levels + "?s ?p ?o" + " }" * levels).form == "select"
    )


def test_the_deadline_covers_the_guards_parse() -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="stopped after 1 s"):
        run_checked(slow_filter(), lambda info: info.form, timeout=1)
    assert time.monotonic() - started < 5  # the parse alone took 121 s
    with pytest.raises(QueryTimeout):
        check_bounded(slow_filter(), timeout=1)


def test_a_text_the_child_accepted_is_remembered_by_the_parent() -> None:
    text = f"SELECT * WHERE {{ {chain(5)} }} # remembered"
    assert remembered(text) is None
    assert run_checked(text, lambda info: info.form, timeout=30) == "select"
    assert remembered(text) is not None and remembered(text).form == "select"
    # known texts are not parsed again: the child would fail if it tried
    original = query_guard._parse_and_check
    try:
        query_guard._parse_and_check = None  # type: ignore[assignment]
        assert run_checked(text, lambda info: info.form, timeout=30) == "select"
    finally:
        query_guard._parse_and_check = original


def test_refusals_come_back_from_the_child_as_themselves() -> None:
    with pytest.raises(query_guard.QueryRefused, match="SERVICE"):
        run_checked(
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            lambda info: None,
            timeout=30,
        )
    with pytest.raises(InputError, match="syntax error") as caught:
        run_checked("SELECT * WHERE {\n ?s ?p }", lambda info: None, timeout=30, source="q.rq")
    assert caught.value.path == "q.rq" and caught.value.line == 2


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("ASK { ?s ?p ?o }", "ask"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://e/a>", "describe"),
    ],
)
def test_the_query_form_is_read_from_the_parse(text: str, form: str) -> None:
    assert check_query(text).form == form


def test_a_text_longer_than_the_limit_is_refused_before_parsing(monkeypatch) -> None:
    text = "SELECT * WHERE { ?s <http://e/length-limit> ?o }"
    monkeypatch.setattr(query_guard, "MAX_QUERY_CHARS", len(text))
    assert check_query(text).form == "select"  # at the limit: read
    with pytest.raises(InputError, match=f"query longer than {len(text)} characters refused"):
        check_query(text + " ")


def test_a_nul_character_is_refused() -> None:
    with pytest.raises(InputError, match="query contains a NUL character"):
        check_query('SELECT * WHERE { ?s ?p "a\x00b" }')


def test_a_grammar_error_that_is_no_parse_error_is_one_line_input_error() -> None:
    # rdflib raises ValueError (not a ParseException) for an escape past U+10FFFF
    with pytest.raises(InputError, match="SPARQL syntax error: Invalid unicode") as caught:
        check_query('SELECT * WHERE { ?s ?p "\\U0011FFFF" }', source="q.rq")
    assert caught.value.path == "q.rq" and "\n" not in str(caught.value)
