"""QC report: every rule trips on a small ontology that breaks it and stays silent on a near miss
that conforms; the runner orders, formats and thresholds rows deterministically; the rule
queries are standard SPARQL that a second engine (rdflib) answers the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcinosis_kg.checks import qc, qc_rules
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load

PREFIXES = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ext: <http://example.org/ext/> .
"""

ONTOLOGY_IRI = "https://w3id.org/calcinosis-kg/test.owl"
HEADER_PROPERTIES = {
    "dcterms:title": '"Test ontology"',
    "dcterms:description": '"A small ontology for QC tests."',
    "dcterms:license": "<https://creativecommons.org/licenses/by/4.0/>",
}


LOCATED_IN_SKIN = (
    "[ a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom obo:UBERON_0002097 ]"
)
SUBSET = "<https://w3id.org/calcinosis-kg/subset/mapping_gap>"
SYNONYM_TYPE = "<https://w3id.org/calcinosis-kg/synonym_type/abbreviation>"
SYNONYM_AXIOM = f"""
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty oboInOwl:hasExactSynonym ;
   owl:annotatedTarget "cutaneous calcification" ; oboInOwl:hasSynonymType {SYNONYM_TYPE} .
"""


def header_without(omitted: str | None = None) -> str:
    """The ontology header, optionally without one of its properties."""
    props = [f"{p} {v}" for p, v in HEADER_PROPERTIES.items() if p != omitted]
    return f"\n<{ONTOLOGY_IRI}> a owl:Ontology ;\n    " + " ;\n    ".join(props) + " .\n"


HEADER = header_without()

# A conforming core every case extends: one of our classes with label, definition, a verified
# xref, an exact synonym and one named parent; external terms with their labels.
CORE = """
obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .
obo:MONDO_0005093 a owl:Class ; rdfs:label "skin disorder" .
obo:RO_0004026 a owl:ObjectProperty ; rdfs:label "disease has location" .
obo:UBERON_0002097 a owl:Class ; rdfs:label "skin of body" .
CCKG:0000001 a owl:Class ;
    rdfs:label "calcinosis cutis" ;
    obo:IAO_0000115 "A calcinosis characterized by calcium deposits in the skin." ;
    oboInOwl:hasExactSynonym "cutaneous calcification" ;
    oboInOwl:hasDbXref "HP:0025520" ;
    rdfs:subClassOf obo:MONDO_0002123 .
"""

VERIFIED = "id\tvocabulary\tlabel_in_source\nHP:0025520\tHP\tCalcinosis cutis\n"

SOURCE = "<https://w3id.org/calcinosis-kg/source/article>"

NEW_CLASS = """
CCKG:0000002 a owl:Class ;
    rdfs:label "{label}" ;
    obo:IAO_0000115 "{definition}" ;
    rdfs:subClassOf CCKG:0000001 .
"""


def new_class(
    label: str = "dystrophic calcinosis cutis",
    definition: str = "A calcinosis cutis in damaged tissue.",
) -> str:
    return NEW_CLASS.format(label=label, definition=definition)


def restriction_axiom(
    annotation: str | None, subject: str = "CCKG:0000001", filler: str = "obo:UBERON_0002097"
) -> str:
    """A relationship axiom ``subject ⊑ RO:0004026 some filler`` with an optional annotation."""
    text = f"""
{subject} rdfs:subClassOf _:r .
_:r a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom {filler} .
"""
    if annotation is not None:
        text += f"""
[] a owl:Axiom ; owl:annotatedSource {subject} ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget _:r ; {annotation} .
"""
    return text


PROVENANCE = f'dcterms:source {SOURCE} ; biolink:supporting_text "Calcium builds up in the skin."'


