"""The fast lane (``serve.fast``): a repeated query whose work a worker proved small is answered
in the server process, with the same bytes as a worker's; anything else still goes to a worker,
where the deadline, the row limit and the memory ceiling hold."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from serve_support import get, running_server

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.sparql_text import with_values
from calcinosis_kg.serve.dataset import build_dataset

ROOT = Path(__file__).resolve().parents[1]
CLASS = "https://w3id.org/calcinosis-kg/CCKG_0000001"
POINT = f"SELECT ?p ?o WHERE {{ <{CLASS}> ?p ?o }}"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def kg_and_dataset():
    kg = load()
    return kg, build_dataset(kg, inferred=False)


@pytest.fixture(scope="module")
def both(kg_and_dataset):
    """(base URL, server) with the fast lane, and the base URL of one without it."""
    kg, dataset = kg_and_dataset
    with (
        running_server(kg, dataset) as (fast, server),
        running_server(kg, dataset, fast_lane=False) as (slow, other),
    ):
        yield fast, server, slow, other


def answered_here(server, query: str, **params: str) -> tuple[bool, tuple]:
    """(answered in the server process, (status, chosen headers, body)) of one GET."""
    base = f"http://127.0.0.1:{server.server_port}"
    before = server.pool.fast_answers
    status, headers, body = get(base, query, **params)
    kept = {k: v for k, v in headers.items() if k.startswith("X-") or k == "Content-Type"}
    return server.pool.fast_answers > before, (status, kept, body)


def settled(server) -> None:
    """Wait until every worker is idle: a worker that wrote its answer itself reports (with
    the verdict) just after the client has the answer."""
    for _ in range(1000):
        if len(server.pool.idle) == server.pool.limits.workers:
            return
        time.sleep(0.01)


def proven(server, query: str, **params: str) -> tuple[bool, tuple]:
    """``answered_here`` of a query sent until a worker has sought its bound: a new text twice
    (a worker accepts it, then, the second time, seeks its bound). The last outcome."""
    outcome = answered_here(server, query, **params)
    settled(server)
    found = [v for k, v in dict(server.pool.verdicts.items).items() if k[0] == query]
    if not (found and found[0].proven):
        outcome = answered_here(server, query, **params)
        settled(server)
    return outcome


def test_a_repeated_point_query_is_answered_in_the_server_process(both) -> None:
    _, server, _, _ = both
    point = f"SELECT ?o ?p WHERE {{ <{CLASS}> ?p ?o }}"  # a text no other test sends
    first, by_worker = proven(server, point)
    second, here = answered_here(server, point)
    assert (first, second) == (False, True)  # a worker proves the bound, then no worker
    assert here == by_worker and here[0] == 200
    assert int(here[1]["X-Result-Rows"]) > 0


def test_the_fast_lane_can_be_turned_off(both) -> None:
    _, _, _, other = both
    for _ in range(3):
        assert answered_here(other, POINT)[0] is False
    assert other.pool.fast_answers == 0


@pytest.mark.parametrize(
    "query",
    [
        # looks small, is not: a cross product of two ?s ?p ?o patterns (LIMIT is not trusted)
        "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 1",
        f"SELECT ?o WHERE {{ <{CLASS}> rdfs:subClassOf* ?o }}",  # a path
        f'SELECT * WHERE {{ <{CLASS}> ?p ?o FILTER(REGEX(CONCAT(STR(?o), STR(?o)), "(a|a)*b")) }}',
        f"SELECT * WHERE {{ <{CLASS}> ?p ?o FILTER EXISTS {{ ?x ?y ?z }} }}",
    ],
)
def test_a_query_that_looks_small_but_is_not_never_takes_the_fast_lane(both, query) -> None:
    _, server, _, _ = both
    outcomes = [proven(server, query)] + [answered_here(server, query) for _ in "ab"]
    assert [here for here, _ in outcomes] == [False, False, False]
    assert outcomes[0][1][0] == 200


def bundled() -> list[str]:
    import pyoxigraph

    bound = {"cq12-class-card": {"class": pyoxigraph.NamedNode(CLASS)}}
    return [
        with_values(path.read_text(), bound.get(path.stem, {}))
        for path in sorted((ROOT / "queries").glob("*.rq"))
    ]


def test_every_bundled_query_answers_the_same_bytes_on_both_lanes(both) -> None:
    _, server, _, other = both
    asks = ["ASK {}", f"ASK {{ <{CLASS}> ?p ?o }}"]
    fast: set[tuple[str, str]] = set()
    for query in [*bundled(), POINT, *asks]:
        for accept in (JSON, "text/csv", "application/sparql-results+xml"):
            proven(server, query, accept=accept)  # a worker proves the bound
            here, answer = answered_here(server, query, accept=accept)
            assert answer == answered_here(other, query, accept=accept)[1], query
            if here:
                fast.add((query, accept))
    # the point query in every format, the ASKs in those an ASK has (CSV is a 406, by a worker)
    assert {(POINT, a) for a in (JSON, "text/csv", "application/sparql-results+xml")} <= fast
    assert {(q, a) for q in asks for a in (JSON, "application/sparql-results+xml")} <= fast
    assert not {(q, "text/csv") for q in asks} & fast


def test_the_row_limit_holds_on_the_fast_lane(kg_and_dataset) -> None:
    with running_server(*kg_and_dataset, row_limit=2) as (_, server):
        proven(server, POINT)
        here, (status, headers, body) = answered_here(server, POINT)
        assert here and status == 200
        assert headers["X-Rows-Truncated"] == "true" and headers["X-Result-Rows"] == "2"
        assert b'"truncated": true' in body or b'"truncated":true' in body


def test_an_answer_too_large_to_hold_goes_to_a_worker_and_stays_there(both) -> None:
    _, server, _, _ = both
    labels = "SELECT ?s ?l WHERE { ?s rdfs:label ?l }"  # 415 rows: bounded, but ~60 KB of terms
    key = (labels, (), (), f"http://127.0.0.1:{server.server_port}/sparql")
    outcomes = [proven(server, labels)]
    assert server.pool.verdicts.get(key).bound is not None  # the worker proved it small
    outcomes += [answered_here(server, labels) for _ in "ab"]
    assert [here for here, _ in outcomes] == [False, False, False]
    assert outcomes[2][1] == outcomes[1][1] == outcomes[0][1]
    assert server.pool.verdicts.get(key).bound is None  # the fast lane is not tried again


def test_a_query_slower_here_than_its_bound_promised_goes_to_a_worker_from_then_on(
    kg_and_dataset, monkeypatch
) -> None:
    from calcinosis_kg.serve import pool

    monkeypatch.setattr(pool, "FAST_CPU", -1.0)  # every answer here counts as too slow
    with running_server(*kg_and_dataset) as (_, server):
        proven(server, POINT)
        outcomes = [answered_here(server, POINT) for _ in "abc"]
        assert [here for here, _ in outcomes] == [True, False, False]
        assert outcomes[0][1] == outcomes[2][1]


def test_fast_answers_go_on_while_a_slow_query_holds_its_worker(kg_and_dataset) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_server(*kg_and_dataset, timeout=2, max_concurrent=1) as (base, server):
        proven(server, POINT)
        outcome: list[int] = []
        thread = threading.Thread(target=lambda: outcome.append(get(base, slow)[0]))
        thread.start()
        time.sleep(0.3)
        for _ in range(5):  # the only worker is busy: these never need it
            started = time.monotonic()
            here, (status, _, _) = answered_here(server, POINT)
            assert here and status == 200 and time.monotonic() - started < 1.0
        thread.join(30)
        assert outcome == [503]  # stopped at its deadline, its worker killed
        assert get(base, "ASK { ?s ?p ?o }")[0] == 200  # a fresh worker answers


def test_an_answer_that_fails_to_write_here_is_answered_by_a_worker(
    kg_and_dataset, monkeypatch
) -> None:
    from calcinosis_kg.serve import fast

    def broken(*args, **kwargs) -> None:
        raise ValueError("a term this writer cannot write")

    with running_server(*kg_and_dataset) as (_, server):
        _, by_worker = proven(server, POINT)
        monkeypatch.setattr(fast, "write_to", broken)  # the server's writer only
        here, answer = answered_here(server, POINT)
        assert here is False and answer == by_worker  # the worker's answer, not a 500
