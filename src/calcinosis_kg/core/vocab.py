"""Vocabulary IRIs, declared once for every layer.

Plain ``str`` constants, not rdflib terms: most stages work on pyoxigraph and must not pay for
importing rdflib (wrap with ``rdflib.URIRef(...)`` or ``pyoxigraph.NamedNode(...)`` where needed).
Namespaces end with their separator, so ``OWL + "Class"`` is the full IRI.

>>> OWL + "Class"
'http://www.w3.org/2002/07/owl#Class'
>>> obo("IAO_0000115") == IAO_DEFINITION
True
"""

from __future__ import annotations

# --- namespaces ----------------------------------------------------------------------------------
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
DCTERMS = "http://purl.org/dc/terms/"
OBO = "http://purl.obolibrary.org/obo/"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
BIOLINK = "https://w3id.org/biolink/vocab/"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
#: DERMO's URI prefix as the Bioregistry curates it for ``dermo`` (canonical in prefixmaps 0.2.6,
#: data/bioregistry.csv; listed as curated by the Bioregistry's maintainer, cthoyt/cthoyt.github.io
#: _posts/2023-03-12-obolibrary-masquerade.md). It is no OBO Foundry PURL and does not resolve, so
#: the ontology keeps DERMO as xref strings (shared/reference/external_ids_notes.md;
#: ontology/src/header.yaml); it only expands DERMO CURIEs in the SSSOM file, which must expand all
DERMO_BIOREGISTRY = "http://purl.obolibrary.org/obo/DERMO_"
#: SPARQL 1.1 Service Description, VoID and the W3C format IRIs (the endpoint's description)
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
FORMATS = "http://www.w3.org/ns/formats/"
CALCINOSIS_KG = "https://w3id.org/calcinosis-kg/"
CCKG = CALCINOSIS_KG + "CCKG_"
CCKG_SHAPES = CALCINOSIS_KG + "shapes/"
CCKG_CASE = CALCINOSIS_KG + "case/"
#: probe classes of the negative-entailment check (never in a published file)
CCKG_PROBE = CALCINOSIS_KG + "probe/"
#: named graphs of the SPARQL endpoint (asserted, inferred, case data)
CCKG_GRAPH = CALCINOSIS_KG + "graph/"
#: qualifier key telling a graph view's non-universal edge from a universal one
CCKG_EDGE_KIND = CALCINOSIS_KG + "edge_kind"


def obo(local: str) -> str:
    """An OBO PURL from its local part, e.g. ``obo("RO_0002558")``."""
    return OBO + local


# --- RDF / RDFS / OWL / XSD ---------------------------------------------------------------------
RDF_TYPE = RDF + "type"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"
RDF_PARSE_TYPE_ATTRIBUTE = RDF + " parseType"  # as an XML parser names the attribute
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"
RDFS_SUBCLASS_OF = RDFS + "subClassOf"
OWL_CLASS = OWL + "Class"
OWL_THING = OWL + "Thing"
OWL_NOTHING = OWL + "Nothing"
OWL_EQUIVALENT_CLASS = OWL + "equivalentClass"
OWL_ONTOLOGY = OWL + "Ontology"
OWL_IMPORTS = OWL + "imports"
OWL_VERSION_IRI = OWL + "versionIRI"
OWL_VERSION_INFO = OWL + "versionInfo"
OWL_EQUIVALENT_CLASS = OWL + "equivalentClass"
XSD_STRING = XSD + "string"

# --- Dublin Core ---------------------------------------------------------------------------------
DC_SOURCE = DCTERMS + "source"
DC_IDENTIFIER = DCTERMS + "identifier"
DC_TITLE = DCTERMS + "title"
DC_DESCRIPTION = DCTERMS + "description"
DC_LICENSE = DCTERMS + "license"
DC_CREATOR = DCTERMS + "creator"
DC_ISSUED = DCTERMS + "issued"
DC_TYPE = "http://purl.org/dc/elements/1.1/type"
#: ODK's marker of a base module (``dc:type IAO:8000001`` on the ontology header)
IAO_BASE_MODULE = OBO + "IAO_8000001"

