"""The case triples and the SHACL fast path as Spark SQL expressions.

Why a port and not a second validator: this module runs the SAME compiled shapes
(``shacl.compiled()``, read from ``shapes/case-model.ttl``) over the SAME triples as
``triples.triples`` builds in polars, with the same tests (focus nodes per target, values per
property path, counts, datatype / ``in`` / pattern / numeric range per value); only the engine
differs. A case's triples never leave its row: they are an array column, and each constraint is
a higher-order SQL function over it (``filter``, ``transform``), so there is no shuffle, no join
and no Python function per row. The expressions are generated as SQL text (parsed once by Spark)
rather than through thousands of py4j calls. tests/test_cases_spark.py proves both engines give
the same problems, case by case. One difference by design: polars merges the triples of two rows
that share a case IRI (the same id in two files); here each row is validated on its own.
"""

from __future__ import annotations

import re
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import shacl
from calcinosis_kg.cases.triples import FINDINGS, Finding
from calcinosis_kg.core.vocab import RDF_TYPE, XSD

TRIPLE_DDL = "struct<s:string,p:string,o:string,lit:boolean,dt:string>"
NUMERIC_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def q(text: str) -> str:
    """A Spark SQL string literal (backslash escapes, the parser's default)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def qlist(values: list[str] | tuple[str, ...]) -> str:
    """Values as a comma-separated list of Spark SQL string literals."""
    return ", ".join(q(v) for v in values)


def case_iri(col: str) -> str:
    """``triples.case_iri`` (``quote(id, safe="._-")``): Java's form encoding differs only on
    space, ``*`` and ``~``."""
    enc = f"url_encode({col})"
    for a, b in (("+", "%20"), ("*", "%2A"), ("%7E", "~")):
        enc = f"replace({enc}, {q(a)}, {q(b)})"
    return f"concat({q(m.CASE_BASE)}, {enc})"


def expand(x: str) -> str:
    """CURIE -> IRI like ``triples._expand`` (prefix before the first ``:``, local part up to
    the next one): an unknown prefix gives ``urn:curie:…``."""
    prefix = f"substring_index({x}, ':', 1)"
    ns = (
        f"CASE WHEN instr({x}, ':') = 0 THEN NULL ELSE CASE {prefix} "
        + " ".join(f"WHEN {q(k)} THEN {q(v)}" for k, v in sorted(m.PREFIXES.items()))
        + " END END"
    )
    local = f"substring_index(substr({x}, instr({x}, ':') + 1), ':', 1)"
    return (
        f"CASE WHEN startswith({x}, 'http://') OR startswith({x}, 'https://') THEN {x} "
        f"ELSE coalesce(concat({ns}, {local}), concat('urn:curie:', {x})) END"
    )


def decimal_text(x: str) -> str:
    """``triples.decimal_text``: a double as an xsd:decimal lexical form (6 places at most)."""
    micro = f"CAST(bround({x} * 1000000, 0) AS BIGINT)"
    frac = f"regexp_replace(lpad(CAST(abs({micro}) % 1000000 AS STRING), 6, '0'), '0+$', '')"
    return (
        f"concat(CASE WHEN {micro} < 0 THEN '-' ELSE '' END, "
        f"CAST(abs({micro}) DIV 1000000 AS STRING), "
        f"CASE WHEN {frac} = '' THEN '.0' ELSE concat('.', {frac}) END)"
    )


def _t(s: str, p: str, o: str, lit: bool = False, dt: str = "") -> str:
    return (
        f"named_struct('s', {s}, 'p', {q(p)}, 'o', {o}, 'lit', {str(lit).upper()}, 'dt', {q(dt)})"
    )


#: ``triples.FINDINGS``' two polars conditions per finding node, as SQL: (the row has the
#: node, its status and range belong to it); a finding added there and not here raises
FINDING_SQL = {
    "calcium": (
        "calcium_mmol_l IS NOT NULL OR calcium_status IS NOT NULL",
        "calcium_adjusted_mmol_l IS NULL",
    ),
    "calcium-adjusted": (
        "calcium_adjusted_mmol_l IS NOT NULL",
        "calcium_adjusted_mmol_l IS NOT NULL",
    ),
    "ionised-calcium": (
        "ionised_calcium_mmol_l IS NOT NULL OR ionised_calcium_status IS NOT NULL",
        "TRUE",
    ),
    "phosphate": ("phosphate_mmol_l IS NOT NULL OR phosphate_status IS NOT NULL", "TRUE"),
}


def _finding(spec: Finding, has: str, judged: str, add: Any) -> None:
    """``triples._finding``: the node, its types, value, judged status and judging range."""
    node = f"concat(iri, '/{spec.slot}')"
    add(
        has,
        _t("iri", spec.prop, node),
        *[_t(node, m.RDF_TYPE, q(t)) for t in (m.LAB_FINDING, *spec.types)],
    )
    add(
        f"({has}) AND {spec.value} IS NOT NULL",
        _t(node, spec.value_prop, decimal_text(spec.value), True, XSD + "decimal"),
    )
    status, where = f"{spec.judged}_status", f"{spec.judged}_range"
    classes = m.STATUS_TYPES[spec.judged]
    typed = (
        "CASE "
        + " ".join(f"WHEN {status} = {q(k)} THEN {q(v)}" for k, v in sorted(classes.items()))
        + " END"
    )
    add(
        f"({judged}) AND coalesce({status} IN ({qlist(sorted(classes))}), FALSE)",
        _t(node, m.RDF_TYPE, typed),
    )
    add(
        f"({judged}) AND {where} IS NOT NULL AND {where} != 'lab'",
        _t(node, m.P_RANGE, expand(where)),
    )
    own = f"concat({node}, '/range')"
    add(
        f"({judged}) AND coalesce({where} = 'lab', FALSE)",
        _t(node, m.P_RANGE, own),
        _t(own, m.P_LOW, decimal_text(f"{spec.judged}_lab_low"), True, XSD + "decimal"),
        _t(own, m.P_HIGH, decimal_text(f"{spec.judged}_lab_high"), True, XSD + "decimal"),
        _t(own, m.P_UNIT, q("mmol/L"), True),
    )


def triples(distinct: bool = True) -> str:
    """Every triple of a case row, once each: an ``array<struct<s,p,o,lit,dt>>`` expression
    over the wide columns and ``iri``. ``distinct=False``: a triple may repeat (the caller
    removes repeats where it needs to: Spark's ``array_distinct`` of structs compares every
    pair, measured as the largest cost of a Spark run on ~40 triples per case)."""
    empty = f"CAST(array() AS array<{TRIPLE_DDL}>)"
    parts: list[str] = []

    def add(cond: str | None, *items: str) -> None:
        arr = f"array({', '.join(items)})"
        parts.append(arr if cond is None else f"CASE WHEN {cond} THEN {arr} ELSE {empty} END")

    def each(column: str, keep: str, *items: str) -> None:
        parts.append(
            f"flatten(transform(coalesce({column}, array()), (x, i) -> CASE WHEN "
            f"{keep} THEN array({', '.join(items)}) ELSE {empty} END))"
        )

    case, organism = "iri", "concat(iri, '/organism')"
    add(
        None,
        _t(case, m.RDF_TYPE, q(m.CASE_RECORD)),
        _t(case, m.DCT_IDENTIFIER, "case_id", lit=True),
        _t(case, m.P_ORGANISM, organism),
    )
    add("coalesce(no_conditions, FALSE)", _t(case, m.RDF_TYPE, q(m.NO_DISEASE)))
    add("coalesce(no_exposures, FALSE)", _t(case, m.RDF_TYPE, q(m.NO_EXPOSURE)))
    add("taxon IS NOT NULL", _t(organism, m.RDF_TYPE, expand("taxon")))
    add("sex IS NOT NULL", _t(case, m.P_SEX, "sex", lit=True))
    for column, prop in m.CASE_DECIMALS.items():
        add(f"{column} IS NOT NULL", _t(case, prop, decimal_text(column), True, XSD + "decimal"))
    add(
        "albumin_g_l IS NOT NULL",
        _t(case, m.P_ALBUMIN, decimal_text("albumin_g_l"), True, XSD + "decimal"),
    )
    for spec in FINDINGS:
        exists, here = FINDING_SQL[spec.slot]
        _finding(spec, f"({exists})", f"({exists}) AND ({here})", add)
    for column, (prop, slot, _prefixes) in m.TYPED_SLOTS.items():
        node = f"concat(iri, '/{slot}/', CAST(i + 1 AS STRING))"
        each(column, "x IS NOT NULL", _t(case, prop, node), _t(node, m.RDF_TYPE, expand("x")))
    each(
        "responses",
        "x IS NOT NULL AND x != ''",
        _t("concat(iri, '/treatment/', CAST(i + 1 AS STRING))", m.P_RESPONSE, expand("x")),
    )
    add("reported_type IS NOT NULL", _t(case, m.P_REPORTED, expand("reported_type")))
    every = f"concat({', '.join(parts)})"
    return f"array_distinct({every})" if distinct else every


def term_key(t: str) -> str:
    """Spark SQL for one RDF term as N-Triples-like text (``<iri>`` or ``"lit"^^dt``): how
    ``sh:in`` compares values and how a violation names its value."""
    dt = f"CASE WHEN {t}.dt = '' THEN {q(XSD + 'string')} ELSE {t}.dt END"
    return (
        f"CASE WHEN {t}.lit THEN concat('\"', {t}.o, '\"^^', {dt}) ELSE concat('<', {t}.o, '>') END"
    )


def focus(rule: shacl.NodeRule) -> str:
    """The focus nodes of ``rule`` among the row's triples ``_t`` (an array of IRIs)."""
    found = []
    if rule.target_class:
        found.append(
            f"transform(filter(_t, t -> t.p = {q(RDF_TYPE)} AND t.o IN "
            f"({qlist(rule.target_class)}) AND NOT t.lit), t -> t.s)"
        )
    if rule.target_objects_of:
        found.append(
            f"transform(filter(_t, t -> t.p IN ({qlist(rule.target_objects_of)}) "
            f"AND NOT t.lit), t -> t.o)"
        )
    return f"array_distinct(concat({', '.join(found)}))"


