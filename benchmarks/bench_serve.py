"""Load test of ``calcinosis-kg serve`` and load/query timings against Virtuoso.

Part 1 (always): starts ``calcinosis-kg serve`` on a free loopback port, runs N concurrent
clients for a bounded time (each request with a timeout), and prints throughput, p50/p99
latency and errors (must be 0) next to the baseline: the same query run in-process on pyoxigraph.

Part 2 (``--virtuoso``): starts a private Virtuoso on loopback (the test fixture), pushes the
release with the Graph Store Protocol and ``--cases N`` synthetic case triples, and prints the
load rate and the median point-query latency for each.

    python benchmarks/bench_serve.py [--clients 8] [--seconds 10] [--virtuoso --cases 1000000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = ("SELECT ?class ?label WHERE { ?class a owl:Class ; rdfs:label ?label ; "
         "rdfs:subClassOf* CCKG:0000001 } ORDER BY ?class")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "calcinosis_kg", "serve", "--port",
                                str(port), "--quiet", "--no-inferred", "--max-concurrent", "8"],
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/queries", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("server did not start within 60 s")


def load_test(base: str, clients: int, seconds: float) -> tuple[list[float], int, float]:
    url = f"{base}/sparql?" + urllib.parse.urlencode({"query": QUERY})
    latencies: list[float] = []
    errors = [0]
    first_error: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        for _ in range(100_000):  # bounded in count as well as time
            if time.monotonic() >= stop:
                return
            started = time.perf_counter()
            try:
                request = urllib.request.Request(
                    url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    ok = response.status == 200 and json.loads(response.read())["results"]
            except Exception as exc:
                ok = False
                if not first_error:
                    first_error.append(f"{type(exc).__name__}: {exc}")
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    if first_error:
        print(f"  first error: {first_error[0]}")
    return latencies, errors[0], time.perf_counter() - started


def embedded_ms(repeat: int = 50) -> float:
    from calcinosis_kg.core.prefixes import prefix_map
    from calcinosis_kg.graph.knowledge import load

    store = load().store
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        list(store.query(QUERY, prefixes=prefix_map()))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def part_serve(clients: int, seconds: float) -> None:
    port = free_port()
    process = start_server(port)
    try:
        latencies, errors, wall = load_test(f"http://127.0.0.1:{port}", clients, seconds)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"serve load test: {clients} clients x {seconds:g} s on loopback")
    print(f"  requests ok     {len(latencies)}   errors {errors} (must be 0)")
    print(f"  throughput      {len(latencies) / wall:.1f} req/s")
    print(f"  latency p50/p99 {percentile(latencies, 0.5):.1f} / "
          f"{percentile(latencies, 0.99):.1f} ms")
    print(f"  baseline        {embedded_ms():.2f} ms median, same query in-process (pyoxigraph)")
    if errors:
        raise SystemExit(1)


def synthetic_cases(count: int) -> list:
    """``count`` triples of case data (5 triples per case)."""
    import pyoxigraph

    ns = "https://w3id.org/calcinosis-kg/case/"
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    site = pyoxigraph.NamedNode(ns + "site")
    age = pyoxigraph.NamedNode(ns + "age")
    kind = pyoxigraph.NamedNode(ns + "kind")
    typ = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    case_class = pyoxigraph.NamedNode(ns + "Case")
    xsd_int = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    triples = []
    for n in range(count // 5):
        case = pyoxigraph.NamedNode(f"{ns}c{n}")
        triples += [
            pyoxigraph.Triple(case, typ, case_class),
            pyoxigraph.Triple(case, label, pyoxigraph.Literal(f"case {n}")),
            pyoxigraph.Triple(case, site, pyoxigraph.NamedNode(f"{ns}site{n % 40}")),
            pyoxigraph.Triple(case, age, pyoxigraph.Literal(str(n % 90), datatype=xsd_int)),
            pyoxigraph.Triple(case, kind, pyoxigraph.NamedNode(
                f"https://w3id.org/calcinosis-kg/CCKG_000000{2 + n % 5}")),
        ]
    return triples


def part_virtuoso(cases: int) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from store_servers import virtuoso, virtuoso_binaries

    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.serve.push import push_graph, release_graphs
    from calcinosis_kg.serve.remote import Client

    if virtuoso_binaries() is None:
        raise SystemExit("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        with virtuoso(Path(folder)) as store:
            print(f"virtuoso: started in {time.perf_counter() - started:.1f} s")
            client = Client(600, store.credentials)
            graph, triples = release_graphs(load(), "https://w3id.org/calcinosis-kg/release")[0]
            for name, iri, data, point in [
                ("release", graph, triples, "<https://w3id.org/calcinosis-kg/CCKG_0000001>"),
                (f"{cases} case triples", "https://w3id.org/calcinosis-kg/cases",
                 synthetic_cases(cases), f"<https://w3id.org/calcinosis-kg/case/c{cases // 10}>"),
            ]:
                pushed = push_graph(client, store.store, store.endpoint, iri, data)
                rate = pushed.stored / pushed.seconds
                query = f"SELECT ?p ?o WHERE {{ {point} ?p ?o }}"
                times = []
                for _ in range(200):
                    t0 = time.perf_counter()
                    client.select(store.endpoint, query)
                    times.append((time.perf_counter() - t0) * 1000)
                print(f"virtuoso {name}: {pushed.stored} triples pushed and verified in "
                      f"{pushed.seconds:.2f} s ({rate:,.0f} triples/s); point query "
                      f"p50 {percentile(times, 0.5):.1f} ms, p99 {percentile(times, 0.99):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--virtuoso", action="store_true")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--skip-serve", action="store_true", help="only the Virtuoso part")
    args = parser.parse_args()
    if not args.skip_serve:
        part_serve(args.clients, args.seconds)
    if args.virtuoso:
        part_virtuoso(args.cases)


if __name__ == "__main__":
    main()
