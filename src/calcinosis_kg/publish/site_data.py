"""What the documentation site shows, read from the loaded graph: types and their profiles.

Why a module of its own: deciding *what* a type page says (its definition, synonyms, place in the
hierarchy, relationships by section, mappings, and for every statement the sentence of the
source that supports it) is separate from the page's model (``site_model``), from writing HTML
(``pages``) and from laying out the site (``docs``). Everything is read with fixed SPARQL and
pattern lookups on ``kg.store`` (``site_reader``); every list is sorted, so the same graph gives
the same profiles.

The documented types are calcinosis cutis and every class under it, transitively (asserted
subclass axioms or equivalence definitions), plus the ``EXTRA_TYPE_LABELS`` shown for comparison.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from calcinosis_kg.core.expressions import Expr, to_text
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.core.vocab import (
    CALCINOSIS_CUTIS,
    DC_SOURCE,
    IAO_DEFINITION,
    OWL_ALL_DISJOINT_CLASSES,
    OWL_DISJOINT_WITH,
    OWL_EQUIVALENT_CLASS,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_SUBCLASS_OF,
    SUPPORTING_TEXT,
    SYNONYM_SCOPES,
)
from calcinosis_kg.publish.site_model import (
    ASSOCIATION_SECTION_SUFFIX,
    EXTRA_TYPE_LABELS,
    INCOMING_SECTIONS,
    OUTGOING_SECTIONS,
    Evidence,
    Hierarchy,
    Statement,
    TypeProfile,
    section_rank,
)
from calcinosis_kg.publish.site_reader import GraphReader

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

_TYPE_EDGES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?child ?parent ?how WHERE {
  { ?child rdfs:subClassOf ?parent . BIND("asserted" AS ?how) }
  UNION
  { ?child owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?parent .
    BIND("defined" AS ?how) }
  FILTER(isIRI(?child) && isIRI(?parent))
  FILTER NOT EXISTS { ?child owl:deprecated true }
}
"""

_LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?cls ?name WHERE {
  ?cls a owl:Class ; rdfs:label ?label .
  FILTER(isIRI(?cls) && LCASE(STR(?label)) = ?name)
}
"""

_OUTGOING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?r ?p ?x WHERE { ?x rdfs:subClassOf ?r . ?r owl:onProperty ?p . FILTER(isBlank(?r)) }
"""

_ANONYMOUS_PARENTS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?r ?x WHERE {
  ?x rdfs:subClassOf ?r . FILTER(isBlank(?r)) FILTER NOT EXISTS { ?r owl:onProperty ?p }
}
"""

_INCOMING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?c ?r ?p ?x WHERE {
  ?c rdfs:subClassOf ?r . ?r owl:onProperty ?p ; owl:someValuesFrom ?f .
  ?f (owl:unionOf/rdf:rest*/rdf:first)? ?x .
  FILTER(isIRI(?c) && isBlank(?r))
}
"""

_DISJOINT_FROM = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?d ?x WHERE { ?d owl:disjointWith ?x . FILTER(isIRI(?d)) }
"""

_DISJOINT_GROUPS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?g ?d ?x WHERE {
  ?g a owl:AllDisjointClasses ; owl:members ?list .
  ?list rdf:rest*/rdf:first ?x . ?list rdf:rest*/rdf:first ?d .
  FILTER(isIRI(?d) && ?d != ?x)
}
"""

_ASSOCIATIONS = """
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?o ?quote ?source WHERE {
  ?r a biolink:Association ; biolink:subject ?s ; biolink:predicate ?p ; biolink:object ?o ;
     biolink:supporting_text ?quote ; dcterms:source ?source .
}
"""


def association_rows(reader: GraphReader, iri: str) -> list[tuple[str, str, str, str, str]]:
    """(direction "out"/"in", predicate IRI, other IRI, quote, source IRI) of the association
    records whose subject ("out") or object ("in") is ``iri`` (bound: only its records are read)."""
    import pyoxigraph as ox

    node = ox.NamedNode(iri)
    out = [
        ("out", r["p"].value, r["o"].value, r["quote"].value, r["source"].value)
        for r in reader.query(_ASSOCIATIONS, s=node)
    ]
    out += [
        ("in", r["p"].value, r["s"].value, r["quote"].value, r["source"].value)
        for r in reader.query(_ASSOCIATIONS, o=node)
    ]
    return sorted(out)


