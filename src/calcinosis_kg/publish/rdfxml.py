"""Byte-stable RDF/XML in the shape OWL API writes it, so that OWL API-shaped readers get it all.

Why our own writer: rdflib's RDF/XML output changes with PYTHONHASHSEED and invents ``ns1:``
prefixes, and it writes every blank node as a separate ``rdf:nodeID`` element, which pronto (and
OAK's ``pronto:`` adapter) do not follow: they read a class's relationships only from an
``owl:Restriction`` nested *inside* its ``rdfs:subClassOf`` element, and lists only as
``rdf:parseType="Collection"``. So, as OWL API does:

* each subject is one typed node element (``owl:Class``, ``owl:Restriction`` …, else
  ``rdf:Description``), sorted;
* each blank node is written inline, once, inside the property element of its first reference
  (a class's ``rdfs:subClassOf`` before an ``owl:Axiom``'s ``owl:annotatedTarget``); only a blank
  node referenced again gets an ``rdf:nodeID``, and the later references point at it;
* a well-formed list of resources is ``rdf:parseType="Collection"``;
* the literal annotations of an ``owl:ObjectProperty`` element that pronto has no field for
  (``IAO:0000412`` imported from, ``IAO:0000116`` editor note) carry ``rdf:datatype`` even when
  they are plain ``xsd:string``: pronto drops untyped ones. RDF 1.1 makes a simple literal and an
  ``xsd:string`` literal the same term (pyoxigraph, Jena and OWL API read them alike); rdflib keeps
  the datatype, so an rdflib user sees those few literals typed.

The graph read back is isomorphic to the one written (tested with rdflib, pyoxigraph, Jena and
OWL API).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.core.serialize import canonicalize
from calcinosis_kg.core.vocab import (
    IAO_DEFINITION,
    OBO,
    OIO_HAS_DBXREF,
    OWL,
    RDF,
    RDFS_COMMENT,
    RDFS_LABEL,
    SYNONYM_SCOPES,
    XSD_STRING,
)

if TYPE_CHECKING:
    import rdflib
    from rdflib.term import Node

XML_EXTRA_PREFIXES = {"obo": OBO}
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: what pronto reads from an ``owl:ObjectProperty`` element whatever the literal's datatype; any
#: other literal annotation of a relation it drops (with a warning) unless ``rdf:datatype`` is set
_PRONTO_NAMED = {RDFS_LABEL, RDFS_COMMENT, IAO_DEFINITION, OIO_HAS_DBXREF, *SYNONYM_SCOPES}
#: a blank node's first reference from one of these predicates loses to any other reference
_SECONDARY = {OWL + "annotatedSource", OWL + "annotatedTarget"}

#: typed node elements, most specific first: pronto and other OWL API-shaped readers look for
#: ``<owl:Ontology>`` and ``<owl:Class>`` elements and ignore ``rdf:Description`` + ``rdf:type``
NODE_TYPES = tuple(
    OWL + name
    for name in (
        "Ontology",
        "Class",
        "ObjectProperty",
        "DatatypeProperty",
        "AnnotationProperty",
        "NamedIndividual",
        "Restriction",
        "Axiom",
        "AllDisjointClasses",
        "AllDifferent",
    )
)


def xml_escape(text: str, attribute: bool = False) -> str:
    """``text`` escaped for XML 1.0 content (or an attribute); control characters refused."""
    if _XML_INVALID.search(text):
        raise InputError(
            f"a literal contains a control character that XML 1.0 cannot hold: {text[:60]!r}"
        )
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")
    return text


class QNames:
    """Element names for predicates: curated prefixes first, else a namespace split at / or #."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = dict(prefixes)
        self.by_ns = {ns: p for p, ns in self.prefixes.items()}
        self._longest_first = sorted(self.by_ns.items(), key=lambda kv: -len(kv[0]))
        self._known: dict[str, str] = {}  # the same predicates recur thousands of times

    def qname(self, iri: str) -> str:
        """The element name of a predicate (memoised); a predicate with no valid QName is an
        ``InputError``, since RDF/XML cannot write it."""
        if iri not in self._known:
            self._known[iri] = self._qname(iri)
        return self._known[iri]

    def _qname(self, iri: str) -> str:
        for ns, prefix in self._longest_first:
            local = iri[len(ns) :]
            if iri.startswith(ns) and local and _NCNAME.match(local):
                return f"{prefix}:{local}"
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        ns, local = iri[:cut], iri[cut:]
        if not local or not _NCNAME.match(local):
            raise InputError(f"predicate <{iri}> cannot be written in RDF/XML (no QName)")
        prefix = self.by_ns.get(ns) or self._new_prefix(ns)
        return f"{prefix}:{local}"

    def _new_prefix(self, ns: str) -> str:
        base = next((p for p, n in XML_EXTRA_PREFIXES.items() if n == ns), None)
        if base is None:
            words = [w for w in re.split(r"[^A-Za-z]+", ns.rstrip("/#")) if w]
            base = (words[-1].lower() if words else "ns") or "ns"
            if base.startswith("xml") or base.startswith("ns"):
                base = "x" + base
        name, counter = base, 1
        while name in self.prefixes:
            counter += 1
            name = f"{base}{counter}"
        self.prefixes[name] = ns
        self.by_ns[ns] = name
        self._longest_first = sorted(self.by_ns.items(), key=lambda kv: -len(kv[0]))
        return name


