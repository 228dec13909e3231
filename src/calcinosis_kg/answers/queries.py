"""Answer users' questions with SPARQL: run a query (optionally over the inferred hierarchy) and
present its rows with labels as an aligned table, CSV, TSV or JSON.

Why a module of its own: running SPARQL safely is the graph layer's job (``graph.sparql``), shared
with the competency stage; what a user sees is decided here: a ``<column>_label`` column after
every IRI column, one text format per output, and ``--inferred`` (the asserted graph plus the
reasoner's class hierarchy, from ``checks.inferred``). Scripts reach it through the front door
(``ckg.query``, ``ckg.render``, ``ckg.list_queries``); the module itself is private.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.text import aligned_table, tsv_field
from calcinosis_kg.core.vocab import OWL_CLASS, RDF_TYPE
from calcinosis_kg.graph import sparql
from calcinosis_kg.graph.queryfiles import BundledQuery
from calcinosis_kg.graph.sparql import Engine, QueryResult

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = ["FORMATS", "RDFLIB_CLASS_LIMIT", "labelled", "render", "run_query", "truncation_note"]

FORMATS = ("table", "csv", "tsv", "json")

Row = tuple[str | None, ...]


def run_query(
    kg: KnowledgeGraph | None,
    query: str | Path | BundledQuery,
    bindings: Mapping[str, object] | None = None,
    engine: str | Engine = "oxigraph",
    inferred: bool = False,
    timeout: float | None = None,
    row_limit: int | None = None,
    memory_mb: int | None = sparql.DEFAULT_MEMORY_MB,
) -> QueryResult:
    """Run ``query`` over ``kg``, plus the inferred class hierarchy if ``inferred``: a bundled
    query's name or unique prefix (``"cq02"``; ``list_queries()`` gives each one's ``name``,
    ``question``, ``parameters`` and ``example_bindings``), a ``.rq`` path, a ``BundledQuery`` or
    SPARQL text. ``engine`` is ``"oxigraph"`` (default) or ``"rdflib"``.

    ``bindings`` maps variable names to values (``"CCKG:0000001"``, ``'"text"@en'``, ``12`` …)
    bound as RDF terms. Raises ``InputError`` for an unknown query, a syntax error (with
    line:column), a binding for a variable the query lacks, or a SERVICE clause. ``timeout``
    (seconds, in a child process), ``row_limit`` (rows kept; the result says ``truncated``) and
    ``memory_mb`` bound the work. The ``QueryResult`` holds ``columns`` and ``rows`` of CURIEs or
    literal strings; ``render`` prints it.
    """
    if inferred:
        if kg is None:
            raise InputError("--inferred needs the local graph (not an --endpoint)")
        from calcinosis_kg.checks.inferred import inferred_kg  # the reasoner: only when asked

        kg = inferred_kg(kg)
    refuse_slow_engine(kg, query, engine)
    return sparql.run_sparql(
        kg, query, bindings, engine, timeout=timeout, row_limit=row_limit, memory_mb=memory_mb
    )


# --- issue 10: an engine that cannot answer a bundled query on a large merged graph ---------
#: bundled queries whose rdflib plan (nested-loop joins in OPTIONAL/UNION blocks) grows with every
#: labelled class, measured with HP merged (500 classes 13 s, 1,000 38 s, 2,000 115 s, all of HP
#: > 900 s; pyoxigraph 1.8 s): refused on rdflib above RDFLIB_CLASS_LIMIT classes
SLOW_ON_RDFLIB = frozenset({"cq12-class-card"})
RDFLIB_CLASS_LIMIT = 1000


def refuse_slow_engine(kg: KnowledgeGraph | None, query: object, engine: object) -> None:
    """Raise ``InputError`` when ``engine`` is rdflib, ``query`` a bundled query known to grow
    with the graph on rdflib, and ``kg`` has more than ``RDFLIB_CLASS_LIMIT`` classes."""
    name = query.name if isinstance(query, BundledQuery) else str(query)
    engine_name = engine if isinstance(engine, str) else getattr(engine, "name", "")
    if kg is None or engine_name != "rdflib":
        return
    slow = [q for q in SLOW_ON_RDFLIB if q == name or (name and q.startswith(name))]
    if not slow:
        return
    import pyoxigraph

    classes = sum(
        1
        for _ in kg.store.quads_for_pattern(
            None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(OWL_CLASS)
        )
    )
    if classes > RDFLIB_CLASS_LIMIT:
        raise InputError(
            f"query {slow[0]} is refused on --engine rdflib for a graph of {classes:,} classes "
            f"(more than {RDFLIB_CLASS_LIMIT:,}): rdflib's plan for it grows with every labelled "
            "class (minutes to hours); use the default engine (oxigraph)"
        )


def labelled(result: QueryResult) -> tuple[list[str], list[Row]]:
    """Columns and rows with a ``<col>_label`` column right after every IRI column."""
    columns: list[str] = []
    picks: list[tuple[int, bool]] = []
    for index, name in enumerate(result.columns):
        columns.append(name)
        picks.append((index, False))
        if name in result.iri_columns:
            label_name = f"{name}_label"
            while label_name in result.columns or label_name in columns:
                label_name += "_"
            columns.append(label_name)
            picks.append((index, True))
    rows = []
    for row in result.rows:
        out: list[str | None] = []
        for index, is_label in picks:
            value = row[index]
            out.append(
                result.labels.get(value)
                if is_label and value is not None
                else None
                if is_label
                else value
            )
        rows.append(tuple(out))
    return columns, rows


def truncation_note(result: QueryResult) -> str:
    """One line saying the row limit cut the answer ("" when it did not)."""
    if not result.truncated:
        return ""
    return (
        f"result truncated to the first {result.row_limit} rows "
        "(raise the limit with --limit, 0 for none)"
    )


def render(result: QueryResult, fmt: str = "table", with_labels: bool = True) -> str:
    """The result as ``table`` (aligned text), ``csv``, ``tsv`` or ``json``.

    Text (``table``) escapes control characters (``terminal_safe``) so a label cannot move the
    cursor or retitle a terminal; CSV, TSV and JSON keep every character of the data (TSV, which
    has no quoting, escapes only tab, newline, carriage return and backslash, reversibly). JSON
    says ``"truncated": true`` when the row limit cut the answer.
    """
    columns, rows = labelled(result) if with_labels else (result.columns, result.rows)
    if fmt == "json":
        body: dict[str, object] = {
            "columns": columns,
            "rows": [dict(zip(columns, row, strict=True)) for row in rows],
        }
        if result.truncated:
            body["truncated"] = True
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if fmt == "tsv":
        lines = ["\t".join(tsv_field(c) for c in columns)]
        lines += ["\t".join(tsv_field("" if v is None else v) for v in row) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return stream.getvalue()
    if fmt != "table":
        raise InputError(f"unknown format '{fmt}' ({', '.join(FORMATS)})")
    return _table(columns, rows, result.truncated)


def _table(columns: list[str], rows: list[Row], truncated: bool = False) -> str:
    """Aligned columns (whitespace collapsed, control characters escaped) and a row count."""
    cells = [[" ".join(("" if v is None else v).split()) for v in row] for row in rows]
    return aligned_table(
        columns, cells, ", truncated: more rows exist (--limit)" if truncated else ""
    )
