"""Cohort questions: bundled queries answer the vignettes as recorded in queries/cases/expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.cases.cohort import cohort_store, format_table, list_queries, query_files, run
from calcinosis_kg.core.resources import queries_dir

DATA = Path(__file__).parent / "cases_data"


@pytest.fixture(scope="module")
def store():
    return cohort_store([DATA / "vignettes.csv"])


@pytest.mark.parametrize("name", sorted(query_files()))
def test_cohort_query_gives_its_expected_answer(store, name: str) -> None:
    expected = (queries_dir() / "cases" / "expected" / f"{name}.csv").read_bytes()
    assert format_table(run(name, store), "csv") == expected


def test_every_cohort_query_has_a_title_and_an_expected_answer() -> None:
    for name, title in list_queries():
        assert title
        assert (queries_dir() / "cases" / "expected" / f"{name}.csv").is_file()


def test_count_by_type_counts_an_ambiguous_case_under_each_of_its_types(store) -> None:
    counts = dict(run("by-type", store).select("type", "cases").iter_rows())
    # 14 dystrophic vignettes + amb-ssc-coal; 13 metastatic + amb-gluconate-hypercalcaemia
    # (the hyperphosphataemic calciphylaxis case is calciphylaxis since issue 16, not ambiguous)
    assert counts["CCKG:0000002"] == "15" and counts["CCKG:0000003"] == "14"


def test_invalid_cases_are_not_in_the_cohort(tmp_path: Path) -> None:
    store = cohort_store([DATA / "bad_rows.csv"])
    counts = dict(run("by-type", store).select("type", "cases").iter_rows())
    assert counts == {"CCKG:0000007": "1"}  # only ok-2 (coal miner) is valid and typed


def test_an_unknown_query_name_is_an_input_error(run_cli) -> None:
    code, _out, err = run_cli("cases", "query", "nope", str(DATA / "vignettes.csv"))
    assert code == 2 and "unknown cohort query 'nope'" in err
