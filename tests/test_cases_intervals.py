"""Reference intervals that fit the patient: default bands by age (and sex), the laboratory's
range first, albumin-adjusted and ionised calcium, and the range that decided every row."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from calcinosis_kg.cases import intervals, pipeline
from calcinosis_kg.cases.classify import build_classifier, classify
from calcinosis_kg.cases.labs import payne_adjusted
from calcinosis_kg.cases.readers import phenopacket_record
from calcinosis_kg.cases.record import Record

DATA = Path(__file__).parent / "cases_data"


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    return {r["case_id"]: r for r in classify(frame, build_classifier()).iter_rows(named=True)}


def band(
    analyte: str, age: float | None, sex: str | None = None, taxon: str | None = "NCBITaxon:9606"
) -> str | None:
    chosen, _why = intervals.choose(intervals.default_bands(), analyte, age, sex, taxon)
    return chosen.curie if chosen else None


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, "CCKG:0002040"),
        (0.030115, "CCKG:0002040"),  # 0-10 days
        (0.030116, "CCKG:0002041"),
        (2.999, "CCKG:0002041"),  # 11 days to 2 years
        (3, "CCKG:0002042"),
        (12.999, "CCKG:0002042"),
        (13, "CCKG:0002043"),
        (18.999, "CCKG:0002043"),
        (19, "CCKG:0002000"),
        (90, "CCKG:0002000"),  # adult default
    ],
)
def test_total_calcium_band_follows_the_age_with_half_open_limits(age, expected) -> None:
    assert band("calcium", age) == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0.016426, "CCKG:0002044"),
        (0.016427, None),
        (0.999, None),  # no band 6 days-1 year
        (1, "CCKG:0002045"),
        (3.999, "CCKG:0002045"),
        (4, "CCKG:0002046"),
        (19.999, "CCKG:0002050"),
        (20, "CCKG:0002051"),
    ],
)
def test_phosphate_band_follows_the_age_and_leaves_the_unverified_gap_empty(age, expected):
    assert band("phosphate", age) == expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0.083332, "CCKG:0002052"), (0.083333, "CCKG:0002053"), (70, "CCKG:0002053")],
)
def test_ionised_calcium_has_its_own_bands(age, expected) -> None:
    assert band("ionised_calcium", age) == expected


def test_without_a_recorded_age_the_adult_default_applies_and_says_so() -> None:
    chosen, why = intervals.choose(intervals.default_bands(), "calcium", None, None, None)
    assert chosen is not None and chosen.curie == "CCKG:0002000"
    assert why == "age not recorded: adult default"


def test_a_non_human_patient_gets_no_default_band() -> None:
    assert band("calcium", 9, taxon="NCBITaxon:9615") is None


SEXED = (
    intervals.Band(
        "X:1",
        "phosphate",
        Decimal("1.0"),
        Decimal("1.5"),
        "",
        Decimal(10),
        Decimal(20),
        "female",
        "girls",
        "test",
    ),
    intervals.Band(
        "X:2",
        "phosphate",
        Decimal("1.1"),
        Decimal("1.7"),
        "",
        Decimal(10),
        Decimal(20),
        "male",
        "boys",
        "test",
    ),
    intervals.Band(
        "X:3",
        "phosphate",
        Decimal("0.8"),
        Decimal("1.4"),
        "",
        Decimal(20),
        None,
        None,
        "adults",
        "test",
    ),
)


@pytest.mark.parametrize(
    ("age", "sex", "expected"),
    [(10, "female", "X:1"), (19.99, "male", "X:2"), (20, "female", "X:3"), (20, None, "X:3")],
)
def test_a_band_partitioned_by_sex_applies_to_that_sex_only(age, sex, expected) -> None:
    chosen, _why = intervals.choose(SEXED, "phosphate", age, sex, None)
    assert chosen is not None and chosen.curie == expected


def test_a_sex_partitioned_age_without_a_recorded_sex_gets_no_band() -> None:
    chosen, why = intervals.choose(SEXED, "phosphate", 15, None, None)
    assert chosen is None and "sex-specific" in why


def test_bands_are_read_from_the_ontology_in_the_unit_the_source_states() -> None:
    by_id = {b.curie: b for b in intervals.default_bands()}
    assert by_id["CCKG:0002042"].stated == "8.8-10.8 mg/dL"  # Davis: 3-12 yr
    assert by_id["CCKG:0002042"].high == Decimal("2.694611")  # 10.8 / 4.008, exact
    assert by_id["CCKG:0002000"].source == "article"
    assert by_id["CCKG:0002053"].source == "ARUP Laboratories, test 0020140"


def test_every_band_is_listed_with_its_limits_and_source_in_the_cases_guide() -> None:
    guide = (Path(__file__).parents[1] / "docs" / "readme" / "cases.md").read_text()
    for b in intervals.default_bands():
        line = next((x for x in guide.splitlines() if x.startswith(f"| {b.curie} ")), "")
        numbers = {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", line)}
        low, high = (Decimal(n) for n in b.stated.split()[0].split("-"))
        assert {low, high} <= numbers and b.source in line, b.curie


def test_a_three_year_old_with_calcium_2_65_is_not_metastatic(results) -> None:
    row = results["dys-child-calcium-2.65"]  # dermatomyositis, normal for her age
    assert row["type_id"] == "CCKG:0000002"
    assert "normal against CCKG:0002042" in row["ranges"]


def test_an_adult_with_calcium_2_65_is_judged_raised_by_the_adult_band(results) -> None:
    assert results["met-adult-calcium-2.65"]["type_id"] == "CCKG:0000003"


def test_renal_failure_phosphate_2_4_without_a_range_is_raised_by_the_adult_band(results) -> None:
    row = results["met-crf-phosphate-adult-band"]
    assert row["type_id"] == "CCKG:0000003" and "raised against CCKG:0002051" in row["ranges"]


def test_the_laboratory_range_wins_over_the_adult_band(results) -> None:
    row = results["dys-lab-range-wins-adult"]  # 2.65 within the lab's 2.2-2.7
    assert row["type_id"] == "CCKG:0000002"
    assert "calcium 2.65 mmol/L normal against the laboratory's range 2.2-2.7" in row["ranges"]


def test_the_laboratory_range_wins_over_a_paediatric_band(results) -> None:
    assert results["met-lab-range-wins-child"]["type_id"] == "CCKG:0000003"


def test_payne_adjustment_is_the_published_formula_in_its_own_units() -> None:
    # 10.5 mg/dL with albumin 4.8 g/dL: 10.5 - 4.8 + 4.0 = 9.7 mg/dL = 2.420160 mmol/L
    assert payne_adjusted(Decimal("10.5") / Decimal("4.008"), Decimal(48)) == Decimal("2.420160")
    assert payne_adjusted(Decimal("2.45"), Decimal(25)) == Decimal("2.824251")


def test_low_albumin_raises_the_adjusted_calcium_above_the_range(results) -> None:
    row = results["met-albumin-adjusted"]  # 2.45 mmol/L measured, albumin 25 g/L
    assert row["type_id"] == "CCKG:0000003"
    assert (
        "albumin-adjusted for 25 g/L" in row["ranges"] and "2.824251 mmol/L raised" in row["ranges"]
    )


def test_high_albumin_brings_a_raised_measured_calcium_back_into_the_range(results) -> None:
    row = results["dys-albumin-adjusted-down"]  # 10.5 mg/dL measured = 2.62 mmol/L
    assert row["type_id"] == "CCKG:0000002"
    assert "2.42016 mmol/L normal" in row["ranges"]


def test_ionised_calcium_is_judged_against_its_own_band(results) -> None:
    assert results["met-ionised-raised"]["type_id"] == "CCKG:0000003"
    assert (
        "ionised calcium 1.45 mmol/L raised against CCKG:0002053"
        in results["met-ionised-raised"]["ranges"]
    )
    assert results["dys-ionised-normal"]["type_id"] == "CCKG:0000002"


def test_a_stated_status_that_contradicts_the_band_is_a_field_error() -> None:
    record = Record("c", "x:1", values={"age_years": 3.0})
    record.set_serum("calcium", "2.65", "mmol/L", "raised")
    record.row()
    assert record.errors == [
        "calcium_status: 'raised' contradicts calcium 2.65 mmol/L (normal "
        "against CCKG:0002042 total serum calcium reference range from 3 to "
        "12 years (8.8-10.8 mg/dL; Davis's Lab & Diagnostic Tests))"
    ]


def test_a_phenopacket_carries_ionised_calcium_albumin_and_the_calcium_range() -> None:
    quantity = {
        "unit": {"id": "UCUM:mmol/L"},
        "value": 2.65,
        "referenceRange": {"unit": {"id": "UCUM:mmol/L"}, "low": 2.2, "high": 2.7},
    }
    packet = {
        "id": "p",
        "subject": {"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": "P40Y"}}},
        "measurements": [
            {"assay": {"id": "LOINC:17861-6"}, "value": {"quantity": quantity}},
            {
                "assay": {"id": "LOINC:1994-3"},
                "value": {"quantity": {"unit": {"id": "UCUM:mmol/L"}, "value": 1.45}},
            },
            {
                "assay": {"id": "LOINC:1751-7"},
                "value": {"quantity": {"unit": {"id": "UCUM:g/dL"}, "value": 4.0}},
            },
        ],
    }
    row = phenopacket_record(packet, "x:1").row()
    assert row["albumin_g_l"] == 40 and row["calcium_range"] == "lab"
    assert row["calcium_status"] == "normal"  # albumin 40 g/L: adjusted = measured
    assert row["ionised_calcium_status"] == "raised"
    assert row["ionised_calcium_range"] == "CCKG:0002053"


def test_a_phenopacket_age_in_days_picks_the_neonatal_band() -> None:
    packet = {
        "id": "n",
        "subject": {"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": "P10D"}}},
        "measurements": [
            {
                "assay": {"id": "LOINC:17861-6"},
                "value": {"quantity": {"unit": {"id": "UCUM:mg/dL"}, "value": 7.8}},
            }
        ],
    }
    row = phenopacket_record(packet, "x:1").row()  # 7.8 mg/dL: low at 11 days, normal at 10
    assert row["calcium_range"] == "CCKG:0002040" and row["calcium_status"] == "normal"


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_every_text_format_names_the_range_that_decided_the_row(run_cli, fmt) -> None:
    code, out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", fmt)
    line = next(x for x in out.splitlines() if x.startswith("dys-child-calcium-2.65"))
    assert code == 0 and "CCKG:0002042" in line and "CCKG:0002045" in line


def test_jsonl_names_the_range_that_decided_the_row(run_cli) -> None:
    code, out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", "jsonl")
    rows = {r["case_id"]: r for r in map(json.loads, out.splitlines())}
    assert (
        code == 0
        and "the laboratory's range 2.1-2.6 mmol/L" in rows["met-lab-range-wins-child"]["ranges"]
    )


def test_turtle_links_each_judged_finding_to_its_range(run_cli) -> None:
    import pyoxigraph as ox

    from calcinosis_kg.cases import model as m

    code, out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", "ttl")
    graph = {
        (str(q.subject.value), q.predicate.value, str(q.object.value))
        for q in ox.parse(out.encode(), format=ox.RdfFormat.TURTLE)
    }
    child, lab = m.CASE_BASE + "dys-child-calcium-2.65", m.CASE_BASE + "met-lab-range-wins-child"
    assert code == 0
    assert (child + "/calcium", m.P_RANGE, m.cckg(2042)) in graph
    assert (lab + "/calcium", m.P_RANGE, lab + "/calcium/range") in graph
    assert (lab + "/calcium/range", m.P_HIGH, "2.6") in graph
    adjusted = m.CASE_BASE + "met-albumin-adjusted/calcium-adjusted"
    assert (adjusted, m.RDF_TYPE, m.CALCIUM_RAISED) in graph  # the adjusted twin is judged
    assert not any(
        s == m.CASE_BASE + "met-albumin-adjusted/calcium"
        and p == m.RDF_TYPE
        and o == m.CALCIUM_RAISED
        for s, p, o in graph
    )
