"""The polars schema of the wide case rows, and rows -> frame.

Why its own module: every reader ends in the same frame, and both the pipeline and the RDF
reader need it without importing each other.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from calcinosis_kg.cases import model as m

_DTYPES: dict[str, Any] = {"str": pl.String, "float": pl.Float64, "bool": pl.Boolean,
                           "list": pl.List(pl.String)}
SCHEMA = {name: _DTYPES[kind] for name, kind in m.COLUMNS.items()}


def to_frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")
