"""The CSV layout's rules over a frame of cells: each rule once per distinct value of its cells.

Why: a registry export has a million rows but a few hundred distinct lab cells, ages, units and
disease lists. Every rule of ``cases.csv_fields`` (the functions the record reader calls: no
second implementation to drift) runs on a scratch ``Record`` once per distinct combination of
the cells it reads, and its results are gathered back to the rows by index. The laboratory
judgement runs once per distinct (lab cells, albumin, default band), the band once per distinct
(age, sex, species). ``Rules`` keeps what was computed for the blocks of one file, so a value
met again in a later block is not computed again. Nothing here is global: blocks and files are
independent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from calcinosis_kg.cases import csv_fields as f
from calcinosis_kg.cases import identifiers, intervals, labs
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.frame import SCHEMA
from calcinosis_kg.cases.frame import distinct as _distinct
from calcinosis_kg.cases.record import Record

SEP = "\x1f"
LIST = pl.List(pl.String)


#: entries one memo keeps before it empties itself (per rule and file): a file whose serum
#: values, ages or codes are all distinct would otherwise grow it with the file, not the block
CAP = 1 << 14


class Memo(dict[Any, Any]):
    """A memo that empties itself when it is full (``CAP`` entries): a value not found is
    computed again, so the output cannot change; the memory stays bounded by one block."""

    def __init__(self) -> None:
        super().__init__()
        self.cap = CAP

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self) >= self.cap and key not in self:
            self.clear()
        super().__setitem__(key, value)


class Rules:
    """What the rules computed so far for one file: per rule, key -> results (each a ``Memo``;
    indexes into a block's own lists never outlive the block)."""

    def __init__(self) -> None:
        self.memo: dict[str, Memo] = {}  # rule name -> its memo (a few dozen rules)
        self.choices = Memo()  # (analyte, age, sex, species) -> the default band (or why none)
        self.reads = Memo()  # (analyte, its five cells) -> (errors, lab, values)

    def table(self, name: str) -> Memo:
        """The memo of one rule."""
        found = self.memo.get(name)
        if found is None:
            found = self.memo[name] = Memo()
        return found


def _per_distinct(
    rows: pl.DataFrame,
    keys: list[str],
    rule: Callable[..., dict[str, Any]],
    schema: dict[str, Any],
    memo: dict[Any, dict[str, Any]],
    name: Callable[[tuple[Any, ...]], Any] | None = None,
) -> pl.DataFrame:
    """``rows`` with the columns of ``schema`` added: ``rule`` once per distinct ``keys`` (and
    once per file: ``memo``, under ``name(key)`` when a key holds numbers of the block's own),
    its results gathered back to the rows (no join of the wide frame)."""
    distinct, index = _distinct(rows.select(keys))
    results = []
    for key in distinct.iter_rows():
        known = key if name is None else name(key)
        found = memo.get(known)
        if found is None:
            found = memo[known] = rule(*key)
        results.append(found)
    return rows.hstack(pl.DataFrame(results, schema=schema)[index])


def _scratch(fill: Callable[..., None], *cells: Any) -> Record:
    record = Record("", "")
    fill(record, *cells)
    return record


def _simple(
    rows: pl.DataFrame, group: f.Group, outputs: dict[str, Any], rules: Rules
) -> pl.DataFrame:
    """A rule whose values are plain row fields: ``<name>:err``, ``<name>:notes`` + ``outputs``."""

    def rule(*cells: Any) -> dict[str, Any]:
        record = _scratch(group.fill, *cells)
        return {
            f"{group.name}:err": record.errors,
            f"{group.name}:notes": record.values.get("name_notes", []),
            **{f"{group.name}:{k}": _value(record.values, k) for k in outputs},
        }

    schema = {
        f"{group.name}:err": LIST,
        f"{group.name}:notes": LIST,
        **{f"{group.name}:{k}": t for k, t in outputs.items()},
    }
    return _per_distinct(
        rows,
        [f"cell:{c}" for c in group.cells],
        rule,
        schema,
        rules.table(group.name),
    )


def _value(values: dict[str, Any], key: str) -> Any:
    if key == "lists_complete":
        return sorted(values.get(key, ()))
    return values.get(key)


def _outputs(group: f.Group) -> dict[str, Any]:
    name = group.name
    if name in f.LIST_CELLS:
        column = f.LIST_CELLS[name]
        extra = (
            {"no_conditions": pl.Boolean}
            if column == "conditions"
            else {"no_exposures": pl.Boolean}
            if column == "exposures"
            else {}
        )
        return {column: LIST, **extra}
    if name == "albumin":
        return {"albumin_g_l": pl.Float64}
    if name == "lists_complete":
        return {"lists_complete": LIST}
    return {name: SCHEMA[name]}


def _serum(
    rows: pl.DataFrame, analyte: str, rules: Rules, kinds: tuple[pl.DataFrame, pl.Series]
) -> pl.DataFrame:
    """One analyte read and judged (``Record.set_serum`` then ``labs.judge_one``) once per
    distinct (its cells, albumin for calcium, default band); ``kinds``: the block's distinct
    (age, sex, species) and each row's (``_distinct``), shared by the three analytes."""
    bands = intervals.default_bands()
    cells = [f"cell:{c}" for c in f.serum_cells(analyte)]
    albumin = ["albumin_g_l"] if analyte == "calcium" else []  # as the albumin rule read it
    choice = f"{analyte}:choice"
    # the default band matters only for a value without the laboratory's range
    needs = (
        (pl.col(cells[0]).fill_null("") != "")
        & (pl.col(cells[3]).fill_null("") == "")
        & (pl.col(cells[4]).fill_null("") == "")
    )
    chosen: list[tuple[intervals.Band | None, str]] = []  # the block's few distinct bands
    number: dict[tuple[intervals.Band | None, str], int] = {}
    numbers = []
    for kind in kinds[0].iter_rows():  # a few hundred (age, sex, species) per block
        pick = rules.choices.get((analyte, *kind))
        if pick is None:
            pick = rules.choices[(analyte, *kind)] = intervals.choose(bands, analyte, *kind)
        n = number.get(pick)
        if n is None:
            n = number[pick] = len(chosen)
            chosen.append(pick)
        numbers.append(n)
    found = pl.Series(numbers, dtype=pl.Int64).gather(kinds[1])
    rows = rows.with_columns(pl.when(needs).then(found).otherwise(-1).alias(choice))
    values = [f"{analyte}_{x}" for x in ("mmol_l", "status", "range", "lab_low", "lab_high")]
    if analyte == "calcium":
        values += ["calcium_adjusted_mmol_l", "calcium_judged_mmol_l"]

    def unused() -> tuple[intervals.Band | None, str]:
        raise AssertionError("a default band asked for a value judged otherwise")

    # read once per distinct five cells (a few hundred), judged once per distinct (reading,
    # albumin for calcium, default band)
    distinct, index = _distinct(rows.select(cells))
    readings = []  # the block's: (five cells, (errors, lab, values))
    for key in distinct.iter_rows():
        got = rules.reads.get((analyte, *key))
        if got is None:
            record = _scratch(f.fill_serum(analyte), *key)
            got = (list(record.errors), record.labs.get(analyte), record.values)
            rules.reads[(analyte, *key)] = got
        readings.append((key, got))
    read = f"{analyte}:read"
    rows = rows.with_columns(index.alias(read))

    def rule(n: int, *key: Any) -> dict[str, Any]:
        read_errors, lab, read_values = readings[n][1]
        given = dict(read_values)
        if albumin and key[0] is not None:
            given["albumin_g_l"] = key[0]
        judged: list[str] = []
        pick = chosen[key[-1]] if key[-1] >= 0 else None
        note = (
            labs.judge_one(
                given,
                lambda c, msg: judged.append(f"{c}: {msg}"),
                analyte,
                lab,
                (lambda: pick) if pick else unused,
            )
            if lab is not None
            else ""
        )
        return {
            f"{analyte}:err": read_errors,
            f"{analyte}:judged": judged,
            f"{analyte}:note": note,
            **{v: given.get(v) for v in values},
        }

    schema = {
        f"{analyte}:err": LIST,
        f"{analyte}:judged": LIST,
        f"{analyte}:note": pl.String,
        **{v: SCHEMA[v] for v in values},
    }

    def name(key: tuple[Any, ...]) -> tuple[Any, ...]:  # the block's numbers -> their values
        return (readings[key[0]][0], *key[1:-1], chosen[key[-1]] if key[-1] >= 0 else None)

    return _per_distinct(
        rows, [read, *albumin, choice], rule, schema, rules.table(analyte), name
    ).drop(read, choice)


def _phenotypes(rows: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``labs.phenotypes`` once per distinct (hypercalcaemia/hyperphosphataemia recorded, the
    three judged statuses)."""
    statuses = [f"{a}_status" for a in labs.ORDER]
    flags = [
        pl.col("features").list.contains(t).fill_null(False).alias(f"has:{t}")
        for t in labs.PHENOTYPES
    ]
    rows = rows.with_columns(flags)
    keys = [f"has:{t}" for t in labs.PHENOTYPES] + statuses

    def rule(*key: Any) -> dict[str, Any]:
        values = {
            "features": [t for t, has in zip(labs.PHENOTYPES, key, strict=False) if has],
            **dict(zip(statuses, key[len(labs.PHENOTYPES) :], strict=True)),
        }
        errors: list[str] = []
        notes: list[str] = []
        labs.phenotypes(values, lambda c, msg: errors.append(f"{c}: {msg}"), notes)
        return {"ph:err": errors, "ph:notes": notes, **{f"ph:{s}": values.get(s) for s in statuses}}

    schema = {"ph:err": LIST, "ph:notes": LIST, **{f"ph:{s}": pl.String for s in statuses}}
    rows = _per_distinct(rows, keys, rule, schema, rules.table("phenotypes"))
    return rows.with_columns(pl.col(f"ph:{s}").alias(s) for s in statuses)


def _conditions(rows: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """``identifiers.map_conditions`` once per distinct disease list."""
    rows = rows.with_columns(pl.col("conditions").list.join(SEP).alias("cond:key"))

    def rule(key: str | None) -> dict[str, Any]:
        if not key:
            return {"cond:list": [], "cond:notes": [], "cond:err": []}
        found, notes, errors = identifiers.map_conditions(key.split(SEP))
        return {
            "cond:list": found,
            "cond:notes": notes,
            "cond:err": [f"diseases: {e}" for e in errors],
        }

    schema = {"cond:list": LIST, "cond:notes": LIST, "cond:err": LIST}
    return _per_distinct(rows, ["cond:key"], rule, schema, rules.table("conditions"))


def read_rows(
    rows: pl.DataFrame, source: str, complete: tuple[str, ...] = (), rules: Rules | None = None
) -> pl.DataFrame:
    """Wide rows (``frame.SCHEMA`` + ``line``) from stripped cells (``cell:<name>`` for each of
    ``csv_fields.READ_CELLS``, null for a column the header lacks) and their line numbers."""
    rules = Rules() if rules is None else rules
    err_order: list[str] = ["case_id:err"]
    notes: list[str] = []
    missing = pl.col("cell:case_id").fill_null("") == ""
    rows = rows.with_columns(
        pl.when(missing)
        .then(pl.lit(["case_id: missing"], LIST))
        .otherwise(pl.lit([], LIST))
        .alias("case_id:err"),
        pl.when(missing)
        .then("line-" + pl.col("line").cast(pl.String))
        .otherwise(pl.col("cell:case_id"))
        .alias("case_id"),
    )
    for group in f.GROUPS:
        if group.name in f.ANALYTES:
            err_order.append(f"{group.name}:err")
            continue
        rows = _simple(rows, group, _outputs(group), rules)
        rows = rows.rename({f"{group.name}:{k}": k for k in _outputs(group)})
        err_order.append(f"{group.name}:err")
        if group.name in ("taxon", *f.LIST_CELLS):
            notes.append(f"{group.name}:notes")
    responses = f.Group("responses", ("responses", "treatments"), _responses)
    rows = _simple(rows, responses, {"responses": LIST}, rules).rename(
        {"responses:responses": "responses"}
    )
    err_order.append("responses:err")
    for group in f.TAIL:
        rows = _simple(rows, group, _outputs(group), rules)
        rows = rows.rename({f"{group.name}:{k}": k for k in _outputs(group)})
        err_order.append(f"{group.name}:err")
    notes.append("reported_type:notes")
    kinds = _distinct(rows.select("age_years", "sex", "taxon"))
    for analyte in f.ANALYTES:
        rows = _serum(rows, analyte, rules, kinds)
    rows = _conditions(rows, rules)
    rows = _phenotypes(rows, rules)
    declared = pl.col("lists_complete").fill_null(pl.lit([], LIST))
    if complete:
        declared = declared.list.concat(pl.lit(list(complete), LIST))
    mapped = pl.col("cond:list")
    ranges = pl.concat_str(
        [pl.col(f"{a}:note").replace("", None) for a in labs.ORDER]
        + [pl.col("ph:notes").list.join("; ").replace("", None)],
        separator="; ",
        ignore_nulls=True,
    )
    empty = pl.lit([], LIST)
    identifiers_ = _joined(rows, [*notes, "cond:notes"]).list.join("; ")
    rows = rows.with_columns(
        (pl.lit(source + ":") + pl.col("line").cast(pl.String)).alias("source"),
        pl.col("taxon").fill_null(m.HUMAN),
        mapped.alias("conditions"),
        (
            pl.col("no_conditions").fill_null(False)
            | (declared.list.contains("diseases") & (mapped.list.len() == 0))
        ).alias("no_conditions"),
        (
            pl.col("no_exposures").fill_null(False)
            | (
                declared.list.contains("exposures")
                & (pl.col("exposures").fill_null(empty).list.len() == 0)
            )
        ).alias("no_exposures"),
        identifiers_.replace("", None).alias("identifiers"),
        ranges.replace("", None).alias("ranges"),
        _joined(
            rows, [*err_order, "cond:err", *[f"{a}:judged" for a in labs.ORDER], "ph:err"]
        ).alias("errors"),
        pl.lit(None, pl.String).alias("not_a_case"),
    )
    return rows.select(
        "line",
        *[
            pl.col(c).fill_null(empty) if t == LIST else pl.col(c).cast(t)
            for c, t in SCHEMA.items()
        ],
    )


def _joined(rows: pl.DataFrame, columns: list[str]) -> pl.Series:
    """The list columns concatenated per row, in order (``concat_list`` only on the rows where
    one is not empty: a few percent of a cohort, and it is slow on a hundred thousand rows)."""
    some = pl.any_horizontal([pl.col(c).list.len() > 0 for c in columns])
    indexed = rows.select(columns).with_row_index("_r")
    found = indexed.filter(some).select("_r", pl.concat_list(columns).alias("v"))
    return (
        indexed.select("_r")
        .join(found, on="_r", how="left", maintain_order="left")["v"]
        .fill_null(pl.lit([], LIST))
    )


def _responses(record: Record, cell: str | None, treatments: str | None) -> None:
    """``responses`` with the row's treatments read first (their errors are the treatments
    rule's, so only what ``fill_responses`` adds is kept)."""
    scratch = _scratch(f.fill_list("treatments"), treatments)
    f.fill_responses(record, cell, scratch.values.get("treatments", []))
