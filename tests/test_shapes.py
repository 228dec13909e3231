"""Each shape in shapes/ catches the convention break it is written for, on a tiny ontology.

VALID_ONTOLOGY follows every convention; each test breaks one thing (a string replacement) and
checks that the expected shape reports the expected focus node.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from calcinosis_kg.checks.validation import validate
from calcinosis_kg.core.resources import shapes_dir, source_dir
from calcinosis_kg.graph.knowledge import load

PREFIXES = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix IAO: <http://purl.obolibrary.org/obo/IAO_> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix ECO: <http://purl.obolibrary.org/obo/ECO_> .
@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .
@prefix UBERON: <http://purl.obolibrary.org/obo/UBERON_> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix case: <https://w3id.org/calcinosis-kg/case/> .
@prefix art: <https://w3id.org/calcinosis-kg/source/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sssom: <https://w3id.org/sssom/> .
"""

VALID_ONTOLOGY = (
    PREFIXES
    + """
<https://w3id.org/calcinosis-kg/test.owl> a owl:Ontology ;
    dcterms:title "test ontology" ;
    dcterms:description "A tiny ontology that follows every convention." ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    owl:versionIRI <https://w3id.org/calcinosis-kg/releases/test.owl> ;
    owl:versionInfo "2026-11-25" .

MONDO:0002123 a owl:Class ; rdfs:label "calcinosis" .
MONDO:0005300 a owl:Class ; rdfs:label "chronic kidney disease" .
UBERON:0002097 a owl:Class ; rdfs:label "skin of body" .
RO:0004026 a owl:ObjectProperty ; rdfs:label "disease has location" .
RO:0003302 a owl:ObjectProperty ; rdfs:label "causes or contributes to condition" .

CCKG:0000001 a owl:Class ;
    rdfs:label "calcinosis cutis" ;
    IAO:0000115 "A calcinosis of the skin." ;
    oboInOwl:hasExactSynonym "cutaneous calcification" ;
    oboInOwl:hasDbXref "HP:0025520" ;
    rdfs:subClassOf MONDO:0002123 , _:site .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
   owl:annotatedTarget "HP:0025520" ; sssom:predicate_id skos:exactMatch .
_:site a owl:Restriction ; owl:onProperty RO:0004026 ; owl:someValuesFrom UBERON:0002097 .

CCKG:0000002 a owl:Class ;
    rdfs:label "dystrophic calcinosis cutis" ;
    IAO:0000115 "A calcinosis cutis in damaged tissue." ;
    oboInOwl:inSubset CCKG:mapping_gap ;
    rdfs:subClassOf CCKG:0000001 .

MONDO:0005300 rdfs:subClassOf _:cause .
_:cause a owl:Restriction ; owl:onProperty RO:0003302 ; owl:someValuesFrom CCKG:0000001 .

[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty IAO:0000115 ;
   owl:annotatedTarget "A calcinosis of the skin." ;
   dcterms:source art:article ; biolink:supporting_text "Calcium in the skin." ;
   RO:0002558 ECO:0000033 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty IAO:0000115 ;
   owl:annotatedTarget "A calcinosis cutis in damaged tissue." ;
   dcterms:source art:article ; biolink:supporting_text "Dystrophic kind." ;
   RO:0002558 ECO:0000033 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:site ;
   dcterms:source art:article ; biolink:supporting_text "Calcium in the skin." ;
   RO:0002558 ECO:0000033 .
[] a owl:Axiom ; owl:annotatedSource MONDO:0005300 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:cause ;
   dcterms:source art:article ; biolink:supporting_text "Kidney failure causes it." ;
   RO:0002558 ECO:0000033 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget MONDO:0002123 ;
   dcterms:source art:article ; biolink:supporting_text "A kind of calcinosis." ;
   RO:0002558 ECO:0000033 .
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget CCKG:0000001 ;
   dcterms:source art:article ; biolink:supporting_text "Five kinds." ;
   RO:0002558 ECO:0000033 .
"""
)