def value_ok(kind: str, arg: Any) -> str:
    """Does the value triple ``t`` satisfy constraint ``kind`` (the same test as ``shacl.value_ok`` on the frame)?"""
    if kind == "datatype":
        dt = f"CASE WHEN t.dt = '' THEN {q(XSD + 'string')} ELSE t.dt END"
        ok = f"(t.lit AND {dt} = {q(str(arg))})"
        if arg == XSD + "decimal":
            ok = f"({ok} AND t.o RLIKE {q(shacl.DECIMAL_RE)})"
        return ok
    if kind == "in":
        return f"({term_key('t')} IN ({qlist(list(arg))}))"
    if kind == "pattern":
        re.compile(str(arg))  # fail on a pattern Python cannot read, as pySHACL would
        return f"(t.o RLIKE {q(str(arg))})"
    op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[
        kind
    ]
    numeric = f"t.lit AND t.dt IN ({qlist(sorted(shacl.NUMERIC))}) AND t.o RLIKE {q(NUMERIC_RE)}"
    return f"({numeric} AND coalesce(try_cast(t.o AS DOUBLE) {op} {float(arg)!r}D, FALSE))"


def _hit(prop: shacl.PropertyRule, kind: str, value: str) -> str:
    return (
        f"named_struct('path', {q(prop.path)}, 'component', {q(shacl.COMPONENT[kind])}, "
        f"'value', {value}, 'message', {q(prop.message)})"
    )


