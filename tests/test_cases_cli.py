"""`calcinosis-kg cases …`: exit codes, formats, deterministic and atomic output."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "cases_data"


def test_validate_exits_0_when_every_record_is_valid(run_cli) -> None:
    code, out, err = run_cli("cases", "validate", str(DATA / "vignettes.csv"))
    assert code == 0 and out == ""
    assert "42 cases: 42 valid, 0 invalid" in err


def test_validate_exits_1_and_names_record_and_field_when_one_is_invalid(run_cli) -> None:
    code, out, _err = run_cli("cases", "validate", str(DATA / "bad_rows.csv"))
    assert code == 1
    assert "bad_rows.csv:7: bad-sex: sex: one of male, female, other, unknown (got robot)" in out


def test_validate_exits_2_with_one_line_on_an_unreadable_file(run_cli, tmp_path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("not json")
    code, out, err = run_cli("cases", "validate", str(bad))
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "x.json:1:1: not JSON" in err
    assert "Traceback" not in err


def test_validate_exits_2_on_a_missing_path(run_cli, tmp_path) -> None:
    code, _out, err = run_cli("cases", "validate", str(tmp_path / "nope.csv"))
    assert code == 2 and "no such file or directory" in err


def test_classify_csv_has_the_documented_columns_and_one_row_per_case(run_cli) -> None:
    code, out, err = run_cli("cases", "classify", str(DATA / "bad_rows.csv"), "--format", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "case_id,status,type_id,type_label,criteria,ranges,identifiers,sources"
    assert len(lines) == 1 + 14
    assert "14 cases: 1 classified, 0 ambiguous, 1 unclassified, 12 invalid" in err


def test_classify_jsonl_lists_types_and_fired_criteria(run_cli) -> None:
    code, out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format",
                              "jsonl")
    rows = {r["case_id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0 and rows["amb-ssc-coal"]["types"] == ["CCKG:0000002", "CCKG:0000007"]
    assert rows["isc-young-man"]["fired"] == ["CCKG:0000724", "CCKG:0000725"]


def test_classify_ttl_is_parseable_and_types_each_case(run_cli, tmp_path) -> None:
    import pyoxigraph as ox

    target = tmp_path / "out.ttl"
    code, _out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format",
                               "ttl", "--output", str(target))
    store = ox.Store()
    store.load(target.read_bytes(), format=ox.RdfFormat.TURTLE)
    typed = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a "
                        "<https://w3id.org/calcinosis-kg/CCKG_0000717> }")
    assert code == 0 and next(iter(typed))["n"].value == "1"


def test_classify_output_is_byte_identical_across_runs(run_cli, tmp_path) -> None:
    for fmt in ("csv", "ttl", "table"):
        outputs = []
        for name in ("a", "b"):
            target = tmp_path / f"{name}.{fmt}"
            run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", fmt,
                    "--output", str(target))
            outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1]


def test_synth_then_classify_round_trip(run_cli, tmp_path) -> None:
    cohort = tmp_path / "c.jsonl"
    code, _out, err = run_cli("cases", "synth", "--n", "40", "--seed", "1", "--invalid-rate",
                              "0.1", "--output", str(cohort))
    assert code == 0 and "wrote 40 cases" in err
    code, out, _err = run_cli("cases", "classify", str(cohort), "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 41


def test_classify_output_to_a_device_writes_through_and_keeps_the_device(run_cli) -> None:
    import stat

    code, _out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--output",
                               "/dev/null")
    assert code == 0 and stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_classify_output_file_gets_the_umask_mode_not_0600(run_cli, tmp_path) -> None:
    import os

    target = tmp_path / "types.csv"
    run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", "csv", "--output",
            str(target))
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
