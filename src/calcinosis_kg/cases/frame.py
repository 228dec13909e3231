"""The polars schema of the wide case rows, and rows -> frame.

Why its own module: every reader ends in the same frame, and both the pipeline and the RDF
reader need it without importing each other.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from calcinosis_kg.cases import model as m

_DTYPES: dict[str, Any] = {
    "str": pl.String,
    "float": pl.Float64,
    "bool": pl.Boolean,
    "list": pl.List(pl.String),
}
SCHEMA = {name: _DTYPES[kind] for name, kind in m.COLUMNS.items()}


SEP = "\x1f"  # unit separator: never inside an identifier or a message


def to_frame(rows: list[dict]) -> pl.DataFrame:
    """Column by column; a list column travels as one joined string and is split by polars
    (polars builds one Series per list cell otherwise, 3x slower at 100k rows)."""
    columns = {}
    for name, dtype in SCHEMA.items():
        if m.COLUMNS[name] == "list":
            joined = pl.Series(
                name, [SEP.join(row[name]) if row[name] else None for row in rows], dtype=pl.String
            )
            columns[name] = joined.str.split(SEP).fill_null(pl.lit([], dtype=dtype))
        else:
            columns[name] = pl.Series(name, [row[name] for row in rows], dtype=dtype)
    return pl.DataFrame(columns)


def distinct(keyed: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The distinct rows of ``keyed`` (nulls equal) and, per row, the index of its own: one
    hash pass (a group-by keeping the rows of each key), the index scattered back. One text
    column (most rules read one cell) is numbered by an enum of its distinct values instead:
    a cast, cheaper than a group-by."""
    if keyed.width == 1 and keyed.dtypes[0] == pl.String:
        column = keyed.to_series()
        values = column.unique().drop_nulls()
        codes = column.cast(pl.Enum(values)).to_physical().fill_null(values.len())
        if column.null_count():
            values = values.extend(pl.Series([None], dtype=pl.String))
        return values.to_frame(keyed.columns[0]), codes.cast(pl.UInt32)
    groups = keyed.with_row_index("_r").group_by(keyed.columns).agg("_r")
    rows = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), "_r").explode("_r")
    index = pl.zeros(keyed.height, pl.UInt32, eager=True).scatter(rows["_r"], rows["_i"])
    return groups.drop("_r"), index
