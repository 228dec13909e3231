"""The graph transformations behind ODK's base, full and simple release variants.

Why a module of its own: ``release`` orders the work (parse, reason, write); the definitions of
what each variant contains live here, so they can be read (and tested) against ODK's:

* **base** — our axioms only, reasoned over our own classes: logical axioms and annotations whose
  subject is an external class are left out (external classes are only declared), our classes'
  inferred parents are asserted, and the header carries ODK's ``dc:type IAO:8000001`` marker.
* **full** — base plus the import modules plus the whole inferred hierarchy, transitively reduced.
* **simple** — full without class expressions (except ``p some C``), individuals, data assertions
  and axiom annotations.

Every variant declares each entity it uses (OWL 2 DL: OWLAPI rejects undeclared IRIs in DL
mode), and each inferred axiom carries ``oboInOwl:is_inferred "true"`` as ROBOT's ``reason`` does,
so shapes and readers can tell it from a curated one. Inferred edges *to defined classes*
(``owl:equivalentClass`` of a class expression) are not asserted: they would give every main type
a second and third parent and make graph views (OAK ``tree``) repeat whole subtrees; membership in
a defined class stays entailed by its equivalence axiom.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.vocab import (
    BIOLINK_ASSOCIATION,
    CALCINOSIS_KG,
    DC_TYPE,
    IAO_BASE_MODULE,
    IAO_REPLACED_BY,
    OIO_IS_INFERRED,
    OWL,
    RDF,
    RDFS,
    XSD,
)

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

OURS = CALCINOSIS_KG
_BUILTIN = (RDF, RDFS, OWL, XSD)


def is_ours(term: Node) -> bool:
    """Whether a term is in our namespace (``base`` keeps only edges from such subjects)."""
    from rdflib import URIRef

    return isinstance(term, URIRef) and str(term).startswith(OURS)


def defined_classes(graph: Graph) -> set[Node]:
    """Named classes equivalent to a class expression (the query/grouping classes)."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import OWL as O

    return {
        s
        for s, o in graph.subject_objects(O.equivalentClass)
        if isinstance(s, URIRef) and isinstance(o, BNode)
    }


def _annotate_inferred(out: Graph, s: Node, p: Node, o: Node) -> None:
    from rdflib import BNode, Literal
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDF as R

    axiom = BNode()
    out.add((axiom, R.type, O.Axiom))
    out.add((axiom, O.annotatedSource, s))
    out.add((axiom, O.annotatedProperty, p))
    out.add((axiom, O.annotatedTarget, o))
    out.add((axiom, _uri(OIO_IS_INFERRED), Literal("true")))


def _uri(iri: str) -> URIRef:
    from rdflib import URIRef

    return URIRef(iri)


def marked_inferred(inferred: Graph, context: Graph, subjects: str = "all") -> Graph:
    """The reasoner's edges, each with an ``is_inferred`` axiom annotation.

    ``subjects="ours"`` keeps only edges whose subject is one of our classes (base). Edges whose
    parent is a defined class of ``context`` are left out (see the module docstring).
    """
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS as S

    defined = defined_classes(context)
    out = Graph()
    for s, p, o in inferred:
        if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
            continue
        if subjects == "ours" and not is_ours(s):
            continue
        if p == S.subClassOf and o in defined:
            continue
        if (s, p, o) in context:
            continue
        out.add((s, p, o))
        _annotate_inferred(out, s, p, o)
    return out


def _reachable_bnodes(graph: Graph, roots: list[Node]) -> set[Node]:
    from rdflib import BNode

    seen: set[Node] = set()
    stack = [r for r in roots if isinstance(r, BNode)]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(o for o in graph.objects(node, None) if isinstance(o, BNode))
    return seen


def without_external_axioms(graph: Graph) -> Graph:
    """``graph`` without the axioms and annotations whose subject is an external named entity.

    Declarations (``rdf:type``) of external entities stay; so do the blank-node structures that
    a kept triple reaches. Axiom annotations of a dropped axiom go with it.
    """
    from rdflib import BNode, Graph, URIRef
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDF as R

    heads = set(graph.subjects(R.type, O.Ontology))
    kept: list[tuple[Node, Node, Node]] = []
    for s, p, o in graph:
        if isinstance(s, URIRef) and not is_ours(s) and s not in heads and p != R.type:
            continue
        if isinstance(s, BNode):
            continue
        kept.append((s, p, o))
    # axiom annotations whose annotated source is kept as a subject
    for axiom in graph.subjects(R.type, O.Axiom):
        source = graph.value(axiom, O.annotatedSource)
        if source is not None and (is_ours(source) or isinstance(source, BNode)):
            kept.append((axiom, R.type, O.Axiom))
    roots = [o for _, _, o in kept] + [s for s, _, _ in kept]
    out = Graph()
    for triple in kept:
        if isinstance(triple[0], URIRef):
            out.add(triple)
    for node in _reachable_bnodes(graph, roots):
        for triple in graph.triples((node, None, None)):
            out.add(triple)
    # a bnode subject of a disjointness axiom etc. (AllDisjointClasses) mentions our classes
    for node in set(graph.subjects(R.type, O.AllDisjointClasses)):
        for triple in graph.triples((node, None, None)):
            out.add(triple)
        for inner in _reachable_bnodes(graph, list(graph.objects(node, None))):
            for triple in graph.triples((inner, None, None)):
                out.add(triple)
    return out


