"""Case inputs: exact units, Phenopacket v2 / Turtle / CSV agree, bad files are one line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from calcinosis_kg.cases import model, pipeline
from calcinosis_kg.cases.classify import build_classifier
from calcinosis_kg.cases.model import to_mmol_per_l
from calcinosis_kg.cases.readers import phenopacket_record
from calcinosis_kg.cases.synth import write_cohort
from calcinosis_kg.core import prefixes
from calcinosis_kg.core.errors import InputError

DATA = Path(__file__).parent / "cases_data"


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "mmol"),
    [
        ("calcium", "10.02", "mg/dL", "2.5"),
        ("calcium", "5", "mEq/L", "2.5"),
        ("calcium", "2.5", "UCUM:mmol/L", "2.5"),
        ("calcium", "4.008", "mg/dl", "1"),
        ("phosphate", "3.097", "mg/dL", "1"),
        ("phosphate", "1.2", "mmol/L", "1.2"),
    ],
)
def test_units_are_converted_exactly(analyte, value, unit, mmol) -> None:
    assert to_mmol_per_l(analyte, value, unit) == Decimal(mmol)


@pytest.mark.parametrize(
    ("analyte", "unit", "message"),
    [
        ("phosphate", "mEq/L", "refused"),
        ("calcium", "", "never guessed"),
        ("calcium", "mmol", "unknown unit"),
        ("calcium", "g/L", "unknown unit"),
    ],
)
def test_units_are_never_guessed(analyte, unit, message) -> None:
    with pytest.raises(ValueError, match=message):
        to_mmol_per_l(analyte, "2.4", unit)


def _results(paths: list[Path]) -> pl.DataFrame:
    clf = build_classifier()
    return pl.concat([c.results for c in pipeline.run(paths, clf)]).select(
        "case_id", "status", "type_id", "criteria"
    )


@pytest.mark.parametrize("fmt", ["jsonl", "json", "ttl"])
def test_phenopackets_and_turtle_classify_like_the_csv_layout(tmp_path: Path, fmt: str) -> None:
    write_cohort(tmp_path / "c.csv", 120, seed=5)
    write_cohort(tmp_path / f"c.{fmt}", 120, seed=5)
    assert _results([tmp_path / f"c.{fmt}"]).equals(_results([tmp_path / "c.csv"]))


def test_a_directory_of_phenopackets_is_read_file_by_file(tmp_path: Path) -> None:
    write_cohort(tmp_path / "all.jsonl", 6, seed=2)
    folder = tmp_path / "dir"
    folder.mkdir()
    for n, line in enumerate((tmp_path / "all.jsonl").read_text().splitlines()):
        (folder / f"p{n}.json").write_text(line)
    assert _results([folder]).equals(_results([tmp_path / "all.jsonl"]))


def test_a_phenopacket_carries_sites_exposures_and_no_cause_as_documented() -> None:
    packet = {
        "id": "p1",
        "subject": {
            "id": "s",
            "sex": "MALE",
            "timeAtLastEncounter": {"age": {"iso8601duration": "P24Y"}},
        },
        "phenotypicFeatures": [
            {"type": {"id": "HP:0025520"}, "modifiers": [{"id": "UBERON:0001300"}]},
            {"type": {"id": "CCKG:0000512"}},
        ],
        "diseases": [{"term": {"id": "CCKG:0000608"}, "excluded": True}],
        "measurements": [
            {
                "assay": {"id": "LOINC:17861-6"},
                "value": {"quantity": {"unit": {"id": "UCUM:mg/dL"}, "value": 9.4}},
            }
        ],
    }
    row = phenopacket_record(packet, "x:1").row()
    assert row["sites"] == ["UBERON:0001300"] and row["exposures"] == ["CCKG:0000512"]
    assert row["no_conditions"] and row["no_exposures"]
    assert row["sex"] == "male" and row["age_years"] == 24
    assert row["calcium_mmol_l"] == pytest.approx(2.345309)


def test_a_phenopacket_with_an_unknown_field_is_an_invalid_record_not_a_crash() -> None:
    record = phenopacket_record({"id": "p2", "exposures": []}, "x:2")
    assert record.errors and record.errors[0].startswith("phenopacket:")


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("broken.json", '{"id": "a",\n  oops}', "broken.json:2"),
        ("nocase.csv", "name,sex\nx,male\n", "nocase.csv:1"),
        ("latin1.csv", b"case_id,s\xe9x\na,male\n", "latin1.csv:1"),
        ("bad.ttl", "@prefix x: <http://x/> .\nx:a x:b .\n", "bad.ttl:2:9"),
    ],
)
def test_an_unreadable_file_is_one_input_error_naming_file_and_line(
    tmp_path, name, content, where
) -> None:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as info:
        list(pipeline.iter_frames([path]))
    assert where in str(info.value)
    assert "\n" not in str(info.value)


def test_synthetic_cohort_is_byte_identical_for_a_seed(tmp_path: Path) -> None:
    for fmt in ("csv", "jsonl"):
        write_cohort(tmp_path / f"a.{fmt}", 50, seed=9, invalid_rate=0.1)
        write_cohort(tmp_path / f"b.{fmt}", 50, seed=9, invalid_rate=0.1)
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    packets = [json.loads(x) for x in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert {p["id"] for p in packets} == {f"SYN{n:07d}" for n in range(1, 51)}


def test_a_synthetic_cohort_has_about_the_invalid_share_asked_for(tmp_path: Path) -> None:
    from calcinosis_kg.cases.api import validate_paths

    write_cohort(tmp_path / "c.csv", 2000, seed=4, invalid_rate=0.03)
    report = validate_paths([tmp_path / "c.csv"])
    assert report.total == 2000
    assert 30 <= report.invalid <= 90


def test_non_numbers_and_absurd_numbers_are_field_errors_not_crashes(tmp_path: Path) -> None:
    from calcinosis_kg.cases.api import validate_paths

    source = tmp_path / "odd.csv"
    source.write_text(
        "case_id,age_years,egfr,calcium_value,calcium_unit,phosphate_value,"
        "phosphate_unit,phosphate_ref_low,phosphate_ref_high\n"
        "a,nan,inf,,,,,,\n"
        "b,40,,1e400,mmol/L,,,,\n"
        "c,40,,2.3,mmol/L,1,mmol/L,1e999,2\n"
    )
    report = validate_paths([source])
    fields = report.table().select("case_id", "field").rows()
    assert fields == [
        ("a", "age_years"),
        ("a", "egfr"),
        ("b", "calcium_value"),
        ("c", "phosphate_reference_range"),
    ]


def test_json_ld_in_the_case_vocabulary_classifies_like_turtle(tmp_path: Path) -> None:
    import rdflib

    write_cohort(tmp_path / "c.ttl", 40, seed=6)
    graph = rdflib.Graph().parse(tmp_path / "c.ttl", format="turtle")
    (tmp_path / "c.jsonld").write_text(graph.serialize(format="json-ld"), encoding="utf-8")
    assert _results([tmp_path / "c.jsonld"]).equals(_results([tmp_path / "c.ttl"]))


def test_a_spreadsheet_may_use_the_ontologys_own_names_instead_of_identifiers(tmp_path) -> None:
    source = tmp_path / "names.csv"
    source.write_text(
        "Case_ID,Sex,taxon,calcium_status,phosphate_status,diseases,exposures,sites\n"
        "v1,M,,normal,Normal,None,none,Scrotum\n"
        "v2,F,,normal,normal,Systemic sclerosis,,fingers\n"
        'v3,F,dog,,,"hyperadrenocorticism, dog",,elbows\n'
        "v4,M,,,,,coal miner,forearm\n"
        "v5,F,,,,,made-up exposure,\n"
    )
    frame = next(pipeline.iter_frames([source]))
    rows = {r["case_id"]: r for r in frame.iter_rows(named=True)}
    assert rows["v1"]["sites"] == ["UBERON:0001300"] and rows["v1"]["sex"] == "male"
    assert rows["v2"]["conditions"] == ["MONDO:0005100"]
    assert rows["v2"]["sites"] == ["UBERON:0002389"]
    assert rows["v3"]["taxon"] == "NCBITaxon:9615" and rows["v3"]["conditions"] == ["MONDO:1011530"]
    assert rows["v4"]["exposures"] == ["CCKG:0000512"]  # a related synonym of one class only
    assert rows["v5"]["errors"] == [
        "exposures: 'made-up exposure' is neither an identifier "
        "(PREFIX:local) nor a label of the ontology (e.g. "
        "CCKG:0000502)"
    ]
    assert _results([source]).filter(pl.col("case_id") == "v1")["type_id"].item() == "CCKG:0000008"


def test_a_recorded_hyperphosphataemia_phenotype_states_a_raised_phosphate() -> None:
    packet = {
        "id": "p3",
        "diseases": [{"term": {"id": "MONDO:0024327"}}],
        "phenotypicFeatures": [{"type": {"id": "HP:0025520"}}, {"type": {"id": "HP:0002905"}}],
    }
    row = phenopacket_record(packet, "x:3").row()
    assert row["phosphate_status"] == "raised" and row["errors"] == []
    frame = pipeline.to_frame([row])
    result = pipeline.classify(frame, build_classifier())
    assert result["type_id"].item() == "CCKG:0000003"


def test_a_hypercalcaemia_phenotype_contradicting_a_normal_calcium_is_an_error() -> None:
    packet = {
        "id": "p4",
        "phenotypicFeatures": [{"type": {"id": "HP:0003072"}}],
        "measurements": [
            {
                "assay": {"id": "LOINC:17861-6"},
                "value": {"quantity": {"unit": {"id": "UCUM:mmol/L"}, "value": 2.3}},
            }
        ],
    }
    row = phenopacket_record(packet, "x:4").row()
    assert row["errors"] == ["features: HP:0003072 contradicts the recorded calcium (normal)"]


def _problems(tmp_path: Path, name: str, content: str | bytes) -> list[tuple[str, str, str]]:
    from calcinosis_kg.cases.api import validate_paths

    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return validate_paths([path]).table().select("case_id", "field", "message").rows()


def _measurement(
    loinc: str, value: float, low: float | None = None, high: float | None = None
) -> dict:
    quantity: dict = {"unit": {"id": "UCUM:mmol/L"}, "value": value}
    if low is not None:
        quantity["referenceRange"] = {"unit": {"id": "UCUM:mmol/L"}, "low": low, "high": high}
    return {"assay": {"id": loinc}, "value": {"quantity": quantity}}


def test_two_serum_calcium_measurements_are_an_error_not_last_wins(tmp_path: Path) -> None:
    packet = {
        "id": "p",
        "measurements": [_measurement("LOINC:17861-6", 2.3), _measurement("LOINC:17861-6", 3.1)],
    }
    record = phenopacket_record(packet, "x:1")
    assert "measurements: 2 measurements of LOINC:17861-6 where one is allowed" in record.errors
    assert "calcium_mmol_l" not in record.values


@pytest.mark.parametrize("source", ["csv", "phenopacket"])
def test_an_inverted_reference_range_is_an_error(tmp_path: Path, source: str) -> None:
    if source == "csv":
        found = _problems(
            tmp_path,
            "r.csv",
            "case_id,phosphate_value,phosphate_unit,"
            "phosphate_ref_low,phosphate_ref_high\na,1.2,mmol/L,1.5,0.8\n",
        )
    else:
        packet = {"id": "a", "measurements": [_measurement("LOINC:2777-1", 1.2, 1.5, 0.8)]}
        found = _problems(tmp_path, "r.jsonl", json.dumps(packet) + "\n")
    assert found == [("a", "phosphate_reference_range", "low 1.5 is not below high 0.8 mmol/L")]


@pytest.mark.parametrize(
    ("cell", "why"), [("4_0", "'_'"), ("\u0664\u0660", "ASCII digits"), ("1e30", "plausible")]
)
def test_numbers_python_would_accept_are_field_errors_in_a_csv(tmp_path, cell, why) -> None:
    found = _problems(
        tmp_path, "n.csv", f"case_id,age_years,calcium_value,calcium_unit\na,{cell},{cell},mmol/L\n"
    )
    assert [(c, f) for c, f, _m in found] == [("a", "age_years"), ("a", "calcium_value")]
    assert all(why in message for _c, _f, message in found)


def test_a_duplicate_csv_header_column_is_refused_not_last_wins(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("case_id,sex,Sex\na,male,female\n")
    with pytest.raises(InputError, match=r"d\.csv:1: duplicate column 'sex'.*columns 2 and 3"):
        list(pipeline.iter_frames([path]))


@pytest.mark.parametrize(
    ("age", "message"),
    [
        ("P-5Y", "not an ISO 8601 duration (a negative age)"),
        ("P", "empty duration"),
        ("P9999999999999999999D", "not a plausible age"),
    ],
)
def test_a_phenopacket_age_that_cannot_be_read_says_why(age: str, message: str) -> None:
    packet = {
        "id": "p",
        "subject": {"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": age}}},
    }
    record = phenopacket_record(packet, "x:1")
    assert len(record.errors) == 1 and record.errors[0].startswith("age_years: ")
    assert message in record.errors[0]


def test_a_phenopacket_age_in_hours_is_read() -> None:
    packet = {
        "id": "p",
        "subject": {"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": "P1DT12H"}}},
    }
    record = phenopacket_record(packet, "x:1")
    assert record.errors == [] and record.values["age_years"] == round(1.5 / 365.25, 6)


@pytest.mark.parametrize("value", ["1" + "0" * 400, "9" * 5000, "1e400"])
def test_hostile_phenopacket_numbers_are_errors_of_their_record_only(tmp_path, value) -> None:
    good = json.dumps({"id": "g1"}) + "\n"
    bad = (
        '{"id": "b", "measurements": [{"assay": {"id": "LOINC:17861-6"}, "value": '
        '{"quantity": {"unit": {"id": "UCUM:mmol/L"}, "value": ' + value + "}}}]}\n"
    )
    found = _problems(tmp_path, "h.jsonl", good + bad + json.dumps({"id": "g2"}) + "\n")
    assert len(found) == 1 and found[0][1] in ("phenopacket", "calcium_value")


@pytest.mark.parametrize("taxon", ["NCBITaxon:9606> <http://evil/> <http://x", "NCBITaxon:1\n"])
def test_a_phenopacket_taxon_that_is_no_identifier_is_a_field_error(taxon: str) -> None:
    packet = {"id": "p", "subject": {"id": "s", "taxonomy": {"id": taxon, "label": "x"}}}
    record = phenopacket_record(packet, "x:1")
    assert [e.split(":")[0] for e in record.errors] == ["taxon"]
    assert record.row()["taxon"] == "NCBITaxon:9606"  # the default, not the crafted text


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_a_case_input_that_is_no_regular_file_is_refused_without_reading(tmp_path, kind) -> None:
    import os

    path = tmp_path / "cases.csv"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"cases\.csv: not a regular file"):
        list(pipeline.iter_frames([path]))


@pytest.mark.parametrize(
    ("name", "n"), [("c.csv", 10_000), ("c.jsonl", 1500), ("c.json", 1500), ("c.ttl", 1500)]
)
def test_the_case_readers_honour_the_input_size_limit(tmp_path, monkeypatch, name, n) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_INPUT_MB", "1")
    write_cohort(tmp_path / name, n, seed=1)
    assert (tmp_path / name).stat().st_size > 1024 * 1024
    with pytest.raises(InputError, match="larger than 1 MB"):
        list(pipeline.iter_frames([tmp_path / name]))


def test_a_50_mb_identifier_is_one_short_error_in_bounded_memory(tmp_path: Path) -> None:
    import resource

    path = tmp_path / "big.csv"
    with path.open("w") as handle:
        handle.write("case_id,sex\na,male\n" + "x" * (50 * 1024 * 1024) + ",male\nb,male\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as info:
        list(pipeline.iter_frames([path]))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert str(info.value).startswith(f"{path}:3: line longer than 1024 KB refused")
    assert len(str(info.value)) < 300 and grown_mb < 100


def test_a_crafted_rdf_type_in_turtle_is_a_field_error_never_an_iri(tmp_path: Path) -> None:
    source = tmp_path / "c.ttl"
    source.write_text(
        "@prefix case: <https://w3id.org/calcinosis-kg/case/> .\n"
        "@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        'case:a a CCKG:0000700 ; dcterms:identifier "a" ; CCKG:0001110 <site1> .\n'
        '<site1> a "x> <http://evil/s> <http://evil/p> <http://evil/o" .\n'
    )
    found = _problems(tmp_path, "c.ttl", source.read_bytes())
    assert [(c, f) for c, f, _m in found] == [("a", "sites")]
    assert "is not an IRI" in found[0][2]


def _packet(features: list[dict], diseases: list[dict] | None = None) -> dict:
    return {
        "id": "p1",
        "subject": {"id": "s1", "sex": "FEMALE"},
        "phenotypicFeatures": features,
        "diseases": diseases or [],
        "metaData": {
            "created": "2024-01-01T00:00:00Z",
            "createdBy": "test",
            "phenopacketSchemaVersion": "2.0",
        },
    }


HYPERCALCAEMIA = {"type": {"id": "HP:0003072", "label": "Hypercalcemia"}}


def test_a_phenopacket_excluding_calcinosis_cutis_is_not_a_case_never_typed(tmp_path) -> None:
    """Issue 16: excluded calcinosis cutis with hypercalcaemia was typed metastatic."""
    packet = _packet(
        [
            {"type": {"id": "HP:0025520", "label": "Calcinosis cutis"}, "excluded": True},
            HYPERCALCAEMIA,
        ]
    )
    (tmp_path / "p.json").write_text(json.dumps(packet), encoding="utf-8")
    row = _results([tmp_path / "p.json"]).row(0, named=True)
    assert row["status"] == "not_a_case" and row["type_id"] == ""
    result = pl.concat([c.results for c in pipeline.run([tmp_path / "p.json"], build_classifier())])
    assert result["reason"][0].startswith("the record excludes calcinosis cutis (HP:0025520")


def test_a_phenopacket_without_a_calcinosis_cutis_phenotype_is_not_a_case(tmp_path) -> None:
    (tmp_path / "p.json").write_text(json.dumps(_packet([HYPERCALCAEMIA])), encoding="utf-8")
    result = pl.concat([c.results for c in pipeline.run([tmp_path / "p.json"], build_classifier())])
    assert result["status"].to_list() == ["not_a_case"]
    assert "no calcinosis cutis phenotype (HP:0025520)" in result["reason"][0]


def test_a_phenopacket_recording_calcinosis_cutis_is_a_case(tmp_path) -> None:
    packet = _packet([{"type": {"id": "HP:0025520", "label": "Calcinosis cutis"}}, HYPERCALCAEMIA])
    (tmp_path / "p.json").write_text(json.dumps(packet), encoding="utf-8")
    assert _results([tmp_path / "p.json"])["type_id"].to_list() == ["CCKG:0000003"]


def test_not_a_case_record_is_no_case_record_in_the_rdf(tmp_path) -> None:
    """So HermiT cannot type it either: what is published or reasoned over has no
    CCKG:0000700 for it; validation still sees it (its fields are checked)."""
    from calcinosis_kg.cases.triples import triples, without_non_cases

    (tmp_path / "p.json").write_text(json.dumps(_packet([HYPERCALCAEMIA])), encoding="utf-8")
    frame = pl.concat(list(pipeline.iter_frames([tmp_path / "p.json"])))
    record = "https://w3id.org/calcinosis-kg/CCKG_0000700"
    assert triples(frame).filter(pl.col("o") == record).height == 1
    assert not without_non_cases(triples(frame), frame).filter(pl.col("o") == record).height
    chunk = next(pipeline.run([tmp_path / "p.json"], build_classifier()))
    assert record not in pipeline.results_ntriples(chunk.frame, chunk.results).decode()


def test_every_real_phenopacket_is_read_and_none_is_typed(tmp_path) -> None:
    """353 published Phenopackets (none a calcinosis cutis case): read, not a case, reason."""
    import gzip

    path = tmp_path / "store.jsonl"
    path.write_bytes(gzip.decompress((DATA / "phenopacket-store-sample.jsonl.gz").read_bytes()))
    result = pl.concat([c.results for c in pipeline.run([path], build_classifier())])
    assert result.height == 353
    assert set(result["status"]) == {"not_a_case"}
    assert not [t for t in result["types"].to_list() if t]
    assert all(r.startswith("no calcinosis cutis phenotype") for r in result["reason"])


@pytest.mark.parametrize("source", ["csv", "phenopacket", "turtle"])
def test_a_list_field_longer_than_the_bound_is_one_field_error(tmp_path: Path, source) -> None:
    ids = [f"MONDO:{n:07d}" for n in range(1001)]
    if source == "csv":
        found = _problems(tmp_path, "l.csv", "case_id,diseases\na," + ";".join(ids) + "\n")
    elif source == "phenopacket":
        packet = {"id": "a", "diseases": [{"term": {"id": i, "label": "x"}} for i in ids]}
        found = _problems(tmp_path, "l.jsonl", json.dumps(packet) + "\n")
    else:
        sites = " , ".join(f"<https://w3id.org/calcinosis-kg/case/a/site/{n}>" for n in range(1001))
        found = _problems(
            tmp_path,
            "l.ttl",
            (
                "@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .\n"
                "<https://w3id.org/calcinosis-kg/case/a> a CCKG:0000700 ; "
                '<http://purl.org/dc/terms/identifier> "a" ; CCKG:0001110 ' + sites + " .\n"
            ),
        )
    field = "sites" if source == "turtle" else "diseases" if source == "csv" else "conditions"
    assert found == [
        ("a", field, "1,001 items, more than the 1,000 one field of a record may list")
    ]


def test_a_case_may_use_only_the_case_prefixes_though_the_curated_map_knows_more() -> None:
    assert prefixes.expand("PMID:1")  # curated, but not a prefix a case record may use
    with pytest.raises(ValueError, match="unknown identifier prefix"):
        model.expand("PMID:1")
    with pytest.raises(ValueError, match="unknown identifier prefix"):
        model.expand("HP:")
    assert model.expand("HP:0001") == "http://purl.obolibrary.org/obo/HP_0001"
    assert model.compress("http://identifiers.org/pubmed/1") == "http://identifiers.org/pubmed/1"
    assert model.compress("https://omim.org/phenotypicSeries/PS1") == "OMIMPS:1"


def test_a_parquet_case_frame_is_read_chunk_by_chunk(tmp_path: Path, monkeypatch) -> None:
    """Each chunk is its own slice of the file (the whole frame never sits in memory), and
    the chunks together are the frame."""
    from calcinosis_kg.cases import inputs

    path = tmp_path / "c.parquet"
    write_cohort(path, 250, 3, 0.1)
    whole = pl.read_parquet(path).select(list(model.COLUMNS))
    sliced: list[tuple[int, int]] = []
    original = pl.LazyFrame.slice

    def spy(self: pl.LazyFrame, offset: int, length: int | None = None) -> pl.LazyFrame:
        sliced.append((offset, length or 0))
        return original(self, offset, length)

    monkeypatch.setattr(pl.LazyFrame, "slice", spy)
    chunks = list(inputs.read_frame_parquet(path, chunk=100))
    assert [c.height for c in chunks] == [100, 100, 50]
    assert sliced == [(0, 100), (100, 100), (200, 100)]
    assert pl.concat(chunks).equals(whole)
