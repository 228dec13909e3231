"""Behaviour of the validation API: report structure, ordering, levels, user data mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_shapes import PREFIXES, VALID_ONTOLOGY, broken

from calcinosis_kg.checks.shacl_report import curie, expand_curie
from calcinosis_kg.checks.validation import validate, validation_stage
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load

TWO_BROKEN = broken('rdfs:label "dystrophic calcinosis cutis" ;', "").replace(
    'rdfs:label "calcinosis cutis" ;', 'rdfs:label "calcinosis cutis " ;'
)


# a gap-marked class that has an (SSSOM-annotated) xref: only a Warning
GAP_WITH_XREF = (
    broken(
        "oboInOwl:inSubset CCKG:mapping_gap ;",
        'oboInOwl:inSubset CCKG:mapping_gap ; oboInOwl:hasDbXref "DERMO:0002719" ;',
    )
    + """
[] a owl:Axiom ; owl:annotatedSource CCKG:0000002 ; owl:annotatedProperty oboInOwl:hasDbXref ;
   owl:annotatedTarget "DERMO:0002719" ; sssom:predicate_id skos:closeMatch .
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_report_groups_violations_by_shape(tmp_path):
    report = validate(load([write(tmp_path, "o.ttl", TWO_BROKEN)]))
    groups = report.by_shape()
    assert [v.focus for v in groups["cckgsh:LabelCountShape"]] == ["CCKG:0000002"]
    assert [v.focus for v in groups["cckgsh:LabelFormShape"]] == ["CCKG:0000001"]


def test_violation_carries_path_value_label_and_message(tmp_path):
    report = validate(load([write(tmp_path, "o.ttl", TWO_BROKEN)]))
    (v,) = report.by_shape()["cckgsh:LabelFormShape"]
    assert (v.path, v.value, v.label) == ("rdfs:label", "calcinosis cutis ", "calcinosis cutis ")
    assert "whitespace" in v.message


def test_violations_are_sorted_by_shape_then_focus(tmp_path):
    report = validate(load([write(tmp_path, "o.ttl", TWO_BROKEN)]))
    keys = [(v.shape, v.focus) for v in report.violations]
    assert keys == sorted(keys) and len(keys) >= 2


def test_json_report_is_identical_across_runs_apart_from_timing(tmp_path):
    path = write(tmp_path, "o.ttl", TWO_BROKEN)

    def run() -> dict:
        data = json.loads(validate(load([path])).to_json())
        data.pop("seconds")
        return data

    assert run() == run()


def test_restriction_values_are_rendered_as_class_expressions(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\nCCKG:0000002 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;"
        " owl:someValuesFrom UBERON:0002097 ] .\n"
    )
    report = validate(load([write(tmp_path, "o.ttl", ttl)]))
    (v,) = report.by_shape()["cckgsh:RelationshipProvenanceShape"]
    assert v.value == "RO:0004026 some UBERON:0002097"


def test_warnings_do_not_make_the_report_fail(tmp_path):
    ttl = GAP_WITH_XREF
    report = validate(load([write(tmp_path, "o.ttl", ttl)]))
    assert report.violations and report.conforms


def test_stage_reports_one_failure_per_violation_with_entity_and_label(tmp_path):
    result = validation_stage(load([write(tmp_path, "o.ttl", TWO_BROKEN)]))
    assert not result.ok
    entities = sorted((f.entity, f.label, f.level) for f in result.failures)
    assert entities == [
        ("CCKG:0000001", "calcinosis cutis ", "ERROR"),
        ("CCKG:0000002", "", "ERROR"),
    ]
    assert result.counts["violations"] == 2


def test_stage_reports_warnings_as_warning_level_and_passes(tmp_path):
    ttl = GAP_WITH_XREF
    result = validation_stage(load([write(tmp_path, "o.ttl", ttl)]))
    assert result.ok and [f.level for f in result.failures] == ["WARNING"]


def test_validation_does_not_modify_the_shared_graph(tmp_path):
    kg = load([write(tmp_path, "o.ttl", TWO_BROKEN)])
    before = len(kg.graph)
    validate(kg)
    assert len(kg.graph) == before


def test_custom_shapes_replace_the_bundled_ones(tmp_path):
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
    report = validate(load([write(tmp_path, "o.ttl", TWO_BROKEN)]), shapes=[shapes])
    assert [(v.shape, v.focus) for v in report.violations] == [
        ("https://example.org/NoSynonym", "CCKG:0000001")
    ]


