"""``calcinosis-kg report``: exit codes follow --fail-on, formats and --output work, bad input is
one line on stderr with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcinosis_kg.cli import main

TTL = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

<https://w3id.org/calcinosis-kg/test.owl> a owl:Ontology ;
    dcterms:title "Test" ; dcterms:description "Test ontology." ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .
obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .
obo:MONDO_0005093 a owl:Class ; rdfs:label "skin disorder" .
CCKG:0000001 a owl:Class ; rdfs:label "calcinosis cutis" ;
    obo:IAO_0000115 "A calcinosis of the skin." ;
    rdfs:subClassOf obo:MONDO_0002123 .
"""
# two parents: a WARN (multiple_asserted_superclasses), nothing at ERROR
WARN_ONLY = TTL + "CCKG:0000001 rdfs:subClassOf obo:MONDO_0005093 .\n"
# a class without a label: an ERROR (missing_label)
WITH_ERROR = TTL + (
    'CCKG:0000002 a owl:Class ; obo:IAO_0000115 "X." ; rdfs:subClassOf obo:MONDO_0002123 .\n'
)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def ontology(tmp_path: Path, text: str) -> str:
    path = tmp_path / "onto.ttl"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_report_exits_1_on_an_error_by_default(tmp_path: Path, capsys):
    code, out, _ = run(["report", "--ontology", ontology(tmp_path, WITH_ERROR)], capsys)
    assert code == 1
    assert "ERROR\tmissing_label\tCCKG:0000002\trdfs:label\t" in out


def test_report_exits_0_when_only_warnings_and_fail_on_error(tmp_path: Path, capsys):
    code, out, _ = run(["report", "--ontology", ontology(tmp_path, WARN_ONLY)], capsys)
    assert code == 0
    assert "WARN\tmultiple_asserted_superclasses\tCCKG:0000001" in out


def test_report_exits_1_on_a_warning_with_fail_on_warn(tmp_path: Path, capsys):
    code, _, _ = run(
        ["report", "--fail-on", "WARN", "--ontology", ontology(tmp_path, WARN_ONLY)], capsys
    )
    assert code == 1


def test_report_never_fails_with_fail_on_none(tmp_path: Path, capsys):
    code, _, _ = run(
        ["report", "--fail-on", "none", "--ontology", ontology(tmp_path, WITH_ERROR)], capsys
    )
    assert code == 0


def test_report_writes_json_to_output_file(tmp_path: Path, capsys):
    target = tmp_path / "out" / "qc.json"
    code, out, err = run(
        [
            "report",
            "--format",
            "json",
            "--output",
            str(target),
            "--ontology",
            ontology(tmp_path, WITH_ERROR),
        ],
        capsys,
    )
    assert code == 1
    assert out == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["counts"]["ERROR"] == 1
    assert "1 at or above --fail-on ERROR" in err


def test_report_markdown_shows_subject_labels(tmp_path: Path, capsys):
    _, out, _ = run(
        ["report", "--format", "md", "--ontology", ontology(tmp_path, WARN_ONLY)], capsys
    )
    assert "| WARN | multiple_asserted_superclasses | CCKG:0000001 (calcinosis cutis) |" in out


def test_report_on_malformed_turtle_is_one_line_exit_2(tmp_path: Path, capsys):
    code, out, err = run(["report", "--ontology", ontology(tmp_path, TTL + "CCKG:1 a\n")], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "onto.ttl:" in err and "Traceback" not in err


def test_report_with_a_bad_profile_names_the_profile_line(tmp_path: Path, capsys):
    profile = tmp_path / "profile.tsv"
    profile.write_text("ERROR\tno_such_rule\n", encoding="utf-8")
    code, _, err = run(
        ["report", "--profile", str(profile), "--ontology", ontology(tmp_path, TTL)], capsys
    )
    assert code == 2
    assert f"{profile}:1:7: rule 'no_such_rule'" in err


def test_report_help_has_an_example(capsys):
    code, out, _ = run(["report", "--help"], capsys)
    assert code == 0
    assert "calcinosis-kg report --format md" in out