# rule -> (tripping addition, expected (subject, property, value) row, conforming near miss).
# An addition may be a dict with "header" (replaces HEADER) and "body".
CASES: dict[str, tuple[object, tuple[str, str, str], object]] = {
    "missing_label": (
        'CCKG:0000002 a owl:Class ; obo:IAO_0000115 "A kind." ; rdfs:subClassOf CCKG:0000001 .',
        ("CCKG:0000002", "rdfs:label", ""),
        new_class(),
    ),
    "multiple_labels": (
        'CCKG:0000001 rdfs:label "cutaneous calcinosis" .',
        ("CCKG:0000001", "rdfs:label", "cutaneous calcinosis"),
        'CCKG:0000001 oboInOwl:hasRelatedSynonym "cutaneous calcinosis" .',
    ),
    "duplicate_label": (
        new_class(label="calcinosis cutis"),
        ("CCKG:0000002", "rdfs:label", "calcinosis cutis"),
        new_class(label="calcinosis cutis, dystrophic"),
    ),
    "label_whitespace": (
        new_class(label="dystrophic calcinosis cutis "),
        ("CCKG:0000002", "rdfs:label", "dystrophic calcinosis cutis "),
        new_class(label="dystrophic calcinosis-cutis"),
    ),
    "label_formatting": (
        new_class(label="dystrophic\\tcalcinosis cutis"),
        ("CCKG:0000002", "rdfs:label", "dystrophic\tcalcinosis cutis"),
        new_class(label="dystrophic calcinosis cutis"),
    ),
    "annotation_whitespace": (
        new_class(definition="A calcinosis cutis in damaged tissue.\\n"),
        ("CCKG:0000002", "IAO:0000115", "A calcinosis cutis in damaged tissue.\n"),
        new_class(definition="A calcinosis cutis in damaged tissue.\\nSee also X."),
    ),
    "missing_definition": (
        'CCKG:0000002 a owl:Class ; rdfs:label "x calcinosis" ; rdfs:subClassOf CCKG:0000001 .',
        ("CCKG:0000002", "IAO:0000115", ""),
        'CCKG:0000002 a owl:Class ; rdfs:label "x calcinosis" ; rdfs:subClassOf CCKG:0000001 ;'
        ' obo:IAO_0000600 "An elucidation." .',
    ),
    "multiple_definitions": (
        'CCKG:0000001 obo:IAO_0000115 "Calcium salts in the skin." .',
        ("CCKG:0000001", "IAO:0000115", "Calcium salts in the skin."),
        'CCKG:0000001 rdfs:comment "Calcium salts in the skin." .',
    ),
    "duplicate_definition": (
        new_class(definition="A calcinosis characterized by calcium deposits in the skin."),
        (
            "CCKG:0000002",
            "IAO:0000115",
            "A calcinosis characterized by calcium deposits in the skin.",
        ),
        new_class(definition="A calcinosis characterized by calcium deposits in damaged skin."),
    ),
    "lowercase_definition": (
        new_class(definition="a calcinosis cutis in damaged tissue."),
        ("CCKG:0000002", "IAO:0000115", "a calcinosis cutis in damaged tissue."),
        new_class(definition="25% of cases occur in damaged tissue."),
    ),
    "invalid_xref": (
        'CCKG:0000001 oboInOwl:hasDbXref "HP 0025520" .',
        ("CCKG:0000001", "oboInOwl:hasDbXref", "HP 0025520"),
        'CCKG:0000001 oboInOwl:hasDbXref "DERMO:0002718" .',
    ),
    "missing_superclass": (
        'CCKG:0000002 a owl:Class ; rdfs:label "orphan" ; obo:IAO_0000115 "An orphan." .',
        ("CCKG:0000002", "rdfs:subClassOf", ""),
        'CCKG:0000002 a owl:Class ; rdfs:label "orphan" ; obo:IAO_0000115 "An orphan." ;'
        " owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:0000001"
        " [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;"
        " owl:someValuesFrom obo:UBERON_0002097 ] ) ] .",
    ),
    "multiple_asserted_superclasses": (
        "CCKG:0000001 rdfs:subClassOf obo:MONDO_0005093 .",
        ("CCKG:0000001", "rdfs:subClassOf", "MONDO:0005093"),
        "CCKG:0000001 rdfs:subClassOf obo:MONDO_0005093 .\n"
        "[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty"
        " rdfs:subClassOf ; owl:annotatedTarget obo:MONDO_0005093 ; oboInOwl:is_inferred true .",
    ),
    "multiple_equivalent_classes": (
        new_class() + "CCKG:0000002 owl:equivalentClass"
        " [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;"
        " owl:someValuesFrom obo:UBERON_0002097 ] ,"
        " [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;"
        " owl:someValuesFrom obo:MONDO_0005093 ] .",
        ("CCKG:0000002", "owl:equivalentClass", "RO:0004026 some MONDO:0005093"),
        new_class() + "CCKG:0000002 owl:equivalentClass"
        " [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;"
        " owl:someValuesFrom obo:UBERON_0002097 ] ,"
        " [ a owl:Class ; owl:unionOf ( obo:MONDO_0005093 obo:UBERON_0002097 ) ] .",
    ),
    "equivalent_pair": (
        new_class() + "CCKG:0000002 owl:equivalentClass obo:MONDO_0005093 .",
        ("CCKG:0000002", "owl:equivalentClass", "MONDO:0005093"),
        new_class() + "CCKG:0000002 owl:equivalentClass [ a owl:Restriction ;"
        " owl:onProperty obo:RO_0004026 ; owl:someValuesFrom obo:UBERON_0002097 ] .",
    ),
    "deprecated_class_reference": (
        "obo:UBERON_0000001 a owl:Class ; owl:deprecated true .\n"
        + restriction_axiom(PROVENANCE, filler="obo:UBERON_0000001"),
        ("CCKG:0000001", "rdfs:subClassOf", "UBERON:0000001"),
        "obo:UBERON_0000001 a owl:Class ; owl:deprecated false .\n"
        + restriction_axiom(PROVENANCE, filler="obo:UBERON_0000001"),
    ),
    "deprecated_property_reference": (
        "obo:RO_0004026 owl:deprecated true .\n" + restriction_axiom(PROVENANCE),
        ("CCKG:0000001", "owl:onProperty", "RO:0004026"),
        "obo:RO_0004027 owl:deprecated true .\n" + restriction_axiom(PROVENANCE),
    ),
    "missing_obsolete_label": (
        'CCKG:0000003 a owl:Class ; rdfs:label "old term" ; owl:deprecated true .',
        ("CCKG:0000003", "rdfs:label", "old term"),
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated true .',
    ),
    "misused_obsolete_label": (
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated false .',
        ("CCKG:0000003", "rdfs:label", "obsolete old term"),
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated true .',
    ),
    "missing_ontology_title": (
        {"header": header_without("dcterms:title"), "body": ""},
        (ONTOLOGY_IRI, "dcterms:title", ""),
        {
            "header": header_without("dcterms:title")
            + f'\n<{ONTOLOGY_IRI}> <http://purl.org/dc/elements/1.1/title> "Test" .',
            "body": "",
        },
    ),
    "missing_ontology_description": (
        {"header": header_without("dcterms:description"), "body": ""},
        (ONTOLOGY_IRI, "dcterms:description", ""),
        "",
    ),
    "missing_ontology_license": (
        {"header": header_without("dcterms:license"), "body": ""},
        (ONTOLOGY_IRI, "dcterms:license", ""),
        "",
    ),
    "duplicate_exact_synonym": (
        new_class() + 'CCKG:0000002 oboInOwl:hasExactSynonym "cutaneous calcification" .',
        ("CCKG:0000002", "oboInOwl:hasExactSynonym", "cutaneous calcification"),
        new_class() + 'CCKG:0000002 oboInOwl:hasRelatedSynonym "cutaneous calcification" .',
    ),
    "duplicate_label_synonym": (
        'CCKG:0000001 oboInOwl:hasRelatedSynonym "calcinosis cutis" .',
        ("CCKG:0000001", "oboInOwl:hasRelatedSynonym", "calcinosis cutis"),
        'CCKG:0000001 oboInOwl:hasRelatedSynonym "calcinosis of skin" .',
    ),
    "duplicate_scoped_synonym": (
        'CCKG:0000001 oboInOwl:hasRelatedSynonym "cutaneous calcification" .',
        ("CCKG:0000001", "oboInOwl:hasRelatedSynonym", "cutaneous calcification"),
        'CCKG:0000001 oboInOwl:hasRelatedSynonym "skin calcification" .',
    ),
    "missing_axiom_provenance": (
        restriction_axiom(None),
        ("CCKG:0000001", "rdfs:subClassOf", "RO:0004026 some UBERON:0002097"),
        restriction_axiom(PROVENANCE),
    ),
    "unverified_xref": (
        'CCKG:0000001 oboInOwl:hasDbXref "HP:0007618" .',
        ("CCKG:0000001", "oboInOwl:hasDbXref", "HP:0007618"),
        'CCKG:0000001 skos:note "HP:0007618" .'.replace(
            "skos:note", "<http://www.w3.org/2004/02/skos/core#note>"
        ),
    ),
    "undeclared_reference": (
        new_class() + "CCKG:0000002 rdfs:subClassOf CCKG:0000099 .",
        ("CCKG:0000099", "rdf:type", ""),
        new_class() + "CCKG:0000002 rdfs:subClassOf CCKG:0000099 .\n"
        'CCKG:0000099 a owl:Class ; rdfs:label "declared" .',
    ),
    "missing_subset_declaration": (
        f"CCKG:0000001 oboInOwl:inSubset {SUBSET} .",
        ("cckg_subset:mapping_gap", "rdfs:subPropertyOf", ""),
        f"CCKG:0000001 oboInOwl:inSubset {SUBSET} .\n"
        f"{SUBSET} a owl:AnnotationProperty ; rdfs:subPropertyOf oboInOwl:SubsetProperty .",
    ),
    "missing_synonymtype_declaration": (
        SYNONYM_AXIOM,
        (SYNONYM_TYPE.strip("<>"), "rdfs:subPropertyOf", ""),
        SYNONYM_AXIOM + f"\n{SYNONYM_TYPE} a owl:AnnotationProperty ;"
        " rdfs:subPropertyOf oboInOwl:SynonymTypeProperty .",
    ),
    "invalid_entity_uri": (
        "CCKG:0000001 rdfs:seeAlso CCKG:000002 .",
        ("CCKG:000002", "rdf:type", ""),
        f"CCKG:0000001 rdfs:seeAlso {SUBSET} .",
    ),
    "equivalent_class_axiom_no_genus": (
        new_class() + f"CCKG:0000002 owl:equivalentClass {LOCATED_IN_SKIN} .",
        ("CCKG:0000002", "owl:equivalentClass", "RO:0004026 some UBERON:0002097"),
        new_class() + "CCKG:0000002 owl:equivalentClass [ a owl:Class ; owl:intersectionOf"
        f" ( CCKG:0000001 {LOCATED_IN_SKIN} ) ] .",
    ),
    "deprecated_boolean_datatype": (
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated "true" .',
        ("CCKG:0000003", "owl:deprecated", "true"),
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated true .',
    ),
    "misused_replaced_by": (
        'CCKG:0000003 a owl:Class ; rdfs:label "old term" ; obo:IAO_0100001 CCKG:0000001 .',
        ("CCKG:0000003", "IAO:0100001", "CCKG:0000001"),
        'CCKG:0000003 a owl:Class ; rdfs:label "obsolete old term" ; owl:deprecated true ;'
        " obo:IAO_0100001 CCKG:0000001 .",
    ),
    "generated_prefix": (
        '@prefix ns1: <http://example.org/other/> .\nCCKG:0000001 ns1:note "x" .',
        ("{path}", "{line}", "@prefix ns1: <http://example.org/other/> ."),
        '@prefix other: <http://example.org/other/> .\nCCKG:0000001 other:note "x" .',
    ),
}


