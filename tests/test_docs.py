"""The documentation site: one page per calcinosis type, with its statements and the sentences
that support them, escaped, deterministic, with working links."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.docs import build_site
from calcinosis_kg.publish.pages import page_name

CCKG = "https://w3id.org/calcinosis-kg/CCKG_"
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'

# A small ontology in the project's patterns (docs/modelling.md), with axiom annotations.
TEST_ONTOLOGY = """
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<https://example.org/test.owl> a owl:Ontology ; dcterms:title "Test calcinosis ontology" ;
    dcterms:description "A tiny ontology for the docs tests." .
<https://example.org/article> dcterms:title "The test article" .

CCKG:0000001 a owl:Class ; rdfs:label "calcinosis cutis" ;
    obo:IAO_0000115 "Calcium deposits in the skin." .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty obo:IAO_0000115 ;
   owl:annotatedTarget "Calcium deposits in the skin." ;
   biolink:supporting_text "Quote DEF-1: calcium builds up in the skin." ;
   dcterms:source <https://example.org/article> .

CCKG:0000002 a owl:Class ; rdfs:label "dystrophic calcinosis cutis" ;
    rdfs:subClassOf CCKG:0000001 , _:site , _:treat ;
    oboInOwl:hasDbXref "DERMO:0002719" .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty oboInOwl:hasDbXref ;
   owl:annotatedTarget "DERMO:0002719" ; sssom:predicate_id skos:exactMatch .
_:site a owl:Restriction ; owl:onProperty obo:RO_0004026 ;
    owl:someValuesFrom [ a owl:Class ; owl:unionOf ( obo:UBERON_0002097 obo:UBERON_0002072 ) ] .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:site ; biolink:supporting_text "Quote SITE-2: skin or subcutis." ;
   dcterms:source <https://example.org/article> .
_:treat a owl:Restriction ; owl:onProperty obo:RO_0002302 ; owl:someValuesFrom obo:CHEBI_3311 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:treat ; biolink:supporting_text "Quote TREAT-2: treated with calcium." .

CCKG:0000003 a owl:Class ; rdfs:label "calcinosis cutis of the fingertips" ;
    rdfs:subClassOf CCKG:0000002 .

CCKG:0000600 a owl:Class ; rdfs:label "calcinosis cutis of the subcutis" ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:0000001
        [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;
          owl:someValuesFrom obo:UBERON_0002072 ] ) ] .

CCKG:0000601 a owl:Class ; rdfs:label "calcinosis cutis with high calcium" ;
    rdfs:subClassOf CCKG:0000001 , [ a owl:Restriction ; owl:onProperty CCKG:0001020 ;
        owl:someValuesFrom [ a rdfs:Datatype ; owl:onDatatype xsd:decimal ;
            owl:withRestrictions ( [ xsd:minExclusive "2.6"^^xsd:decimal ] ) ] ] .
CCKG:0001020 a owl:DatatypeProperty ; rdfs:label "serum calcium (mmol/L)" .
CCKG:0000601 rdfs:subClassOf [ a owl:Class ; owl:unionOf ( obo:MONDO_0019562 CCKG:0000100 ) ] ,
    [ a owl:Restriction ; owl:onProperty [ owl:inverseOf obo:RO_0004029 ] ;
      owl:someValuesFrom obo:MONDO_0019562 ] .

CCKG:0000009 a owl:Class ; rdfs:label "osteoma cutis" ; rdfs:subClassOf obo:MONDO_0000001 .

obo:MONDO_0019562 a owl:Class ; rdfs:label "systemic sclerosis" ; rdfs:subClassOf _:feat .
_:feat a owl:Restriction ; owl:onProperty obo:RO_0004029 ; owl:someValuesFrom CCKG:0000002 .
[] a owl:Axiom ; owl:annotatedSource obo:MONDO_0019562 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:feat ; biolink:supporting_text "Quote DISEASE-2: seen in scleroderma." .

CCKG:0000100 a owl:Class ; rdfs:label "skin trauma" ; rdfs:subClassOf _:cause .
_:cause a owl:Restriction ; owl:onProperty obo:RO_0003302 ; owl:someValuesFrom CCKG:0000002 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000100 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:cause ; biolink:supporting_text "Quote CAUSE-2: trauma causes it." .

