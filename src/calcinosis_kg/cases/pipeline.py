"""The case pipeline: read -> frame -> validate (field errors + SHACL) -> classify -> write.

Why chunks: a registry export of a million cases must not be held as Python objects; records are
read lazily, turned into a polars frame per chunk (default 100k), validated and classified, and
the results written out before the next chunk is read. Everything a chunk needs (compiled
shapes, compiled criteria) is built once and passed in, so chunks are independent.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import decisions, shacl_frame, triples
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.classify import RESULT_COLUMNS, Classifier, classify
from calcinosis_kg.cases.frame import to_frame
from calcinosis_kg.cases.inputs import CHUNK, iter_frames, read_frame_parquet
from calcinosis_kg.cases.nodes import to_polars
from calcinosis_kg.cases.parsing import SHOWN
from calcinosis_kg.cases.run_ids import Identifiers
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.text import FORMULA_START, PLAIN_NUMBER, terminal_safe

PROBLEM_SCHEMA = {
    "case_id": pl.String,
    "source": pl.String,
    "field": pl.String,
    "message": pl.String,
}
#: the readers' side and the run's ids, re-exported
__all__ = ["CHUNK", "Identifiers", "iter_frames", "read_frame_parquet", "to_frame"]


def problems(frame: pl.DataFrame) -> pl.DataFrame:
    """Per case and field: import errors, then SHACL violations (one row each), checked on the
    frame's columns (``shacl_frame``: no triple is built)."""
    order = frame.select("case_id", "source").with_row_index("row")
    field_errors = (
        frame.select("case_id", "source", pl.col("errors").alias("e"))
        .explode("e")
        .drop_nulls("e")
        .select(
            "case_id",
            "source",
            pl.col("e").str.splitn(": ", 2).struct.field("field_0").alias("field"),
            pl.col("e").str.splitn(": ", 2).struct.field("field_1").alias("message"),
        )
    )
    violations = shacl_frame.violations(frame)
    if violations.height:
        ids = frame.select("case_id", "source").with_row_index("_row")
        # the value as written (any character, newlines too), cut to SHOWN characters: a
        # 1 MB identifier must not become a 1 MB message, nor a null one
        text = (
            pl.when(pl.col("value").str.starts_with('"'))
            .then(pl.col("value").str.extract(r'(?s)^"(.*)"(?:\^\^[^"]*|@[-A-Za-z0-9]+)?$', 1))
            .otherwise(pl.col("value").str.strip_chars("<>").str.replace(r"^urn:curie:", ""))
        ).fill_null(pl.col("value"))
        shown = (
            pl.when(text.str.len_chars() > SHOWN)
            .then(
                text.str.slice(0, SHOWN)
                + "… ("
                + text.str.len_chars().cast(pl.String)
                + " characters)"
            )
            .otherwise(text)
        )
        found = violations.join(ids, on="_row", how="left").select(
            "case_id",
            "source",
            pl.col("message").str.splitn(": ", 2).struct.field("field_0").alias("field"),
            (
                pl.col("message").str.splitn(": ", 2).struct.field("field_1")
                + pl.when(pl.col("value").is_not_null())
                .then(" (got " + shown + ")")
                .otherwise(pl.lit(""))
            ).alias("message"),
        )
        field_errors = pl.concat([field_errors, found])
    return (
        field_errors.unique()
        .join(order, on=["case_id", "source"], how="left")
        .sort("row", "field", "message")
        .drop("row")
    )


def problem_text(frame: pl.DataFrame, bad: pl.DataFrame) -> pl.Series:
    """Per case of ``frame`` (same order): its first problems as one text ('' when valid), so an
    invalid row says why in every output format (``decisions.problem_text``, as on Spark)."""
    if not bad.height:
        return pl.Series("problems", [""] * frame.height, dtype=pl.String)
    per_case = (
        bad.group_by("case_id", maintain_order=True)
        .agg(to_polars(decisions.problem_line()).alias("problems"))
        .select("case_id", to_polars(decisions.problem_text()).alias("problems"))
    )
    return (
        frame.select("case_id").join(per_case, on="case_id", how="left")["problems"].fill_null("")
    )


@dataclass
class Chunk:
    """One chunk's rows, problems and results; its triples are built only when asked for."""

    frame: pl.DataFrame
    problems: pl.DataFrame
    results: pl.DataFrame

    @cached_property
    def table(self) -> pl.DataFrame:
        """The cases' triples (unsorted; ids are unique after ``Identifiers``)."""
        return triples.triples(self.frame, sort=False, unique=False)


def run(
    paths: Iterable[Path | str],
    clf: Classifier | None,
    chunk: int = CHUNK,
    failed: list[InputError] | None = None,
    complete: tuple[str, ...] = (),
) -> Iterator[Chunk]:
    """Validate (and classify, when ``clf`` is given) every case, chunk by chunk; ``failed``
    as in ``iter_frames``. Case ids are unique across the run (``Identifiers``)."""
    identifiers = Identifiers()
    for frame in iter_frames(paths, chunk, failed, complete):
        frame = identifiers.check(frame)
        frame = frame.with_columns(triples.case_iris(frame["case_id"]))
        bad = problems(frame)
        invalid = frame["case_id"].is_in(bad["case_id"].unique().implode())
        results = (
            classify(frame, clf, invalid, problem_text(frame, bad))
            if clf is not None
            else frame.select("case_id")
        )
        yield Chunk(frame, bad, results)


