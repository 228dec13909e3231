"""The case pipeline across files: unique ids, unreadable files isolated, safe writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.api import validate_paths
from calcinosis_kg.core.errors import InputError

DATA = Path(__file__).parent / "cases_data"


def test_a_case_id_repeated_in_another_file_is_an_error_of_the_later_record(tmp_path) -> None:
    first = tmp_path / "a.csv"
    first.write_text("case_id,sex\nx1,male\nx2,female\n")
    second = tmp_path / "b.csv"
    second.write_text("case_id,sex\nx2,male\nx2,female\n")
    report = validate_paths([first, second])
    assert report.total == 4 and report.invalid == 2
    assert report.table().select("source", "case_id", "message").rows() == [
        (f"{second}:2", "x2.dup2", f"duplicate of the record at {first}:3"),
        (f"{second}:3", "x2.dup3", f"duplicate of the record at {first}:3"),
    ]


def test_duplicate_ids_across_turtle_nodes_are_reported_per_record(tmp_path: Path) -> None:
    source = tmp_path / "c.ttl"
    source.write_text(
        "@prefix case: <https://w3id.org/calcinosis-kg/case/> .\n"
        "@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        'case:a a CCKG:0000700 ; dcterms:identifier "same" .\n'
        'case:b a CCKG:0000700 ; dcterms:identifier "same" .\n'
    )
    report = validate_paths([source])
    assert report.table().select("case_id", "field").rows() == [("same.dup2", "case_id")]


def test_two_copies_of_a_cohort_are_twice_its_records_not_its_square(tmp_path: Path) -> None:
    from calcinosis_kg.cases.classify import build_classifier
    from calcinosis_kg.cases.report import collect

    for name in ("one.csv", "two.csv"):
        shutil.copy(DATA / "vignettes.csv", tmp_path / name)
    n = validate_paths([DATA / "vignettes.csv"]).total
    cases, problems = collect([tmp_path], build_classifier())
    assert cases.height == 2 * n and cases["case_id"].n_unique() == 2 * n
    assert cases.filter(pl.col("status") == "invalid").height == n
    assert problems.height == n


def test_an_unreadable_file_in_a_folder_costs_only_that_file(tmp_path: Path) -> None:
    shutil.copy(DATA / "vignettes.csv", tmp_path / "a.csv")
    (tmp_path / "b.json").write_text('[{"id": "p1"},\n{"id": "p2"},\n{"id": ')
    shutil.copy(DATA / "vignettes.csv", tmp_path / "c.csv")
    failed: list[InputError] = []
    frames = list(pipeline.iter_frames([tmp_path], failed=failed))
    ids = pl.concat(frames)["case_id"].to_list()
    n = validate_paths([DATA / "vignettes.csv"]).total
    assert len(ids) == n + 2 + n and ids[n : n + 2] == ["p1", "p2"]
    assert [e.one_line() for e in failed] == [
        f"{tmp_path / 'b.json'}:3:8: not JSON: Expecting value"
    ]


def test_spreadsheet_formulas_are_neutralised_and_numbers_stay_numbers() -> None:
    table = pl.DataFrame(
        {
            "a": [
                '=HYPERLINK("http://x","y")',
                "+1+2",
                "-1.5",
                "@SUM(A1)",
                "\tx",
                "\r=1",
                " =1",
                "plain",
                "-",
                "1e5",
            ],
            "n": [1.0] * 10,
        }
    )
    import csv
    import io

    out = list(csv.reader(io.StringIO(pipeline.spreadsheet_csv(table).decode(), newline="")))
    assert [row[0] for row in out[1:]] == [
        '\'=HYPERLINK("http://x","y")',
        "'+1+2",
        "-1.5",
        "'@SUM(A1)",
        "'\tx",
        "'\r=1",
        "' =1",
        "plain",
        "'-",
        "1e5",
    ]
    assert {row[1] for row in out[1:]} == {"1.0"}


def test_the_results_table_escapes_control_characters_and_bidi_overrides() -> None:
    results = pl.DataFrame(
        {
            "case_id": ["a\x1b]0;pwned\x07", "b\u202eexe.txt"],
            "status": ["invalid", "invalid"],
            "type_id": ["", ""],
            "type_label": ["", ""],
            "criteria": ["", ""],
            "flags": ["", ""],
            "reason": ["invalid record: sex: 'x\x1b[31m' is not one of …", ""],
            "suggested": ["", ""],
            "ranges": ["", ""],
            "identifiers": ["", ""],
            "sources": ["", ""],
        }
    )
    text = pipeline.results_text(results, "table").decode()
    assert "a\\x1b]0;pwned\\x07" in text and "b\\u202eexe.txt" in text
    assert "invalid record: sex: 'x\\x1b[31m'" in text  # the reason column is escaped too
    assert "\x1b" not in text and "\u202e" not in text


def test_no_value_can_close_an_iri_and_add_a_triple() -> None:
    import pyoxigraph as ox

    from calcinosis_kg.cases.triples import ntriples

    table = pl.DataFrame(
        {
            "s": ["https://w3id.org/calcinosis-kg/case/a"],
            "p": ["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"],
            "o": ["http://a> <http://evil/s> <http://evil/p> <http://evil/o"],
            "lit": [False],
            "dt": [""],
        }
    )
    parsed = list(ox.parse(ntriples(table), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == 1
    assert (
        parsed[0].object.value == "http://a%3E%20%3Chttp://evil/s%3E%20%3Chttp://evil/p%3E%20"
        "%3Chttp://evil/o"
    )


def test_a_missing_path_among_several_costs_only_itself(tmp_path: Path) -> None:
    failed: list[InputError] = []
    frames = list(
        pipeline.iter_frames([tmp_path / "nope.csv", DATA / "vignettes.csv"], failed=failed)
    )
    assert pl.concat(frames).height == validate_paths([DATA / "vignettes.csv"]).total
    assert [e.one_line() for e in failed] == [f"{tmp_path / 'nope.csv'}: no such file or directory"]


def test_records_that_are_no_json_object_are_invalid_each_under_its_own_name(tmp_path) -> None:
    path = tmp_path / "items.json"
    path.write_text('[1, "x", null, {"id": "ok"}]')
    other = tmp_path / "other.json"
    other.write_text("[2]")
    rows = validate_paths([path, other]).table().select("case_id", "message").rows()
    assert rows == [
        ("item-1", "a Phenopacket is a JSON object, not a number"),
        ("item-2", "a Phenopacket is a JSON object, not a string"),
        ("item-3", "a Phenopacket is a JSON object, not null"),
        ("item-1.dup2", "a Phenopacket is a JSON object, not a number"),
    ]


def test_an_identifier_with_a_newline_gets_its_message_not_none(tmp_path: Path) -> None:
    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": "x\\ny"}\n')
    (message,) = validate_paths([path]).table()["message"].to_list()
    assert message is not None and message.endswith("(got x\ny)")


def test_a_huge_identifier_is_cut_in_messages_and_lines_for_people(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("case_id,sex\n" + "a" * 500_000 + ",male\n")
    report = validate_paths([path])
    (message,) = report.table()["message"].to_list()
    text = report.problems_text().decode()
    assert message.endswith("… (500000 characters))") and len(message) < 300
    assert len(text) < 600 and "… (500,000 characters): case_id:" in text
