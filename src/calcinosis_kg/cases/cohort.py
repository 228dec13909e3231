"""Cohort questions: bundled SPARQL files (queries/cases/*.rq) over the classified cases.

Why SPARQL on pyoxigraph: the questions are about the ontology as much as the cases (a type's
label, the "case of T" class that HermiT would realise, labels of sites and diseases), and the
same files run unchanged on any triple store a registry already has. The store holds the
ontology and the valid cases with their inferred "case of T" types; invalid cases are left out.
Only bundled queries run (no user SPARQL, so no SERVICE or LOAD can reach the network).
Measured at 100k cases in docs/readme/cases.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.api import NothingRead
from calcinosis_kg.cases.classify import build_classifier
from calcinosis_kg.cases.pipeline import spreadsheet_csv
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import queries_dir
from calcinosis_kg.core.text import aligned_table
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.queryfiles import list_queries as list_bundled


def query_files() -> dict[str, Path]:
    """The bundled cohort queries (``queries/cases/*.rq``) by name."""
    return {q.name: q.path for q in list_bundled(queries_dir() / "cases")}


def list_queries() -> list[tuple[str, str]]:
    """(name, title) of each cohort query, read by the one bundled-query lister."""
    return [(q.name, q.title) for q in list_bundled(queries_dir() / "cases")]


def cohort_store(paths: Iterable[Path | str], failed: list[InputError] | None = None) -> Any:
    """A pyoxigraph store: the ontology + every valid case, typed by its 'case of T' class;
    with ``failed``, files that cannot be read are collected there."""
    import pyoxigraph as ox

    kg = load()
    store = ox.Store()
    store.bulk_extend(kg.store)
    clf = build_classifier(kg.store)
    read = 0
    for chunk in pipeline.run(paths, clf, failed=failed):
        read += chunk.frame.height
        valid = chunk.results["status"] != "invalid"
        data = pipeline.results_ntriples(
            chunk.frame.filter(valid),
            chunk.results.filter(valid),
            sort=False,
            table=pipeline.valid_triples(chunk),
        )
        if data:
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    if failed and not read:
        raise NothingRead(failed)
    return store


def run(name: str, store: Any) -> pl.DataFrame:
    """One bundled cohort query on the cases' store, IRIs as CURIEs; an unknown name is an
    ``InputError`` listing the known ones."""
    import pyoxigraph as ox

    files = query_files()
    if name not in files:
        raise InputError(f"unknown cohort query {name!r} (known: {', '.join(files)})")
    result = store.query(files[name].read_text(encoding="utf-8"))
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = []
        for var in names:
            term = solution[var]
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(m.compress(term.value))
            else:
                row.append(term.value)
        rows.append(row)
    return (
        pl.DataFrame(rows, schema=names, orient="row")
        if rows
        else pl.DataFrame(schema=dict.fromkeys(names, pl.String))
    )


def answer(
    name: str,
    paths: Iterable[Path | str],
    fmt: str = "table",
    failed: list[InputError] | None = None,
) -> bytes:
    """The answer as text; with ``failed``, unreadable files are collected there."""
    if name not in query_files():
        raise InputError(f"unknown cohort query {name!r} (known: {', '.join(query_files())})")
    return format_table(run(name, cohort_store(paths, failed)), fmt)


def format_table(table: pl.DataFrame, fmt: str) -> bytes:
    """CSV (spreadsheet-safe) or an aligned table (control characters escaped)."""

    if fmt == "csv":
        return spreadsheet_csv(table)
    cells = [[str(v) for v in row] for row in table.iter_rows()]
    return aligned_table(table.columns, cells).encode("utf-8")
