"""Hostile stores and endpoints: ``push`` and ``query --endpoint`` against a scripted server of
our own on loopback (``tests/fake_store.py``). Every attack ends with exit 2 and one line, within
the deadline and the size limit, with no credential in any output and no credential sent
unless the server asked for it in a scheme that keeps it safe."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_store import Request, count, fake_store, honest, reply, results

SECRET = "s3cret-Pa55"
TOKEN = base64.b64encode(f"alice:{SECRET}".encode()).decode()
GRAPH = "https://w3id.org/calcinosis-kg/release"


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CCKG_TEST_PW", SECRET)
    return "CCKG_TEST_PW"


def push_args(url: str, ontology: Path, *extra: str, graph: str = GRAPH) -> list[str]:
    return [
        "push",
        "--endpoint",
        url + "/sparql",
        "--store",
        url + "/store",
        "--graph",
        graph,
        "--ontology",
        str(ontology),
        "--timeout",
        "5",
        *extra,
    ]


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and TOKEN not in text


# --- push: credentials --------------------------------------------------------------------


def echo_headers(status: int, scheme: str) -> object:
    """Challenges with ``scheme``, then answers ``status`` with the request's headers as body
    (``Authorization`` first, as a store or proxy echoing the request would)."""
    challenge = (
        'Digest realm="r", nonce="n", qop="auth"' if scheme == "digest" else 'Basic realm="r"'
    )

    def answer(request: Request) -> bytes:
        if "authorization" not in request.headers:
            return reply(401, headers=[("WWW-Authenticate", challenge)])
        echoed = "".join(
            f"{k}: {v}\n"
            for k, v in sorted(request.headers.items(), key=lambda item: item[0] != "authorization")
        )
        return reply(status, echoed + echoed.replace("\n", " "))

    return answer


@pytest.mark.parametrize("scheme", ["digest", "basic"])
@pytest.mark.parametrize("status", [400, 500, 502])
def test_an_error_body_echoing_the_request_headers_is_not_shown(
    attack, tiny_ontology, password, status, scheme
) -> None:
    extra = ["--basic-auth-over-http"] if scheme == "basic" else []
    with fake_store(echo_headers(status, scheme)) as store:
        result = attack(
            *push_args(
                store.url, tiny_ontology, "--user", "alice", "--password-env", password, *extra
            )
        )
        assert store.authorizations()  # the credentials were sent, and echoed
    result.refused(f"HTTP {status}")
    assert "authorization" not in result.err.lower() and scheme not in result.err.lower()
    assert_no_secret(result.out, result.err)


def never_challenges(probe_status: int) -> object:
    store = honest()

    def answer(request: Request) -> bytes:
        if request.method == "GET":  # the probe before a streamed PUT
            return reply(probe_status, headers=[("Location", "http://127.0.0.1:9/elsewhere")])
        return store(request)

    return answer


@pytest.mark.parametrize("probe_status", [200, 404, 302])
def test_credentials_are_not_sent_when_nothing_asks_for_them(
    run_cli, tiny_ontology, password, probe_status
) -> None:
    with fake_store(never_challenges(probe_status)) as store:
        code, out, err = run_cli(
            *push_args(store.url, tiny_ontology, "--user", "alice", "--password-env", password)
        )
    assert code == 0, err
    assert store.authorizations() == []
    assert_no_secret(out, err)


def basic_store() -> object:
    store = honest()

    def answer(request: Request) -> bytes:
        if request.headers.get("authorization") != f"Basic {TOKEN}":
            return reply(401, headers=[("WWW-Authenticate", 'Basic realm="store"')])
        return store(request)

    return answer


def test_basic_over_plain_http_is_refused_unless_asked_for(
    attack, run_cli, tiny_ontology, password
) -> None:
    with fake_store(basic_store()) as store:
        result = attack(
            *push_args(store.url, tiny_ontology, "--user", "alice", "--password-env", password)
        )
        assert store.authorizations() == []
    result.refused("Basic", "in clear", "--basic-auth-over-http")
    with fake_store(basic_store()) as store:
        code, _, err = run_cli(
            *push_args(
                store.url,
                tiny_ontology,
                "--user",
                "alice",
                "--password-env",
                password,
                "--basic-auth-over-http",
            )
        )
    assert code == 0, err
    assert set(store.authorizations()) == {f"Basic {TOKEN}"}
    assert_no_secret(err)


def test_credentials_never_go_to_a_host_other_than_the_store(
    attack, tiny_ontology, password
) -> None:
    with fake_store(basic_store()) as store, fake_store(basic_store()) as other:
        args = push_args(
            store.url,
            tiny_ontology,
            "--user",
            "alice",
            "--password-env",
            password,
            "--basic-auth-over-http",
        )
        args[2] = other.url.replace("127.0.0.1", "localhost") + "/sparql"  # --endpoint
        result = attack(*args)
        assert other.authorizations() == []
    result.refused("not authorised")
    assert_no_secret(result.err)


@pytest.mark.parametrize(
    "challenge",
    [
        'Digest realm="r", nonce="n", qop="auth-int"',
        'Digest realm="r", nonce="n", algorithm="X"',
        'Digest realm="r"',
        "Digest",
        "Negotiate abc",
        "Basic realm=" + "r" * 60_000,
    ],
)
def test_a_challenge_the_client_cannot_answer_is_one_line(
    attack, tiny_ontology, password, challenge
) -> None:
    with fake_store(lambda r: reply(401, headers=[("WWW-Authenticate", challenge)])) as store:
        result = attack(
            *push_args(store.url, tiny_ontology, "--user", "alice", "--password-env", password)
        )
        assert store.authorizations() == []
    result.refused(store.url.split("//")[1])
    assert_no_secret(result.err)


@pytest.mark.parametrize("user", ["al:ice", "alice\r\nX-Evil: 1", "ali\x1bce"])
def test_a_user_name_that_would_break_the_header_is_refused(
    attack, connection_recorder, tiny_ontology, password, user
) -> None:
    attack(
        *push_args(
            connection_recorder.url.rstrip("/"),
            tiny_ontology,
            "--user",
            user,
            "--password-env",
            password,
        )
    ).refused("--user")


# --- push: the graph name ----------------------------------------------------------------


@pytest.mark.parametrize(
    "graph", ["", "relative", "x> } ; DROP ALL ; {<y", "http://e/a b", "urn:g\r\nX-Evil: 1"]
)
def test_a_bad_graph_name_is_refused_before_anything_is_sent(
    attack, connection_recorder, tiny_ontology, graph
) -> None:
    url = connection_recorder.url.rstrip("/")
    attack(*push_args(url, tiny_ontology, graph=graph)).refused("--graph", "absolute IRI")


def test_data_file_names_become_valid_graph_names(run_cli, tiny_ontology, tmp_path) -> None:
    data = tmp_path / "a b>{x}.ttl"
    data.write_text(tiny_ontology.read_text())
    with fake_store(honest()) as store:
        code, out, err = run_cli(*push_args(store.url, tiny_ontology, "--data", str(data)))
    assert code == 0, err
    assert f"{GRAPH}/data/a%20b%3E%7Bx%7D:" in out


# --- push and query: bad URLs ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/sparql\r\nX-Evil: 1",
        "http://[::1/sparql",
        "http://127.0.0.1:99999/sparql",
        "ftp://127.0.0.1/sparql",
        "http:///sparql",
        "http://alice:pw@127.0.0.1/sparql",
        "http://127.0.0.1/spa rql",
    ],
)
def test_bad_urls_are_one_line_errors(attack, tiny_ontology, tmp_path, url) -> None:
    attack("push", "--endpoint", url, "--graph", GRAPH, "--ontology", tiny_ontology).refused(
        "--endpoint"
    )
    query = tmp_path / "q.rq"
    query.write_text("ASK {}")
    attack("query", query, "--endpoint", url).refused("--endpoint")


# --- malformed answers ------------------------------------------------------------------


def deep_json(levels: int) -> bytes:
    return reply(
        200, "[" * levels + "]" * levels, [("Content-Type", "application/sparql-results+json")]
    )


MALFORMED = {
    "results-as-list": reply(200, json.dumps({"head": {"vars": ["n"]}, "results": []})),
    "bindings-as-strings": results(["n"], ["a", "b"]),
    "head-as-string": reply(200, json.dumps({"head": "x", "results": {"bindings": []}})),
    "deep-json": deep_json(100_000),
    "deep-object": reply(200, '{"a":' * 50_000 + "1" + "}" * 50_000),
    "not-json": reply(200, "<html>hello</html>"),
    "huge-integer": reply(
        200, '{"head": {"vars": ["n"]}, "results": {"bindings": ' + "1" * 5000 + "}}"
    ),
    "uri-with-space": results(["n"], [{"n": {"type": "uri", "value": "http://e/a b"}}]),
    "value-as-number": results(["n"], [{"n": {"type": "literal", "value": 7}}]),
    "lone-surrogate": reply(
        200,
        '{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": '
        '{"type": "literal", "value": "\\ud800"}}]}}',
    ),
    "boolean-as-string": reply(200, '{"boolean": "yes"}'),
    "bad-utf8": reply(200, b'{"boolean": true, "x": "\xff"}'),
    "bad-status-line": b"HTTP/1.1 OK\r\n\r\n",
    "not-http": b"SSH-2.0-OpenSSH_9.0\r\n",
    "101-headers": b"HTTP/1.1 200 OK\r\n"
    + b"".join(b"X-%d: y\r\n" % i for i in range(101))
    + b"\r\n",
    "200kb-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"y" * 200_000 + b"\r\n\r\n",
    "empty": b"",
    "huge-content-length": b"HTTP/1.1 200 OK\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n{}",
}
COUNTS = {
    "huge-count": count("1" + "0" * 400),
    "negative-count": count("-5"),
    "count-as-iri": results(["n"], [{"n": {"type": "uri", "value": "urn:x"}}]),
    "no-count-column": results(["m"], [{"m": {"type": "literal", "value": "3"}}]),
}


@pytest.mark.parametrize("name", list(MALFORMED) + list(COUNTS))
def test_a_malformed_count_answer_is_one_line(attack, tiny_ontology, name) -> None:
    bad = {**MALFORMED, **COUNTS}[name]
    with fake_store(honest(lambda n: bad)) as store:
        result = attack(*push_args(store.url, tiny_ontology))
    result.refused(store.url.split("//")[1])


@pytest.mark.parametrize("name", list(MALFORMED))
def test_a_malformed_query_answer_is_one_line(attack, tmp_path, name) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?n WHERE { ?s ?p ?n }")
    with fake_store(lambda request: MALFORMED[name]) as store:
        result = attack("query", query, "--endpoint", store.url + "/sparql", "--timeout", "10")
    result.refused(store.url.split("//")[1])


@pytest.mark.parametrize("cap", ["9" * 5000, "\u00b2", "-1", ""])
def test_a_row_cap_header_that_is_no_number_is_ignored(attack, tmp_path, cap) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?n WHERE { ?s ?p ?n }")
    body = json.dumps(
        {
            "head": {"vars": ["n"]},
            "results": {"bindings": [{"n": {"type": "literal", "value": "v"}}]},
        }
    )
    answer = reply(200, body, [("X-SPARQL-MaxRows", cap.encode().decode("latin-1"))])
    with fake_store(lambda request: answer) as store:
        result = attack("query", query, "--endpoint", store.url + "/sparql")
    assert result.code == 0, result.err
    assert "(1 row" in result.out


# --- deadlines and size limits ----------------------------------------------------------


def trickle(request: Request) -> Iterator[bytes]:
    body = json.dumps({"boolean": True}).encode() + b" " * 1000
    yield b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
    for byte in body:
        time.sleep(0.5)
        yield bytes([byte])


def trickle_headers(request: Request) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\n"
    for _ in range(1000):
        time.sleep(0.5)
        yield b"X: y\r\n"


@pytest.mark.parametrize("answer", [trickle, trickle_headers], ids=["body", "headers"])
def test_a_trickling_answer_is_stopped_at_the_timeout(
    attack, tiny_ontology, tmp_path, answer
) -> None:
    query = tmp_path / "q.rq"
    query.write_text("ASK { ?s ?p ?o }")
    with fake_store(answer) as store:
        result = attack("query", query, "--endpoint", store.url + "/sparql", "--timeout", "2")
    result.refused("timed out")
    assert result.seconds < 6
    with fake_store(lambda r: trickle(r) if r.method == "POST" else honest()(r)) as store:
        result = attack(*push_args(store.url, tiny_ontology)[:-2], "--timeout", "2")
    result.refused("timed out")
    assert result.seconds < 8  # the PUT answers at once; the count trickles


def endless(request: Request) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n"
    yield b'{"head": {"vars": ["n"]}, "results": {"bindings": ['
    row = b'{"n": {"type": "literal", "value": "' + b"x" * 60_000 + b'"}},'
    while True:
        yield row


def test_an_endless_answer_is_cut_at_the_size_limit(
    attack, monkeypatch, tiny_ontology, tmp_path
) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RESPONSE_MB", "2")
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?n WHERE { ?s ?p ?n }")
    with fake_store(endless) as store:
        attack("query", query, "--endpoint", store.url + "/sparql").refused(
            "larger than", "CALCINOSIS_KG_MAX_RESPONSE_MB"
        )
    huge = b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n{"
    with fake_store(lambda r: huge if r.method == "POST" else honest()(r)) as store:
        attack(*push_args(store.url, tiny_ontology)).refused("CALCINOSIS_KG_MAX_RESPONSE_MB")


# --- redirects ----------------------------------------------------------------------------


def test_the_verification_query_does_not_follow_a_redirect(
    attack, connection_recorder, tiny_ontology, tmp_path
) -> None:
    elsewhere = connection_recorder.url + "sparql"
    store = honest()

    def answer(request: Request) -> bytes:
        if request.method == "POST":
            return reply(307, headers=[("Location", elsewhere)])
        return store(request)

    with fake_store(answer) as fake:
        attack(*push_args(fake.url, tiny_ontology)).refused("redirects are not followed", elsewhere)
        query = tmp_path / "q.rq"
        query.write_text("ASK {}")
        attack("query", query, "--endpoint", fake.url + "/sparql").refused(
            "redirects are not followed"
        )
    # and the harness checks the other host saw no connection
