"""OBO Graphs JSON, written from the rdflib graph (what OAK's ``obograph:`` adapter, pronto and
the obographs tools read).

Why only universal edges: an OBO Graphs edge ``S –p→ O`` means "every S has p to some O"
(``S ⊑ p some O``), and that is how OAK and pronto read it: OAK's ``ancestors`` walks it, OAK's
``dump -O owl`` writes it as ``SubClassOf(S p some O)``. So the edges are the named ``is_a``, the
``p some C`` restrictions with named p and C, and ``subPropertyOf``, nothing else:

* an **association record** (what a source says can, may or typically hold: never true of every
  member, never inherited; docs/modelling.md) is an ``INDIVIDUAL`` node whose metadata
  (``basicPropertyValues``) carries ``biolink:subject``, ``biolink:predicate``,
  ``biolink:object``, its frequency, quote and source, as in the OWL files;
* a **union** filler (``S ⊑ p some (A or B)``: S has p to *one of* them) has no OBO Graphs form;
  it stays in the OWL files.

The graph's ``meta.comments`` says both, with the files that carry them.

Why CURIE ids (``CCKG:0000003``, ``MONDO:0005100``; the OBO Graphs schema asks a class id to be a
prefixed ID; the prefixes are those of ``calcinosis-kg.prefixes.json``, which ``meta.comments``
names, as the obographs model has no prefix list): OAK's ``obograph`` adapter looks a term up by
compressing each node id with *its own* prefix map, which has no ``CCKG``, so with full IRIs
``runoak -i calcinosis-kg.json info CCKG:0000003`` finds nothing unless the user passes
``--prefix``; a CURIE id passes through unchanged. pronto keeps CURIE ids as they are, so its ids
match the ``.obo`` file's. Output is sorted, so it is byte-stable.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.vocab import (
    DC_LICENSE,
    DC_SOURCE,
    IAO_DEFINITION,
    OIO,
    OIO_DATE,
    OIO_HAS_DBXREF,
    OIO_IN_SUBSET,
    SKOS_MATCHES,
    SYNONYM_SCOPES,
)
from calcinosis_kg.publish.axioms import (
    axiom_index,
    curie,
    entities,
    genus_differentia,
    graph_view_edges,
    label_of,
    ontology_header,
    some_restriction,
)
from calcinosis_kg.publish.obo import OBO_HEADER_PROPERTIES, sources_of

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

    from calcinosis_kg.publish.axioms import AxiomKey

#: what the graph's ``meta.comments`` says about the statements that are not edges
NOT_EDGES = (
    "Edges are universal: S -p-> O means every S has p to some O (S SubClassOf p some O). "
    "{associations} association record(s) (what a source says can, may or typically hold; never "
    "inherited) are not edges: each is an INDIVIDUAL node whose basicPropertyValues give "
    "biolink:subject, biolink:predicate and biolink:object, as in the .owl/.ttl files and the "
    "KGX edges (calcinosis-kg_edges.tsv). {unions} union member(s) (S SubClassOf p some (A or "
    "B): S has p to one of them) have no OBO Graphs form: see the .owl/.ttl files."
)
#: where the CURIE prefixes of the ids are declared
PREFIXES_NOTE = (
    "Ids are CURIEs under the prefix map calcinosis-kg.prefixes.json (CCKG: "
    "https://w3id.org/calcinosis-kg/CCKG_; OBO ID spaces: "
    "http://purl.obolibrary.org/obo/PREFIX_)."
)


def _id(iri: object) -> str:
    """A node, edge or axiom id: the CURIE under the curated prefix map (an IRI it does not
    cover stays an IRI; ``is_a`` and ``subPropertyOf`` are OBO Graphs keywords)."""
    return str(iri) if iri in ("is_a", "subPropertyOf") else curie(iri)


def _meta(graph: Graph, index: dict[AxiomKey, list[Node]], iri: URIRef) -> dict[str, object]:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL, RDFS

    meta: dict[str, object] = {}
    for definition in sorted(graph.objects(iri, URIRef(IAO_DEFINITION)), key=str):
        meta["definition"] = {
            "val": str(definition),
            "xrefs": sources_of(graph, index, iri, URIRef(IAO_DEFINITION), definition),
        }
        break
    comments = sorted(str(c) for c in graph.objects(iri, RDFS.comment))
    if comments:
        meta["comments"] = comments
    subsets = sorted(str(s) for s in graph.objects(iri, URIRef(OIO_IN_SUBSET)))
    if subsets:
        meta["subsets"] = subsets
    synonyms: list[dict[str, object]] = []
    for prop in SYNONYM_SCOPES:
        for value in graph.objects(iri, URIRef(prop)):
            synonyms.append(
                {
                    "pred": prop.removeprefix(OIO),
                    "val": str(value),
                    "xrefs": sources_of(graph, index, iri, URIRef(prop), value),
                }
            )
    if synonyms:
        meta["synonyms"] = sorted(synonyms, key=lambda s: (str(s["pred"]), str(s["val"])))
    xrefs = sorted({str(v) for v in graph.objects(iri, URIRef(OIO_HAS_DBXREF))})
    if xrefs:
        meta["xrefs"] = [{"val": x} for x in xrefs]
    skip = {
        str(RDFS.label),
        IAO_DEFINITION,
        str(RDFS.comment),
        OIO_IN_SUBSET,
        OIO_HAS_DBXREF,
        str(OWL.deprecated),
    } | set(SYNONYM_SCOPES)
    values = []
    for p, o in graph.predicate_objects(iri):
        if str(p) in skip or not (
            isinstance(o, Literal) or (isinstance(o, URIRef) and _is_annotation(graph, p))
        ):
            continue
        values.append({"pred": _id(p), "val": _id(o) if isinstance(o, URIRef) else str(o)})
    if values:
        meta["basicPropertyValues"] = sorted(values, key=lambda v: (v["pred"], v["val"]))
    if (iri, OWL.deprecated, Literal(True)) in graph:
        meta["deprecated"] = True
    return meta


_ANNOTATION_IRIS = {*SKOS_MATCHES.values(), DC_LICENSE, DC_SOURCE}


def _is_annotation(graph: Graph, prop: Node) -> bool:
    from rdflib.namespace import OWL, RDF

    return str(prop) in _ANNOTATION_IRIS or (prop, RDF.type, OWL.AnnotationProperty) in graph


def _nodes(graph: Graph, index: dict[AxiomKey, list[Node]]) -> dict[str, dict[str, object]]:
    from rdflib.namespace import OWL

    kinds = (
        (OWL.Class, "CLASS", None),
        (OWL.ObjectProperty, "PROPERTY", "OBJECT"),
        (OWL.DatatypeProperty, "PROPERTY", "DATA"),
        (OWL.AnnotationProperty, "PROPERTY", "ANNOTATION"),
        (OWL.NamedIndividual, "INDIVIDUAL", None),
    )
    nodes: dict[str, dict[str, object]] = {}
    for kind, type_, property_type in kinds:
        for iri in entities(graph, kind):
            if _id(iri) in nodes:
                continue
            node: dict[str, object] = {"id": _id(iri)}
            label = label_of(graph, iri)
            if label:
                node["lbl"] = label
            node["type"] = type_
            if property_type:
                node["propertyType"] = property_type
            meta = _meta(graph, index, iri)
            if meta:
                node["meta"] = meta
            nodes[_id(iri)] = node
    return nodes


def universal_edges(graph: Graph) -> set[tuple[str, str, str]]:
    """(sub, pred, obj) of every edge: named is_a, ``p some C`` (named p, C), subPropertyOf."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import RDFS

    edges: set[tuple[str, str, str]] = set()
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if not isinstance(s, URIRef):
            continue
        if isinstance(o, URIRef):
            edges.add((_id(s), "is_a", _id(o)))
        elif isinstance(o, BNode) and (pair := some_restriction(graph, o)):
            edges.add((_id(s), _id(pair[0]), _id(pair[1])))
    for s, o in graph.subject_objects(RDFS.subPropertyOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            edges.add((_id(s), "subPropertyOf", _id(o)))
    return edges


def obographs_document(graph: Graph) -> dict[str, object]:
    """The OBO Graphs document (one graph) as a plain dict, in a stable order."""
    from rdflib import URIRef
    from rdflib.namespace import OWL

    index = axiom_index(graph)
    head = ontology_header(graph)
    nodes = _nodes(graph, index)
    edges = universal_edges(graph)
    logical: list[dict[str, object]] = []
    equivalent_sets: set[tuple[str, ...]] = set()
    for s, o in graph.subject_objects(OWL.equivalentClass):
        if not isinstance(s, URIRef):
            continue
        if isinstance(o, URIRef):
            equivalent_sets.add(tuple(sorted({_id(s), _id(o)})))
        elif gd := genus_differentia(graph, o):
            logical.append(
                {
                    "definedClassId": _id(s),
                    "genusIds": sorted(_id(g) for g in gd[0]),
                    "restrictions": sorted(
                        ({"propertyId": _id(p), "fillerId": _id(c)} for p, c in gd[1]),
                        key=lambda r: (r["propertyId"], r["fillerId"]),
                    ),
                }
            )
    graph_json: dict[str, object] = {"id": str(head) if head is not None else ""}
    head_meta: dict[str, object] = {}
    left_out = [kind for *_, kind in graph_view_edges(graph)]
    comments = [PREFIXES_NOTE]
    if left_out:
        comments.append(
            NOT_EDGES.format(
                associations=left_out.count("association"), unions=left_out.count("one_of")
            )
        )
    head_meta["comments"] = comments
    if head is not None:
        values = [
            {"pred": str(p), "val": str(o)}
            for p, o in graph.predicate_objects(head)
            if str(p) in OBO_HEADER_PROPERTIES or p == URIRef(OIO_DATE)
        ]
        if values:
            head_meta["basicPropertyValues"] = sorted(values, key=lambda v: (v["pred"], v["val"]))
        version_iri = graph.value(head, OWL.versionIRI)
        if version_iri is not None:
            head_meta["version"] = str(version_iri)
    graph_json["meta"] = head_meta
    # no dangling edge: every endpoint (and every relation) is a node (OAK: "id must be supplied")
    for sub_id, pred_id, obj_id in edges:
        for node_id, node_type in ((sub_id, "CLASS"), (obj_id, "CLASS"), (pred_id, "PROPERTY")):
            if node_id not in nodes and node_id not in ("is_a", "subPropertyOf"):
                extra = {
                    "id": node_id,
                    "lbl": label_of(graph, URIRef(expand(node_id))),
                    "type": node_type,
                }
                nodes[node_id] = {k: v for k, v in extra.items() if v}
    graph_json["nodes"] = [nodes[k] for k in sorted(nodes)]
    graph_json["edges"] = [{"sub": s, "pred": p, "obj": o} for s, p, o in sorted(edges)]
    graph_json["equivalentNodesSets"] = [
        {"representativeNodeId": ids[0], "nodeIds": list(ids)} for ids in sorted(equivalent_sets)
    ]
    graph_json["logicalDefinitionAxioms"] = sorted(
        logical, key=lambda a: json.dumps(a, sort_keys=True)
    )
    graph_json["domainRangeAxioms"] = []
    graph_json["propertyChainAxioms"] = []
    return {"graphs": [graph_json]}


def to_obographs_json(graph: Graph) -> bytes:
    """OBO Graphs JSON text (stable key and item order)."""
    return (json.dumps(obographs_document(graph), indent=2, ensure_ascii=False) + "\n").encode()
