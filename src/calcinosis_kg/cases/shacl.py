"""SHACL fast path: the case shapes compiled into polars joins over the triple table.

Why: pySHACL walks the graph node by node in Python (about 19 s for 10k cases here) and rdflib
must parse first; the cases are already a polars triple table, and every constraint kind the case
shapes use is a set operation on it (counts per focus node and path, a datatype or regex test per
value). The shapes file stays the single source: this module reads ``shapes/case-model.ttl`` and
refuses any construct it does not implement, so it cannot silently drift from pySHACL (the tests
compare both, violation by violation, on planted errors of every constraint kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import cast

import polars as pl

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import shapes_dir
from calcinosis_kg.core.vocab import RDF_TYPE, SH, XSD

SHAPES_FILE = "case-model.ttl"
NUMERIC = {XSD + n for n in ("decimal", "integer", "double", "float")}
DECIMAL_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
COUNTS = ("minCount", "maxCount")
VALUE_KINDS = (
    "datatype",
    "in",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
)
KNOWN = {SH + k for k in (*COUNTS, *VALUE_KINDS, "path", "message", "name", "description")}
COMPONENT = {
    "minCount": "MinCount",
    "maxCount": "MaxCount",
    "datatype": "Datatype",
    "in": "In",
    "pattern": "Pattern",
    "minInclusive": "MinInclusive",
    "maxInclusive": "MaxInclusive",
    "minExclusive": "MinExclusive",
    "maxExclusive": "MaxExclusive",
}
VIOLATION_SCHEMA = {
    "focus": pl.String,
    "path": pl.String,
    "component": pl.String,
    "value": pl.String,
    "message": pl.String,
}


@dataclass
class PropertyRule:
    """One ``sh:property`` of a case shape: its path, message and constraints."""

    path: str
    message: str
    constraints: dict[str, object] = field(default_factory=dict)


@dataclass
class NodeRule:
    """One node shape of the case shapes: its name, targets and property rules."""

    shape: str
    target_class: list[str]
    target_objects_of: list[str]
    properties: list[PropertyRule]


def shapes_file() -> Path:
    """The bundled SHACL shapes of case records."""
    return shapes_dir() / SHAPES_FILE


@cache
def compiled(path: Path | None = None) -> tuple[NodeRule, ...]:
    """The node shapes of ``path`` (default: the bundled case shapes) as rules."""
    import rdflib

    path = path or shapes_file()
    graph = rdflib.Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many types for bad Turtle
        raise InputError(f"malformed shapes: {exc}", path) from None
    sh = rdflib.Namespace(SH)
    rules = []
    for node in sorted(set(graph.subjects(rdflib.RDF.type, sh.NodeShape)), key=str):
        props = []
        for prop in sorted(graph.objects(node, sh.property), key=str):
            unknown = (
                {str(p) for p in graph.predicates(prop)}
                - KNOWN
                - {str(rdflib.RDF.type), str(rdflib.RDFS.comment)}
            )
            if unknown:
                raise InputError(
                    f"shape construct not supported by the fast path: {sorted(unknown)}", path
                )
            path_node = graph.value(prop, sh.path)
            if not isinstance(path_node, rdflib.URIRef):
                raise InputError("the fast path supports single-predicate paths only", path)
            rule = PropertyRule(str(path_node), str(graph.value(prop, sh.message) or ""))
            for kind in (*COUNTS, *VALUE_KINDS):
                value = graph.value(prop, sh[kind])
                if value is None:
                    continue
                if kind == "in":
                    rule.constraints[kind] = [
                        _term(v) for v in rdflib.collection.Collection(graph, value)
                    ]
                elif kind in COUNTS:
                    rule.constraints[kind] = int(str(value))
                elif kind in ("datatype", "pattern"):
                    rule.constraints[kind] = str(value)
                else:
                    rule.constraints[kind] = float(str(value))
            props.append(rule)
        rules.append(
            NodeRule(
                str(node),
                [str(c) for c in graph.objects(node, sh.targetClass)],
                [str(p) for p in graph.objects(node, sh.targetObjectsOf)],
                props,
            )
        )
    return tuple(rules)


def _term(node: object) -> str:
    """A term key: ``<iri>`` or ``"lexical"^^datatype`` (plain strings as xsd:string)."""
    import rdflib

    if isinstance(node, rdflib.Literal):
        return f'"{node}"^^{node.datatype or XSD + "string"}'
    return f"<{node}>"


def term_key(
    o: pl.Expr | None = None, lit: pl.Expr | None = None, dt: pl.Expr | None = None
) -> pl.Expr:
    """The same term key, vectorised over a triple table's object columns (or the given
    expressions)."""
    o, lit, dt = _cols(o, lit, dt)
    dt = pl.when(dt == "").then(pl.lit(XSD + "string")).otherwise(dt)
    return pl.when(lit).then('"' + o + '"^^' + dt).otherwise("<" + o + ">")


def _cols(
    o: pl.Expr | None, lit: pl.Expr | None, dt: pl.Expr | None
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    return (
        pl.col("o") if o is None else o,
        pl.col("lit") if lit is None else lit,
        pl.col("dt") if dt is None else dt,
    )


def _focus(by_p: dict[str, pl.DataFrame], rule: NodeRule) -> pl.DataFrame:
    frames = []
    if rule.target_class:
        frames.append(
            _of(by_p, RDF_TYPE)
            .filter(pl.col("o").is_in(rule.target_class) & ~pl.col("lit"))
            .select(pl.col("s").alias("focus"))
        )
    if rule.target_objects_of:
        frames += [
            _of(by_p, p).filter(~pl.col("lit")).select(pl.col("o").alias("focus"))
            for p in rule.target_objects_of
        ]
    if not frames:
        return pl.DataFrame(schema={"focus": pl.String})
    return pl.concat(frames).unique()


def value_ok(
    kind: str,
    arg: object,
    o: pl.Expr | None = None,
    lit: pl.Expr | None = None,
    dt: pl.Expr | None = None,
    numeric: pl.Expr | None = None,
) -> pl.Expr:
    """Does a value (a triple table's ``o``/``lit``/``dt``, or the given expressions) satisfy
    constraint ``kind``? A null answer is no violation (a filter drops it). ``numeric`` is
    ``number(o, lit, dt)`` when the caller has it already."""
    o, lit, dt = _cols(o, lit, dt)
    if kind == "datatype":
        ok = lit & (pl.when(dt == "").then(pl.lit(XSD + "string")).otherwise(dt) == arg)
        if arg == XSD + "decimal":
            ok = ok & o.str.contains(DECIMAL_RE)
        return ok
    if kind == "in":
        return term_key(o, lit, dt).is_in(cast(list, arg))
    if kind == "pattern":
        re.compile(str(arg))  # fail on a pattern Python cannot read, as pySHACL would
        return o.str.contains(str(arg))
    value, bound = number(o, lit, dt) if numeric is None else numeric, cast(float, arg)
    compare = {
        "minInclusive": value >= bound,
        "maxInclusive": value <= bound,
        "minExclusive": value > bound,
        "maxExclusive": value < bound,
    }[kind]
    return compare.fill_null(False)


def number(o: pl.Expr, lit: pl.Expr, dt: pl.Expr) -> pl.Expr:
    """A value as a number when it is a numeric literal (null otherwise): what the range
    constraints compare."""
    numeric = (
        lit
        & dt.is_in(list(NUMERIC))
        & o.str.contains(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
    )
    return pl.when(numeric).then(o.cast(pl.Float64, strict=False))


def _value_failures(values: pl.DataFrame, kind: str, arg: object) -> pl.DataFrame:
    return values.filter(~value_ok(kind, arg))


def validate_table(table: pl.DataFrame, rules: tuple[NodeRule, ...] | None = None) -> pl.DataFrame:
    """Every violation of the case shapes in a triple table: focus, path, component, value."""
    rules = rules if rules is not None else compiled()
    # one pass over the table: each property's triples, found again in O(1) by every rule
    by_p = {key[0]: part for key, part in table.partition_by("p", as_dict=True).items()}
    out: list[pl.DataFrame] = []
    for rule in rules:
        focus = _focus(by_p, rule)
        if not focus.height:
            continue
        for prop in rule.properties:
            values = focus.join(_of(by_p, prop.path), left_on="focus", right_on="s", how="inner")
            for kind in COUNTS:
                if kind not in prop.constraints:
                    continue
                bound = int(prop.constraints[kind])  # type: ignore[call-overload]
                counts = focus.join(values.group_by("focus").len(), on="focus", how="left")
                counts = counts.with_columns(pl.col("len").fill_null(0))
                bad = counts.filter(
                    pl.col("len") < bound if kind == "minCount" else pl.col("len") > bound
                )
                out.append(
                    bad.select(
                        "focus",
                        pl.lit(prop.path).alias("path"),
                        pl.lit(COMPONENT[kind]).alias("component"),
                        pl.lit(None, dtype=pl.String).alias("value"),
                        pl.lit(prop.message).alias("message"),
                    )
                )
            for kind in VALUE_KINDS:
                if kind not in prop.constraints:
                    continue
                bad = _value_failures(values, kind, prop.constraints[kind])
                out.append(
                    bad.select(
                        "focus",
                        pl.lit(prop.path).alias("path"),
                        pl.lit(COMPONENT[kind]).alias("component"),
                        term_key().alias("value"),
                        pl.lit(prop.message).alias("message"),
                    )
                )
    if not out:
        return pl.DataFrame(schema=VIOLATION_SCHEMA)
    return pl.concat(out).unique().sort("focus", "path", "component", "value", nulls_last=True)


def _of(by_p: dict[str, pl.DataFrame], predicate: str) -> pl.DataFrame:
    """The triples of one predicate (an empty table when there are none)."""
    found = by_p.get(predicate)
    if found is None:
        return pl.DataFrame(
            schema={**next(iter(by_p.values())).schema}
            if by_p
            else {
                "s": pl.String,
                "p": pl.String,
                "o": pl.String,
                "lit": pl.Boolean,
                "dt": pl.String,
            }
        )
    return found
