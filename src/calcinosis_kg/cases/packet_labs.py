"""Phenopacket measurements and their judgement over a polars frame, once per distinct value.

Why: a cohort has a million measurements but a few thousand distinct (assay, value, unit,
range) and a few distinct default bands; the record reader's own functions
(``readers.measure``, ``labs.judge``) run once per distinct combination, in two steps so that
the patient's age (almost unique per record) only picks a band: (1) the measurements read, per
distinct measurements; (2) the judgement, per distinct (values read, albumin, chosen bands,
Hypercalcemia/Hyperphosphatemia recorded).
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
PARTS = ("n", "pos", "q", "v", "u", "r", "lo", "hi", "ru")
CODES = tuple(pm.ASSAYS)


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


def _columns() -> tuple[list[pl.Expr], list[str]]:
    """Per assay of ``packet_map.ASSAYS``: how often it is measured and, measured once, its
    position and quantity (absent numbers 0.0 and texts "", as protobuf reads them)."""
    e = pl.element()
    ms = _f(pl.col("p"), "measurements").fill_null([])
    exprs: list[pl.Expr] = [ms.list.len().alias("_mn")]
    keys = ["_mn"]
    for i, code in enumerate(CODES):
        hit = ms.list.eval(_f(e, "assay", "id").fill_null("") == code)
        one = hit.list.sum() == 1
        q = _f(ms.list.get(hit.list.arg_max(), null_on_oob=True), "value", "quantity")
        rr = _f(q, "referenceRange")
        ranged = one & rr.is_not_null()
        parts = {
            "n": hit.list.sum(),
            "pos": pl.when(one).then(hit.list.arg_max()),
            "q": pl.when(one).then(q.is_not_null()),
            "v": pl.when(one).then(_f(q, "value").fill_null(0.0)),
            "u": pl.when(one).then(_unit(_f(q, "unit"))),
            "r": pl.when(one).then(rr.is_not_null()),
            "lo": pl.when(ranged).then(_f(rr, "low").fill_null(0.0)),
            "hi": pl.when(ranged).then(_f(rr, "high").fill_null(0.0)),
            "ru": pl.when(ranged).then(_unit(_f(rr, "unit"))),
        }
        for name, expr in parts.items():
            exprs.append(expr.alias(f"_m{i}{name}"))
            keys.append(f"_m{i}{name}")
    return exprs, keys


def _text(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def _read(*key: Any) -> dict[str, Any]:
    """Step 1: the measurements of one distinct key into a scratch record."""
    record = Record("", "")
    n, found = key[0], [key[1 + i * len(PARTS) : 1 + (i + 1) * len(PARTS)] for i in range(4)]
    excess = parsing.too_many(n)
    if excess:
        record.error("measurements", excess)
    else:
        for code, item in zip(CODES, found, strict=True):
            if item[0] > 1:  # never the last one silently: the order would decide
                record.error(
                    "measurements", f"{item[0]} measurements of {code} where one is allowed"
                )
        for _pos, code, item in sorted(
            (item[1], code, item) for code, item in zip(CODES, found, strict=True) if item[0] == 1
        ):
            _n, _p, has_q, value, unit, has_r, low, high, range_unit = item
            quantity = None
            if has_q:
                quantity = readers.Quantity(value, unit)
                if has_r:
                    quantity = readers.Quantity(value, unit, low, high, range_unit or None)
            readers.measure(record, code, quantity)
    out: dict[str, Any] = {
        "_merrs": list(record.errors),
        "_alb": record.values.get("albumin_g_l"),
    }
    for a in labs.ORDER:
        lab = record.labs.get(a)
        out[f"_{a}_in"] = (
            None
            if lab is None
            else "|".join(
                x or ""
                for x in (
                    _text(lab.exact),
                    _text(lab.mmol),
                    lab.status,
                    *(_text(d) for d in (lab.lab_range or (None, None))),
                )
            )
        )
    return out


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


def measurements(df: pl.DataFrame, memo: csv_rules.Rules) -> pl.DataFrame:
    """``df`` with the measurement errors (``_merrs``), the judgement's errors (``_jerrs``) and
    the lab columns of ``LAB_COLUMNS``."""
    exprs, keys = _columns()
    df = df.with_columns(*exprs)
    read_schema = {
        "_merrs": LIST,
        "_alb": pl.Float64,
        **{f"_{a}_in": pl.String for a in labs.ORDER},
    }
    df = csv_rules._per_distinct(df, keys, _read, read_schema, memo.table("measure"))
    df, chosen = _choices(df)
    hyper = list(labs.PHENOTYPES)
    df = df.with_columns(
        pl.col("features").list.contains(t).alias(f"_h{j}") for j, t in enumerate(hyper)
    )

    def judge(*key: Any) -> dict[str, Any]:
        inputs, albumin, picks, flags = key[:3], key[3], key[4:7], key[7:]
        record = Record("", "")
        v = record.values
        if albumin is not None:
            v["albumin_g_l"] = albumin
        for a, text in zip(labs.ORDER, inputs, strict=True):
            lab = _lab(text)
            if lab is not None:
                record.labs[a] = lab
                if lab.mmol is not None:
                    v[f"{a}_mmol_l"] = float(lab.mmol)
        v["features"] = [t for t, on in zip(hyper, flags, strict=True) if on]
        pick = dict(zip(labs.ORDER, picks, strict=True))
        labs.judge(v, record.labs, record.error, lambda a: lambda: chosen[a][pick[a]])
        return {**{c: v.get(c) for c in LAB_COLUMNS}, "_jerrs": list(record.errors)}

    keys = [
        *[f"_{a}_in" for a in labs.ORDER],
        "_alb",
        *[f"_{a}_pick" for a in labs.ORDER],
        *[f"_h{j}" for j in range(len(hyper))],
    ]
    schema = {**{c: SCHEMA[c] for c in LAB_COLUMNS}, "_jerrs": LIST}

    def name(key: tuple[Any, ...]) -> tuple[Any, ...]:  # the block's band numbers -> the bands
        bands = (
            chosen[a][n] if n >= 0 else None for a, n in zip(labs.ORDER, key[4:7], strict=True)
        )
        return (*key[:4], *bands, *key[7:])

    return csv_rules._per_distinct(df, keys, judge, schema, memo.table("judge"), name)


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