def write_ontology(tmp_path: Path, addition: object, name: str = "test.ttl") -> Path:
    header, body = HEADER, addition
    if isinstance(addition, dict):
        header, body = addition["header"], addition["body"]
    path = tmp_path / name
    path.write_text(PREFIXES + header + CORE + str(body) + "\n", encoding="utf-8")
    return path


def rules(*names: str) -> list[qc_rules.Rule]:
    wanted = [r for r in qc_rules.load_profile() if r.name in names]
    assert {r.name for r in wanted} == set(names)
    return wanted


def report_for(tmp_path: Path, addition: object, *names: str) -> qc.QcReport:
    verified = tmp_path / "verified.tsv"
    verified.write_text(VERIFIED, encoding="utf-8")
    kg = load([write_ontology(tmp_path, addition)])
    return qc.run_report(kg, rules(*names), verified_xrefs=verified)


def triples(report: qc.QcReport) -> set[tuple[str, str, str]]:
    return {(v.entity, v.property, v.value) for v in report.violations}


def test_every_profile_rule_has_a_tripping_case():
    assert {r.name for r in qc_rules.load_profile()} == set(CASES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_reports_the_subject_that_breaks_it(tmp_path: Path, rule: str):
    addition, expected, _ = CASES[rule]
    report = report_for(tmp_path, addition, rule)
    if expected[0] == "{path}":  # a file rule: subject is the file, property its line
        path = tmp_path / "test.ttl"
        lineno = path.read_text().splitlines().index(expected[2]) + 1
        expected = (str(path), f"line {lineno}", expected[2])
    assert expected in triples(report)
    assert {v.rule for v in report.violations} == {rule}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_silent_on_a_conforming_near_miss(tmp_path: Path, rule: str):
    _, _, clean = CASES[rule]
    assert report_for(tmp_path, clean, rule).violations == []


# --- scope: external terms are not ours to fix ------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "addition"),
    [
        ("missing_label", 'ext:A a owl:Class ; obo:IAO_0000115 "A kind." .'),
        ("missing_definition", 'ext:A a owl:Class ; rdfs:label "a" .'),
        ("duplicate_label", 'ext:A rdfs:label "calcinosis" .'),
        ("invalid_xref", 'ext:A oboInOwl:hasDbXref "not a curie" .'),
        ("unverified_xref", 'ext:A oboInOwl:hasDbXref "HP:0007618" .'),
        ("missing_axiom_provenance", restriction_axiom(None, subject="ext:A")),
    ],
)
def test_rule_ignores_problems_of_external_terms(tmp_path: Path, rule: str, addition: str):
    assert report_for(tmp_path, addition, rule).violations == []


