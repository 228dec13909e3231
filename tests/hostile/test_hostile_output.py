"""Terminal escapes in labels: text output shows them escaped, machine formats keep them exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OSC = "\x1b]0;pwned\x07"
CSI = "\x1b[2J\x1b[H"
LABEL = f"calc{OSC}ium{CSI}\u202e!"


@pytest.fixture
def escaped_label(tmp_path: Path) -> Path:
    path = tmp_path / "esc.nt"
    path.write_text(
        f"<https://w3id.org/calcinosis-kg/CCKG_9000001> "
        f"<http://www.w3.org/2000/01/rdf-schema#label> "
        f"{json.dumps(LABEL)} .\n"
        "<https://w3id.org/calcinosis-kg/CCKG_9000001> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/2002/07/owl#Class> .\n",
        encoding="utf-8",
    )
    return path


def _raw_controls(text: str) -> list[str]:
    return [
        c
        for c in text
        if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"
    ]


def test_search_and_query_tables_escape_terminal_controls(
    attack, escaped_label: Path, tmp_path: Path
) -> None:
    found = attack("search", "calc", "--ontology", escaped_label)
    assert found.code == 0 and "\\x1b]0;pwned\\x07" in found.out
    assert _raw_controls(found.out) == []
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?c ?l WHERE { ?c rdfs:label ?l }")
    table = attack("query", query, "--ontology", escaped_label)
    assert table.code == 0 and _raw_controls(table.out) == [] and "\\x1b[2J" in table.out


@pytest.mark.parametrize("fmt", ["tsv", "csv", "json"])
def test_machine_formats_keep_the_label_exact_even_when_piped(
    attack, escaped_label: Path, tmp_path: Path, fmt: str
) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?l WHERE { ?c rdfs:label ?l }")
    result = attack("query", query, "--format", fmt, "--ontology", escaped_label)
    assert result.code == 0
    if fmt == "json":
        assert json.loads(result.out)["rows"][0]["l"] == LABEL
    else:
        assert LABEL in result.out  # click strips escapes from piped output unless told not to


def test_search_tsv_and_json_keep_the_label_exact(attack, escaped_label: Path) -> None:
    tsv = attack("search", "calc", "--format", "tsv", "--ontology", escaped_label)
    assert LABEL in tsv.out
    as_json = attack("search", "calc", "--format", "json", "--ontology", escaped_label)
    assert json.loads(as_json.out)[0]["label"] == LABEL


def test_an_error_quoting_hostile_input_is_one_escaped_line(attack, tmp_path: Path) -> None:
    path = tmp_path / "id.jsonld"
    path.write_text(json.dumps({"@id": f"http://e/a {OSC}\nforged line", "http://e/p": "x"}))
    result = attack("info", "--ontology", path)
    result.refused("@id")
    assert _raw_controls(result.err) == []
