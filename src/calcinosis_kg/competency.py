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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.errors import InputError
from calcinosis_kg.resources import queries_dir as bundled_queries_dir
from calcinosis_kg.results import Failure, StageResult

if TYPE_CHECKING:
    from calcinosis_kg.graph import KnowledgeGraph

STAGE = "competency"
EXPECTED_DIR = "expected"
_HEADER_LINE = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)

Row = tuple[str | None, ...]


@dataclass(frozen=True)
class CompetencyQuery:
    """A bundled query with what the stage needs: its header, example bindings, expected file."""

    name: str
    path: Path
    text: str
    header: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)

    @property
    def question(self) -> str:
        return self.header.get("question", "")

    @property
    def ordered(self) -> bool:
        """True when the query sorts its answer, so row order is part of the answer."""
        return bool(_ORDER_BY.search(_strip_comments(self.text)))

    @property
    def expected_path(self) -> Path:
        return self.path.parent / EXPECTED_DIR / f"{self.path.stem}.tsv"


@dataclass(frozen=True)
class ExpectedAnswer:
    columns: list[str]
    rows: list[Row]


def _strip_comments(text: str) -> str:
    """Query text without ``#`` comment lines (IRIs in ``<…#…>`` are kept: only whole lines go)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def read_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query file (before the first non-comment line)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER_LINE.match(stripped)
        if match:
            key, value = match.group(1).lower(), match.group(2)
            header[key] = f"{header[key]} {value}".strip() if key in header else value
    return header


def parse_bindings(spec: str, path: Path | str | None = None) -> dict[str, str]:
    """``class=CCKG:0000001; other=value`` -> ``{"class": "CCKG:0000001", ...}``."""
    bindings: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        name, sep, value = part.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name or not value.strip():
            raise InputError(f"example-binding {part!r} is not VAR=VALUE", path)
        bindings[name] = value.strip()
    return bindings


def load_query(path: Path) -> CompetencyQuery:
    text = path.read_text(encoding="utf-8")
    header = read_header(text)
    bindings = parse_bindings(header.get("example-binding", ""), path)
    return CompetencyQuery(name=path.stem, path=path, text=text, header=header, bindings=bindings)


def competency_queries(directory: Path | None = None) -> list[CompetencyQuery]:
    """The competency queries of ``directory`` (default: the bundled ``queries/``), by name.

    Only the top-level ``*.rq`` files count: ``queries/qc/`` holds QC rules, not questions.
    """
    directory = Path(directory) if directory else bundled_queries_dir()
    return [load_query(path) for path in sorted(directory.glob("*.rq"))]


def read_expected(path: Path) -> ExpectedAnswer:
    """Read an expected-answer TSV (tab-separated, no quoting; empty cell = unbound)."""
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
                f"row has {len(cells)} cells, the header has {len(columns)}", path, number)
        rows.append(tuple(cell if cell != "" else None for cell in cells))
    return ExpectedAnswer(columns, rows)


def format_tsv(columns: list[str], rows: list[Row]) -> str:
    """An answer in the expected-file format (for curators writing or reviewing expectations)."""
    lines = ["\t".join(columns)]
    lines += ["\t".join("" if v is None else v.replace("\t", " ").replace("\n", " ") for v in row)
              for row in rows]
    return "\n".join(lines) + "\n"


def run(kg: KnowledgeGraph, query: CompetencyQuery,
        bindings: dict[str, str] | None = None) -> tuple[list[str], list[Row]]:
    """Run one competency query: through ``calcinosis_kg.queries.run_query`` when available."""
    bindings = query.bindings if bindings is None else bindings
    try:
        from calcinosis_kg.queries import run_query
    except ImportError:  # the shared runner is not there: a minimal local one
        return _run_local(kg, query.text, bindings, query.path)
    result = run_query(kg, query.text, bindings or None)
    return list(result.columns), [tuple(row) for row in result.rows]


def _term_for(value: str):
    """A ``--bind`` value as an RDF term: a CURIE/IRI is an IRI, anything else a string literal."""
    import pyoxigraph

    from calcinosis_kg.prefixes import expand

    if value.startswith("<") and value.endswith(">"):
        return pyoxigraph.NamedNode(value[1:-1])
    if re.match(r"^[A-Za-z][\w.-]*:\S+$", value):
        try:
            return pyoxigraph.NamedNode(expand(value))
        except ValueError:
            pass
    return pyoxigraph.Literal(value)


def _run_local(kg: KnowledgeGraph, text: str, bindings: dict[str, str],
               path: Path | None) -> tuple[list[str], list[Row]]:
    import pyoxigraph

    from calcinosis_kg.prefixes import compress

    substitutions = {pyoxigraph.Variable(k): _term_for(v) for k, v in bindings.items()}
    try:
        solutions = kg.store.query(text, substitutions=substitutions or None)
    except (SyntaxError, ValueError, RuntimeError) as exc:
        raise InputError(f"query failed: {exc}", path) from exc
    columns = [v.value for v in solutions.variables]

    def show(term) -> str | None:
        if term is None:
            return None
        if isinstance(term, pyoxigraph.NamedNode):
            return compress(term.value)
        return term.value

    rows = [tuple(show(solution[c]) for c in columns) for solution in solutions]
    return columns, rows


def _project(columns: list[str], rows: list[Row], wanted: list[str]) -> list[Row]:
    index = [columns.index(c) for c in wanted]
    return [tuple(row[i] for i in index) for row in rows]


def _show_row(row: Row) -> str:
    return "(" + " | ".join("" if v is None else v for v in row) + ")"


def compare(query: CompetencyQuery, expected: ExpectedAnswer,
            columns: list[str], rows: list[Row]) -> list[Failure]:
    """Failures for a query whose answer differs from the expected one (none when equal).

    Rows are compared as sets (duplicates count); when the query has ORDER BY and the sets agree,
    the order must agree too.
    """
    missing_cols = [c for c in expected.columns if c not in columns]
    if missing_cols:
        return [Failure(STAGE, query.name, query.title,
                        f"the answer has no column(s) {', '.join(missing_cols)} "
                        f"(it has {', '.join(columns)})")]
    actual = _project(columns, rows, expected.columns)
    want, got = Counter(expected.rows), Counter(actual)
    missing = sorted((want - got).elements(), key=_show_row)
    unexpected = sorted((got - want).elements(), key=_show_row)
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing row(s): " + "; ".join(map(_show_row, missing)))
        if unexpected:
            parts.append(f"{len(unexpected)} unexpected row(s): "
                         + "; ".join(map(_show_row, unexpected)))
        return [Failure(STAGE, query.name, query.title, " / ".join(parts))]
    if query.ordered and actual != expected.rows:
        first = next(i for i, (a, b) in enumerate(zip(actual, expected.rows, strict=True))
                     if a != b)
        return [Failure(STAGE, query.name, query.title,
                        f"same rows, different order (ORDER BY): row {first + 1} is "
                        f"{_show_row(actual[first])}, expected {_show_row(expected.rows[first])}")]
    return []


def check_query(kg: KnowledgeGraph, query: CompetencyQuery) -> list[Failure]:
    """Run one query and compare it with its expected file."""
    if not query.expected_path.is_file():
        return [Failure(STAGE, query.name, query.title,
                        f"no expected answer ({query.expected_path.name} is missing)")]
    try:
        expected = read_expected(query.expected_path)
        columns, rows = run(kg, query)
    except InputError as exc:
        return [Failure(STAGE, query.name, query.title, str(exc))]
    except Exception as exc:  # a query that crashes is a failed question, not a crashed stage
        return [Failure(STAGE, query.name, query.title,
                        f"query failed: {type(exc).__name__}: {' '.join(str(exc).split())}")]
    return compare(query, expected, columns, rows)


def competency_stage(kg: KnowledgeGraph, queries_dir: Path | None = None) -> StageResult:
    """Run every competency query with its example bindings and compare with expected answers."""
    start = time.perf_counter()
    queries = competency_queries(queries_dir)
    failures: list[Failure] = []
    failed = 0
    for query in queries:
        found = check_query(kg, query)
        failed += bool(found)
        failures.extend(found)
    return StageResult(
        name=STAGE,
        ok=not failures,
        counts={"queries": len(queries), "passed": len(queries) - failed, "failed": failed},
        failures=failures,
        seconds=time.perf_counter() - start,
    )
