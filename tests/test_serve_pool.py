"""No client can hold the others (``serve.pool``, ``serve.worker``): the guard parses in a
worker under the query's deadline, a burst beyond capacity is answered 503 at once, and the
answers in flight are streamed, so slow readers cost the server a frame each, not an answer."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import urllib.parse

import pytest
from serve_support import get, http, running, serve_process

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset


@pytest.fixture(scope="module")
def kg_and_dataset():
    kg = load()
    return kg, build_dataset(kg, inferred=False)


SLOW_PARSE = ("ASK { FILTER(" + "||".join(["1"] * 30_000) + ") }").encode()  # minutes to parse


@pytest.fixture(scope="module")
def served(kg_and_dataset):
    with running(*kg_and_dataset) as base:
        yield base


def test_a_query_slow_to_parse_holds_one_worker_never_the_others(kg_and_dataset) -> None:
    kg, dataset = kg_and_dataset
    attack = SLOW_PARSE
    with running(kg, dataset, timeout=2, max_concurrent=2) as base:
        outcome: list[tuple[int, float]] = []

        def attacker() -> None:
            started = time.monotonic()
            status, _, _ = http(
                f"{base}/sparql", attack, {"Content-Type": "application/sparql-query"}
            )
            outcome.append((status, time.monotonic() - started))

        thread = threading.Thread(target=attacker)
        thread.start()
        time.sleep(0.3)
        for _ in range(5):  # answered while the attack is being parsed
            started = time.monotonic()
            assert get(base, "ASK {}")[0] == 200
            assert time.monotonic() - started < 1.5
        thread.join(30)
        assert outcome and outcome[0][0] == 503 and outcome[0][1] < 8
        # its worker was killed and replaced: both workers answer at once again
        results: list[int] = []
        pair = [
            threading.Thread(target=lambda: results.append(get(base, "ASK {}")[0]))
            for _ in range(2)
        ]
        for t in pair:
            t.start()
        for t in pair:
            t.join(30)
        assert results == [200, 200]


def test_a_burst_beyond_capacity_gets_503_with_retry_after_never_a_hang(kg_and_dataset) -> None:
    kg, dataset = kg_and_dataset
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d rdfs:label ?e } "
    with running(kg, dataset, max_concurrent=2, queue=8, queue_wait=1.0, timeout=5) as base:
        url = f"{base}/sparql?" + urllib.parse.urlencode({"query": slow})
        answers: list[tuple[int, str | None]] = []
        failures: list[str] = []
        gate = threading.Barrier(200)

        def client() -> None:
            gate.wait()
            try:
                status, headers, _ = http(url)
                answers.append((status, headers.get("Retry-After")))
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

        started = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(200)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        took = time.monotonic() - started
    assert failures == [] and len(answers) == 200
    busy = [a for a in answers if a[0] == 503]
    assert busy and all(retry == "1" for _, retry in busy)
    assert {status for status, _ in answers} <= {200, 503}
    assert took < 40


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as handle:
        return int(re.search(r"VmRSS:\s+(\d+)", handle.read()).group(1))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads /proc")
def test_slow_readers_of_large_answers_do_not_grow_the_server(tmp_path) -> None:
    sockets: list[socket.socket] = []
    limits = ("--row-limit", "1000000", "--max-concurrent", "8", "--timeout", "20")
    with serve_process(*limits) as (base, _, process):
        try:
            port = int(base.rsplit(":", 1)[1])
            assert get(base, "ASK {}")[0] == 200
            before = rss_kib(process.pid)
            query = "SELECT * WHERE { ?a ?b ?c . VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } }"  # ~12 MB CSV
            raw = (
                f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\nAccept: text/csv\r\n\r\n"
            ).encode()
            for _ in range(8):
                sock = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(raw)
                assert sock.recv(200).startswith(b"HTTP/1.1 200")  # the answer started
                sockets.append(sock)
            time.sleep(3)  # the readers read nothing more
            grown = rss_kib(process.pid) - before
            assert grown < 40_000, f"server grew by {grown} KiB for 8 slow readers"
            assert get(base, "ASK {}")[0] in (200, 503)  # still answering
        finally:
            for sock in sockets:
                sock.close()


def test_the_verdict_cache_is_bounded_in_entries_and_characters() -> None:
    from calcinosis_kg.serve.guard import CheckedQuery
    from calcinosis_kg.serve.pool import Verdicts

    verdicts = Verdicts(size=3, longest=40, chars=60)
    ok = CheckedQuery("ASK", (), ())
    for n in range(10):
        verdicts.put((f"ASK {{ }} # {n:02}", (), (), "http://x/"), ok)  # 21 characters each
        assert len(verdicts.items) <= 2 and verdicts.held <= 60
    assert verdicts.get(("ASK { } # 09", (), (), "http://x/")) is ok  # the newest are kept
    assert verdicts.get(("ASK { } # 00", (), (), "http://x/")) is None
    verdicts.put(("ASK { }" + " " * 40, (), (), None), ok)  # longer than ``longest``
    assert verdicts.get(("ASK { }" + " " * 40, (), (), None)) is None


def test_a_refused_query_is_refused_again_even_while_every_worker_is_busy(kg_and_dataset) -> None:
    kg, dataset = kg_and_dataset
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    with running(kg, dataset, timeout=3, max_concurrent=1, queue=0) as base:
        first = get(base, refused)
        assert first[0] == 403
        busy = threading.Thread(
            target=http,
            args=(f"{base}/sparql", SLOW_PARSE, {"Content-Type": "application/sparql-query"}),
        )
        busy.start()
        time.sleep(0.5)  # the only worker parses the slow text
        try:
            assert get(base, "ASK { ?s ?p ?o }")[0] == 503  # a new text needs a worker
            again = get(base, refused)  # the cached refusal needs none
            assert (again[0], again[2]) == (first[0], first[2])
        finally:
            busy.join(30)


@pytest.mark.parametrize(
    "text, params",
    [
        ("ASK { ?s ?p ?o }", {}),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", {}),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", {}),
        ("SELECT * WHERE { ?s ?p }", {}),
        ("SELECT * FROM <http://elsewhere.example/g> WHERE { ?s ?p ?o }", {}),
        ("ASK { ?s ?p ?o }", {"default-graph-uri": "http://elsewhere.example/g"}),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", {"format": "csv"}),
    ],
)
def test_a_cached_verdict_answers_as_the_guard_did(served, text, params) -> None:
    first, second = get(served, text, **params), get(served, text, **params)
    assert first[0] == second[0] and first[2] == second[2]
    assert first[0] in (200, 400, 403, 406)


def test_the_last_released_worker_takes_the_next_query(kg_and_dataset) -> None:
    import asyncio

    from calcinosis_kg.serve.pool import Pool
    from calcinosis_kg.serve.service import Limits
    from calcinosis_kg.serve.worker import Head, Job

    async def scenario() -> tuple[list[int], list[int]]:
        pool = Pool(kg_and_dataset[1], Limits(max_concurrent=3))
        await pool.start()

        async def ignore(_: Head | bytes) -> None:
            pass

        try:
            order = [w.pid for w in pool.idle]
            for _ in range(2):  # a queue would have moved the first to the bottom
                await pool.run(Job("ASK { ?s ?p ?o }"), ignore, ignore)
            return order, [w.pid for w in pool.idle]
        finally:
            await pool.close()

    before, after = asyncio.run(scenario())
    assert before == after  # a stack: the one on top ran both and went back on top
