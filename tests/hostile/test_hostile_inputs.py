"""Hostile input files: every command that reads RDF answers one line and exit 2 (or loads the
file safely), within a time bound and without touching the network — the attacks that broke
(cyclic lists, deep nesting, huge tokens, FIFOs, devices, UTF-16, silent 0-triple loads) and the
ones that held (XXE, billion laughs, remote contexts, owl:imports)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

OWL = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
RDF = "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
EX = "@prefix ex: <http://example.org/> .\n"


def nested(depth: int) -> str:
    """A class whose superclass is a restriction nested ``depth`` blank nodes deep."""
    return (
        OWL + EX + "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "ex:p a owl:ObjectProperty .\nex:C a owl:Class ; rdfs:subClassOf "
        + "[ a owl:Restriction ; owl:onProperty ex:p ; owl:someValuesFrom " * depth
        + "ex:C"
        + " ]" * depth
        + " .\n"
    )


def hostile_files(tmp: Path, url: str) -> dict[str, tuple[Path, tuple[str, ...]]]:
    """name -> (file, words the one-line refusal must contain)."""
    files: dict[str, tuple[str | bytes, str, tuple[str, ...]]] = {
        "cyclic rdf:List": (
            RDF + EX + "ex:s ex:p _:a .\n_:a rdf:first ex:x ; rdf:rest _:b .\n"
            "_:b rdf:first ex:y ; rdf:rest _:a .\n",
            "list.ttl",
            ("cyclic",),
        ),
        "self-looping list cell": (
            RDF + EX + "_:a rdf:first ex:x ; rdf:rest _:a .\n",
            "loop.ttl",
            ("cyclic",),
        ),
        "nesting 300 deep": (nested(300), "deep.ttl", ("nested",)),
        "UTF-16 RDF/XML": (
            '<?xml version="1.0" encoding="UTF-16"?><rdf:RDF xmlns:rdf='
            '"http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'.encode("utf-16"),
            "u16.rdf",
            ("UTF-16",),
        ),
        "rdf:parseType Bogus": (
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999'
            '/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/a">\n'
            '<ex:p rdf:parseType="Bogus"><ex:x/></ex:p>\n'
            "</rdf:Description></rdf:RDF>\n",
            "bogus.rdf",
            ("parseType",),
        ),
        "JSON-LD @id with a space": (
            '{"@id": "http://example.org/a b", "http://example.org/p": "x"}',
            "id.jsonld",
            ("@id",),
        ),
        "XXE": (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{url}secret">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&x;</rdf:RDF>',
            "xxe.rdf",
            ("external entity",),
        ),
        "billion laughs": (
            '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY a "ha">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
            "laughs.rdf",
            ("nested entities",),
        ),
        "remote JSON-LD context": (
            f'{{"@context": "{url}ctx.jsonld", "@id": "http://e/a", "p": "x"}}',
            "ctx.jsonld",
            ("context",),
        ),
        "binary garbage": (bytes(range(256)) * 4, "junk.ttl", ("malformed",)),
        "truncated RDF/XML": (
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/'
            '1999/02/22-rdf-syntax-ns#">\n<rdf:Description',
            "cut.rdf",
            ("malformed",),
        ),
        "NUL in Turtle": (EX + 'ex:a ex:b "x\x00y" .\n', "nul.ttl", ()),
        "over-long literal": (
            EX + 'ex:a ex:b "' + "x" * (2 * 1024 * 1024) + '" .\n',
            "long.ttl",
            ("longer than",),
        ),
    }
    out = {}
    for name, (content, filename, words) in files.items():
        path = tmp / filename
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        out[name] = (path, words)
    return out


NAMES = [
    "cyclic rdf:List",
    "self-looping list cell",
    "nesting 300 deep",
    "UTF-16 RDF/XML",
    "rdf:parseType Bogus",
    "JSON-LD @id with a space",
    "XXE",
    "billion laughs",
    "remote JSON-LD context",
    "binary garbage",
    "truncated RDF/XML",
    "NUL in Turtle",
    "over-long literal",
]
COMMANDS = {
    "info": lambda f, out: ["info", "--ontology", f],
    "export ttl": lambda f, out: ["export", "--format", "ttl", "--output", out, "--ontology", f],
    "export owl": lambda f, out: ["export", "--format", "owl", "--output", out, "--ontology", f],
    "validate": lambda f, out: ["validate", f],
    "diff": lambda f, out: ["diff", f, f],
}
ALSO_NON_REGULAR = {"check": lambda f, out: ["check", "--no-cache", "--ontology", f]}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("name", NAMES)
def test_hostile_file_is_refused_in_one_line(
    attack, connection_recorder, tmp_path: Path, command: str, name: str
) -> None:
    path, words = hostile_files(tmp_path, connection_recorder.url)[name]
    out = tmp_path / "out" / "result"
    result = attack(*COMMANDS[command](path, out))
    if name == "NUL in Turtle" and result.code == 0:
        return  # a NUL inside a string literal is legal RDF: loaded, never a traceback
    result.refused(*words)
    assert not out.exists()


@pytest.mark.parametrize("command", ["info", "validate", "export ttl", "diff", "check"])
def test_non_regular_inputs_are_refused_without_reading(
    attack, tmp_path: Path, command: str
) -> None:
    fifo = tmp_path / "fifo.ttl"
    os.mkfifo(fifo)  # opening it would block until a writer appears
    build = {**COMMANDS, **ALSO_NON_REGULAR}[command]
    for path in (fifo, Path("/dev/zero")):
        result = attack(*build(path, tmp_path / "o.ttl"), bound=20)
        result.refused("not a regular file")


def test_a_directory_as_input_is_one_line(attack, tmp_path: Path) -> None:
    attack("info", "--ontology", tmp_path).refused("directory")


def test_unresolved_import_is_warned_once_and_never_fetched(
    attack, connection_recorder, tmp_path: Path
) -> None:
    path = tmp_path / "imp.ttl"
    path.write_text(
        OWL + f"<http://e/o> a owl:Ontology ; owl:imports <{connection_recorder.url}x.owl> .\n",
        encoding="utf-8",
    )
    result = attack("info", "--ontology", path)
    assert result.code == 0
    assert result.err.count("not resolved") == 1


def test_an_input_file_over_the_size_limit_is_refused(
    attack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_INPUT_MB", "1")
    path = tmp_path / "big.nt"
    path.write_bytes(b"<http://e/a> <http://e/b> <http://e/c> .\n" * 40_000)
    attack("info", "--ontology", path).refused("larger than 1 MB", "CALCINOSIS_KG_MAX_INPUT_MB")


def test_nesting_within_the_limit_still_exports(attack, tmp_path: Path) -> None:
    path = tmp_path / "ok.ttl"
    path.write_text(nested(100), encoding="utf-8")
    result = attack("export", "--format", "ttl", "--output", tmp_path / "o.ttl", "--ontology", path)
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    "name, content, where",
    [
        (
            "lang.jsonld",
            '{"@id": "http://e/a",\n "http://e/p": {"@value": 3, "@language": 5}}\n',
            ":2:31:",
        ),
        (
            "iri.rdf",
            '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
            'syntax-ns#">\n<rdf:Description rdf:about="http://e/a"><rdf:type rdf:resource="bad iri"/>'
            "</rdf:Description></rdf:RDF>\n",
            ":3:65:",
        ),
        ("cut.ttl", '@prefix ex: <http://e/> .\nex:a ex:b "unterminated .\n', ":2:"),
    ],
)
def test_parse_errors_name_line_and_column(
    attack, tmp_path: Path, name: str, content: str, where: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = attack("info", "--ontology", path)
    result.refused()
    assert f"{path}{where}" in result.err


@pytest.mark.parametrize(
    "name, make",
    [
        (
            "import.jsonld",
            lambda url: json.dumps(
                {
                    "@context": {"@version": 1.1, "@import": url + "c.jsonld"},
                    "@id": "http://e/a",
                    "http://e/p": "x",
                }
            ),
        ),
        (
            "array.jsonld",
            lambda url: json.dumps(
                {
                    "@context": [{"ex": "http://e/"}, url + "c.jsonld"],
                    "@id": "http://e/a",
                    "ex:p": "x",
                }
            ),
        ),
        ("base.ttl", lambda url: f"@base <{url}> .\n<a> <b> <c> .\n"),
        (
            "base.rdf",
            lambda url: (
                '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
                f'02/22-rdf-syntax-ns#" xml:base="{url}"><rdf:Description '
                'rdf:about="a"><rdf:type rdf:resource="b"/></rdf:Description>'
                "</rdf:RDF>\n"
            ),
        ),
    ],
)
def test_remote_bases_and_context_imports_are_never_fetched(
    attack, connection_recorder, tmp_path: Path, name: str, make
) -> None:
    path = tmp_path / name
    path.write_text(make(connection_recorder.url), encoding="utf-8")
    result = attack("info", "--ontology", path)
    if name.endswith(".jsonld"):  # a remote context is refused, never fetched
        result.refused("remote JSON-LD @context refused")
    else:  # a remote base only resolves relative IRIs: read, nothing fetched
        assert result.code == 0 and "triples: 1" in result.out, result.err
