"""Hostile case files (``cases validate|classify|report|query``): each attack sits in a folder
next to a good cohort and must cost only itself — a bad record is one invalid row (exit 1), a
file that cannot be read is one error line naming it (exit 2) while the good cohort is still
read and written out; never a traceback, a hang, a connection or a raw control character."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).parent.parent / "cases_data"
PREFIXES = (
    "@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .\n"
    "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
)
CASE = "<https://w3id.org/calcinosis-kg/case/"


def packet(**fields: object) -> str:
    return json.dumps({"id": "h1", **fields})


def calcium(value: str) -> str:
    return (
        '{"id": "h1", "measurements": [{"assay": {"id": "LOINC:17861-6"}, "value": '
        '{"quantity": {"unit": {"id": "UCUM:mmol/L"}, "value": ' + value + "}}}]}"
    )


def age(duration: str) -> str:
    return packet(
        subject={"id": "s", "timeAtLastEncounter": {"age": {"iso8601duration": duration}}}
    )


#: name -> (file name, content, field of the one invalid record)
BAD_RECORDS: dict[str, tuple[str, str | bytes, str]] = {
    "10,000-level nesting in a JSON line": (
        "deep.jsonl",
        '{"id": "h1", "x": ' + "[" * 10_000 + "]" * 10_000 + "}",
        "phenopacket",
    ),
    "a 5,000-digit integer": ("int.jsonl", calcium("9" * 5000), "phenopacket"),
    "1 followed by 400 zeros": ("zeros.jsonl", calcium("1" + "0" * 400), "phenopacket"),
    "a float overflowing to infinity": ("inf.jsonl", calcium("1e400"), "phenopacket"),
    "an age of P9999999999999999999D": ("age.jsonl", age("P9999999999999999999D"), "age_years"),
    "a negative age": ("neg.jsonl", age("P-5Y"), "age_years"),
    "an empty age": ("empty.jsonl", age("P"), "age_years"),
    "a lone surrogate in the id": ("surrogate.jsonl", '{"id": "a\\ud800b"}', "phenopacket"),
    "a truncated JSON line": ("cut.jsonl", '{"id": "h1", "subj', "phenopacket"),
    "a key given twice": ("twice.jsonl", '{"id": "h1", "id": "h2"}', "phenopacket"),
    "a JSON line that is no object": ("list.jsonl", "[1, 2, 3]", "phenopacket"),
    "two serum calcium measurements": (
        "two.jsonl",
        json.dumps(
            {
                "id": "h1",
                "measurements": [
                    {
                        "assay": {"id": "LOINC:17861-6"},
                        "value": {"quantity": {"unit": {"id": "UCUM:mmol/L"}, "value": v}},
                    }
                    for v in (2.3, 3.1)
                ],
            }
        ),
        "measurements",
    ),
    "a bad byte": ("byte.csv", b"case_id,sex\nh1,m\xe4le\n", "row"),
    "digit separators": ("sep.csv", "case_id,age_years\nh1,4_0\n", "age_years"),
    "Arabic-Indic digits": ("arabic.csv", "case_id,age_years\nh1,\u0664\u0660\n", "age_years"),
    "an inverted reference range": (
        "range.csv",
        "case_id,phosphate_value,phosphate_unit,phosphate_ref_low,"
        "phosphate_ref_high\nh1,1.2,mmol/L,1.5,0.8\n",
        "phosphate_reference_range",
    ),
    "70,000 distinct diseases in one cell": (
        "many.csv",
        "case_id,diseases\nh1," + ";".join(f"MONDO:{n:07d}" for n in range(70_000)) + "\n",
        "diseases",
    ),
    "a duplicate id of the good cohort": (
        "dup.csv",
        "case_id,sex\nmet-calcium-mgdl,male\n",
        "case_id",
    ),
    "a literal rdf:type that would close an IRI": (
        "type.ttl",
        PREFIXES + CASE + 'h1> a CCKG:0000700 ; dcterms:identifier "h1" ; '
        "CCKG:0001110 " + CASE + "h1/site/1> .\n" + CASE + 'h1/site/1> a "x> <http://evil/s> '
        '<http://evil/p> <http://evil/o" .\n',
        "sites",
    ),
}

#: name -> (file name, content, words of its one error line)
BAD_FILES: dict[str, tuple[str, str | bytes, tuple[str, ...]]] = {
    "a truncated JSON file": ("cut.json", '[{"id": "h1"},\n{"id": ', ("cut.json:2", "not JSON")),
    "a JSON list nested 100,000 deep": (
        "deep.json",
        "[" * 100_000 + "]" * 100_000,
        ("deep.json:1", "nested too deeply"),
    ),
    "a duplicate CSV header column": (
        "head.csv",
        "case_id,sex,SEX\nh1,male,female\n",
        ("head.csv:1", "duplicate column"),
    ),
    "an unterminated quote": (
        "quote.csv",
        'case_id,sex\nh1,male\n"h2,male\nh3,female\n',
        ("quote.csv:3", "unterminated"),
    ),
    "a 2 MB identifier": (
        "long.csv",
        "case_id,sex\n" + "x" * (2 * 1024 * 1024) + ",male\n",
        ("long.csv:2", "longer than"),
    ),
    "a header that is not UTF-8": (
        "latin.csv",
        b"case_id,s\xe9x\nh1,male\n",
        ("latin.csv:1", "UTF-8"),
    ),
}


def _folder(tmp_path: Path, name: str, content: str | bytes) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DATA / "vignettes.csv", folder / "good.csv")
    data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
    (folder / name).write_bytes(data)
    return folder


def _good_ids() -> set[str]:
    with (DATA / "vignettes.csv").open(newline="") as handle:
        return {row["case_id"] for row in csv.DictReader(handle)}


def _classified(path: Path) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(path.read_text(), newline=""))
    return {row["case_id"]: row["status"] for row in rows}


@pytest.mark.parametrize("name", sorted(BAD_RECORDS))
def test_a_bad_record_is_one_invalid_row_and_costs_no_other(attack, tmp_path, name) -> None:
    file_name, content, field = BAD_RECORDS[name]
    folder = _folder(tmp_path, file_name, content)
    checked = attack("cases", "validate", folder)
    assert checked.code == 1 and "Traceback" not in checked.err, checked.err[-2000:]
    problems = [line for line in checked.out.splitlines() if file_name in line]
    assert problems and f": {field}: " in problems[0], problems
    assert f"{len(_good_ids()) + 1} cases" in checked.err
    out = tmp_path / "out.csv"
    classified = attack("cases", "classify", folder, "--format", "csv", "--output", out)
    assert classified.code == 0 and "Traceback" not in classified.err
    rows = _classified(out)
    assert _good_ids() <= rows.keys() and list(rows.values()).count("invalid") == 1


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_file_that_cannot_be_read_is_one_line_and_the_others_are_written(
    attack, tmp_path, name
) -> None:
    file_name, content, words = BAD_FILES[name]
    folder = _folder(tmp_path, file_name, content)
    out = tmp_path / "out.csv"
    result = attack("cases", "classify", folder, "--format", "csv", "--output", out)
    errors = [line for line in result.err.splitlines() if line.startswith("calcinosis-kg:")]
    assert result.code == 2 and "Traceback" not in result.err
    assert len(errors) == 1 and all(w.lower() in errors[0].lower() for w in words), errors
    assert len(errors[0]) < 400
    assert _good_ids() <= _classified(out).keys()


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "link to /dev/urandom"])
def test_a_case_input_that_is_no_regular_file_is_refused_without_hanging(
    attack, tmp_path, kind
) -> None:
    folder = _folder(tmp_path, "x.txt", "")
    path = folder / "stream.jsonl"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(kind.rsplit(" ", 1)[-1])
    result = attack("cases", "validate", folder, bound=30)
    assert result.code == 2 and "stream.jsonl: not a regular file" in result.err
    assert f"{len(_good_ids())} cases" in result.err


def test_50_000_copies_of_one_id_are_counted_once_each_in_linear_work(attack, tmp_path) -> None:
    # quadratic renaming took hours here; linear takes seconds (the bound allows for load)
    folder = _folder(tmp_path, "copies.jsonl", (packet() + "\n") * 50_000)
    result = attack("cases", "validate", folder, bound=180)
    assert result.code == 1 and f"{len(_good_ids()) + 50_000} cases" in result.err
    assert result.out.count("copies.jsonl:50000: h1.dup50000: case_id: duplicate of") == 1


def test_a_case_file_over_the_input_limit_is_refused(attack, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_INPUT_MB", "1")
    folder = _folder(tmp_path, "big.jsonl", (packet() + "\n") * 90_000)
    result = attack("cases", "validate", folder)
    assert result.code == 2 and "big.jsonl: file larger than 1 MB refused" in result.err


@pytest.mark.parametrize(
    "make",
    [
        lambda url: (
            f'{{"@context": "{url}ctx.jsonld", "@id": "{CASE[1:]}h1", "@type": '
            '"https://w3id.org/calcinosis-kg/CCKG_0000700"}'
        ),
        lambda url: (
            f'{{"@context": {{"@base": "{url}", "@import": "{url}i.jsonld"}}, "@id": "h1"}}'
        ),
    ],
)
def test_remote_contexts_in_case_files_are_never_fetched(
    attack, connection_recorder, tmp_path, make
) -> None:
    folder = _folder(tmp_path, "remote.jsonld", make(connection_recorder.url))
    result = attack("cases", "validate", folder)
    assert result.code == 2 and "remote.jsonld" in result.err and "Traceback" not in result.err
    assert connection_recorder.connections == 0


def test_control_characters_from_case_files_never_reach_the_terminal(attack, tmp_path) -> None:
    hostile = "h\x1b]0;owned\x07\u202e\x9b2J"
    folder = _folder(
        tmp_path,
        "ctl.jsonl",
        json.dumps({"id": hostile, "subject": {"id": "s", "sex": "NOT_A_SEX"}}),
    )
    for args in (("validate",), ("classify",), ("query", "by-type")):
        result = attack("cases", *args[:1], *args[1:], folder)
        shown = result.out + result.err
        assert not any(c in shown for c in "\x1b\x07\u202e\x9b"), args


def test_formulas_in_case_files_are_inert_in_every_csv_output(attack, tmp_path) -> None:
    folder = _folder(
        tmp_path,
        "f.csv",
        'case_id,sex\n"=HYPERLINK(""http://x"",""y"")",robot\n+cmd,male\n@SUM,male\n',
    )
    outputs = []
    for args in (("classify", "--format", "csv"), ("validate",)):
        out = tmp_path / f"{args[0]}.csv"
        attack("cases", args[0], folder, *args[1:], "--output", out)
        outputs.append(out.read_text())
    cells = [
        cell
        for text in outputs
        for row in csv.reader(io.StringIO(text, newline=""))
        for cell in row
    ]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert '\'=HYPERLINK("http://x","y")' in cells


@pytest.mark.parametrize("target", ["/dev/null", "fifo", "link to /dev/null"])
def test_outputs_go_to_regular_files_only_and_leave_no_temp(attack, tmp_path, target) -> None:
    out = tmp_path / "o"
    out.mkdir()
    path = Path(target) if target == "/dev/null" else out / "x.csv"
    if target == "fifo":
        os.mkfifo(path)
    elif target.startswith("link"):
        path.symlink_to("/dev/null")
    for args in (
        ("classify", DATA / "vignettes.csv"),
        ("validate", DATA / "bad_rows.csv"),
        ("query", "by-type", DATA / "vignettes.csv"),
    ):
        result = attack("cases", *args, "--output", path)
        assert result.code == 2 and "not a regular file" in result.err, (args, result.err)
    assert sorted(p.name for p in out.iterdir()) == ([] if target == "/dev/null" else ["x.csv"])


# ------------------------------------------------------------------------------- properties

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "subject",
                    "measurements",
                    "assay",
                    "value",
                    "quantity",
                    "unit",
                    "age",
                    "iso8601duration",
                    "timeAtLastEncounter",
                    "phenotypicFeatures",
                    "type",
                    "x",
                ]
            ),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=20,
)
HEADS = [
    b"case_id,sex,age_years,calcium_value,calcium_unit\n",
    b'{"id": "a", ',
    b"[",
    b"",
    PREFIXES.encode() + CASE.encode(),
]


def _lines_are_errors_or_the_summary(err: str) -> None:
    for line in err.splitlines():
        assert line.startswith("calcinosis-kg: error: ") or " cases: " in line, line
        assert "Traceback" not in line


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.tuples(st.sampled_from(HEADS), st.binary(max_size=200)).map(lambda p: p[0] + p[1]),
    ),
    suffix=st.sampled_from([".csv", ".json", ".jsonl", ".ttl", ".nt", ".jsonld"]),
)
def test_any_bytes_in_a_case_file_give_exit_0_1_or_2_never_a_traceback(
    run_cli, data, suffix
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"cases{suffix}"
        path.write_bytes(data)
        code, out, err = run_cli("cases", "validate", str(path))
    assert code in (0, 1, 2), err
    _lines_are_errors_or_the_summary(err)
    assert not any(c in out for c in "\x1b\x07\u202e")


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(items=st.lists(JSON_VALUES, min_size=1, max_size=4), listed=st.booleans())
def test_any_json_values_as_phenopackets_are_per_record_errors(run_cli, items, listed) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("p.json" if listed else "p.jsonl")
        text = json.dumps(items) if listed else "\n".join(json.dumps(i) for i in items)
        path.write_text(text)
        out = Path(folder) / "o.ttl"
        code, _out, err = run_cli(
            "cases", "classify", str(path), "--format", "ttl", "--output", str(out)
        )
        assert code == 0, err  # every JSON value is a record, valid or not: none is lost
        _lines_are_errors_or_the_summary(err)
        list(ox.parse(out.read_bytes(), format=ox.RdfFormat.TURTLE))
        assert f"{len(items)} cases" in err


@pytest.mark.parametrize(
    "args", [("classify", "--format", "csv"), ("validate",), ("query", "by-type"), ("report",)]
)
def test_every_case_writer_gives_the_umask_mode_and_leaves_no_temp(attack, tmp_path, args) -> None:
    out = tmp_path / "o"
    out.mkdir()
    target = out if args[0] == "report" else out / "x.csv"
    command = (
        (args[0], *args[1:], DATA / "vignettes.csv")
        if args[0] != "query"
        else ("query", "by-type", DATA / "vignettes.csv")
    )
    umask = os.umask(0o027)
    try:
        result = attack("cases", *command, "--output", target)
    finally:
        os.umask(umask)
    assert result.code in (0, 1) and "Traceback" not in result.err
    (written,) = list(out.iterdir())
    assert written.name in ("x.csv", "index.html") and written.stat().st_mode & 0o777 == 0o640


CELLS = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                column: st.one_of(
                    CELLS,
                    st.sampled_from(
                        [
                            "MONDO:0005100",
                            "UBERON:0001461",
                            "2.5",
                            "mmol/L",
                            "male",
                            "none",
                            "=1+1",
                            "a;b",
                            "CCKG:0000002",
                        ]
                    ),
                )
                for column in (
                    "case_id",
                    "sex",
                    "age_years",
                    "calcium_value",
                    "calcium_unit",
                    "diseases",
                    "sites",
                    "treatments",
                    "responses",
                    "reported_type",
                )
            }
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_csv_cells_classify_to_turtle_that_parses_and_csv_that_is_inert(run_cli, rows) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        ttl, table = Path(folder) / "o.ttl", Path(folder) / "o.csv"
        code, _out, err = run_cli(
            "cases", "classify", str(path), "--format", "ttl", "--output", str(ttl)
        )
        assert code in (0, 2), err
        _lines_are_errors_or_the_summary(err)
        if code == 2:
            return
        list(ox.parse(ttl.read_bytes(), format=ox.RdfFormat.TURTLE))
        code, _out, err = run_cli(
            "cases", "classify", str(path), "--format", "csv", "--output", str(table)
        )
        cells = [c for row in csv.reader(io.StringIO(table.read_text(), newline="")) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], cells
