"""The case commands as Python functions (the CLI only parses options and prints).

Why a small facade: ``validate`` and ``classify`` stream chunks through the pipeline and must
produce one deterministic output whatever the chunk size; collecting, ordering and formatting
lives here so the CLI, the benchmark and the tests share it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import pipeline


@dataclass
class ValidationReport:
    total: int = 0
    invalid: int = 0
    problems: list[pl.DataFrame] = field(default_factory=list)

    def table(self) -> pl.DataFrame:
        if not self.problems:
            return pl.DataFrame(schema=pipeline.PROBLEM_SCHEMA)
        return pl.concat(self.problems)

    def problems_text(self) -> bytes:
        lines = [f"{r['source']}: {r['case_id']}: {r['field']}: {r['message']}"
                 for r in self.table().iter_rows(named=True)]
        return ("\n".join(lines) + "\n").encode() if lines else b""

    def problems_csv(self) -> bytes:
        buffer = io.BytesIO()
        self.table().select("source", "case_id", "field", "message").write_csv(buffer)
        return buffer.getvalue()

    def summary(self) -> str:
        return (f"{self.total} cases: {self.total - self.invalid} valid, {self.invalid} invalid "
                f"({len(self.table())} problems)")


def validate_paths(paths: Iterable[Path | str]) -> ValidationReport:
    report = ValidationReport()
    for chunk in pipeline.run(paths, None):
        report.total += chunk.frame.height
        report.invalid += chunk.problems["case_id"].n_unique() if chunk.problems.height else 0
        report.problems.append(chunk.problems)
    return report


def classify_stream(paths: Iterable[Path | str], fmt: str, counts: dict[str, int]
                    ) -> Iterator[bytes]:
    """Classified output in ``fmt``, one part per chunk (a million cases never sit in memory);
    ``counts`` is filled with the number of cases per status as the parts are produced."""
    from calcinosis_kg.cases.classify import build_classifier

    clf = build_classifier()
    first = True
    for chunk in pipeline.run(paths, clf):
        for status, n in chunk.results.group_by("status").len().iter_rows():
            counts[status] = counts.get(status, 0) + n
        if fmt == "ttl":
            yield _turtle(pipeline.results_ntriples(chunk.frame, chunk.results))
        else:
            yield pipeline.results_text(chunk.results, fmt, header=first)
        first = False


def summary_line(counts: dict[str, int]) -> str:
    order = ("classified", "ambiguous", "unclassified", "invalid")
    return f"{sum(counts.values())} cases: " + ", ".join(f"{counts.get(s, 0)} {s}"
                                                        for s in order)


def classify_paths(paths: Iterable[Path | str], fmt: str) -> tuple[bytes, str]:
    """Classified output in ``fmt`` (all of it) and a one-line summary (counts per status)."""
    counts: dict[str, int] = {}
    data = b"".join(classify_stream(paths, fmt, counts))
    return data, summary_line(counts)


def write_stream_atomic(path: Path, parts: Iterable[bytes]) -> None:
    """``core.serialize.write_atomic`` for output produced in parts. One choice of its own: a
    path that exists and is not a regular file (/dev/null, a pipe) is written through, in place,
    so a cohort can be classified into a pipe; it is never replaced."""
    from calcinosis_kg.core.serialize import write_atomic

    path = Path(path)
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            for part in parts:
                handle.write(part)
        return
    write_atomic(path, parts)


def _turtle(ntriples: bytes) -> bytes:
    """Sorted N-Triples as Turtle with the case prefixes (pyoxigraph; byte-stable)."""
    import pyoxigraph as ox

    from calcinosis_kg.cases import model as m

    prefixes = {"case": m.CASE_BASE, "CCKG": m.CCKG, "obo": m.OBO,
                "dcterms": m.vocab.DCTERMS, "xsd": m.XSD}
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""
