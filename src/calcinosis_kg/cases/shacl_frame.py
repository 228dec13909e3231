"""SHACL on the wide case columns: each case shape compiled into polars expressions.

Why: the triple-table validator (``shacl.validate_table``) needs every triple of every case
(2.5M rows per 100k cases) and joins over them; yet each constraint of the case shapes is about
one node of one row: how many values a predicate has there (a sum of the arcs' conditions) and
whether each value passes a test (the arc's object expression). ``arcs`` says which triples a
row makes; this module finds, for every node shape and every kind of node, when the node is a
focus (its type or the predicate pointing at it) and turns each constraint into a boolean
column. Only the violating rows are then turned into violations, with the same focus, path,
component, value and message as ``shacl.validate_table`` (tests/test_cases_shacl_frame.py
compares both, and pySHACL, violation by violation). Shapes still come only from
``shapes/case-model.ttl`` through ``shacl.compiled``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, reduce

import polars as pl

from calcinosis_kg.cases import arcs as a
from calcinosis_kg.cases import shacl
from calcinosis_kg.cases.frame import distinct
from calcinosis_kg.core.vocab import RDF_TYPE

SCHEMA = {"_row": pl.UInt32, **shacl.VIOLATION_SCHEMA}


@dataclass(frozen=True)
class Check:
    """One constraint on one kind of node: when it fails, and what the violation says."""

    level: str
    bad: pl.Expr
    focus: pl.Expr
    path: str
    component: str
    value: pl.Expr
    message: str


@dataclass(frozen=True)
class Deep:
    """A row-level count over a list level: the number of items a predicate has per row."""

    level: str
    name: str
    when: pl.Expr


class Columns:
    """Expressions each level computes once, as columns, before its checks read them: an
    arc's object and condition, a rule's focus, a value's number (shared by several checks)."""

    def __init__(self) -> None:
        self.exprs: dict[str, dict[str, pl.Expr]] = {}

    def __call__(self, level: str, key: str, expr: pl.Expr) -> pl.Expr:
        """``expr`` as column ``key`` of ``level`` (the first expression given for a key)."""
        self.exprs.setdefault(level, {}).setdefault(key, expr.alias(key))
        return pl.col(key)


def _focus(
    rule: shacl.NodeRule, kind: a.Kind, every: tuple[a.Arc, ...], col: Columns
) -> pl.Expr | None:
    """When a node of ``kind`` is a focus node of ``rule`` (None: never)."""
    found = []
    for j, arc in enumerate(every):
        if arc.lit or arc.level != kind.level:
            continue
        when = col(arc.level, f"_w{j}", arc.when.fill_null(False))
        if arc.node == kind.name and arc.p == RDF_TYPE and rule.target_class:
            if arc.consts is not None and not set(arc.consts) & set(rule.target_class):
                continue
            if arc.consts is None or not set(arc.consts) <= set(rule.target_class):
                o = col(arc.level, f"_o{j}", arc.o)
                when = when & o.is_in(rule.target_class).fill_null(False)
            found.append(when)
        if arc.p in rule.target_objects_of:
            if arc.obj is None:
                raise ValueError(f"{rule.shape}: targets objects of {arc.p} outside the case")
            if arc.obj == kind.name:
                found.append(when)
    return reduce(lambda x, y: x | y, found) if found else None


@cache
def plan() -> tuple[tuple[Check, ...], tuple[Deep, ...], Columns]:
    """The bundled case shapes as checks over the frame's levels (built once per process)."""
    every, kinds = a.arcs(), a.kinds()
    checks: list[Check] = []
    deep: list[Deep] = []
    col = Columns()
    known = a.IRI.is_not_null()
    for r, rule in enumerate(shacl.compiled()):
        for kind in kinds.values():
            found = _focus(rule, kind, every, col)
            if found is None:
                continue
            focus = col(kind.level, f"_f{r}_{kind.name}", found)
            for prop in rule.properties:
                own = [
                    (j, x) for j, x in enumerate(every) if x.node == kind.name and x.p == prop.path
                ]
                count: pl.Expr = pl.lit(0, dtype=pl.UInt32)
                for j, x in own:
                    if x.level == kind.level:
                        when = col(x.level, f"_w{j}", x.when.fill_null(False))
                        count = count + when.cast(pl.UInt32)
                    else:  # a row's count of list items: summed per row, joined back
                        name = f"_deep{len(deep)}"
                        deep.append(Deep(x.level, name, x.when.fill_null(False)))
                        count = count + pl.col(name)
                # a row without an id (a Parquet frame may have one) has nodes without IRIs,
                # which no triple-table join pairs with their values: it counts none
                count = pl.when(known).then(count).otherwise(0)
                for k in shacl.COUNTS:
                    if k not in prop.constraints:
                        continue
                    bound = int(prop.constraints[k])  # type: ignore[call-overload]
                    fails = count < bound if k == "minCount" else count > bound
                    checks.append(
                        Check(
                            kind.level,
                            focus & fails,
                            kind.iri,
                            prop.path,
                            shacl.COMPONENT[k],
                            pl.lit(None, dtype=pl.String),
                            prop.message,
                        )
                    )
                for k in shacl.VALUE_KINDS:
                    if k not in prop.constraints:
                        continue
                    for j, x in own:
                        if x.level != kind.level:
                            raise ValueError(f"{rule.shape}: a value test on list items")
                        lit, dt = pl.lit(x.lit), pl.lit(x.dt)
                        o = col(x.level, f"_o{j}", x.o)
                        number = col(x.level, f"_n{j}", shacl.number(o, lit, dt))
                        ok = shacl.value_ok(k, prop.constraints[k], o, lit, dt, number)
                        when = col(x.level, f"_w{j}", x.when.fill_null(False))
                        checks.append(
                            Check(
                                kind.level,
                                focus & known & when & (~ok).fill_null(False),
                                kind.iri,
                                prop.path,
                                shacl.COMPONENT[k],
                                shacl.term_key(x.o, lit, dt),
                                prop.message,
                            )
                        )
    return tuple(checks), tuple(deep), col


