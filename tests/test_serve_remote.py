"""The remote client of ``push`` and ``query``/``check --endpoint``: every call has a timeout,
credentials never appear in errors, a server's silent row cap fails loudly, and a Digest
challenge is answered before a streamed PUT (servers here are small loopback fakes; the real
stores are in test_serve_push.py)."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.remote import RemoteEngine
from calcinosis_kg.serve.remote import (
    Client,
    Credentials,
    RemoteError,
    public,
    select,
)

SECRET = "s3cret-Pa55"


@contextmanager
def fake(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_silent_server_times_out_instead_of_hanging() -> None:
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
        started = time.monotonic()
        with pytest.raises(RemoteError, match="timed out"):
            select(Client(timeout=0.5), url, "ASK {}")
        assert time.monotonic() - started < 5


class Refuses(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Digest realm="SPARQL", nonce="abc", qop="auth"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_GET  # noqa: N815


def test_credentials_never_appear_in_errors() -> None:
    with fake(Refuses) as base:
        client = Client(5, Credentials("alice", SECRET))
        for call in (
            lambda: select(client, base + "/sparql", "ASK {}"),
            lambda: client.send(
                "PUT",
                base + "/store?graph=urn%3Ag",
                open(__file__, "rb"),  # noqa: SIM115
                {"Content-Length": "10"},
            ),
        ):
            with pytest.raises(RemoteError) as caught:
                call()
            assert "not authorised" in str(caught.value)
            assert SECRET not in str(caught.value)
        in_url = base.replace("http://", f"http://alice:{SECRET}@") + "/sparql"
        with pytest.raises(InputError, match="credentials in the URL are refused") as caught:
            select(Client(5), in_url, "ASK {}")
        assert SECRET not in str(caught.value) and "alice" not in str(caught.value)
    assert SECRET not in repr(Credentials("alice", SECRET))
    assert (
        public(f"http://alice:{SECRET}@example.org:8890/sparql?x=1")
        == "http://example.org:8890/sparql"
    )


def capped(rows: int, cap: int | None) -> type[BaseHTTPRequestHandler]:
    class Capped(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps(
                {
                    "head": {"vars": ["s"]},
                    "results": {
                        "bindings": [
                            {"s": {"type": "uri", "value": f"urn:x:{i}"}} for i in range(rows)
                        ]
                    },
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            if cap is not None:
                self.send_header("X-SPARQL-MaxRows", str(cap))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Capped


def test_a_silent_row_cap_fails_loudly_and_a_complete_answer_passes() -> None:
    with fake(capped(10, 10)) as base, pytest.raises(RemoteError, match="X-SPARQL-MaxRows"):
        RemoteEngine(base + "/sparql", 5).execute("SELECT ?s {?s ?p ?o}", {}, "q")
    with fake(capped(7, 10)) as base:
        assert (
            len(RemoteEngine(base + "/sparql", 5).execute("SELECT ?s {?s ?p ?o}", {}, "q").rows)
            == 7
        )
    with fake(capped(12, None)) as base:
        assert (
            len(RemoteEngine(base + "/sparql", 5).execute("SELECT ?s {?s ?p ?o}", {}, "q").rows)
            == 12
        )


class DigestStore(BaseHTTPRequestHandler):
    """Accepts a PUT only with a correct Digest response; records the bodies it stored."""

    stored: list[bytes] = []

    def log_message(self, *args: object) -> None:
        pass

    def _challenge(self) -> None:
        self.send_response(401)
        self.send_header(
            "WWW-Authenticate", 'Digest realm="SPARQL", nonce="n0nce", qop="auth", algorithm="MD5"'
        )
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self._challenge()

    def do_PUT(self) -> None:  # noqa: N802
        import urllib.request

        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Digest "):
            self._challenge()
            return
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(auth[7:]))
        ha1 = hashlib.md5(f"alice:SPARQL:{SECRET}".encode()).hexdigest()
        ha2 = hashlib.md5(f"PUT:{fields['uri']}".encode()).hexdigest()
        want = hashlib.md5(
            f"{ha1}:n0nce:{fields['nc']}:{fields['cnonce']}:auth:{ha2}".encode()
        ).hexdigest()
        if fields.get("response") != want or fields["uri"] != self.path:
            self._challenge()
            return
        self.stored.append(body)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_a_streamed_put_answers_a_digest_challenge(tmp_path) -> None:
    data = tmp_path / "g.nt"
    data.write_bytes(b'<urn:a> <urn:b> "c" .\n' * 1000)
    DigestStore.stored = []
    with fake(DigestStore) as base, data.open("rb") as body:
        status, _, _ = Client(5, Credentials("alice", SECRET)).send(
            "PUT",
            base + "/store?graph=urn%3Ag",
            body,
            {"Content-Length": str(data.stat().st_size), "Content-Type": "text/turtle"},
        )
    assert status == 201 and DigestStore.stored == [data.read_bytes()]


def test_push_command_input_errors_are_one_line_exit_2(run_cli, monkeypatch) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/sparql"
    base = ["push", "--endpoint", url, "--graph", "urn:g", "--timeout", "5"]
    code, _, err = run_cli(*base, "--user", "alice")
    assert code == 2 and "--password-env" in err and err.count("\n") == 1
    monkeypatch.delenv("CCKG_UNSET_PW", raising=False)
    code, _, err = run_cli(*base, "--user", "alice", "--password-env", "CCKG_UNSET_PW")
    assert code == 2 and "CCKG_UNSET_PW" in err and "not set" in err
    monkeypatch.setenv("CCKG_SET_PW", SECRET)
    code, _, err = run_cli(*base, "--user", "alice", "--password-env", "CCKG_SET_PW")
    assert code == 2 and "cannot reach" in err and SECRET not in err
    assert "Traceback" not in err
