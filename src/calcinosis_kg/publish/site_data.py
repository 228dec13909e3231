"""Which classes the documentation site gives a page: the types and their hierarchy.

Why a module of its own: choosing the documented types is separate from what a type page says
(the class card of ``answers.show``, laid out by ``answers.show_sheet``), from writing HTML
(``pages``) and from laying out the site (``docs``). Everything is read with fixed SPARQL on
``kg.store`` (``site_reader``); every list is sorted, so the same graph gives the same site.

The documented types are calcinosis cutis and every class under it, transitively (asserted
subclass axioms or equivalence definitions), plus the ``EXTRA_TYPE_LABELS`` shown for comparison.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from calcinosis_kg.core.vocab import CALCINOSIS_CUTIS, RDF_TYPE
from calcinosis_kg.publish.site_model import EXTRA_TYPE_LABELS, Hierarchy
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
