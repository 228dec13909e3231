"""What bounding a query costs: the parsed-query guard and the forked child with a deadline.

For every bundled query (on the bundled graph, loaded once) it measures, median of N runs:
  baseline   graph.sparql.run_sparql(..., timeout=None)   the engine in-process, no deadline
  bounded    graph.sparql.run_sparql(..., timeout=60)     forked child, deadline, RLIMIT_AS
  guard      the parsed-query guard, uncached: rdflib parse + tree walk (check_query remembers
             accepted texts, so baseline and bounded pay it once)
and prints them next to each other with the added milliseconds. No target: the numbers are for
docs/readme/security.md; the deadline is worth a few milliseconds per query.

Usage: python benchmarks/bench_query_limits.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable


def median_ms(work: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from calcinosis_kg.graph import query_guard
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.graph.queryfiles import list_queries
    from calcinosis_kg.graph.sparql import run_sparql

    kg = load()
    queries = list_queries()
    print(f"{'query':<42} {'baseline ms':>11} {'bounded ms':>10} {'added':>7} {'guard ms':>8}")
    totals = [0.0, 0.0, 0.0]
    for query in queries:
        bindings = dict(query.example_bindings) or None
        base = median_ms(lambda q=query, b=bindings: run_sparql(kg, q, b), args.runs)
        bounded = median_ms(
            lambda q=query, b=bindings: run_sparql(kg, q, b, timeout=60.0), args.runs
        )
        guard = median_ms(
            lambda q=query: query_guard._check.__wrapped__(q.text, "<q>", False), args.runs
        )
        totals = [totals[0] + base, totals[1] + bounded, totals[2] + guard]
        print(
            f"{query.name:<42} {base:>11.2f} {bounded:>10.2f} {bounded - base:>+7.2f} {guard:>8.2f}"
        )
    count = max(len(queries), 1)
    print(
        f"{'mean per query':<42} {totals[0] / count:>11.2f} {totals[1] / count:>10.2f} "
        f"{(totals[1] - totals[0]) / count:>+7.2f} {totals[2] / count:>8.2f}"
    )


if __name__ == "__main__":
    main()
