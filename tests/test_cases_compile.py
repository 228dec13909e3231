"""The criteria compiler's SQL backend, judged by running it: the Spark SQL that ``to_sql`` writes
is parsed as Spark by sqlglot, run by DuckDB (SQL's three-valued logic: a NULL that escapes a
``coalesce`` stays NULL) and must answer, row by row, exactly as the polars backend does."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.classify import build_classifier
from calcinosis_kg.cases.compile import Node, to_polars, to_sql

duckdb = pytest.importorskip("duckdb")
sqlglot = pytest.importorskip("sqlglot")

DATA = Path(__file__).parent / "cases_data"


def _sql(frame: pl.DataFrame, nodes: list[Node], tmp_path: Path) -> list[list[bool | None]]:
    """Each node's answer per row (None: the SQL gave NULL), read by DuckDB from Parquet."""
    path = tmp_path / "cases.parquet"
    frame.with_row_index("row_").write_parquet(path)
    con = duckdb.connect()
    # Spark's arrays_overlap is DuckDB's && (NULL when an array is NULL, as in Spark)
    con.execute("CREATE MACRO arrays_overlap(a, b) AS a && b")
    columns = ", ".join(
        f"{sqlglot.transpile(to_sql(n), read='spark', write='duckdb')[0]} AS c{i}"
        for i, n in enumerate(nodes)
    )
    rows = con.execute(
        f"SELECT {columns} FROM read_parquet(?) ORDER BY row_", [str(path)]
    ).fetchall()
    return [list(col) for col in zip(*rows, strict=True)]


def _polars(frame: pl.DataFrame, nodes: list[Node]) -> list[list[bool | None]]:
    answers = frame.select([to_polars(n).alias(f"c{i}") for i, n in enumerate(nodes)])
    return [answers[f"c{i}"].to_list() for i in range(len(nodes))]


LEAVES = pl.DataFrame(
    {
        "a": [True, True, False, False, None],
        "b": [True, False, True, False, None],
        "items": [["x"], ["y"], [], ["x", "z"], None],
        "value": [2.7, 2.6, 1.0, None, None],
        "status": ["raised", "normal", None, "raised", None],
    },
    schema={
        "a": pl.Boolean,
        "b": pl.Boolean,
        "items": pl.List(pl.String),
        "value": pl.Float64,
        "status": pl.String,
    },
)
A, B = Node("flag", column="a"), Node("flag", column="b")


def test_sql_and_is_true_only_when_every_part_is(tmp_path) -> None:
    assert _sql(LEAVES, [Node("and", items=(A, B))], tmp_path) == [
        [True, False, False, False, False]
    ]


def test_sql_or_is_true_when_any_part_is(tmp_path) -> None:
    assert _sql(LEAVES, [Node("or", items=(A, B))], tmp_path) == [[True, True, True, False, False]]


def test_sql_missing_flag_is_false_not_true(tmp_path) -> None:
    assert _sql(LEAVES, [A], tmp_path) == [[True, True, False, False, False]]


def test_sql_missing_list_is_false_not_null(tmp_path) -> None:
    node = Node("has_any", column="items", values=("x", "it's"))
    assert _sql(LEAVES, [node], tmp_path) == [[True, False, False, True, False]]


def test_sql_missing_value_compares_false_not_null(tmp_path) -> None:
    node = Node("compare", column="value", cmp=">", number=2.6)
    assert _sql(LEAVES, [node], tmp_path) == [[True, False, False, False, False]]


def test_sql_missing_status_is_in_no_set(tmp_path) -> None:
    node = Node("is_in", column="status", values=("raised",))
    assert _sql(LEAVES, [node], tmp_path) == [[True, False, False, True, False]]


def test_sql_not_null_tells_a_recorded_value(tmp_path) -> None:
    node = Node("not_null", column="value")
    assert _sql(LEAVES, [node], tmp_path) == [[True, True, True, False, False]]


def test_sql_and_polars_agree_on_every_leaf_and_connective(tmp_path) -> None:
    nodes = [
        A,
        B,
        Node("and", items=(A, B)),
        Node("or", items=(A, B)),
        Node("has_any", column="items", values=("x",)),
        Node("is_in", column="status", values=("raised", "normal")),
        Node("compare", column="value", cmp="<=", number=2.6),
        Node("true"),
        Node("false"),
    ]
    assert _sql(LEAVES, nodes, tmp_path) == _polars(LEAVES, nodes)


def test_every_compiled_criterion_answers_the_same_in_sql_and_polars(tmp_path) -> None:
    """The vignettes plus rows where lists, flags, values and statuses are missing (NULL)."""
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    gaps = pl.DataFrame(
        [
            {"case_id": "all-missing"},
            {"case_id": "calcium-only", "calcium_mmol_l": 2.7},
            {
                "case_id": "normal-no-lists",
                "no_conditions": True,
                "calcium_status": "normal",
                "phosphate_status": "normal",
            },
            {"case_id": "raised-no-lists", "calcium_status": "raised", "no_exposures": True},
        ],
        schema=frame.schema,
    )
    frame = pl.concat([frame, gaps])
    nodes = [c.node for c in build_classifier().criteria]
    sql, fast = _sql(frame, nodes, tmp_path), _polars(frame, nodes)
    assert sql == fast
    assert all(any(col) for col in fast)  # every criterion matches some row: not all-False