def test_no_rdfs_inference_so_range_cannot_hide_a_class_error(tmp_path):
    # With RDFS inference, the range of ex:site would retype ex:notASite as a ex:Site and the
    # sh:class violation would vanish; validation must report it.
    shapes = write(
        tmp_path,
        "s.ttl",
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <https://example.org/> .
ex:SiteShape a sh:PropertyShape ; sh:targetSubjectsOf ex:site ; sh:path ex:site ;
    sh:class ex:Site ; sh:message "site must be a Site" .
""",
    )
    onto = write(
        tmp_path,
        "o.ttl",
        """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/> .
ex:site rdfs:range ex:Site .
ex:case ex:site ex:notASite .
""",
    )
    report = validate(load([onto]), shapes=[shapes])
    assert [v.focus for v in report.violations] == ["https://example.org/case"]


def test_user_data_is_validated_with_the_ontology_as_background(tmp_path):
    onto = write(tmp_path, "o.ttl", VALID_ONTOLOGY)
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/case1> a case:CaseRecord ; case:diagnosis CCKG:0000002 .
<https://example.org/case2> a case:CaseRecord ; case:diagnosis MONDO:0002123 .
""",
    )
    report = validate(load([onto]), data=[data])
    assert [v.focus for v in report.violations] == ["https://example.org/case2"]


def test_user_data_mode_does_not_report_the_ontologys_own_violations(tmp_path):
    onto = write(tmp_path, "o.ttl", TWO_BROKEN)
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/case1> a case:CaseRecord ; case:diagnosis CCKG:0000002 .
""",
    )
    assert validate(load([onto]), data=[data]).violations == []


def test_user_data_in_our_namespace_is_checked_by_the_convention_shapes(tmp_path):
    onto = write(tmp_path, "o.ttl", VALID_ONTOLOGY)
    data = write(
        tmp_path,
        "ext.ttl",
        PREFIXES
        + """
CCKG:0000150 a owl:Class ; rdfs:label "new subtype" ; rdfs:subClassOf CCKG:0000001 .
""",
    )
    report = validate(load([onto]), data=[data])
    assert ("cckgsh:DefinitionCountShape", "CCKG:0000150") in {
        (v.shape, v.focus) for v in report.violations
    }


def test_malformed_data_file_raises_input_error_with_position(tmp_path):
    onto = write(tmp_path, "o.ttl", VALID_ONTOLOGY)
    data = write(tmp_path, "bad.ttl", PREFIXES + "<https://example.org/a> case:diagnosis .\n")
    with pytest.raises(InputError) as info:
        validate(load([onto]), data=[data])
    assert info.value.path.endswith("bad.ttl") and info.value.line is not None


def test_turtle_report_is_a_shacl_validation_report_with_every_result(tmp_path):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    report = validate(load([write(tmp_path, "o.ttl", TWO_BROKEN)]))
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    sh = "http://www.w3.org/ns/shacl#"
    results = list(g.subjects(RDF.type, URIRef(sh + "ValidationResult")))
    assert len(results) == len(report.violations) == 2
    assert (None, URIRef(sh + "conforms"), None) in g


KITCHEN_SINK = (
    broken('rdfs:label "dystrophic calcinosis cutis" ;', "")
    .replace('oboInOwl:hasDbXref "HP:0025520" ;', 'oboInOwl:hasDbXref "HP 0025520", "WIKI:Q1" ;')
    .replace("oboInOwl:inSubset CCKG:mapping_gap ;", "")
    .replace('dcterms:title "test ontology" ;', "")
    .replace('biolink:supporting_text "Kidney failure causes it." ;', "")
    + '\nCCKG:12 a owl:Class ; rdfs:label " padded" .\n'
    + "CCKG:0000002 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;"
    " owl:someValuesFrom UBERON:0002097 ] .\n"
    + 'CCKG:0000003 a owl:Class ; rdfs:label "gap with xref" ; oboInOwl:inSubset CCKG:mapping_gap ;'
    ' oboInOwl:hasDbXref "DERMO:1" ; rdfs:subClassOf CCKG:0000002 .\n'
    + "CCKG:0000002 owl:disjointWith MONDO:0005300 .\n"
    + 'CCKG:0000004 a owl:Class ; rdfs:label "unsourced" ; IAO:0000115 "A definition." .\n'
    + "[] a owl:AllDisjointClasses ; owl:members ( CCKG:0000001 MONDO:0005300 ) .\n"
)


def test_sparql_targets_resolved_by_oxigraph_give_the_same_report_as_pyshacl(tmp_path):
    kg = load([write(tmp_path, "o.ttl", KITCHEN_SINK)])
    fast = validate(kg, targets="oxigraph").violations
    reference = validate(kg, targets="pyshacl").violations
    assert fast == reference
    assert len({v.shape for v in fast}) >= 14  # the comparison covers most shapes


def test_sparql_targets_agree_in_user_data_mode(tmp_path):
    onto = write(tmp_path, "o.ttl", VALID_ONTOLOGY)
    data = write(
        tmp_path,
        "ext.ttl",
        KITCHEN_SINK.replace(
            "<https://w3id.org/calcinosis-kg/test.owl>", "<https://example.org/ext.owl>"
        ),
    )
    kg = load([onto])
    fast = validate(kg, data=[data], targets="oxigraph").violations
    assert fast == validate(kg, data=[data], targets="pyshacl").violations
    assert fast


def test_text_report_shows_the_language_tag_that_breaks_a_label(tmp_path):
    ttl = broken('rdfs:label "calcinosis cutis" ;', 'rdfs:label "calcinosis cutis"@en ;')
    report = validate(load([write(tmp_path, "o.ttl", ttl)]))
    assert 'rdfs:label = "calcinosis cutis"@en' in report.to_text()


def test_turtle_report_keeps_the_datatype_of_a_literal_value(tmp_path):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import XSD

    onto = write(tmp_path, "o.ttl", VALID_ONTOLOGY)
    data = write(
        tmp_path,
        "cases.ttl",
        PREFIXES
        + """
