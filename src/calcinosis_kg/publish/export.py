"""Export the whole graph (ontology + merged import module) as Turtle, RDF/XML, N-Triples, JSON-LD.

Why not rdflib's writers directly: rdflib's N-Triples, RDF/XML and JSON-LD output order and
blank-node labels change with PYTHONHASHSEED, and its RDF/XML writer invents ``ns1:`` prefixes for
OBO IRIs (``RO_0002200`` cannot be a QName under ``RO:``). Here every format starts from the
canonical graph of ``serialize.canonicalize`` (content-derived blank-node labels) and is written in
a sorted order, so the same input gives the same bytes on every run.

The export is a *merge*: the ontologies that another loaded file imports (the local import module)
lose their header and the ``owl:imports`` that pointed at them, so Protégé, ROBOT or owlready2
never try to fetch an import over the network.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core import prefixes
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.serialize import (
    canonical_bnode_labels,
    canonical_graph,
    canonical_turtle,
    canonicalize,
    nt_term,
    write_atomic,
)
from calcinosis_kg.core.vocab import OBO, OWL_IMPORTS, OWL_ONTOLOGY, OWL_VERSION_IRI, RDF_TYPE
from calcinosis_kg.graph.knowledge import to_rdflib_term

# RDF/XML lives in ``publish.rdfxml`` (nested blank nodes, as OWL API writes them)
from calcinosis_kg.publish.rdfxml import canonical_rdfxml, to_rdfxml

__all__ = ["canonical_rdfxml", "to_rdfxml", "export", "export_bytes", "to_jsonld"]

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = {"ttl": ".ttl", "owl": ".owl", "nt": ".nt", "jsonld": ".jsonld"}


def merged_triples(
    kg: KnowledgeGraph,
    blank_only: bool = False,
) -> Iterator[tuple[Node, Node, Node]]:
    """The merged triples (see ``merged_graph``), streamed from the pyoxigraph store as rdflib
    terms: no copy of the whole graph is made (``kg.graph`` is never built). ``blank_only``:
    only those with a blank subject or object (all that canonical labels need)."""
    import pyoxigraph
    from rdflib import URIRef

    store = kg.store
    node = pyoxigraph.NamedNode
    ontologies = {
        q.subject for q in store.quads_for_pattern(None, node(RDF_TYPE), node(OWL_ONTOLOGY))
    }
    version_of = {
        q.object: q.subject
        for o in ontologies
        for q in store.quads_for_pattern(o, node(OWL_VERSION_IRI), None)
    }
    drop_subjects, drop_imports = set(), set()
    for q in store.quads_for_pattern(None, node(OWL_IMPORTS), None):
        target = version_of.get(q.object, q.object)
        if target in ontologies and target != q.subject:
            drop_subjects.add(target)
            drop_imports.add((q.subject, q.object))
    imports = node(OWL_IMPORTS)
    blank = pyoxigraph.BlankNode
    iris: dict[str, URIRef] = {}  # IRIs recur (predicates, classes): convert each once

    def term(t: object) -> Node:
        if isinstance(t, node):
            found = iris.get(t.value)
            if found is None:
                found = iris[t.value] = URIRef(t.value)
            return found
        return to_rdflib_term(t)

    for q in store.quads_for_pattern(None, None, None):
        if blank_only and not (isinstance(q.subject, blank) or isinstance(q.object, blank)):
            continue
        if q.subject in drop_subjects or (
            q.predicate == imports and (q.subject, q.object) in drop_imports
        ):
            continue
        yield term(q.subject), term(q.predicate), term(q.object)


def stream_ntriples(triples: Iterator[tuple[Node, Node, Node]]) -> bytes:
    """Byte-stable N-Triples of ``triples`` (the same bytes as ``serialize.to_ntriples`` of
    their graph) without building an rdflib graph: only the blank-node triples are held for
    their canonical labels, and the sorted lines."""
    from rdflib import BNode, Graph

    lines: set[str] = set()
    with_bnodes = Graph()
    for s, p, o in triples:
        if isinstance(s, BNode) or isinstance(o, BNode):
            with_bnodes.add((s, p, o))
        else:
            lines.add(f"{s.n3()} {p.n3()} {nt_term(o)} .")
    labels = canonical_bnode_labels(with_bnodes)

    def n3(term: Node) -> str:
        return f"_:b{labels[term]}" if isinstance(term, BNode) else nt_term(term)

    lines.update(f"{n3(s)} {p.n3()} {n3(o)} ." for s, p, o in with_bnodes)
    return ("\n".join(sorted(lines)) + "\n").encode("utf-8")


def merged_graph(kg: KnowledgeGraph) -> rdflib.Graph:
    """The loaded triples with the imported ontologies merged into the importing one."""
    import rdflib
    from rdflib.namespace import OWL as OWL_NS
    from rdflib.namespace import RDF as RDF_NS

    source = kg.graph
    ontologies = set(source.subjects(RDF_NS.type, OWL_NS.Ontology))
    version_of = {v: o for o in ontologies for v in source.objects(o, OWL_NS.versionIRI)}
    merged = set()
    for importer, imported in source.subject_objects(OWL_NS.imports):
        target = version_of.get(imported, imported)
        if target in ontologies and target != importer:
            merged.add((importer, imported, target))
    drop_subjects = {target for _, _, target in merged}
    drop_imports = {(importer, imported) for importer, imported, _ in merged}
    out = rdflib.Graph()
    for s, p, o in source:
        if s in drop_subjects:
            continue
        if p == OWL_NS.imports and (s, o) in drop_imports:
            continue
        out.add((s, p, o))
    return out


def _subject_key(graph: rdflib.Graph, subject: Node) -> tuple[int, str]:
    from rdflib import BNode
    from rdflib.namespace import OWL as OWL_NS
    from rdflib.namespace import RDF as RDF_NS

    if isinstance(subject, BNode):
        return (2, str(subject))
    if (subject, RDF_NS.type, OWL_NS.Ontology) in graph:
        return (0, str(subject))
    return (1, str(subject))


def _sorted_subjects(graph: rdflib.Graph) -> list[Node]:
    return sorted(set(graph.subjects()), key=lambda s: _subject_key(graph, s))


def _object_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, term.n3())


# ---------------------------------------------------------------------------------------------
# JSON-LD


#: JSON-LD prefixes that end in a gen-delim, so that compact IRIs expand the same way in JSON-LD
#: 1.0 and 1.1 processors (1.1 uses a term as a prefix only if its IRI ends in ``:/?#[]@`` or the
#: term says ``"@prefix": true``, which 1.0 processors reject, as they reject ``@version``)
JSONLD_EXTRA_PREFIXES = {"obo": OBO, "cckg": "https://w3id.org/calcinosis-kg/"}


def jsonld_context() -> dict[str, str]:
    """The curated prefixes whose IRI ends in a gen-delim, plus ``obo`` and ``cckg``: a context
    that JSON-LD 1.0 and 1.1 processors expand alike (``CCKG:0000001`` is written
    ``cckg:CCKG_0000001``)."""
    context = {prefix: ns for prefix, ns in prefixes.prefix_map().items() if ns[-1] in ":/?#[]@"}
    for prefix, ns in JSONLD_EXTRA_PREFIXES.items():
        context.setdefault(prefix, ns)
    return context


def _jsonld_compressor(context: dict[str, str]) -> Callable[[str], str]:
    """Compact IRIs under ``context``: the longest covering namespace, and only a local name
    that is non-empty and holds no ``/`` or ``#`` (else the IRI)."""

    @functools.cache
    def compress(iri: str) -> str:
        pair = prefixes.split(iri, context)
        if pair is None or not pair[1] or "/" in pair[1] or "#" in pair[1]:
            return iri
        return f"{pair[0]}:{pair[1]}"

    return compress


