"""``frame.distinct``: the distinct rows of a key and each row's number, as the rules use them."""

from __future__ import annotations

import polars as pl
import pytest

from calcinosis_kg.cases.frame import distinct


@pytest.mark.parametrize(
    "keyed",
    [
        pl.DataFrame({"k": ["a", None, "", "a", "b", None]}),  # one text column: the enum path
        pl.DataFrame({"k": [None, None]}, schema={"k": pl.String}),
        pl.DataFrame({"k": []}, schema={"k": pl.String}),
        pl.DataFrame({"k": [1.5, None, 1.5, 2.0]}),  # not text: the group-by path
        pl.DataFrame({"k": ["a", "a", None, "a"], "n": [1, 2, None, 1]}),
    ],
)
def test_each_row_points_at_its_own_distinct_key_and_each_key_is_listed_once(keyed) -> None:
    table, index = distinct(keyed)
    assert table.columns == keyed.columns
    assert table.height == keyed.unique().height  # nulls equal, "" apart from null
    assert table.unique().height == table.height
    assert index.len() == keyed.height
    assert table[index].rows() == keyed.rows()
