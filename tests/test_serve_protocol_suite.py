"""The W3C SPARQL 1.1 Protocol test suite, run unchanged against ``calcinosis-kg serve`` (its
graphs loaded with ``IRI=PATH`` DATA arguments) and, as the reference that proves the runner,
against the Oxigraph server. Every query test passes on both (on ``serve``, with and without
its fast lane) (Oxigraph fails one update test,
asserted exactly); on ``serve`` each update request gets the documented refusal (403,
read-only), and the requests that would check its effect are not sent."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import protocol_suite
import pytest
from protocol_suite import check, data_files, send
from serve_support import serve_process
from store_servers import free_port, oxigraph_binary, wait_until_up

SUITE = protocol_suite.tests()


def test_the_suite_is_read_whole() -> None:
    names = [t.name for t in SUITE]
    assert len(names) == 34 and names[0] == "query_post_form"
    assert sum(t.is_update for t in SUITE) == 14
    assert all(t.requests and all(r.statuses for r in t.requests) for t in SUITE)


@pytest.fixture(scope="module")
def serve_address(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("protocol")
    args = [f"{iri}={path}" for iri, path in data_files(folder)]
    with serve_process(*args) as (base, line, _):
        assert "data1.rdf 1" in line and "data0.rdf 0" in line  # the graphs the tests name
        yield base.removeprefix("http://")


def run(
    address: str,
    route: str = "/sparql/",
    update_route: str | None = None,
    refuse_updates: bool = False,
) -> dict[str, str]:
    """{test name: failure} over the whole suite (empty: all pass)."""
    failures: dict[str, str] = {}
    for test in SUITE:
        for index, request in enumerate(test.requests):
            updating = test.is_update and index == 0
            prefix = update_route if update_route and updating else route
            path = prefix + request.path.removeprefix("/sparql/")
            status, media, body = send(address, path, request)
            if refuse_updates and updating and 4 not in request.statuses:
                if status != 403 or b"read-only" not in body:
                    failures[test.name] = f"update not refused as documented: {status} {body!r}"
                break  # what follows checks the update's effect
            problem = check(request, status, media, body)
            if problem:
                failures[test.name] = problem
                break
    return failures


def test_every_query_test_passes_against_serve(serve_address) -> None:
    assert run(serve_address, refuse_updates=True) == {}


def test_every_query_test_passes_again_on_the_fast_lane_and_without_it(tmp_path: Path) -> None:
    # in the first two passes workers accept each query and prove its bound; in the third, the
    # queries proved small are answered in the server process (``serve.fast``); a server
    # without the fast lane passes them all as well
    from serve_support import running_server

    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.serve.dataset import build_dataset

    kg = load()
    dataset = build_dataset(kg, data_files(tmp_path), inferred=False)
    for fast_lane in (True, False):
        with running_server(kg, dataset, fast_lane=fast_lane) as (base, server):
            address = base.removeprefix("http://")
            for _ in range(2):  # a worker accepts each text, then seeks its bound
                assert run(address, refuse_updates=True) == {}
                time.sleep(0.5)  # a worker that wrote its answer itself reports just after
            before = server.pool.fast_answers
            assert run(address, refuse_updates=True) == {}
            assert (server.pool.fast_answers > before) is fast_lane


def test_the_same_runner_passes_every_test_against_the_oxigraph_server(tmp_path: Path) -> None:
    binary = oxigraph_binary()  # never skipped: `make test` installs it (the dev extra)
    assert binary is not None, "the Oxigraph server binary is missing: pip install -e '.[dev]'"
    db = tmp_path / "db"
    for iri, path in data_files(tmp_path):
        if path.stat().st_size:
            subprocess.run(
                [binary, "load", "--location", str(db), "--file", str(path), "--graph", iri],
                check=True,
                capture_output=True,
                timeout=120,
            )
    port = free_port()
    log = tmp_path / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process, 30, log)
        failures = run(f"127.0.0.1:{port}", "/query", "/update")
        # Oxigraph 0.5 answers GET /update?update=… with its service description (200)
        assert list(failures) == ["bad_update_get"]
        assert failures["bad_update_get"].startswith("status 200, expected [4]xx")
    finally:
        process.terminate()
        process.wait(timeout=10)