def results_of(tmp_path: Path, ttl: str, data: str | None = None) -> set[tuple[str, str]]:
    """(shape, focus) pairs reported for ``ttl`` (and optional user data ``data``)."""
    onto = tmp_path / "onto.ttl"
    onto.write_text(ttl, encoding="utf-8")
    data_files = None
    if data is not None:
        data_files = [tmp_path / "data.ttl"]
        data_files[0].write_text(PREFIXES + data, encoding="utf-8")
    report = validate(load([onto]), data=data_files)
    return {(v.shape, v.focus) for v in report.violations}


def broken(old: str, new: str) -> str:
    """VALID_ONTOLOGY with one fragment replaced (the fragment must exist)."""
    assert old in VALID_ONTOLOGY, old
    return VALID_ONTOLOGY.replace(old, new, 1)


def test_valid_ontology_passes_every_shape(tmp_path):
    assert results_of(tmp_path, VALID_ONTOLOGY) == set()


# --- identifiers, labels, definitions, synonyms ---------------------------------------------------
def test_identifier_shape_exempts_subset_iris(tmp_path):
    ttl = VALID_ONTOLOGY + "\nCCKG:mapping_gap a owl:AnnotationProperty .\n"
    assert ("cckgsh:IdentifierShape", "CCKG:mapping_gap") not in results_of(tmp_path, ttl)


SUBSET_DECLARATION = """
CCKG:mapping_gap a owl:AnnotationProperty ;
    rdfs:subPropertyOf oboInOwl:SubsetProperty ;
    rdfs:label "mapping gap" ;
    IAO:0000115 "Classes for which no external vocabulary has a verified identifier." .
"""


def test_subset_declaration_needs_no_definition_provenance(tmp_path):
    found = results_of(tmp_path, VALID_ONTOLOGY + SUBSET_DECLARATION)
    assert ("cckgsh:DefinitionProvenanceShape", "CCKG:mapping_gap") not in found


def test_label_shapes_ignore_external_terms(tmp_path):
    ttl = broken(
        'MONDO:0002123 a owl:Class ; rdfs:label "calcinosis" .', "MONDO:0002123 a owl:Class ."
    )
    assert not any(focus == "MONDO:0002123" for _, focus in results_of(tmp_path, ttl))


def test_definition_genus_shape_warns_on_definition_without_genus(tmp_path):
    ttl = VALID_ONTOLOGY.replace('"A calcinosis of the skin."', '"Calcium in the skin."')
    onto = tmp_path / "onto.ttl"
    onto.write_text(ttl, encoding="utf-8")
    found = [
        (v.focus, v.severity)
        for v in validate(load([onto])).violations
        if v.shape == "cckgsh:DefinitionGenusShape"
    ]
    assert found == [("CCKG:0000001", "Warning")]


# --- cross-references ----------------------------------------------------------------------------
def test_xref_prefix_shape_catches_prefix_outside_curated_list(tmp_path):
    ttl = broken('oboInOwl:hasDbXref "HP:0025520" ;', 'oboInOwl:hasDbXref "WIKIDATA:Q1" ;')
    found = results_of(tmp_path, ttl)
    assert ("cckgsh:XrefPrefixShape", "CCKG:0000001") in found
    assert ("cckgsh:XrefSyntaxShape", "CCKG:0000001") not in found


def test_xref_predicate_shape_catches_xref_without_sssom_predicate(tmp_path):
    ttl = broken("sssom:predicate_id skos:exactMatch", 'rdfs:comment "no predicate"')
    onto = tmp_path / "onto.ttl"
    onto.write_text(ttl, encoding="utf-8")
    found = [
        (v.focus, v.value)
        for v in validate(load([onto])).violations
        if v.shape == "cckgsh:XrefPredicateShape"
    ]
    assert found == [("CCKG:0000001", "HP:0025520")]


