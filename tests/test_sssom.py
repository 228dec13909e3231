"""SSSOM mapping set built from the ontology's own xrefs, read back by sssom-py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.release import release_graphs, split_modules
from calcinosis_kg.publish.release_info import release_info
from calcinosis_kg.publish.sssom import mapping_set, to_sssom_tsv

ONTOLOGY = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://example.org/m/calcinosis-kg.owl> a owl:Ontology ;
    owl:versionIRI <https://example.org/m/releases/2026-02-01/calcinosis-kg.owl> ;
    owl:versionInfo "2026-02-01" ; dcterms:title "mapping test" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> .

CCKG:9000001 a owl:Class ; rdfs:label "test calcinosis cutis" ;
    oboInOwl:hasDbXref "HP:0025520" , "DERMO:0002718" , "MESH:D002114" , "OMIA:000494-9615" ,
        "SCTID:237900002" .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "SCTID:237900002" ; sssom:predicate_id skos:broadMatch .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "HP:0025520" ; sssom:predicate_id skos:exactMatch .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "DERMO:0002718" ; sssom:predicate_id skos:exactMatch .
CCKG:9000200 a owl:Class ; rdfs:label "test skin" ; oboInOwl:hasDbXref "UBERON:0002097" .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000200 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "UBERON:0002097" ; sssom:predicate_id skos:closeMatch .
obo:HP_0025520 a owl:Class ; rdfs:label "Calcinosis cutis" ; oboInOwl:hasDbXref "UMLS:C0263628" .
"""


@pytest.fixture
def sssom_file(tmp_path: Path) -> Path:
    source = tmp_path / "calcinosis-kg.ttl"
    source.write_text(ONTOLOGY, encoding="utf-8")
    kg = load([source])
    graph = release_graphs(kg, inferred=_empty())["full"]
    info = release_info(split_modules(kg)[0])
    path = tmp_path / "calcinosis-kg.sssom.tsv"
    path.write_bytes(to_sssom_tsv(mapping_set(graph, info)))
    return path


def _empty():
    import rdflib

    return rdflib.Graph()


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def test_sssom_file_parses_with_sssom_py_keeping_every_row(sssom_file: Path):
    parsers = pytest.importorskip("sssom.parsers")
    msdf = parsers.parse_sssom_table(str(sssom_file))
    assert sorted(zip(msdf.df["subject_id"], msdf.df["object_id"], strict=True)) == [
        ("CCKG:9000001", "DERMO:0002718"),
        ("CCKG:9000001", "HP:0025520"),
        ("CCKG:9000001", "MESH:D002114"),
        ("CCKG:9000001", "SCTID:237900002"),
        ("CCKG:9000200", "UBERON:0002097"),
    ]
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_sssom_file_passes_sssom_py_validation(sssom_file: Path):
    parsers = pytest.importorskip("sssom.parsers")
    validators = pytest.importorskip("sssom.validators")
    msdf = parsers.parse_sssom_table(str(sssom_file))
    reports = validators.validate(msdf, validators.DEFAULT_VALIDATION_TYPES, fail_on_error=False)
    assert {str(kind): report.results for kind, report in reports.items()} == {
        str(kind): [] for kind in validators.DEFAULT_VALIDATION_TYPES
    }


def test_sssom_predicate_comes_from_the_xref_annotation(sssom_file: Path):
    predicates = {(r["subject_id"], r["object_id"]): r["predicate_id"] for r in _rows(sssom_file)}
    assert predicates[("CCKG:9000001", "HP:0025520")] == "skos:exactMatch"
    assert predicates[("CCKG:9000200", "UBERON:0002097")] == "skos:closeMatch"


def test_sssom_unannotated_xref_keeps_hasdbxref_as_predicate(sssom_file: Path):
    predicates = {(r["subject_id"], r["object_id"]): r["predicate_id"] for r in _rows(sssom_file)}
    assert predicates[("CCKG:9000001", "MESH:D002114")] == "oboInOwl:hasDbXref"


def test_sssom_labels_come_from_the_ontology(sssom_file: Path):
    row = next(r for r in _rows(sssom_file) if r["object_id"] == "HP:0025520")
    assert (row["subject_label"], row["object_label"]) == (
        "test calcinosis cutis",
        "Calcinosis cutis",
    )
    assert row["mapping_justification"] == "semapv:ManualMappingCuration"


def test_sssom_leaves_out_external_terms_xrefs(sssom_file: Path):
    assert "UMLS:C0263628" not in sssom_file.read_text()


def test_sssom_prefix_without_iri_is_counted_in_the_comment_not_written(sssom_file: Path):
    header = yaml.safe_load(
        "\n".join(line[1:] for line in sssom_file.read_text().splitlines() if line.startswith("#"))
    )
    assert all(not r["object_id"].startswith("OMIA:") for r in _rows(sssom_file))
    assert "1 cross-reference(s) to OMIA" in header["comment"]


def test_sssom_writes_dermo_rows_with_the_bioregistry_iri_and_dermos_label(sssom_file: Path):
    header = yaml.safe_load(
        "\n".join(line[1:] for line in sssom_file.read_text().splitlines() if line.startswith("#"))
    )
    row = next(r for r in _rows(sssom_file) if r["object_id"] == "DERMO:0002718")
    assert header["curie_map"]["DERMO"] == "http://purl.obolibrary.org/obo/DERMO_"
    assert (row["predicate_id"], row["object_label"], row["mapping_justification"]) == (
        "skos:exactMatch",
        "disease with cutaneous calcification",
        "semapv:ManualMappingCuration",
    )


def test_sssom_mapping_stated_by_mondo_is_chaining_and_never_a_note_as_label(sssom_file: Path):
    row = next(r for r in _rows(sssom_file) if r["object_id"] == "SCTID:237900002")
    assert row["mapping_justification"] == "semapv:MappingChaining"
    assert row["object_label"] == ""  # MONDO's mapping file gives no SNOMED label
    assert "MONDO:0017215" in row["comment"]
    curated = next(r for r in _rows(sssom_file) if r["object_id"] == "HP:0025520")
    assert curated["comment"] == ""


def test_sssom_header_has_version_license_and_a_curie_map_for_every_prefix(sssom_file: Path):
    header = yaml.safe_load(
        "\n".join(line[1:] for line in sssom_file.read_text().splitlines() if line.startswith("#"))
    )
    assert header["mapping_set_version"] == "2026-02-01"
    assert header["license"] == "https://creativecommons.org/licenses/by/4.0/"
    used = {
        value.split(":", 1)[0]
        for row in _rows(sssom_file)
        for key, value in row.items()
        if key.endswith("_id") or key == "mapping_justification"
    }
    assert used <= set(header["curie_map"])
