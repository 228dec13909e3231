"""The one loaded graph that every stage shares: parse once, hand out pyoxigraph and rdflib views.

Contract used by all stages: ``load(paths)`` returns a ``KnowledgeGraph`` with ``files`` (the
inputs, imports resolved locally), ``digest`` (sha256 of every input file's bytes, the cache key),
``store`` (a pyoxigraph Store, parsed once by ``loading``) and ``graph`` (an rdflib Graph derived
from the Store on first use: converting terms is ~2× faster than a second rdflib parse and means
rdflib never sees hostile bytes).

``load`` parses eagerly so that a malformed file fails at load time with file:line:column, not
halfway through a later stage.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.core.resources import default_ontology_files
from calcinosis_kg.core.vocab import OWL_THING, RDFS_LABEL, RDFS_SUBCLASS_OF, XSD_STRING

_T = TypeVar("_T")

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib
    from rdflib.term import Node

    #: an rdflib term that can stand in a triple (what ``to_rdflib_term`` gives)
    RdflibTerm = rdflib.URIRef | rdflib.BNode | rdflib.Literal
    #: a pyoxigraph term that can stand in a triple or be substituted for a variable
    OxTerm = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple
    OxNode = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass
class KnowledgeGraph:
    """Parsed input files shared by every stage (build it with ``load``)."""

    files: list[Path]
    warnings: list[str] = field(default_factory=list)
    _store: pyoxigraph.Store | None = field(default=None, repr=False)
    _digest: str | None = field(default=None, repr=False)
    _graph: rdflib.Graph | None = field(default=None, repr=False)
    _labels: dict[str, str] | None = field(default=None, repr=False)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, init=False, compare=False)

    def _ensure_loaded(self) -> None:
        with self._lock:
            if self._store is None:
                # lazy: graph.loading (logging, parsers) is not needed by `check --help`,
                # which reaches this module through checks.hermit
                from calcinosis_kg.graph.loading import load_files

                loaded = load_files(list(self.files))
                self._store, self._digest = loaded.store, loaded.digest
                self.files, self.warnings = loaded.files, loaded.warnings

    @property
    def store(self) -> pyoxigraph.Store:
        """The pyoxigraph Store holding every triple (default graph)."""
        self._ensure_loaded()
        assert self._store is not None
        return self._store

    @property
    def digest(self) -> str:
        """sha256 over every input file's bytes (imports included): the cache key."""
        self._ensure_loaded()
        assert self._digest is not None
        return self._digest

    @property
    def graph(self) -> rdflib.Graph:
        """An rdflib Graph with the same triples, built once from the Store."""
        with self._lock:
            if self._graph is None:
                self._graph = to_rdflib(self.store)
            return self._graph

    @property
    def labels(self) -> dict[str, str]:
        """IRI -> rdfs:label (English or untagged preferred; smallest string when several)."""
        with self._lock:
            if self._labels is None:
                self._labels = labels_of(self.store)
            return self._labels

    def derived(self, name: str, build: Callable[[KnowledgeGraph], _T]) -> _T:
        """``build(self)``, computed once per graph (the triples never change after loading):
        e.g. the checks' axiom index, which several stages read and which takes seconds to build
        when a large ontology is merged."""
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build(self)
            return self._derived[name]

    def ancestors(self, term: str) -> list[str]:
        """The asserted named superclasses of ``term`` (a CURIE or IRI), transitively, nearest
        first, as CURIEs: the one answer to "what is X under" (``core.hierarchy.closure``)."""
        parents, _ = self.derived("told_hierarchy", _told_hierarchy)
        return [compress(i) for i in closure(expand(term), lambda n: sorted(parents.get(n, ())))]

    def descendants(self, term: str) -> list[str]:
        """The asserted named subclasses of ``term`` (a CURIE or IRI), transitively, nearest
        first, as CURIEs."""
        _, children = self.derived("told_hierarchy", _told_hierarchy)
        return [compress(i) for i in closure(expand(term), lambda n: sorted(children.get(n, ())))]

    def most_specific(self, terms: Iterable[str]) -> list[str]:
        """The ``terms`` (CURIEs or IRIs) that none of the others is under in the asserted
        hierarchy (``ancestors``), each once, in the order given: e.g. the most specific of the
        types a reasoner entails for one case."""
        given = list(dict.fromkeys(terms))
        above = {term: set(self.ancestors(term)) for term in given}
        return [
            term
            for term in given
            if not any(other != term and compress(expand(term)) in above[other] for other in given)
        ]

    def __len__(self) -> int:
        return len(self.store)

    def with_triples(self, extra: rdflib.Graph | Iterable, tag: str = "extra") -> KnowledgeGraph:
        """A new KnowledgeGraph with ``extra`` triples added (e.g. the inferred hierarchy).

        The digest mixes in the sorted N-Triples of ``extra`` so caches keyed by it stay exact.
        """
        import pyoxigraph

        store = pyoxigraph.Store()
        store.extend(self.store)
        quads = [_quad(triple) for triple in extra]
        store.extend(quads)
        h = hashlib.sha256(self.digest.encode())
        h.update(tag.encode())
        for line in sorted(str(q.triple) for q in quads):
            h.update(line.encode() + b"\n")
        return KnowledgeGraph(
            files=list(self.files),
            warnings=list(self.warnings),
            _store=store,
            _digest=h.hexdigest(),
        )


