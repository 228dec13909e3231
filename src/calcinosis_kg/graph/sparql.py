"""Guarded SPARQL over the knowledge graph: a bundled query by name, any ``.rq`` file, or text.

Why this layer exists rather than calling ``store.query`` directly:

* parameters (``--bind VAR=VALUE``) become RDF terms passed as pyoxigraph ``substitutions`` /
  rdflib ``initBindings`` / a serialised ``VALUES`` block, never pasted into the query text, and a
  binding for a variable the query does not have is an error rather than silently ignored
  (``sparql_text``);
* the query is PARSED and ``SERVICE``, updates and ``FROM`` are refused before any engine sees it
  (``query_guard.check_query``; pyoxigraph and rdflib would both open a connection);
* work is bounded: local queries run in a forked child with a deadline and a memory ceiling
  (``bounded``), and a row limit cuts the answer and says so (``QueryResult.truncated``);
* results come back in one shape for every engine: CURIEs or literal strings, with the
  ``rdfs:label`` of every IRI seen;
* the same code runs against the local graph (pyoxigraph, fast; rdflib, the baseline) or a remote
  SPARQL endpoint (``RemoteEngine``, only when a user passes ``--endpoint``).

This is the one guarded runner of SPARQL: checks (competency) and answers both call ``run_sparql``;
users call ``answers.queries.run_query`` (the front door's ``ckg.query``), which adds the inferred
hierarchy. Presenting the result (label columns, table/CSV/JSON) belongs to answers.
The names of ``sparql_text``, ``engines`` and ``queryfiles`` that callers need are re-exported.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.graph.bounded import (
    DEFAULT_MEMORY_MB,
    DEFAULT_ROW_LIMIT,
    DEFAULT_TIMEOUT,
    QueryTimeout,
    QueryTooBig,
)
from calcinosis_kg.graph.engines import (
    ENGINES,
    Engine,
    OxigraphEngine,
    RawResult,
    RdflibEngine,
    Value,
    make_engine,
)
from calcinosis_kg.graph.query_guard import QueryInfo, check_bounded, check_query, run_checked
from calcinosis_kg.graph.queryfiles import BundledQuery, get_query
from calcinosis_kg.graph.remote import RemoteEngine
from calcinosis_kg.graph.sparql_text import (
    QueryRefused,
    parse_bind_options,
    parse_bindings,
    parse_term,
    query_variables,
    strip_lexical,
    values_block,
    with_values,
)

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "Engine",
    "OxigraphEngine",
    "QueryInfo",
    "QueryRefused",
    "QueryResult",
    "QueryTimeout",
    "QueryTooBig",
    "RawResult",
    "RdflibEngine",
    "RemoteEngine",
    "check_query",
    "make_engine",
    "parse_bind_options",
    "parse_bindings",
    "parse_term",
    "query_variables",
    "run_sparql",
    "strip_lexical",
    "values_block",
    "with_values",
]


@dataclass
class QueryResult:
    """Rows of CURIEs / literal strings (None when unbound), plus a label for every IRI seen."""

    columns: list[str]
    rows: list[tuple[str | None, ...]]
    labels: dict[str, str] = field(default_factory=dict)
    iri_columns: list[str] = field(default_factory=list)
    kind: str = "select"  # select | ask | graph
    source: str = ""
    truncated: bool = False  # the row limit cut the answer (``row_limit`` rows kept)
    row_limit: int | None = None


def _as_query(query: str | Path | BundledQuery) -> tuple[str, str]:
    """(text, source name) for a query given as text, a name, a path or a BundledQuery."""
    if isinstance(query, BundledQuery):
        return query.text, str(query.path)
    if isinstance(query, str) and (
        "{" in query or (re.search(r"\s", query.strip()) and not query.strip().endswith(".rq"))
    ):
        return query, "<query>"
    found = get_query(query)
    return found.text, str(found.path)


def run_sparql(
    kg: KnowledgeGraph | None,
    query: str | Path | BundledQuery,
    bindings: Mapping[str, object] | None = None,
    engine: str | Engine = "oxigraph",
    timeout: float | None = None,
    row_limit: int | None = None,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> QueryResult:
    """Run a query (bundled name, ``.rq`` path, BundledQuery or SPARQL text) on ``kg``.

    ``bindings`` maps variable names to values (``"CCKG:0000001"``, ``'"text"@en'``, ``12`` …)
    bound as RDF terms. ``timeout`` (seconds; None = in-process, unbounded) stops a local query
    in a forked child (``QueryTimeout``; ``memory_mb`` caps that child's memory) and is the
    deadline of a remote one (guard parse, query and labels); ``row_limit`` keeps that many
    rows and sets ``truncated``. Raises ``InputError`` for an unknown query, a syntax error
    (with line:column), a binding for a variable the query lacks; ``QueryRefused`` for
    SERVICE, an update or FROM.
    """

    if row_limit is not None and row_limit < 0:
        raise InputError(f"row limit {row_limit}: must be 0 or more")
    if timeout is not None and not timeout > 0:
        raise InputError(f"timeout {timeout}: must be more than 0 seconds")
    text, source = _as_query(query)
    runner = make_engine(kg, engine)
    if isinstance(runner, RemoteEngine):
        started = time.monotonic()
        check_bounded(text, timeout, memory_mb, source)  # parsed under the same deadline
        terms = parse_bindings(bindings, text, source)
        if timeout is not None:  # one deadline for the query and its labels
            runner.deadline(max(timeout - (time.monotonic() - started), 0.001))
        raw = runner.execute(text, terms, source, row_limit)
    else:
        # the guard's parse runs in the bounded child too: the deadline covers all of it
        raw = run_checked(
            text,
            lambda _: runner.execute(
                text, parse_bindings(bindings, text, source), source, row_limit
            ),
            timeout,
            memory_mb,
            source,
        )

    iri_columns = [
        c for i, c in enumerate(raw.columns) if any(_kind(row[i]) == "iri" for row in raw.rows)
    ]
    iris = sorted({v[1] for row in raw.rows for v in row if v is not None and v[0] == "iri"})
    found = runner.labels(iris)

    def show(value: Value | None) -> str | None:
        if value is None:
            return None
        kind, text_value = value
        if kind == "iri":
            return compress(text_value)
        if kind == "bnode":
            return "_:" + text_value
        return text_value

    labels = {compress(iri): label for iri, label in found.items()}
    rows = [tuple(show(v) for v in row) for row in raw.rows]
    return QueryResult(
        columns=raw.columns,
        rows=rows,
        labels=labels,
        iri_columns=iri_columns,
        kind=raw.kind,
        source=source,
        truncated=raw.truncated,
        row_limit=row_limit,
    )


def _kind(value: Value | None) -> str | None:
    return value[0] if value is not None else None
