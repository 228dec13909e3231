"""KGX nodes/edges TSV (Biolink categories and predicates) for Monarch-style graph consumers.

Class-level axioms become edges the way Monarch's ontology ingests read them: ``A subClassOf B``
is ``biolink:subclass_of``; ``A subClassOf (p some B)`` with named p and B is an edge A–p'–B where
p' is the Biolink predicate that Biolink itself maps p to (its ``exact/narrow_mappings``, checked
against biolink-model 4.4.6). ``A subClassOf (p some (B or C))`` gives one edge per member whose
supporting text starts "one of: B, C"; nested expressions give no edge. Each asserted edge
carries the provenance of its axiom annotation (supporting sentence, source, ECO code); inferred
``subclass_of`` edges are marked as logical entailments of an automated agent.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import TYPE_CHECKING

from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.core.vocab import (
    BIOLINK_ASSOCIATION,
    BIOLINK_FREQUENCY_QUALIFIER,
    BIOLINK_KNOWLEDGE_LEVEL,
    BIOLINK_OBJECT,
    BIOLINK_PREDICATE,
    BIOLINK_SUBJECT,
    DC_SOURCE,
    IAO_DEFINITION,
    OIO_HAS_DBXREF,
    RO_HAS_EVIDENCE,
    SKOS_CLOSE_MATCH,
    SKOS_EXACT_MATCH,
    SUPPORTING_TEXT,
    SYNONYM_SCOPES,
)
from calcinosis_kg.publish.axioms import (
    axiom_index,
    curie,
    genus_differentia,
    label_of,
    some_restriction,
    union_restriction,
)

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

PRIMARY_SOURCE = "infores:calcinosis-kg"
OWN_PREFIX = "CCKG"

#: OBO relation -> Biolink predicate (Biolink's own mapping of the RO term, see module doc)
PREDICATES = {
    "RO:0004026": "biolink:disease_has_location",  # exact mapping
    "RO:0001025": "biolink:located_in",  # exact mapping
    "RO:0002200": "biolink:has_phenotype",  # exact mapping
    "RO:0004029": "biolink:has_phenotype",  # narrow mapping (disease has feature)
    "RO:0004022": "biolink:has_phenotype",  # narrow mapping (disease has basis in)
    "RO:0003302": "biolink:contributes_to",  # causes or contributes to condition
    "RO:0003303": "biolink:causes",  # exact mapping
    "RO:0003308": "biolink:correlated_with",  # no Biolink mapping of RO:0003308: closest slot
    "RO:0002302": "biolink:treated_by",  # narrow mapping (is treated by substance)
    "RO:0002606": "biolink:treats",  # narrow mapping
    "RO:0000087": "biolink:has_attribute",  # narrow mapping (has role)
    "BFO:0000051": "biolink:has_part",  # exact mapping
    "RO:0002162": "biolink:in_taxon",  # exact mapping
    "CCKG:0001001": "biolink:is_diagnosed_by",  # our "diagnosed by" (RO has none)
}
FALLBACK_PREDICATE = "biolink:related_to"

#: prefix of an external class -> Biolink category
PREFIX_CATEGORIES = {
    "MONDO": "biolink:Disease",
    "DOID": "biolink:Disease",
    "Orphanet": "biolink:Disease",
    "HP": "biolink:PhenotypicFeature",
    "UBERON": "biolink:AnatomicalEntity",
    "CHEBI": "biolink:ChemicalEntity",
    "MAXO": "biolink:Procedure",
    "NCBITaxon": "biolink:OrganismTaxon",
    "GO": "biolink:BiologicalProcessOrActivity",
}
#: last resort for our own classes: the ID ranges of docs/modelling.md where a range holds one
#: kind only (100-199, 300-399 and 500-599 mix kinds, so they get no category from their range)
OWN_ID_RANGES = (
    (1, 99, "biolink:Disease"),  # calcinosis types
    (200, 299, "biolink:AnatomicalEntity"),
    (400, 499, "biolink:PhenotypicFeature"),  # phenotypes, findings, lab values
)
MATCH_PREDICATES = (SKOS_EXACT_MATCH, SKOS_CLOSE_MATCH)
#: when ancestors at the same distance disagree, the first category listed here wins
CATEGORY_PRIORITY = (
    "biolink:Disease",
    "biolink:PhenotypicFeature",
    "biolink:AnatomicalEntity",
    "biolink:ChemicalEntity",
    "biolink:Procedure",
    "biolink:OrganismTaxon",
    "biolink:BiologicalProcessOrActivity",
)
DEFAULT_CATEGORY = "biolink:NamedThing"

NODE_COLUMNS = ("id", "category", "name", "description", "xref", "synonym", "provided_by")
EDGE_COLUMNS = (
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "has_evidence",
    "supporting_text",
    "frequency_qualifier",
)


def category_of(graph: Graph, node: Node) -> str:
    """Biolink category of a class, from the first of these that gives one: its own prefix; its
    nearest categorised ancestor (named parents and the genus of a definition); the prefix of an
    exact/close match; the ID range of our own classes; else ``biolink:NamedThing``."""
    from rdflib import URIRef

    found = _category_from_ancestors(graph, node)
    if found:
        return found
    matches = sorted(
        (PREFIX_CATEGORIES.get(curie(o).split(":", 1)[0]), curie(o))
        for p in MATCH_PREDICATES
        for o in graph.objects(node, URIRef(p))
    )
    categories = [c for c, _ in matches if c]
    if categories:
        return min(categories, key=CATEGORY_PRIORITY.index)
    prefix, _, local = curie(node).partition(":")
    if prefix == OWN_PREFIX and local.isdigit():
        for low, high, category in OWN_ID_RANGES:
            if low <= int(local) <= high:
                return category
    return DEFAULT_CATEGORY


def _category_from_ancestors(graph: Graph, node: Node) -> str | None:
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    seen = {node}
    frontier: deque[tuple[Node, int]] = deque([(node, 0)])
    found: list[tuple[int, int, str]] = []
    while frontier:
        current, depth = frontier.popleft()
        if found and depth > found[0][0]:
            break
        category = PREFIX_CATEGORIES.get(curie(current).split(":", 1)[0])
        if category:
            found.append((depth, CATEGORY_PRIORITY.index(category), category))
            continue
        parents: list[Node] = list(graph.objects(current, RDFS.subClassOf))
        for equivalent in graph.objects(current, OWL.equivalentClass):  # genus of a definition
            definition = genus_differentia(graph, equivalent)
            parents += definition[0] if definition else []
        for parent in parents:
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                frontier.append((parent, depth + 1))
    return min(found)[2] if found else None


def _edge_id(subject: str, predicate: str, obj: str) -> str:
    digest = hashlib.sha1(f"{subject}|{predicate}|{obj}".encode()).hexdigest()[:16]
    return f"urn:calcinosis-kg:edge:{digest}"


def kgx_tables(
    graph: Graph, inferred: Graph | None = None
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(nodes, edges) rows; ``inferred`` holds the subClassOf edges that a reasoner added."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    own = prefix_map()[OWN_PREFIX]
    index = axiom_index(graph)
    inferred_pairs: set[tuple[Node, Node]] = (
        set(inferred.subject_objects(RDFS.subClassOf)) if inferred is not None else set()
    )
    edges: dict[str, dict[str, str]] = {}
    endpoints: set[Node] = set()

    def provenance(s: Node, p: Node, o: Node) -> dict[str, str]:
        texts: set[str] = set()
        sources: set[str] = set()
        evidence: set[str] = set()
        for axiom in index.get((s, p, o), []):
            texts.update(str(v) for v in graph.objects(axiom, URIRef(SUPPORTING_TEXT)))
            sources.update(curie(v) for v in graph.objects(axiom, URIRef(DC_SOURCE)))
            evidence.update(curie(v) for v in graph.objects(axiom, URIRef(RO_HAS_EVIDENCE)))
        return {
            "supporting_text": "|".join(sorted(texts)),
            "publications": "|".join(sorted(sources)),
            "has_evidence": "|".join(sorted(evidence)),
        }

    for s, o in graph.subject_objects(RDFS.subClassOf):
        if not isinstance(s, URIRef):
            continue
        if isinstance(o, URIRef):
            predicate, original = "biolink:subclass_of", "rdfs:subClassOf"
            target = o
        elif isinstance(o, BNode) and (pair := some_restriction(graph, o)):
            original = curie(pair[0])
            predicate = PREDICATES.get(original, FALLBACK_PREDICATE)
            target = pair[1]
        else:
            continue
        if (
            not (str(s).startswith(own) or str(target).startswith(own))
            and (s, o) not in inferred_pairs
            and not index.get((s, RDFS.subClassOf, o))
        ):
            continue  # the import module's own hierarchy is context, not our statement
        row = {
            "subject": curie(s),
            "predicate": predicate,
            "object": curie(target),
            "original_predicate": original,
            "primary_knowledge_source": PRIMARY_SOURCE,
        }
        if (s, o) in inferred_pairs and isinstance(o, URIRef):
            row.update(
                knowledge_level="logical_entailment",
                agent_type="automated_agent",
                supporting_text="",
                publications="",
                has_evidence="",
            )
        else:
            row.update(
                knowledge_level="knowledge_assertion",
                agent_type="manual_agent",
                **provenance(s, RDFS.subClassOf, o),
            )
        row["id"] = _edge_id(row["subject"], predicate, row["object"])
        edges[row["id"]] = row
        endpoints.update((s, target))

    # S ⊑ p some (A or B): one edge per member, marked as one of several (the union is the fact)
    for s, o in graph.subject_objects(RDFS.subClassOf):
        found = union_restriction(graph, o) if isinstance(s, URIRef) else None
        if found is None:
            continue
        original = curie(found[0])
        for member in found[1]:
            row = {
                "subject": curie(s),
                "predicate": PREDICATES.get(original, FALLBACK_PREDICATE),
                "object": curie(member),
                "original_predicate": original,
                "primary_knowledge_source": PRIMARY_SOURCE,
                "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent",
                **provenance(s, RDFS.subClassOf, o),
            }
            row["supporting_text"] = (
                "one of: "
                + ", ".join(sorted(curie(m) for m in found[1]))
                + (" | " + row["supporting_text"] if row["supporting_text"] else "")
            )
            row["id"] = _edge_id(row["subject"], row["predicate"], row["object"])
            edges.setdefault(row["id"], row)
            endpoints.update((s, member))

    # association records are edges of their own (never class axioms)
    for row, record_subject, record_object in association_edges(graph):
        edges[row["id"]] = row
        endpoints.update((record_subject, record_object))
    nodes = []
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    for node in sorted({c for c in classes if str(c).startswith(own)} | endpoints, key=curie):
        definition = graph.value(node, URIRef(IAO_DEFINITION))
        synonyms = sorted(
            {str(v) for prop in SYNONYM_SCOPES for v in graph.objects(node, URIRef(prop))}
        )
        nodes.append(
            {
                "id": curie(node),
                "category": category_of(graph, node),
                "name": label_of(graph, node) or "",
                "description": str(definition) if definition is not None else "",
                "xref": "|".join(
                    sorted({str(v) for v in graph.objects(node, URIRef(OIO_HAS_DBXREF))})
                ),
                "synonym": "|".join(synonyms),
                "provided_by": PRIMARY_SOURCE,
            }
        )
    return nodes, [
        edges[k]
        for k in sorted(
            edges, key=lambda k: (edges[k]["subject"], edges[k]["predicate"], edges[k]["object"])
        )
    ]


def to_tsv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    """KGX TSV: a header line, then one row per node/edge; tabs and newlines in values flattened."""
    lines = ["\t".join(columns)]
    for row in rows:
        lines.append(
            "\t".join(" ".join(str(row.get(c, "")).replace("\t", " ").split()) for c in columns)
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def association_edges(graph: Graph) -> list[tuple[dict[str, str], Node, Node]]:
    """KGX edge rows (with their subject and object nodes) for the association records of
    ``graph``: one edge per record, id = the record's CURIE, the Biolink predicate mapped from the
    record's predicate, its knowledge level, frequency qualifier and provenance."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    def values(record: Node, prop: str) -> list[Node]:
        return list(graph.objects(record, URIRef(prop)))

    out: list[tuple[dict[str, str], Node, Node]] = []
    for record in sorted(graph.subjects(RDF.type, URIRef(BIOLINK_ASSOCIATION)), key=str):
        subject, predicate, obj = (
            graph.value(record, URIRef(p))
            for p in (BIOLINK_SUBJECT, BIOLINK_PREDICATE, BIOLINK_OBJECT)
        )
        if not (isinstance(subject, URIRef) and isinstance(obj, URIRef) and predicate):
            continue
        original = curie(predicate)
        frequency = graph.value(record, URIRef(BIOLINK_FREQUENCY_QUALIFIER))
        level = graph.value(record, URIRef(BIOLINK_KNOWLEDGE_LEVEL))
        row = {
            "id": curie(record),
            "subject": curie(subject),
            "predicate": PREDICATES.get(original, FALLBACK_PREDICATE),
            "object": curie(obj),
            "original_predicate": original,
            "knowledge_level": str(level or "knowledge_assertion"),
            "agent_type": "manual_agent",
            "primary_knowledge_source": PRIMARY_SOURCE,
            "publications": "|".join(sorted(curie(v) for v in values(record, DC_SOURCE))),
            "has_evidence": "|".join(sorted(curie(v) for v in values(record, RO_HAS_EVIDENCE))),
            "supporting_text": "|".join(sorted(str(v) for v in values(record, SUPPORTING_TEXT))),
            "frequency_qualifier": curie(frequency) if frequency is not None else "",
        }
        out.append((row, subject, obj))
    return out