def _xref_prefix_pattern() -> str:
    from rdflib import Graph, URIRef

    g = Graph().parse(shapes_dir() / "ontology-conventions.ttl", format="turtle")
    shape = URIRef("https://w3id.org/calcinosis-kg/shapes/XrefPrefixShape")
    return str(g.value(shape, URIRef("http://www.w3.org/ns/shacl#pattern")))


def test_xref_prefix_list_in_shape_matches_header_yaml():
    match = re.fullmatch(r"\^\(([^)]*)\):", _xref_prefix_pattern())
    assert match, "XrefPrefixShape pattern is not of the form ^(A|B|...):"
    with (source_dir() / "header.yaml").open(encoding="utf-8") as handle:
        curated = yaml.safe_load(handle)["xref_prefixes"]
    assert sorted(match.group(1).split("|")) == sorted(curated)


# --- provenance ----------------------------------------------------------------------------------
def test_named_axiom_provenance_shape_catches_unannotated_named_parent(tmp_path):
    ttl = broken("owl:annotatedTarget CCKG:0000001 ;", "owl:annotatedTarget CCKG:0000009 ;")
    onto = tmp_path / "onto.ttl"
    onto.write_text(ttl, encoding="utf-8")
    found = [
        (v.focus, v.path, v.value)
        for v in validate(load([onto])).violations
        if v.shape == "cckgsh:NamedAxiomProvenanceShape"
    ]
    assert found == [("CCKG:0000002", "rdfs:subClassOf", "CCKG:0000001")]


def test_named_axiom_provenance_shape_ignores_parents_of_external_classes(tmp_path):
    ttl = VALID_ONTOLOGY + "\nMONDO:0005300 rdfs:subClassOf MONDO:0002123 .\n"
    assert results_of(tmp_path, ttl) == set()


def test_disjointness_provenance_shape_catches_all_disjoint_classes_without_source(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\n[] a owl:AllDisjointClasses ; owl:members ( CCKG:0000001 MONDO:0005300 ) ;"
        ' biolink:supporting_text "Distinct." ; RO:0002558 ECO:0000033 .\n'
    )
    assert "cckgsh:DisjointnessProvenanceShape" in {s for s, _ in results_of(tmp_path, ttl)}


def test_disjointness_provenance_shape_accepts_sourced_all_disjoint_classes(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\n[] a owl:AllDisjointClasses ; owl:members ( CCKG:0000001 MONDO:0005300 ) ;"
        ' dcterms:source art:article ; biolink:supporting_text "Distinct." ;'
        " RO:0002558 ECO:0000033 .\n"
    )
    assert results_of(tmp_path, ttl) == set()


def test_axiom_annotation_form_shape_catches_literal_source(tmp_path):
    ttl = broken(
        'dcterms:source art:article ; biolink:supporting_text "Dystrophic kind." ;',
        'dcterms:source "the article" ; biolink:supporting_text "Dystrophic kind." ;',
    )
    found = results_of(tmp_path, ttl)
    assert (
        "cckgsh:AxiomAnnotationFormShape",
        "axiom(CCKG:0000002 IAO:0000115 A calcinosis cutis in damaged tissue.)",
    ) in found


def test_axiom_annotation_form_shape_catches_empty_supporting_text(tmp_path):
    ttl = broken('biolink:supporting_text "Dystrophic kind." ;', 'biolink:supporting_text "" ;')
    found = {shape for shape, _ in results_of(tmp_path, ttl)}
    assert "cckgsh:AxiomAnnotationFormShape" in found


# --- association records (docs/modelling.md, rule table) -----------------------------------------
ASSOCIATION = """
CCKG:0003001 a owl:NamedIndividual , biolink:Association ;
    rdfs:label "chronic kidney disease causes or contributes to condition calcinosis cutis (F1)" ;
    biolink:subject MONDO:0005300 ; biolink:predicate RO:0003302 ; biolink:object CCKG:0000001 ;
    dcterms:source art:calcinosis-cutis-article ; biolink:supporting_text "It can lead to it." ;
    RO:0002558 ECO:0000033 ; biolink:frequency_qualifier CCKG:0002030 ;
    biolink:knowledge_level "knowledge_assertion" .
"""


