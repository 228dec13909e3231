"""The Spark case commands as Python functions: read, run the engine, write (CLI, benchmark).

Why apart from the engine: ``spark_engine`` is a pure function of DataFrames and ``spark_io``
knows only paths and formats; this module joins them, as ``api`` does for polars.
"""

from __future__ import annotations

from calcinosis_kg.cases.classify import RESULT_COLUMNS, build_classifier
from calcinosis_kg.cases.spark_engine import run, session
from calcinosis_kg.cases.spark_io import read_cases, write_results


def validate_paths(
    paths: list[str], master: str | None, output: str | None, fmt: str = "csv"
) -> tuple[int, int, list[tuple]]:
    """(cases, invalid cases, problems if no ``output``) on Spark; with ``output`` the problems
    are written there (source, case_id, field, message), in input order."""
    spark = session(master)
    df, close = read_cases(spark, paths)
    try:
        bad, _ = run(df, None)
        bad = bad.orderBy("_row", "field", "message")
        total, invalid = df.count(), bad.select("_row").distinct().count()
        rows: list[tuple] = []
        if output is not None:
            write_results(bad, output, fmt, ["source", "case_id", "field", "message"])
        else:
            rows = [
                tuple(r)
                for r in bad.select("source", "case_id", "field", "message").toLocalIterator()
            ]
        return total, invalid, rows
    finally:
        close()


def classify_paths(paths: list[str], master: str | None, output: str, fmt: str) -> dict[str, int]:
    """Classify on Spark into the folder ``output``; the number of cases per status."""
    clf = build_classifier()
    spark = session(master)
    df, close = read_cases(spark, paths)
    try:
        _, results = run(df, clf)
        # computed once: sorting samples its input first (a job of its own), so without the
        # checkpoint every case was classified twice, once for the sample, once for the write;
        # the counts read the checkpoint too
        results = results.localCheckpoint()
        columns = list(RESULT_COLUMNS) + ([] if fmt == "csv" else ["types", "fired", "hints"])
        write_results(results.orderBy("_row"), output, fmt, columns)
        return {r["status"]: r["count"] for r in results.groupBy("status").count().collect()}
    finally:
        close()
