"""Spark reads the inputs itself and answers as polars does, case by case.

``test_cases_spark`` proves the engine on frames the polars readers made (vignettes and bad
rows included; the bad rows also through Spark's CSV reader); here Spark's own reader makes
them: Phenopackets (JSON Lines, and single .json files) through Spark's JSON parser with the
declared schema (``packet_spark``) and the vignettes through Spark's CSV reader (``spark_csv``).
The inputs: a synthetic Phenopacket cohort with planted defects, the 353 real Phenopackets
(tests/cases_data keeps a copy of shared/reference/phenopackets) as JSON Lines and as 353 .json
files, purpose-built records, among them records that do not fit the schema (read by the record
reader on the driver), and the 50 vignettes. For every case: the same status, types, criteria,
reasons, hints and problems.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_spark, pipeline, spark_csv, spark_engine
from calcinosis_kg.cases.classify import RESULT_COLUMNS, build_classifier
from calcinosis_kg.cases.synth import write_cohort

DATA = Path(__file__).parent / "cases_data"
COMPARED = (*[c for c in RESULT_COLUMNS if c != "case_id"], "types", "fired", "hints")
CC = {"type": {"id": "HP:0025520"}}
CALCIUM = {
    "assay": {"id": "LOINC:17861-6"},
    "value": {"quantity": {"value": 2.9, "unit": {"id": "UCUM:mmol/L"}}},
}
#: records of every branch of the mapping, and records that do not fit the schema
ODD = [
    {
        "id": "dog",
        "subject": {"taxonomy": {"id": "NCBITaxon:9615"}},
        "phenotypicFeatures": [CC],
        "measurements": [CALCIUM],
    },
    {"id": "two", "phenotypicFeatures": [CC], "measurements": [CALCIUM, CALCIUM]},
    {
        "id": "huge",
        "phenotypicFeatures": [CC],
        "measurements": [
            {**CALCIUM, "value": {"quantity": {"value": 12345678.5, "unit": {"id": "x"}}}}
        ],
    },
    {
        "id": "ranged",
        "phenotypicFeatures": [CC],
        "measurements": [
            {
                **CALCIUM,
                "value": {
                    "quantity": {
                        "value": 11.0,
                        "unit": {"id": "UCUM:mg/dL"},
                        "referenceRange": {"low": 2.2, "high": 2.6, "unit": {"id": "UCUM:mmol/L"}},
                    }
                },
            }
        ],
    },
    {
        "id": "age",
        "subject": {"timeAtLastEncounter": {"age": {"iso8601duration": "P1Y-2M"}}},
        "phenotypicFeatures": [{**CC, "onset": {"age": {"iso8601duration": "P"}}}],
    },
    {"id": "both", "phenotypicFeatures": [CC, {**CC, "excluded": True}]},
    {"id": "excluded", "phenotypicFeatures": [{**CC, "excluded": True}]},
    {
        "id": "none",
        "diseases": [{"term": {"id": "CCKG:0000608"}, "excluded": True}],
        "phenotypicFeatures": [CC, {"type": {"id": "MAXO:0000004"}}, {"type": {"id": "no id"}}],
    },
    {
        "id": "acts",
        "phenotypicFeatures": [CC],
        "medicalActions": [
            {"treatment": {"agent": {"id": "CHEBI:1"}}, "responseToTreatment": {"id": "bad one"}},
            {"procedure": {"code": {"id": "NCIT:C1"}}},
        ],
    },
    {"id": "typo", "phenotypicFeatures": [CC], "subjekt": {}},
    {"id": "wrong type", "phenotypicFeatures": [{**CC, "excluded": "yes"}]},
    '{"id": "twice", "id": "again"}',
    "[1, 2]",
    '{"id": "cut',
    # more after the object: Spark's parser would read the first one; the record reader refuses
    '{"id": "two", "phenotypicFeatures": [{"type": {"id": "HP:0025520"}}]} {"id": "b"}',
]


#: single .json files: a list (read by the record reader), one without an id after blank
#: lines, one with a key the bindings refuse
ODD_FILES = {
    "list.json": json.dumps([ODD[0], {"phenotypicFeatures": [CC]}], indent=1),
    "noid.json": "\n\n  " + json.dumps({"phenotypicFeatures": [CC]}, indent=2),
    "typo.json": json.dumps(ODD[9], indent=2),
}


def _inputs(tmp: Path) -> tuple[list[str], list[str], list[str]]:
    """(JSON Lines, folders of single .json Phenopackets, CSV files): read apart, as the ids
    repeat between the groups (the real Phenopackets are in the first two)."""
    synth, real, odd = tmp / "synth.jsonl", tmp / "real.jsonl", tmp / "odd.jsonl"
    write_cohort(synth, 300, 8, 0.05)
    real.write_bytes(gzip.decompress((DATA / "phenopacket-store-sample.jsonl.gz").read_bytes()))
    odd.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in ODD) + "\n\n",
        encoding="utf-8",
    )
    single = tmp / "single"
    single.mkdir()
    for i, line in enumerate(real.read_text(encoding="utf-8").splitlines()):
        (single / f"real-{i:03d}.json").write_text(json.dumps(json.loads(line), indent=2))
    for name, text in ODD_FILES.items():
        (single / name).write_text(text, encoding="utf-8")
    return [str(synth), str(real), str(odd)], [str(single)], [str(DATA / "vignettes.csv")]


def _answers(results, problems) -> dict[tuple[str, str], dict]:
    found: dict[tuple[str, str], list] = {}
    for row in problems:
        found.setdefault((row["source"], row["case_id"]), []).append((row["field"], row["message"]))
    return {
        (row["source"], row["case_id"]): {
            **{c: row[c] for c in COMPARED},
            "problems": sorted(found.get((row["source"], row["case_id"]), [])),
        }
        for row in results
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(polars answers, spark answers) for every case, keyed by (source, case id)."""
    tmp = tmp_path_factory.mktemp("spark-read")
    packets, single, csvs = _inputs(tmp)
    clf = build_classifier()
    polars_side: dict = {}
    for path in [*packets, *single, *csvs]:
        for chunk in pipeline.run([Path(path)], clf):
            source = dict(zip(chunk.frame["case_id"], chunk.frame["source"], strict=True))
            answers = _answers(
                [
                    {**r, "source": source[r["case_id"]]}
                    for r in chunk.results.iter_rows(named=True)
                ],
                [
                    {**r, "source": source[r["case_id"]]}
                    for r in chunk.problems.iter_rows(named=True)
                ],
            )
            polars_side.update(answers)
    os.environ.setdefault(spark_engine.DRIVER_MEMORY_ENV, "2g")
    spark = spark_engine.session("local[2]")
    frames = [
        packet_spark.read(spark, packets, 0),
        packet_spark.read(spark, single, 2**40),
        spark_csv.read(spark, csvs, 2**41),
    ]
    df = frames[0].select(*m.COLUMNS, "_row")
    for other in frames[1:]:
        df = df.unionByName(other.select(*m.COLUMNS, "_row"))
    bad, results = spark_engine.run(df, clf)
    spark_side = _answers(
        [r.asDict() for r in results.collect()], [r.asDict() for r in bad.collect()]
    )
    return polars_side, spark_side


