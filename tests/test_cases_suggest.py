"""A differential instead of silence (issue 16, items 3 and 4): suggestions, reasons, registries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcinosis_kg.cases.suggest import LABEL

DATA = Path(__file__).parent / "cases_data"


@pytest.fixture(scope="module")
def rows(vignette_rows: dict[str, dict]) -> dict[str, dict]:
    return vignette_rows


def test_a_teenager_with_joint_lesions_gets_tumoral_calcinosis_suggested(rows) -> None:
    row = rows["unc-teen-joints"]
    assert row["status"] == "unclassified" and row["type_id"] == "" and row["types"] == []
    assert "CCKG:0000010" in row["suggestions"]
    assert row["suggested"].startswith(LABEL)
    assert "In tumoral calcinosis, the lesions are found around joints" in row["suggested"]


def test_a_child_with_a_facial_lesion_gets_subepidermal_calcified_nodule_suggested(rows) -> None:
    row = rows["unc-child-face"]
    assert "CCKG:0000009" in row["suggestions"] and row["status"] == "unclassified"
    assert "scalp or face of children" in row["suggested"]


def test_a_suggestion_is_never_counted_as_a_classification(run_cli) -> None:
    code, _out, err = run_cli("cases", "classify", str(DATA / "vignettes.csv"))
    assert code == 0 and "0 invalid" in err
    assert " 8 unclassified" in err  # unc-teen-joints and unc-child-face among them


def test_a_classified_case_gets_no_suggestion(rows) -> None:
    assert rows["met-phosphate-crf"]["suggested"] == ""
    assert rows["met-phosphate-crf"]["suggestions"] == []


def test_an_idiopathic_record_lacking_only_none_is_told_to_record_none_first(rows) -> None:
    reason = rows["unc-scrotum-disease-unrecorded"]["reason"]
    nearest = reason.split("nearest: ", 1)[1]
    assert nearest.startswith("CCKG:0000724")  # not the dystrophic route
    assert "write 'none' in diseases / exposures" in reason and "--complete-lists" in reason


def test_a_registry_declaring_its_lists_complete_reaches_idiopathic_scrotal(rows) -> None:
    assert rows["isc-registry-complete"]["types"] == ["CCKG:0000008"]


def test_complete_lists_option_closes_the_lists_of_every_record(run_cli, tmp_path) -> None:
    source = tmp_path / "registry.csv"
    source.write_text(
        "case_id,sex,age_years,calcium_value,calcium_unit,phosphate_value,"
        "phosphate_unit,sites\nr1,male,30,2.3,mmol/L,1.1,mmol/L,UBERON:0001300\n",
        encoding="utf-8",
    )
    _c, open_world, _e = run_cli("cases", "classify", str(source), "--format", "jsonl")
    _c, closed, _e = run_cli(
        "cases", "classify", str(source), "--format", "jsonl", "--complete-lists", "both"
    )
    assert json.loads(open_world)["status"] == "unclassified"
    assert json.loads(closed)["types"] == ["CCKG:0000008"]


def test_a_bad_lists_complete_word_is_a_field_error(run_cli, tmp_path) -> None:
    source = tmp_path / "r.csv"
    source.write_text("case_id,lists_complete\nr1,maybe\n", encoding="utf-8")
    _c, out, _e = run_cli("cases", "classify", str(source), "--format", "jsonl")
    row = json.loads(out)
    assert row["status"] == "invalid" and "lists_complete" in row["reason"]


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "ttl"])
def test_every_unclassified_and_invalid_row_carries_its_reason(run_cli, fmt: str) -> None:
    _c, out, _e = run_cli("cases", "classify", str(DATA / "bad_rows.csv"), "--format", fmt)
    assert "invalid record: " in out  # every invalid row says why
    assert "no criterion is met" in out  # and the unclassified one


def test_an_invalid_row_names_its_field_problems(run_cli) -> None:
    _c, out, _e = run_cli("cases", "classify", str(DATA / "bad_rows.csv"), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    invalid = [r for r in rows if r["status"] == "invalid"]
    assert invalid and all(
        r["reason"].startswith("invalid record: ") and ": " in r["reason"][16:] for r in invalid
    )