def test_association_record_shape_accepts_a_complete_record(tmp_path):
    found = {shape for shape, _ in results_of(tmp_path, VALID_ONTOLOGY + ASSOCIATION)}
    assert "cckgsh:AssociationRecordShape" not in found


@pytest.mark.parametrize(
    "old,new",
    [
        ("biolink:frequency_qualifier CCKG:0002030 ;", ""),  # no frequency, not even "not stated"
        (
            "biolink:frequency_qualifier CCKG:0002030 ;",
            "biolink:frequency_qualifier CCKG:0002010 ;",
        ),
        ('biolink:supporting_text "It can lead to it." ;', ""),  # no quote
        (
            'biolink:supporting_text "It can lead to it." ;',  # two quotes: which source said which?
            'biolink:supporting_text "It can lead to it." , "Another sentence." ;',
        ),
        ("dcterms:source art:calcinosis-cutis-article ;", ""),
        ("RO:0002558 ECO:0000033 ;", ""),
        ("biolink:object CCKG:0000001 ;", ""),
    ],
)
def test_association_record_shape_catches_an_incomplete_record(tmp_path, old, new):
    assert old in ASSOCIATION
    found = results_of(tmp_path, VALID_ONTOLOGY + ASSOCIATION.replace(old, new))
    assert ("cckgsh:AssociationRecordShape", "CCKG:0003001") in found


# --- mappings ------------------------------------------------------------------------------------
def test_disease_mapping_shape_accepts_the_gap_subset_outside_the_id_space(tmp_path):
    ttl = broken(
        "oboInOwl:inSubset CCKG:mapping_gap ;",
        "oboInOwl:inSubset <https://w3id.org/calcinosis-kg/subset/mapping_gap> ;",
    )
    assert results_of(tmp_path, ttl) == set()


def test_disease_mapping_shape_ignores_non_disease_classes(tmp_path):
    ttl = VALID_ONTOLOGY + '\nCCKG:0000200 a owl:Class ; rdfs:label "elbow skin" .\n'
    assert ("cckgsh:DiseaseMappingShape", "CCKG:0000200") not in results_of(tmp_path, ttl)


def test_gap_with_mapping_shape_warns_when_gap_class_has_xref(tmp_path):
    ttl = broken(
        "oboInOwl:inSubset CCKG:mapping_gap ;",
        'oboInOwl:inSubset CCKG:mapping_gap ; oboInOwl:hasDbXref "DERMO:0002719" ;',
    )
    onto = tmp_path / "onto.ttl"
    onto.write_text(ttl, encoding="utf-8")
    report = validate(load([onto]))
    found = [v for v in report.violations if v.shape == "cckgsh:GapWithMappingShape"]
    assert [(v.focus, v.severity) for v in found] == [("CCKG:0000002", "Warning")]


# --- ontology header -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fragment, shape",
    [
        ('dcterms:title "test ontology" ;', "cckgsh:HeaderTitleShape"),
        (
            'dcterms:description "A tiny ontology that follows every convention." ;',
            "cckgsh:HeaderDescriptionShape",
        ),
        (
            "dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
            "cckgsh:HeaderLicenseShape",
        ),
        (
            "owl:versionIRI <https://w3id.org/calcinosis-kg/releases/test.owl> ;",
            "cckgsh:HeaderVersionIRIShape",
        ),
    ],
)
def test_header_shapes_catch_missing_header_field(tmp_path, fragment, shape):
    found = results_of(tmp_path, broken(fragment, ""))
    assert (shape, "https://w3id.org/calcinosis-kg/test.owl") in found


