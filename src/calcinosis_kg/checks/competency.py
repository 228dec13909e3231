"""Competency stage: run every bundled competency query and compare it with its expected answer.

Each ``queries/<name>.rq`` has an expected answer in ``queries/expected/<name>.tsv`` (header row =
the variables compared, then one row per answer; IRIs as CURIEs, literals as their text, an empty
cell for an unbound value). The answers were written from the article, not dumped from the graph,
so a mismatch means the ontology (or the query) lost or distorted a fact: each one becomes a
``Failure`` naming the query and the missing and unexpected rows.

Parameterised queries declare a default binding in their header
(``# example-binding: class=CCKG:0000001``); the stage runs them with it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import queries_dir as bundled_queries_dir
from calcinosis_kg.graph.queryfiles import list_queries, read_query_file
from calcinosis_kg.graph.sparql import run_sparql, strip_lexical

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.graph.queryfiles import BundledQuery

STAGE = "competency"
EXPECTED_DIR = "expected"
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)

Row = tuple[str | None, ...]


@dataclass(frozen=True)
class CompetencyQuery:
    """A bundled query with what the stage needs: its question, example bindings, expected file."""

    name: str
    path: Path
    text: str
    title: str
    question: str
    bindings: dict[str, str] = field(default_factory=dict)

    @property
    def ordered(self) -> bool:
        """True when the query sorts its answer, so row order is part of the answer."""

        return bool(_ORDER_BY.search(strip_lexical(self.text)))

    @property
    def expected_path(self) -> Path:
        """The committed expected answer: ``expected/<stem>.tsv`` beside the query file."""
        return self.path.parent / EXPECTED_DIR / f"{self.path.stem}.tsv"


@dataclass(frozen=True)
class ExpectedAnswer:
    """A committed answer (``expected/*.tsv``) the query's result is compared with."""

    columns: list[str]
    rows: list[Row]


def _from_bundled(query: BundledQuery) -> CompetencyQuery:
    return CompetencyQuery(
        name=query.name,
        path=query.path,
        text=query.text,
        title=query.title,
        question=query.question,
        bindings=dict(query.example_bindings),
    )


def load_query(path: Path) -> CompetencyQuery:
    """One query file with its header (``# example-binding: var=VALUE`` gives its bindings)."""

    return _from_bundled(read_query_file(Path(path)))


def competency_queries(directory: Path | None = None) -> list[CompetencyQuery]:
    """The competency queries of ``directory`` (default: the bundled ``queries/``), by name.

    Only the top-level ``*.rq`` files count: ``queries/qc/`` holds QC rules, not questions.
    """

    directory = Path(directory) if directory else bundled_queries_dir()
    return [_from_bundled(q) for q in list_queries(directory)]


def read_expected(path: Path) -> ExpectedAnswer:
    """Read an expected-answer TSV (tab-separated, no quoting; empty cell = unbound).

    Its header names the variables that are compared; a query may return more columns (labels).
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].strip():
        raise InputError("expected-answer file has no header row", path, 1)
    columns = [c.strip().lstrip("?") for c in lines[0].split("\t")]
    rows: list[Row] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(columns):
            raise InputError(
                f"row has {len(cells)} cells, the header has {len(columns)}", path, number
            )
        rows.append(tuple(cell if cell != "" else None for cell in cells))
    return ExpectedAnswer(columns, rows)


def run(
    kg: KnowledgeGraph, query: CompetencyQuery, bindings: dict[str, str] | None = None
) -> tuple[list[str], list[Row]]:
    """Run one competency query (with its example bindings unless others are given)."""

    bindings = query.bindings if bindings is None else bindings
    result = run_sparql(kg, query.path, bindings or None)  # errors then name the file
    return list(result.columns), [tuple(row) for row in result.rows]


def _project(columns: list[str], rows: list[Row], wanted: list[str]) -> list[Row]:
    index = [columns.index(c) for c in wanted]
    return [tuple(row[i] for i in index) for row in rows]


def _show_row(row: Row) -> str:
    return "(" + " | ".join("" if v is None else v for v in row) + ")"


def compare(
    query: CompetencyQuery, expected: ExpectedAnswer, columns: list[str], rows: list[Row]
) -> list[Failure]:
    """Failures for a query whose answer differs from the expected one (none when equal).

    Rows are compared as sets (duplicates count); when the query has ORDER BY and the sets agree,
    the order must agree too.
    """
    missing_cols = [c for c in expected.columns if c not in columns]
    if missing_cols:
        return [
            Failure(
                STAGE,
                query.name,
                query.title,
                f"the answer has no column(s) {', '.join(missing_cols)} "
                f"(it has {', '.join(columns)})",
            )
        ]
    actual = _project(columns, rows, expected.columns)
    want, got = Counter(expected.rows), Counter(actual)
    missing = sorted((want - got).elements(), key=_show_row)
    unexpected = sorted((got - want).elements(), key=_show_row)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing row(s): " + "; ".join(map(_show_row, missing)))
        if unexpected:
            parts.append(
                f"{len(unexpected)} unexpected row(s): " + "; ".join(map(_show_row, unexpected))
            )
        return [Failure(STAGE, query.name, query.title, " / ".join(parts))]
    if query.ordered and actual != expected.rows:
        first = next(
            i for i, (a, b) in enumerate(zip(actual, expected.rows, strict=True)) if a != b
        )
        return [
            Failure(
                STAGE,
                query.name,
                query.title,
                f"same rows, different order (ORDER BY): row {first + 1} is "
                f"{_show_row(actual[first])}, expected {_show_row(expected.rows[first])}",
            )
        ]
    return []


#: how one query is answered: (columns, rows) of the query run with its example bindings
Answerer = Callable[[CompetencyQuery], tuple[list[str], list[Row]]]


def check_answer(
    query: CompetencyQuery,
    answer: Answerer,
    errors: tuple[type[Exception], ...] = (InputError,),
    any_error: bool = False,
) -> list[Failure]:
    """Answer one query and compare it with its expected file.

    An error of a type in ``errors`` (bad input, an endpoint that refused) is the query's failure,
    with its message; with ``any_error`` every other exception is too (a query that crashes is a
    failed question, not a crashed stage), otherwise it propagates.
    """
    if not query.expected_path.is_file():
        return [
            Failure(
                STAGE,
                query.name,
                query.title,
                f"no expected answer ({query.expected_path.name} is missing)",
            )
        ]
    try:
        expected = read_expected(query.expected_path)
        columns, rows = answer(query)
    except errors as exc:
        return [Failure(STAGE, query.name, query.title, str(exc))]
    except Exception as exc:
        if not any_error:
            raise
        return [
            Failure(
                STAGE,
                query.name,
                query.title,
                f"query failed: {type(exc).__name__}: {' '.join(str(exc).split())}",
            )
        ]
    return compare(query, expected, columns, rows)


def check_query(kg: KnowledgeGraph, query: CompetencyQuery) -> list[Failure]:
    """Run one query on the loaded graph and compare it with its expected file."""
    return check_answer(query, lambda q: run(kg, q), any_error=True)


def run_stage(
    queries: list[CompetencyQuery], check: Callable[[CompetencyQuery], list[Failure]]
) -> StageResult:
    """The stage's result over ``queries``, each checked by ``check`` (local or remote)."""
    start = time.perf_counter()
    failures: list[Failure] = []
    failed = 0
    for query in queries:
        found = check(query)
        failed += bool(found)
        failures.extend(found)
    return StageResult(
        name=STAGE,
        ok=not failures,
        counts={"queries": len(queries), "passed": len(queries) - failed, "failed": failed},
        failures=failures,
        seconds=time.perf_counter() - start,
    )


def competency_stage(kg: KnowledgeGraph, queries_dir: Path | None = None) -> StageResult:
    """Run every competency query with its example bindings and compare with expected answers."""
    return run_stage(competency_queries(queries_dir), lambda query: check_query(kg, query))
