"""Classification behaviours: the issue's examples, ambiguity, open world, associations."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.classify import build_classifier, classify
from calcinosis_kg.cases.compile import to_sql

DATA = Path(__file__).parent / "cases_data"


@pytest.fixture(scope="module")
def clf():
    return build_classifier()


@pytest.fixture(scope="module")
def results(clf) -> dict[str, dict]:
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    return {r["case_id"]: r for r in classify(frame, clf).iter_rows(named=True)}


@pytest.mark.parametrize(
    ("case_id", "type_id"),
    [
        ("met-phosphate-crf", "CCKG:0000003"),  # raised phosphate with chronic renal failure
        ("dys-calcium-2.6", "CCKG:0000002"),  # normal calcium and phosphate with systemic sclerosis
        ("iat-gluconate", "CCKG:0000004"),  # calcium gluconate extravasation, venipuncture site
        ("tra-coal", "CCKG:0000007"),  # coal-mining exposure
        ("isc-young-man", "CCKG:0000008"),  # young man, scrotum, normal labs, nothing underlying
    ],
)
def test_issue_examples_get_their_most_specific_type(results, case_id, type_id) -> None:
    assert results[case_id]["status"] == "classified"
    assert results[case_id]["type_id"] == type_id


def test_calcium_of_exactly_2_6_mmol_is_normal_and_2_601_is_raised(results) -> None:
    assert results["dys-calcium-2.6"]["type_id"] == "CCKG:0000002"
    assert results["met-calcium-2.601"]["type_id"] == "CCKG:0000003"


def test_calcium_in_mg_per_dl_and_meq_per_l_is_converted_before_the_range(results) -> None:
    assert results["met-calcium-mgdl"]["type_id"] == "CCKG:0000003"  # 10.8 mg/dL = 2.69 mmol/L
    assert results["met-calcium-meq"]["type_id"] == "CCKG:0000003"  # 5.4 mEq/L = 2.7 mmol/L
    assert results["dys-crest"]["type_id"] == "CCKG:0000002"  # 9.2 mg/dL = 2.30 mmol/L


def test_a_case_fitting_two_types_is_ambiguous_and_lists_both(results) -> None:
    row = results["amb-ssc-coal"]
    assert row["status"] == "ambiguous"
    assert row["type_id"] == "CCKG:0000002|CCKG:0000007"
    assert "CCKG:0000721" in row["criteria"] and "CCKG:0000723" in row["criteria"]


def test_no_underlying_disease_must_be_recorded_for_idiopathic(results) -> None:
    assert results["isc-young-man"]["type_id"] == "CCKG:0000008"
    assert results["unc-scrotum-disease-unrecorded"]["status"] == "unclassified"


def test_an_association_alone_never_classifies(results) -> None:
    # chronic renal failure is "the most frequent underlying cause" of metastatic calcinosis,
    # but with low phosphate and normal calcium nothing establishes a type
    assert results["unc-phosphate-low-crf"]["status"] == "unclassified"
    assert results["unc-phosphate-low-crf"]["type_id"] == ""


def test_associations_add_supporting_sentences_to_a_classified_case(results) -> None:
    sources = results["met-phosphate-crf"]["sources"]
    assert "supporting: Chronic renal failure is the most frequent underlying cause." in sources


def test_criteria_sentences_are_the_axioms_provenance(results) -> None:
    sources = results["iat-gluconate"]["sources"]
    assert (
        "Skin calcification in iatrogenic calcinosis cutis is a side effect of therapy. "
        "[PMID:21679810]" in sources
    )


def test_phosphate_without_a_laboratory_range_is_judged_against_the_adult_band(results) -> None:
    assert results["dys-phosphate-adult-band"]["type_id"] == "CCKG:0000002"
    assert "CCKG:0002051" in results["dys-phosphate-adult-band"]["ranges"]


def test_phosphate_with_no_range_and_no_verified_band_for_the_age_is_never_judged(results) -> None:
    row = results["unc-phosphate-infant-no-band"]  # 6 months: no band from 6 days to 1 year
    assert row["status"] == "unclassified"
    assert "phosphate 1.8 mmol/L not judged: no verified default phosphate range" in row["ranges"]


def test_subclasses_of_a_criterion_disease_count(results) -> None:
    assert results["dys-crest"]["type_id"] == "CCKG:0000002"  # CREST < lcSSc < SSc


def test_a_generic_occupational_exposure_is_not_traumatic(results) -> None:
    assert results["unc-occupation-generic"]["status"] == "unclassified"


def test_invalid_rows_are_reported_and_the_rest_classified(clf) -> None:
    chunks = list(pipeline.run([DATA / "bad_rows.csv"], clf))
    result = pl.concat([c.results for c in chunks])
    status = dict(zip(result["case_id"], result["status"], strict=True))
    assert status["ok-2"] == "classified"
    assert status["bad-sex"] == "invalid"
    assert sum(1 for s in status.values() if s == "invalid") == 12


def test_compiled_criteria_also_translate_to_sql(clf) -> None:
    sql = {c.label: to_sql(c.node) for c in clf.criteria}
    raised = sql["case with raised serum calcium or phosphate"]
    # the 2.6 mmol/L cut-off holds only for a value judged against the adult default range
    assert "(coalesce(calcium_range IN ('CCKG:0002000'), FALSE) AND " in raised
    assert "calcium_judged_mmol_l > 2.6" in raised and "phosphate_status IN ('raised')" in raised
    assert (
        "arrays_overlap(conditions"
        in sql["case with normal serum calcium and phosphate and local tissue damage"]
    )


def test_classification_does_not_depend_on_chunking(clf, tmp_path) -> None:
    whole = pl.concat([c.results for c in pipeline.run([DATA / "vignettes.csv"], clf)])
    pieces = pl.concat([c.results for c in pipeline.run([DATA / "vignettes.csv"], clf, chunk=5)])
    assert whole.equals(pieces)


def test_an_unclassified_case_says_which_recorded_value_would_complete_a_criterion(clf) -> None:
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    result = classify(frame, clf)
    hints = dict(zip(result["case_id"], result["hints"].to_list(), strict=True))
    assert any(
        "CCKG:0000725" in h and "diseases recorded as 'none'" in h
        for h in hints["unc-scrotum-disease-unrecorded"]
    )
    assert hints["unc-phosphate-infant-no-band"] == [
        "CCKG:0000721 case with normal serum calcium and phosphate and local tissue damage: "
        "lacks phosphate judged normal"
    ]
    assert hints["isc-young-man"] == []  # only unclassified cases get hints


def test_fired_types_follow_three_valued_logic_for_every_combination(clf) -> None:
    """Types and fired criteria, computed once per distinct combination, equal the polars
    expression (a criterion shadowed unless every one below it is false; null = unknown) on
    every true/false/null combination of the criteria."""
    import itertools

    from calcinosis_kg.cases import model as m

    crit = clf.criteria[:7]  # 3^7 = 2,187 combinations
    below = [
        [
            j
            for j, d in enumerate(crit)
            if d.type_iri != c.type_iri and c.type_iri in clf.onto.ancestors(d.type_iri)
        ]
        for c in crit
    ]
    assert any(below), "no criterion below another among those taken"
    rows = list(itertools.product((True, False, None), repeat=len(crit)))
    fired = pl.DataFrame(
        {f"c{i}": [r[i] for r in rows] for i in range(len(crit))},
        schema={f"c{i}": pl.Boolean for i in range(len(crit))},
    )
    effective = []
    for i, c in enumerate(crit):
        expr = pl.col(f"c{i}")
        if below[i]:
            expr = expr & ~pl.any_horizontal([pl.col(f"c{j}") for j in below[i]])
        effective.append(pl.when(expr).then(pl.lit(m.compress(c.type_iri))))
    names = [pl.when(pl.col(f"c{i}")).then(pl.lit(m.compress(c.iri))) for i, c in enumerate(crit)]
    want = fired.select(
        pl.concat_list(effective).list.drop_nulls().list.unique().list.sort().alias("types"),
        pl.concat_list(names).list.drop_nulls().alias("fired"),
    )
    from calcinosis_kg.cases.classify import group_key
    from calcinosis_kg.cases.decisions import fired_types
    from calcinosis_kg.cases.nodes import polars_steps

    step = fired_types(
        [(m.compress(c.iri), m.compress(c.type_iri), below[i], c.texts) for i, c in enumerate(crit)]
    )
    keyed = fired.with_columns(
        pl.lit(False).alias("_invalid"), pl.lit(None, pl.String).alias("not_a_case")
    )
    keyed = keyed.with_columns(group_key(keyed, len(crit)))
    ids = {f"c{i}": ("g",) for i in range(len(crit))}
    got = polars_steps(keyed, [step], ids)  # once per distinct combination, joined back
    assert ids["types"] == ("g",)  # the outputs are known to depend on the combination only
    types, fired_names, texts = got["types"], got["fired"], got["crit_texts"]
    assert types.to_list() == want["types"].to_list()
    assert fired_names.to_list() == want["fired"].to_list()
    for row, got in zip(rows, texts.to_list(), strict=True):  # the sentences, in order, once
        assert got == list(dict.fromkeys(t for i, c in enumerate(crit) if row[i] for t in c.texts))


def test_an_invalid_case_that_meets_a_criterion_shows_no_type_criterion_or_source(clf) -> None:
    """Invalid first: its record is fixed before it is judged, so nothing of a criterion shows."""
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    results = classify(
        frame, clf, pl.Series([True] * frame.height), pl.Series(["x"] * frame.height)
    )
    assert set(results["status"]) == {"invalid"}
    assert set(results["sources"]) == {""} and set(results["criteria"]) == {""}
    assert results["types"].list.len().max() == 0 and set(results["flags"]) == {""}


def test_grouping_the_decisions_by_distinct_cases_changes_no_answer(
    clf, monkeypatch, tmp_path
) -> None:
    """Once per distinct group (``ids``) and a support bit set split over many columns give,
    case by case, what computing every decision per row gives."""
    from calcinosis_kg.cases import classify as module
    from calcinosis_kg.cases.synth import write_cohort

    cohort = tmp_path / "cohort.csv"
    write_cohort(cohort, 3000, 11, 0.2)
    chunks = list(pipeline.run([cohort, DATA / "vignettes.csv"], clf))
    grouped = pl.concat([c.results for c in chunks])
    plain = module.polars_steps
    monkeypatch.setattr(module, "polars_steps", lambda frame, steps, ids=None: plain(frame, steps))
    monkeypatch.setattr(module, "MASK_BITS", 5)
    per_row = pl.concat([c.results for c in pipeline.run([cohort, DATA / "vignettes.csv"], clf)])
    assert grouped.height == 3050 and grouped["sources"].str.len_chars().min() == 0
    assert set(grouped["status"]) == {"classified", "ambiguous", "unclassified", "invalid"}
    assert grouped.equals(per_row)


def test_the_values_a_case_records_are_the_declared_list_exploded_item_by_item(
    clf, tmp_path
) -> None:
    """``_long`` explodes the declared ``values`` (a concatenation of lists, an array, lab and
    population lists) part by part: per case, the same values as the declared list of the row,
    with nulls and empty lists among the rows."""
    from calcinosis_kg.cases.classify import _long
    from calcinosis_kg.cases.nodes import to_polars
    from calcinosis_kg.cases.synth import write_cohort

    cohort = tmp_path / "cohort.csv"
    write_cohort(cohort, 2000, 12, 0.2)
    frame = pl.concat(list(pipeline.iter_frames([cohort, DATA / "vignettes.csv"])))
    frame = frame.with_row_index("r")
    node = clf.decisions.values
    declared = (
        frame.select("r", to_polars(node).alias("value")).explode("value").drop_nulls("value")
    )
    long = _long(frame, node, "r")

    def per_case(table: pl.DataFrame) -> dict[int, list[str]]:
        grouped = table.group_by("r").agg(pl.col("value").sort())
        return dict(zip(grouped["r"].to_list(), grouped["value"].to_list(), strict=True))

    assert long.height == declared.height > frame.height
    assert per_case(long) == per_case(declared)


def test_the_group_number_is_one_per_combination_of_criteria_invalid_and_not_a_case() -> None:
    """``g`` separates exactly the distinct (criteria, invalid, not_a_case) combinations:
    null, false and true apart, an empty not-a-case text apart from none."""
    import itertools

    from calcinosis_kg.cases.classify import group_key

    values = (True, False, None)
    reasons = (None, "", "a placenta", "a dog bite")
    rows = list(itertools.product(values, values, values, reasons))
    frame = pl.DataFrame(
        rows * 2,
        schema={
            "c0": pl.Boolean,
            "c1": pl.Boolean,
            "_invalid": pl.Boolean,
            "not_a_case": pl.String,
        },
        orient="row",
    )
    keyed = frame.with_columns(group_key(frame, 2))
    assert keyed["g"].n_unique() == len(rows)
    per_number = keyed.group_by("g").agg(pl.struct(pl.exclude("g")).n_unique().alias("k"))
    assert per_number["k"].max() == 1
    with pytest.raises(ValueError, match="too many"):
        group_key(frame, 40)