obo:UBERON_0002097 a owl:Class ; rdfs:label "skin of body" .
obo:UBERON_0002072 a owl:Class ; rdfs:label "hypodermis" .
obo:CHEBI_3311 a owl:Class ; rdfs:label "calcium" .
obo:RO_0004026 a owl:ObjectProperty ; rdfs:label "disease has location" .
obo:RO_0004029 a owl:ObjectProperty ; rdfs:label "has feature" .
"""


def write_ontology(folder: Path, text: str = TEST_ONTOLOGY) -> Path:
    path = folder / "test.ttl"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    build_site(load([write_ontology(folder)]), folder / "site")
    return folder / "site"


def type_page(site: Path, curie: str) -> str:
    return (site / "types" / page_name(CCKG + curie)).read_text(encoding="utf-8")


def section(page: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.S)
    assert match, f"no section {anchor}"
    return match.group(1)


def test_every_type_under_calcinosis_cutis_gets_a_page_transitively(site: Path) -> None:
    pages = sorted(p.name for p in (site / "types").glob("*.html"))
    assert {"CCKG_0000001.html", "CCKG_0000002.html", "CCKG_0000003.html"} <= set(pages)


def test_osteoma_cutis_gets_a_page_though_not_a_calcinosis_cutis(site: Path) -> None:
    assert "<h1>osteoma cutis</h1>" in type_page(site, "0000009")


def test_index_says_osteoma_cutis_is_shown_for_comparison_only(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    related = re.search(r'<p class="related">(.*?)</p>', index, re.S)
    assert related and "osteoma cutis" in related.group(1)
    assert "dystrophic" not in related.group(1)


def test_classes_that_are_not_types_get_no_page(site: Path) -> None:
    assert not (site / "types" / "CCKG_0000100.html").exists()  # a cause, not a type


def words(page: str) -> str:
    """A page's text as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    inline = re.sub(r"</?(?:a|span|code)\b[^>]*>", "", page)  # a term's link: no space added
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def notes(page: str) -> dict[int, str]:
    """The numbered notes of a page: number → the note's text."""
    found = re.findall(r'<li value="(\d+)">(.*?)</li>', section(page, "notes"), re.S)
    return {int(n): html.unescape(text) for n, text in found}


def test_definition_is_shown_with_its_supporting_sentence_as_a_numbered_note(site: Path) -> None:
    page = type_page(site, "0000001")
    assert "Calcium deposits in the skin. [1]" in words(section(page, "definition"))
    assert notes(page)[1].startswith('"Quote DEF-1: calcium builds up in the skin."')


def test_union_of_sites_lists_each_site_with_the_supporting_sentence(site: Path) -> None:
    page = type_page(site, "0000002")
    sites = words(section(page, "sites"))
    assert "skin of body or hypodermis (UBERON:0002097 or UBERON:0002072) [universal] [3]" in sites
    assert notes(page)[3].startswith('"Quote SITE-2: skin or subcutis."')


def test_defined_type_gets_a_page_with_its_logical_definition(site: Path) -> None:
    page = type_page(site, "0000600")
    assert "(RO:0004026 some UBERON:0002072)" in section(page, "logical-definition")


def test_data_range_restriction_is_written_as_a_range(site: Path) -> None:
    page = type_page(site, "0000601")
    assert "xsd:decimal[> 2.6] [universal]" in words(page)


def test_anonymous_parent_and_inverse_restriction_are_listed_as_class_expressions(
    site: Path,
) -> None:
    hierarchy = words(section(type_page(site, "0000601"), "hierarchy"))
    assert "also a kind of: (MONDO:0019562 or CCKG:0000100)" in hierarchy
    assert "(inverse(RO:0004029) some MONDO:0019562)" in hierarchy


def test_causes_are_read_from_axioms_on_the_cause(site: Path) -> None:
    page = type_page(site, "0000002")
    causes = words(section(page, "causes"))
    assert "skin trauma (CCKG:0000100) —RO:0003302→ dystrophic calcinosis cutis" in causes
    assert "Quote CAUSE-2: trauma causes it." in notes(page)[1]