def to_jsonld(graph: rdflib.Graph) -> bytes:
    """Byte-stable JSON-LD of ``graph`` (see ``canonical_jsonld``)."""

    return canonical_jsonld(canonicalize(graph))


def canonical_jsonld(canon: rdflib.Graph) -> bytes:
    """Byte-stable JSON-LD: a ``@graph`` of node objects sorted like the Turtle, CURIE keys."""
    from rdflib import BNode, Literal
    from rdflib.namespace import RDF as RDF_NS
    from rdflib.namespace import XSD

    context = jsonld_context()
    compress = _jsonld_compressor(context)  # the same IRIs recur thousands of times

    def node_id(term: object) -> str:
        return f"_:{term}" if isinstance(term, BNode) else compress(str(term))

    nodes = []
    for subject in _sorted_subjects(canon):
        node: dict[str, object] = {"@id": node_id(subject)}
        types = sorted(
            node_id(o) for o in canon.objects(subject, RDF_NS.type) if not isinstance(o, Literal)
        )
        if types:
            node["@type"] = types
        props: dict[str, list] = {}
        for predicate, obj in canon.predicate_objects(subject):
            if predicate == RDF_NS.type and not isinstance(obj, Literal):
                continue
            if isinstance(obj, Literal):
                value: dict[str, str] = {"@value": str(obj)}
                if obj.language:
                    value["@language"] = obj.language
                elif obj.datatype is not None and obj.datatype != XSD.string:
                    value["@type"] = compress(str(obj.datatype))
            else:
                value = {"@id": node_id(obj)}
            props.setdefault(compress(str(predicate)), []).append(value)
        for key in sorted(props):
            node[key] = sorted(props[key], key=lambda v: json.dumps(v, sort_keys=True))
        nodes.append(node)
    document = {"@context": context, "@graph": nodes}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------


def export_bytes(kg: KnowledgeGraph, fmt: str, inferred: bool = False) -> bytes:
    """The whole graph in ``fmt`` (ttl, owl, nt, jsonld); ``inferred`` adds the reasoner's
    inferred class hierarchy."""

    if fmt not in FORMATS:
        raise InputError(f"unknown export format '{fmt}' (choose from {', '.join(FORMATS)})")
    if inferred:
        from calcinosis_kg.checks.inferred import inferred_kg  # the reasoner: only when asked

        kg = inferred_kg(kg)
    if fmt == "nt":  # streamed: no rdflib copy of the graph at all
        return stream_ntriples(merged_triples(kg))
    # one rdflib copy, already canonical, streamed twice from the store (kg.graph, a plain copy
    # and its canonical copy would be three)
    canon = canonical_graph(
        lambda: merged_triples(kg), blank_triples=lambda: merged_triples(kg, blank_only=True)
    )
    writer = {"ttl": canonical_turtle, "owl": canonical_rdfxml, "jsonld": canonical_jsonld}[fmt]
    return writer(canon)


def export(kg: KnowledgeGraph, fmt: str, output: Path | str, inferred: bool = False) -> Path:
    """Write the whole graph in ``fmt`` (``ttl``, ``owl``, ``nt`` or ``jsonld``) to ``output``
    atomically (an interrupted run leaves the old file) and return its path; ``inferred`` adds
    the reasoner's inferred class hierarchy (HermiT: Java needed)."""

    data = export_bytes(kg, fmt, inferred)
    write_atomic(Path(output), data)
    return Path(output)
