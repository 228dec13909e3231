"""The clinical decision rules after the criteria (issue 16, item 2), each with its own case."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.cases.decide import final_types, status_of

DATA = Path(__file__).parent / "cases_data"


@pytest.fixture(scope="module")
def rows(vignette_rows: dict[str, dict]) -> dict[str, dict]:
    return vignette_rows


def test_bone_on_histology_gives_osteoma_cutis_over_the_dystrophic_criterion(rows) -> None:
    row = rows["osteoma-over-ssc"]  # SSc, normal labs, bone on histopathology
    assert row["status"] == "classified" and row["types"] == ["CCKG:0000011"]
    assert "CCKG:0000721" in row["fired"]  # the dystrophic criterion did fire ...
    assert "overrides dystrophic calcinosis cutis (CCKG:0000002)" in row["flags"]  # ... and says so


def test_small_vessel_calcification_with_raised_phosphate_is_calciphylaxis_not_ambiguous(
    rows,
) -> None:
    row = rows["cal-dialysis-small-vessels"]  # dialysis, phosphate 2.4 mmol/L, small vessels
    assert set(row["fired"]) == {"CCKG:0000720", "CCKG:0000726"}
    assert row["status"] == "classified" and row["types"] == ["CCKG:0000006"]


def test_raised_calcium_with_crest_is_metastatic_flagged_with_the_competing_dystrophic(
    rows,
) -> None:
    row = rows["met-crest-2.62"]
    assert row["types"] == ["CCKG:0000003"]
    assert row["flags"].startswith("competing: dystrophic calcinosis cutis (CCKG:0000002)")
    assert "CREST syndrome (MONDO:0019563)" in row["flags"]


def test_raised_calcium_without_a_dystrophic_disease_has_no_flag(rows) -> None:
    assert rows["met-calcium-mgdl"]["flags"] == ""


def test_a_dog_is_a_case_of_the_dog_form_and_a_kind_is_not_an_alternative_to_it(rows) -> None:
    assert rows["dog-cushing"]["types"] == ["CCKG:0000012"]
    row = rows["dog-hypercalcaemia"]
    assert row["types"] == ["CCKG:0000003", "CCKG:0000012"] and row["status"] == "classified"


def test_sle_and_acne_count_for_the_dystrophic_criterion(rows) -> None:
    assert rows["dys-sle"]["types"] == ["CCKG:0000002"]  # SLE under lupus (import module)
    assert rows["dys-acne"]["types"] == ["CCKG:0000002"]  # a local cause the article names


def test_final_types_and_status_follow_the_same_rules_for_hermit() -> None:
    assert final_types(["CCKG:0000002", "CCKG:0000011"]) == ["CCKG:0000011"]
    assert status_of(["CCKG:0000003", "CCKG:0000012"]) == "classified"
    assert status_of(["CCKG:0000002", "CCKG:0000007"]) == "ambiguous"
    assert status_of([]) == "unclassified"
