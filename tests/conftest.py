"""Shared fixtures: a tiny ontology written to tmp_path, and an in-process CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from loopback import LoopbackListener

TINY_TTL = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://example.org/tiny.owl> a owl:Ontology ; owl:versionInfo "t1" .
CCKG:9000001 a owl:Class ; rdfs:label "tiny calcinosis" ;
    oboInOwl:hasExactSynonym "small calcium deposit" .
CCKG:9000002 a owl:Class ; rdfs:label "tiny dystrophic calcinosis" ;
    rdfs:subClassOf CCKG:9000001 ,
        [ a owl:Restriction ; owl:onProperty RO:0004026 ; owl:someValuesFrom CCKG:9000003 ] .
CCKG:9000003 a owl:Class ; rdfs:label "tiny skin"@en , "petite peau"@fr .
CCKG:9000004 a owl:Class ; rdfs:label "tiny count holder" ; CCKG:9001001 3 .
RO:0004026 a owl:ObjectProperty ; rdfs:label "disease has location" .
"""


@pytest.fixture
def tiny_ontology(tmp_path: Path) -> Path:
    """A five-class Turtle ontology (labels, a synonym, a restriction, a typed value)."""
    path = tmp_path / "tiny.ttl"
    path.write_text(TINY_TTL, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def vignette_rows() -> dict[str, dict]:
    """The classified vignettes by case id, built once for every test that reads them."""
    from calcinosis_kg.cases import pipeline
    from calcinosis_kg.cases.classify import build_classifier

    clf = build_classifier()
    out: dict[str, dict] = {}
    for chunk in pipeline.run([Path(__file__).parent / "cases_data" / "vignettes.csv"], clf):
        out.update({r["case_id"]: r for r in chunk.results.iter_rows(named=True)})
    return out


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run ``calcinosis-kg ARGS`` in-process through ``main``: (exit code, stdout, stderr)."""
    from calcinosis_kg.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = 0
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def connection_recorder():
    """A local listener whose ``connections`` count must stay 0 for hostile inputs."""
    with LoopbackListener(backlog=8) as recorder:
        yield recorder


@pytest.fixture
def sparql_endpoint():
    """Factory: serve a pyoxigraph Store as a SPARQL endpoint on 127.0.0.1 -> (url, handler).

    ``handler.received`` lists the query texts it was sent.
    """
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import parse_qs

    import pyoxigraph

    servers = []

    def start(store):
        class Handler(BaseHTTPRequestHandler):
            received: list[str] = []

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers["Content-Length"])
                query = parse_qs(self.rfile.read(length).decode())["query"][0]
                self.received.append(query)
                body = store.query(query).serialize(format=pyoxigraph.QueryResultsFormat.JSON)
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql", Handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


# --- markers: java, browser, server, slow (registered in pyproject; `make test-fast` leaves them out)
#: modules whose tests start Java almost throughout (HermiT, OWL API, Jena, Spark's JVM); elsewhere
#: a test is java when it carries a skipif whose reason names Java (``requires_java``)
JAVA_MODULES = {
    "test_cases_spark",
    "test_cases_spark_read",
    "test_reasoning",
    "test_cases_hermit",
    "test_negative_entailments",
    "test_locality",
    "test_consumers",
}
#: fixtures that run HermiT or a Spark session for the tests using them
JAVA_FIXTURES = {"reasoned", "facet_probe", "spark_answers"}
#: single tests that start a Spark session of their own (module::name)
JAVA_TESTS = {"test_front_door::test_cases_on_spark_through_the_front_door_agree_with_polars"}


#: serve's modules whose tests start no server (no listener, worker or subprocess): the fast
#: lane's cost bound, the data graph names and the JSON results writer, unit tests of functions
NO_SERVER_MODULES = {"test_serve_cost", "test_serve_graph_names", "test_serve_results"}
#: the tests listed in tests/slow_tests.txt (its header states the rule and the measurement)
SLOW_TESTS = frozenset(
    line
    for line in (Path(__file__).parent / "slow_tests.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by what it starts: a JVM, a headless Chromium (the ``browser``
    fixture) or an HTTP server (tests/test_serve_* but ``NO_SERVER_MODULES``); and ``slow`` for the tests measured at a
    second or more (tests/slow_tests.txt)."""
    for item in items:
        if item.nodeid in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        module = item.path.stem
        reasons = [str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif")]
        fixtures = set(getattr(item, "fixturenames", ()))
        if (
            module in JAVA_MODULES
            or fixtures & JAVA_FIXTURES
            or any("java" in r.lower() for r in reasons)
            or f"{module}::{getattr(item, 'originalname', item.name)}" in JAVA_TESTS
        ):
            item.add_marker(pytest.mark.java)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
        if module.startswith("test_serve_") and module not in NO_SERVER_MODULES:
            item.add_marker(pytest.mark.server)