def test_provenance_rule_covers_external_subject_with_one_of_our_classes_as_filler(tmp_path: Path):
    addition = restriction_axiom(None, subject="ext:A", filler="CCKG:0000001")
    report = report_for(tmp_path, addition, "missing_axiom_provenance")
    assert triples(report) == {
        ("http://example.org/ext/A", "rdfs:subClassOf", "RO:0004026 some CCKG:0000001")
    }


def test_provenance_rule_needs_both_source_and_supporting_text(tmp_path: Path):
    addition = restriction_axiom(f"dcterms:source {SOURCE}")
    report = report_for(tmp_path, addition, "missing_axiom_provenance")
    assert len(report.violations) == 1


def test_provenance_rule_accepts_annotation_on_a_copy_of_the_restriction(tmp_path: Path):
    addition = (
        restriction_axiom(None)
        + f"""
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;
                         owl:someValuesFrom obo:UBERON_0002097 ] ; {PROVENANCE} .
"""
    )
    assert report_for(tmp_path, addition, "missing_axiom_provenance").violations == []


def test_provenance_rule_rejects_annotation_on_a_different_restriction(tmp_path: Path):
    addition = (
        restriction_axiom(None)
        + f"""
[] a owl:Axiom ; owl:annotatedSource CCKG:0000001 ; owl:annotatedProperty rdfs:subClassOf ;
   owl:annotatedTarget [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ;
                         owl:someValuesFrom obo:MONDO_0005093 ] ; {PROVENANCE} .
"""
    )
    assert len(report_for(tmp_path, addition, "missing_axiom_provenance").violations) == 1


