"""Every op of the engine-neutral tree gives, row by row, the same answer on both engines: the
node is compiled with ``to_polars`` and with ``to_sql`` and run on the same small frame (nulls,
empty lists, repeated items), in polars and in Spark (local[1])."""

from __future__ import annotations

import os

import polars as pl
import pytest

from calcinosis_kg.cases import spark_engine
from calcinosis_kg.cases.nodes import (
    ELEMENT,
    OPS,
    Node,
    cmp,
    col,
    concat,
    each,
    lookup,
    num,
    op,
    strs,
    text,
    to_polars,
    to_sql,
    when,
)

FRAME = pl.DataFrame(
    {
        "a": [True, True, False, None, False],
        "b": [True, False, None, None, False],
        "items": [["y", "x", "x"], ["z"], [], None, ["x", "w"]],
        "other": [["x"], ["z", "q"], ["x"], ["x"], None],
        "s": ["p\x1fq\x1fr", "it's 'none' here", None, "", "plain"],
        "n": [3, 0, None, 7, 1],
        "value": [2.7, 2.6, None, 1.0, 2.65],
        "status": ["raised", "normal", None, "raised", "low"],
    },
    schema={
        "a": pl.Boolean,
        "b": pl.Boolean,
        "items": pl.List(pl.String),
        "other": pl.List(pl.String),
        "s": pl.String,
        "n": pl.Int64,
        "value": pl.Float64,
        "status": pl.String,
    },
)
SPARK_SCHEMA = (
    "row bigint, a boolean, b boolean, items array<string>, other array<string>, s string, "
    "n bigint, value double, status string"
)
A, B, ITEMS, OTHER, S, N = col("a"), col("b"), col("items"), col("other"), col("s"), col("n")
CASES: dict[str, Node] = {
    "true": Node("true"),
    "false": Node("false"),
    "and": op("and", A, B),
    "or": op("or", A, B),
    "has_any": Node("has_any", column="items", values=("x", "q")),
    "flag": Node("flag", column="b"),
    "is_in": Node("is_in", column="status", values=("raised", "low")),
    "not_null": Node("not_null", column="value"),
    "compare": Node("compare", column="value", cmp=">=", number=2.65),
    "str": text("it's \\ 'quoted'"),
    "strs": strs(["b", "a"]),
    "strs empty": strs(),
    "int": num(42),
    "when": when(A, text("a"), B, text("b"), text("neither")),
    "when without otherwise": when(A, text("a")),
    "not": op("not", B),
    "is_null": op("is_null", S),
    "cmp =": cmp(N, "=", num(0)),
    "cmp >": cmp(N, ">", num(1)),
    "cmp <=": cmp(N, "<=", num(3)),
    "sum": op("sum", N, num(2)),
    "sub": op("sub", N, num(5)),
    "to_text": op("to_text", N),
    "coalesce": op("coalesce", S, text("fallback")),
    "concat": concat("<", S, ">"),
    "concat_ws": op("concat_ws", S, when(A, text("a")), text("end"), text="; "),
    "has_text": op("has_text", S, text="'none'"),
    "after_last": op("after_last", S, text="\x1f"),
    "lookup": lookup(S, {"plain": "PLAIN", "": "EMPTY"}, text("?")),
    "size": op("size", ITEMS),
    "contains": op("contains", ITEMS, text("x")),
    "except": op("except", ITEMS, strs(["y"])),
    "intersect": op("intersect", ITEMS, OTHER),
    "sort": op("sort", ITEMS),
    "distinct": op("distinct", ITEMS),
    "compact": op("compact", op("array", when(A, text("a")), when(B, text("b")))),
    "head": op("head", ITEMS, number=2),
    "join": op("join", ITEMS, text=", "),
    "array": op("array", S, text("k")),
    "concat_lists": op("concat_lists", ITEMS, strs(["k"])),
    "each": each(ITEMS, concat(lookup(ELEMENT, {"x": "ex"}, ELEMENT), " (", ELEMENT, ")")),
    "each nested": each(op("array", S), op("join", each(ITEMS, ELEMENT), text="+")),
}


def _ops(node: Node) -> set[str]:
    return {node.op}.union(*(_ops(i) for i in node.items))


def test_every_op_of_both_backends_has_a_case() -> None:
    used = set().union(*(_ops(n) for n in CASES.values()))
    assert used == set(OPS)


@pytest.fixture(scope="module")
def spark_answers() -> dict[str, list]:
    """Each case's answer per row, from Spark."""
    os.environ.setdefault(spark_engine.DRIVER_MEMORY_ENV, "1g")
    spark = spark_engine.session("local[1]")
    rows = [(i, *r) for i, r in enumerate(FRAME.iter_rows())]
    df = spark.createDataFrame(rows, SPARK_SCHEMA)
    from pyspark.sql import functions as F

    names = list(CASES)
    got = (
        df.select("row", *[F.expr(to_sql(CASES[k])).alias(f"r{i}") for i, k in enumerate(names)])
        .orderBy("row")
        .collect()
    )
    return {k: [row[f"r{i}"] for row in got] for i, k in enumerate(names)}


@pytest.mark.parametrize("name", list(CASES))
def test_the_op_answers_the_same_on_polars_and_spark(name: str, spark_answers) -> None:
    polars_answer = FRAME.with_columns(to_polars(CASES[name]).alias("r"))["r"].to_list()
    spark_answer = [list(v) if isinstance(v, list) else v for v in spark_answers[name]]
    assert polars_answer == spark_answer