def _list_items(graph: Graph, node: Node) -> list[Node]:
    from rdflib.collection import Collection

    try:
        return list(Collection(graph, node))
    except Exception:  # a malformed list: declare nothing from it
        return []


def declare_entities(graph: Graph) -> Graph:
    """Add the OWL 2 declarations of every class and property ``graph`` uses (in place)."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDF as R
    from rdflib.namespace import RDFS as S

    def declared(term: Node, *kinds: Node) -> bool:
        return any((term, R.type, k) in graph for k in kinds)

    data_props = set(graph.subjects(R.type, O.DatatypeProperty))
    classes: set[Node] = set()
    object_props: set[Node] = set()
    for s, o in graph.subject_objects(S.subClassOf):
        classes.update((s, o))
    for p in (O.equivalentClass, O.disjointWith):
        for s, o in graph.subject_objects(p):
            if not declared(s, O.ObjectProperty, O.DatatypeProperty):
                classes.update((s, o))
    for restriction, prop in graph.subject_objects(O.onProperty):
        if prop in data_props:
            continue
        object_props.add(prop)
        for p in (O.someValuesFrom, O.allValuesFrom, O.hasValue):
            if p != O.hasValue:
                classes.update(graph.objects(restriction, p))
    for p in (O.unionOf, O.intersectionOf, O.members):
        for node in graph.objects(None, p):
            classes.update(_list_items(graph, node))
    for individual in graph.subjects(R.type, O.NamedIndividual):
        classes.update(o for o in graph.objects(individual, R.type) if o != O.NamedIndividual)
    # an obsolete class's replacement (IAO:0100001): pronto resolves it to a term, and raises
    # KeyError on `replaced_by` when the replacement is not a class of the file
    for s, o in graph.subject_objects(_uri(IAO_REPLACED_BY)):
        if declared(s, O.Class):
            classes.add(o)
    for s, o in graph.subject_objects(S.subPropertyOf):
        if s in object_props or declared(s, O.ObjectProperty):
            object_props.update((s, o))
        elif (
            declared(s, O.AnnotationProperty)
            and isinstance(o, URIRef)
            and not declared(o, O.AnnotationProperty)
        ):
            graph.add((o, R.type, O.AnnotationProperty))
    for s, o in graph.subject_objects(O.inverseOf):
        object_props.update((s, o))
    for node in graph.objects(None, O.propertyChainAxiom):
        object_props.update(_list_items(graph, node))
    for cls in classes:
        if (
            isinstance(cls, URIRef)
            and not str(cls).startswith(_BUILTIN)
            and not declared(
                cls,
                O.Class,
                R.Property,
                O.ObjectProperty,
                O.DatatypeProperty,
                O.AnnotationProperty,
                RDFS_DATATYPE,
            )
        ):
            graph.add((cls, R.type, O.Class))
    for prop in object_props:
        if isinstance(prop, URIRef) and not declared(prop, O.ObjectProperty):
            graph.add((prop, R.type, O.ObjectProperty))
    logical = set(graph.subjects(R.type, O.ObjectProperty)) | data_props
    for prop in set(graph.predicates()):
        if str(prop).startswith(_BUILTIN) or prop in logical or isinstance(prop, BNode):
            continue
        if not declared(prop, O.AnnotationProperty):
            graph.add((prop, R.type, O.AnnotationProperty))
    return graph


RDFS_DATATYPE = _uri(RDFS + "Datatype")


def mark_base(graph: Graph) -> Graph:
    """Add ODK's base-module marker to the header(s) of ``graph`` (in place)."""
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDF as R

    for head in set(graph.subjects(R.type, O.Ontology)):
        graph.add((head, _uri(DC_TYPE), _uri(IAO_BASE_MODULE)))
    graph.add((_uri(DC_TYPE), R.type, O.AnnotationProperty))
    return graph


def _axiom_nodes(graph: Graph, s: Node, p: Node, o: Node) -> list[Node]:
    from rdflib.namespace import OWL as O

    return [
        a
        for a in graph.subjects(O.annotatedSource, s)
        if (a, O.annotatedProperty, p) in graph and (a, O.annotatedTarget, o) in graph
    ]


def transitively_reduced(graph: Graph) -> tuple[Graph, int]:
    """(``graph`` without redundant named ``subClassOf`` edges, how many were removed).

    An edge A ⊑ C is redundant when another named parent B of A has C among its ancestors
    (ROBOT ``reduce`` on the named hierarchy). The axiom annotations of a removed edge go too.
    """
    from functools import cache

    from rdflib import URIRef
    from rdflib.namespace import RDFS as S

    parents: dict[Node, set[Node]] = {}
    for s, o in graph.subject_objects(S.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef) and s != o:
            parents.setdefault(s, set()).add(o)

    @cache
    def ancestors(node: Node) -> frozenset[Node]:
        return frozenset(closure(node, lambda n: parents.get(n, ())))

    redundant = []
    for child, direct in parents.items():
        for parent in direct:
            if any(parent in ancestors(other) for other in direct if other != parent):
                redundant.append((child, S.subClassOf, parent))
    for triple in redundant:
        for axiom in _axiom_nodes(graph, *triple):
            graph.remove((axiom, None, None))
        graph.remove(triple)
    return graph, len(redundant)


def individuals(graph: Graph) -> set[Node]:
    """Named individuals, association records included."""
    from rdflib.namespace import OWL as O
    from rdflib.namespace import RDF as R

    return set(graph.subjects(R.type, O.NamedIndividual)) | set(
        graph.subjects(R.type, _uri(BIOLINK_ASSOCIATION))
    )