def test_ontology_header_rules_skip_an_imported_module(tmp_path: Path):
    addition = f"""<{ONTOLOGY_IRI}> owl:imports <https://w3id.org/calcinosis-kg/imports/m.owl> .
<https://w3id.org/calcinosis-kg/imports/m.owl> a owl:Ontology ."""
    report = report_for(
        tmp_path,
        addition,
        "missing_ontology_title",
        "missing_ontology_license",
        "missing_ontology_description",
    )
    assert report.violations == []


def test_invalid_entity_uri_flags_our_namespace_under_http(tmp_path: Path):
    addition = "CCKG:0000001 rdfs:seeAlso <http://w3id.org/calcinosis-kg/CCKG_0000002> ."
    report = report_for(tmp_path, addition, "invalid_entity_uri")
    assert triples(report) == {("http://w3id.org/calcinosis-kg/CCKG_0000002", "rdf:type", "")}


def test_equivalent_intersection_without_a_named_class_has_no_genus(tmp_path: Path):
    other = LOCATED_IN_SKIN.replace("0002097", "0000001")
    addition = new_class() + (
        "CCKG:0000002 owl:equivalentClass [ a owl:Class ;"
        f" owl:intersectionOf ( {LOCATED_IN_SKIN} {other} ) ] ."
    )
    report = report_for(tmp_path, addition, "equivalent_class_axiom_no_genus")
    assert triples(report) == {
        (
            "CCKG:0000002",
            "owl:equivalentClass",
            "(RO:0004026 some UBERON:0000001) and (RO:0004026 some UBERON:0002097)",
        )
    }


def test_datatype_restriction_value_is_written_with_its_facets(tmp_path: Path):
    addition = (
        new_class()
        + """CCKG:0000002 owl:equivalentClass [ a owl:Restriction ;
        owl:onProperty obo:RO_0004026 ; owl:someValuesFrom [ a rdfs:Datatype ;
        owl:onDatatype xsd:decimal ;
        owl:withRestrictions ( [ xsd:minExclusive 2.6 ] [ xsd:maxInclusive 3.5 ] ) ] ] ."""
    )
    report = report_for(tmp_path, addition, "equivalent_class_axiom_no_genus")
    assert triples(report) == {
        ("CCKG:0000002", "owl:equivalentClass", "RO:0004026 some xsd:decimal[> 2.6, <= 3.5]")
    }


def test_related_synonym_naming_another_entity_is_not_a_duplicate_label_synonym(tmp_path: Path):
    addition = 'CCKG:0000001 oboInOwl:hasRelatedSynonym "calcinosis" .'
    assert report_for(tmp_path, addition, "duplicate_label_synonym").violations == []


