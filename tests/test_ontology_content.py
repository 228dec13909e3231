"""Behaviours of the ontology content that must always hold, whatever else is added."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.core.resources import ontology_dir
from calcinosis_kg.source.build import build

OIO = "http://www.geneontology.org/formats/oboInOwl#"
HAS_DBXREF = URIRef(OIO + "hasDbXref")
IN_SUBSET = URIRef(OIO + "inSubset")
SSSOM_PREDICATE = URIRef("https://w3id.org/sssom/predicate_id")
SKOS = "http://www.w3.org/2004/02/skos/core#"
CCKG = "https://w3id.org/calcinosis-kg/CCKG_"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def xsd(name: str) -> URIRef:
    """An XML Schema IRI (rdflib's XSD namespace object upsets pytest's collection)."""
    return URIRef(XSD_NS + name)


REFERENCE_TABLE = Path("/work/shared/reference/external_ids.tsv")
OBSOLETE_MONDO = {"MONDO:0000101", "MONDO:0003116", "MONDO:0005243", "MONDO:0006910"}
FIVE_KINDS = ["CCKG:0000002", "CCKG:0000003", "CCKG:0000004", "CCKG:0000005", "CCKG:0000006"]


def u(curie: str) -> URIRef:
    return URIRef(expand(curie))


@pytest.fixture(scope="module")
def graph() -> Graph:
    result = build()
    g = Graph()
    for triple in result.ontology:
        g.add(triple)
    for triple in result.imports:
        g.add(triple)
    return g


def asserted_ancestors(g: Graph, node: URIRef) -> set[URIRef]:
    return {a for a in g.transitive_objects(node, RDFS.subClassOf) if isinstance(a, URIRef)}


def axiom_annotations(g: Graph, subject: URIRef, prop: URIRef, filler: URIRef, key: URIRef):
    """Values of annotation ``key`` on the axiom ``subject SubClassOf prop some filler``."""
    values = []
    for restriction in g.objects(subject, RDFS.subClassOf):
        if (restriction, OWL.onProperty, prop) in g and (
            restriction,
            OWL.someValuesFrom,
            filler,
        ) in g:
            for axiom in g.subjects(OWL.annotatedTarget, restriction):
                values.extend(g.objects(axiom, key))
    return values


def our_disease_classes(g: Graph) -> list[URIRef]:
    roots = {u("CCKG:0000001"), u("MONDO:0002123"), u("MONDO:0005093")}
    return sorted(
        c
        for c in g.subjects(RDF.type, OWL.Class)
        if str(c).startswith(CCKG) and asserted_ancestors(g, c) & roots
    )


def test_osteoma_cutis_is_not_a_calcinosis_cutis(graph):
    assert u("CCKG:0000001") not in asserted_ancestors(graph, u("CCKG:0000011"))


def test_osteoma_cutis_is_declared_disjoint_from_calcinosis_cutis(graph):
    assert (u("CCKG:0000011"), OWL.disjointWith, u("CCKG:0000001")) in graph


def test_osteoma_cutis_is_a_skin_disorder(graph):
    assert u("MONDO:0005093") in asserted_ancestors(graph, u("CCKG:0000011"))


def test_four_kinds_are_pairwise_disjoint_and_calciphylaxis_is_a_metastatic_kind(graph):
    """Issue 16: the disjointness of calciphylaxis rested on 'typically distinguished' (F0005);
    DERMO files calciphylaxis under metastatic cutaneous calcification (F0166)."""
    groups = [
        set(Collection(graph, graph.value(node, OWL.members)))
        for node in graph.subjects(RDF.type, OWL.AllDisjointClasses)
    ]
    assert {u(c) for c in FIVE_KINDS if c != "CCKG:0000006"} in groups
    assert not any(u("CCKG:0000006") in g for g in groups)
    assert (u("CCKG:0000006"), RDFS.subClassOf, u("CCKG:0000003")) in graph


def test_idiopathic_is_disjoint_from_traumatic(graph):
    assert (u("CCKG:0000005"), OWL.disjointWith, u("CCKG:0000007")) in graph


@pytest.mark.parametrize("kind", FIVE_KINDS + ["CCKG:0000007", "CCKG:0000010"])
def test_kind_is_a_calcinosis_cutis(graph, kind):
    assert u("CCKG:0000001") in asserted_ancestors(graph, u(kind))


def test_calcinosis_cutis_is_a_calcinosis_and_a_skin_disorder(graph):
    parents = set(graph.objects(u("CCKG:0000001"), RDFS.subClassOf))
    assert {u("MONDO:0002123"), u("MONDO:0005093")} <= parents


def test_calcinosis_cutis_in_dogs_is_in_taxon_dog(graph):
    assert has_universal(graph, "CCKG:0000012", "RO:0002162", "NCBITaxon:9615")


def test_every_disease_class_of_ours_has_an_xref_or_is_a_declared_gap(graph):
    gap = u("cckg_subset:mapping_gap")
    bad = [
        compress(str(c))
        for c in our_disease_classes(graph)
        if (c, HAS_DBXREF, None) not in graph and (c, IN_SUBSET, gap) not in graph
    ]
    assert not bad, f"disease classes without xref or gap marker: {bad}"


def test_declared_gaps_have_no_xrefs(graph):
    gaps = graph.subjects(IN_SUBSET, u("cckg_subset:mapping_gap"))
    assert not [g for g in gaps if (g, HAS_DBXREF, None) in graph]


def test_calcinosis_cutis_exact_matches_are_icd10_and_dermo_and_hp_is_related(graph):
    exact = {str(o) for o in graph.objects(u("CCKG:0000001"), URIRef(SKOS + "exactMatch"))}
    assert exact == {expand("ICD10WHO:L94.2")}  # DERMO has no IRI prefix: xref string only
    related = {str(o) for o in graph.objects(u("CCKG:0000001"), URIRef(SKOS + "relatedMatch"))}
    assert expand("HP:0025520") in related  # disease -> HP phenotype: relatedMatch by convention
    xrefs = {str(o) for o in graph.objects(u("CCKG:0000001"), HAS_DBXREF)}
    assert {"HP:0025520", "DERMO:0002718"} <= xrefs


def test_tumoral_calcinosis_maps_narrower_to_familial_tumoral_calcinosis(graph):
    axioms = [
        a
        for a in graph.subjects(OWL.annotatedSource, u("CCKG:0000010"))
        if graph.value(a, OWL.annotatedTarget) == Literal("MONDO:0018891")
    ]
    assert [graph.value(a, SSSOM_PREDICATE) for a in axioms] == [URIRef(SKOS + "narrowMatch")]


def test_no_obsolete_mondo_identifier_is_used(graph):
    used = {compress(str(t)) for t in graph.all_nodes() if isinstance(t, URIRef)}
    used |= {str(o) for o in graph.objects(None, HAS_DBXREF)}
    assert not used & OBSOLETE_MONDO


@pytest.mark.skipif(not REFERENCE_TABLE.exists(), reason="shared reference table not present")
def test_only_verified_external_identifiers_are_used(graph):
    with REFERENCE_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    verified = {r["id"] for r in rows if r["status"] == "verified"}
    xrefs = {str(o) for o in graph.objects(None, HAS_DBXREF)}
    prefixes = ("MONDO", "DOID", "HP", "UBERON", "CHEBI", "NCBITaxon", "MAXO", "GO")
    classes = {compress(str(c)) for c in graph.subjects(RDF.type, OWL.Class)}
    external = {c for c in classes if c.split(":")[0] in prefixes}
    assert not sorted((xrefs | external) - verified)


def test_serum_calcium_reference_range_is_2_1_to_2_6_mmol_per_litre(graph):
    node = u("CCKG:0002000")
    assert graph.value(node, u("CCKG:0001021")) == Literal("2.1", datatype=xsd("decimal"))
    assert graph.value(node, u("CCKG:0001022")) == Literal("2.6", datatype=xsd("decimal"))
    assert str(graph.value(node, u("CCKG:0001023"))) == "mmol/L"


def test_calcium_above_the_adult_default_range_is_a_decimal_facet_above_2_6_on_that_range(graph):
    definition = graph.value(u("CCKG:0000614"), OWL.equivalentClass)
    members = list(Collection(graph, graph.value(definition, OWL.intersectionOf)))
    assert u("CCKG:0000451") in members
    judged = next(m for m in members if (m, OWL.onProperty, u("CCKG:0001024")) in graph)
    assert graph.value(judged, OWL.hasValue) == u("CCKG:0002000")  # the adult default range
    restriction = next(m for m in members if (m, OWL.onProperty, u("CCKG:0001020")) in graph)
    datarange = graph.value(restriction, OWL.someValuesFrom)
    assert graph.value(datarange, OWL.onDatatype) == xsd("decimal")
    facets = list(Collection(graph, graph.value(datarange, OWL.withRestrictions)))
    assert [graph.value(f, xsd("minExclusive")) for f in facets] == [
        Literal("2.6", datatype=xsd("decimal"))
    ]


def test_raised_serum_calcium_has_no_universal_cut_off(graph):
    # judged against the range that applies to the patient, asserted by the case importer
    assert graph.value(u("CCKG:0000610"), OWL.equivalentClass) is None
    assert (u("CCKG:0000614"), RDFS.subClassOf, u("CCKG:0000610")) in graph


def test_logical_axioms_use_only_owl2_datatypes(graph):
    forbidden = {xsd("date"), xsd("gYear"), xsd("dateTime"), xsd("gYearMonth")}
    assert not {o for o in graph.objects(None, OWL.onDatatype)} & forbidden


BIOLINK = "https://w3id.org/biolink/vocab/"
ASSOCIATION = URIRef(BIOLINK + "Association")


def records(g: Graph, subject: str, predicate: str, obj: str) -> list[URIRef]:
    """Association records subject --predicate--> object."""
    return [
        r
        for r in g.subjects(RDF.type, ASSOCIATION)
        if (r, URIRef(BIOLINK + "subject"), u(subject)) in g
        and (r, URIRef(BIOLINK + "predicate"), u(predicate)) in g
        and (r, URIRef(BIOLINK + "object"), u(obj)) in g
    ]


def has_universal(g: Graph, subject: str, prop: str, filler: str) -> bool:
    """``subject`` rdfs:subClassOf ``prop`` some ``filler`` is asserted."""
    return any(
        (r, OWL.onProperty, u(prop)) in g and (r, OWL.someValuesFrom, u(filler)) in g
        for r in g.objects(u(subject), RDFS.subClassOf)
    )


def test_chronic_renal_failure_is_the_most_frequent_cause_of_metastatic_as_an_association(graph):
    found = records(graph, "MONDO:0024327", "RO:0003302", "CCKG:0000003")
    assert found and all((r, u("CCKG:0001010"), u("CCKG:0002010")) in graph for r in found)
    assert all(
        (r, URIRef(BIOLINK + "frequency_qualifier"), u("CCKG:0002030")) in graph for r in found
    )  # "most frequent" is a wording, not a number: not stated
    assert not has_universal(graph, "MONDO:0024327", "RO:0003302", "CCKG:0000003")


def test_diltiazem_is_a_mainstay_and_colchicine_of_varying_success(graph):
    efficacy = u("CCKG:0001011")
    [diltiazem] = records(graph, "CCKG:0000001", "RO:0002302", "CHEBI:101278")
    [colchicine] = records(graph, "CCKG:0000001", "RO:0002302", "CHEBI:23359")
    assert graph.value(diltiazem, efficacy) == u("CCKG:0002020")
    assert graph.value(colchicine, efficacy) == u("CCKG:0002021")
    assert not has_universal(graph, "CCKG:0000001", "RO:0002302", "CHEBI:101278")


def test_diltiazem_has_the_role_calcium_channel_blocker(graph):
    assert has_universal(graph, "CHEBI:101278", "RO:0000087", "CHEBI:38215")


def test_crest_syndrome_has_five_features_lettered_c_r_e_s_t(graph):
    letters = {}
    for r in graph.subjects(URIRef(BIOLINK + "subject"), u("MONDO:0019563")):
        for letter in graph.objects(r, u("CCKG:0001012")):
            letters[str(letter)] = compress(str(graph.value(r, URIRef(BIOLINK + "object"))))
    assert letters == {
        "C": "CCKG:0000020",
        "R": "HP:0030880",
        "E": "CCKG:0000440",
        "S": "HP:0011838",
        "T": "HP:0001009",
    }


def test_no_external_disease_has_a_universal_feature_or_cause(graph):
    """Diseases (MONDO) are linked to calcinosis cutis only by association records."""
    bad = [
        compress(str(s))
        for s, r in graph.subject_objects(RDFS.subClassOf)
        if str(s).startswith(expand("MONDO:")) and isinstance(r, BNode)
    ]
    assert not bad


def test_association_records_are_typed_and_linked_only_by_annotation_properties(graph):
    found = list(graph.subjects(RDF.type, ASSOCIATION))
    assert len(found) >= 100
    for name in ("subject", "predicate", "object", "frequency_qualifier", "knowledge_level"):
        assert (URIRef(BIOLINK + name), RDF.type, OWL.AnnotationProperty) in graph
        assert (URIRef(BIOLINK + name), RDF.type, OWL.ObjectProperty) not in graph
    for r in found:
        assert str(r).startswith(CCKG) and (r, RDF.type, OWL.NamedIndividual) in graph
        assert (r, RDF.type, URIRef("http://purl.org/oban/association")) in graph
        assert len(set(graph.objects(r, URIRef("http://purl.org/dc/terms/source")))) == 1
        assert len(set(graph.objects(r, u("biolink:supporting_text")))) == 1


def test_every_axiom_annotation_carries_one_fact(graph):
    """One quote, one source, one evidence per owl:Axiom, so quote and source always pair."""
    from rdflib.namespace import DCTERMS

    for axiom in graph.subjects(RDF.type, OWL.Axiom):
        assert len(set(graph.objects(axiom, u("biolink:supporting_text")))) <= 1
        assert len(set(graph.objects(axiom, DCTERMS.source))) <= 1


def test_human_is_an_association_and_the_dog_a_universal(graph):
    assert records(graph, "CCKG:0000001", "RO:0002162", "NCBITaxon:9606")
    assert has_universal(graph, "CCKG:0000012", "RO:0002162", "NCBITaxon:9615")
    assert not has_universal(graph, "CCKG:0000001", "RO:0002162", "NCBITaxon:9606")


def test_local_trauma_leads_to_traumatic_calcinosis_cutis(graph):
    assert records(graph, "CCKG:0000100", "RO:0003302", "CCKG:0000007")


def test_calcium_and_phosphorus_deposit_is_of_calcium_ions_and_phosphate(graph):
    assert has_universal(graph, "CCKG:0000305", "BFO:0000051", "CHEBI:29108")
    assert has_universal(graph, "CCKG:0000305", "BFO:0000051", "CHEBI:26020")
    assert not has_universal(graph, "CCKG:0000305", "BFO:0000051", "CHEBI:22984")


def mapping_predicate(g: Graph, subject: str, xref: str) -> str:
    [axiom] = [
        a
        for a in g.subjects(OWL.annotatedSource, u(subject))
        if g.value(a, OWL.annotatedTarget) == Literal(xref)
    ]
    return str(g.value(axiom, SSSOM_PREDICATE)).rsplit("#", 1)[-1]


@pytest.mark.parametrize(
    "subject,xref,predicate",
    [
        ("CCKG:0000011", "DERMO:0002717", "broadMatch"),  # primary osteoma cutis only
        ("CCKG:0000011", "HP:0025027", "relatedMatch"),
        ("CCKG:0000001", "HP:0025520", "relatedMatch"),  # disease -> phenotype convention
        ("MONDO:0019563", "Orphanet:90290", "closeMatch"),  # plain MONDO xref
        ("MONDO:1011530", "OMIA:000494-9615", "closeMatch"),
        ("MONDO:0004670", "ICD10WHO:L93", "narrowMatch"),  # cutaneous lupus only
        ("MONDO:0024327", "HP:0000083", "relatedMatch"),
    ],
)
def test_mapping_predicates_follow_the_conventions(graph, subject, xref, predicate):
    assert mapping_predicate(graph, subject, xref) == predicate


@pytest.mark.parametrize(
    "kind,text",
    [
        ("CCKG:0000002", "dystrophic calcification"),
        ("CCKG:0000003", "metastatic calcification"),
        ("CCKG:0000004", "iatrogenic calcification"),
        ("CCKG:0000005", "idiopathic calcification"),
    ],
)
def test_calcification_words_are_broad_synonyms(graph, kind, text):
    assert (u(kind), URIRef(OIO + "hasBroadSynonym"), Literal(text)) in graph
    assert (u(kind), URIRef(OIO + "hasExactSynonym"), Literal(text)) not in graph


def test_face_of_a_child_is_obsolete_and_intramuscular_region_has_a_parent(graph):
    assert (u("CCKG:0000204"), OWL.deprecated, Literal(True)) in graph
    assert (u("CCKG:0000204"), u("IAO:0100001"), u("UBERON:0001456")) in graph
    assert list(graph.objects(u("CCKG:0000206"), RDFS.subClassOf))


def test_union_fillers_stay_unions(graph):
    """'subcutaneous or intramuscular' is one axiom with a union, never two existentials."""
    assert not has_universal(graph, "CCKG:0000010", "RO:0004026", "UBERON:0002072")
    assert not has_universal(graph, "CCKG:0000010", "RO:0004026", "CCKG:0000206")
    assert not has_universal(graph, "CCKG:0000009", "RO:0004026", "UBERON:0001456")


def test_minted_object_properties_say_why_ro_lacks_them(graph):
    minted = [p for p in graph.subjects(RDF.type, OWL.ObjectProperty) if str(p).startswith(CCKG)]
    editor_note = u("IAO:0000116")
    assert minted and all((p, editor_note, None) in graph for p in minted)


@pytest.fixture(scope="module")
def reasoned():
    from calcinosis_kg.checks.reasoning import reason
    from calcinosis_kg.graph.knowledge import load

    result = reason(load())
    if result.java_missing:
        pytest.skip("Java not available for HermiT")
    return result


def expected_inferences() -> list[dict]:
    return yaml.safe_load((ontology_dir() / "expected_inferences.yaml").read_text("utf-8"))


def _pair_id(item: dict) -> str:
    return f"{item['subclass']}<{item['superclass']}"


def test_hermit_finds_the_ontology_consistent_without_unsatisfiable_classes(reasoned):
    assert reasoned.consistent is True
    assert reasoned.unsatisfiable == []


def test_expected_inferences_list_has_at_least_ten_entries_with_reasons():
    items = expected_inferences()
    assert len(items) >= 10 and all(i.get("why") for i in items)


@pytest.mark.parametrize("item", expected_inferences(), ids=_pair_id)
def test_expected_inference_is_not_asserted(graph, item):
    assert u(item["superclass"]) not in asserted_ancestors(graph, u(item["subclass"]))


@pytest.mark.parametrize("item", expected_inferences(), ids=_pair_id)
def test_expected_inference_is_entailed_by_hermit(graph, reasoned, item):
    edges: dict[str, set[str]] = {}
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            edges.setdefault(str(s), set()).add(str(o))
    for s, o in reasoned.inferred_subclass_pairs:
        edges.setdefault(s, set()).add(o)
    seen, todo = set(), [expand(item["subclass"])]
    while todo:
        node = todo.pop()
        for parent in edges.get(node, ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    assert expand(item["superclass"]) in seen


FACET_PROBE = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix ex: <https://example.org/probe#> .
ex:high a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:0000451
    [ a owl:Restriction ; owl:onProperty CCKG:0001024 ; owl:hasValue CCKG:0002000 ]
    [ a owl:Restriction ; owl:onProperty CCKG:0001020 ; owl:someValuesFrom [ a rdfs:Datatype ;
      owl:onDatatype xsd:decimal ;
      owl:withRestrictions ( [ xsd:minInclusive "3.0"^^xsd:decimal ] ) ] ]
  ) ] .
ex:borderline a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:0000451
    [ a owl:Restriction ; owl:onProperty CCKG:0001024 ; owl:hasValue CCKG:0002000 ]
    [ a owl:Restriction ; owl:onProperty CCKG:0001020 ; owl:someValuesFrom [ a rdfs:Datatype ;
      owl:onDatatype xsd:decimal ;
      owl:withRestrictions ( [ xsd:minInclusive "2.5"^^xsd:decimal ] ) ] ]
  ) ] .
ex:child a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:0000451
    [ a owl:Restriction ; owl:onProperty CCKG:0001024 ; owl:hasValue CCKG:0002042 ]
    [ a owl:Restriction ; owl:onProperty CCKG:0001020 ; owl:someValuesFrom [ a rdfs:Datatype ;
      owl:onDatatype xsd:decimal ;
      owl:withRestrictions ( [ xsd:minInclusive "3.0"^^xsd:decimal ] ) ] ]
  ) ] .
"""


