"""A whole answer written by the worker on the client's connection (``serve.worker``,
``serve.pool``): the HTTP semantics a client sees are aiohttp's, and every limit still holds: a
worker killed before its first byte gives a 503, one killed mid-write cuts the connection, a
client that left costs no worker."""

from __future__ import annotations

import asyncio
import socket
import urllib.parse

import pytest
from serve_support import running

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset
from calcinosis_kg.serve.pool import AnswerCut, ClientGone, Pool
from calcinosis_kg.serve.service import HttpError, Limits
from calcinosis_kg.serve.worker import Head, Job

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/calcinosis-kg/CCKG_0000001> ?p ?o }"
SLOW_PARSE = "ASK { FILTER(" + "||".join(["1"] * 30_000) + ") }"  # minutes to parse
# about 44 KB of JSON: one write of the worker, more than a small socket buffer holds
MID_SIZED = (
    "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } "
    "ORDER BY ?s LIMIT 300"
)
HEAD = b"HTTP/1.1 200 OK\r\n"


@pytest.fixture(scope="module")
def kg_and_dataset():
    kg = load()
    return kg, build_dataset(kg, inferred=False)


def job(text: str, head: bytes | None = HEAD) -> Job:
    return Job(text, accept="application/sparql-results+json", head=head)


async def answer(pool: Pool, text: str, client: socket.socket | None) -> Head:
    async def start(head: Head) -> None:
        pass

    async def send(data: bytes) -> None:
        pass

    return await pool.run(job(text), start, send, None if client is None else client.fileno())


def received(sock: socket.socket) -> bytes:
    sock.setblocking(False)
    chunks = []
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except BlockingIOError:
            return b"".join(chunks)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_the_worker_writes_a_whole_answer_on_the_clients_connection(kg_and_dataset) -> None:
    async def scenario() -> tuple[Head, bytes]:
        pool = Pool(kg_and_dataset[1], Limits(max_concurrent=1))
        await pool.start()
        ours, theirs = socket.socketpair()
        try:
            head = await answer(pool, POINT, ours)
            return head, received(theirs)
        finally:
            ours.close()
            theirs.close()
            await pool.close()

    head, data = asyncio.run(scenario())
    assert head.sent and head.body is None
    top, _, body = data.partition(b"\r\n\r\n")
    assert top.startswith(HEAD) and b"Content-Type: application/sparql-results+json" in top
    assert f"Content-Length: {len(body)}".encode() in top
    assert f"X-Result-Rows: {head.count}".encode() in top and head.count > 0
    assert b'"type": "uri"' in body


def test_a_worker_killed_before_writing_gives_503_and_a_fresh_worker(kg_and_dataset) -> None:
    async def scenario() -> tuple[int, bytes, Head, bytes, bool]:
        pool = Pool(kg_and_dataset[1], Limits(max_concurrent=1, timeout=1))
        await pool.start()
        first = set(pool.live)
        ours, theirs = socket.socketpair()
        try:
            with pytest.raises(HttpError) as refused:
                await answer(pool, SLOW_PARSE, ours)
            nothing = received(theirs)
            head = await answer(pool, POINT, ours)  # waits for the replacement worker
            return refused.value.status, nothing, head, received(theirs), first != set(pool.live)
        finally:
            ours.close()
            theirs.close()
            await pool.close()

    status, nothing, head, data, replaced = asyncio.run(scenario())
    assert status == 503 and nothing == b""  # the client gets the server's 503, nothing else
    assert replaced and head.sent and data.startswith(HEAD)


def test_a_worker_killed_mid_write_cuts_the_connection_not_a_503(kg_and_dataset) -> None:
    async def scenario() -> None:
        pool = Pool(kg_and_dataset[1], Limits(max_concurrent=1, timeout=1))
        await pool.start()
        ours, theirs = socket.socketpair()
        ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # the reader never reads
        try:
            with pytest.raises(AnswerCut):
                await answer(pool, MID_SIZED, ours)
        finally:
            ours.close()
            theirs.close()
            await pool.close()

    asyncio.run(scenario())


def test_a_client_gone_before_its_answer_costs_no_worker(kg_and_dataset) -> None:
    async def scenario() -> tuple[set[int], set[int], Head]:
        pool = Pool(kg_and_dataset[1], Limits(max_concurrent=1))
        await pool.start()
        before = set(pool.live)
        ours, theirs = socket.socketpair()
        theirs.close()
        try:
            with pytest.raises(ClientGone):
                await answer(pool, POINT, ours)
            return before, set(pool.live), await answer(pool, POINT, None)
        finally:
            ours.close()
            await pool.close()

    before, after, head = asyncio.run(scenario())
    assert before == after and head.body is not None and not head.sent


def exchange(port: int, raw: bytes, answers: int) -> tuple[list[bytes], bool]:
    """Send ``raw``, read ``answers`` whole responses; and whether the server then closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        data, out = b"", []
        while len(out) < answers:
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            top, _, data = data.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":")[1]
                    for line in top.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
            )
            while len(data) < length:
                data += sock.recv(65536)
            out.append(top + b"\r\n\r\n" + data[:length])
            data = data[length:]
        sock.settimeout(2)
        try:
            closed = sock.recv(1) == b""
        except TimeoutError:
            closed = False
        return out, closed


def test_answers_written_by_workers_keep_http_semantics(kg_and_dataset) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": POINT})
    with running(*kg_and_dataset) as base:
        port = int(base.rsplit(":", 1)[1])
        one = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        # pipelined: both answers whole and in order, the connection kept
        answers, closed = exchange(port, one * 3, 3)
        bodies = {a.partition(b"\r\n\r\n")[2] for a in answers}
        assert not closed and len(bodies) == 1 and b'"bindings": [{' in bodies.pop()
        assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
        (close,), closed = exchange(
            port, one.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"), 1
        )
        assert closed and b"Connection: close" in close
        (old,), closed = exchange(port, f"GET {path} HTTP/1.0\r\n\r\n".encode(), 1)
        assert closed and old.startswith(b"HTTP/1.0 200")
        (kept,), closed = exchange(
            port, f"GET {path} HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".encode(), 1
        )
        assert not closed and b"Connection: keep-alive" in kept
