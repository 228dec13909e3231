"""``calcinosis-kg cases``: validate, classify, synthesise, report and query patient cases.

A thin click skin over ``calcinosis_kg.cases``: options are parsed here, work happens there.
Exit codes: 0 all valid, 1 some record invalid (validate), 2 some input file could not be read
(one line each; the other files are still read and written out) or a bad option.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calcinosis_kg.core.text import terminal_safe

FORMATS = ["table", "csv", "jsonl", "ttl"]


@click.group()
def cases() -> None:
    """Patient case records: validate, classify with the ontology, synthesise, report, query.

    \b
    Example:
      calcinosis-kg cases synth --n 1000 --seed 1 --output cohort.csv
      calcinosis-kg cases validate cohort.csv
      calcinosis-kg cases classify cohort.csv --format csv --output types.csv
      calcinosis-kg cases report cohort.csv --output report/
      calcinosis-kg cases query by-type cohort.csv --format csv
    """


def _report_failed(failed: list) -> None:
    """One line per unreadable file, as ``main`` prints an error (control characters escaped)."""
    for error in failed:
        click.echo(f"calcinosis-kg: error: {terminal_safe(error.one_line())}", err=True)


def _emit(data: bytes, output: Path | None) -> None:
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.core.serialize import write_atomic

    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomic(output, data)


ENGINE = click.option(
    "--engine",
    type=click.Choice(["polars", "spark"]),
    default="polars",
    show_default=True,
    help="polars on this machine, or Apache Spark (the [spark] extra, Java).",
)
MASTER = click.option(
    "--master",
    default=None,
    metavar="URL",
    help="Spark master (default local[*]; spark://, yarn, k8s://...).",
)


@cases.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--output", type=click.Path(path_type=Path), help="Write the problems as CSV here.")
@ENGINE
@MASTER
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    output: Path | None,
    engine: str,
    master: str | None,
) -> None:
    """Check every case record; list each problem as source, case, field and message.

    Exit 0 when every record is valid, 1 when any is not, 2 when an input file cannot be read
    (the other files are still checked). With --engine spark, PATHS may be Parquet case frames
    anywhere Spark reads (hdfs:, s3a: ...) and --output is a folder of partitioned CSV files.
    """
    if engine == "spark":
        _spark_validate(ctx, paths, output, master)
        return
    if master is not None:
        raise click.UsageError("--master needs --engine spark")
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.api import NothingRead, validate_paths

    try:
        report = validate_paths(paths)
    except NothingRead as exc:
        _report_failed(exc.failed)
        ctx.exit(2)
    if output is not None:
        _emit(report.problems_csv(), output)
    else:
        _emit(report.problems_text(), None)
    _report_failed(report.failed)
    click.echo(report.summary(), err=True)
    ctx.exit(2 if report.failed else 0 if report.invalid == 0 else 1)


def _spark_validate(
    ctx: click.Context, paths: tuple[Path, ...], output: Path | None, master: str | None
) -> None:
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.api import validate_paths

    report = validate_paths(paths, engine="spark", master=master, output=output)
    # the polars engine's lines: control characters and bidi overrides escaped, ids cut
    _emit(report.problems_text(), None)
    valid = report.total - report.invalid
    click.echo(f"{report.total} cases: {valid} valid, {report.invalid} invalid", err=True)
    ctx.exit(0 if report.invalid == 0 else 1)


@cases.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "parquet"]),
    default="table",
    show_default=True,
    help="parquet: --engine spark only.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="Write here (a regular file, replaced atomically; '-' is stdout; a folder of "
    "part files with --engine spark).",
)
@click.option(
    "--complete-lists",
    "complete",
    type=click.Choice(["diseases", "exposures", "both"]),
    help="The sources declare their disease (and/or exposure) lists complete: an "
    "empty list records the absence (a registry form where an unticked box "
    "means absent). Default: open world, an empty cell is not recorded.",
)
@ENGINE
@MASTER
@click.pass_context
def classify(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    complete: str | None,
    engine: str,
    master: str | None,
) -> None:
    """Type each case with the ontology's criteria (one row per case).

    Columns: case_id, status (classified, ambiguous, unclassified, invalid, not_a_case),
    type_id, type_label, criteria (the defined classes that fired), flags (a competing type or
    an overridden one, and why), reason (why unclassified, invalid or not a case), suggested
    (types suggested by typical features, never a classification), ranges, identifiers,
    sources (sentences). Exit 0, or 2 when an input file cannot be read (the other files are
    still classified). With --engine spark, --output is a folder of partitioned csv, jsonl or
    parquet files (--complete-lists: polars engine only, for now).
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.api import (
        SPARK_FORMATS,
        NothingRead,
        classify_paths,
        classify_stream,
        summary_line,
    )
    from calcinosis_kg.core.serialize import write_atomic

    if engine == "spark":
        if complete is not None:
            raise click.UsageError("--complete-lists needs the polars engine (for now)")
        if output is None or fmt not in SPARK_FORMATS:
            raise click.UsageError(
                "--engine spark needs --output FOLDER and --format csv, jsonl or parquet"
            )
        _, summary = classify_paths(paths, fmt, engine="spark", master=master, output=output)
        click.echo(summary, err=True)
        return
    if master is not None or fmt == "parquet":
        raise click.UsageError("--master and --format parquet need --engine spark")
    counts: dict[str, int] = {}
    failed: list = []
    lists: tuple[str, ...] = (
        () if complete is None else ("diseases", "exposures") if complete == "both" else (complete,)
    )
    parts = classify_stream(paths, fmt, counts, failed, lists)
    try:
        if output is None:
            for part in parts:
                sys.stdout.buffer.write(part)
            sys.stdout.flush()
        else:
            write_atomic(output, parts)
    except NothingRead:
        _report_failed(failed)
        ctx.exit(2)
    _report_failed(failed)
    click.echo(summary_line(counts), err=True)
    ctx.exit(2 if failed else 0)


