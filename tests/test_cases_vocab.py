"""Names clinicians write: verified labels and synonyms, broader verified terms said so, and the
nearest labels for an unknown name (issue 16, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.vocab import BROADER_NAMES, resolve, suggestions


@pytest.mark.parametrize(
    "name, curie",
    [
        ("periarticular", "CCKG:0000200"),  # related synonym of the periarticular region (F0032)
        ("Cushing syndrome", "MONDO:0018912"),
        ("systemic lupus erythematosus", "MONDO:0007915"),  # verified label (cases.terms)
        ("Cushing's syndrome", "MONDO:0018912"),  # label of ICD10CM:E24, its exact match
        ("acne", "MONDO:0011438"),
        ("varicose veins", "MONDO:0008638"),
        ("insect bites", "CCKG:0000101"),
        ("Elbows", "UBERON:0001461"),
    ],
)
def test_a_verified_label_or_synonym_resolves(name, curie) -> None:
    assert resolve(name) == (curie, "")


@pytest.mark.parametrize(
    "name, curie",
    [
        ("hand", "UBERON:0002101"),
        ("lower limb", "UBERON:0002101"),
        ("hip joint", "UBERON:0000982"),
        ("shoulder joints", "UBERON:0000982"),
    ],
)
def test_a_site_without_a_verified_identifier_reads_as_its_broader_term_and_says_so(
    name, curie
) -> None:
    found, note = resolve(name)
    assert found == curie and "read as" in note and "no verified identifier" in note


def test_broader_names_point_only_at_terms_of_the_ontology() -> None:
    from calcinosis_kg.cases.identifiers import index

    assert {curie for curie, _ in BROADER_NAMES.values()} <= index().terms


def test_an_unknown_name_gets_the_nearest_labels() -> None:
    curie, reason = resolve("dermatomyosits")
    assert curie is None and "nearest labels: 'dermatomyositis' (MONDO:0016367)" in reason


def test_a_word_of_a_label_suggests_the_labels_holding_it() -> None:
    assert suggestions("lupus")[0] == "'lupus erythematosus' (MONDO:0004670)"


def test_a_name_with_nothing_near_gets_no_suggestion() -> None:
    assert suggestions("zzzz qqqq") == []


def test_names_read_as_a_broader_term_are_noted_in_the_row(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text(
        "case_id,age_years,calcium_value,calcium_unit,phosphate_value,"
        "phosphate_unit,diseases,sites\n"
        "teen-hips,15,2.3,mmol/L,1.3,mmol/L,none,hip joint;shoulder joint\n",
        encoding="utf-8",
    )
    frame = next(pipeline.iter_frames([path]))
    row = frame.row(0, named=True)
    assert set(row["sites"]) == {"UBERON:0000982"} and not row["errors"]
    assert "'hip joint' read as UBERON:0000982 skeletal joint" in row["identifiers"]
    assert "'shoulder joint' read as" in row["identifiers"]


def test_an_unknown_name_is_a_field_error_with_suggestions(tmp_path: Path) -> None:
    path = tmp_path / "typo.csv"
    path.write_text("case_id,diseases\ntypo,sistemic sclerosis\n", encoding="utf-8")
    row = next(pipeline.iter_frames([path])).row(0, named=True)
    assert any("nearest labels: 'systemic sclerosis' (MONDO:0005100)" in e for e in row["errors"])
