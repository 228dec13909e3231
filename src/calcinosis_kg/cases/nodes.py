"""The engine-neutral expression tree of the case engine, and its two backends.

Why one tree: the criteria (``compile``) and the decisions after them (``decisions``: precedence,
status, flags, reasons, the differential's texts, near misses) are declared once as ``Node``
values; ``to_polars`` turns a node into a polars expression (the engine on one machine) and
``to_sql`` into a Spark SQL string (the engine on a cluster). Neither backend holds a rule: each
op has one meaning, and tests/test_cases_nodes.py runs every op on both engines over the same
frame. Lists are lists of strings; ``when`` is a chain of (condition, value) pairs with an
optional last ``otherwise`` (null without it), as in SQL's CASE.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Node:
    """One engine-neutral expression over a row (boolean, number, text or list of texts)."""

    op: str
    column: str = ""
    values: tuple[str, ...] = ()
    cmp: str = ""
    number: float = 0.0
    items: tuple[Node, ...] = ()
    text: str = ""
    pairs: tuple[tuple[str, str], ...] = ()


#: every op both backends know (tests/test_cases_nodes.py runs each one on both engines)
OPS = (
    *("true", "false", "and", "or", "has_any", "flag", "is_in", "not_null", "compare"),
    *("col", "element", "str", "strs", "int", "when", "not", "is_null", "cmp", "sum", "sub"),
    *("to_text", "coalesce", "concat", "concat_ws", "has_text", "after_last", "lookup"),
    *("size", "contains", "except", "intersect", "sort", "distinct", "compact", "head"),
    *("join", "array", "concat_lists", "each"),
)
TRUE, FALSE = Node("true"), Node("false")
ELEMENT = Node("element")  # the current item inside ``each``


# ------------------------------------------------------------------------------ builders


def col(name: str) -> Node:
    """A column of the row."""
    return Node("col", column=name)


def text(value: str) -> Node:
    """A string literal."""
    return Node("str", text=value)


def strs(values: tuple[str, ...] | list[str] = ()) -> Node:
    """A literal list of strings (possibly empty)."""
    return Node("strs", values=tuple(values))


def num(value: int) -> Node:
    """An integer literal."""
    return Node("int", number=float(value))


def when(*parts: Node) -> Node:
    """CASE WHEN c1 THEN v1 [WHEN c2 THEN v2 …] [ELSE otherwise] END."""
    return Node("when", items=parts)


def op(name: str, *items: Node, **kw: Any) -> Node:
    """Any other node: ``op("size", col("types"))``, ``op("join", x, text=", ")``."""
    return Node(name, items=items, **kw)


def cmp(left: Node, sign: str, right: Node) -> Node:
    """``left sign right`` on numbers (``=``, ``>``, ``>=``, ``<``, ``<=``)."""
    return Node("cmp", cmp=sign, items=(left, right))


def concat(*items: Node | str) -> Node:
    """Texts joined end to end (null when any is null); a ``str`` is a literal."""
    return Node("concat", items=tuple(text(i) if isinstance(i, str) else i for i in items))


def lookup(key: Node, mapping: dict[str, str], default: Node) -> Node:
    """``mapping[key]``, else ``default``."""
    return Node("lookup", items=(key, default), pairs=tuple(sorted(mapping.items())))


def each(items: Node, template: Node) -> Node:
    """``template`` applied to every item of a list (``ELEMENT`` is the item)."""
    return Node("each", items=(items, template))


# ------------------------------------------------------------------------------ polars


def to_polars(node: Node) -> Any:
    """The expression as a polars expression over the frame."""
    import polars as pl

    if not _OPS_PL:
        _LEAVES_PL.update(_pl_leaves(), each=_pl_each)
        _OPS_PL.update(_pl_ops())
    kids = node.items
    if node.op in _LEAVES_PL:
        return _LEAVES_PL[node.op](node)
    if node.op == "when":
        chain: Any = pl
        for c, v in zip(kids[0::2], kids[1::2], strict=False):
            chain = chain.when(to_polars(c)).then(to_polars(v))
        return chain.otherwise(to_polars(kids[-1])) if len(kids) % 2 else chain
    xs = [to_polars(k) for k in kids]
    return _OPS_PL[node.op](node, *xs)


def _pl_leaves() -> dict[str, Any]:
    import polars as pl

    strings = pl.List(pl.String)

    def compare(n: Node) -> Any:
        c = pl.col(n.column)
        return {">": c > n.number, ">=": c >= n.number, "<": c < n.number, "<=": c <= n.number}[
            n.cmp
        ].fill_null(False)

    return {
        "true": lambda n: pl.lit(True),
        "false": lambda n: pl.lit(False),
        "col": lambda n: pl.col(n.column),
        "element": lambda n: pl.element(),
        "str": lambda n: pl.lit(n.text, dtype=pl.String),
        "strs": lambda n: pl.lit(list(n.values), dtype=strings),
        "int": lambda n: pl.lit(int(n.number), dtype=pl.Int64),
        "has_any": lambda n: (
            pl.col(n.column)
            .list.eval(pl.element().is_in(list(n.values)))
            .list.any()
            .fill_null(False)
        ),
        "flag": lambda n: pl.col(n.column).fill_null(False),
        "is_in": lambda n: pl.col(n.column).is_in(list(n.values)).fill_null(False),
        "not_null": lambda n: pl.col(n.column).is_not_null(),
        "compare": compare,
    }


def _pl_ops() -> dict[str, Any]:
    import polars as pl

    def sign(n: Node, a: Any, b: Any) -> Any:
        return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b}[n.cmp]

    return {
        "and": lambda n, *xs: pl.all_horizontal(xs),
        "or": lambda n, *xs: pl.any_horizontal(xs),
        "not": lambda n, a: ~a,
        "is_null": lambda n, a: a.is_null(),
        "cmp": sign,
        "sum": lambda n, *xs: functools.reduce(operator.add, xs),  # null when any is null
        "sub": lambda n, a, b: a - b,
        "to_text": lambda n, a: a.cast(pl.String),
        "coalesce": lambda n, *xs: pl.coalesce(xs),
        "concat": lambda n, *xs: pl.concat_str(xs),
        "concat_ws": lambda n, *xs: pl.concat_str(xs, separator=n.text, ignore_nulls=True),
        "has_text": lambda n, a: a.str.contains(n.text, literal=True),
        "after_last": lambda n, a: a.str.split(n.text).list.last(),
        "lookup": lambda n, k, d: k.replace_strict(
            dict(n.pairs), default=d, return_dtype=pl.String
        ),
        "size": lambda n, a: a.list.len(),
        "contains": lambda n, a, b: a.list.contains(b),
        "except": lambda n, a, b: a.list.set_difference(b),
        "intersect": lambda n, a, b: a.list.set_intersection(b),
        "sort": lambda n, a: a.list.sort(),
        "distinct": lambda n, a: a.list.unique(maintain_order=True),
        "compact": lambda n, a: a.list.drop_nulls(),
        "head": lambda n, a: a.list.head(int(n.number)),
        "join": lambda n, a: a.list.join(n.text),
        "array": lambda n, *xs: pl.concat_list(xs),
        "concat_lists": lambda n, *xs: pl.concat_list(xs),
    }


def _pl_each(node: Node) -> Any:
    items, template = node.items
    return to_polars(items).list.eval(to_polars(template))


_LEAVES_PL: dict[str, Any] = {}  # op -> builder, filled on first use (polars imported late)
_OPS_PL: dict[str, Any] = {}


# ------------------------------------------------------------------------------ SQL

EMPTY = "CAST(array() AS array<string>)"


def q(value: str) -> str:
    """A Spark SQL string literal (backslash escapes, the parser's default)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def to_sql(node: Node, element: str = "x") -> str:
    """The same expression as Spark SQL (lambdas of nested ``each`` get fresh names)."""
    n, k = node, node.items

    def s(i: int, inner: str = element) -> str:
        return to_sql(k[i], inner)

    def all_(sep: str) -> str:
        return sep.join(to_sql(i, element) for i in k)

    match n.op:
        case "true" | "false":
            return n.op.upper()
        case "and" | "or":
            return "(" + all_(f" {n.op.upper()} ") + ")"
        case "has_any":
            return f"coalesce(arrays_overlap({n.column}, array({_sql_list(n.values)})), FALSE)"
        case "flag":
            return f"coalesce({n.column}, FALSE)"
        case "is_in":
            return f"coalesce({n.column} IN ({_sql_list(n.values)}), FALSE)"
        case "not_null":
            return f"({n.column} IS NOT NULL)"
        case "compare":
            return f"coalesce({n.column} {n.cmp} {n.number!r}, FALSE)"
        case "col":
            return f"`{n.column}`"
        case "element":
            return element
        case "str":
            return q(n.text)
        case "strs":
            return f"array({', '.join(q(v) for v in n.values)})" if n.values else EMPTY
        case "int":
            return str(int(n.number))
        case "when":
            pairs = " ".join(f"WHEN {s(i)} THEN {s(i + 1)}" for i in range(0, len(k) - 1, 2))
            other = f" ELSE {s(len(k) - 1)}" if len(k) % 2 else ""
            return f"CASE {pairs}{other} END"
        case "not":
            return f"(NOT {s(0)})"
        case "is_null":
            return f"({s(0)} IS NULL)"
        case "cmp":
            return f"({s(0)} {n.cmp} {s(1)})"
        case "sum":
            return "(" + all_(" + ") + ")"
        case "sub":
            return f"({s(0)} - {s(1)})"
        case "to_text":
            return f"CAST({s(0)} AS STRING)"
        case "coalesce":
            return f"coalesce({all_(', ')})"
        case "concat":
            return f"concat({all_(', ')})"
        case "concat_ws":
            return f"concat_ws({q(n.text)}, {all_(', ')})"
        case "has_text":
            return f"(instr({s(0)}, {q(n.text)}) > 0)"
        case "after_last":
            return f"element_at(split({s(0)}, {q(n.text)}), -1)"
        case "lookup":
            pairs = ", ".join(f"{q(a)}, {q(b)}" for a, b in n.pairs)
            table = f"map({pairs})" if pairs else "CAST(map() AS map<string,string>)"
            return f"coalesce(try_element_at({table}, {s(0)}), {s(1)})"
        case "size":
            return f"size({s(0)})"
        case "contains":
            return f"array_contains({s(0)}, {s(1)})"
        case "except":
            return f"array_except({s(0)}, {s(1)})"
        case "intersect":
            return f"array_intersect({s(0)}, {s(1)})"
        case "sort":
            return f"array_sort({s(0)})"
        case "distinct":
            return f"array_distinct({s(0)})"
        case "compact":
            return f"filter({s(0)}, {element}_ -> {element}_ IS NOT NULL)"
        case "head":
            return f"slice({s(0)}, 1, {int(n.number)})"
        case "join":
            return f"array_join({s(0)}, {q(n.text)})"
        case "array":
            return f"array({all_(', ')})"
        case "concat_lists":
            return f"concat({all_(', ')})"
        case "each":
            inner = element + "_"
            return f"transform({s(0)}, {inner} -> {s(1, inner)})"
    raise ValueError(f"unknown node {n.op!r}")


def reads(node: Node) -> set[str]:
    """The columns a node reads."""
    own = {node.column} if node.column else set()
    return own.union(*(reads(i) for i in node.items))


def polars_steps(
    frame: Any, steps: list[list[tuple[str, Node]]], ids: dict[str, tuple[str, ...]] | None = None
) -> Any:
    """``frame`` with each step's columns computed (a step's columns read the frame before it).

    ``ids`` (updated in place): per column, the columns whose values determine it. A node whose
    every column has one is computed once per distinct combination of those identities, on one
    row of each, and gathered back to the rows (a cohort has a few dozen: criteria met, status,
    flags), and its column gets them as its own; any other node is computed per row. The rows
    of each combination are found once per call (``_groups``), whatever the number of steps."""

    ids = {} if ids is None else ids
    groups: dict[tuple[str, ...], tuple[Any, Any]] = {}
    for step in steps:
        per_row: list[tuple[str, Node]] = []
        grouped: dict[tuple[str, ...], list[tuple[str, Node]]] = {}
        for name, node in step:
            used = reads(node)
            if used and all(c in ids for c in used):
                key = tuple(sorted(set().union(*(ids[c] for c in used))))
                grouped.setdefault(key, []).append((name, node))
            else:
                per_row.append((name, node))
        outputs = {name for name, _ in step}
        if any(outputs & set(key) for key in grouped):
            raise ValueError(f"a step writes a column that identifies others: {sorted(outputs)}")
        done = frame.with_columns([to_polars(n).alias(c) for c, n in per_row])
        gathered = []
        for key, items in grouped.items():
            if key not in groups:
                groups[key] = _groups(frame.select(key))
            first, index = groups[key]
            needed = sorted(set().union(*(reads(n) for _, n in items)))
            table = frame.select(needed)[first].select(to_polars(n).alias(c) for c, n in items)
            gathered += [table[c].gather(index) for c, _ in items]
        frame = done.with_columns(gathered) if gathered else done
        for name, _ in per_row:
            ids.pop(name, None)
        for key, items in grouped.items():
            ids.update({name: key for name, _ in items})
    return frame


def _groups(keys: Any) -> tuple[Any, Any]:
    """(the first row of each distinct combination of ``keys``' columns, nulls equal; per row,
    the number of its combination): one hash pass, the numbers scattered back to the rows."""
    import polars as pl

    groups = keys.with_row_index("_r").group_by(keys.columns).agg("_r")
    first = groups["_r"].list.first()
    rows = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), "_r").explode("_r")
    index = pl.zeros(keys.height, pl.UInt32, eager=True).scatter(rows["_r"], rows["_i"])
    return first, index


def spark_steps(df: Any, steps: list[list[tuple[str, Node]]]) -> Any:
    """The same steps on a Spark DataFrame."""
    from pyspark.sql import functions as F

    for step in steps:
        df = df.withColumns({c: F.expr(to_sql(n)) for c, n in step})
    return df
