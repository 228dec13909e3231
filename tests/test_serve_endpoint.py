"""``calcinosis-kg serve``: the SPARQL 1.1 Protocol endpoint answers like the embedded engine, in
every negotiated format, and refuses or bounds everything a public endpoint must not do."""

from __future__ import annotations

import json
import time
import urllib.parse
from pathlib import Path

import pytest
import rdflib
from serve_support import CASE_TTL, get, http, running, serve_process

from calcinosis_kg.answers.queries import run_query
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset
from calcinosis_kg.serve.graph_names import ASSERTED, INFERRED

CQ03 = "cq03-metastatic-most-frequent-cause"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    cases = tmp_path_factory.mktemp("serve") / "cases.ttl"
    cases.write_text(CASE_TTL, encoding="utf-8")
    kg = load()
    dataset = build_dataset(kg, [cases])
    with running(kg, dataset) as base:
        yield kg, dataset, base


def bindings(body: bytes) -> list[dict[str, str]]:
    return [
        {k: v["value"] for k, v in row.items()} for row in json.loads(body)["results"]["bindings"]
    ]


def test_bundled_query_over_http_gives_the_embedded_engines_rows(served) -> None:
    kg, _, base = served
    status, headers, body = http(f"{base}/queries/{CQ03}")
    assert status == 200 and headers["Content-Type"].startswith("application/sparql-results+json")
    local = run_query(kg, CQ03)
    from calcinosis_kg.core.prefixes import compress

    remote = [
        tuple(
            None if row.get(c) is None else compress(row[c]) if c in local.iri_columns else row[c]
            for c in local.columns
        )
        for row in bindings(body)
    ]
    assert remote == local.rows and local.rows


def test_bundled_query_parameters_are_bound_like_bind(served) -> None:
    kg, _, base = served
    status, _, body = http(f"{base}/queries/cq12?class=CCKG:0000001")
    assert status == 200
    local = run_query(kg, "cq12-class-card", {"class": "CCKG:0000001"})
    assert len(bindings(body)) == len(local.rows) > 5
    status, _, body = http(f"{base}/queries/cq12?nosuchvar=1")
    assert status == 400 and b"?nosuchvar" in body
    assert http(f"{base}/queries/..%2Fetc%2Fpasswd")[0] == 404


