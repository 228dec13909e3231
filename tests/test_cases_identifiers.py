"""Disease identifiers as records carry them: mapped through the ontology's verified mappings, or
kept and reported; never an error for a known vocabulary (issue 16, item 5)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.classify import build_classifier
from calcinosis_kg.cases.identifiers import icd_ancestors, map_conditions, normalise

DATA = Path(__file__).parent / "cases_data"
#: copy of shared/reference/phenopackets (BSD 3-Clause, see phenopacket-store-sample.md)
PHENOPACKETS = DATA / "phenopacket-store-sample.jsonl.gz"


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    clf = build_classifier()
    rows = {}
    for chunk in pipeline.run([DATA / "identifiers.csv"], clf):
        rows.update({r["case_id"]: r for r in chunk.results.iter_rows(named=True)})
    return rows


def test_prefixes_are_read_as_the_curated_map_spells_them() -> None:
    assert normalise("omim:147791") == "OMIM:147791"
    assert normalise("MIM:147791") == "OMIM:147791"
    assert normalise("ORPHA:221") == "Orphanet:221"
    assert normalise("ICD10:m34") == "ICD10WHO:M34"
    assert normalise("icd10cm:M34.0") == "ICD10CM:M34.0"
    assert normalise("FOO:1") is None


def test_an_exact_mapping_adds_the_ontology_term_beside_the_recorded_code() -> None:
    conditions, notes, errors = map_conditions(["ICD10CM:M34"])
    assert conditions == ["ICD10CM:M34", "MONDO:0005100"] and not errors
    assert notes == [
        "ICD10CM:M34 -> MONDO:0005100 systemic sclerosis (exactMatch: the same disease)"
    ]


def test_a_narrow_mapping_counts_as_the_broader_term() -> None:
    conditions, notes, _ = map_conditions(["ICD10CM:L93"])  # cutaneous lupus only
    assert "MONDO:0004670" in conditions and "narrowMatch" in notes[0]


def test_sle_maps_exactly_to_its_import_module_class_under_lupus() -> None:
    """Issue 16, item 5: SLE (MONDO:0007915) is in the import module under lupus."""
    conditions, notes, _ = map_conditions(["DOID:9074"])
    assert "MONDO:0007915" in conditions and "exactMatch" in notes[0]


def test_a_close_mapping_counts_and_says_it_is_not_exact() -> None:
    conditions, notes, _ = map_conditions(["Orphanet:90290"])
    assert "MONDO:0019563" in conditions and "closeMatch" in notes[0]


@pytest.mark.parametrize(
    "code, term, via",
    [
        ("ICD10CM:M34.0", "MONDO:0005100", "ICD10CM:M34"),
        ("ICD10CM:B20", "MONDO:0005550", "ICD10CM:A00-B99"),
        ("ICD10WHO:L93.0", "MONDO:0004670", "ICD10WHO:L93"),
    ],
)
def test_an_icd_code_is_a_kind_of_its_mapped_category_or_block(code, term, via) -> None:
    conditions, notes, _ = map_conditions([code])
    assert term in conditions and f"within {via}" in notes[-1]


def test_icd_ancestors_are_nearest_first() -> None:
    assert icd_ancestors("ICD10CM:M34.81") == ["ICD10CM:M34.8", "ICD10CM:M34"]
    assert icd_ancestors("OMIM:147791") == []


def test_a_broader_code_is_kept_and_not_counted_as_the_narrower_disease() -> None:
    conditions, notes, _ = map_conditions(["ICD10CM:M33"])  # dermatopolymyositis
    assert conditions == ["ICD10CM:M33"]
    assert "only related to MONDO:0016367 dermatomyositis (broadMatch)" in notes[0]


def test_an_hp_phenotype_only_related_to_a_disease_counts_for_nothing() -> None:
    conditions, notes, _ = map_conditions(["HP:0002725"])
    assert conditions == ["HP:0002725"] and "relatedMatch" in notes[0]


def test_an_unmapped_identifier_is_kept_and_reported_not_an_error() -> None:
    conditions, notes, errors = map_conditions(["OMIM:147791"])
    assert conditions == ["OMIM:147791"] and not errors
    assert notes == [
        "OMIM:147791 kept: no verified mapping to a term of the ontology; it "
        "counts for no criterion"
    ]


def test_an_unknown_prefix_is_a_field_error_naming_it() -> None:
    conditions, _, errors = map_conditions(["FOO:1"])
    assert conditions == [] and "unknown identifier prefix 'FOO'" in errors[0]


def test_mapped_codes_classify_like_the_term_they_map_to(results) -> None:
    for case in (
        "ids-icd10cm-ssc",
        "ids-icd10cm-subcode-ssc",
        "ids-orpha-dm",
        "ids-orphanet-crest-close",
        "ids-doid-lupus",
        "ids-icd10-block-infection",
        "ids-omim-and-mondo",
        "ids-sle-name",
    ):
        assert results[case]["type_id"] == "CCKG:0000002", case


def test_kept_identifiers_leave_the_case_unclassified_with_the_reason(results) -> None:
    for case in ("ids-omim-kept", "ids-hp-related-kept", "ids-icd10cm-broad-kept"):
        assert results[case]["status"] == "unclassified"
        assert "counts for no criterion" in results[case]["identifiers"]


def test_every_output_format_shows_the_identifier_notes(run_cli) -> None:
    for fmt in ("table", "csv", "jsonl"):
        code, out, _ = run_cli("cases", "classify", str(DATA / "identifiers.csv"), "--format", fmt)
        assert code == 0 and "ORPHA:221 read as Orphanet:221" in out, fmt


def test_an_unknown_prefix_in_another_slot_shows_no_internal_form(tmp_path, run_cli) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("case_id,sites\nbad-site,FOO:12\n", encoding="utf-8")
    code, out, err = run_cli("cases", "validate", str(path))
    assert code != 0 and "FOO:12" in out + err and "urn:curie" not in out + err


def test_every_real_phenopacket_is_read_none_refused_none_typed(tmp_path, run_cli) -> None:
    path = tmp_path / "store.jsonl"
    path.write_bytes(gzip.decompress(PHENOPACKETS.read_bytes()))
    packets = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    code, out, err = run_cli("cases", "classify", str(path), "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert code == 0 and len(rows) == len(packets) == 353
    assert not [r for r in rows if r["status"] == "invalid"]
    assert not [r for r in rows if r["type_id"]]  # none is a calcinosis cutis case: none typed
    assert "urn:curie" not in out + err
    omim = [r for r in rows if "OMIM:" in r["identifiers"]]
    assert len(omim) == len(packets)  # every disease there is OMIM, kept and reported
