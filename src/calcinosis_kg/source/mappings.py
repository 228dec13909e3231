"""A curated cross-reference as RDF: the one rule shared by our terms and the import module.

Why a module of its own: ``compiler`` (our classes' ``xrefs``) and ``imports`` (the external
terms' xrefs) must write a mapping the same way, so that the SSSOM export reads both alike.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from calcinosis_kg.core import vocab
from calcinosis_kg.core.prefixes import expand, header

HAS_DBXREF = URIRef(vocab.OIO_HAS_DBXREF)
MAPPING_PREDICATES = {name: URIRef(iri) for name, iri in vocab.SKOS_MATCHES.items()}
SSSOM_PREDICATE = URIRef(vocab.SSSOM_PREDICATE_ID)


def add_mapping(g: Graph, node: URIRef, xref: dict[str, Any]) -> None:
    """A curated xref: ``oboInOwl:hasDbXref "CURIE"`` annotated with its ``sssom:predicate_id``
    (a SKOS match, ``relatedMatch`` by default), plus the SKOS triple itself when the CURIE's
    prefix has a curated IRI."""
    predicate = xref.get("predicate", "relatedMatch")
    if predicate not in MAPPING_PREDICATES:
        raise ValueError(f"mapping predicate {predicate!r} is not a SKOS match")
    skos = MAPPING_PREDICATES[predicate]
    curie = xref["id"]
    literal = Literal(curie)
    g.add((node, HAS_DBXREF, literal))
    axiom = BNode()
    g.add((axiom, RDF.type, OWL.Axiom))
    g.add((axiom, OWL.annotatedSource, node))
    g.add((axiom, OWL.annotatedProperty, HAS_DBXREF))
    g.add((axiom, OWL.annotatedTarget, literal))
    g.add((axiom, SSSOM_PREDICATE, skos))
    if curie.split(":", 1)[0] in header()["prefixes"]:
        g.add((node, skos, URIRef(expand(curie))))