# --- OBO (IAO, RO) and oboInOwl ------------------------------------------------------------------
IAO_DEFINITION = OBO + "IAO_0000115"
IAO_EDITOR_NOTE = OBO + "IAO_0000116"
IAO_REPLACED_BY = OBO + "IAO_0100001"
IAO_IMPORTED_FROM = OBO + "IAO_0000412"
RO_HAS_EVIDENCE = OBO + "RO_0002558"
RO_CAUSES_OR_CONTRIBUTES = OBO + "RO_0003302"
OIO_HAS_DBXREF = OIO + "hasDbXref"
OIO_IN_SUBSET = OIO + "inSubset"
OIO_DATE = OIO + "date"
#: ROBOT marks the axioms a reasoner added (``oboInOwl:is_inferred "true"`` on the axiom)
OIO_IS_INFERRED = OIO + "is_inferred"
OIO_EXACT_SYNONYM = OIO + "hasExactSynonym"
OIO_RELATED_SYNONYM = OIO + "hasRelatedSynonym"
OIO_BROAD_SYNONYM = OIO + "hasBroadSynonym"
OIO_NARROW_SYNONYM = OIO + "hasNarrowSynonym"
#: synonym property -> its scope (the OBO scope is the upper-case name)
SYNONYM_SCOPES = {
    OIO_EXACT_SYNONYM: "exact",
    OIO_RELATED_SYNONYM: "related",
    OIO_BROAD_SYNONYM: "broad",
    OIO_NARROW_SYNONYM: "narrow",
}

# --- SKOS ----------------------------------------------------------------------------------------
SKOS_ALT_LABEL = SKOS + "altLabel"
SKOS_EXACT_MATCH = SKOS + "exactMatch"
SKOS_CLOSE_MATCH = SKOS + "closeMatch"
#: the mapping predicates a curated xref may carry, by local name (``sssom:predicate_id``)
SKOS_MATCHES = {
    name: SKOS + name
    for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
}

# --- Biolink, OBAN, SSSOM ------------------------------------------------------------------------
SUPPORTING_TEXT = BIOLINK + "supporting_text"
#: association records (docs/modelling.md): what holds of some members, never of every one
BIOLINK_ASSOCIATION = BIOLINK + "Association"
BIOLINK_SUBJECT = BIOLINK + "subject"
BIOLINK_PREDICATE = BIOLINK + "predicate"
BIOLINK_OBJECT = BIOLINK + "object"
BIOLINK_FREQUENCY_QUALIFIER = BIOLINK + "frequency_qualifier"
BIOLINK_HAS_PERCENTAGE = BIOLINK + "has_percentage"
BIOLINK_KNOWLEDGE_LEVEL = BIOLINK + "knowledge_level"
OBAN_ASSOCIATION = "http://purl.org/oban/association"
SSSOM_PREDICATE_ID = SSSOM + "predicate_id"

# --- this ontology -------------------------------------------------------------------------------
CALCINOSIS_CUTIS = CCKG + "0000001"

# --- what a class card (answers.show) sorts statements by ---------------------------------------
FREQUENCY_WORDING = CCKG + "0001010"
EFFICACY_QUALIFIER = CCKG + "0001011"
ACRONYM_LETTER = CCKG + "0001012"
LOWER_REFERENCE_LIMIT = CCKG + "0001021"
UPPER_REFERENCE_LIMIT = CCKG + "0001022"
HAS_UNIT = CCKG + "0001023"
DIAGNOSED_BY = CCKG + "0001001"
PROPOSED_MECHANISM = CCKG + "0001002"
LABORATORY_FINDING = CCKG + "0000451"
AFFECTED_POPULATION = CCKG + "0000452"
CALCIUM_SALT_DEPOSIT = CCKG + "0000300"
#: roots of the exposures (extravasation, electrode compounds, occupations)
EXPOSURE_ROOTS = (CCKG + "0000500", CCKG + "0000504", CCKG + "0000510")
RO_HAS_LOCATION = obo("RO_0004026")
RO_HAS_FEATURE = obo("RO_0004029")
RO_HAS_PHENOTYPE = obo("RO_0002200")
RO_HAS_PHYSICAL_BASIS = obo("RO_0004022")
RO_CAUSES_OR_CONTRIBUTES = obo("RO_0003302")
RO_CAUSES = obo("RO_0003303")
RO_CORRELATED_WITH = obo("RO_0003308")
RO_TREATED_BY_SUBSTANCE = obo("RO_0002302")
RO_TREATS = obo("RO_0002606")
RO_HAS_ROLE = obo("RO_0000087")
RO_IN_TAXON = obo("RO_0002162")
RO_HAS_EXPOSURE_STIMULUS = obo("RO_0002309")
BFO_HAS_PART = obo("BFO_0000051")
OWL_ANNOTATED_SOURCE = OWL + "annotatedSource"
OWL_ANNOTATED_PROPERTY = OWL + "annotatedProperty"
OWL_ANNOTATED_TARGET = OWL + "annotatedTarget"
OWL_DEPRECATED = OWL + "deprecated"
