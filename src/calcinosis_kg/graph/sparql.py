"""Guarded SPARQL over the knowledge graph: a bundled query by name, any ``.rq`` file, or text.

Why this layer exists rather than calling ``store.query`` directly:

* parameters (``--bind VAR=VALUE``) become RDF terms passed as pyoxigraph ``substitutions`` /
  rdflib ``initBindings`` / a serialised ``VALUES`` block, never pasted into the query text, and a
  binding for a variable the query does not have is an error rather than silently ignored
  (``sparql_text``);
* ``SERVICE`` is refused before any engine sees the query (pyoxigraph and rdflib would both open
  a connection), and rdflib is kept from loading ``FROM`` graphs over the network (``engines``);
* results come back in one shape for every engine: CURIEs or literal strings, with the
  ``rdfs:label`` of every IRI seen;
* the same code runs against the local graph (pyoxigraph, fast; rdflib, the baseline) or a remote
  SPARQL endpoint (``RemoteEngine``, only when a user passes ``--endpoint``).

This is the one entry point for running SPARQL: checks (competency) and answers (``query``) both
call ``run_query``; presenting the result (label columns, table/CSV/JSON) belongs to answers.
The names of ``sparql_text``, ``engines`` and ``queryfiles`` that callers need are re-exported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.graph.engines import (
    ENGINES,
    Engine,
    OxigraphEngine,
    RawResult,
    RdflibEngine,
    RemoteEngine,
    Value,
    make_engine,
)
from calcinosis_kg.graph.queryfiles import BundledQuery, get_query
from calcinosis_kg.graph.sparql_text import (
    QueryRefused,
    parse_bind_options,
    parse_bindings,
    parse_term,
    query_variables,
    refuse_service,
    strip_lexical,
    values_block,
)

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "ENGINES", "Engine", "OxigraphEngine", "QueryRefused", "QueryResult", "RawResult",
    "RdflibEngine", "RemoteEngine", "make_engine", "parse_bind_options", "parse_bindings",
    "parse_term", "query_variables", "refuse_service", "run_query", "strip_lexical",
    "values_block",
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


def _as_query(query: str | Path | BundledQuery) -> tuple[str, str]:
    """(text, source name) for a query given as text, a name, a path or a BundledQuery."""
    if isinstance(query, BundledQuery):
        return query.text, str(query.path)
    if isinstance(query, str) and ("{" in query or (re.search(r"\s", query.strip())
                                                    and not query.strip().endswith(".rq"))):
        return query, "<query>"
    found = get_query(query)
    return found.text, str(found.path)


def run_query(kg: KnowledgeGraph | None, query: str | Path | BundledQuery,
              bindings: Mapping[str, object] | None = None,
              engine: str | Engine = "oxigraph") -> QueryResult:
    """Run a query (bundled name, ``.rq`` path, BundledQuery or SPARQL text) on ``kg``.

    ``bindings`` maps variable names to values (``"CCKG:0000001"``, ``'"text"@en'``, ``12`` …)
    bound as RDF terms. Raises ``InputError`` for an unknown query, a syntax error (with
    line:column), a binding for a variable the query lacks, or a SERVICE clause.
    """
    from calcinosis_kg.core.prefixes import compress

    text, source = _as_query(query)
    refuse_service(text, source)
    terms = parse_bindings(bindings, text, source)
    runner = make_engine(kg, engine)
    raw = runner.execute(text, terms, source)

    iri_columns = [c for i, c in enumerate(raw.columns)
                   if any(_kind(row[i]) == "iri" for row in raw.rows)]
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
    return QueryResult(columns=raw.columns, rows=rows, labels=labels, iri_columns=iri_columns,
                       kind=raw.kind, source=source)


def _kind(value: Value | None) -> str | None:
    return value[0] if value is not None else None