<https://example.org/case1> a case:CaseRecord ; case:diagnosis CCKG:0000002 ;
    case:serumCalcium 10.2 .
""",
    )
    report = validate(load([onto]), data=[data])
    g = Graph().parse(data=report.to_turtle(), format="turtle")
    values = list(g.objects(None, URIRef("http://www.w3.org/ns/shacl#value")))
    assert values == [Literal("10.2", datatype=XSD.decimal)]


def test_nested_node_shape_details_are_not_reported_as_separate_results(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\n[] a owl:AllDisjointClasses ; owl:members ( CCKG:0000001 MONDO:0005300 ) .\n"
    )
    report = validate(load([write(tmp_path, "o.ttl", ttl)]))
    assert [(v.shape, v.focus) for v in report.violations] == [
        ("cckgsh:DisjointnessProvenanceShape", "AllDisjoint(CCKG:0000001, MONDO:0005300)")
    ]


def test_empty_data_list_validates_the_given_ontology(tmp_path):
    kg = load([write(tmp_path, "o.ttl", TWO_BROKEN)])
    assert validate(kg, data=[]).violations == validate(kg).violations != []


def test_nested_class_expressions_are_rendered_with_and_or(tmp_path):
    ttl = VALID_ONTOLOGY + (
        "\nCCKG:0000002 rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;"
        " owl:someValuesFrom [ a owl:Class ; owl:unionOf ( UBERON:0002097"
        " [ a owl:Class ; owl:intersectionOf ( MONDO:0002123 MONDO:0005300 ) ] ) ] ] .\n"
    )
    report = validate(load([write(tmp_path, "o.ttl", ttl)]))
    (v,) = report.by_shape()["cckgsh:RelationshipProvenanceShape"]
    assert v.value == "RO:0004026 some (UBERON:0002097 or (MONDO:0002123 and MONDO:0005300))"


def test_shape_and_case_names_print_under_their_local_prefixes_and_read_back() -> None:
    shape = "https://w3id.org/calcinosis-kg/shapes/CaseShape"
    assert curie(shape) == "cckgsh:CaseShape"
    assert expand_curie("cckgsh:CaseShape") == shape
    assert curie("https://w3id.org/calcinosis-kg/case/c1") == "case:c1"
    assert curie("http://purl.obolibrary.org/obo/HP_0001") == "HP:0001"
    assert expand_curie("HP:0001") == "http://purl.obolibrary.org/obo/HP_0001"


def test_a_bare_local_namespace_is_not_written_as_an_empty_curie() -> None:
    assert (
        curie("https://w3id.org/calcinosis-kg/shapes/") == "https://w3id.org/calcinosis-kg/shapes/"
    )