def to_rdfxml(graph: rdflib.Graph) -> bytes:
    """Byte-stable RDF/XML of ``graph`` (see ``canonical_rdfxml``)."""

    return canonical_rdfxml(canonicalize(graph))


def _subject_key(graph: rdflib.Graph, subject: Node) -> tuple[int, str]:
    from rdflib import BNode, URIRef

    if isinstance(subject, BNode):
        return (2, str(subject))
    if (subject, URIRef(RDF + "type"), URIRef(OWL + "Ontology")) in graph:
        return (0, str(subject))
    return (1, str(subject))


def _object_key(term: Node) -> tuple[str, str]:
    return (type(term).__name__, term.n3())


class _Layout:
    """Where each blank node is written: nested under one reference, or at the top."""

    def __init__(self, canon: rdflib.Graph) -> None:
        from rdflib import BNode

        self.g = canon
        refs: dict[Node, list[tuple[Node, Node]]] = defaultdict(list)
        for s, p, o in canon:
            if isinstance(o, BNode):
                refs[o].append((s, p))
        self.refs = refs
        self.host: dict[Node, tuple[Node, Node]] = {}
        for node, found in refs.items():
            self.host[node] = min(
                found,
                key=lambda sp: (str(sp[1]) in _SECONDARY, _subject_key(canon, sp[0]), str(sp[1])),
            )
        for node in sorted(self.host, key=str):  # a cycle of blank nodes: one goes on top
            seen, current = set(), node
            while current in self.host and current not in seen:
                seen.add(current)
                current = self.host[current][0]
            if current in seen:
                del self.host[current]
        self.collections = self._collections()

    def nested_here(self, node: Node, subject: Node, predicate: Node) -> bool:
        return self.host.get(node) == (subject, predicate)

    def needs_id(self, node: Node) -> bool:
        return len(self.refs.get(node, [])) > 1 or (node in self.refs and node not in self.host)

    def roots(self) -> list[Node]:
        subjects = {s for s in self.g.subjects() if s not in self.host}
        return sorted(subjects, key=lambda s: _subject_key(self.g, s))

    def _collections(self) -> dict[Node, list[tuple[Node, Node]]]:
        """List head -> (cell, item) pairs, for the lists that ``rdf:parseType="Collection"``
        writes exactly: cells nested where they are referenced, holding only ``rdf:first`` and
        ``rdf:rest``, items that are not literals."""
        from rdflib import BNode, Literal, URIRef

        first, rest, nil = URIRef(RDF + "first"), URIRef(RDF + "rest"), URIRef(RDF + "nil")
        out: dict[Node, list[tuple[Node, Node]]] = {}
        for head in {s for s in self.g.subjects(first, None) if isinstance(s, BNode)}:
            if head not in self.host or self.host[head][1] == rest:
                continue
            items: list[tuple[Node, Node]] = []
            cell: Node = head
            ok = True
            while cell != nil:
                pairs = list(self.g.predicate_objects(cell))
                item, after = self.g.value(cell, first), self.g.value(cell, rest)
                if (
                    not isinstance(cell, BNode)
                    or len(pairs) != 2
                    or item is None
                    or after is None
                    or isinstance(item, Literal)
                    or len(self.refs.get(cell, [])) != 1
                    or len(items) > 100_000
                ):
                    ok = False
                    break
                items.append((cell, item))
                cell = after
            if ok:
                out[head] = items
        return out


