"""Helpers shared by the serve tests: start a ``calcinosis-kg serve`` server in a thread (or the
command in a child process) on a free loopback port, and talk to it with the standard library
(every call with a timeout)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

CASE_TTL = """\
@prefix CCKGC: <https://w3id.org/calcinosis-kg/case/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
CCKGC:c1 rdfs:label "case one" ; CCKGC:site CCKGC:finger .
CCKGC:c2 rdfs:label "case two" ; CCKGC:site CCKGC:elbow .
"""


@contextmanager
def running(kg, dataset, **limits) -> Iterator[str]:
    """A server over ``dataset`` with the given ``Limits`` fields; yields its base URL."""
    with running_server(kg, dataset, **limits) as (base, _):
        yield base


@contextmanager
def running_server(kg, dataset, **limits) -> Iterator[tuple[str, Any]]:
    """As ``running``, yielding (base URL, the ``front.Server``: its ``pool``'s counters)."""
    from calcinosis_kg.serve.front import Limits, make_server

    server = make_server(kg, dataset, "127.0.0.1", 0, Limits(**limits), quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for _ in range(1000):  # its pool exists once it serves
        if server.pool is not None:
            break
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{server.server_port}", server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def serve_process(*args: str) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """``python -m calcinosis_kg serve --port 0 --no-inferred --quiet ARGS`` in a child process.

    Yields (base URL, the line it printed on stderr once its socket was bound, the process); the
    server is stopped with SIGTERM afterwards, and a server that SIGTERM does not stop fails the
    test."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = ["serve", "--port", "0", "--no-inferred", "--quiet", *args]
    process = subprocess.Popen(
        [sys.executable, "-m", "calcinosis_kg", *command],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # printed once the socket is bound
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            process.kill()
            raise AssertionError(line + process.stderr.read())
        yield f"http://127.0.0.1:{found.group(1)}", line, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)  # SIGTERM stops it
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
            raise


def http(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def get(
    base: str, query: str, accept: str = "application/sparql-results+json", **params: str
) -> tuple[int, dict[str, str], bytes]:
    args = urllib.parse.urlencode({"query": query, **params})
    return http(f"{base}/sparql?{args}", headers={"Accept": accept})