PROJECT_HEADER = """
<https://w3id.org/calcinosis-kg/calcinosis-kg.owl> a owl:Ontology ;
    dcterms:title "calcinosis-kg" ; dcterms:description "d" ;
    dcterms:license <https://opensource.org/licenses/MIT> ;
    owl:versionIRI <https://w3id.org/calcinosis-kg/releases/x.owl> ; owl:versionInfo "x" .
"""


def test_project_license_shape_requires_cc_by_4_for_the_project_ontology(tmp_path):
    found = results_of(tmp_path, VALID_ONTOLOGY + PROJECT_HEADER)
    assert (
        "cckgsh:ProjectLicenseShape",
        "https://w3id.org/calcinosis-kg/calcinosis-kg.owl",
    ) in found


def test_project_license_shape_ignores_other_ontologies(tmp_path):
    ttl = broken(
        "<https://creativecommons.org/licenses/by/4.0/>", "<https://opensource.org/licenses/MIT>"
    )
    assert results_of(tmp_path, ttl) == set()


def test_project_license_shape_matches_header_yaml():
    from rdflib import Graph, URIRef

    g = Graph().parse(shapes_dir() / "ontology-conventions.ttl", format="turtle")
    shape = URIRef("https://w3id.org/calcinosis-kg/shapes/ProjectLicenseShape")
    sh = "http://www.w3.org/ns/shacl#"
    with (source_dir() / "header.yaml").open(encoding="utf-8") as handle:
        meta = yaml.safe_load(handle)["ontology"]
    target = g.value(shape, URIRef(sh + "target"))
    assert f"<{meta['iri']}>" in str(g.value(target, URIRef(sh + "select")))
    assert str(g.value(shape, URIRef(sh + "hasValue"))) == meta["license"]


def test_header_shapes_skip_imported_ontologies(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\n<https://w3id.org/calcinosis-kg/test.owl> owl:imports <https://example.org/mod.owl> ."
        "\n<https://example.org/mod.owl> a owl:Ontology .\n"
    )
    assert not any(focus == "https://example.org/mod.owl" for _, focus in results_of(tmp_path, ttl))


# --- case records --------------------------------------------------------------------------------
VALID_CASE = """
<https://example.org/case1> a case:CaseRecord ;
    case:diagnosis CCKG:0000002 ;
    case:lesionSite UBERON:0002097 ;
    case:serumCalcium 2.45 .
"""


def test_valid_case_record_passes(tmp_path):
    assert results_of(tmp_path, VALID_ONTOLOGY, VALID_CASE) == set()


@pytest.mark.parametrize(
    "old, new",
    [
        ("case:diagnosis CCKG:0000002 ;", ""),
        ("case:diagnosis CCKG:0000002 ;", "case:diagnosis MONDO:0005300 ;"),
        ("case:diagnosis CCKG:0000002 ;", "case:diagnosis CCKG:0000001, CCKG:0000002 ;"),
        ("case:diagnosis CCKG:0000002 ;", 'case:diagnosis "dystrophic" ;'),
    ],
    ids=["missing", "not-a-calcinosis-cutis-type", "two", "literal"],
)
def test_case_diagnosis_shape_catches_bad_diagnosis(tmp_path, old, new):
    found = results_of(tmp_path, VALID_ONTOLOGY, VALID_CASE.replace(old, new))
    assert ("cckgsh:CaseDiagnosisShape", "https://example.org/case1") in found


def test_case_site_shape_catches_site_outside_uberon_and_cckg(tmp_path):
    case = VALID_CASE.replace("UBERON:0002097", "<https://example.org/elbow>")
    found = results_of(tmp_path, VALID_ONTOLOGY, case)
    assert ("cckgsh:CaseSiteShape", "https://example.org/case1") in found


