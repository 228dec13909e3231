"""The per-file memos of the vectorised readers (``csv_rules.Memo``) stay under their cap: a
file whose serum values, ages and codes are all distinct (an adversarial 10M-row export) empties
them when full instead of growing them with the file, and still reads exactly as the record
reader reads it, block after block."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from calcinosis_kg.cases import csv_frame, csv_rules, inputs, packet_polars, pipeline

CAP = 40
HEADER = (
    "case_id,taxon,sex,age_years,calcium_value,calcium_unit,calcium_ref_low,calcium_ref_high,"
    "calcium_status,albumin_value,albumin_unit,phosphate_value,phosphate_unit,diseases,features\n"
)


def _kept(monkeypatch: pytest.MonkeyPatch, module: object) -> list[csv_rules.Rules]:
    """Every ``Rules`` the reader ``module`` makes, kept for the test to look into."""
    made: list[csv_rules.Rules] = []

    class Kept(csv_rules.Rules):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(getattr(module, "csv_rules", module), "Rules", Kept)
    if module is csv_frame:
        monkeypatch.setattr(csv_frame, "Rules", Kept)
    return made


def _sizes(rules: csv_rules.Rules) -> dict[str, int]:
    return {
        "choices": len(rules.choices),
        "reads": len(rules.reads),
        **{k: len(v) for k, v in rules.memo.items()},
    }


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[pl.DataFrame, pl.DataFrame]:
    new = pl.concat(list(pipeline.iter_frames([path])))
    monkeypatch.setattr(inputs, "VECTORISED", False)
    old = pl.concat(list(pipeline.iter_frames([path])))
    monkeypatch.setattr(inputs, "VECTORISED", True)
    return new, old


def test_a_memo_never_holds_more_than_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_rules, "CAP", 8)
    memo = csv_rules.Memo()
    for i in range(100):
        memo[(i,)] = i
        assert len(memo) <= 8 and memo[(i,)] == i
    memo.update({(i,): i for i in range(100, 100 + 8 - len(memo))})  # full again
    memo[(103,)] = "again"  # a key it holds is replaced, nothing emptied
    assert len(memo) == 8 and memo[(103,)] == "again" and (99,) in memo


def test_a_csv_file_of_distinct_values_keeps_every_memo_under_its_cap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(csv_rules, "CAP", CAP)
    monkeypatch.setattr(csv_frame, "BLOCK", 4096)  # many blocks: memos outlive blocks
    made = _kept(monkeypatch, csv_frame)
    path = tmp_path / "distinct.csv"
    rows = [
        f"c{i},{'NCBITaxon:9615' if i % 7 == 0 else ''},{'fm'[i % 2]},{1 + i * 0.37:.2f},"
        f"{2.0 + i / 1000:.3f},mmol/L,{'2.1,2.6' if i % 3 else ','},{'' if i % 5 else 'high'},"
        f"{30 + i / 100:.2f},g/L,{0.8 + i / 997:.4f},mmol/L,MONDO:{1000000 + i},HP:{i:07d}\n"
        for i in range(900)
    ]
    path.write_text(HEADER + "".join(rows))
    new, old = _both(path, monkeypatch)
    assert_frame_equal(new, old)
    sizes = _sizes(made[0])
    assert max(sizes.values()) <= CAP, sizes
    assert {"reads", "calcium", "phosphate", "age_years", "conditions"} <= set(sizes)


def test_a_packet_file_of_distinct_values_keeps_every_memo_under_its_cap(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(csv_rules, "CAP", CAP)
    monkeypatch.setattr(packet_polars, "BLOCK", 8192)
    made = _kept(monkeypatch, packet_polars)
    path = tmp_path / "distinct.jsonl"

    def quantity(value: float, ranged: bool) -> dict[str, object]:
        q: dict[str, object] = {"value": value, "unit": {"id": "UCUM:mmol/L"}}
        if ranged:
            q["referenceRange"] = {"low": 2.1, "high": 2.6, "unit": {"id": "UCUM:mmol/L"}}
        return {"quantity": q}

    packets = [
        {
            "id": f"p{i}",
            "subject": {
                "id": "s",
                "sex": ["FEMALE", "MALE"][i % 2],
                "timeAtLastEncounter": {"age": {"iso8601duration": f"P{1 + i % 90}Y{i % 12}M"}},
            },
            "phenotypicFeatures": [{"type": {"id": "HP:0025520"}}],
            "diseases": [{"term": {"id": f"MONDO:{1000000 + i}"}}],
            "measurements": [
                # every odd record's calcium distinct; the others' labs met again in later
                # blocks, with other default bands
                {
                    "assay": {"id": "LOINC:17861-6"},
                    "value": quantity(2.0 + i / 1000 if i % 2 else 2.6, i % 3 == 1),
                },
                {"assay": {"id": "LOINC:2777-1"}, "value": quantity(1.2 + i % 4 / 10, False)},
            ],
        }
        for i in range(600)
    ]
    path.write_text("".join(json.dumps(p) + "\n" for p in packets))
    new, old = _both(path, monkeypatch)
    assert_frame_equal(new, old)
    sizes = _sizes(made[0])
    assert max(sizes.values()) <= CAP, sizes
    assert {"measure", "judge:calcium", "durations", "conditions"} <= set(sizes)