def test_associated_diseases_are_read_from_the_disease_feature_axiom(site: Path) -> None:
    page = type_page(site, "0000002")
    diseases = words(section(page, "associated-diseases"))
    assert "systemic sclerosis (MONDO:0019562) —has feature→" in diseases
    assert "Quote DISEASE-2" in notes(page)[2]


def test_treatments_are_listed_with_their_supporting_sentence(site: Path) -> None:
    page = type_page(site, "0000002")
    assert "calcium (CHEBI:3311) [universal] [4]" in words(section(page, "treatments"))
    assert "Quote TREAT-2: treated with calcium." in notes(page)[4]


def test_mappings_are_listed_with_their_sssom_predicate(site: Path) -> None:
    hierarchy = words(section(type_page(site, "0000002"), "hierarchy"))
    assert "mappings: DERMO:0002719 (skos:exactMatch)" in hierarchy


def test_type_without_causes_diseases_or_sites_gets_no_empty_map(site: Path) -> None:
    assert '<section id="map">' in type_page(site, "0000002")
    assert '<section id="map">' not in type_page(site, "0000003")
    assert not (site / "img" / "CCKG_0000003.svg").exists()


def test_subtypes_link_to_their_pages(site: Path) -> None:
    hierarchy = section(type_page(site, "0000002"), "hierarchy")
    assert 'href="CCKG_0000003.html"' in hierarchy


def test_index_links_every_type_page(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for page in (site / "types").glob("*.html"):
        assert f'href="types/{page.name}"' in index


def test_relative_links_and_images_resolve_to_written_files(site: Path) -> None:
    for page in [*site.glob("*.html"), *site.glob("types/*.html"), *site.glob("img/*.svg")]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"#:]+)"', text):
            assert (page.parent / html.unescape(target)).resolve().is_file(), (page, target)


def test_pylode_reference_page_documents_the_classes(site: Path) -> None:
    reference = (site / "ontology.html").read_text(encoding="utf-8")
    assert "Test calcinosis ontology" in reference
    assert "dystrophic calcinosis cutis" in reference


def test_pylode_reference_has_no_invented_ns1_prefix(site: Path) -> None:
    reference = (site / "ontology.html").read_text(encoding="utf-8")
    assert 'id="ns1"' not in reference


def test_pylode_nested_anonymous_class_is_written_out_not_a_dead_link(site: Path) -> None:
    reference = (site / "ontology.html").read_text(encoding="utf-8")
    assert "(hypodermis or skin of body)" in reference


def test_hostile_label_and_quote_are_escaped_everywhere(tmp_path: Path) -> None:
    text = TEST_ONTOLOGY.replace('"dystrophic calcinosis cutis"', f"'''{HOSTILE}'''").replace(
        '"Quote SITE-2: skin or subcutis."', f"'''{HOSTILE}'''"
    )
    build_site(load([write_ontology(tmp_path, text)]), tmp_path / "site")
    files = [p for p in (tmp_path / "site").rglob("*") if p.suffix in (".html", ".svg")]
    assert files
    for path in files:
        content = path.read_text(encoding="utf-8")
        assert "<script>alert" not in content, path
        assert "<b>bold</b>" not in content, path
    page = (tmp_path / "site" / "types" / "CCKG_0000002.html").read_text(encoding="utf-8")
    assert html.escape(HOSTILE) in page


def test_no_types_is_a_clear_input_error(tmp_path: Path) -> None:
    from calcinosis_kg.core.errors import InputError

    path = write_ontology(tmp_path, TEST_ONTOLOGY.split("CCKG:0000001 a owl:Class")[0])
    with pytest.raises(InputError, match="no calcinosis types"):
        build_site(load([path]), tmp_path / "site")


def _run_docs(output: Path, ontology: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "calcinosis_kg",
            "docs",
            "--output",
            str(output),
            "--ontology",
            str(ontology),
        ],
        check=True,
        env=env,
        capture_output=True,
    )