@pytest.mark.parametrize(
    "value", ['"2.45"', "9.5", "2.45, 2.5"], ids=["string", "mg-per-dl", "two-values"]
)
def test_case_serum_calcium_shape_catches_bad_value(tmp_path, value):
    found = results_of(tmp_path, VALID_ONTOLOGY, VALID_CASE.replace("2.45", value))
    assert ("cckgsh:CaseSerumCalciumShape", "https://example.org/case1") in found


# --- the shapes themselves and the bundled ontology ----------------------------------------------
def test_every_named_shape_has_comment_and_message():
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS

    sh = "http://www.w3.org/ns/shacl#"
    g = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        g.parse(path, format="turtle")
    missing = []
    for kind in ("NodeShape", "PropertyShape"):
        for shape in g.subjects(RDF.type, URIRef(sh + kind)):
            if isinstance(shape, URIRef) and (
                g.value(shape, RDFS.comment) is None
                or g.value(shape, URIRef(sh + "message")) is None
            ):
                missing.append(str(shape))
    assert missing == []


def test_bundled_ontology_conforms_to_all_shapes():
    report = validate(load())
    assert [
        (v.shape, v.focus, v.message) for v in report.violations if v.severity == "Violation"
    ] == []


# shapes that only hold or group other shapes: exercised through the shapes that use them
HELPER_SHAPES = {
    "OurEntityShape",  # groups the per-entity property shapes under one target
    "OntologyHeaderShape",  # groups the Header*Shape property shapes
    "ProvenanceShape",  # used by DisjointnessProvenanceShape
    "CaseRecordShape",
    "CalcinosisCutisTypeShape",  # used by the Case*Shape property shapes
}


def test_every_constraint_shape_has_a_test_in_this_file():
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    sh = "http://www.w3.org/ns/shacl#"
    g = Graph()
    for path in sorted(shapes_dir().glob("*.ttl")):
        g.parse(path, format="turtle")
    source = Path(__file__).read_text(encoding="utf-8")
    # the patient-case shapes (shapes/case-model.ttl) are tested by planted errors in
    # tests/test_cases_shacl.py::test_every_case_shape_catches_a_planted_error
    names = {
        str(s).rsplit("/", 1)[-1]
        for kind in ("NodeShape", "PropertyShape")
        for s in g.subjects(RDF.type, URIRef(sh + kind))
        if isinstance(s, URIRef)
        and not str(s).startswith("https://w3id.org/calcinosis-kg/shapes/case/")
    }
    untested = sorted(
        n
        for n in names - HELPER_SHAPES
        if f'"cckgsh:{n}"' not in source and f"def test_{n}" not in source
    )
    assert untested == []