def failures(column: str, prop: shacl.PropertyRule, kind: str, on_path: str = "_t") -> str:
    """Violations of one constraint of ``prop`` for the focus nodes in ``column``; ``on_path``:
    the row's triples, or a column of those whose predicate is ``prop.path`` (the same values,
    in the same order, from a scan of a few triples instead of all of them)."""
    values = f"filter({on_path}, t -> t.s = f AND t.p = {q(prop.path)})"
    if kind in shacl.COUNTS:
        bound = int(prop.constraints[kind])  # type: ignore[call-overload]
        cmp = "<" if kind == "minCount" else ">"
        return (
            f"transform(filter({column}, f -> size({values}) {cmp} {bound}), "
            f"f -> {_hit(prop, kind, 'CAST(NULL AS STRING)')})"
        )
    wrong = f"filter({values}, t -> NOT {value_ok(kind, prop.constraints[kind])})"
    return (
        f"flatten(transform({column}, f -> transform({wrong}, t -> "
        f"{_hit(prop, kind, term_key('t'))})))"
    )


def with_violations(df: Any, rules: tuple[shacl.NodeRule, ...] | None = None) -> Any:
    """``df`` with ``_violations``: every violation of the case shapes among the row's triples
    (``struct<path, component, value, message>``). The triples and each rule's focus nodes are
    columns first, so no expression is copied into another."""
    from pyspark.sql import functions as F

    rules = rules if rules is not None else shacl.compiled()
    out, focus_cols, paths = [], [], dict[str, str]()
    for i, rule in enumerate(rules):
        if not (rule.target_class or rule.target_objects_of):
            continue
        focus_cols.append(F.expr(focus(rule)).alias(f"_focus{i}"))
        for prop in rule.properties:
            # measured: scanning every triple of the row per constraint and focus node was
            # most of a Spark run (3 executor-ms per case); the triples of each path once
            on_path = paths.setdefault(prop.path, f"_path{len(paths)}")
            out += [
                failures(f"_focus{i}", prop, k, on_path)
                for k in (*shacl.COUNTS, *shacl.VALUE_KINDS)
                if k in prop.constraints
            ]
    kept = df.columns
    # a value is counted once (a graph is a set): repeats are removed per path, among a few
    # triples, rather than among all of the row's; the focus nodes are distinct IRIs
    by_path = [
        F.expr(f"array_distinct(filter(_t, t -> t.p = {q(path)}))").alias(name)
        for path, name in paths.items()
    ]
    df = df.select("*", F.expr(triples(distinct=False)).alias("_t"))
    df = df.select(*kept, *by_path, *focus_cols)
    return df.select(
        *kept, F.expr(f"array_distinct(concat({', '.join(out)}))").alias("_violations")
    )


