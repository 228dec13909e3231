"""OBO format and OBO Graphs JSON, written from the rdflib graph (the formats OBO tools read).

Why our own writer: pronto's RDF/XML reader only accepts OWL API-shaped files (it found no
``owl:Ontology`` element in ours) and ROBOT needs Java plus a download. The mapping follows ROBOT's
OWL-to-OBO translation for what OBO can say: named ``is_a``, ``relationship`` for
``subClassOf (p some C)`` with named p and C, ``intersection_of`` for genus-differentia
equivalences, ``equivalent_to`` / ``disjoint_from`` between named classes. Unions, nested
expressions and data restrictions have no OBO form and stay in the OWL files only. Output is
sorted, so it is byte-stable.

The OWL patterns it reads (restriction edges, axiom annotations, CURIEs) come from ``axioms``,
shared with the SSSOM, KGX and diff writers.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from calcinosis_kg.core.vocab import (
    CCKG_EDGE_KIND,
    DC_CREATOR,
    DC_DESCRIPTION,
    DC_ISSUED,
    DC_LICENSE,
    DC_SOURCE,
    DC_TITLE,
    IAO_DEFINITION,
    OBO,
    OIO,
    OIO_DATE,
    OIO_HAS_DBXREF,
    OIO_IN_SUBSET,
    OWL_VERSION_INFO,
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

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

    from calcinosis_kg.publish.axioms import AxiomKey

EDGE_KIND = CCKG_EDGE_KIND
OBO_HEADER_PROPERTIES = (DC_TITLE, DC_DESCRIPTION, DC_LICENSE, DC_CREATOR, DC_ISSUED,
                         OWL_VERSION_INFO)


# --- OBO helpers ---------------------------------------------------------------------------------
def _sources(graph: Graph, index: dict[AxiomKey, list[Node]], s: Node, p: Node, o: Node
             ) -> list[str]:
    from rdflib import URIRef

    out: set[str] = set()
    for axiom in index.get((s, p, o), []):
        out.update(curie(v) for v in graph.objects(axiom, URIRef(DC_SOURCE)))
    return sorted(out)


def _referenced(graph: Graph, classes: set[URIRef]) -> tuple[set[URIRef], set[URIRef]]:
    """Named classes and properties that OBO-expressible axioms of ``classes`` mention."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    found_classes: set[URIRef] = set()
    found_properties: set[URIRef] = set()
    for cls in classes:
        for o in graph.objects(cls, RDFS.subClassOf):
            if isinstance(o, URIRef):
                found_classes.add(o)
            elif pair := some_restriction(graph, o):
                found_properties.add(pair[0])
                found_classes.add(pair[1])
        for o in [*graph.objects(cls, OWL.equivalentClass), *graph.objects(cls, OWL.disjointWith)]:
            if isinstance(o, URIRef):
                found_classes.add(o)
            elif gd := genus_differentia(graph, o):
                found_classes.update(gd[0])
                for p, c in gd[1]:
                    found_properties.add(p)
                    found_classes.add(c)
    for prop in list(found_properties):
        found_properties.update(o for o in graph.objects(prop, RDFS.subPropertyOf)
                                if isinstance(o, URIRef))
    return found_classes, found_properties


# --- OBO format ----------------------------------------------------------------------------------
def _data_version(graph: Graph, head: Node) -> str:
    """``releases/YYYY-MM-DD``: OWLAPI builds the version IRI ``…/obo/<ontology>/<data-version>/
    <ontology>.owl`` from it (a full IRI here would end up inside that IRI)."""
    import re

    from rdflib.namespace import OWL

    for value in (graph.value(head, OWL.versionInfo), graph.value(head, OWL.versionIRI)):
        if value is not None and (match := re.search(r"\d{4}-\d{2}-\d{2}", str(value))):
            return f"releases/{match.group(0)}"
    return ""


def _qualifier(kind: str) -> str:
    return f'{curie_or_iri(EDGE_KIND)}="{kind}"'


def curie_or_iri(iri: str) -> str:
    return curie(iri) if not curie(iri).startswith("http") else iri.rsplit("/", 1)[-1]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquoted(text: str) -> str:
    """An unquoted OBO value: ``!`` would start a comment and ``{`` trailing qualifiers."""
    for char in '\\!{}"':
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _obo_id(iri: Node) -> str:
    return curie(iri)


