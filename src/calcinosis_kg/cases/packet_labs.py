"""Phenopacket measurements and their judgement over a polars frame, once per distinct value.

Why: a cohort has a million measurements but a few thousand distinct (assay, value, unit,
range) and a few distinct default bands; the record reader's own functions
(``readers.measure``, ``labs.judge_one``, ``labs.phenotypes``) run once per distinct value, and
expressions combine their results per record: (1) each measurement read once per distinct
quantity, its errors gathered in the record reader's order; (2) each analyte judged once per
distinct (lab, albumin for calcium, default band), the patient's age (almost unique per record)
only picking the band; (3) the phenotypes once per distinct (statuses, features recorded).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl

from calcinosis_kg.cases import csv_rules, intervals, labs, parsing, readers
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_map as pm
from calcinosis_kg.cases.frame import SCHEMA
from calcinosis_kg.cases.record import Record

LIST = pl.List(pl.String)
#: what the laboratory judgement writes to a row
LAB_COLUMNS = tuple(
    c for c in m.COLUMNS if any(c.startswith(a) for a in (*labs.ORDER, "albumin")) or c == "ranges"
)
CODES = tuple(pm.ASSAYS)
ALBUMIN = readers.ALBUMIN_LOINC
#: a measurement's parts that its reading depends on (as the rule ``_one`` takes them)
PARTS = ("_code", "q", "v", "u", "r", "lo", "hi", "ru")


def _f(expr: pl.Expr, *names: str) -> pl.Expr:
    for name in names:
        expr = expr.struct.field(name)
    return expr


def _unit(u: pl.Expr) -> pl.Expr:
    """protobuf's ``unit.id or unit.label`` ("" when both are absent)."""
    return (
        pl.when(_f(u, "id").fill_null("") != "")
        .then(_f(u, "id"))
        .otherwise(_f(u, "label").fill_null(""))
    )


def _long(df: pl.DataFrame) -> pl.DataFrame:
    """One row per measurement of an assay of ``packet_map.ASSAYS``, in record and position
    order: its record (``_row``), how often its assay is measured in the record (``_n``) and its
    quantity's ``PARTS`` (absent numbers 0.0 and texts "", as protobuf reads them)."""
    ms = _f(pl.col("p"), "measurements").fill_null([])
    long = (
        df.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"), ms.alias("m"))
        .explode("m")
        .with_columns(_f(pl.col("m"), "assay", "id").fill_null("").alias("_code"))
        .filter(pl.col("_code").is_in(CODES))
    )
    q = _f(pl.col("m"), "value", "quantity")
    rr = _f(q, "referenceRange")
    ranged = rr.is_not_null()
    return long.select(
        "_row",
        pl.len().over("_row", "_code").alias("_n"),
        "_code",
        q.is_not_null().alias("q"),
        _f(q, "value").fill_null(0.0).alias("v"),
        _unit(_f(q, "unit")).alias("u"),
        ranged.alias("r"),
        pl.when(ranged).then(_f(rr, "low").fill_null(0.0)).alias("lo"),
        pl.when(ranged).then(_f(rr, "high").fill_null(0.0)).alias("hi"),
        pl.when(ranged).then(_unit(_f(rr, "unit"))).alias("ru"),
    )