def test_exact_synonym_naming_another_entity_is_a_duplicate_label_synonym(tmp_path: Path):
    addition = 'CCKG:0000001 oboInOwl:hasExactSynonym "calcinosis" .'
    report = report_for(tmp_path, addition, "duplicate_label_synonym")
    assert triples(report) == {("CCKG:0000001", "oboInOwl:hasExactSynonym", "calcinosis")}


def test_undeclared_reference_leaves_subsets_to_their_own_rule(tmp_path: Path):
    addition = f"CCKG:0000001 oboInOwl:inSubset {SUBSET.replace('subset/', 'CCKG_')} ."
    assert report_for(tmp_path, addition, "undeclared_reference").violations == []


# --- the verified xref list -------------------------------------------------------------------


def test_refresh_verified_xrefs_keeps_verified_curie_rows_once(tmp_path: Path):
    reference = tmp_path / "external_ids.tsv"
    reference.write_text(
        "entity\tvocabulary\tid\tlabel_in_source\tevidence\tstatus\n"
        "a\tHP\tHP:0025520\tCalcinosis cutis\tfile\tverified\n"
        "b\tHP\tHP:0025520\tCalcinosis cutis\tother file\tverified\n"
        "c\tMONDO\tnone found\t\tsearched\tunverified\n"
        "d\tICD10CM\tICD10CM:L94.2\tCalcinosis cutis\tthird party\tunverified\n"
        "e\tMESH\tMESH:D002114\t\tmapping\tverified\n",
        encoding="utf-8",
    )
    out = qc_rules.refresh_verified_xrefs(reference, tmp_path / "verified.tsv")
    assert qc_rules.load_verified_xrefs(out) == ["HP:0025520", "MESH:D002114"]