def _ref(graph: Graph, iri: Node) -> str:
    label = label_of(graph, iri)
    return f"{_obo_id(iri)} ! {' '.join(label.split())}" if label else _obo_id(iri)


def _xref_list(values: list[str]) -> str:
    return "[" + ", ".join(v.replace(",", "\\,") for v in values) + "]"


def to_obo(graph: Graph) -> bytes:
    """OBO 1.4 text of ``graph`` (classes as [Term], object properties as [Typedef])."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    from calcinosis_kg.core.prefixes import prefix_map

    index = axiom_index(graph)
    head = ontology_header(graph)
    lines = ["format-version: 1.4"]
    if head is not None:
        version = _data_version(graph, head)
        if version:
            lines.append(f"data-version: {version}")
        date = graph.value(head, URIRef(OIO_DATE))
        if date is not None:
            lines.append(f"date: {date}")
    used_prefixes = set()
    view_edges = graph_view_edges(graph)
    declared = set(entities(graph, OWL.Class)) | {
        s for s in graph.subjects(RDFS.subClassOf) if isinstance(s, URIRef)}
    declared |= {s for s, _, _, _ in view_edges} | {o for _, _, o, _ in view_edges}
    declared -= set(graph.subjects(RDF.type, OWL.NamedIndividual))
    classes_used, properties_used = _referenced(graph, declared)
    # OBO readers (pronto) need a stanza for every class or relation an axiom refers to
    classes = sorted(declared | classes_used, key=_obo_id)
    properties = sorted(set(entities(graph, OWL.ObjectProperty)) | properties_used,
                        key=_obo_id)
    annotations_of: dict[URIRef, list[str]] = {}
    for s, p, o, kind in view_edges:
        # never a `relationship:` (OWLAPI would make it a universal axiom): an annotation
        annotations_of.setdefault(s, []).append(
            f"property_value: {_obo_id(p)} {_obo_id(o)} {{{_qualifier(kind)}}}")
    for iri in [*classes, *properties]:
        text = _obo_id(iri)
        if ":" in text and not text.startswith("http"):
            used_prefixes.add(text.split(":", 1)[0])
    for prefix, namespace in prefix_map().items():
        if prefix in used_prefixes and namespace != f"{OBO}{prefix}_":
            lines.append(f"idspace: {prefix} {namespace}")
    if head is not None:
        stem = str(head).rstrip("/").rsplit("/", 1)[-1].removesuffix(".owl")
        lines.append(f"ontology: {stem}")
        for prop in OBO_HEADER_PROPERTIES:
            for value in sorted(graph.objects(head, URIRef(prop)), key=str):
                if isinstance(value, Literal):
                    lines.append(f"property_value: {prop} {_quoted(str(value))} xsd:string")
                elif isinstance(value, URIRef):
                    lines.append(f"property_value: {prop} {value}")
    lines.append("")

    def common(iri: URIRef) -> list[str]:
        out = [f"id: {_obo_id(iri)}"]
        label = label_of(graph, iri)
        if label:
            out.append(f"name: {_unquoted(label)}")
        for definition in sorted(graph.objects(iri, URIRef(IAO_DEFINITION)), key=str):
            refs = _sources(graph, index, iri, URIRef(IAO_DEFINITION), definition)
            out.append(f"def: {_quoted(str(definition))} {_xref_list(refs)}")
            break  # OBO allows one definition; QC reports duplicates
        for comment in sorted(graph.objects(iri, RDFS.comment), key=str):
            out.append(f"comment: {_unquoted(str(comment))}")
            break
        for subset in sorted(graph.objects(iri, URIRef(OIO_IN_SUBSET)), key=str):
            out.append(f"subset: {_obo_id(subset).replace(':', '_')}")
        synonyms = []
        for prop, scope in SYNONYM_SCOPES.items():
            for value in graph.objects(iri, URIRef(prop)):
                refs = _sources(graph, index, iri, URIRef(prop), value)
                synonyms.append(f"synonym: {_quoted(str(value))} {scope.upper()} "
                                f"{_xref_list(refs)}")
        out += sorted(synonyms)
        out += sorted(f"xref: {x}" for x in {str(v) for v in
                                             graph.objects(iri, URIRef(OIO_HAS_DBXREF))})
        return out

    for cls in classes:
        if not str(_obo_id(cls)):
            continue
        stanza = ["[Term]", *common(cls)]
        is_a: list[str] = []
        relationships: list[str] = []
        for parent in graph.objects(cls, RDFS.subClassOf):
            if isinstance(parent, URIRef):
                is_a.append(f"is_a: {_ref(graph, parent)}")
            elif isinstance(parent, BNode) and (pair := some_restriction(graph, parent)):
                relationships.append(f"relationship: {_obo_id(pair[0])} {_ref(graph, pair[1])}")
        stanza += sorted(set(is_a))
        intersections: list[str] = []
        equivalents: list[str] = []
        for other in [*graph.objects(cls, OWL.equivalentClass),
                      *graph.subjects(OWL.equivalentClass, cls)]:
            if isinstance(other, URIRef) and other != cls:
                equivalents.append(f"equivalent_to: {_ref(graph, other)}")
            elif isinstance(other, BNode) and not intersections and (
                    gd := genus_differentia(graph, other)):
                intersections += [f"intersection_of: {_ref(graph, g)}" for g in gd[0]]
                intersections += [f"intersection_of: {_obo_id(p)} {_ref(graph, c)}"
                                  for p, c in gd[1]]
        stanza += sorted(intersections) + sorted(set(equivalents))
        disjoint = {o for o in graph.objects(cls, OWL.disjointWith) if isinstance(o, URIRef)}
        stanza += sorted(f"disjoint_from: {_ref(graph, o)}" for o in disjoint)
        stanza += sorted(set(relationships))
        stanza += sorted(set(annotations_of.get(cls, [])))
        if (cls, OWL.deprecated, Literal(True)) in graph:
            stanza.append("is_obsolete: true")
        lines += [*stanza, ""]
    for prop in properties:
        stanza = ["[Typedef]", *common(prop)]
        stanza += sorted(f"is_a: {_ref(graph, o)}" for o in
                         graph.objects(prop, RDFS.subPropertyOf) if isinstance(o, URIRef))
        if (prop, OWL.deprecated, Literal(True)) in graph:
            stanza.append("is_obsolete: true")
        lines += [*stanza, ""]
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


# --- OBO Graphs JSON -----------------------------------------------------------------------------
def _meta(graph: Graph, index: dict[AxiomKey, list[Node]], iri: URIRef) -> dict[str, object]:
    from rdflib import Literal, URIRef
    from rdflib.namespace import OWL, RDFS

    meta: dict[str, object] = {}
    for definition in sorted(graph.objects(iri, URIRef(IAO_DEFINITION)), key=str):
        meta["definition"] = {"val": str(definition),
                              "xrefs": _sources(graph, index, iri, URIRef(IAO_DEFINITION),
                                                definition)}
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
            synonyms.append({"pred": prop.removeprefix(OIO), "val": str(value),
                             "xrefs": _sources(graph, index, iri, URIRef(prop), value)})
    if synonyms:
        meta["synonyms"] = sorted(synonyms, key=lambda s: (str(s["pred"]), str(s["val"])))
    xrefs = sorted({str(v) for v in graph.objects(iri, URIRef(OIO_HAS_DBXREF))})
    if xrefs:
        meta["xrefs"] = [{"val": x} for x in xrefs]
    skip = {str(RDFS.label), IAO_DEFINITION, str(RDFS.comment), OIO_IN_SUBSET,
            OIO_HAS_DBXREF, str(OWL.deprecated)} | set(SYNONYM_SCOPES)
    values = []
    for p, o in graph.predicate_objects(iri):
        if str(p) in skip or not (isinstance(o, Literal) or
                                  (isinstance(o, URIRef) and _is_annotation(graph, p))):
            continue
        values.append({"pred": str(p), "val": str(o)})
    if values:
        meta["basicPropertyValues"] = sorted(values, key=lambda v: (v["pred"], v["val"]))
    if (iri, OWL.deprecated, Literal(True)) in graph:
        meta["deprecated"] = True
    return meta


_ANNOTATION_IRIS = {*SKOS_MATCHES.values(), DC_LICENSE, DC_SOURCE}


def _is_annotation(graph: Graph, prop: Node) -> bool:
    from rdflib.namespace import OWL, RDF

    return str(prop) in _ANNOTATION_IRIS or (prop, RDF.type, OWL.AnnotationProperty) in graph


def obographs_document(graph: Graph) -> dict[str, object]:
    """The OBO Graphs document (one graph) as a plain dict, in a stable order."""
    from rdflib import BNode, URIRef
    from rdflib.namespace import OWL, RDFS

    index = axiom_index(graph)
    head = ontology_header(graph)
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
            if str(iri) in nodes:
                continue
            node: dict[str, object] = {"id": str(iri)}
            label = label_of(graph, iri)
            if label:
                node["lbl"] = label
            node["type"] = type_
            if property_type:
                node["propertyType"] = property_type
            meta = _meta(graph, index, iri)
            if meta:
                node["meta"] = meta
            nodes[str(iri)] = node
    edges: set[tuple[str, str, str]] = set()
    logical: list[dict[str, object]] = []
    equivalent_sets: set[tuple[str, ...]] = set()
    for s, o in graph.subject_objects(RDFS.subClassOf):
        if not isinstance(s, URIRef):
            continue
        if isinstance(o, URIRef):
            edges.add((str(s), "is_a", str(o)))
        elif isinstance(o, BNode) and (pair := some_restriction(graph, o)):
            edges.add((str(s), str(pair[0]), str(pair[1])))
    for s, o in graph.subject_objects(RDFS.subPropertyOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            edges.add((str(s), "subPropertyOf", str(o)))
    kinds_of: dict[tuple[str, str, str], str] = {}
    for subject, relation, target, edge_kind in graph_view_edges(graph):
        edge = (str(subject), str(relation), str(target))
        if edge not in edges:
            kinds_of[edge] = edge_kind
            edges.add(edge)
    for s, o in graph.subject_objects(OWL.equivalentClass):
        if not isinstance(s, URIRef):
            continue
        if isinstance(o, URIRef):
            equivalent_sets.add(tuple(sorted({str(s), str(o)})))
        elif gd := genus_differentia(graph, o):
            logical.append({
                "definedClassId": str(s),
                "genusIds": sorted(str(g) for g in gd[0]),
                "restrictions": sorted(({"propertyId": str(p), "fillerId": str(c)}
                                        for p, c in gd[1]),
                                       key=lambda r: (r["propertyId"], r["fillerId"])),
            })
    graph_json: dict[str, object] = {"id": str(head) if head is not None else ""}
    if head is not None:
        head_meta: dict[str, object] = {}
        values = [{"pred": str(p), "val": str(o)} for p, o in graph.predicate_objects(head)
                  if str(p) in OBO_HEADER_PROPERTIES or p == URIRef(OIO_DATE)]
        if values:
            head_meta["basicPropertyValues"] = sorted(values,
                                                      key=lambda v: (v["pred"], v["val"]))
        version_iri = graph.value(head, OWL.versionIRI)
        if version_iri is not None:
            head_meta["version"] = str(version_iri)
        graph_json["meta"] = head_meta
    # no dangling edge: every endpoint (and every relation) is a node (OAK: "id must be supplied")
    for sub_id, pred_id, obj_id in edges:
        for node_id, node_type in ((sub_id, "CLASS"), (obj_id, "CLASS"), (pred_id, "PROPERTY")):
            if node_id not in nodes and node_id not in ("is_a", "subPropertyOf"):
                extra = {"id": node_id, "lbl": label_of(graph, URIRef(node_id)), "type": node_type}
                nodes[node_id] = {k: v for k, v in extra.items() if v}
    graph_json["nodes"] = [nodes[k] for k in sorted(nodes)]
    graph_json["edges"] = [_edge(s, p, o, kinds_of.get((s, p, o))) for s, p, o in sorted(edges)]
    graph_json["equivalentNodesSets"] = [{"representativeNodeId": ids[0], "nodeIds": list(ids)}
                                         for ids in sorted(equivalent_sets)]
    graph_json["logicalDefinitionAxioms"] = sorted(
        logical, key=lambda a: json.dumps(a, sort_keys=True))
    graph_json["domainRangeAxioms"] = []
    graph_json["propertyChainAxioms"] = []
    return {"graphs": [graph_json]}


def _edge(s: str, p: str, o: str, kind: str | None) -> dict[str, object]:
    edge: dict[str, object] = {"sub": s, "pred": p, "obj": o}
    if kind:
        edge["meta"] = {"basicPropertyValues": [{"pred": EDGE_KIND, "val": kind}]}
    return edge


def to_obographs_json(graph: Graph) -> bytes:
    """OBO Graphs JSON text (stable key and item order)."""
    return (json.dumps(obographs_document(graph), indent=2, ensure_ascii=False) + "\n").encode()
