"""Reading OWL patterns from an rdflib graph, shared by the OBO, SSSOM, KGX and diff writers.

Why a module of its own: each writer translates the same few patterns (axiom annotations on a
triple, ``p some C`` with named p and C, genus-differentia definitions, the ontology header) and
must pick the same CURIE and label for a term, so the patterns are read in one place.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

# one CURIE and one label choice for every exporter (re-exported for obo/sssom/kgx/diff callers)
from calcinosis_kg.core.expressions import curie as curie
from calcinosis_kg.core.vocab import (
    BIOLINK_ASSOCIATION,
    BIOLINK_OBJECT,
    BIOLINK_PREDICATE,
    BIOLINK_SUBJECT,
)
from calcinosis_kg.graph.knowledge import label_of as label_of

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

    #: (annotated source, property, target) of an owl:Axiom
    AxiomKey = tuple[Node | None, Node | None, Node | None]


def axiom_index(graph: Graph) -> dict[AxiomKey, list[Node]]:
    """(source, property, target) -> the owl:Axiom nodes annotating that triple."""
    from rdflib.namespace import OWL, RDF

    index: dict[AxiomKey, list[Node]] = defaultdict(list)
    for axiom in graph.subjects(RDF.type, OWL.Axiom):
        key = (
            graph.value(axiom, OWL.annotatedSource),
            graph.value(axiom, OWL.annotatedProperty),
            graph.value(axiom, OWL.annotatedTarget),
        )
        index[key].append(axiom)
    return index


def some_restriction(graph: Graph, node: Node) -> tuple[URIRef, URIRef] | None:
    """(property, filler) when ``node`` is ``p some C`` with named p and C, else None."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF

    if (node, RDF.type, OWL.Restriction) not in graph:
        return None
    prop = graph.value(node, OWL.onProperty)
    filler = graph.value(node, OWL.someValuesFrom)
    if isinstance(prop, URIRef) and isinstance(filler, URIRef):
        return prop, filler
    return None


def genus_differentia(
    graph: Graph, node: Node
) -> tuple[list[URIRef], list[tuple[URIRef, URIRef]]] | None:
    """(genus classes, [(p, C)]) when ``node`` is an intersection of named classes and simple
    existentials (the form OBO's ``intersection_of`` can hold), else None."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import OWL

    members_node = graph.value(node, OWL.intersectionOf)
    if members_node is None:
        return None
    genus: list[URIRef] = []
    differentia: list[tuple[URIRef, URIRef]] = []
    for member in Collection(graph, members_node):
        if isinstance(member, URIRef):
            genus.append(member)
            continue
        pair = some_restriction(graph, member)
        if pair is None:
            return None
        differentia.append(pair)
    return genus, differentia


def entities(graph: Graph, kind: Node) -> list[URIRef]:
    """The named subjects typed ``kind`` (e.g. ``owl:Class``), sorted by IRI."""
    from rdflib import URIRef
    from rdflib.namespace import RDF

    return sorted({s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}, key=str)


def ontology_header(graph: Graph) -> Node | None:
    """The first ``owl:Ontology`` subject by IRI, or None."""
    from rdflib.namespace import OWL, RDF

    heads = sorted(graph.subjects(RDF.type, OWL.Ontology), key=str)
    return heads[0] if heads else None


def union_restriction(graph: Graph, node: Node) -> tuple[URIRef, list[URIRef]] | None:
    """(property, [members]) when ``node`` is ``p some (A or B …)`` with named p and members."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import OWL, RDF

    if (node, RDF.type, OWL.Restriction) not in graph:
        return None
    prop = graph.value(node, OWL.onProperty)
    filler = graph.value(node, OWL.someValuesFrom)
    members_node = graph.value(filler, OWL.unionOf) if filler is not None else None
    if not isinstance(prop, URIRef) or members_node is None:
        return None
    members = list(Collection(graph, members_node))
    if not members or not all(isinstance(m, URIRef) for m in members):
        return None
    return prop, [m for m in members if isinstance(m, URIRef)]


def graph_view_edges(graph: Graph) -> list[tuple[URIRef, URIRef, URIRef, str]]:
    """The non-universal edges a graph view shows beside is_a and ``p some C``, sorted.

    (subject, predicate, object, kind): kind ``one_of`` for each member of ``S ⊑ p some (A or
    B)`` (S has p to one of them, not to each), ``association`` for each association record
    (docs/modelling.md: true of some members, never inherited). Writers render them as annotations
    or qualified edges, never as a universal ``relationship``.
    """
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    out: set[tuple[URIRef, URIRef, URIRef, str]] = set()
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and (found := union_restriction(graph, o)):
            out.update((s, found[0], member, "one_of") for member in found[1])
    for record in graph.subjects(RDF.type, URIRef(BIOLINK_ASSOCIATION)):
        ends = [
            graph.value(record, URIRef(x))
            for x in (BIOLINK_SUBJECT, BIOLINK_PREDICATE, BIOLINK_OBJECT)
        ]
        a, p, b = ends
        if isinstance(a, URIRef) and isinstance(p, URIRef) and isinstance(b, URIRef):
            out.add((a, p, b, "association"))
    return sorted(out, key=lambda e: tuple(str(x) for x in e))
