"""Who may read a server's answers: CORS (case data are not readable cross-origin by default)
and the Host check against DNS rebinding (``serve.access``)."""

from __future__ import annotations

import http.client as httpclient

import pytest
from serve_support import CASE_TTL, http, running

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.access import Access
from calcinosis_kg.serve.dataset import build_dataset

ASK = "/sparql?query=ASK%7B%7D"


@pytest.fixture(scope="module")
def kg():
    return load()


@pytest.fixture(scope="module")
def with_cases(kg, tmp_path_factory: pytest.TempPathFactory):
    cases = tmp_path_factory.mktemp("access") / "cases.ttl"
    cases.write_text(CASE_TTL, encoding="utf-8")
    return build_dataset(kg, [cases], inferred=False)


def raw_get(base: str, path: str, host: str, origin: str | None = None) -> tuple[int, dict]:
    """A GET with a chosen Host header (urllib always sends the real one)."""
    address = base.removeprefix("http://")
    connection = httpclient.HTTPConnection(address, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        if origin:
            connection.putheader("Origin", origin)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status, dict(response.headers)
    finally:
        connection.close()


def test_the_ontology_alone_is_readable_from_any_origin(kg) -> None:
    with running(kg, build_dataset(kg, inferred=False)) as base:
        _, headers, _ = http(f"{base}{ASK}", headers={"Origin": "https://example.org"})
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert "X-Rows-Truncated" in headers["Access-Control-Expose-Headers"]


def test_case_data_are_not_readable_cross_origin_by_default(kg, with_cases) -> None:
    with running(kg, with_cases) as base:
        status, headers, _ = http(f"{base}{ASK}", headers={"Origin": "https://evil.example"})
        assert status == 200 and "Access-Control-Allow-Origin" not in headers
        status, headers, _ = http(
            f"{base}/sparql",
            method="OPTIONS",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "Access-Control-Allow-Origin" not in headers


def test_an_allowed_origin_reads_case_data(kg, with_cases) -> None:
    with running(kg, with_cases, allow_origins=("https://clinic.example",)) as base:
        _, headers, _ = http(f"{base}{ASK}", headers={"Origin": "https://clinic.example"})
        assert headers["Access-Control-Allow-Origin"] == "https://clinic.example"
        assert "Origin" in headers["Vary"]
        _, headers, _ = http(f"{base}{ASK}", headers={"Origin": "https://other.example"})
        assert "Access-Control-Allow-Origin" not in headers


def test_preflight_grants_the_standard_request_headers(kg) -> None:
    with running(kg, build_dataset(kg, inferred=False)) as base:
        status, headers, _ = http(
            f"{base}/sparql",
            method="OPTIONS",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, x-requested-with, content-type",
            },
        )
        assert status == 204 and headers["Access-Control-Allow-Origin"] == "*"
        granted = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "x-requested-with", "content-type", "accept"} <= granted
        assert "POST" in headers["Access-Control-Allow-Methods"]


def test_a_host_that_does_not_name_the_server_is_refused(kg, with_cases) -> None:
    with running(kg, with_cases) as base:
        port = base.rsplit(":", 1)[1]
        assert raw_get(base, ASK, f"rebound.attacker.example:{port}")[0] == 403
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "127.0.0.1"):
            assert raw_get(base, ASK, host)[0] == 200, host
    with running(kg, with_cases, allow_hosts=("kg.example.org",)) as base:
        assert raw_get(base, ASK, "kg.example.org")[0] == 200
        assert raw_get(base, ASK, "other.example.org")[0] == 403


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("[::1]:8000", True),
        ("LOCALHOST", True),
        ("app.localhost", True),
        ("10.1.2.3", True),
        ("evil.example:8000", False),
        ("127.0.0.1.evil.example", False),
        ("localhost.evil.example", False),
        ("a:b:c", False),
        ("[::1", False),
        ("host:port", False),
    ],
)
def test_host_rule(host, allowed) -> None:
    assert Access(private=True).host_allowed(host) is allowed