@pytest.fixture(scope="module")
def facet_probe(tmp_path_factory):
    from calcinosis_kg.checks.reasoning import reason
    from calcinosis_kg.core.resources import default_ontology_files
    from calcinosis_kg.graph.knowledge import load

    probe = tmp_path_factory.mktemp("probe") / "probe.ttl"
    probe.write_text(FACET_PROBE, encoding="utf-8")
    result = reason(load([*default_ontology_files(), probe]))
    if result.java_missing:
        pytest.skip("Java not available for HermiT")
    return set(result.inferred_subclass_pairs)


def test_hermit_classifies_calcium_of_at_least_3_mmol_on_the_adult_range_as_above_it(facet_probe):
    assert ("https://example.org/probe#high", expand("CCKG:0000614")) in facet_probe


def test_hermit_does_not_type_a_value_judged_against_a_paediatric_range_by_the_cut_off(facet_probe):
    above = {sup for sub, sup in facet_probe if sub == "https://example.org/probe#child"}
    assert not above & {expand(c) for c in ("CCKG:0000614", "CCKG:0000610", "HP:0003072")}


def test_hermit_does_not_classify_serum_calcium_from_2_5_mmol_as_above_the_reference_range(
    facet_probe,
):
    above = {sup for sub, sup in facet_probe if sub == "https://example.org/probe#borderline"}
    assert expand("CCKG:0000610") not in above and expand("HP:0003072") not in above