def _told_hierarchy(kg: KnowledgeGraph) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(IRI -> named superclasses, IRI -> named subclasses) of the asserted rdfs:subClassOf."""
    import pyoxigraph

    parents: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for quad in kg.store.quads_for_pattern(None, pyoxigraph.NamedNode(RDFS_SUBCLASS_OF), None):
        sub, sup = quad.subject, quad.object
        if (
            isinstance(sub, pyoxigraph.NamedNode)
            and isinstance(sup, pyoxigraph.NamedNode)
            and sup.value != OWL_THING
        ):
            parents.setdefault(sub.value, set()).add(sup.value)
            children.setdefault(sup.value, set()).add(sub.value)
    return parents, children


def label_key(language: str | None, value: str) -> tuple[int, str]:
    """Which rdfs:label wins (smallest key): untagged, then English, then others; then text."""
    rank = 0 if not language else 1 if language.lower().startswith("en") else 2
    return rank, value


def labels_of(store: pyoxigraph.Store) -> dict[str, str]:
    """IRI -> preferred rdfs:label of every labelled named node in ``store``."""
    import pyoxigraph

    best: dict[str, tuple[int, str]] = {}
    for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(RDFS_LABEL), None):
        if not isinstance(quad.subject, pyoxigraph.NamedNode) or not isinstance(
            quad.object, pyoxigraph.Literal
        ):
            continue
        key = label_key(quad.object.language, quad.object.value)
        current = best.get(quad.subject.value)
        if current is None or key < current:
            best[quad.subject.value] = key
    return {iri: value for iri, (_, value) in best.items()}


def label_of(graph: rdflib.Graph, node: Node) -> str | None:
    """The preferred rdfs:label of ``node`` in an rdflib Graph (same choice as ``labels``)."""
    from rdflib import Literal, URIRef

    keys = [
        label_key(o.language, str(o))
        for o in graph.objects(node, URIRef(RDFS_LABEL))
        if isinstance(o, Literal)
    ]
    return min(keys)[1] if keys else None


def to_rdflib_term(term: object) -> RdflibTerm:
    """The rdflib term for a pyoxigraph term (xsd:string literals become plain literals)."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        if term.language:
            return Literal(term.value, lang=term.language)
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported RDF term {term!r}")


def to_rdflib(store: pyoxigraph.Store) -> rdflib.Graph:
    """Copy the Store's default graph into an rdflib Graph (terms converted once each)."""
    return _rdflib_graph(store)


def parse_rdflib(path: Path) -> rdflib.Graph:
    """One file parsed through the hardened loader (``loading``) as an rdflib Graph.

    Its owl:imports are not followed: for comparing or splitting the input files one by one.
    """
    # lazy: graph.loading (logging, parsers) is not needed by `check --help`,
    # which reaches this module through checks.hermit
    from calcinosis_kg.graph.loading import parse_file, read_input, sniff_format

    path = Path(path)
    data = read_input(path)
    return _rdflib_graph(parse_file(path, data, sniff_format(path, data)))


def _rdflib_graph(quads: Iterable[pyoxigraph.Quad]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    cache: dict[object, RdflibTerm] = {}

    def conv(term: object) -> RdflibTerm:
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib_term(term)
        return found

    add = graph.add
    for quad in quads:
        add((conv(quad.subject), conv(quad.predicate), conv(quad.object)))
    return graph


def from_rdflib(term: object) -> OxNode:
    """The pyoxigraph term for an rdflib term."""
    import pyoxigraph
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise TypeError(f"unsupported RDF term {term!r}")


def _quad(triple: Iterable[object]) -> pyoxigraph.Quad:
    """The pyoxigraph quad (default graph) for an rdflib triple."""
    import pyoxigraph

    subject, predicate, obj = (from_rdflib(t) for t in triple)
    if isinstance(subject, pyoxigraph.Literal) or not isinstance(predicate, pyoxigraph.NamedNode):
        raise TypeError(f"not an RDF triple: {subject} {predicate} {obj}")
    return pyoxigraph.Quad(subject, predicate, obj)


def select(
    store: pyoxigraph.Store,
    text: str,
    bindings: Mapping[str, OxTerm] | None = None,
    prefixes: dict[str, str] | None = None,
) -> pyoxigraph.QuerySolutions:
    """The solutions of a fixed SELECT query of ours (never a user's text: see ``sparql``).

    ``bindings`` are substituted for variables (pyoxigraph substitutes only variables of the
    SELECT projection, so such queries project them).
    """
    import pyoxigraph

    substitutions = {pyoxigraph.Variable(name): value for name, value in (bindings or {}).items()}
    result = store.query(text, prefixes=prefixes, substitutions=substitutions or None)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise TypeError(f"not a SELECT query: {text.strip()[:60]}")
    return result


def load(paths: Sequence[Path | str] | None = None) -> KnowledgeGraph:
    """Parse the bundled ontology (with its import module) or the given files, once.

    Raises ``InputError`` (file, line, column) for a missing or malformed file.
    """
    # lazy: graph.loading (logging, parsers) is not needed by `check --help`,
    # which reaches this module through checks.hermit
    from calcinosis_kg.graph.loading import load_files

    files = [Path(p) for p in paths] if paths else default_ontology_files()
    loaded = load_files(files)
    return KnowledgeGraph(
        files=loaded.files, warnings=loaded.warnings, _store=loaded.store, _digest=loaded.digest
    )
