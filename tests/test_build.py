"""The compiler: deterministic output, committed files up to date, provenance, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import import_module_file, ontology_file
from calcinosis_kg.core.serialize import to_turtle
from calcinosis_kg.source.build import build
from calcinosis_kg.source.compiler import DC_SOURCE, SUPPORTING_TEXT

CCKG = "https://w3id.org/calcinosis-kg/CCKG_"
SSSOM_PREDICATE = URIRef("https://w3id.org/sssom/predicate_id")
FREQUENCY = URIRef(CCKG + "0001010")


@pytest.fixture(scope="module")
def result():
    return build()


def small_source(tmp_path: Path, terms: str, imports: str = "terms: []\n") -> Path:
    """A minimal source folder: one fact, one terms file, an import list."""
    src = tmp_path / "src"
    (src / "terms").mkdir(parents=True)
    (src / "facts.tsv").write_text(
        "fact_id\tsource\teco\tquote\tstatement\n"
        "F1\tARTICLE\tECO:0000033\tSome sentence of the article.\tA fact.\n",
        encoding="utf-8",
    )
    (src / "terms" / "t.yaml").write_text(terms, encoding="utf-8")
    (src / "imports.yaml").write_text(imports, encoding="utf-8")
    return src


def test_committed_ontology_is_identical_to_a_fresh_build(result):
    assert ontology_file().read_bytes() == to_turtle(result.ontology), (
        "ontology/calcinosis-kg.ttl is stale: run `calcinosis-kg build`"
    )


def test_committed_import_module_is_identical_to_a_fresh_build(result):
    assert import_module_file().read_bytes() == to_turtle(result.imports), (
        "ontology/imports/external_import.ttl is stale: run `calcinosis-kg build`"
    )


def test_build_output_is_identical_under_two_hash_seeds(tmp_path):
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        code = (
            "import sys; from pathlib import Path; "
            "from calcinosis_kg.source.build import build, write_build; o = Path(sys.argv[1]); "
            "write_build(build(), o / 'o.ttl', o / 'i.ttl')"
        )
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, env=env)
        outputs.append(((out / "o.ttl").read_bytes(), (out / "i.ttl").read_bytes()))
    assert outputs[0] == outputs[1]


def test_every_relationship_axiom_of_ours_carries_source_and_supporting_text(result):
    g = result.ontology
    missing = []
    for s, o in g.subject_objects(RDFS.subClassOf):
        if not (isinstance(o, BNode) and (o, RDF.type, OWL.Restriction) in g):
            continue
        filler = (
            g.value(o, OWL.someValuesFrom)
            or g.value(o, OWL.allValuesFrom)
            or g.value(o, OWL.hasValue)
        )
        if not (str(s).startswith(CCKG) or str(filler).startswith(CCKG)):
            continue
        annotated = [
            a for a in g.subjects(OWL.annotatedSource, s) if (a, OWL.annotatedTarget, o) in g
        ]
        if not any(
            (a, DC_SOURCE, None) in g and (a, SUPPORTING_TEXT, None) in g for a in annotated
        ):
            missing.append(str(s))
    assert not missing, f"relationship axioms without provenance on: {sorted(set(missing))}"


def test_malformed_yaml_gives_input_error_naming_file_and_line(tmp_path):
    src = small_source(tmp_path, "classes:\n  - id: CCKG:0000001\n    label: [unclosed\n")
    with pytest.raises(InputError) as info:
        build(src)
    assert info.value.path.endswith("t.yaml")
    assert info.value.line is not None and info.value.line >= 3


def test_relation_without_a_fact_is_rejected(tmp_path):
    src = small_source(
        tmp_path,
        "classes:\n  - id: CCKG:0000001\n    label: x\n    relations:\n"
        "      - {property: RO:0004026, some: UBERON:0002097}\n",
    )
    with pytest.raises(InputError, match="without a fact"):
        build(src)


def test_unknown_fact_id_is_rejected_with_the_entry_line(tmp_path):
    src = small_source(
        tmp_path,
        "classes:\n  - id: CCKG:0000001\n    label: x\n    relations:\n"
        "      - {property: RO:0004026, some: UBERON:0002097, fact: F9}\n",
    )
    with pytest.raises(InputError, match="unknown fact id") as info:
        build(src)
    assert info.value.line == 2


def test_duplicate_fact_id_is_rejected(tmp_path):
    src = small_source(tmp_path, "classes: []\n")
    facts = src / "facts.tsv"
    facts.write_text(facts.read_text() + "F1\tARTICLE\tECO:0000033\tOther.\tOther.\n")
    with pytest.raises(InputError, match="duplicate fact id F1"):
        build(src)


def test_axiom_qualifier_is_written_on_the_axiom_annotation(tmp_path):
    src = small_source(
        tmp_path,
        "classes:\n  - id: CCKG:0000001\n    label: x\n    relations:\n"
        "      - {property: RO:0004026, some: UBERON:0002097, fact: F1,\n"
        "         annotations: [{property: CCKG:0001010, value: CCKG:0002010}]}\n",
    )
    g = build(src).ontology
    axioms = list(g.subjects(FREQUENCY, URIRef(CCKG + "0002010")))
    assert len(axioms) == 1
    assert g.value(axioms[0], OWL.annotatedSource) == URIRef(CCKG + "0000001")
    assert (axioms[0], SUPPORTING_TEXT, None) in g


def test_literal_qualifier_value_stays_a_literal(tmp_path):
    src = small_source(
        tmp_path,
        "classes:\n  - id: CCKG:0000001\n    label: x\n    relations:\n"
        "      - {property: RO:0004029, some: HP:0030880, fact: F1,\n"
        "         annotations: [{property: CCKG:0001012, value: R}]}\n",
    )
    g = build(src).ontology
    values = list(g.objects(None, URIRef(CCKG + "0001012")))
    assert [str(v) for v in values] == ["R"] and not isinstance(values[0], URIRef)


def test_import_term_xref_is_written_with_its_mapping_predicate(tmp_path):
    src = small_source(
        tmp_path,
        "classes: []\n",
        "terms:\n  - id: MONDO:0002123\n    label: calcinosis\n    xrefs:\n"
        "      - {id: DOID:182, predicate: exactMatch}\n",
    )
    g = build(src).imports
    mondo = URIRef("http://purl.obolibrary.org/obo/MONDO_0002123")
    skos_exact = URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")
    assert (mondo, skos_exact, URIRef("http://purl.obolibrary.org/obo/DOID_182")) in g
    axiom = next(g.subjects(OWL.annotatedSource, mondo))
    assert g.value(axiom, SSSOM_PREDICATE) == skos_exact


def test_cli_build_reports_a_bad_source_in_one_line_with_exit_code_2(tmp_path):
    src = small_source(tmp_path, "classes:\n  - id: CCKG:0000001\n    label: [unclosed\n")
    main = "from calcinosis_kg.cli import main; main()"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            main,
            "build",
            "--source",
            str(src),
            "--output",
            str(tmp_path / "out.ttl"),
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "t.yaml:" in lines[0] and "Traceback" not in run.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_an_uberon_exact_synonym_without_evidence_is_refused(tmp_path) -> None:
    """An UBERON exact synonym is an everyday name on the card: it must name the stored UBERON
    file it was read from, or the build stops at its line."""
    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.source.imports import compile_imports

    path = tmp_path / "imports.yaml"
    row = (
        "terms:\n  - id: UBERON:0002389\n    label: manual digit\n    synonyms:\n"
        "      - {scope: exact, text: finger, source: UBERON:0002389%s}\n"
    )
    path.write_text(row % "", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        compile_imports(path)
    assert "evidence" in str(refused.value) and refused.value.line == 2
    path.write_text(row % ", evidence: 'repo:path@commit line'", encoding="utf-8")
    assert len(compile_imports(path)) > 0
