"""`calcinosis-kg cases …`: exit codes, formats, deterministic and atomic output."""

from __future__ import annotations

import json
import os
from pathlib import Path

DATA = Path(__file__).parent / "cases_data"


def test_validate_exits_0_when_every_record_is_valid(run_cli) -> None:
    code, out, err = run_cli("cases", "validate", str(DATA / "vignettes.csv"))
    assert code == 0 and out == ""
    assert "50 cases: 50 valid, 0 invalid" in err


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
    assert lines[0] == (
        "case_id,status,type_id,type_label,criteria,flags,reason,suggested,ranges,"
        "identifiers,sources"
    )
    assert len(lines) == 1 + 14
    assert "14 cases: 1 classified, 0 ambiguous, 1 unclassified, 12 invalid" in err


def test_classify_jsonl_lists_types_and_fired_criteria(run_cli) -> None:
    code, out, _err = run_cli("cases", "classify", str(DATA / "vignettes.csv"), "--format", "jsonl")
    rows = {r["case_id"]: r for r in map(json.loads, out.splitlines())}
    assert code == 0 and rows["amb-ssc-coal"]["types"] == ["CCKG:0000002", "CCKG:0000007"]
    assert rows["isc-young-man"]["fired"] == ["CCKG:0000724", "CCKG:0000725"]


def test_classify_ttl_is_parseable_and_types_each_case(run_cli, tmp_path) -> None:
    import pyoxigraph as ox

    target = tmp_path / "out.ttl"
    code, _out, _err = run_cli(
        "cases", "classify", str(DATA / "vignettes.csv"), "--format", "ttl", "--output", str(target)
    )
    store = ox.Store()
    store.load(target.read_bytes(), format=ox.RdfFormat.TURTLE)
    typed = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/calcinosis-kg/CCKG_0000717> }"
    )
    assert code == 0 and next(iter(typed))["n"].value == "2"  # isc-young-man, isc-registry-…


def test_classify_output_is_byte_identical_across_runs(run_cli, tmp_path) -> None:
    for fmt in ("csv", "ttl", "table"):
        outputs = []
        for name in ("a", "b"):
            target = tmp_path / f"{name}.{fmt}"
            run_cli(
                "cases",
                "classify",
                str(DATA / "vignettes.csv"),
                "--format",
                fmt,
                "--output",
                str(target),
            )
            outputs.append(target.read_bytes())
        assert outputs[0] == outputs[1]


def test_synth_then_classify_round_trip(run_cli, tmp_path) -> None:
    cohort = tmp_path / "c.jsonl"
    code, _out, err = run_cli(
        "cases",
        "synth",
        "--n",
        "40",
        "--seed",
        "1",
        "--invalid-rate",
        "0.1",
        "--output",
        str(cohort),
    )
    assert code == 0 and "wrote 40 cases" in err
    code, out, _err = run_cli("cases", "classify", str(cohort), "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 41


def test_classify_output_to_a_device_is_refused_like_every_writer(run_cli, tmp_path) -> None:
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in ("/dev/null", str(fifo)):
        code, out, err = run_cli(
            "cases", "classify", str(DATA / "vignettes.csv"), "--output", target
        )
        assert code == 2 and out == "", err
        assert f"{target}: not a regular file" in err and err.count("\n") == 1
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode) and stat.S_ISFIFO(fifo.stat().st_mode)


def test_classify_output_dash_writes_to_standard_output(run_cli) -> None:
    code, out, _err = run_cli(
        "cases", "classify", str(DATA / "vignettes.csv"), "--format", "csv", "--output", "-"
    )
    assert code == 0 and out.startswith("case_id,status,")


def test_classify_output_file_gets_the_umask_mode_not_0600(run_cli, tmp_path) -> None:
    import os

    target = tmp_path / "types.csv"
    run_cli(
        "cases", "classify", str(DATA / "vignettes.csv"), "--format", "csv", "--output", str(target)
    )
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_validate_reads_on_past_an_unreadable_file_and_exits_2(run_cli, tmp_path) -> None:
    import shutil

    shutil.copy(DATA / "bad_rows.csv", tmp_path / "a.csv")
    (tmp_path / "b.json").write_text('{"id": ')
    code, out, err = run_cli("cases", "validate", str(tmp_path))
    lines = err.splitlines()
    assert code == 2 and "a.csv:7: bad-sex: sex:" in out
    assert lines == [
        f"calcinosis-kg: error: {tmp_path / 'b.json'}:1:8: not JSON: Expecting value",
        "14 cases: 2 valid, 12 invalid (12 problems); 1 file not read",
    ]