def canonical_rdfxml(canon: rdflib.Graph) -> bytes:
    """Byte-stable RDF/XML of a canonicalized graph, blank nodes nested (module docstring)."""

    qnames = QNames(prefix_map())
    layout = _Layout(canon)
    body: list[str] = []
    for subject in layout.roots():
        _node_element(canon, layout, qnames, subject, 1, body)
    namespaces = {**qnames.prefixes}
    namespaces.setdefault("rdf", RDF)
    head = ['<?xml version="1.0" encoding="utf-8"?>', "<rdf:RDF"]
    head += [f'    xmlns:{p}="{xml_escape(ns, True)}"' for p, ns in namespaces.items()]
    head[-1] += ">"
    return ("\n".join(head + body + ["</rdf:RDF>"]) + "\n").encode("utf-8")


def _element_name(canon: rdflib.Graph, qnames: QNames, subject: Node) -> tuple[str, str | None]:
    from rdflib import URIRef

    types = {str(o) for o in canon.objects(subject, URIRef(RDF + "type"))}
    node_type = next((t for t in NODE_TYPES if t in types), None)
    return (qnames.qname(node_type) if node_type else "rdf:Description"), node_type


def _node_element(
    canon: rdflib.Graph, layout: _Layout, qnames: QNames, subject: Node, depth: int, body: list[str]
) -> None:
    from rdflib import BNode, URIRef

    pad = "  " * depth
    element, node_type = _element_name(canon, qnames, subject)
    if isinstance(subject, BNode):
        attribute = f' rdf:nodeID="{subject}"' if layout.needs_id(subject) else ""
    else:
        attribute = f' rdf:about="{xml_escape(str(subject), True)}"'
    rdf_type = URIRef(RDF + "type")
    pairs = sorted(
        (
            (p, o)
            for p, o in canon.predicate_objects(subject)
            if node_type is None or (p, o) != (rdf_type, URIRef(node_type))
        ),
        key=lambda po: (str(po[0]), _object_key(po[1])),
    )
    if not pairs:
        body.append(f"{pad}<{element}{attribute}/>")
        return
    body.append(f"{pad}<{element}{attribute}>")
    typed_literals = node_type == OWL + "ObjectProperty"
    for predicate, obj in pairs:
        _property_element(
            canon, layout, qnames, subject, predicate, obj, depth + 1, body, typed_literals
        )
    body.append(f"{pad}</{element}>")


def _property_element(
    canon: rdflib.Graph,
    layout: _Layout,
    qnames: QNames,
    subject: Node,
    predicate: Node,
    obj: Node,
    depth: int,
    body: list[str],
    typed_literals: bool,
) -> None:
    from rdflib import BNode, Literal

    pad = "  " * depth
    name = qnames.qname(str(predicate))
    if isinstance(obj, Literal):
        attrs = ""
        if obj.language:
            attrs = f' xml:lang="{obj.language}"'
        elif obj.datatype is not None or (typed_literals and str(predicate) not in _PRONTO_NAMED):
            datatype = str(obj.datatype) if obj.datatype is not None else XSD_STRING
            attrs = f' rdf:datatype="{xml_escape(datatype, True)}"'
        body.append(f"{pad}<{name}{attrs}>{xml_escape(str(obj))}</{name}>")
    elif not isinstance(obj, BNode):
        body.append(f'{pad}<{name} rdf:resource="{xml_escape(str(obj), True)}"/>')
    elif not layout.nested_here(obj, subject, predicate):
        body.append(f'{pad}<{name} rdf:nodeID="{obj}"/>')
    elif obj in layout.collections:
        body.append(f'{pad}<{name} rdf:parseType="Collection">')
        for cell, item in layout.collections[obj]:
            _collection_item(canon, layout, qnames, cell, item, depth + 1, body)
        body.append(f"{pad}</{name}>")
    else:
        body.append(f"{pad}<{name}>")
        _node_element(canon, layout, qnames, obj, depth + 1, body)
        body.append(f"{pad}</{name}>")


def _collection_item(
    canon: rdflib.Graph,
    layout: _Layout,
    qnames: QNames,
    cell: Node,
    item: Node,
    depth: int,
    body: list[str],
) -> None:
    from rdflib import BNode, URIRef

    pad = "  " * depth
    if not isinstance(item, BNode):
        body.append(f'{pad}<rdf:Description rdf:about="{xml_escape(str(item), True)}"/>')
    elif layout.nested_here(item, cell, URIRef(RDF + "first")):
        _node_element(canon, layout, qnames, item, depth, body)
    else:
        body.append(f'{pad}<rdf:Description rdf:nodeID="{item}"/>')
