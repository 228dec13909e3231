"""The query layer: catalogue, bound parameters, refusals, engines and result shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcinosis_kg.answers.queries import labelled, render, run_query
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.queryfiles import get_query, list_queries
from calcinosis_kg.graph.remote import RemoteEngine
from calcinosis_kg.graph.sparql import QueryRefused, QueryResult
from calcinosis_kg.graph.sparql_text import parse_term, with_values

LABEL_QUERY = "SELECT ?c ?label WHERE { ?c rdfs:label ?label } ORDER BY ?c ?label"
PARAM_QUERY = """\
# title: Parents of a class
# question: What are the direct named parents of ?child?
# parameters: ?child (a class CURIE)
# example-binding: child=CCKG:9000002
SELECT ?parent WHERE { ?child rdfs:subClassOf ?parent . FILTER(isIRI(?parent)) }
"""


@pytest.fixture
def kg(tiny_ontology: Path):
    return load([tiny_ontology])


@pytest.fixture
def query_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "cq01-parents.rq").write_text(PARAM_QUERY)
    (folder / "cq02-labels.rq").write_text("# title: Labels\n" + LABEL_QUERY + "\n")
    return folder


def test_list_queries_reads_title_question_and_parameters(query_dir: Path) -> None:
    first, second = list_queries(query_dir)
    assert (first.name, first.title, first.parameters) == (
        "cq01-parents",
        "Parents of a class",
        ("child",),
    )
    assert first.question == "What are the direct named parents of ?child?"
    assert first.example_bindings == (("child", "CCKG:9000002"),)
    assert (second.name, second.question) == ("cq02-labels", "")


def test_unknown_query_name_lists_nearest_names(monkeypatch, query_dir: Path) -> None:
    import calcinosis_kg.core.resources as resources

    monkeypatch.setattr(resources, "queries_dir", lambda: query_dir)
    with pytest.raises(InputError, match="did you mean: cq01-parents"):
        get_query("cq01-parent")


def test_unique_name_prefix_selects_the_query(monkeypatch, query_dir: Path) -> None:
    import calcinosis_kg.core.resources as resources

    monkeypatch.setattr(resources, "queries_dir", lambda: query_dir)
    assert get_query("cq02").name == "cq02-labels"


def test_missing_query_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="query file not found"):
        get_query(tmp_path / "absent.rq")


def test_curie_binding_is_bound_as_an_iri(kg, query_dir: Path) -> None:
    result = run_query(kg, query_dir / "cq01-parents.rq", {"child": "CCKG:9000002"})
    assert result.rows == [("CCKG:9000001",)]


def test_number_binding_is_a_typed_literal(kg) -> None:
    text = "SELECT ?c WHERE { ?c CCKG:9001001 ?n }"
    assert run_query(kg, text, {"n": "3"}).rows == [("CCKG:9000004",)]
    assert run_query(kg, text, {"n": '"3"'}).rows == []  # a string "3" is another term


def test_language_tagged_binding(kg) -> None:
    result = run_query(kg, "SELECT ?c WHERE { ?c rdfs:label ?l }", {"l": '"petite peau"@fr'})
    assert result.rows == [("CCKG:9000003",)]


def test_binding_text_is_never_pasted_into_the_query(kg) -> None:
    hostile = 'x" } UNION { ?c ?p ?o } #'  # bare text: one plain literal
    result = run_query(kg, "SELECT ?c WHERE { ?c rdfs:label ?l }", {"l": hostile})
    assert result.rows == []


def test_binding_for_a_missing_variable_is_an_input_error(kg, query_dir: Path) -> None:
    with pytest.raises(InputError, match=r"no variable \?kid"):
        run_query(kg, query_dir / "cq01-parents.rq", {"kid": "CCKG:9000002"})


def test_curie_with_unknown_prefix_is_an_input_error(kg, query_dir: Path) -> None:
    with pytest.raises(InputError, match="unknown prefix 'CCGK:'"):
        run_query(kg, query_dir / "cq01-parents.rq", {"child": "CCGK:9000002"})


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_syntax_error_names_file_line_and_column(kg, tmp_path: Path, engine: str) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("# comment\nSELECT ?s WHERE {\n  ?s ?p\n}\n")
    with pytest.raises(InputError, match="SPARQL syntax error") as info:
        run_query(kg, path, engine=engine)
    assert info.value.path == str(path)
    assert info.value.line is not None and 3 <= info.value.line <= 5  # parsers differ
    assert info.value.column is not None


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_clause_is_refused_without_connecting(kg, connection_recorder, engine: str) -> None:
    text = f"SELECT * WHERE {{\n  SERVICE <{connection_recorder.url}sparql> {{ ?s ?p ?o }}\n}}"
    with pytest.raises(QueryRefused) as info:
        run_query(kg, text, engine=engine)
    assert (info.value.line, info.value.column) == (2, 3)
    assert connection_recorder.connections == 0


def test_service_inside_a_string_or_comment_is_not_refused(kg) -> None:
    text = '# SERVICE here is a comment\nSELECT ?c WHERE { ?c rdfs:label "SERVICE" }'
    assert run_query(kg, text).rows == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_from_graphs_are_refused_without_loading(kg, connection_recorder, engine: str) -> None:
    text = f"SELECT * FROM <{connection_recorder.url}g.ttl> WHERE {{ ?s ?p ?o }}"
    with pytest.raises(QueryRefused, match="FROM"):
        run_query(kg, text, engine=engine)
    assert connection_recorder.connections == 0


def test_label_column_follows_each_iri_column(kg, query_dir: Path) -> None:
    result = run_query(kg, query_dir / "cq01-parents.rq", {"child": "CCKG:9000002"})
    columns, rows = labelled(result)
    assert columns == ["parent", "parent_label"]
    assert rows == [("CCKG:9000001", "tiny calcinosis")]


def test_ask_query_gives_one_boolean_row(kg) -> None:
    result = run_query(kg, "ASK { CCKG:9000002 rdfs:subClassOf CCKG:9000001 }")
    assert (result.kind, result.columns, result.rows) == ("ask", ["ask"], [("true",)])


def test_engines_agree_on_the_tiny_ontology(kg) -> None:
    ox = run_query(kg, LABEL_QUERY, engine="oxigraph")
    rd = run_query(kg, LABEL_QUERY, engine="rdflib")
    assert sorted(ox.rows) == sorted(rd.rows) and len(ox.rows) == 6


def test_engines_agree_on_every_bundled_query() -> None:
    kg = load()
    for query in list_queries():
        bindings = dict(query.example_bindings)
        ox = run_query(kg, query, bindings, engine="oxigraph")
        rd = run_query(kg, query, bindings, engine="rdflib")
        assert sorted(ox.rows, key=str) == sorted(rd.rows, key=str), query.name


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "parent,parent_label\nCCKG:9000001,tiny calcinosis\n"),
        ("tsv", "parent\tparent_label\nCCKG:9000001\ttiny calcinosis\n"),
    ],
)
def test_delimited_output(kg, query_dir: Path, fmt: str, expected: str) -> None:
    result = run_query(kg, query_dir / "cq01-parents.rq", {"child": "CCKG:9000002"})
    assert render(result, fmt) == expected


def test_json_output_has_columns_and_row_objects(kg, query_dir: Path) -> None:
    result = run_query(kg, query_dir / "cq01-parents.rq", {"child": "CCKG:9000002"})
    data = json.loads(render(result, "json"))
    assert data == {
        "columns": ["parent", "parent_label"],
        "rows": [{"parent": "CCKG:9000001", "parent_label": "tiny calcinosis"}],
    }


def test_table_output_is_aligned_with_a_row_count(kg) -> None:
    lines = render(run_query(kg, LABEL_QUERY), "table").splitlines()
    assert lines[0].split() == ["c", "c_label", "label"]
    assert lines[-1] == "(6 rows)"
    start = lines[0].index("c_label")
    assert all(line[start - 1] == " " and line[start] != " " for line in lines[2:-1])


def test_inferred_adds_the_reasoner_hierarchy(kg, monkeypatch) -> None:
    import rdflib

    from calcinosis_kg.checks import inferred

    def inferred_graph(_kg):
        graph = rdflib.Graph()
        graph.add(
            (
                rdflib.URIRef("https://w3id.org/calcinosis-kg/CCKG_9000004"),
                rdflib.RDFS.subClassOf,
                rdflib.URIRef("https://w3id.org/calcinosis-kg/CCKG_9000001"),
            )
        )
        return graph

    monkeypatch.setattr(inferred, "inferred_graph", inferred_graph)
    text = "SELECT ?c WHERE { ?c rdfs:subClassOf CCKG:9000001 } ORDER BY ?c"
    assert run_query(kg, text).rows == [("CCKG:9000002",)]
    assert run_query(kg, text, inferred=True).rows == [("CCKG:9000002",), ("CCKG:9000004",)]


@pytest.fixture
def endpoint(kg, sparql_endpoint):
    return sparql_endpoint(kg.store)


def test_remote_engine_answers_like_the_local_store(kg, endpoint, query_dir: Path) -> None:
    url, handler = endpoint
    path = query_dir / "cq01-parents.rq"
    remote = run_query(None, path, {"child": "CCKG:9000002"}, engine=RemoteEngine(url))
    local = run_query(kg, path, {"child": "CCKG:9000002"})
    assert labelled(remote) == labelled(local)
    sent = handler.received[0]
    # the binding opens the WHERE group as a serialised term; the rest of the text is unchanged
    assert "WHERE { VALUES (?child) { (<https://w3id.org/calcinosis-kg/CCKG_9000002>) }\n" in sent
    assert sent.endswith(with_values(PARAM_QUERY, {"child": parse_term("CCKG:9000002")}))


def test_remote_engine_refuses_non_http_endpoints() -> None:
    with pytest.raises(InputError, match="only http"):
        RemoteEngine("file:///etc/passwd")


def test_query_text_without_braces_is_not_mistaken_for_a_name(kg) -> None:
    result = run_query(kg, "DESCRIBE CCKG:9000004")
    assert (
        result.kind == "graph"
        and ("CCKG:9000004", "rdfs:label", "tiny count holder") in result.rows
    )


def test_tsv_keeps_quotes_and_escapes_tabs_newlines_reversibly() -> None:
    result = QueryResult(columns=["quote"], rows=[('he said "no"\tthen\nleft\\',), (None,)])
    assert render(result, "tsv") == 'quote\nhe said "no"\\tthen\\nleft\\\\\n\n'


def test_prefix_of_several_query_names_lists_them_all(monkeypatch, query_dir: Path) -> None:
    import calcinosis_kg.core.resources as resources

    monkeypatch.setattr(resources, "queries_dir", lambda: query_dir)
    names = [q.name for q in list_queries(query_dir)]
    with pytest.raises(InputError, match="ambiguous query 'cq0'") as error:
        get_query("cq0")
    assert all(name in str(error.value) for name in names if name.startswith("cq0"))