#: (broken ontology, shape, focus): each shape reports the fragment it exists for
CAUGHT = [
    # identifiers, labels, definitions, synonyms
    pytest.param(
        VALID_ONTOLOGY + '\nCCKG:12 a owl:Class ; rdfs:label "x" .\n',
        "cckgsh:IdentifierShape",
        "CCKG:12",
        id="identifier_shape_catches_id_that_is_not_seven_digits",
    ),
    pytest.param(
        VALID_ONTOLOGY + SUBSET_DECLARATION.replace('rdfs:label "mapping gap" ;', ""),
        "cckgsh:LabelCountShape",
        "CCKG:mapping_gap",
        id="subset_declaration_still_needs_a_label",
    ),
    pytest.param(
        broken('rdfs:label "dystrophic calcinosis cutis" ;', ""),
        "cckgsh:LabelCountShape",
        "CCKG:0000002",
        id="label_count_shape_catches_missing_label",
    ),
    pytest.param(
        broken('rdfs:label "calcinosis cutis" ;', 'rdfs:label "calcinosis cutis", "cc" ;'),
        "cckgsh:LabelCountShape",
        "CCKG:0000001",
        id="label_count_shape_catches_two_labels",
    ),
    pytest.param(
        broken('rdfs:label "calcinosis cutis" ;', 'rdfs:label "calcinosis cutis " ;'),
        "cckgsh:LabelFormShape",
        "CCKG:0000001",
        id="label_form_shape_catches_trailing_whitespace",
    ),
    pytest.param(
        broken('rdfs:label "calcinosis cutis" ;', 'rdfs:label "calcinosis cutis"@en ;'),
        "cckgsh:LabelFormShape",
        "CCKG:0000001",
        id="label_form_shape_catches_language_tagged_label",
    ),
    pytest.param(
        broken('IAO:0000115 "A calcinosis cutis in damaged tissue." ;', ""),
        "cckgsh:DefinitionCountShape",
        "CCKG:0000002",
        id="definition_count_shape_catches_missing_definition",
    ),
    pytest.param(
        broken(
            'IAO:0000115 "A calcinosis of the skin." ;',
            'IAO:0000115 "A calcinosis of the skin.", "Another one." ;',
        ),
        "cckgsh:DefinitionCountShape",
        "CCKG:0000001",
        id="definition_count_shape_catches_two_definitions",
    ),
    pytest.param(
        VALID_ONTOLOGY.replace('"A calcinosis of the skin."', '" A calcinosis of the skin."'),
        "cckgsh:DefinitionFormShape",
        "CCKG:0000001",
        id="definition_form_shape_catches_leading_whitespace",
    ),
    pytest.param(
        broken(
            'oboInOwl:hasExactSynonym "cutaneous calcification" ;',
            "oboInOwl:hasExactSynonym <https://example.org/cutaneous-calcification> ;",
        ),
        "cckgsh:SynonymFormShape",
        "CCKG:0000001",
        id="synonym_form_shape_catches_non_string_synonym",
    ),
    pytest.param(
        broken(
            'oboInOwl:hasExactSynonym "cutaneous calcification" ;',
            'oboInOwl:hasRelatedSynonym "skin calcium "@en ;',
        ),
        "cckgsh:SynonymFormShape",
        "CCKG:0000001",
        id="synonym_form_shape_covers_related_synonyms",
    ),
    # cross-references
    pytest.param(
        broken('oboInOwl:hasDbXref "HP:0025520" ;', 'oboInOwl:hasDbXref "HP 0025520" ;'),
        "cckgsh:XrefSyntaxShape",
        "CCKG:0000001",
        id="xref_syntax_shape_catches_value_that_is_not_a_curie",
    ),
    pytest.param(
        broken(
            'oboInOwl:hasDbXref "HP:0025520" ;',
            "oboInOwl:hasDbXref <http://purl.obolibrary.org/obo/HP_0025520> ;",
        ),
        "cckgsh:XrefSyntaxShape",
        "CCKG:0000001",
        id="xref_syntax_shape_catches_iri_instead_of_string",
    ),
    pytest.param(
        broken("sssom:predicate_id skos:exactMatch", "sssom:predicate_id owl:sameAs"),
        "cckgsh:XrefPredicateShape",
        "CCKG:0000001",
        id="xref_predicate_shape_rejects_a_predicate_that_is_not_a_skos_match",
    ),
    # provenance
    pytest.param(
        VALID_ONTOLOGY.replace(
            'owl:annotatedTarget "A calcinosis cutis in damaged tissue."',
            'owl:annotatedTarget "Some other text."',
        ),
        "cckgsh:DefinitionProvenanceShape",
        "CCKG:0000002",
        id="definition_provenance_shape_catches_definition_without_axiom",
    ),
    pytest.param(
        VALID_ONTOLOGY
        + (
            '\nCCKG:0000003 a owl:Class ; rdfs:label "copy" ; oboInOwl:hasDbXref "HP:1" ;'
            ' IAO:0000115 "A calcinosis cutis in damaged tissue." .\n'
        ),
        "cckgsh:DefinitionProvenanceShape",
        "CCKG:0000003",
        id="definition_provenance_shape_does_not_accept_another_terms_axiom",
    ),
    pytest.param(
        broken(
            'biolink:supporting_text "Dystrophic kind." ;\n   RO:0002558 ECO:0000033 .',
            'biolink:supporting_text "Dystrophic kind." .',
        ),
        "cckgsh:DefinitionProvenanceShape",
        "CCKG:0000002",
        id="definition_provenance_shape_requires_evidence_code",
    ),
    pytest.param(
        VALID_ONTOLOGY
        + (
            "\nCCKG:0000002 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;"
            " owl:someValuesFrom UBERON:0002097 ] .\n"
        ),
        "cckgsh:RelationshipProvenanceShape",
        "CCKG:0000002",
        id="relationship_provenance_shape_catches_unannotated_restriction",
    ),
    pytest.param(
        broken(
            "owl:annotatedTarget _:site ;\n   dcterms:source art:article ; "
            'biolink:supporting_text "Calcium in the skin." ;',
            "owl:annotatedTarget _:site ;\n   dcterms:source art:article ;",
        ),
        "cckgsh:RelationshipProvenanceShape",
        "CCKG:0000001",
        id="relationship_provenance_shape_catches_axiom_without_supporting_text",
    ),
    pytest.param(
        broken(
            '"Kidney failure causes it." ;\n   RO:0002558 ECO:0000033 .',
            '"Kidney failure causes it." .',
        ),
        "cckgsh:RelationshipProvenanceShape",
        "MONDO:0005300",
        id="relationship_provenance_shape_covers_external_subject_naming_our_class",
    ),
    pytest.param(
        VALID_ONTOLOGY
        + (
            "\nMONDO:0005300 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;"
            " owl:someValuesFrom UBERON:0002097 ] .\n"
        ),
        "cckgsh:RelationshipProvenanceShape",
        "MONDO:0005300",
        id="relationship_provenance_shape_covers_axioms_between_external_terms",
    ),
    pytest.param(
        VALID_ONTOLOGY + "\nCCKG:0000002 owl:disjointWith MONDO:0005300 .\n",
        "cckgsh:NamedAxiomProvenanceShape",
        "CCKG:0000002",
        id="named_axiom_provenance_shape_catches_unannotated_disjointness",
    ),
    # mappings
    pytest.param(
        broken("oboInOwl:inSubset CCKG:mapping_gap ;", ""),
        "cckgsh:DiseaseMappingShape",
        "CCKG:0000002",
        id="disease_mapping_shape_catches_disease_without_xref_or_gap_marker",
    ),
    pytest.param(
        VALID_ONTOLOGY
        + (
            '\nCCKG:0000003 a owl:Class ; rdfs:label "deep subtype" ; rdfs:subClassOf CCKG:0000002 .\n'
        ),
        "cckgsh:DiseaseMappingShape",
        "CCKG:0000003",
        id="disease_mapping_shape_follows_the_asserted_hierarchy_transitively",
    ),
    pytest.param(
        VALID_ONTOLOGY + '\nCCKG:0000150 a owl:Class ; rdfs:label "local disease" .\n',
        "cckgsh:DiseaseMappingShape",
        "CCKG:0000150",
        id="disease_mapping_shape_covers_local_disease_id_range_without_disease_parent",
    ),
    # ontology header
    pytest.param(
        broken(
            "owl:versionIRI <https://w3id.org/calcinosis-kg/releases/test.owl> ;\n"
            '    owl:versionInfo "2026-11-25" .',
            "owl:versionIRI <https://w3id.org/calcinosis-kg/releases/test.owl> .",
        ),
        "cckgsh:HeaderVersionInfoShape",
        "https://w3id.org/calcinosis-kg/test.owl",
        id="header_version_info_shape_catches_missing_version_info",
    ),
]


@pytest.mark.parametrize(("ttl", "shape", "focus"), CAUGHT)
def test_each_shape_reports_the_broken_fragment_it_exists_for(tmp_path, ttl, shape, focus):
    assert (shape, focus) in results_of(tmp_path, ttl)
