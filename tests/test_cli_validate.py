"""``calcinosis-kg validate``: exit codes, formats, user data, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from test_shapes import PREFIXES, VALID_ONTOLOGY, broken

from calcinosis_kg.cli import main

BROKEN = broken('rdfs:label "dystrophic calcinosis cutis" ;', "")


def run(args: list[str], capsys) -> tuple[int, str, str]:
    """Run the console entry point; (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_conforming_ontology_exits_0(tmp_path, capsys):
    code, out, _ = run(["validate", "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)], capsys)
    assert code == 0 and "conforms" in out.splitlines()[0]


def test_violations_exit_1_and_name_shape_and_focus(tmp_path, capsys):
    code, out, _ = run(["validate", "--ontology", write(tmp_path, "o.ttl", BROKEN)], capsys)
    assert code == 1
    assert "cckgsh:LabelCountShape" in out and "CCKG:0000002" in out


def test_json_format_is_machine_readable(tmp_path, capsys):
    code, out, _ = run(
        ["validate", "--format", "json", "--ontology", write(tmp_path, "o.ttl", BROKEN)], capsys
    )
    data = json.loads(out)
    assert code == 1 and data["conforms"] is False
    assert data["shapes"][0]["violations"][0]["focus"] == "CCKG:0000002"


def test_ttl_format_is_a_shacl_report(tmp_path, capsys):
    from rdflib import Graph, URIRef

    code, out, _ = run(
        ["validate", "--format", "ttl", "--ontology", write(tmp_path, "o.ttl", BROKEN)], capsys
    )
    g = Graph().parse(data=out, format="turtle")
    focus = URIRef("http://www.w3.org/ns/shacl#focusNode")
    assert code == 1
    assert list(g.objects(None, focus)) == [URIRef("https://w3id.org/calcinosis-kg/CCKG_0000002")]


def test_output_option_writes_the_report_to_a_file(tmp_path, capsys):
    target = tmp_path / "report.json"
    code, out, _ = run(
        [
            "validate",
            "--format",
            "json",
            "--output",
            str(target),
            "--ontology",
            write(tmp_path, "o.ttl", BROKEN),
        ],
        capsys,
    )
    assert code == 1 and out == ""
    assert json.loads(target.read_text(encoding="utf-8"))["conforms"] is False


def test_valid_case_records_exit_0(tmp_path, capsys):
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/case1> a case:CaseRecord ; case:diagnosis CCKG:0000002 ;
    case:serumCalcium 2.3 .
""",
    )
    code, _, _ = run(
        ["validate", data, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)], capsys
    )
    assert code == 0


def test_invalid_case_records_exit_1_naming_the_case(tmp_path, capsys):
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/case9> a case:CaseRecord ; case:diagnosis CCKG:0000002 ;
    case:serumCalcium 9.6 .
""",
    )
    code, out, _ = run(
        ["validate", data, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)], capsys
    )
    assert code == 1 and "https://example.org/case9" in out and "CaseSerumCalciumShape" in out


def test_malformed_data_file_exits_2_with_one_line_naming_file_and_line(tmp_path, capsys):
    data = write(tmp_path, "bad.ttl", PREFIXES + "<https://example.org/a> case:diagnosis .\n")
    code, out, err = run(
        ["validate", data, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)], capsys
    )
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1
    assert f"{data}:{PREFIXES.count(chr(10)) + 1}:" in lines[0]
    assert "Traceback" not in err


def test_missing_data_file_exits_2(tmp_path, capsys):
    code, _, err = run(["validate", str(tmp_path / "nope.ttl")], capsys)
    assert code == 2 and "nope.ttl" in err


def test_help_shows_an_example(capsys):
    code, out, _ = run(["validate", "--help"], capsys)
    assert code == 0 and "calcinosis-kg validate cases.ttl" in out


def test_shapes_option_replaces_the_bundled_shapes(tmp_path, capsys):
    shapes = write(
        tmp_path,
        "s.ttl",
        PREFIXES
        + """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/NoSynonym> a sh:PropertyShape ; sh:targetNode CCKG:0000001 ;
    sh:path oboInOwl:hasExactSynonym ; sh:maxCount 0 ; sh:message "no synonyms here" .
""",
    )
    code, out, _ = run(
        ["validate", "--shapes", shapes, "--ontology", write(tmp_path, "o.ttl", BROKEN)], capsys
    )
    assert code == 1 and "no synonyms here" in out and "LabelCountShape" not in out


def test_command_module_imports_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys, calcinosis_kg.cli.validate_cmd; "
        "print(sorted(m for m in ('rdflib', 'pyshacl', 'pyoxigraph') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_invalid_shacl_in_shapes_file_exits_2_with_one_line(tmp_path, capsys):
    shapes = write(
        tmp_path,
        "bad-shapes.ttl",
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/S> a sh:PropertyShape ; sh:targetNode <https://example.org/x> ;
    sh:minCount 1 .
""",
    )
    code, _, err = run(
        ["validate", "--shapes", shapes, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)],
        capsys,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1
    assert "bad-shapes.ttl" in lines[0] and "sh:path" in lines[0]


def test_ttl_report_is_byte_identical_under_different_hash_seeds(tmp_path):
    import os
    import subprocess
    import sys

    from test_validation import KITCHEN_SINK

    onto = write(tmp_path, "o.ttl", KITCHEN_SINK)
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "calcinosis_kg",
                "validate",
                "--format",
                "ttl",
                "--ontology",
                onto,
            ],
            capture_output=True,
            env=env,
        )
        assert done.returncode == 1, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and b"sh:ValidationResult" in outputs[0]


def test_unresolved_import_in_data_is_a_warning_on_stderr_not_a_download(tmp_path, capsys):
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/mine.owl> a owl:Ontology ; owl:imports <https://example.org/remote.owl> ;
    dcterms:title "t" ; dcterms:description "d" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    owl:versionIRI <https://example.org/mine/1.owl> ; owl:versionInfo "1" .
<https://example.org/case1> a case:CaseRecord ; case:diagnosis CCKG:0000002 .
""",
    )
    code, out, err = run(
        ["validate", data, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)], capsys
    )
    assert code == 0 and "warning" in err and "remote.owl" in err
    assert "remote.owl" not in out


def test_sparql_target_that_does_not_parse_exits_2_with_one_line(tmp_path, capsys):
    shapes = write(
        tmp_path,
        "bad-target.ttl",
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/S> a sh:PropertyShape ; sh:path rdfs:label ; sh:minCount 1 ;
    sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this ?p }" ] .
""",
    )
    code, _, err = run(
        ["validate", "--shapes", shapes, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)],
        capsys,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "bad-target.ttl" in lines[0]


def test_sparql_constraint_pyshacl_rejects_exits_2_with_one_line(tmp_path, capsys):
    shapes = write(
        tmp_path,
        "values.ttl",
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
<https://example.org/S> a sh:NodeShape ;
    sh:targetNode <https://w3id.org/calcinosis-kg/CCKG_0000001> ;
    sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?x { 1 } $this ?p ?x }" ] .
""",
    )
    code, _, err = run(
        ["validate", "--shapes", shapes, "--ontology", write(tmp_path, "o.ttl", VALID_ONTOLOGY)],
        capsys,
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "VALUES" in lines[0]
