"""The triples a wide case row stands for, described as column expressions (arcs), not built.

Why: validation reads only counts and values per node and predicate, which are expressions over
the row's own columns; describing each triple ``triples.triples`` would make (subject node,
predicate, object, when the row has it) lets ``shacl_frame`` check the shapes on the frame
without a 2.5M-row triple table per 100k cases. ``materialise`` turns the description back into
triples, and tests/test_cases_shacl_frame.py requires it to equal ``triples.triples`` on every
test cohort, so the two descriptions cannot drift apart silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.triples import (
    FINDINGS,
    TRIPLE_SCHEMA,
    _expand,
    case_iris,
    decimal_text,
)

#: list levels: a node per item of these list columns (zipped by position), the row's otherwise
LEVELS: dict[str, tuple[str, ...]] = {
    column: (column, "responses") if column == "treatments" else (column,)
    for column in m.TYPED_SLOTS
}
N = pl.col("_n")  # an item's position in its list (from 0)
IRI = pl.col("iri")


@dataclass(frozen=True)
class Kind:
    """One kind of node a row makes: its IRI and the level it lives on ('' = the row)."""

    name: str
    iri: pl.Expr
    level: str = ""


@dataclass(frozen=True)
class Arc:
    """One triple a row (or a list item) may make: subject kind, predicate, object and when.

    ``obj`` names the kind of node the object is (None: an IRI or literal outside the case);
    ``consts`` lists every value ``o`` can take when that is a fixed set (so that a target class
    no arc can produce costs nothing)."""

    node: str
    p: str
    o: pl.Expr
    when: pl.Expr
    lit: bool = False
    dt: str = ""
    obj: str | None = None
    consts: tuple[str, ...] | None = None
    level: str = ""


def _const(node: str, p: str, value: str, when: pl.Expr, level: str = "") -> Arc:
    return Arc(node, p, pl.lit(value), when, consts=(value,), level=level)


def _decimal(node: str, p: str, column: str, when: pl.Expr) -> Arc:
    return Arc(node, p, decimal_text(pl.col(column)), when, True, m.XSD + "decimal")


def kinds() -> dict[str, Kind]:
    """Every kind of node, by name."""
    out = [Kind("case", IRI), Kind("organism", IRI + "/organism")]
    for spec in FINDINGS:
        out += [
            Kind(spec.slot, IRI + f"/{spec.slot}"),
            Kind(f"{spec.slot}/range", IRI + f"/{spec.slot}/range"),
        ]
    for column, (_p, slot, _prefixes) in m.TYPED_SLOTS.items():
        out.append(Kind(slot, IRI + f"/{slot}/" + (N + 1).cast(pl.String), column))
    return {k.name: k for k in out}


def arcs() -> tuple[Arc, ...]:
    """Every triple ``triples.triples`` makes for a row, in the same conditions."""
    yes = pl.lit(True)
    out = [
        _const("case", m.RDF_TYPE, m.CASE_RECORD, yes),
        Arc("case", m.DCT_IDENTIFIER, pl.col("case_id"), yes, lit=True),
        _const("case", m.RDF_TYPE, m.NO_DISEASE, pl.col("no_conditions")),
        _const("case", m.RDF_TYPE, m.NO_EXPOSURE, pl.col("no_exposures")),
        Arc("case", m.P_ORGANISM, IRI + "/organism", yes, obj="organism"),
        Arc("organism", m.RDF_TYPE, _expand(pl.col("taxon")), pl.col("taxon").is_not_null()),
        Arc("case", m.P_SEX, pl.col("sex"), pl.col("sex").is_not_null(), lit=True),
    ]
    for column, prop in (*m.CASE_DECIMALS.items(), ("albumin_g_l", m.P_ALBUMIN)):
        out.append(_decimal("case", prop, column, pl.col(column).is_not_null()))
    for spec in FINDINGS:
        node, has = spec.slot, spec.exists
        out.append(Arc("case", spec.prop, IRI + f"/{node}", has, obj=node))
        out += [_const(node, m.RDF_TYPE, t, has) for t in (m.LAB_FINDING, *spec.types)]
        out.append(
            _decimal(node, spec.value_prop, spec.value, has & pl.col(spec.value).is_not_null())
        )
        judged = has & spec.judged_here
        status, where = pl.col(f"{spec.judged}_status"), pl.col(f"{spec.judged}_range")
        classes = m.STATUS_TYPES[spec.judged]
        out.append(
            Arc(
                node,
                m.RDF_TYPE,
                status.replace_strict(classes, default=None, return_dtype=pl.String),
                judged & status.is_in(list(classes)),
                consts=tuple(classes.values()),
            )
        )
        out.append(
            Arc(node, m.P_RANGE, _expand(where), judged & where.is_not_null() & (where != "lab"))
        )
        lab, own = judged & (where == "lab"), f"{node}/range"
        out.append(Arc(node, m.P_RANGE, IRI + f"/{own}", lab, obj=own))
        for column, prop in (("lab_low", m.P_LOW), ("lab_high", m.P_HIGH)):
            out.append(_decimal(own, prop, f"{spec.judged}_{column}", lab))
        out.append(Arc(own, m.P_UNIT, pl.lit("mmol/L"), lab, lit=True))
    for column, (prop, slot, _prefixes) in m.TYPED_SLOTS.items():
        item = pl.col(column)
        iri = IRI + f"/{slot}/" + (N + 1).cast(pl.String)
        out.append(Arc("case", prop, iri, item.is_not_null(), obj=slot, level=column))
        out.append(Arc(slot, m.RDF_TYPE, _expand(item), item.is_not_null(), level=column))
    response = pl.col("responses")
    out.append(
        Arc(
            "treatment",
            m.P_RESPONSE,
            _expand(response),
            response.is_not_null() & (response != ""),
            level="treatments",
        )
    )
    out.append(
        Arc(
            "case",
            m.P_REPORTED,
            _expand(pl.col("reported_type")),
            pl.col("reported_type").is_not_null(),
        )
    )
    return tuple(out)


def with_row(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``_row`` (its row number) and ``iri`` (``triples.case_iris``)."""
    if "iri" not in frame.columns:
        frame = frame.with_columns(case_iris(frame["case_id"]))
    return frame.with_row_index("_row")


