"""The case commands as Python functions (the CLI only parses options and prints).

Why a small facade: ``validate`` and ``classify`` stream chunks through the pipeline and must
produce one deterministic output whatever the chunk size; collecting, ordering and formatting
lives here so the CLI, the benchmark and the tests share it. A file that cannot be read is
collected in ``failed`` (one ``InputError`` each) while the other files are read; when no record
could be read at all, ``NothingRead`` stops before any output is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.classify import build_classifier
from calcinosis_kg.core.errors import CalcinosisKGError, InputError
from calcinosis_kg.core.text import terminal_safe

#: what the polars engine writes
FORMATS = ("table", "csv", "jsonl", "ttl")
#: what the spark engine writes (the polars engine's ``ttl`` and ``table`` are not)
SPARK_FORMATS = ("csv", "jsonl", "parquet")


class NothingRead(CalcinosisKGError):
    """Every input file failed: the errors are in ``failed``; nothing is written."""

    def __init__(self, failed: list[InputError]) -> None:
        self.failed = failed
        super().__init__("; ".join(e.one_line() for e in failed))


def failed_table(failed: list[InputError]) -> pl.DataFrame:
    """Unreadable files as problem rows (case_id empty, field ``file``)."""
    rows = [
        (f"{e.path}:{e.line}" if e.line else str(e.path), "", "file", e.message) for e in failed
    ]
    return pl.DataFrame(rows, schema=pipeline.PROBLEM_SCHEMA, orient="row")


def _cut(case_id: str, most: int = 80) -> str:
    """A case id for a line meant for people: a 1 MB id is shown by its head and length."""
    return case_id if len(case_id) <= most else f"{case_id[:most]}… ({len(case_id):,} characters)"


@dataclass
class ValidationReport:
    """The outcome of ``cases validate``: how many records, how many invalid, each problem, and
    the files that could not be read at all."""

    total: int = 0
    invalid: int = 0
    problems: list[pl.DataFrame] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    #: where Spark wrote the problems instead of returning them (``validate_paths(output=…)``)
    problems_at: str | None = None

    def table(self) -> pl.DataFrame:
        """Every problem of the records read, as one frame (empty, with its schema, when none)."""
        if not self.problems:
            return pl.DataFrame(schema=pipeline.PROBLEM_SCHEMA)
        return pl.concat(self.problems)

    def problems_text(self) -> bytes:
        """One line per problem, for people: control characters and bidi overrides escaped."""

        lines = [
            terminal_safe(f"{r['source']}: {_cut(r['case_id'])}: {r['field']}: {r['message']}")
            for r in self.table().iter_rows(named=True)
        ]
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def problems_csv(self) -> bytes:
        """Every problem, unreadable files first (field ``file``), spreadsheet-safe."""
        table = pl.concat([failed_table(self.failed), self.table()])
        return pipeline.spreadsheet_csv(table.select("source", "case_id", "field", "message"))

    def summary(self) -> str:
        """One line: valid and invalid counts, problems, and files not read."""
        n = len(self.failed)
        unread = f"; {n} file{'s' if n > 1 else ''} not read" if n else ""
        problems = (
            f"problems in {self.problems_at}"
            if self.problems_at is not None
            else f"{len(self.table())} problems"
        )
        return (
            f"{self.total} cases: {self.total - self.invalid} valid, {self.invalid} invalid "
            f"({problems}){unread}"
        )


def validate_paths(
    paths: Iterable[Path | str],
    *,
    engine: str = "polars",
    master: str | None = None,
    output: Path | str | None = None,
) -> ValidationReport:
    """Every record checked; files that cannot be read end up in ``report.failed``.

    ``engine="spark"`` runs the same shapes on Apache Spark (``pip install
    "calcinosis-kg[spark]"``): ``master`` is the Spark master (default ``local[*]``, or the
    session ``spark-submit`` made), and with ``output`` the problems are written to that folder
    (partitioned CSV) instead of being returned. The polars engine takes neither.
    """
    if engine == "spark":
        return _spark_validate([str(p) for p in paths], master, output)
    _polars_only(engine, master=master, output=output)
    report = ValidationReport()
    for chunk in pipeline.run(paths, None, failed=report.failed):
        report.total += chunk.frame.height
        report.invalid += chunk.problems["case_id"].n_unique() if chunk.problems.height else 0
        report.problems.append(chunk.problems)
    if report.failed and not report.total:
        raise NothingRead(report.failed)
    return report


def classify_stream(
    paths: Iterable[Path | str],
    fmt: str,
    counts: dict[str, int],
    failed: list[InputError] | None = None,
    complete: tuple[str, ...] = (),
) -> Iterator[bytes]:
    """Classified output in ``fmt``, one part per chunk (a million cases never sit in memory);
    ``counts`` is filled with the number of cases per status as the parts are produced. With
    ``failed``, unreadable files are collected there and the others classified; if none could
    be read, ``NothingRead`` is raised before the first part. ``complete``: the lists the
    sources declare complete (``pipeline.iter_frames``). An ``fmt`` outside ``FORMATS`` is an
    ``InputError`` before anything is read."""

    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}: {', '.join(FORMATS)} (parquet: engine='spark' only)"
        )
    clf = build_classifier()
    first = True
    for chunk in pipeline.run(paths, clf, failed=failed, complete=complete):
        for status, n in chunk.results.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + n
        if fmt == "ttl":
            yield _turtle(pipeline.results_ntriples(chunk.frame, chunk.results))
        else:
            yield pipeline.results_text(chunk.results, fmt, header=first)
        first = False
    if first and failed:
        raise NothingRead(failed)


def summary_line(counts: dict[str, int]) -> str:
    """One line of counts in a fixed status order (zeros shown), so runs compare at a glance."""
    order = ("classified", "ambiguous", "unclassified", "invalid", "not_a_case")
    return f"{sum(counts.values())} cases: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in order)


def classify_paths(
    paths: Iterable[Path | str],
    fmt: str,
    complete: tuple[str, ...] = (),
    *,
    engine: str = "polars",
    master: str | None = None,
    output: Path | str | None = None,
) -> tuple[bytes, str]:
    """Classified output in ``fmt`` (all of it) and a one-line summary (counts per status).

    ``engine="spark"`` classifies on Apache Spark (``pip install "calcinosis-kg[spark]"``) into
    the folder ``output`` (Spark part files; ``fmt`` csv, jsonl or parquet; the bytes returned
    are empty); ``master`` is the Spark master (default ``local[*]``, or the session
    ``spark-submit`` made). ``complete`` needs the polars engine.
    """
    if engine == "spark":
        if complete:
            raise InputError("complete lists need the polars engine (for now)")
        if output is None or fmt not in SPARK_FORMATS:
            raise InputError(
                "the spark engine needs an output folder and fmt csv, jsonl or parquet"
            )
        # lazy: pyspark is optional (the spark extra); only this engine loads it
        from calcinosis_kg.cases import spark_api

        counts = spark_api.classify_paths([str(p) for p in paths], master, str(output), fmt)
        return b"", summary_line(counts)
    _polars_only(engine, master=master, output=output)
    counts = {}
    data = b"".join(classify_stream(paths, fmt, counts, complete=complete))
    return data, summary_line(counts)


def _polars_only(engine: str, **spark_options: object) -> None:
    """``InputError`` for an unknown engine, or a Spark option given to the polars engine."""
    if engine != "polars":
        raise InputError(f"unknown engine {engine!r}: polars or spark")
    given = [name for name, value in spark_options.items() if value is not None]
    if given:
        raise InputError(f"{', '.join(given)}: the spark engine only (engine='spark')")


def _spark_validate(
    paths: list[str], master: str | None, output: Path | str | None
) -> ValidationReport:
    # lazy: pyspark is optional (the spark extra); only this engine loads it
    from calcinosis_kg.cases import spark_api

    folder = None if output is None else str(output)
    total, invalid, rows = spark_api.validate_paths(paths, master, folder)
    problems = pl.DataFrame(
        [(case_id, source, field_, message) for source, case_id, field_, message in rows],
        schema=pipeline.PROBLEM_SCHEMA,
        orient="row",
    )
    return ValidationReport(total, invalid, [problems] if rows else [], problems_at=folder)


def _turtle(ntriples: bytes) -> bytes:
    """Sorted N-Triples as Turtle with the case prefixes (pyoxigraph; byte-stable)."""
    import pyoxigraph as ox

    prefixes = {
        "case": m.CASE_BASE,
        "CCKG": m.CCKG,
        "obo": m.OBO,
        "dcterms": m.vocab.DCTERMS,
        "xsd": m.XSD,
    }
    # the N-Triples are ours (terms escaped and IRIs validated in cases.triples); a parse error
    # here is a bug and ends in a traceback on purpose
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