def problems(df: Any) -> Any:
    """``pipeline.problems`` on Spark: per case and field, import errors then SHACL violations
    (columns case_id, source, field, message, _row). One array per row, exploded once: a union
    of the two and a distinct over it made one generated method beyond the JVM's 64 KB limit
    (Spark then falls back to its interpreter) and cost a shuffle; ``_row`` is unique, so the
    per-row ``array_distinct`` is the same distinct."""
    from pyspark.sql import functions as F

    keys = ["case_id", "source", "_row"]
    field_errors = (
        "transform(coalesce(errors, array()), e -> named_struct('field', "
        "substring_index(e, ': ', 1), 'message', CASE WHEN instr(e, ': ') > 0 THEN "
        "substring(e, instr(e, ': ') + 2) END))"
    )
    shown = r"""CASE WHEN startswith(v.value, '"') THEN regexp_extract(v.value, '^"(.*)"\\^\\^', 1)
             ELSE regexp_replace(v.value, '^[<>]+|[<>]+$', '') END"""
    found = (
        "transform(_violations, v -> named_struct('field', substring_index(v.message, "
        "': ', 1), 'message', concat(substring(v.message, instr(v.message, ': ') + 2), "
        f"CASE WHEN v.value IS NOT NULL THEN concat(' (got ', {shown}, ')') ELSE '' END)))"
    )
    every = F.expr(f"array_distinct(concat({field_errors}, {found}))")
    return (
        with_violations(df)
        .select(*keys, F.explode(every).alias("p"))
        .select(*keys, "p.field", "p.message")
    )
