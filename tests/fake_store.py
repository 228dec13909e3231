"""A scripted triple store on loopback for the hostile ``push`` and ``query --endpoint`` tests.

Why raw sockets rather than ``http.server``: the attacks are malformed HTTP (a bad status line,
101 headers, a 200 KB header, a reply trickling a byte a second, an endless body), which a real
server library will not write. Each request is read whole and recorded (method, target, headers
in lower case, body); ``answer(request)`` gives the bytes to send back, or an iterable of byte
chunks (a generator may sleep between them). A store that behaves keeps the last PUT body per
target and counts its N-Triples lines (``honest``).
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from loopback import LoopbackListener


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> str:
        """The ``query`` form field of a SPARQL POST ('' if none)."""
        return urllib.parse.parse_qs(self.body.decode("utf-8", "replace")).get("query", [""])[0]


Answer = Callable[[Request], "bytes | Iterable[bytes]"]


def reply(
    status: int, body: bytes | str = b"", headers: Iterable[tuple[str, str]] = (), reason: str = "X"
) -> bytes:
    """A complete HTTP/1.1 answer (closing the connection)."""
    data = body.encode() if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(data)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data


def results(vars_: list[str], bindings: object) -> bytes:
    """An answer carrying a SPARQL JSON results document (``bindings`` as given: any shape)."""
    body = json.dumps({"head": {"vars": vars_}, "results": {"bindings": bindings}})
    return reply(200, body, [("Content-Type", "application/sparql-results+json")])


def count(value: object) -> bytes:
    return results(["n"], [{"n": {"type": "literal", "value": value}}])


class FakeStore(LoopbackListener):
    """The loopback listener answering each request with ``answer(request)``, in its own thread."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Request] = []
        super().__init__()
        self.url = self.url.rstrip("/")

    def handle(self, conn: socket.socket) -> None:
        threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            request = _read_request(conn)
            if request is None:
                return
            self.requests.append(request)
            answer = self.answer(request)
            for chunk in [answer] if isinstance(answer, bytes) else answer:
                if self._stop.is_set():
                    return
                conn.sendall(chunk)
        except OSError:
            pass  # the client hung up (as it should, past its deadline or size limit)
        finally:
            conn.close()

    def authorizations(self) -> list[str]:
        return [r.headers["authorization"] for r in self.requests if "authorization" in r.headers]


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return Request(method, target, headers, body)


def honest(count_answer: Callable[[int], bytes] | None = None) -> Answer:
    """A store that keeps PUT bodies and answers the count query with their line count
    (``count_answer(n)`` may replace that answer)."""
    stored: dict[str, int] = {}

    def answer(request: Request) -> bytes:
        if request.method == "PUT":
            graph = urllib.parse.parse_qs(urllib.parse.urlsplit(request.target).query)["graph"][0]
            stored[graph] = sum(1 for line in request.body.splitlines() if line.strip())
            return reply(201)
        if request.method == "POST" and "COUNT" in request.query:
            n = next((v for k, v in stored.items() if f"<{k}>" in request.query), 0)
            return count_answer(n) if count_answer else count(str(n))
        return reply(404, "no such graph")

    return answer


@contextmanager
def fake_store(answer: Answer) -> Iterator[FakeStore]:
    with FakeStore(answer) as store:
        yield store
