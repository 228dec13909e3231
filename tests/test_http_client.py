"""The one HTTP client (``graph.http_client``): URLs checked before any connection, messages
without credentials, one deadline per exchange, and credentials only for their origin."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from fake_store import fake_store, reply

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.http_client import (
    Client,
    Credentials,
    RemoteError,
    check_url,
    max_response_bytes,
    origin,
    public,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/sparql",
        "https://example.org/q?x=1",
        "http://[::1]:7878/query",
        "http://localhost/%20space",
    ],
)
def test_well_formed_urls_are_accepted(url: str) -> None:
    assert check_url(url).hostname


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://h/a\r\nX: y", "control"),
        ("http://h/é", "non-ASCII"),
        ("http://[::1/x", "malformed"),
        ("http://h:99999/", "malformed"),
        ("http://h:0/", "port 0"),
        ("file:///etc/passwd", "only"),
        ("http:///x", "no host"),
        ("http://u:p@h/", "credentials in the URL"),
    ],
)
def test_bad_urls_are_refused_before_any_connection(url: str, why: str) -> None:
    with pytest.raises(InputError, match=why) as caught:
        check_url(url, "--endpoint")
    assert "--endpoint" in str(caught.value) and "\n" not in str(caught.value)


def test_messages_show_urls_without_user_info_query_or_fragment() -> None:
    assert (
        public("http://alice:pw@example.org:8890/sparql?key=k#f")
        == "http://example.org:8890/sparql"
    )
    assert public("http://[::1/x") == "<malformed URL>"
    assert origin("http://Example.org/a") == "http://example.org:80"
    assert origin("https://[::1]/a") == "https://[::1]:443"


def test_the_response_limit_is_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RESPONSE_MB", "3")
    assert max_response_bytes() == 3 * 1024 * 1024
    for bad in ("x", "0", "-1"):
        monkeypatch.setenv("CALCINOSIS_KG_MAX_RESPONSE_MB", bad)
        with pytest.raises(InputError, match="CALCINOSIS_KG_MAX_RESPONSE_MB"):
            max_response_bytes()


def test_a_passed_deadline_makes_no_connection(connection_recorder) -> None:
    client = Client(30, deadline=time.monotonic() - 1)
    with pytest.raises(RemoteError, match="deadline passed"):
        client.send("POST", connection_recorder.url + "sparql", b"query=ASK{}")
    assert connection_recorder.connections == 0


def test_credentials_for_one_origin_are_not_sent_to_another() -> None:
    challenge = reply(401, headers=[("WWW-Authenticate", 'Digest realm="r", nonce="n"')])
    with fake_store(lambda request: challenge) as store:
        credentials = Credentials("alice", "pw", origin="http://127.0.0.1:1")
        with pytest.raises(RemoteError, match="only to the store"):
            Client(5, credentials).send("POST", store.url + "/sparql", b"x")
        assert store.authorizations() == [] and len(store.requests) == 1
        with pytest.raises(RemoteError, match="not authorised"):
            Client(5, Credentials("alice", "pw", origin(store.url))).send(
                "POST", store.url + "/sparql", b"x"
            )
        assert store.authorizations()[0].startswith("Digest ")


def test_name_resolution_ends_at_the_deadline(monkeypatch) -> None:
    def slow_lookup(*args: object, **kwargs: object) -> list[object]:
        time.sleep(10)
        return []

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    started = time.monotonic()
    with pytest.raises(RemoteError, match="timed out"):
        Client(1).send("POST", "http://store.example:8890/sparql", b"x")
    assert time.monotonic() - started < 5


def test_an_answer_before_the_end_of_the_body_is_reported(tmp_path) -> None:
    with socket.socket() as listener:  # reads the headers, answers 413 at once and hangs up
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply(413, "too large"))
                conn.shutdown(socket.SHUT_RDWR)

        threading.Thread(target=serve, daemon=True).start()
        data = tmp_path / "big.nt"
        data.write_bytes(b"x" * 64 * 1024 * 1024)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/store"
        with data.open("rb") as body, pytest.raises(RemoteError, match="HTTP 413"):
            Client(20).send("PUT", url, body)
