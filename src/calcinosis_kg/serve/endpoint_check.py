"""``check --endpoint``: every competency query against a remote SPARQL 1.1 store, compared with
the same expected answers the embedded ``check`` uses.

Why here and not in ``checks``: it needs the remote client of this wing (timeouts, credentials,
Virtuoso's row cap), and reasoning, SHACL and QC need the local files, so only the competency
stage can run remotely. The expected files and the comparison are ``checks.competency``'s own.
"""

from __future__ import annotations

import time

from calcinosis_kg.checks.competency import (
    STAGE,
    compare,
    competency_queries,
    read_expected,
)
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.sparql import run_sparql
from calcinosis_kg.serve.remote import CappedRemoteEngine, Credentials, RemoteError


def endpoint_competency(
    endpoint: str, timeout: float = 60.0, credentials: Credentials | None = None
) -> StageResult:
    """The competency stage, run on ``endpoint`` instead of the loaded graph."""

    started = time.perf_counter()
    engine = CappedRemoteEngine(endpoint, timeout, credentials)
    queries = competency_queries()
    failures: list[Failure] = []
    failed = 0
    for query in queries:
        if not query.expected_path.is_file():
            found = [
                Failure(
                    STAGE,
                    query.name,
                    query.title,
                    f"no expected answer ({query.expected_path.name} is missing)",
                )
            ]
        else:
            try:
                result = run_sparql(None, query.path, query.bindings or None, engine=engine)
                found = compare(
                    query,
                    read_expected(query.expected_path),
                    list(result.columns),
                    [tuple(r) for r in result.rows],
                )
            except (InputError, RemoteError) as exc:
                found = [Failure(STAGE, query.name, query.title, str(exc))]
        failed += bool(found)
        failures.extend(found)
    return StageResult(
        name=STAGE,
        ok=not failures,
        counts={"queries": len(queries), "passed": len(queries) - failed, "failed": failed},
        failures=failures,
        seconds=time.perf_counter() - started,
    )
