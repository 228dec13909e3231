"""The vectorised CSV reader (``cases.csv_frame``) gives byte for byte what the record reader
gives: the same frame, the same output in every format, the same problems, errors and exit
codes, on synthetic cohorts, the vignettes, every hostile case file and crafted edge cases.

The record reader is the reference: ``inputs.VECTORISED = False`` sends every CSV row through
it (it stays in the product as the fallback for rows the vectorised reader cannot read exactly).
"""

from __future__ import annotations

import importlib.util
import shutil
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from calcinosis_kg.cases import api, classify, csv_frame, inputs, pipeline

DATA = Path(__file__).parent / "cases_data"
FORMATS = ("table", "csv", "jsonl", "ttl")


def _hostile() -> object:
    spec = importlib.util.spec_from_file_location(
        "hostile_cases", Path(__file__).parent / "hostile" / "test_hostile_cases.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE = _hostile()
HEADER = (
    "case_id,taxon,sex,age_years,calcium_value,calcium_unit,calcium_ref_low,"
    "calcium_ref_high,calcium_status,albumin_value,albumin_unit,phosphate_value,"
    "phosphate_unit,phosphate_status,diseases,exposures,sites,features,treatments,"
    "responses,lists_complete,reported_type\n"
)
#: crafted files: name -> content (each exercises a rule or a hand-over to the record reader)
EDGES: dict[str, str | bytes] = {
    "crlf.csv": HEADER.replace("\n", "\r\n") + "c1,,f,50,2.9,mmol/L,,,,,,1.2,mmol/L,,,,,,,,,\r\n",
    "bom.csv": b"\xef\xbb\xbf" + (HEADER + "c1,,m,40,10.9,mg/dL,,,,,,,,,,,,,,,,\n").encode(),
    "quoted.csv": HEADER
    + 'c1,,f,50,,,,,,,,,,,"MONDO:0005100;systemic sclerosis",,,,,,,\n'
    + "c2,,f,50,,,,,,,,,,,,,,,,,,\n",
    "cells.csv": HEADER + "c1,,f\nc2,,f,50,,,,,,,,,,,,,,,,,,,extra,\nc3,,m,30,,,,,,,,,,,,,,,,,,\n",
    "blank.csv": HEADER + "\n , ,\n,,,,,,,,,,,,,,,,,,,,,\nc1,,f,50,,,,,,,,,,,,,,,,,,\n\n",
    "spaces.csv": HEADER + "\x1cc1\x1f,\u00a0NCBITaxon:9615 , F ,\u3000 7 ,,,,,,,,,,,,,,,,,,\n",
    "names.csv": HEADER + "c1,dog,female,60,11.8,mg/dL,,,,3.1,g/dL,5.6,mg/dL,,"
    "systemic sclerosis;OMIM:181750,none,hand;fingers,HP:0003072,CHEBI:101278,complete,yes,"
    "\nc2,human,male,,2.9,mmol/L,2.1,2.6,raised,,,,,,icd10:M34.0,,elbows,,,,diseases,"
    "CCKG:0000002\nc3,,female,8,2.0,mmol/L,,,high,40,g/L,2.5,mmol/L,low,,,,HP:0002905,,,,\n"
    "c4,,x,200,1e400,mmol/L,,,,,,1.2,mEq/L,,foo:1,,UBERON:0002386,,,partial;complete,maybe,\n",
    "only_blank.csv": HEADER + ",,,,,,,,,,,,,,,,,,,,,\n\n",
    "missing_id.csv": HEADER + ",,f,50,,,,,,,,,,,,,,,,,,\nc2,,f,50,,,,,,,,,,,,,,,,,,\n",
    "no_unit_column.csv": "case_id,albumin_value,calcium_value,calcium_unit\nc1,40,2.3,mmol/L\n",
    "late_quote.csv": HEADER
    + "".join(f"c{i},,f,{20 + i % 60},2.{i % 9},mmol/L,,,,,,,,,,,,,,,,\n" for i in range(300))
    + 'q1,,f,50,,,,,,,,,,,"MONDO:0005100",,,,,,,\n'
    + "c-last,,m,30,,,,,,,,,,,,,,,,,,\n",
    "empty.csv": "",
    "header_only.csv": HEADER,
    "no_id_column.csv": "sex,age_years\nf,50\n",
    "nul.csv": HEADER + "c1,,f\x00,50,,,,,,,,,,,,,,,,,,\n",
    "lone_cr.csv": HEADER + "c1,,f,50,,,,,,,,,,,,,,,,,,\rc2,,f,50,,,,,,,,,,,,,,,,,,\n",
}


@cache
def _classifier() -> classify.Classifier:
    return classify.build_classifier()


@pytest.fixture(autouse=True)
def _one_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(classify, "build_classifier", _classifier)
    monkeypatch.setattr(api, "build_classifier", _classifier)  # api imports it at its top


def _both(monkeypatch: pytest.MonkeyPatch, run: object) -> tuple[object, object]:
    monkeypatch.setattr(inputs, "VECTORISED", True)
    new = run()  # type: ignore[operator]
    monkeypatch.setattr(inputs, "VECTORISED", False)
    old = run()  # type: ignore[operator]
    monkeypatch.setattr(inputs, "VECTORISED", True)
    return new, old


def _assert_same(run_cli, monkeypatch, *paths: Path, complete: str | None = None) -> None:
    """Frames, problems, every classify format and validate: identical in both modes."""
    from calcinosis_kg.core.errors import InputError

    def frames() -> tuple[list[pl.DataFrame], list[str]]:
        failed: list[InputError] = []
        return list(pipeline.iter_frames(paths, chunk=700, failed=failed)), [
            e.one_line() for e in failed
        ]

    (new, new_failed), (old, old_failed) = _both(monkeypatch, frames)  # type: ignore[misc]
    assert new_failed == old_failed
    assert [f.height for f in new] == [f.height for f in old]
    for a, b in zip(new, old, strict=True):
        assert_frame_equal(a, b)
    extra = ("--complete-lists", complete) if complete else ()
    for fmt in FORMATS:
        got, want = _both(
            monkeypatch,
            lambda fmt=fmt: run_cli("cases", "classify", *map(str, paths), "--format", fmt, *extra),
        )
        assert got == want, fmt
    got, want = _both(monkeypatch, lambda: run_cli("cases", "validate", *map(str, paths)))
    assert got == want


@pytest.mark.parametrize(("seed", "rate"), [(1, 0.03), (2, 0.0), (3, 0.25)])
def test_a_synthetic_cohort_reads_the_same_by_both_readers(
    run_cli, monkeypatch, tmp_path, seed, rate
) -> None:
    path = tmp_path / "cohort.csv"
    code, _out, err = run_cli(
        "cases",
        "synth",
        "--n",
        "1500",
        "--seed",
        str(seed),
        "--invalid-rate",
        str(rate),
        "--output",
        str(path),
    )
    assert code == 0, err
    _assert_same(run_cli, monkeypatch, path)


@pytest.mark.parametrize("name", ["vignettes.csv", "bad_rows.csv", "identifiers.csv"])
def test_the_hand_written_cases_read_the_same_by_both_readers(run_cli, monkeypatch, name) -> None:
    _assert_same(run_cli, monkeypatch, DATA / name)


def test_declared_complete_lists_read_the_same_by_both_readers(run_cli, monkeypatch) -> None:
    _assert_same(run_cli, monkeypatch, DATA / "vignettes.csv", complete="both")


@pytest.mark.parametrize("name", sorted(EDGES))
def test_an_edge_case_file_reads_the_same_by_both_readers(
    run_cli, monkeypatch, tmp_path, name
) -> None:
    content = EDGES[name]
    (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    shutil.copy(DATA / "vignettes.csv", tmp_path / "good.csv")
    _assert_same(run_cli, monkeypatch, tmp_path)


def test_a_quote_in_a_later_block_hands_the_rest_to_the_record_reader(
    run_cli, monkeypatch, tmp_path
) -> None:
    monkeypatch.setattr(csv_frame, "BLOCK", 2048)  # many blocks: the quote is in a late one
    path = tmp_path / "late_quote.csv"
    path.write_text(str(EDGES["late_quote.csv"]))
    _assert_same(run_cli, monkeypatch, path)


def test_small_blocks_read_the_same_as_one_block(run_cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(csv_frame, "BLOCK", 1000)
    _assert_same(run_cli, monkeypatch, DATA / "vignettes.csv", DATA / "bad_rows.csv")


@pytest.mark.parametrize(
    "name",
    sorted(
        n
        for n, v in {
            **HOSTILE.BAD_RECORDS,  # type: ignore
            **HOSTILE.BAD_FILES,
        }.items()  # type: ignore
        if v[0].endswith(".csv")
    ),
)
def test_a_hostile_case_file_reads_the_same_by_both_readers(
    run_cli, monkeypatch, tmp_path, name
) -> None:
    table = {**HOSTILE.BAD_RECORDS, **HOSTILE.BAD_FILES}  # type: ignore[attr-defined]
    file_name, content = table[name][:2]
    folder = HOSTILE._folder(tmp_path, file_name, content)  # type: ignore[attr-defined]
    _assert_same(run_cli, monkeypatch, folder)


def test_a_row_of_a_plain_file_is_read_without_the_record_reader(monkeypatch) -> None:
    from calcinosis_kg.cases import readers

    def refuse(*_args: object) -> None:
        raise AssertionError("the record reader was used")

    monkeypatch.setattr(readers, "csv_record", refuse)
    frames = list(pipeline.iter_frames([DATA / "vignettes.csv"]))
    assert sum(f.height for f in frames) > 40


def test_space_is_what_python_strips() -> None:
    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == csv_frame.SPACE


def test_padded_finds_a_line_with_a_cell_strip_would_change() -> None:
    lines = ["a,b,c", "a b,c d,e", ""]
    for space in csv_frame.SPACE.replace("\n", ""):  # a line never holds its end of line
        lines += [f"{space}a,b", f"a{space},b", f"a,{space}b", f"a,b{space}", f"a,{space}"]
    found = pl.Series(lines).str.contains(csv_frame.PADDED).to_list()
    assert found == [any(c != c.strip() for c in line.split(",")) for line in lines]
    assert found.count(True) == 5 * (len(csv_frame.SPACE) - 1)
