"""Strict, bounded reading of case files: numbers, ages, CSV records, JSON records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcinosis_kg.cases import parsing
from calcinosis_kg.core.errors import InputError


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("4_0", "'_'"),
        ("\u0664\u0660", "ASCII digits"),
        ("1e400", "plausible"),
        ("nan", "not a number"),
        ("inf", "not a number"),
        ("0x10", "not a number"),
        ("1" * 12, "plausible"),
    ],
)
def test_a_number_python_would_accept_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parsing.number(text)


@pytest.mark.parametrize(
    ("text", "value"), [("2.5", 2.5), (" -1.5 ", -1.5), ("1e2", 100.0), (".5", 0.5), ("+3", 3.0)]
)
def test_plain_decimal_numbers_are_read(text: str, value: float) -> None:
    assert parsing.number(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("P-5Y", "negative"),
        ("P", "empty duration"),
        ("PT", "empty duration"),
        ("P9999999999999999999D", "plausible"),
        ("5Y", "ISO 8601"),
        ("P1Y2", "ISO 8601"),
    ],
)
def test_an_age_that_cannot_be_read_says_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parsing.duration_years(text)


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("P24Y6M", 24.5),
        ("P2W", 14 / 365.25),
        ("PT5H", 5 / 24 / 365.25),
        ("P365DT12H", 365.5 / 365.25),
        ("P1.5Y", 1.5),
    ],
)
def test_iso_durations_with_dates_and_times_are_read_in_years(text: str, years: float) -> None:
    assert parsing.duration_years(text) == round(years, 6)


def test_shown_values_are_cut_so_a_huge_value_never_makes_a_huge_message() -> None:
    text = parsing.shown("x" * 50_000_000)
    assert len(text) < 200 and "50,000,000 characters" in text


def _csv(tmp_path: Path, data: bytes) -> list[tuple[int, list[str], list[str]]]:
    path = tmp_path / "c.csv"
    path.write_bytes(data)
    return list(parsing.csv_records(path))


def test_an_unterminated_quote_is_one_error_at_the_line_where_its_record_starts(tmp_path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b'case_id,sex\na,male\n"b,female\nc,male\nd,male\n')
    records = parsing.csv_records(path)
    assert [r[0] for r in (next(records), next(records))] == [1, 2]
    with pytest.raises(InputError) as info:
        next(records)
    assert str(info.value).startswith(f"{path}:3: unterminated quoted field")


def test_a_bad_byte_is_a_problem_of_its_record_with_its_line(tmp_path: Path) -> None:
    records = _csv(tmp_path, b"case_id,sex\na,male\nb\xff,female\nc,male\n")
    assert records[2] == (3, ["b\ufffd", "female"], ["not UTF-8: byte 0xff at line 3, column 2"])
    assert records[1][2] == [] and records[3][2] == []


def test_a_malformed_quote_is_a_problem_of_its_record_and_the_next_is_read(tmp_path) -> None:
    records = _csv(tmp_path, b'case_id,sex\n"a"x,male\nb,female\n')
    assert records[1][0] == 2 and records[1][2][0].startswith("malformed CSV:")
    assert records[2] == (3, ["b", "female"], [])


def test_an_endless_line_is_refused_at_its_line_in_bounded_memory(tmp_path, monkeypatch) -> None:
    import resource

    monkeypatch.setenv("CALCINOSIS_KG_MAX_RECORD_KB", "64")
    path = tmp_path / "c.csv"
    with path.open("wb") as handle:
        handle.write(b"case_id,sex\na,male\n")
        handle.write(b"x" * (200 * 1024 * 1024) + b"\n")  # 200 MB, one line
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(InputError) as info:
        list(parsing.csv_records(path))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert str(info.value) == (
        f"{path}:3: line longer than 64 KB refused (raise CALCINOSIS_KG_MAX_RECORD_KB)"
    )
    assert grown_mb < 50


def test_a_quoted_field_over_the_record_limit_names_the_line_it_started(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RECORD_KB", "1")
    path = tmp_path / "c.csv"
    path.write_bytes(b'case_id,sex\na,male\n"' + b"y" * 600 + b"\n" + b"y" * 600 + b'\n",x\n')
    with pytest.raises(InputError, match=r"c\.csv:3: a field longer than 1 KB"):
        list(parsing.csv_records(path))


def _jsonl(tmp_path: Path, lines: list[str | bytes]) -> list[tuple[int, object, str | None]]:
    path = tmp_path / "p.jsonl"
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines) + b"\n")
    return list(parsing.json_lines(path))


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"id": "t", "sub', "not JSON: Unterminated string"),
        ('{"x": ' + "[" * 10_000 + "]" * 10_000 + "}", "nested too deeply"),
        ('{"v": ' + "9" * 5000 + "}", "4300 digits"),
        ('{"id": "\\ud800x"}', "lone UTF-16 surrogate (\\ud800)"),
        (b'{"id": "\xff"}', "not UTF-8: byte 0xff at line 2"),
    ],
)
def test_a_json_line_that_cannot_be_read_is_a_problem_of_that_line_only(
    tmp_path, line, problem
) -> None:
    records = _jsonl(tmp_path, ['{"id": "a"}', line, '{"id": "b"}'])
    assert [(n, item) for n, item, _p in records] == [(1, {"id": "a"}), (2, None), (3, {"id": "b"})]
    assert problem in str(records[1][2])


def test_a_valid_surrogate_pair_is_a_character_not_an_error(tmp_path: Path) -> None:
    records = _jsonl(tmp_path, ['{"id": "\\ud83d\\ude00"}'])
    assert records == [(1, {"id": "\U0001f600"}, None)]


def test_an_over_long_json_line_is_skipped_and_the_next_one_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RECORD_KB", "1")
    records = _jsonl(tmp_path, [json.dumps({"id": "x" * 5000}), '{"id": "b"}'])
    assert records[0][1] is None and "longer than 1 KB" in str(records[0][2])
    assert records[1] == (2, {"id": "b"}, None)


def test_a_json_list_is_read_item_by_item_and_the_items_before_a_break_stand(tmp_path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[\n{"id": "a"},\n{"id": "b"},\n{"id": "c"\n')
    items = parsing.json_items(path)
    assert [next(items)[:2], next(items)[:2]] == [(2, {"id": "a"}), (3, {"id": "b"})]
    with pytest.raises(InputError, match=r"p\.json:5:1: not JSON"):
        next(items)


def test_a_json_item_nested_too_deeply_ends_the_file_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('[{"id": "a"},\n' + "[" * 10_000 + "]" * 10_000 + "]")
    items = parsing.json_items(path)
    assert next(items) == (1, {"id": "a"}, None)
    with pytest.raises(InputError, match=r"p\.json:2: not readable: JSON nested too deeply"):
        next(items)


def test_a_json_record_over_the_record_limit_is_a_problem_of_that_record(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RECORD_KB", "1")
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{"id": "x" * 5000}, {"id": "b"}]))
    items = list(parsing.json_items(path))
    assert items[0][1] is None and "larger than 1 KB" in str(items[0][2])
    assert items[1][1:] == ({"id": "b"}, None)


def test_extra_text_after_a_json_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"id": "a"}\n{"id": "b"}\n')
    items = parsing.json_items(path)
    assert next(items)[1] == {"id": "a"}
    with pytest.raises(InputError, match=r"p\.json:2: not JSON: extra data"):
        next(items)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_key_given_twice_in_one_json_object_is_a_problem_not_last_wins(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"d{suffix}"
    path.write_text(
        '{"id": "a", "subject": {"id": "s", "id": "t"}}\n'
        if suffix == ".jsonl"
        else '[{"id": "a", "id": "b"},\n{"id": "c"}]'
    )
    read = parsing.json_lines(path) if suffix == ".jsonl" else parsing.json_items(path)
    found = [(line, problem) for line, _item, problem in read]
    assert found[0] == (1, "not readable: key 'id' given twice in one object")
    assert found[1:] == ([] if suffix == ".jsonl" else [(2, None)])


def test_an_empty_json_list_is_no_records_and_text_after_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    path.write_text(" [ ]\n")
    assert list(parsing.json_items(path)) == []
    path.write_text("[] {}")
    with pytest.raises(InputError, match="extra data after the list"):
        list(parsing.json_items(path))


def test_carriage_return_line_ends_are_one_error_that_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"case_id,sex\ra,male\rb,female\r")
    with pytest.raises(
        InputError,
        match=r"mac\.csv:1: a carriage return inside an unquoted "
        r"field \(classic Mac line ends\?\)",
    ):
        list(parsing.csv_records(path))
