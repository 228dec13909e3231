"""Wide case rows -> the RDF they stand for, as a polars table of triples (and N-Triples text).

Why a triple table: SHACL constraints are about triples (counts per focus node and path,
datatypes, patterns on IRIs), so the fast validator runs on exactly the triples that pySHACL and
HermiT see; building them with vectorised polars expressions (no Python loop per case) keeps
100k cases at a fraction of a second. Node IRIs are deterministic: ``case/<id>`` and
``case/<id>/<slot>/<n>``, so the same input always gives byte-identical RDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import polars as pl

from calcinosis_kg.cases import model as m

TRIPLE_SCHEMA = {"s": pl.String, "p": pl.String, "o": pl.String, "lit": pl.Boolean, "dt": pl.String}


def case_iri(case_id: str) -> str:
    """The IRI of a case: its id percent-encoded under the cases' base (any id is safe in it)."""
    return m.CASE_BASE + quote(case_id, safe="._-")


#: what ``quote(…, safe="._-")`` leaves as it is
_UNQUOTED = r"^[A-Za-z0-9_.~-]*$"


def case_iris(ids: pl.Series) -> pl.Series:
    """``case_iri`` of every id (an ``iri`` column): by expression for the ids ``quote``
    leaves unchanged, by ``quote`` for the others."""
    plain = ids.str.contains(_UNQUOTED)
    out = (m.CASE_BASE + ids).alias("iri")
    if plain.all():
        return out
    quoted = pl.Series([case_iri(c) for c in ids.filter(~plain)], dtype=pl.String)
    return out.scatter((~plain).arg_true(), quoted)


def _expand(expr: pl.Expr) -> pl.Expr:
    """CURIE -> IRI, vectorised; an unknown prefix gives ``urn:curie:…`` (SHACL flags it)."""
    prefix = expr.str.split_exact(":", 1).struct.field("field_0")
    local = expr.str.split_exact(":", 1).struct.field("field_1")
    ns = prefix.replace_strict(m.PREFIXES, default=None, return_dtype=pl.String)
    full = pl.when(expr.str.starts_with("http://") | expr.str.starts_with("https://"))
    return full.then(expr).when(ns.is_not_null()).then(ns + local).otherwise("urn:curie:" + expr)