def test_a_truncated_json_line_is_one_invalid_record_and_the_rest_are_read(
    run_cli, tmp_path
) -> None:
    source = tmp_path / "p.jsonl"
    source.write_text('{"id": "a"}\n{"id": "b", "sub\n{"id": "c"}\n')
    code, out, err = run_cli("cases", "validate", str(source))
    assert code == 1 and out == (
        f"{source}:2: line-2: phenopacket: not JSON: Unterminated string starting at (column 13)\n"
    )
    assert "3 cases: 2 valid, 1 invalid" in err


def test_no_output_is_written_when_no_input_could_be_read(run_cli, tmp_path) -> None:
    (tmp_path / "x.json").write_text("not json")
    target = tmp_path / "out.csv"
    code, out, err = run_cli(
        "cases", "classify", str(tmp_path / "x.json"), "--format", "csv", "--output", str(target)
    )
    assert code == 2 and out == "" and not target.exists()
    assert err.splitlines() == [
        f"calcinosis-kg: error: {tmp_path / 'x.json'}:1:1: not JSON: Expecting value"
    ]


def test_validate_escapes_control_characters_for_the_terminal_and_keeps_csv_exact(
    run_cli, tmp_path
) -> None:
    import csv
    import io

    source = tmp_path / "c.csv"
    source.write_text('case_id,sex\n"=HYPERLINK(""http://x"")\x1b]0;t\x07\u202e",robot\n')
    code, out, _err = run_cli("cases", "validate", str(source))
    assert code == 1 and "\x1b" not in out and "\u202e" not in out
    assert '=HYPERLINK("http://x")\\x1b]0;t\\x07\\u202e: sex:' in out
    target = tmp_path / "problems.csv"
    run_cli("cases", "validate", str(source), "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text(), newline="")))
    assert {r["case_id"] for r in rows} == {'\'=HYPERLINK("http://x")\x1b]0;t\x07\u202e'}


def test_classify_ttl_of_a_crafted_turtle_type_re_parses_without_added_triples(
    run_cli, tmp_path
) -> None:
    import pyoxigraph as ox

    source = tmp_path / "c.ttl"
    source.write_text(
        "@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        '<https://w3id.org/calcinosis-kg/case/a> a CCKG:0000700 ; dcterms:identifier "a" ;\n'
        "  CCKG:0001110 <https://w3id.org/calcinosis-kg/case/a/site/1> .\n"
        '<https://w3id.org/calcinosis-kg/case/a/site/1> a "x> <http://evil/s> <http://evil/p> '
        '<http://evil/o" .\n'
    )
    target = tmp_path / "out.ttl"
    code, _out, err = run_cli(
        "cases", "classify", str(source), "--format", "ttl", "--output", str(target)
    )
    triples = list(ox.parse(target.read_bytes(), format=ox.RdfFormat.TURTLE))
    assert code == 0 and "1 invalid" in err and "Traceback" not in err
    # no added triple: "evil" only inside the invalid record's reason, a literal (issue 16)
    assert not [
        t
        for t in triples
        if "evil" in str(t.subject) + str(t.predicate)
        or (isinstance(t.object, ox.NamedNode) and "evil" in t.object.value)
    ]
    assert [
        t
        for t in triples
        if t.predicate.value.endswith("#comment")
        and t.object.value.startswith("invalid: invalid record:")
    ]


def test_synth_refuses_an_invalid_rate_of_nan(run_cli, tmp_path) -> None:
    code, _out, err = run_cli(
        "cases",
        "synth",
        "--n",
        "5",
        "--seed",
        "1",
        "--invalid-rate",
        "nan",
        "--output",
        str(tmp_path / "c.csv"),
    )
    assert code == 2 and "nan is not a number between 0 and 1" in err
    assert not (tmp_path / "c.csv").exists()


def test_synth_refuses_a_cohort_larger_than_its_documented_bound(run_cli, tmp_path) -> None:
    for name, most in (("c.csv", "10,000,000"), ("c.jsonl", "1,000,000")):
        code, _out, err = run_cli(
            "cases", "synth", "--n", "100000000000", "--seed", "1", "--output", str(tmp_path / name)
        )
        assert code == 2 and f"is more than {most} cases" in err
        assert not (tmp_path / name).exists()


def test_a_criterion_the_compiler_cannot_translate_is_one_line_and_exit_2(
    run_cli, monkeypatch
) -> None:
    from calcinosis_kg.cases import classify, compile

    real = compile.read_ontology

    def without_definitions(store):  # a criterion whose equivalentClass was lost
        onto = real(store)
        onto.definitions.clear()
        return onto

    monkeypatch.setattr(classify, "read_ontology", without_definitions)
    code, out, err = run_cli("cases", "classify", str(DATA / "vignettes.csv"))
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "has no equivalentClass definition" in err
    assert err.startswith("calcinosis-kg: error: ")  # a project error, not an internal one
    assert "Traceback" not in err
