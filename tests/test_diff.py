"""Release notes between two versions: added/removed/changed classes, labels, mappings, axioms."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from calcinosis_kg.publish.diff import diff_files, to_markdown

HEAD = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

OLD = (
    HEAD
    + """
<https://example.org/d.owl> a owl:Ontology ; owl:versionInfo "2026-01-01" .
CCKG:9000001 a owl:Class ; rdfs:label "calcinosis cutis" ;
    obo:IAO_0000115 "Calcium in the skin." ;
    oboInOwl:hasDbXref "HP:0025520" ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;
                      owl:someValuesFrom obo:UBERON_0002097 ] .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "HP:0025520" ; sssom:predicate_id skos:exactMatch .
CCKG:9000002 a owl:Class ; rdfs:label "dystrophic calcinosis cutis" ;
    rdfs:subClassOf CCKG:9000001 .
"""
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return _write(tmp_path, "old.ttl", OLD)


def test_diff_reports_an_added_class(old: Path, tmp_path: Path):
    added = 'CCKG:9000003 a owl:Class ; rdfs:label "calciphylaxis" .\n'
    new = _write(tmp_path, "new.ttl", OLD + added)
    result = diff_files(old, new)
    assert result.added == [("CCKG:9000003", "calciphylaxis")]
    assert (result.removed, result.changed) == ([], [])


def test_diff_reports_a_removed_class(old: Path, tmp_path: Path):
    text = OLD.replace(
        'CCKG:9000002 a owl:Class ; rdfs:label "dystrophic calcinosis cutis" ;\n'
        "    rdfs:subClassOf CCKG:9000001 .\n",
        "",
    )
    result = diff_files(old, _write(tmp_path, "new.ttl", text))
    assert result.removed == [("CCKG:9000002", "dystrophic calcinosis cutis")]


def test_diff_reports_a_changed_label(old: Path, tmp_path: Path):
    new = _write(
        tmp_path,
        "new.ttl",
        OLD.replace('"dystrophic calcinosis cutis"', '"dystrophic calcification"'),
    )
    [change] = diff_files(old, new).changed
    assert change.iri == "CCKG:9000002"
    assert change.changes == ["label: “dystrophic calcinosis cutis” → “dystrophic calcification”"]


def test_diff_reports_a_changed_definition(old: Path, tmp_path: Path):
    new = _write(tmp_path, "new.ttl", OLD.replace("Calcium in the skin.", "Calcium salts in skin."))
    [change] = diff_files(old, new).changed
    assert change.changes == ["definition: “Calcium in the skin.” → “Calcium salts in skin.”"]


def test_diff_reports_a_removed_mapping(old: Path, tmp_path: Path):
    text = OLD.replace('    oboInOwl:hasDbXref "HP:0025520" ;\n', "")
    text = text.split("[] a owl:Axiom")[0] + "CCKG:9000002" + text.split("CCKG:9000002", 1)[1]
    [change] = diff_files(old, _write(tmp_path, "new.ttl", text)).changed
    assert change.iri == "CCKG:9000001"
    assert change.changes == ["mapping removed: skos:exactMatch HP:0025520"]


def test_diff_reports_a_changed_mapping_predicate(old: Path, tmp_path: Path):
    new = _write(
        tmp_path,
        "new.ttl",
        OLD.replace("sssom:predicate_id skos:exactMatch", "sssom:predicate_id skos:closeMatch"),
    )
    [change] = diff_files(old, new).changed
    assert change.changes == [
        "mapping added: skos:closeMatch HP:0025520",
        "mapping removed: skos:exactMatch HP:0025520",
    ]


def test_diff_reports_a_changed_relationship_axiom(old: Path, tmp_path: Path):
    new = _write(tmp_path, "new.ttl", OLD.replace("obo:UBERON_0002097", "obo:UBERON_0002072"))
    [change] = diff_files(old, new).changed
    assert change.changes == [
        "axiom added: SubClassOf RO:0004026 some UBERON:0002072",
        "axiom removed: SubClassOf RO:0004026 some UBERON:0002097",
    ]


def test_diff_ignores_format_and_blank_node_labels(old: Path, tmp_path: Path):
    graph = rdflib.Graph().parse(old, format="turtle")
    other = tmp_path / "same.owl"
    other.write_bytes(graph.serialize(format="xml").encode())
    result = diff_files(old, other)
    assert result.empty
    assert "No changes" in to_markdown(result)


def test_diff_markdown_lists_sections_with_labels(old: Path, tmp_path: Path):
    text = OLD.replace('"dystrophic calcinosis cutis"', '"dystrophic calcification"')
    text += 'CCKG:9000003 a owl:Class ; rdfs:label "calciphylaxis" .\n'
    markdown = to_markdown(diff_files(old, _write(tmp_path, "new.ttl", text)))
    assert "## Added classes\n\n- CCKG:9000003 calciphylaxis" in markdown
    assert "### CCKG:9000002 dystrophic calcification" in markdown
    assert markdown.startswith("# calcinosis-kg release notes: 2026-01-01 → 2026-01-01")


def test_diff_cli_writes_the_notes_to_a_file(old: Path, tmp_path: Path, run_cli):
    new = _write(tmp_path, "new.ttl", OLD + 'CCKG:9000003 a owl:Class ; rdfs:label "x" .\n')
    out = tmp_path / "NOTES.md"
    code, _, err = run_cli("diff", str(old), str(new), "--output", str(out))
    assert code == 0, err
    assert "- CCKG:9000003 x" in out.read_text()


def test_diff_cli_missing_file_is_one_line_and_exit_2(old: Path, tmp_path: Path, run_cli):
    code, _, err = run_cli("diff", str(old), str(tmp_path / "missing.ttl"))
    assert code == 2
    assert "missing.ttl" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_diff_relabelled_parent_is_not_an_axiom_change_of_its_children(old: Path, tmp_path: Path):
    new = _write(
        tmp_path,
        "new.ttl",
        OLD.replace('rdfs:label "calcinosis cutis"', 'rdfs:label "cutaneous calcinosis"'),
    )
    assert [c.iri for c in diff_files(old, new).changed] == ["CCKG:9000001"]


def test_diff_axiom_text_names_the_labels_of_its_terms(old: Path, tmp_path: Path):
    text = OLD.replace(
        "    rdfs:subClassOf CCKG:9000001 .",
        "    rdfs:subClassOf CCKG:9000001 , [ a owl:Restriction ; "
        "owl:onProperty obo:RO_0004029 ; owl:someValuesFrom CCKG:9000001 ] .",
    )
    [change] = diff_files(old, _write(tmp_path, "new.ttl", text)).changed
    assert change.changes == [
        "axiom added: SubClassOf RO:0004029 some CCKG:9000001 “calcinosis cutis”"
    ]


def test_diff_markdown_lists_external_terms_apart_from_our_classes(old: Path, tmp_path: Path):
    text = OLD + "CCKG:9000003 a owl:Class ; rdfs:subClassOf obo:MONDO_0002123 .\n"
    text += 'obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .\n'
    markdown = to_markdown(diff_files(old, _write(tmp_path, "new.ttl", text)))
    assert "## Added classes\n\n- CCKG:9000003\n" in markdown
    assert "## Added classes: external terms\n\n- MONDO:0002123 calcinosis" in markdown


def test_diff_malformed_file_names_file_and_line(old: Path, tmp_path: Path, run_cli):
    bad = _write(tmp_path, "bad.ttl", HEAD + "CCKG:9000001 a owl:Class ;; rdfs:label .\n")
    code, _, err = run_cli("diff", str(old), str(bad))
    assert code == 2
    assert "bad.ttl:8" in err and "Traceback" not in err
