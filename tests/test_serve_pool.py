"""No client can hold the others (``serve.pool``, ``serve.worker``): the guard parses in a
worker under the query's deadline, a burst beyond capacity is answered 503 at once, and the
answers in flight are streamed, so slow readers cost the server a frame each, not an answer."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from serve_support import get, http, running

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset


@pytest.fixture(scope="module")
def kg_and_dataset():
    kg = load()
    return kg, build_dataset(kg, inferred=False)


def test_a_query_slow_to_parse_holds_one_worker_never_the_others(kg_and_dataset) -> None:
    kg, dataset = kg_and_dataset
    attack = ("ASK { FILTER(" + "||".join(["1"] * 30_000) + ") }").encode()  # minutes to parse
    with running(kg, dataset, timeout=2, max_concurrent=2) as base:
        outcome: list[tuple[int, float]] = []

        def attacker() -> None:
            started = time.monotonic()
            status, _, _ = http(f"{base}/sparql", attack,
                                {"Content-Type": "application/sparql-query"})
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
        pair = [threading.Thread(target=lambda: results.append(get(base, "ASK {}")[0]))
                for _ in range(2)]
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
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-m", "calcinosis_kg", "serve", "--port", "0",
                                "--no-inferred", "--quiet", "--row-limit", "1000000",
                                "--max-concurrent", "8", "--timeout", "20"],
                               stderr=subprocess.PIPE, text=True, env=env)
    sockets = []
    try:
        assert process.stderr is not None
        port = re.search(r":(\d+)/", process.stderr.readline()).group(1)
        base = f"http://127.0.0.1:{port}"
        assert get(base, "ASK {}")[0] == 200
        before = rss_kib(process.pid)
        query = "SELECT * WHERE { ?a ?b ?c . VALUES ?n { 1 2 3 4 5 6 7 8 9 10 } }"  # ~12 MB CSV
        raw = (f"GET /sparql?{urllib.parse.urlencode({'query': query})} HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\nAccept: text/csv\r\n\r\n").encode()
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
        process.terminate()
        try:
            process.wait(timeout=10)  # SIGTERM stops it
        except subprocess.TimeoutExpired:
            process.kill()
            raise