def test_named_graphs_hold_asserted_inferred_and_case_data(served) -> None:
    _, dataset, base = served
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    counts = {row["g"]: int(row["n"]) for row in bindings(get(base, query)[2])}
    assert counts == dataset.graphs
    assert counts[INFERRED] > 0 and counts[ASSERTED] > 1000
    case_graph = next(g for g in counts if g.endswith("/data/cases"))
    assert counts[case_graph] == 4
    # the default graph is the union: case data and ontology answer together
    union = bindings(get(base, 'SELECT ?s WHERE { ?s rdfs:label "case one" }')[2])
    assert union == [{"s": "https://w3id.org/calcinosis-kg/case/c1"}]
    only_asserted = get(
        base, 'SELECT ?s WHERE { ?s rdfs:label "case one" }', **{"default-graph-uri": ASSERTED}
    )
    assert only_asserted[0] == 200 and bindings(only_asserted[2]) == []


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_select_results_are_negotiated_and_parse_with_rdflib(served, accept, media) -> None:
    from rdflib.query import Result

    _, _, base = served
    query = "SELECT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY ?s ?l LIMIT 7"
    status, headers, body = get(base, query, accept)
    assert status == 200 and headers["Content-Type"].split(";")[0] == media
    fmt = {
        "application/sparql-results+json": "json",
        "application/sparql-results+xml": "xml",
        "text/csv": "csv",
        "text/tab-separated-values": "tsv",
    }[media]
    import io

    parsed = Result.parse(io.BytesIO(body), format=fmt)
    assert len(list(parsed)) == 7


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_results_are_negotiated_graphs(served, accept, fmt) -> None:
    _, _, base = served
    query = "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l } "
    status, headers, body = get(base, query, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    graph = rdflib.Graph().parse(data=body, format=fmt)
    assert len(graph) == int(headers["X-Result-Rows"]) > 100


def test_unacceptable_format_is_406(served) -> None:
    _, _, base = served
    assert get(base, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png")[0] == 406
    assert get(base, "ASK { ?s ?p ?o }", "application/sparql-results+json")[0] == 200


@pytest.mark.parametrize(
    "update",
    [
        'INSERT DATA { <urn:a> <urn:b> "c" }',
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://127.0.0.1:9/x.ttl>",
        "CLEAR ALL",
    ],
)
def test_updates_are_refused_every_way_they_can_arrive(served, update) -> None:
    _, dataset, base = served
    before = len(dataset.store)
    assert get(base, update)[0] == 403
    form = urllib.parse.urlencode({"update": update}).encode()
    assert (
        http(f"{base}/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})[0]
        == 403
    )
    assert (
        http(f"{base}/sparql", update.encode(), {"Content-Type": "application/sparql-update"})[0]
        == 403
    )
    assert (
        http(f"{base}/sparql", update.encode(), {"Content-Type": "application/sparql-query"})[0]
        == 403
    )
    assert len(dataset.store) == before


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ OPTIONAL {{ SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
    ],
)
def test_service_is_refused_on_the_parsed_query(served, connection_recorder, template) -> None:
    _, _, base = served
    status, _, body = get(base, template.format(url=connection_recorder.url))
    assert status == 403 and b"SERVICE" in body
    time.sleep(0.2)
    assert connection_recorder.connections == 0


def test_remote_from_graphs_are_refused(served, connection_recorder) -> None:
    _, _, base = served
    url = connection_recorder.url
    for query, extra in [
        (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
        (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": url}),
        ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": url}),
    ]:
        status, _, body = get(base, query, **extra)
        assert status == 400 and b"not held by this endpoint" in body
    time.sleep(0.2)
    assert connection_recorder.connections == 0
    ok = get(base, f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}")
    assert ok[0] == 200


def test_syntax_errors_are_one_line_400s_without_traces(served) -> None:
    _, _, base = served
    status, headers, body = get(base, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400 and body.decode().count("\n") == 1
    assert b"syntax error" in body and b"Traceback" not in body
    assert get(base, "")[0] == 400


def test_post_form_and_direct_query_give_the_same_answer(served) -> None:
    _, _, base = served
    query = "SELECT ?s WHERE { ?s a owl:Class } ORDER BY ?s LIMIT 5"
    form = urllib.parse.urlencode({"query": query}).encode()
    a = http(f"{base}/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    b = http(f"{base}/sparql", query.encode(), {"Content-Type": "application/sparql-query"})
    assert a[0] == b[0] == 200 and a[2] == b[2] == get(base, query)[2]


def test_row_limit_cuts_and_says_so(served) -> None:
    kg, dataset, _ = served
    with running(kg, dataset, row_limit=3) as base:
        status, headers, body = get(base, "SELECT ?s WHERE { ?s a owl:Class }")
        data = json.loads(body)
        assert status == 200 and len(data["results"]["bindings"]) == 3
        assert headers["X-Row-Limit"] == "3" and headers["X-Rows-Truncated"] == "true"
        assert data["limits"] == {"rowLimit": 3, "truncated": True, "timeoutSeconds": 10.0}
        _, headers, body = get(base, "SELECT ?s WHERE { ?s a owl:Class } LIMIT 3")
        assert headers["X-Rows-Truncated"] == "false"
        assert not json.loads(body)["limits"]["truncated"]
        _, headers, body = get(base, "CONSTRUCT WHERE { ?s a owl:Class }", "text/turtle")
        assert headers["X-Rows-Truncated"] == "true" and headers["X-Result-Rows"] == "3"


def test_timeout_stops_the_query_and_the_server_keeps_answering(served) -> None:
    kg, dataset, _ = served
    with running(kg, dataset, timeout=0.5, max_concurrent=1) as base:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        for _ in range(2):  # with one slot, the second would wait forever if the first lived on
            started = time.monotonic()
            status, headers, body = get(base, slow)
            assert status == 503 and b"0.5 s" in body and headers["X-Query-Timeout"] == "0.5"
            assert time.monotonic() - started < 5
        assert get(base, "ASK { ?s ?p ?o }")[0] == 200


def test_request_size_limits(served) -> None:
    kg, dataset, _ = served
    with running(kg, dataset, max_body=1000, max_url=2000) as base:
        big = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 2000).encode()
        status, _, body = http(f"{base}/sparql", big, {"Content-Type": "application/sparql-query"})
        assert status == 413 and b"1000 bytes" in body
        assert get(base, "ASK { ?s ?p ?o } #" + "x" * 3000)[0] == 414
        assert get(base, "ASK { ?s ?p ?o }")[0] == 200


def test_writes_by_http_method_are_refused(served) -> None:
    _, _, base = served
    assert http(f"{base}/sparql", b"x", {"Content-Type": "text/turtle"}, method="PUT")[0] == 405


def test_binds_loopback_by_default(served) -> None:
    from calcinosis_kg.serve.front import make_server

    kg, dataset, _ = served
    server = make_server(kg, dataset, port=0, quiet=True)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


def test_serve_command_reports_a_missing_data_file(run_cli, tmp_path: Path) -> None:
    code, _, err = run_cli("serve", str(tmp_path / "missing.ttl"), "--no-inferred", "--port", "0")
    assert code == 2 and "missing.ttl" in err and "Traceback" not in err


def test_concurrent_clients_all_get_the_same_answer(served) -> None:
    import threading

    _, _, base = served
    query = "SELECT ?s WHERE { ?s rdfs:subClassOf* CCKG:0000001 } ORDER BY ?s"
    expected = get(base, query)
    results: list[tuple[int, bytes]] = []

    def client() -> None:
        for _ in range(5):
            status, _, body = get(base, query)
            results.append((status, body))

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 30
    assert all(r == (200, expected[2]) for r in results)


def test_the_serve_command_listens_on_loopback_and_answers() -> None:
    with serve_process("--row-limit", "2") as (base, _, _):
        status, headers, body = get(base, "SELECT ?s WHERE { ?s a owl:Class }")
        assert status == 200 and headers["X-Row-Limit"] == "2"
        assert len(json.loads(body)["results"]["bindings"]) == 2


METASTATIC = "https://w3id.org/calcinosis-kg/CCKG_0000003"


def test_explorer_api_lists_queries_searches_and_answers_class_cards(served) -> None:
    kg, _, base = served
    status, _, body = http(f"{base}/queries")
    names = [q["name"] for q in json.loads(body)]
    from calcinosis_kg.graph.queryfiles import list_queries

    assert status == 200 and names == [q.name for q in list_queries()]
    from calcinosis_kg.answers.search import search

    status, _, body = http(f"{base}/api/search?q=calciphylaxis")
    assert status == 200
    assert [h["curie"] for h in json.loads(body)] == [
        h.curie for h in search(kg, "calciphylaxis", limit=25)
    ]
    from calcinosis_kg.answers.show import card
    from calcinosis_kg.answers.show_render import to_dict

    shown = json.loads(json.dumps(to_dict(card(kg, METASTATIC))))  # what `show --format json` says
    for asked in ("CCKG:0000003", METASTATIC, "metastatic%20calcinosis%20cutis"):
        status, _, body = http(f"{base}/api/card?class={asked}")
        served = json.loads(body)
        assert status == 200 and served.pop("iri") == METASTATIC
        assert served == shown
    assert shown["term"]["label"] == "metastatic calcinosis cutis"
    assert "CCKG:0000001" in [p["curie"] for p in shown["parents"]]
    assert shown["definition_notes"] and [s for s in shown["sections"] if s["group"] == "causes"]
    status, _, body = http(f"{base}/api/card?class=CCKG:9999999")
    assert status == 404 and b"no term" in body
    status, _, body = http(f"{base}/api/card?class=cutis")
    assert status == 400 and b"matches" in body  # several terms: listed, never one picked
    assert http(f"{base}/api/card?class=%22text%22")[0] == 400
    assert http(f"{base}/static/../../pyproject.toml")[0] == 404


def test_a_query_past_the_memory_ceiling_is_stopped_and_the_server_lives(served) -> None:
    kg, dataset, _ = served
    with running(kg, dataset, memory_mb=64, timeout=60) as base:
        huge = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c LIMIT 1"
        started = time.monotonic()
        status, _, body = get(base, huge)
        assert status == 503 and b"64 MB" in body
        assert time.monotonic() - started < 60
        assert get(base, "ASK { ?s ?p ?o }")[0] == 200


def test_the_servers_query_children_write_nothing_to_its_stderr(capfd) -> None:
    """serve runs queries through ``graph.bounded`` with ``quiet``: a child's crash output (Rust's
    abort message under the memory ceiling) never reaches the server's log; the CLI's does."""
    import os

    from calcinosis_kg.graph.bounded import run_bounded

    def noisy() -> int:
        os.write(2, b"child noise\n")
        return 7

    assert run_bounded(noisy, 30, quiet=True) == 7
    assert "child noise" not in capfd.readouterr().err
    assert run_bounded(noisy, 30) == 7
    assert "child noise" in capfd.readouterr().err


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("SELECT * WHERE { SERV\\u0049CE <http://127.0.0.1:9/> { ?s ?p ?o } }", 403),
        (
            "SELECT * WHERE { OPTIONAL { { SELECT ?s WHERE { SERVICE SILENT ?x { ?s ?p ?o } } } } }",
            403,
        ),
        ("LOAD <http://127.0.0.1:9/x.ttl>", 403),
        ('SELECT * WHERE { ?s ?p "\x00" }', 400),  # the shared guard's NUL check
        ("SELECT * WHERE { " + "?s ?p ?o . " * 100_000 + "}", 400),  # its length limit
    ],
)
def test_the_server_refuses_exactly_what_the_shared_query_guard_refuses(text, status) -> None:
    """serve's guard is ``graph.query_guard`` plus its own FROM check: the CLI and the server
    refuse the same texts (403 for SERVICE and updates, 400 for what the guard cannot read)."""
    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.graph.query_guard import check_query as shared
    from calcinosis_kg.serve.guard import Refused, check_query

    with pytest.raises(InputError) as cli:
        shared(text, allow_dataset=True)
    with pytest.raises(Refused) as served:
        check_query(text, {"urn:g"})
    assert served.value.status == status
    assert " ".join(cli.value.message.split()) in served.value.message


def test_a_long_chain_with_a_dataset_clause_is_read_like_the_same_chain_without_one() -> None:
    """The FROM IRIs are read on the guard's deep-stack parse (``guard.parsed``): a chain of 300
    triples the shared guard accepts is not refused as "nested too deeply" because of a FROM."""
    from calcinosis_kg.serve.guard import check_query

    chain = " . ".join(f"?s{i} <urn:p> ?s{i + 1}" for i in range(300))
    checked = check_query(f"SELECT * FROM <urn:g> WHERE {{ {chain} }}", {"urn:g"})
    assert checked.from_graphs == ("urn:g",) and checked.has_dataset