def _a_number(param: click.Parameter, value: float) -> float:
    """``FloatRange`` lets ``nan`` through (every comparison with it is false)."""
    if value != value:
        raise click.BadParameter("nan is not a number between 0 and 1", param=param)
    return value


@cases.command()
@click.option("--n", "n", type=click.IntRange(min=1), required=True, help="Number of cases.")
@click.option("--seed", type=int, required=True, help="Random seed (same seed, same bytes).")
@click.option(
    "--invalid-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    callback=lambda ctx, param, value: _a_number(param, value),
    help="Share of deliberately invalid records.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "json", "ttl", "parquet"]),
    default=None,
    help="Default: from the output suffix (.csv, .jsonl, .json, .ttl, .parquet).",
)
@click.option("--output", type=click.Path(path_type=Path), required=True)
def synth(n: int, seed: int, invalid_rate: float, fmt: str | None, output: Path) -> None:
    """Write a synthetic cohort whose types, sites, labs, units and diseases follow the sources."""
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.synth import write_cohort

    written = write_cohort(output, n, seed, invalid_rate, fmt)
    click.echo(f"wrote {written} cases to {output}", err=True)


@cases.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--output", type=click.Path(path_type=Path), required=True, help="Folder for index.html."
)
@click.pass_context
def report(ctx: click.Context, paths: tuple[Path, ...], output: Path) -> None:
    """Write a cohort report (HTML with SVG charts) into a folder.

    Exit 0, or 2 when an input file cannot be read (the page lists it; no page when no file
    could be read).
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.api import NothingRead
    from calcinosis_kg.cases.report import write_report

    failed: list = []
    try:
        page = write_report(paths, output, failed)
    except NothingRead:
        _report_failed(failed)
        ctx.exit(2)
    _report_failed(failed)
    click.echo(f"wrote {page}", err=True)
    ctx.exit(2 if failed else 0)


@cases.command()
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "csv"]), default="table", show_default=True
)
@click.option("--output", type=click.Path(path_type=Path))
@click.pass_context
def query(
    ctx: click.Context, name: str, paths: tuple[Path, ...], fmt: str, output: Path | None
) -> None:
    """Answer a bundled cohort question (NAME: see `cases queries`) over classified cases.

    Exit 0, or 2 when an input file cannot be read (the answer covers the other files).
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.api import NothingRead
    from calcinosis_kg.cases.cohort import answer

    failed: list = []
    try:
        _emit(answer(name, paths, fmt, failed), output)
    except NothingRead:
        _report_failed(failed)
        ctx.exit(2)
    _report_failed(failed)
    ctx.exit(2 if failed else 0)


@cases.command()
def queries() -> None:
    """List the bundled cohort questions."""
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.cases.cohort import list_queries

    for name, title in list_queries():
        click.echo(f"{name}\t{title}")