def level(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """One row per list position of ``frame`` (from ``with_row``) on level ``name``: ``_row``,
    ``iri``, ``_n`` and each of the level's list columns' item at ``_n`` (null past its end)."""
    columns = LEVELS[name]
    lists = frame.select("_row", "iri", *columns)
    if len(columns) == 1:
        lists = lists.with_columns(pl.int_ranges(pl.col(columns[0]).list.len()).alias("_n"))
        out = lists.explode(columns[0], "_n")
    else:
        longest = pl.max_horizontal(*(pl.col(c).list.len().fill_null(0) for c in columns))
        out = lists.with_columns(pl.int_ranges(longest).alias("_n")).explode("_n")
        out = out.with_columns(pl.col(c).list.get(N, null_on_oob=True) for c in columns)
    return out.filter(N.is_not_null())


def materialise(frame: pl.DataFrame) -> pl.DataFrame:
    """The triples the arcs describe (for the drift test; validation never calls it)."""
    rows = with_row(frame)
    by_kind = kinds()
    parts = []
    for arc in arcs():
        source = rows if not arc.level else level(rows, arc.level)
        part = source.filter(arc.when.fill_null(False)).select(
            by_kind[arc.node].iri.alias("s"),
            pl.lit(arc.p).alias("p"),
            arc.o.alias("o"),
            pl.lit(arc.lit).alias("lit"),
            pl.lit(arc.dt).alias("dt"),
        )
        parts.append(part)
    return pl.concat(parts).unique() if parts else pl.DataFrame(schema=TRIPLE_SCHEMA)