def violations(frame: pl.DataFrame) -> pl.DataFrame:
    """Every violation of the case shapes by the rows of ``frame``: ``_row`` (the row's
    position), focus, path, component, value (term key) and message."""
    checks, deep, col = plan()
    rows = a.with_row(frame)
    levels = {c.level for c in checks} | {d.level for d in deep}
    frames = {name: rows if not name else a.level(rows, name) for name in levels}
    if deep:  # per row, scattered to its position (``_row``): no join of the wide frame
        counts = []
        for d in deep:
            per_row = frames[d.level].group_by("_row").agg(d.when.cast(pl.UInt32).sum().alias("_k"))
            zeros = pl.zeros(rows.height, per_row["_k"].dtype, eager=True).alias(d.name)
            counts.append(zeros.scatter(per_row["_row"], per_row["_k"]))
        frames[""] = rows.hstack(counts)
    out = []
    for name, source in frames.items():
        mine = [c for c in checks if c.level == name]
        if not mine or not source.height:
            continue
        source = _prepared(source, col.exprs.get(name, {}))
        flags = source.select(c.bad.alias(f"_b{i}") for i, c in enumerate(mine))
        hits = flags.select(pl.all().any()).row(0)
        for i, c in enumerate(mine):
            if not hits[i]:
                continue
            out.append(
                source.filter(flags[f"_b{i}"]).select(
                    "_row",
                    c.focus.alias("focus"),
                    pl.lit(c.path).alias("path"),
                    pl.lit(c.component).alias("component"),
                    c.value.alias("value"),
                    pl.lit(c.message).alias("message"),
                )
            )
    if not out:
        return pl.DataFrame(schema=SCHEMA)
    return (
        pl.concat(out).unique().sort("_row", "focus", "path", "component", "value", nulls_last=True)
    )


#: columns with a value per row (or per list item), never worth a table of distinct values
_PER_ROW = frozenset({"_row", "iri", "_n", "case_id"})


def _prepared(source: pl.DataFrame, prep: dict[str, pl.Expr]) -> pl.DataFrame:
    """``source`` with the level's shared columns. An object that is a function of one column
    of few distinct values (a CURIE expanded to an IRI, a number as decimal text), and what
    reads only it (its number), is computed once per distinct value and gathered back to the
    rows (``frame.distinct``); then the other objects and conditions, then what reads them
    (foci, numbers)."""
    per_value: dict[str, dict[str, pl.Expr]] = {}
    owner: dict[str, str] = {}
    for key, expr in prep.items():
        roots = set(expr.meta.root_names())
        if key[:2] == "_o" and len(roots) == 1 and not expr.meta.undo_aliases().meta.is_column():
            (column,) = roots
            if column in source.columns and column not in _PER_ROW:
                per_value.setdefault(column, {})[key] = expr
                owner[key] = column
                continue
        owners = {owner.get(r) for r in roots}
        if len(owners) == 1 and None not in owners:  # reads only such an object
            owner[key] = str(owners.pop())
            per_value[owner[key]][key] = expr
    for column, exprs in per_value.items():
        table, index = distinct(source.select(column))
        for expr in exprs.values():  # in order: an object before its number
            table = table.with_columns(expr)
        source = source.hstack([table[key].gather(index) for key in exprs])
    rest = {k: e for k, e in prep.items() if k not in owner}
    source = source.with_columns(e for k, e in rest.items() if k[:2] in ("_w", "_o"))
    return source.with_columns(e for k, e in rest.items() if k[:2] not in ("_w", "_o"))
