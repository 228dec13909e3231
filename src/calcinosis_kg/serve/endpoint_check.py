"""``check --endpoint``: every competency query against a remote SPARQL 1.1 store, compared with
the same expected answers the embedded ``check`` uses.

Why here and not in ``checks``: it needs the remote client of this wing (timeouts, credentials,
Virtuoso's row cap), and reasoning, SHACL and QC need the local files, so only the competency
stage can run remotely. The expected files and the comparison are ``checks.competency``'s own.
"""

from __future__ import annotations

from calcinosis_kg.checks.competency import (
    CompetencyQuery,
    Row,
    check_answer,
    competency_queries,
    run_stage,
)
from calcinosis_kg.checks.results import StageResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.remote import RemoteEngine
from calcinosis_kg.graph.sparql import run_sparql
from calcinosis_kg.serve.remote import Credentials, RemoteError


def endpoint_competency(
    endpoint: str, timeout: float = 60.0, credentials: Credentials | None = None
) -> StageResult:
    """The competency stage, run on ``endpoint`` instead of the loaded graph."""

    engine = RemoteEngine(endpoint, timeout, credentials)

    def answer(query: CompetencyQuery) -> tuple[list[str], list[Row]]:
        result = run_sparql(None, query.path, query.bindings or None, engine=engine)
        return list(result.columns), [tuple(r) for r in result.rows]

    return run_stage(
        competency_queries(),
        lambda query: check_answer(query, answer, errors=(InputError, RemoteError)),
    )