def test_spark_reading_the_inputs_itself_answers_every_case_as_polars(both) -> None:
    polars_side, spark_side = both
    assert set(spark_side) == set(polars_side)
    differ = [
        (key, field, polars_side[key][field], spark_side[key][field])
        for key in sorted(polars_side)
        for field in (*COMPARED, "problems")
        if polars_side[key][field] != spark_side[key][field]
    ]
    assert differ == []


def test_the_comparison_covers_the_real_phenopackets_the_misfits_and_every_status(both) -> None:
    polars_side, _ = both
    assert sum(1 for k in polars_side if "real.jsonl:" in k[0]) == 353
    assert sum(1 for k in polars_side if "/real-" in k[0] and k[0].endswith(".json:1")) == 353
    assert sum(1 for k in polars_side if "vignettes.csv:" in k[0]) == 50
    statuses = {a["status"] for a in polars_side.values()}
    assert statuses == {"classified", "ambiguous", "unclassified", "invalid", "not_a_case"}
    odd = {k[1]: a for k, a in polars_side.items() if "odd.jsonl:" in k[0]}
    assert odd["typo"]["problems"][0][0] == "phenopacket"  # "subjekt": the bindings say why
    assert "not JSON: Extra data" in odd["line-15"]["problems"][0][1]  # not read as "two"
    assert odd["dog"]["status"] != "invalid" and not any(
        "calcium" in m for _f, m in odd["dog"]["problems"]
    )


def test_a_record_that_fits_is_recognised_as_python_recognises_it() -> None:
    from calcinosis_kg.cases import packet_map

    lines = [x if isinstance(x, str) else json.dumps(x) for x in ODD]
    fit = [packet_map.fits_text(x) for x in lines]
    # a cut line fits, and so does one with more after its object: their parse fails
    assert fit == [True] * 9 + [False] * 4 + [True, True]
    assert packet_spark.is_packets("s3a://lake/p.jsonl") and not packet_spark.is_packets("a.csv")


def test_single_json_files_keep_the_record_readers_names_and_lines(both) -> None:
    _, spark_side = both
    single = {(k[0].rsplit("/", 1)[-1], k[1]) for k in spark_side if "/single/" in k[0]}
    assert len(single) == 353 + 4
    assert ("noid.json:3", "item-1") in single  # the object starts on line 3
    listed = sorted((int(k[0].split(":")[1]), k[1]) for k in single if "list.json" in k[0])
    assert [x[1] for x in listed] == ["dog", "item-2"] and 2 == listed[0][0] < listed[1][0]
    typo = next(v for k, v in spark_side.items() if k[0].endswith("typo.json:1"))
    assert typo["status"] == "invalid" and typo["problems"][0][0] == "phenopacket"


def test_a_json_file_with_more_after_its_object_stops_as_the_record_reader_stops(
    tmp_path, both
) -> None:
    from calcinosis_kg.core.errors import InputError

    path = tmp_path / "after.json"
    path.write_text(json.dumps({"id": "a"}) + "\n{}", encoding="utf-8")
    with pytest.raises(InputError) as polars_error:
        list(pipeline.run([path], None))
    with pytest.raises(InputError) as spark_error:
        packet_spark.read(spark_engine.session("local[2]"), [str(path)], 0)
    assert str(spark_error.value) == str(polars_error.value)
    assert "extra data after the record" in str(spark_error.value)
