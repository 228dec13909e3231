"""The HTTP plumbing of ``calcinosis-kg serve`` (``serve.front``, ``serve.app``): error answers
that close when asked to, an unread body that is never read as a request, short text for what
the HTTP layer refuses by itself, one escaped log line per request, and one line for a client
that leaves."""

from __future__ import annotations

import socket
import time

import pytest
from serve_support import http, running

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset


@pytest.fixture(scope="module")
def served():
    kg = load()
    dataset = build_dataset(kg, inferred=False)
    with running(kg, dataset) as base:
        yield kg, dataset, base


def exchange(base: str, raw: bytes, wait: float = 10) -> bytes:
    """Send ``raw`` on a fresh connection and read until the server closes it (or ``wait``)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(raw)
        chunks = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
        raise AssertionError(f"connection still open after {wait} s: {b''.join(chunks)[:300]!r}")


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /sparql?query=ASK%20%7B HTTP/1.0\r\n\r\n",
        b"GET /sparql?query=ASK%20%7B HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        b"GET /nowhere HTTP/1.0\r\n\r\n",
        b"DELETE /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ],
)
def test_error_answers_close_the_connection_when_the_client_asks(served, raw) -> None:
    answer = exchange(served[2], raw, wait=5)  # fails unless the server closes
    assert answer.split(b"\r\n")[0].split()[1] in (b"400", b"404", b"405")
    assert answer.count(b"HTTP/1.") == 1


def test_a_post_body_answered_with_405_is_never_read_as_a_request(served) -> None:
    smuggled = b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    raw = (
        b"POST /queries HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
        b"Content-Length: "
        + str(len(smuggled)).encode()
        + b"\r\n\r\n"
        + smuggled
        + b"GET /queries HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    answer = exchange(served[2], raw)
    statuses = [line.split()[1] for line in answer.split(b"\r\n") if line.startswith(b"HTTP/1.")]
    assert statuses[0] == b"405"
    # the body was drained: the one request after it is answered once, the body never
    assert statuses in ([b"405"], [b"405", b"200"])


def test_trace_long_urls_and_header_floods_get_short_text(served) -> None:
    base = served[2]
    for raw, status in [
        (b"TRACE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", b"405"),
        (b"GET /sparql?query=" + b"a" * 20000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", b"414"),
        (
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + b"".join(b"X-%d: 1\r\n" % n for n in range(100))
            + b"\r\n",
            b"431",
        ),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 20000 + b"\r\n\r\n", b"431"),
        (b"GET /\x1b[31m HTTP/1.1\r\n\r\n", b"400"),
    ]:
        answer = exchange(base, raw)
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.split()[1] == status, answer[:300]
        assert b"text/plain" in head and b"<html" not in body.lower() and len(body) < 300
        assert b"Traceback" not in body


def test_requests_are_logged_on_one_line_with_control_characters_escaped(served, capsys) -> None:
    from calcinosis_kg.serve.app import escape_line

    assert escape_line("GET /\x1b[31m\r\n") == "GET /\\x1b[31m\\r\\n"
    kg, dataset, _ = served
    from calcinosis_kg.serve.front import Limits, make_server

    server = make_server(kg, dataset, "127.0.0.1", 0, Limits(), quiet=False)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        assert http(f"{base}/queries")[0] == 200
        exchange(base, b"GET /\x1b]0;owned\x07 HTTP/1.1\r\n\r\n")
        assert http(f"{base}/nowhere%1b%5B31m")[0] == 404
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert any('"GET /queries HTTP/1.1" 200' in line for line in lines), err
    assert "\x1b" not in err and "\x07" not in err and "Traceback" not in err
    assert len(lines) == 3, err


def test_a_client_that_leaves_mid_answer_is_one_log_line(served, capsys) -> None:
    kg, dataset, _ = served
    from calcinosis_kg.serve.front import Limits, make_server

    server = make_server(kg, dataset, "127.0.0.1", 0, Limits(row_limit=1_000_000), quiet=False)
    import threading

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        query = "SELECT * WHERE { ?a ?b ?c . VALUES ?n { 1 2 3 4 5 6 7 8 } }"
        raw = (
            f"GET /sparql?query={query.replace(' ', '%20').replace('{', '%7B')}".replace(
                "}", "%7D"
            ).encode()
            + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\n\r\n"
        )
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(raw)
            assert sock.recv(1000).startswith(b"HTTP/1.1 200")
        time.sleep(1.0)
        assert http(f"{base}/queries")[0] == 200  # the server carries on
    finally:
        server.shutdown()
        server.server_close()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    gone = [line for line in err.splitlines() if "went away" in line]
    assert len(gone) == 1 and "SELECT" in gone[0], err


def test_a_bad_iri_for_a_class_card_is_a_400(served) -> None:
    base = served[2]
    for value in ("http://a/b%7Bc", "http://exa%20mple.org/x", "CCKG:%00"):
        status, _, body = http(f"{base}/api/card?class={value}")
        assert status == 400 and b"not a valid IRI" in body, (value, status, body)


def test_the_server_runs_on_uvloops_event_loop(served) -> None:
    import threading

    import uvloop

    from calcinosis_kg.serve.front import make_server

    server = make_server(served[0], served[1], "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server._ready.wait(60)
        assert isinstance(server._loop, uvloop.Loop)
        status, _, _ = http(f"http://127.0.0.1:{server.server_port}/sparql?query=ASK%7B%7D")
        assert status == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_posts_form_arguments_never_stick_to_the_same_targets_next_request(served) -> None:
    # the target's arguments are read once and remembered (``app._split_url``): a POST adds its
    # form's to its own copy, so the same target's next GET has exactly one query again
    _, _, base = served
    target = f"{base}/sparql?query=ASK%20%7B%7D"
    assert http(target)[0] == 200
    form = b"query=ASK%20%7B%7D"
    posted = http(target, form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert posted[0] == 400 and b"exactly one 'query'" in posted[2]
    assert http(target)[0] == 200
    assert http(target, form, {"Content-Type": "application/x-www-form-urlencoded"})[0] == 400