def test_refresh_verified_xrefs_rejects_a_verified_row_without_a_curie(tmp_path: Path):
    reference = tmp_path / "external_ids.tsv"
    reference.write_text(
        "entity\tvocabulary\tid\tlabel_in_source\tevidence\tstatus\n"
        "a\tHP\tsee notes\tx\tfile\tverified\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"external_ids\.tsv:2: .*not a CURIE"):
        qc_rules.refresh_verified_xrefs(reference, tmp_path / "verified.tsv")


SHARED_REFERENCE = Path("/work/shared/reference/external_ids.tsv")


@pytest.mark.skipif(not SHARED_REFERENCE.is_file(), reason="shared reference not on this machine")
def test_committed_verified_list_is_the_refreshed_reference(tmp_path: Path):
    fresh = qc_rules.refresh_verified_xrefs(SHARED_REFERENCE, tmp_path / "verified.tsv")
    assert fresh.read_bytes() == qc_rules.verified_xrefs_file().read_bytes()


def test_verified_values_are_filled_as_escaped_literals():
    text = qc_rules._fill_verified("SELECT * { VALUES ?verified_xref { } }", ["HP:1", 'A:"b'])
    assert 'VALUES ?verified_xref { "HP:1" "A:\\"b" }' in text


# --- report shape, order and formats ----------------------------------------------------------

MIXED = (
    new_class(label="calcinosis cutis", definition="a lowercase definition.")
    + 'CCKG:0000001 oboInOwl:hasDbXref "HP 1" .'
)
MIXED_RULES = ("duplicate_label", "lowercase_definition", "invalid_xref")


def test_rows_are_ordered_by_severity_then_rule_then_subject(tmp_path: Path):
    report = report_for(tmp_path, MIXED, *MIXED_RULES)
    assert [(v.level, v.rule, v.entity) for v in report.violations] == [
        ("ERROR", "duplicate_label", "CCKG:0000001"),
        ("ERROR", "duplicate_label", "CCKG:0000002"),
        ("WARN", "invalid_xref", "CCKG:0000001"),
        ("INFO", "lowercase_definition", "CCKG:0000002"),
    ]


def test_report_is_identical_across_loads(tmp_path: Path):
    first = report_for(tmp_path, MIXED, *MIXED_RULES).to_tsv()
    assert report_for(tmp_path, MIXED, *MIXED_RULES).to_tsv() == first


def test_tsv_has_robot_columns_and_escapes_tabs(tmp_path: Path):
    report = report_for(tmp_path, new_class(label="a\\tb"), "label_formatting")
    lines = report.to_tsv().splitlines()
    assert lines[0].split("\t") == ["Level", "Rule Name", "Subject", "Property", "Value"]
    assert lines[1].split("\t") == [
        "ERROR",
        "label_formatting",
        "CCKG:0000002",
        "rdfs:label",
        "a\\tb",
    ]


def test_json_lists_counts_and_violations_with_labels(tmp_path: Path):
    data = json.loads(report_for(tmp_path, MIXED, *MIXED_RULES).to_json())
    assert data["counts"] == {"ERROR": 2, "WARN": 1, "INFO": 1}
    assert data["violations"][0]["label"] == "calcinosis cutis"
    assert data["rules"][0] == {
        "rule": "duplicate_label",
        "title": "Duplicate Label",
        "level": "ERROR",
        "kind": "sparql",
    }


def test_markdown_table_escapes_pipes(tmp_path: Path):
    text = report_for(tmp_path, new_class(label="a | b "), "label_whitespace").to_markdown()
    assert "| ERROR | label_whitespace | CCKG:0000002 (a \\| b ) | rdfs:label | a \\| b |" in text


def test_fail_on_counts_violations_at_or_above_the_level(tmp_path: Path):
    report = report_for(tmp_path, MIXED, *MIXED_RULES)
    assert [len(report.failing(level)) for level in ("ERROR", "WARN", "INFO", "none")] == [
        2,
        3,
        4,
        0,
    ]


def test_unknown_fail_on_level_is_an_input_error(tmp_path: Path):
    report = report_for(tmp_path, "", "missing_label")
    with pytest.raises(InputError, match="unknown --fail-on level 'FATAL'"):
        report.failing("FATAL")


# --- profile ----------------------------------------------------------------------------------


def test_profile_with_an_unknown_level_names_file_and_line(tmp_path: Path):
    profile = tmp_path / "profile.tsv"
    profile.write_text("# comment\nERROR\tmissing_label\nFATAL\tmissing_label\n")
    (tmp_path / "missing_label.rq").write_text((qc_rules.qc_dir() / "missing_label.rq").read_text())
    with pytest.raises(InputError, match=r"profile\.tsv:3:1: unknown level 'FATAL'"):
        qc_rules.load_profile(profile)


def test_profile_rule_without_a_query_file_is_an_input_error(tmp_path: Path):
    profile = tmp_path / "profile.tsv"
    profile.write_text("WARN\tno_such_rule\n")
    with pytest.raises(InputError, match=r"profile\.tsv:1:6: rule 'no_such_rule'"):
        qc_rules.load_profile(profile)


def test_profile_rule_of_unknown_kind_is_an_input_error(tmp_path: Path):
    profile = tmp_path / "profile.tsv"
    profile.write_text("WARN\tgenerated_prefix\tshell\n")
    with pytest.raises(InputError, match="unknown rule kind 'shell'"):
        qc_rules.load_profile(profile)


def test_custom_profile_runs_its_own_query_with_its_level(tmp_path: Path):
    (tmp_path / "has_comment.rq").write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?entity ?property ?value WHERE { VALUES ?property { rdfs:comment }"
        " ?entity ?property ?value }\n"
    )
    profile = tmp_path / "profile.tsv"
    profile.write_text("INFO\thas_comment\n")
    kg = load([write_ontology(tmp_path, 'CCKG:0000001 rdfs:comment "note" .')])
    report = qc.run_report(kg, profile)
    assert [v.as_row() for v in report.violations] == [
        ("INFO", "has_comment", "CCKG:0000001", "rdfs:comment", "note")
    ]


def test_rule_query_that_is_not_a_select_of_the_contract_is_an_input_error(tmp_path: Path):
    (tmp_path / "bad.rq").write_text("SELECT ?s WHERE { ?s ?p ?o }\n")
    profile = tmp_path / "profile.tsv"
    profile.write_text("INFO\tbad\n")
    kg = load([write_ontology(tmp_path, "")])
    with pytest.raises(InputError, match=r"bad\.rq: a QC rule must SELECT \?entity"):
        qc.run_report(kg, profile)


# --- the bundled rules and ontology -----------------------------------------------------------


@pytest.mark.parametrize(
    "rule", [r for r in qc_rules.load_profile() if r.kind == "sparql"], ids=lambda r: r.name
)
def test_rule_query_is_standard_sparql_selecting_entity_property_value(rule: qc_rules.Rule):
    from rdflib.plugins.sparql import prepareQuery

    assert rule.path is not None
    query = prepareQuery(rule.path.read_text(encoding="utf-8"))
    assert [str(v) for v in query.algebra["PV"]] == ["entity", "property", "value"]
    assert "SERVICE" not in rule.path.read_text(encoding="utf-8").upper()


def _engine_rows(kg, text: str) -> tuple[set, set]:
    """Rows of one query on pyoxigraph and on rdflib, blank nodes normalised."""
    import pyoxigraph
    import rdflib

    def norm(term: object) -> str:
        if term is None:
            return ""
        if isinstance(term, (pyoxigraph.BlankNode, rdflib.BNode)):
            return "_:blank"
        if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
            return term.value
        return str(term)

    ours = {
        tuple(norm(s[v]) for v in ("entity", "property", "value")) for s in kg.store.query(text)
    }
    theirs = {tuple(norm(x) for x in row) for row in kg.graph.query(text)}
    return ours, theirs


@pytest.mark.parametrize(
    "rule", [r for r in qc_rules.load_profile() if r.kind == "sparql"], ids=lambda r: r.name
)
def test_rdflib_gives_the_same_rows_as_pyoxigraph(tmp_path: Path, rule: qc_rules.Rule):
    """Portability proxy for ROBOT: an independent SPARQL engine answers the rule the same way,
    on the ontology that trips it and on the near miss."""
    assert rule.path is not None
    text = qc_rules._fill_verified(rule.path.read_text(encoding="utf-8"), ["HP:0025520"])
    trip, _, clean = CASES[rule.name]
    for name, addition in (("trip.ttl", trip), ("clean.ttl", clean)):
        kg = load([write_ontology(tmp_path, addition, name)])
        ours, theirs = _engine_rows(kg, text)
        assert ours == theirs
        assert bool(ours) == (name == "trip.ttl")


def test_bundled_ontology_has_no_error_violations():
    report = qc.run_report(load())
    errors = [v.as_row() for v in report.failing("ERROR")]
    assert errors == []


def test_qc_stage_fails_only_at_or_above_fail_on(tmp_path: Path):
    kg = load([write_ontology(tmp_path, "CCKG:0000001 rdfs:subClassOf obo:MONDO_0005093 .")])
    warn_only = qc.qc_stage(kg, fail_on="ERROR")
    assert warn_only.ok
    assert not qc.qc_stage(kg, fail_on="WARN").ok
    assert {(f.entity, f.level, f.reason) for f in warn_only.failures} == {
        ("CCKG:0000001", "WARN", "multiple_asserted_superclasses: rdfs:subClassOf MONDO:0002123"),
        ("CCKG:0000001", "WARN", "multiple_asserted_superclasses: rdfs:subClassOf MONDO:0005093"),
    }


def test_qc_stage_says_which_property_is_missing(tmp_path: Path):
    kg = load([write_ontology(tmp_path, {"header": header_without("dcterms:license"), "body": ""})])
    result = qc.qc_stage(kg)
    assert not result.ok
    assert [f.reason for f in result.failures] == ["missing_ontology_license: no dcterms:license"]


def test_robot_profile_export_fills_verified_ids_and_lists_rules_as_files(tmp_path: Path):
    verified = tmp_path / "verified.tsv"
    verified.write_text(VERIFIED, encoding="utf-8")
    profile = qc_rules.export_robot_profile(tmp_path / "robot", verified_xrefs=verified)
    lines = profile.read_text().splitlines()
    target = (tmp_path / "robot" / "unverified_xref.rq").resolve().as_uri()
    assert f"ERROR\t{target}" in lines
    assert all(line.split("\t")[0] in qc_rules.LEVELS for line in lines)  # no comments, for ROBOT
    assert not any("generated_prefix" in line for line in lines)
    assert (
        'VALUES ?verified_xref { "HP:0025520" }'
        in (tmp_path / "robot" / "unverified_xref.rq").read_text()
    )


def test_robot_profile_export_gives_the_same_report_as_the_bundled_profile(tmp_path: Path):
    verified = tmp_path / "verified.tsv"
    verified.write_text(VERIFIED, encoding="utf-8")
    profile = qc_rules.export_robot_profile(tmp_path / "robot", verified_xrefs=verified)
    kg = load([write_ontology(tmp_path, MIXED + 'CCKG:0000001 oboInOwl:hasDbXref "HP:0007618" .')])
    bundled = [r for r in qc_rules.load_profile() if r.kind == "sparql"]
    assert (
        qc.run_report(kg, profile).to_tsv()
        == qc.run_report(kg, bundled, verified_xrefs=verified).to_tsv()
    )


def test_rule_query_with_a_syntax_error_names_the_query_file_and_line(tmp_path: Path):
    (tmp_path / "broken.rq").write_text("SELECT ?entity ?property ?value\nWHERE { ?entity ?p }\n")
    profile = tmp_path / "profile.tsv"
    profile.write_text("INFO\tbroken\n")
    kg = load([write_ontology(tmp_path, "")])
    with pytest.raises(InputError, match=r"broken\.rq:2:\d+: malformed SPARQL rule query"):
        qc.run_report(kg, profile)