_MAPPINGS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?xref ?pred ?x WHERE {
  ?x <http://www.geneontology.org/formats/oboInOwl#hasDbXref> ?xref .
  OPTIONAL { ?ax owl:annotatedSource ?x ; owl:annotatedTarget ?xref ;
             <https://w3id.org/sssom/predicate_id> ?pred }
}
"""


def type_hierarchy(kg: KnowledgeGraph, reader: GraphReader | None = None) -> Hierarchy:
    """The documented types with their hierarchy: (type IRIs, asserted edges, defined edges).

    Types are calcinosis cutis and every class under it, transitively, through asserted
    subclass axioms or equivalence definitions (``X ≡ CC and …``), plus osteoma cutis.
    Edges are (child, parent) pairs between documented types.
    """
    import pyoxigraph as ox

    reader = reader or GraphReader(kg)
    children: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in reader.query(_TYPE_EDGES):
        children[row["parent"].value].add((row["child"].value, row["how"].value))
    found = (
        {CALCINOSIS_CUTIS} if reader.objects(ox.NamedNode(CALCINOSIS_CUTIS), RDF_TYPE) else set()
    )
    for name in EXTRA_TYPE_LABELS:
        found |= {r["cls"].value for r in reader.query(_LABELLED, name=ox.Literal(name))}
    stack = sorted(found)
    while stack:
        parent = stack.pop()
        for child, _how in sorted(children.get(parent, ())):
            if child not in found:
                found.add(child)
                stack.append(child)
    asserted: set[tuple[str, str]] = set()
    defined: set[tuple[str, str]] = set()
    for parent, kids in children.items():
        for child, how in kids:
            if parent in found and child in found and child != parent:
                (asserted if how == "asserted" else defined).add((child, parent))
    defined -= asserted
    return sorted(found), sorted(asserted), sorted(defined)


def type_profile(
    kg: KnowledgeGraph,
    iri: str,
    reader: GraphReader | None = None,
    hierarchy: Hierarchy | None = None,
) -> TypeProfile:
    """Read everything the type page of ``iri`` shows from the graph."""
    import pyoxigraph as ox

    reader = reader or GraphReader(kg)
    types, asserted, defined = hierarchy or type_hierarchy(kg, reader)
    node = ox.NamedNode(iri)
    profile = TypeProfile(iri=iri, curie=compress(iri), label=reader.label(iri))
    definitions = reader.literals(node, IAO_DEFINITION)
    if definitions:
        profile.definition = definitions[0]
        profile.definition_evidence = reader.evidence(
            node, IAO_DEFINITION, ox.Literal(definitions[0])
        )
    profile.comment = " ".join(reader.literals(node, RDFS_COMMENT))
    for prop, scope in SYNONYM_SCOPES.items():
        for text in reader.literals(node, prop):
            profile.synonyms.append((scope, text, reader.evidence(node, prop, ox.Literal(text))))
    profile.synonyms.sort(key=lambda s: (s[1].lower(), s[0]))
    edges = set(asserted) | set(defined)
    profile.parents = sorted(
        {p for c, p in edges if c == iri}
        | {o.value for o in reader.objects(node, RDFS_SUBCLASS_OF) if isinstance(o, ox.NamedNode)}
    )
    profile.children = sorted(c for c, p in edges if p == iri)
    for parent in profile.parents:
        profile.parent_evidence[parent] = reader.evidence(
            node, RDFS_SUBCLASS_OF, ox.NamedNode(parent)
        )
    for row in reader.query(_MAPPINGS, x=node):
        pred = compress(row["pred"].value) if row["pred"] is not None else ""
        profile.mappings.append((row["xref"].value, pred))
    profile.mappings = sorted(set(profile.mappings))

    statements: list[Statement] = []
    for row in reader.query(_OUTGOING, x=node):
        prop = reader.prop_id(row["p"])
        expr = reader.expr(row["r"])
        section = OUTGOING_SECTIONS.get(prop) or _property_heading(reader, prop)
        filler = expr.items[0] if expr.kind in ("some", "only") and expr.items else expr
        if expr.kind == "only":
            filler = Expr("only", prop=prop, items=(filler,))
        statements.append(
            Statement(section, prop, filler, reader.evidence(node, RDFS_SUBCLASS_OF, row["r"]))
        )
    for row in reader.query(_INCOMING, x=node):
        prop = reader.prop_id(row["p"])
        section = (
            INCOMING_SECTIONS.get(prop)
            or f"Classes that {_property_heading(reader, prop).lower()} it"
        )
        statements.append(
            Statement(
                section,
                prop,
                Expr("named", iri=row["c"].value),
                reader.evidence(row["c"], RDFS_SUBCLASS_OF, row["r"]),
            )
        )
    for direction, prop, other, quote, source in association_rows(reader, iri):
        base = (OUTGOING_SECTIONS if direction == "out" else INCOMING_SECTIONS).get(
            prop
        ) or _property_heading(reader, prop)
        statements.append(
            Statement(
                base + ASSOCIATION_SECTION_SUFFIX,
                prop,
                Expr("named", iri=other),
                Evidence((quote,), (source,)),
            )
        )
    for row in reader.query(_ANONYMOUS_PARENTS, x=node):
        statements.append(
            Statement(
                "Is also a kind of",
                RDFS_SUBCLASS_OF,
                reader.expr(row["r"]),
                reader.evidence(node, RDFS_SUBCLASS_OF, row["r"]),
            )
        )
    for eq in reader.objects(node, OWL_EQUIVALENT_CLASS):
        definition = reader.expr(eq)
        evidence = reader.evidence(node, OWL_EQUIVALENT_CLASS, eq)
        statements.append(
            Statement("Logical definition", OWL_EQUIVALENT_CLASS, definition, evidence)
        )
        # the differentia of a definition (X ≡ CC and located in some S) are facts about X too
        members = definition.items if definition.kind == "and" else (definition,)
        for member in members:
            if member.kind == "some" and member.prop in OUTGOING_SECTIONS:
                statements.append(
                    Statement(
                        OUTGOING_SECTIONS[member.prop], member.prop, member.items[0], evidence
                    )
                )
    for other in reader.objects(node, OWL_DISJOINT_WITH):
        if isinstance(other, ox.NamedNode):
            statements.append(
                Statement(
                    "Distinct from",
                    OWL_DISJOINT_WITH,
                    Expr("named", iri=other.value),
                    reader.evidence(node, OWL_DISJOINT_WITH, other),
                )
            )
    for row in reader.query(_DISJOINT_FROM, x=node):
        statements.append(
            Statement(
                "Distinct from",
                OWL_DISJOINT_WITH,
                Expr("named", iri=row["d"].value),
                reader.evidence(row["d"], OWL_DISJOINT_WITH, node),
            )
        )
    for row in reader.query(_DISJOINT_GROUPS, x=node):
        group = row["g"]
        evidence = Evidence(
            tuple(reader.literals(group, SUPPORTING_TEXT)),
            tuple(sorted(o.value for o in reader.objects(group, DC_SOURCE))),
        )
        statements.append(
            Statement(
                "Distinct from",
                OWL_ALL_DISJOINT_CLASSES,
                Expr("named", iri=row["d"].value),
                evidence,
            )
        )
    # the evidence breaks ties (one statement per fact since issue 8): a set's order would not
    profile.statements = sorted(
        set(statements),
        key=lambda s: (
            section_rank(s.section),
            s.section,
            to_text(s.other, reader.label).lower(),
            s.prop,
            s.evidence.quotes,
            s.evidence.sources,
        ),
    )
    return profile


def _property_heading(reader: GraphReader, prop: str) -> str:
    """Section heading for a property: its label ("Inverse of …" for an inverse property)."""
    if prop.startswith("^"):
        label = "inverse of " + reader.label(prop[1:])
    else:
        label = reader.label(prop) if prop else "related to"
    return label[:1].upper() + label[1:]


def comparison_types(hierarchy: Hierarchy) -> list[str]:
    """Documented types that are not calcinosis cutis or under it (osteoma cutis)."""
    types, asserted, defined = hierarchy
    under = {CALCINOSIS_CUTIS}
    changed = True
    while changed:
        changed = False
        for child, parent in [*asserted, *defined]:
            if parent in under and child not in under:
                under.add(child)
                changed = True
    return sorted(t for t in types if t not in under)