def valid_triples(chunk: Chunk) -> pl.DataFrame:
    """The chunk's triples of valid cases only (sub-nodes follow their case); a record that is
    no calcinosis cutis case is left out too."""
    valid = chunk.frame.filter(
        ~chunk.frame["case_id"].is_in(chunk.problems["case_id"].unique().implode())
        & pl.col("not_a_case").is_null()
    ).select(pl.col("iri").alias("case_iri"))
    rest = pl.col("s").str.slice(len(m.CASE_BASE)).str.split("/").list.first()
    return (
        chunk.table.with_columns((pl.lit(m.CASE_BASE) + rest).alias("case_iri"))
        .join(valid, on="case_iri", how="semi")
        .drop("case_iri")
    )


# ------------------------------------------------------------------------------- writers


def spreadsheet_csv(table: pl.DataFrame, header: bool = True) -> bytes:
    """CSV of ``table`` with every text cell a spreadsheet would run as a formula prefixed with
    ``'`` (``core.text.spreadsheet_safe``'s rule, vectorised); numbers stay numbers."""

    def safe(name: str) -> pl.Expr:
        col = pl.col(name)
        risky = col.str.contains(FORMULA_START) & ~col.str.contains(f"^(?:{PLAIN_NUMBER})$")
        return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name)

    text = [n for n, t in table.schema.items() if t == pl.String]
    # most columns have no cell that starts like a formula: those are written as they are
    starts = table.select(pl.col(n).str.contains(FORMULA_START).any() for n in text).row(0)
    table = table.with_columns(safe(n) for n, risky in zip(text, starts, strict=True) if risky)
    buffer = io.BytesIO()
    table.write_csv(buffer, include_header=header)
    return buffer.getvalue()


def results_text(results: pl.DataFrame, fmt: str, header: bool = True) -> bytes:
    """Results as CSV (spreadsheet-safe), JSON Lines (exact) or a table for people (control
    characters and bidi overrides from the case files shown escaped)."""

    table = results.select(*RESULT_COLUMNS)
    if fmt == "csv":
        return spreadsheet_csv(table, header)
    if fmt == "jsonl":
        lines = [
            json.dumps(row, ensure_ascii=False, sort_keys=False)
            for row in results.select(
                *RESULT_COLUMNS, "types", "fired", "hints", "suggestions"
            ).iter_rows(named=True)
        ]
        return ("\n".join(lines) + "\n").encode() if lines else b""
    shown = table.select(
        "case_id",
        "status",
        "type_id",
        "type_label",
        "criteria",
        "ranges",
        "identifiers",
        "flags",
        "reason",
        "suggested",
    )
    cells = {c: [terminal_safe(str(v)) for v in shown[c].to_list()] for c in shown.columns}
    widths = {
        c: max([len(c), *(len(v) for v in cells[c][:10_000])])
        for c in ("case_id", "status", "type_id", "type_label", "criteria")
    }
    out = []
    if header:
        out.append(
            "  ".join(c.ljust(widths[c]) for c in widths)
            + "  flags | reason | suggested | ranges | identifiers"
        )
    for i in range(shown.height):
        notes = " | ".join(
            x
            for x in (
                cells["flags"][i],
                cells["reason"][i],
                cells["suggested"][i],
                cells["ranges"][i],
                cells["identifiers"][i],
            )
            if x
        )
        out.append(
            ("  ".join(cells[c][i].ljust(widths[c]) for c in widths) + "  " + notes).rstrip()
        )
    return ("\n".join(out) + "\n").encode()


def results_ntriples(
    frame: pl.DataFrame, results: pl.DataFrame, sort: bool = True, table: pl.DataFrame | None = None
) -> bytes:
    """The cases' own triples (``table`` if already built) plus each valid case's inferred
    'case of T' type, and an ``rdfs:comment`` with the status and why (flags, the reason of
    an unclassified, invalid or not-a-case record, the suggested differential)."""
    case_of = {
        "CCKG:0000002": 711,
        "CCKG:0000003": 712,
        "CCKG:0000004": 713,
        "CCKG:0000005": 714,
        "CCKG:0000006": 715,
        "CCKG:0000007": 716,
        "CCKG:0000008": 717,
        "CCKG:0000011": 718,
        "CCKG:0000012": 719,
    }
    table = triples.triples(frame, sort=sort) if table is None else table
    table = triples.without_non_cases(table, frame)
    noted = results.select(
        "case_id",
        pl.concat_str(
            [
                pl.col("status"),
                pl.lit(": "),
                pl.concat_list("flags", "reason", "suggested")
                .list.eval(pl.element().filter(pl.element() != ""))
                .list.join(" | "),
            ]
        ).alias("o"),
    ).filter(~pl.col("o").str.ends_with(": "))
    if noted.height:
        table = pl.concat(
            [
                table,
                noted.select(
                    triples.case_iris(noted["case_id"]).alias("s"),
                    pl.lit(m.vocab.RDFS_COMMENT).alias("p"),
                    "o",
                    pl.lit(True).alias("lit"),
                    pl.lit("").alias("dt"),
                ),
            ]
        )
        table = table.sort("s", "p", "o", "lit") if sort else table
    typed = (
        results.select("case_id", pl.col("types").alias("t"))
        .explode("t")
        .drop_nulls()
        .filter(pl.col("t").is_in(list(case_of)))
    )
    if typed.height:
        extra = typed.select(
            triples.case_iris(typed["case_id"]).alias("s"),
            pl.lit(m.RDF_TYPE).alias("p"),
            pl.col("t").replace_strict({k: m.cckg(v) for k, v in case_of.items()}).alias("o"),
            pl.lit(False).alias("lit"),
            pl.lit("").alias("dt"),
        )
        table = pl.concat([table, extra])
        table = table.sort("s", "p", "o", "lit") if sort else table
    return triples.ntriples(table)