def _text(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def _one(code: str, *quantity: Any) -> dict[str, Any]:
    """One distinct measurement (measured once in its record) into a scratch record."""
    has_q, value, unit, has_r, low, high, range_unit = quantity
    record = Record("", "")
    found = None
    if has_q:
        found = readers.Quantity(value, unit)
        if has_r:
            found = readers.Quantity(value, unit, low, high, range_unit or None)
    readers.measure(record, code, found)
    lab = record.labs.get(pm.ASSAYS[code])
    return {
        "_e": list(record.errors),
        "_in": None
        if lab is None
        else "|".join(
            x or ""
            for x in (
                _text(lab.exact),
                _text(lab.mmol),
                lab.status,
                *(_text(d) for d in (lab.lab_range or (None, None))),
            )
        ),
        "_a": record.values.get("albumin_g_l"),
    }


def _lab(text: str | None) -> m.LabInput | None:
    if text is None:
        return None
    exact, mmol, status, low, high = text.split("|")
    lab = m.LabInput(
        Decimal(mmol) if mmol else None, Decimal(exact) if exact else None, status or None
    )
    if low:
        lab.lab_range = (Decimal(low), Decimal(high))
    return lab


def _read(df: pl.DataFrame, memo: csv_rules.Rules) -> pl.DataFrame:
    """``_merrs`` (the measurements' errors, as the record reader orders them), ``_alb`` and
    ``_<analyte>_in`` (each lab as read, in text): each measurement read once per distinct
    quantity, the records' columns combined by expressions."""
    long = _long(df)
    once = csv_rules._per_distinct(
        long.filter(pl.col("_n") == 1),
        list(PARTS),
        _one,
        {"_e": LIST, "_in": pl.String, "_a": pl.Float64},
        memo.table("measure"),
    )
    code = pl.col("_code")
    order = {c: i for i, c in enumerate(CODES)}
    repeated = (
        long.filter(pl.col("_n") > 1)
        .unique(["_row", "_code"], maintain_order=True)
        .sort(pl.col("_row"), code.replace_strict(order, return_dtype=pl.Int64))
        .group_by("_row", maintain_order=True)
        .agg(
            pl.format("measurements: {} measurements of {} where one is allowed", "_n", code).alias(
                "_twice"
            )
        )
    )
    read = once.group_by("_row").agg(
        pl.col("_e").list.explode(keep_nulls=False, empty_as_null=False),
        pl.col("_a").filter(code == ALBUMIN).first().alias("_alb"),
        *[
            pl.col("_in").filter(code == c).first().alias(f"_{a}_in")
            for c, a in pm.ASSAYS.items()
            if a in labs.ORDER
        ],
    )
    rows = pl.DataFrame({"_row": pl.int_range(df.height, dtype=pl.UInt32, eager=True)})
    rows = rows.join(repeated, on="_row", how="left", maintain_order="left")
    rows = rows.join(read, on="_row", how="left", maintain_order="left")
    counts = df.select(_f(pl.col("p"), "measurements").fill_null([]).list.len()).to_series()
    excess = {n: parsing.too_many(n) for n in counts.unique()}
    many = pl.lit(counts) > parsing.MOST_ITEMS
    empty = pl.lit([], LIST)
    return rows.select(
        pl.when(many)
        .then(
            pl.concat_list(
                pl.format("measurements: {}", pl.lit(counts).replace_strict(excess, default=None))
            )
        )
        .otherwise(pl.concat_list(pl.col("_twice").fill_null(empty), pl.col("_e").fill_null(empty)))
        .alias("_merrs"),
        *[pl.when(~many).then(c).alias(c) for c in ("_alb", *[f"_{a}_in" for a in labs.ORDER])],
    )


def measurements(df: pl.DataFrame, memo: csv_rules.Rules) -> pl.DataFrame:
    """``df`` with the measurement errors (``_merrs``), the judgement's errors (``_jerrs``) and
    the lab columns of ``LAB_COLUMNS``: each analyte judged (``labs.judge_one``) once per
    distinct (lab, albumin for calcium, default band), then ``labs.phenotypes`` once per distinct
    (statuses, Hypercalcemia/Hyperphosphatemia recorded), as ``labs.judge`` does per record."""
    df = df.hstack(_read(df, memo))
    df, chosen = _choices(df)
    df = df.with_columns(pl.col("_alb").alias("albumin_g_l"))
    for a in labs.ORDER:
        df = _judged(df, a, chosen[a], memo)
    df = csv_rules._phenotypes(df, memo)
    ranges = pl.concat_str(
        [pl.col(f"{a}:note").replace("", None) for a in labs.ORDER]
        + [pl.col("ph:notes").list.join("; ").replace("", None)],
        separator="; ",
        ignore_nulls=True,
    )
    return df.with_columns(
        ranges.replace("", None).alias("ranges"),
        pl.concat_list([f"{a}:err" for a in labs.ORDER] + ["ph:err"]).alias("_jerrs"),
    )


def _judged(df: pl.DataFrame, a: str, chosen: list[Any], memo: csv_rules.Rules) -> pl.DataFrame:
    """One analyte judged: ``<a>:err``, ``<a>:note`` and its columns of ``LAB_COLUMNS``."""
    columns = [c for c in LAB_COLUMNS if c.startswith(f"{a}_")]
    albumin = ["_alb"] if a == "calcium" else []

    def rule(text: str | None, *key: Any) -> dict[str, Any]:
        lab = _lab(text)
        errors: list[str] = []
        v: dict[str, Any] = {}
        note = ""
        if lab is not None:
            if albumin and key[0] is not None:
                v["albumin_g_l"] = key[0]
            if lab.mmol is not None:
                v[f"{a}_mmol_l"] = float(lab.mmol)
            note = labs.judge_one(
                v, lambda c, msg: errors.append(f"{c}: {msg}"), a, lab, lambda: chosen[key[-1]]
            )
        return {f"{a}:err": errors, f"{a}:note": note, **{c: v.get(c) for c in columns}}

    def name(key: tuple[Any, ...]) -> tuple[Any, ...]:  # the block's band number -> the band
        return (*key[:-1], chosen[key[-1]] if key[-1] >= 0 else None)

    schema = {f"{a}:err": LIST, f"{a}:note": pl.String, **{c: SCHEMA[c] for c in columns}}
    keys = [f"_{a}_in", *albumin, f"_{a}_pick"]
    return csv_rules._per_distinct(df, keys, rule, schema, memo.table(f"judge:{a}"), name)


def _choices(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, list[Any]]]:
    """``_<analyte>_pick``: the index of the record's default band (``intervals.choose``) among
    the block's few distinct ones (returned), once per distinct (age, sex, species); -1 where
    none is needed."""
    bands = intervals.default_bands()
    base = df.select("age_years", "sex", "_taxon").unique()
    kinds = base
    chosen: dict[str, list[Any]] = {}
    for a in labs.ORDER:
        chosen[a] = []
        number: dict[Any, int] = {}
        picks = [intervals.choose(bands, a, *k) for k in base.iter_rows()]
        for pick in picks:
            if pick not in number:
                number[pick] = len(chosen[a])
                chosen[a].append(pick)
        kinds = kinds.with_columns(
            pl.Series(f"_{a}_pick", [number[p] for p in picks], dtype=pl.Int64)
        )
    found = df.select("age_years", "sex", "_taxon").join(
        kinds,
        on=["age_years", "sex", "_taxon"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    df = df.with_columns(
        pl.when(pl.col(f"_{a}_in").is_not_null())
        .then(found[f"_{a}_pick"])
        .otherwise(-1)
        .alias(f"_{a}_pick")
        for a in labs.ORDER
    )
    return df, chosen