def test_site_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    ontology = write_ontology(tmp_path)
    _run_docs(tmp_path / "a", ontology, "1")
    _run_docs(tmp_path / "b", ontology, "2")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*"))
    assert files_a == files_b
    for rel in files_a:
        if (tmp_path / "a" / rel).is_file():
            assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_bundled_type_pages_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    """The bundled ontology has statements that differ only in their evidence (one per fact):
    their order on a page must not follow a set's hash order."""
    pages = []
    for seed in ("1", "2"):
        output = tmp_path / seed
        subprocess.run(
            [
                sys.executable,
                "-m",
                "calcinosis_kg",
                "docs",
                "--no-diagrams",
                "--output",
                str(output),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        pages.append({p.name: p.read_bytes() for p in sorted((output / "types").glob("*.html"))})
    assert pages[0] and pages[0] == pages[1]


def test_bundled_ontology_pages_carry_every_supporting_sentence_of_their_type(
    tmp_path: Path,
) -> None:
    """Always true of the bundled ontology: a sentence supporting an axiom about a type (as
    subject) appears on that type's page."""
    kg = load()
    report = build_site(kg, tmp_path / "site", with_diagrams=shutil.which("dot") is not None)
    assert "CCKG:0000001" in report.types
    rows = kg.store.query(
        "SELECT ?s ?text WHERE { ?ax <http://www.w3.org/2002/07/owl#annotatedSource> ?s ; "
        "<https://w3id.org/biolink/vocab/supporting_text> ?text }"
    )
    checked = 0
    for row in rows:
        if (
            row["s"].value.startswith(CCKG)
            and f"CCKG:{row['s'].value[len(CCKG) :]}" in report.types
        ):
            page = (tmp_path / "site" / "types" / page_name(row["s"].value)).read_text("utf-8")
            assert html.escape(row["text"].value) in page, (row["s"].value, row["text"].value)
            checked += 1
    assert checked > 0


def test_readme_example_map_is_of_the_type_with_most_relations(tmp_path: Path) -> None:
    from calcinosis_kg.publish.docs import write_readme_images

    paths = write_readme_images(load([write_ontology(tmp_path)]), tmp_path / "img")
    assert sorted(p.name for p in paths) == ["hierarchy.svg", "type-map-example.svg"]
    example = (tmp_path / "img" / "type-map-example.svg").read_text(encoding="utf-8")
    assert "<title>CCKG:0000002</title>" in example  # the only type with causes and sites
    assert "xlink:href" not in example  # README images carry no site-relative links


def test_readme_example_type_must_be_a_documented_type(tmp_path: Path) -> None:
    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.publish.docs import write_readme_images

    with pytest.raises(InputError, match="not a documented calcinosis type"):
        write_readme_images(load([write_ontology(tmp_path)]), tmp_path / "img", "CCKG:0000100")


def test_ontology_without_header_fails_before_writing_anything(tmp_path: Path) -> None:
    from calcinosis_kg.core.errors import InputError

    headerless = TEST_ONTOLOGY.replace(
        "<https://example.org/test.owl> a owl:Ontology ;", "<https://example.org/test.owl>"
    )
    with pytest.raises(InputError, match="pyLODE"):
        build_site(load([write_ontology(tmp_path, headerless)]), tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_output_path_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    from calcinosis_kg.core.errors import InputError

    target = tmp_path / "site"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="not a folder"):
        build_site(load([write_ontology(tmp_path)]), target)


def test_rerun_removes_the_page_of_a_type_that_is_gone_but_keeps_other_files(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    build_site(load([write_ontology(tmp_path)]), site)
    assert (site / "types" / "CCKG_0000003.html").exists()
    (site / "types" / "notes.html").write_text("<p>my own notes</p>", encoding="utf-8")
    without = TEST_ONTOLOGY.replace("rdfs:subClassOf CCKG:0000002 .", ".")
    report = build_site(load([write_ontology(tmp_path, without)]), site)
    assert not (site / "types" / "CCKG_0000003.html").exists()
    assert site / "types" / "CCKG_0000003.html" in report.removed
    assert (site / "types" / "notes.html").exists()
