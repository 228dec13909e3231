"""The declarative Phenopacket reader (polars, ``packet_map`` schema) against the record reader.

The record reader (protobuf bindings, one ``Record`` per line) is the reference: for every input
the wide frames must be equal, column by column, and the records that do not fit the schema must
get the record reader's own message.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from calcinosis_kg.cases import packet_map, packet_polars, readers
from calcinosis_kg.cases.frame import to_frame
from calcinosis_kg.cases.synth import write_cohort

DATA = Path(__file__).parent / "cases_data"
CC = {"type": {"id": "HP:0025520"}}
BASE = {"id": "p1", "subject": {"id": "s", "sex": "FEMALE"}, "phenotypicFeatures": [CC]}


def _declarative(path: Path) -> pl.DataFrame:
    return pl.concat(list(packet_polars.frames(path)))


def _reference(path: Path) -> pl.DataFrame:
    return to_frame([r.row() for r in readers.read_phenopackets(path)])


def _same(path: Path) -> pl.DataFrame:
    new = _declarative(path)
    assert_frame_equal(new, _reference(path))
    return new


def _lines(tmp_path: Path, *items: object, name: str = "x.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "\n".join(i if isinstance(i, str) else json.dumps(i) for i in items) + "\n",
        encoding="utf-8",
    )
    return path


def test_the_real_phenopackets_read_the_same_as_through_the_bindings(tmp_path) -> None:
    path = tmp_path / "real.jsonl"
    path.write_bytes(gzip.decompress((DATA / "phenopacket-store-sample.jsonl.gz").read_bytes()))
    frame = _same(path)
    assert frame.height == 353 and frame["not_a_case"].is_not_null().all()


@pytest.mark.parametrize(("n", "seed", "rate"), [(1500, 8, 0.05), (1500, 3, 0.25)])
def test_a_synthetic_cohort_reads_the_same_as_through_the_bindings(tmp_path, n, seed, rate):
    path = tmp_path / "synth.jsonl"
    write_cohort(path, n, seed, rate)
    frame = _same(path)
    assert frame.filter(pl.col("errors").list.len() > 0).height > 0


def test_records_that_fit_are_never_built_by_the_bindings(tmp_path, monkeypatch) -> None:
    path = tmp_path / "synth.jsonl"
    write_cohort(path, 300, 8, 0.0)
    reference = _reference(path)
    built: list[str] = []
    original = readers.phenopacket_record
    monkeypatch.setattr(
        readers,
        "phenopacket_record",
        lambda item, *a, **k: built.append(a[0]) or original(item, *a, **k),
    )
    assert_frame_equal(_declarative(path), reference)
    assert built == []


LAB = {
    "assay": {"id": "LOINC:17861-6"},
    "value": {
        "quantity": {
            "value": 2.9,
            "unit": {"id": "UCUM:mmol/L"},
            "referenceRange": {"low": 2.2, "high": 2.6, "unit": {"id": "UCUM:mmol/L"}},
        }
    },
}


PHOSPHATE = {
    "assay": {"id": "LOINC:2777-1"},
    "value": {"quantity": {"value": 1.9, "unit": {"id": "UCUM:mmol/L"}}},
}
ALBUMIN = {
    "assay": {"id": "LOINC:1751-7"},
    "value": {"quantity": {"value": 30, "unit": {"id": "UCUM:g/L"}}},
}


def _unit(item: dict, unit: str) -> dict:
    return {**item, "value": {"quantity": {**item["value"]["quantity"], "unit": {"id": unit}}}}


@pytest.mark.parametrize(
    "item",
    [
        {**BASE, "measurements": [LAB]},
        # repeated assays: the errors in the assays' order, not the measurements'
        {**BASE, "measurements": [PHOSPHATE, PHOSPHATE, LAB, ALBUMIN, LAB, LAB]},
        # the measurements' errors in their positions' order; an unknown assay left out
        {
            **BASE,
            "measurements": [
                _unit(PHOSPHATE, "UCUM:furlong"),
                {"assay": {"id": "LOINC:0000-0"}},
                _unit(ALBUMIN, "UCUM:mg"),
                _unit(LAB, "UCUM:kg"),
            ],
        },
        {**BASE, "measurements": [ALBUMIN, {**LAB, "value": {"quantity": {"value": 2.0}}}]},
        {**BASE, "measurements": [LAB] * 1001},
        {
            **BASE,
            "phenotypicFeatures": [CC, {"type": {"id": "HP:0003072"}}],
            "measurements": [_unit(PHOSPHATE, "UCUM:mmol/L")],
        },
        {**BASE, "measurements": [LAB, LAB]},
        {**BASE, "measurements": [{"assay": {"id": "LOINC:17861-6"}}]},
        {**BASE, "measurements": [{**LAB, "value": {"quantity": {"value": 9.0}}}]},
        {
            **BASE,
            "subject": {"sex": "MALE", "timeAtLastEncounter": {"age": {"iso8601duration": "P"}}},
        },
        {**BASE, "subject": {"taxonomy": {"id": "dog"}}},
        {**BASE, "diseases": [{"term": {"id": "CCKG:0000608"}, "excluded": True}]},
        {**BASE, "phenotypicFeatures": [{**CC, "excluded": True}]},
        {**BASE, "phenotypicFeatures": [{**CC, "excluded": True}, CC]},
        {**BASE, "phenotypicFeatures": [{"type": {"id": "not a curie"}}]},
        {**BASE, "medicalActions": [{"treatment": {"agent": {"id": "CHEBI:1"}}}]},
        {**BASE, "id": ""},
        {**BASE, "unknownKey": 1},
        {**BASE, "subject": {"time_at_last_encounter": {"age": {"iso8601duration": "P3Y"}}}},
        {**BASE, "subject": {"sex": "NOT_A_SEX"}},
        {**BASE, "measurements": [{**LAB, "value": {"quantity": {"value": "2.5"}}}]},
        {**BASE, "id": 5},
        [1, 2],
        '{"id": "a", "id": "b"}',
        '{"id": "cut',
        "",
    ],
)
def test_each_kind_of_record_reads_as_the_bindings_read_it(tmp_path, item) -> None:
    _same(_lines(tmp_path, BASE, item, {**BASE, "id": "p3"}))


def test_the_fit_rules_agree_in_python_and_in_polars() -> None:
    lines = [
        json.dumps(BASE),
        json.dumps({**BASE, "unknownKey": 1}),
        json.dumps({**BASE, "subject": {"sex": 1}}),
        json.dumps({**BASE, "phenotypicFeatures": [{**CC, "excluded": "yes"}]}),
        '{"id": "a", "subject": {"sex": "MALE", "sex": "MALE"}}',
        '{"id": "a", "label": "\\"id\\": 5"}',
        # the same key in sibling objects, at every depth, is no repeat; inside one object it is
        '{"phenotypicFeatures": [{"type": {"id": "x"}}, {"type": {"id": "y"}}], "id": "p"}',
        '{"subject": {"id": "s"}, "id": "p", "diseases": [{"term": {"id": "d"}}]}',
        '{"phenotypicFeatures": [{"type": {"id": "x"}}, {"type": {"id": "y", "id": "z"}}]}',
    ]
    frame = pl.DataFrame({"text": lines})
    polars_side = frame.select(packet_polars.fits())["text"] & packet_polars.keys_fit(frame)
    assert polars_side.to_list() == [packet_map.fits_text(x) for x in lines]
    assert polars_side.to_list() == [True, False, False, False, False, True, True, True, False]