def decimal_text(expr: pl.Expr) -> pl.Expr:
    """A float as an xsd:decimal lexical form (6 places at most, no exponent)."""
    micro = (expr * 1_000_000).round(0).cast(pl.Int64)
    sign = pl.when(micro < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    mag = micro.abs()
    whole = (mag // 1_000_000).cast(pl.String)
    frac = (mag % 1_000_000).cast(pl.String).str.zfill(6).str.strip_chars_end("0")
    return sign + whole + pl.when(frac == "").then(pl.lit(".0")).otherwise("." + frac)


def _t(s: pl.Expr, p: str, o: pl.Expr, lit: bool = False, dt: str = "") -> list[pl.Expr]:
    return [
        s.alias("s"),
        pl.lit(p).alias("p"),
        o.alias("o"),
        pl.lit(lit).alias("lit"),
        pl.lit(dt).alias("dt"),
    ]


@dataclass(frozen=True)
class Finding:
    """One laboratory finding node a case row may hold, and the columns that fill it."""

    slot: str  # node IRI suffix
    prop: str  # case -> finding
    value: str  # value column
    value_prop: str
    judged: str  # status/range columns' prefix
    exists: pl.Expr  # the row has this node
    judged_here: pl.Expr  # its status and range belong to this node
    types: tuple[str, ...] = ()


STATUS_TYPES = m.STATUS_TYPES
_ADJUSTED = pl.col("calcium_adjusted_mmol_l").is_not_null()
#: the measured total calcium is judged itself unless serum albumin adjusted it; the adjusted
#: value is a second finding (CCKG:0000454) that carries the judgement (docs/readme/cases.md)
FINDINGS = (
    Finding(
        "calcium",
        m.P_CALCIUM,
        "calcium_mmol_l",
        m.P_CALCIUM_MMOL,
        "calcium",
        pl.col("calcium_mmol_l").is_not_null() | pl.col("calcium_status").is_not_null(),
        ~_ADJUSTED,
    ),
    Finding(
        "calcium-adjusted",
        m.P_CALCIUM,
        "calcium_adjusted_mmol_l",
        m.P_CALCIUM_MMOL,
        "calcium",
        _ADJUSTED,
        _ADJUSTED,
        (m.ADJUSTED_FINDING,),
    ),
    Finding(
        "ionised-calcium",
        m.P_CALCIUM,
        "ionised_calcium_mmol_l",
        m.P_IONISED_MMOL,
        "ionised_calcium",
        pl.col("ionised_calcium_mmol_l").is_not_null()
        | pl.col("ionised_calcium_status").is_not_null(),
        pl.lit(True),
        (m.IONISED_FINDING,),
    ),
    Finding(
        "phosphate",
        m.P_PHOSPHATE,
        "phosphate_mmol_l",
        m.P_PHOSPHATE_MMOL,
        "phosphate",
        pl.col("phosphate_mmol_l").is_not_null() | pl.col("phosphate_status").is_not_null(),
        pl.lit(True),
    ),
)


def _finding(
    frame: pl.LazyFrame,
    case: pl.Expr,
    spec: Finding,
    add: Callable[[pl.LazyFrame, list[pl.Expr]], None],
) -> None:
    """A finding node: its types, value, judged status (as a type) and the range that judged
    it (a default band individual, or the laboratory's range as a node of the case)."""
    node = case + f"/{spec.slot}"
    has = frame.filter(spec.exists)
    add(has, _t(case, spec.prop, node))
    for type_ in (m.LAB_FINDING, *spec.types):
        add(has, _t(node, m.RDF_TYPE, pl.lit(type_)))
    add(
        has.filter(pl.col(spec.value).is_not_null()),
        _t(node, spec.value_prop, decimal_text(pl.col(spec.value)), True, m.XSD + "decimal"),
    )
    judged = has.filter(spec.judged_here)
    status, where = pl.col(f"{spec.judged}_status"), pl.col(f"{spec.judged}_range")
    classes = STATUS_TYPES[spec.judged]
    add(
        judged.filter(status.is_in(list(classes))),
        _t(node, m.RDF_TYPE, status.replace_strict(classes, return_dtype=pl.String)),
    )
    add(judged.filter(where.is_not_null() & (where != "lab")), _t(node, m.P_RANGE, _expand(where)))
    lab = judged.filter(where == "lab")
    own = node + "/range"
    add(lab, _t(node, m.P_RANGE, own))
    for column, prop in (("lab_low", m.P_LOW), ("lab_high", m.P_HIGH)):
        add(
            lab,
            _t(own, prop, decimal_text(pl.col(f"{spec.judged}_{column}")), True, m.XSD + "decimal"),
        )
    add(lab, _t(own, m.P_UNIT, pl.lit("mmol/L"), True))


def triples(frame: pl.DataFrame, sort: bool = True, unique: bool = True) -> pl.DataFrame:
    """Every triple of every case in ``frame`` (wide rows), once each; sorted unless ``sort``
    is False (validation needs the set, not the order). ``unique=False`` skips removing repeats
    (a few seconds at 100k cases) when the case IRIs are known to be unique, as after
    ``pipeline.Identifiers``: every triple's subject is then its case's own node, and each
    part below makes one triple per node and predicate (list items are numbered)."""
    if "iri" not in frame.columns:
        frame = frame.with_columns(case_iris(frame["case_id"]))
    case = pl.col("iri")
    parts: list[pl.DataFrame] = []

    def add(df: pl.LazyFrame, exprs: list[pl.Expr]) -> None:
        """Lazy, so that a filter copies only the columns its triples read."""
        part = df.select(exprs).collect()
        if part.height:
            parts.append(part)

    lazy = frame.lazy()

    add(lazy, _t(case, m.RDF_TYPE, pl.lit(m.CASE_RECORD)))
    add(lazy, _t(case, m.DCT_IDENTIFIER, pl.col("case_id"), lit=True))
    add(lazy.filter(pl.col("no_conditions")), _t(case, m.RDF_TYPE, pl.lit(m.NO_DISEASE)))
    add(lazy.filter(pl.col("no_exposures")), _t(case, m.RDF_TYPE, pl.lit(m.NO_EXPOSURE)))
    organism = case + "/organism"
    add(lazy, _t(case, m.P_ORGANISM, organism))
    add(
        lazy.filter(pl.col("taxon").is_not_null()),
        _t(organism, m.RDF_TYPE, _expand(pl.col("taxon"))),
    )
    add(lazy.filter(pl.col("sex").is_not_null()), _t(case, m.P_SEX, pl.col("sex"), lit=True))
    for column, prop in m.CASE_DECIMALS.items():
        add(
            lazy.filter(pl.col(column).is_not_null()),
            _t(case, prop, decimal_text(pl.col(column)), True, m.XSD + "decimal"),
        )
    add(
        lazy.filter(pl.col("albumin_g_l").is_not_null()),
        _t(case, m.P_ALBUMIN, decimal_text(pl.col("albumin_g_l")), True, m.XSD + "decimal"),
    )
    for spec in FINDINGS:
        _finding(lazy, case, spec, add)
    for column, (prop, slot, _prefixes) in m.TYPED_SLOTS.items():
        items = (
            frame.select("iri", pl.col(column).alias("item"))
            .with_columns(pl.int_ranges(pl.col("item").list.len()).alias("n"))
            .explode("item", "n")
            .filter(pl.col("item").is_not_null())
            .lazy()
        )
        node = case + f"/{slot}/" + (pl.col("n") + 1).cast(pl.String)
        add(items, _t(case, prop, node))
        add(items, _t(node, m.RDF_TYPE, _expand(pl.col("item"))))
    responses = (
        frame.select("iri", pl.col("responses").alias("item"))
        .with_columns(pl.int_ranges(pl.col("item").list.len()).alias("n"))
        .explode("item", "n")
        .filter(pl.col("item").is_not_null() & (pl.col("item") != ""))
        .lazy()
    )
    add(
        responses,
        _t(
            case + "/treatment/" + (pl.col("n") + 1).cast(pl.String),
            m.P_RESPONSE,
            _expand(pl.col("item")),
        ),
    )
    add(
        lazy.filter(pl.col("reported_type").is_not_null()),
        _t(case, m.P_REPORTED, _expand(pl.col("reported_type"))),
    )
    if not parts:
        return pl.DataFrame(schema=TRIPLE_SCHEMA)
    table = pl.concat(parts)
    table = table.unique() if unique else table
    return table.sort("s", "p", "o", "lit") if sort else table


def without_non_cases(table: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
    """``table`` without the case-record types of the records that are no calcinosis cutis case
    (``not_a_case``: a Phenopacket that excludes or does not record it). Validation keeps them
    (the record is still checked); what is published or reasoned over does not, so no criterion
    can type such a record, in HermiT as in the fast path."""
    if "not_a_case" not in frame.columns:
        return table
    iris = (
        frame.filter(pl.col("not_a_case").is_not_null())["iri"]
        if "iri" in frame.columns
        else pl.Series(
            [case_iri(c) for c in frame.filter(pl.col("not_a_case").is_not_null())["case_id"]],
            dtype=pl.String,
        )
    )
    if not len(iris):
        return table
    case_types = [m.CASE_RECORD, m.NO_DISEASE, m.NO_EXPOSURE]
    drop = (
        pl.col("s").is_in(iris.implode())
        & (pl.col("p") == m.RDF_TYPE)
        & pl.col("o").is_in(case_types)
    )
    return table.filter(~drop)


def _escape(expr: pl.Expr) -> pl.Expr:
    out = expr.str.replace_all("\\", "\\\\", literal=True)
    out = out.str.replace_all('"', '\\"', literal=True)
    return out.str.replace_all("\n", "\\n", literal=True).str.replace_all("\r", "\\r", literal=True)


#: what an N-Triples IRIREF may not hold, and its percent-encoding
_NOT_IN_IRI = [chr(c) for c in range(0x21)] + list('<>"{}|^`\\')
NOT_IN_IRI = "[" + "".join(f"\\x{ord(c):02x}" for c in _NOT_IN_IRI) + "]"


def _safe_iris(table: pl.DataFrame) -> pl.DataFrame:
    """Every IRI term (subject, object) with what an IRIREF may not hold percent-encoded, so no
    value can close the ``<…>`` and add a triple. The readers admit only CURIEs and parsed IRIs,
    so this is a backstop: one regex pass finds nothing, and the table is returned as it is."""
    bad_s = pl.col("s").str.contains(NOT_IN_IRI)
    bad_o = ~pl.col("lit") & pl.col("o").str.contains(NOT_IN_IRI)
    if not table.select((bad_s | bad_o).any()).item():
        return table
    codes = [f"%{ord(c):02X}" for c in _NOT_IN_IRI]
    encoded = {c: pl.col(c).str.replace_many(_NOT_IN_IRI, codes) for c in ("s", "o")}
    return table.with_columns(
        encoded["s"].alias("s"),
        pl.when(pl.col("lit")).then(pl.col("o")).otherwise(encoded["o"]).alias("o"),
    )


def ntriples(table: pl.DataFrame) -> bytes:
    """N-Triples text of a triple table, one line per triple in table order (byte-deterministic):
    literals escaped, IRIs made safe (``_safe_iris``)."""
    if not table.height:
        return b""
    table = _safe_iris(table)
    obj = (
        pl.when(pl.col("lit") & (pl.col("dt") != ""))
        .then('"' + _escape(pl.col("o")) + '"^^<' + pl.col("dt") + ">")
        .when(pl.col("lit"))
        .then('"' + _escape(pl.col("o")) + '"')
        .otherwise("<" + pl.col("o") + ">")
    )
    lines = table.select(
        pl.concat_str(
            [pl.lit("<"), pl.col("s"), pl.lit("> <"), pl.col("p"), pl.lit("> "), obj, pl.lit(" .")]
        ).alias("line")
    )
    # joined inside polars: no Python string per triple
    return (lines.select(pl.col("line").str.join("\n")).item() + "\n").encode("utf-8")
