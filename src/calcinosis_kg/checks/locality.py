"""Syntactic ⊥-locality modules: the part of a (possibly huge, merged) ontology that can matter
for the entailments over a given set of names.

Why: the negative-entailment check (``negative_entailments``) asks HermiT whether ``C ⊑ D`` or
``C ⊑ R some F`` follows, for names C, D, R, F of its list. With a large ontology merged (HP:
23k classes) a probe copy of the *whole* graph made HermiT classify everything a second time on
the same two cores. A ⊥-module for those names is small and gives exactly the same answers.

The theory (Cuenca Grau, Horrocks, Kazakov, Sattler: "Modular Reuse of Ontologies: Theory and
Practice", JAIR 31, 2008; the "locality-based modules" of the OWL API and ROBOT ``extract -m
BOT``): an axiom is *⊥-local* w.r.t. a signature Σ when it holds in every interpretation in which
every class and property outside Σ is empty, whatever the rest is. ``module`` computes the least
M ⊆ O such that every axiom of O \\ M is ⊥-local w.r.t. Σ ∪ sig(M) (a fixpoint: an axiom that is
not local joins M and its names join the signature). Then every model of M becomes a model of O
by making the other names empty, so O is a conservative extension of M over Σ: for every axiom
α whose names are in Σ (``C ⊑ D``, ``C ⊑ R some F``, ``C ⊑ owl:Nothing``, inconsistency),
O ⊨ α iff M ⊨ α. A probe ``P ≡ R some F`` with a fresh name P is a conservative definition, so
``O + probes ⊨ C ⊑ P`` iff ``M + probes ⊨ C ⊑ P`` whenever C, R, F are in Σ.

The locality tests are the syntactic ones of the paper (⊥-equivalent and ⊤-equivalent class
expressions). They only ever under-approximate locality: whatever is not recognised (an unknown
axiom shape, a data range, a SWRL rule, an anonymous individual) counts as non-local and is kept
with all its names, which can make the module larger, never wrong. Annotations (including axiom
annotations) carry no logical meaning and are left out; declarations of the module's names are
kept so the OWL parser reads the triples the same way.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from calcinosis_kg.core.vocab import OWL, RDF, RDF_TYPE, RDFS, XSD

#: subject key -> predicate -> objects, as ``explain.Axioms.triples``
Triples = dict[str, dict[str, list[Any]]]
Key = tuple[str, str, Any]

_BUILTIN = (RDF, RDFS, OWL, XSD)
_DECLARATIONS = {OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
                 OWL + "AnnotationProperty", OWL + "NamedIndividual", RDFS + "Datatype",
                 RDFS + "Class", RDF + "Property", OWL + "Ontology"}
#: property characteristics that hold when the property is empty (⊤ ⊑ ≤1 R, R∘R ⊑ R, ...)
_CHARACTERISTICS = {OWL + n for n in ("FunctionalProperty", "InverseFunctionalProperty",
                                      "TransitiveProperty", "SymmetricProperty",
                                      "AsymmetricProperty", "IrreflexiveProperty")}
#: predicates of a named subject with no logical meaning
_ANNOTATION_BUILTINS = {RDFS + "label", RDFS + "comment", RDFS + "seeAlso", RDFS + "isDefinedBy",
                        OWL + "versionInfo", OWL + "deprecated", OWL + "priorVersion",
                        OWL + "backwardCompatibleWith", OWL + "incompatibleWith",
                        OWL + "versionIRI", OWL + "imports"}
_TOP_PROPERTIES = {OWL + "topObjectProperty", OWL + "topDataProperty"}
_BOTTOM_PROPERTIES = {OWL + "bottomObjectProperty", OWL + "bottomDataProperty"}


@dataclass
class _Axiom:
    """One logical axiom: its triples (root and blank-node closure), names and locality test."""

    triples: list[Key]
    local: Callable[[set[str]], bool]
    names: set[str] = field(default_factory=set)


@dataclass
class Module:
    """A ⊥-module: its triples (keys as in ``Axioms.triples``) and signature."""

    triples: list[Key]
    signature: set[str]
    axioms: int
    total_axioms: int


class _Reader:
    """Reads the OWL axioms out of the triples and tests their ⊥-locality."""

    def __init__(self, triples: Triples) -> None:
        self.t = triples
        self.data_properties = {s for s, po in triples.items()
                                if OWL + "DatatypeProperty" in po.get(RDF_TYPE, [])}
        self.datatypes = {s for s, po in triples.items()
                          if RDFS + "Datatype" in po.get(RDF_TYPE, [])}
        self.logical_properties = set(self.data_properties) | {
            s for s, po in triples.items() if OWL + "ObjectProperty" in po.get(RDF_TYPE, [])}
        referenced: set[str] = set()
        for s, po in triples.items():
            for p, objects in po.items():
                for o in objects:
                    if isinstance(o, str) and o.startswith("_:"):
                        referenced.add(o)
                if p in (OWL + "onProperty", OWL + "inverseOf", RDFS + "subPropertyOf",
                         OWL + "equivalentProperty", OWL + "propertyDisjointWith"):
                    self.logical_properties.update(o for o in objects if _named(o))
                    if p != OWL + "onProperty" and _named(s):
                        self.logical_properties.add(s)
                if p in (OWL + "propertyChainAxiom", OWL + "hasKey"):
                    if p == OWL + "propertyChainAxiom":
                        self.logical_properties.add(s)
                    for head in objects:
                        self.logical_properties.update(m for m in self.items(head) if _named(m))
            if _CHARACTERISTICS & set(po.get(RDF_TYPE, [])):
                self.logical_properties.add(s)
        self.annotation_properties = {
            s for s, po in triples.items() if OWL + "AnnotationProperty" in po.get(RDF_TYPE, [])
        } - self.logical_properties
        self.top_level_blanks = [s for s in triples if s.startswith("_:") and s not in referenced]

    # -- structure -------------------------------------------------------------------------
    def objects(self, s: Any, p: str) -> list[Any]:
        return self.t.get(s, {}).get(p, []) if isinstance(s, str) else []

    def items(self, head: Any) -> list[Any]:
        items: list[Any] = []
        seen: set[Any] = set()
        node = head
        while isinstance(node, str) and node != RDF + "nil" and node not in seen:
            seen.add(node)
            items += self.objects(node, RDF + "first")
            rest = self.objects(node, RDF + "rest")
            node = rest[0] if rest else None
        return items

    def closure(self, nodes: Iterable[Any], out: list[Key], seen: set[str]) -> None:
        """Every triple of the blank nodes reachable from ``nodes`` (expressions, lists)."""
        todo = [n for n in nodes if isinstance(n, str) and n.startswith("_:")]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for p, objects in self.t.get(node, {}).items():
                for o in objects:
                    out.append((node, p, o))
                    if isinstance(o, str) and o.startswith("_:"):
                        todo.append(o)

    # -- ⊥/⊤-equivalence of class expressions and emptiness of properties --------------------
    def empty(self, prop: Any, sigma: set[str]) -> bool:
        """The property is empty when every name outside Σ is (⊥-locality's interpretation)."""
        if not isinstance(prop, str):
            return False
        if prop.startswith("_:"):
            inverse = self.objects(prop, OWL + "inverseOf")
            return len(inverse) == 1 and _named(inverse[0]) and self.empty(inverse[0], sigma)
        if prop in _BOTTOM_PROPERTIES:
            return True
        return prop not in sigma and prop not in _TOP_PROPERTIES

    def _data(self, prop: Any, filler: Any) -> bool:
        """A data restriction or a data range: its filler is never taken to be empty."""
        return ((isinstance(prop, str) and prop in self.data_properties)
                or (_named(filler) and (filler.startswith((XSD, RDF, RDFS))
                                        or filler in self.datatypes))
                or bool(self.objects(filler, OWL + "onDatatype")
                        or self.objects(filler, OWL + "datatypeComplementOf")))

    def bot(self, c: Any, sigma: set[str], depth: int = 0) -> bool:
        """``c`` is ⊥-equivalent: empty whenever the names outside Σ are."""
        if not isinstance(c, str) or depth > 50:
            return False
        if not c.startswith("_:"):
            if c == OWL + "Nothing":
                return True
            return (c not in sigma and not c.startswith(_BUILTIN) and c not in self.datatypes)
        d = depth + 1
        if members := self.objects(c, OWL + "intersectionOf"):
            return any(self.bot(m, sigma, d) for m in self.items(members[0]))
        if members := self.objects(c, OWL + "unionOf"):
            return all(self.bot(m, sigma, d) for m in self.items(members[0]))
        if inner := self.objects(c, OWL + "complementOf"):
            return self.top(inner[0], sigma, d)
        if members := self.objects(c, OWL + "oneOf"):
            return not self.items(members[0]) and members[0] == RDF + "nil"
        props = self.objects(c, OWL + "onProperty")
        if len(props) != 1:
            return False
        prop = props[0]
        if self.objects(c, OWL + "hasValue") or self.objects(c, OWL + "hasSelf"):
            return self.empty(prop, sigma)
        for filler in self.objects(c, OWL + "someValuesFrom"):
            return self.empty(prop, sigma) or (not self._data(prop, filler)
                                               and self.bot(filler, sigma, d))
        for kind in ("minCardinality", "minQualifiedCardinality", "cardinality",
                     "qualifiedCardinality"):
            for n in self.objects(c, OWL + kind):
                if _number(n) < 1:
                    return False
                return self.empty(prop, sigma) or self._filler_bot(c, sigma, d)
        return False

    def _filler_bot(self, c: str, sigma: set[str], depth: int) -> bool:
        """The qualified filler (``owl:onClass``) is ⊥-equivalent; data ranges never are."""
        fillers = self.objects(c, OWL + "onClass")
        return bool(fillers) and self.bot(fillers[0], sigma, depth)

    def top(self, c: Any, sigma: set[str], depth: int = 0) -> bool:
        """``c`` is ⊤-equivalent: everything whenever the names outside Σ are empty."""
        if not isinstance(c, str) or depth > 50:
            return False
        if not c.startswith("_:"):
            return c == OWL + "Thing"
        d = depth + 1
        if members := self.objects(c, OWL + "intersectionOf"):
            return all(self.top(m, sigma, d) for m in self.items(members[0]))
        if members := self.objects(c, OWL + "unionOf"):
            return any(self.top(m, sigma, d) for m in self.items(members[0]))
        if inner := self.objects(c, OWL + "complementOf"):
            return self.bot(inner[0], sigma, d)
        props = self.objects(c, OWL + "onProperty")
        if len(props) != 1:
            return False
        prop = props[0]
        for filler in self.objects(c, OWL + "allValuesFrom"):
            return self.empty(prop, sigma) or (not self._data(prop, filler)
                                               and self.top(filler, sigma, d))
        for kind in ("minCardinality", "minQualifiedCardinality"):
            for n in self.objects(c, OWL + kind):
                return _number(n) == 0
        for kind in ("maxCardinality", "maxQualifiedCardinality"):
            for _ in self.objects(c, OWL + kind):
                return self.empty(prop, sigma) or self._filler_bot(c, sigma, d)
        for kind in ("cardinality", "qualifiedCardinality"):
            for n in self.objects(c, OWL + kind):
                return _number(n) == 0 and (self.empty(prop, sigma)
                                            or self._filler_bot(c, sigma, d))
        return False

    # -- axioms ------------------------------------------------------------------------------
    def axioms(self) -> Iterator[_Axiom]:
        for s, po in self.t.items():
            if not s.startswith("_:"):
                yield from self._named_subject(s, po)
        for s in self.top_level_blanks:
            yield from self._blank_subject(s, self.t[s])

    def _axiom(self, root: list[Key], local: Callable[[set[str]], bool]) -> _Axiom:
        out = list(root)
        self.closure([x for s, _, o in root for x in (s, o)], out, set())
        return _Axiom(out, local, _names(out))

    def _class_axioms(self, s: str, p: str, o: Any) -> Callable[[set[str]], bool] | None:
        """The locality test of a class axiom ``s p o`` (None: not a class axiom predicate)."""
        if p == RDFS + "subClassOf":
            return lambda sg: self.bot(s, sg) or self.top(o, sg)
        if p == OWL + "equivalentClass":
            return lambda sg: ((self.bot(s, sg) and self.bot(o, sg))
                               or (self.top(s, sg) and self.top(o, sg)))
        if p == OWL + "disjointWith":
            return lambda sg: self.bot(s, sg) or self.bot(o, sg)
        if p == OWL + "disjointUnionOf":
            return lambda sg: self.bot(s, sg) and all(self.bot(m, sg) for m in self.items(o))
        return None

    def _named_subject(self, s: str, po: dict[str, list[Any]]) -> Iterator[_Axiom]:
        for p, objects in po.items():
            for o in objects:
                local = self._class_axioms(s, p, o)
                if local is None:
                    local = self._property_axiom(s, p, o)
                if local is None:
                    continue
                yield self._axiom([(s, p, o)], local)

    def _property_axiom(self, s: str, p: str, o: Any) -> Callable[[set[str]], bool] | None:
        e = self.empty
        if p == RDF_TYPE:
            if o in _DECLARATIONS:
                return None  # declarations: kept for the module's names (see ``module``)
            if o in _CHARACTERISTICS:
                return lambda sg: e(s, sg)
            if o == OWL + "ReflexiveProperty" or not isinstance(o, str):
                return _never
            if o.startswith(_BUILTIN) and o != OWL + "Thing" and o != OWL + "Nothing":
                return _never  # an OWL/RDF type we do not model: keep it
            return lambda sg: self.top(o, sg)  # class assertion
        if p in (RDFS + "subPropertyOf", OWL + "propertyDisjointWith"):
            return lambda sg: e(s, sg) or (p != RDFS + "subPropertyOf" and e(o, sg))
        if p in (OWL + "equivalentProperty", OWL + "inverseOf"):
            return lambda sg: e(s, sg) and e(o, sg)
        if p == OWL + "propertyChainAxiom":
            return lambda sg: any(e(m, sg) for m in self.items(o))
        if p in (RDFS + "domain", RDFS + "range"):
            if s in self.annotation_properties:
                return None  # domain/range of an annotation property: no logical meaning
            data = s in self.data_properties and p == RDFS + "range"
            return lambda sg: e(s, sg) or (not data and self.top(o, sg))
        if p in _ANNOTATION_BUILTINS:
            return None
        if p.startswith(_BUILTIN) or p in self.logical_properties:
            return _never  # property assertions, sameAs, hasKey, anything unrecognised
        return None  # an annotation assertion

    def _blank_subject(self, s: str, po: dict[str, list[Any]]) -> Iterator[_Axiom]:
        types = set(po.get(RDF_TYPE, []))
        if types & {OWL + "Axiom", OWL + "Annotation"}:
            return  # axiom annotations: the annotated triple itself is read on its own
        if OWL + "AllDisjointClasses" in types:
            members = [m for head in po.get(OWL + "members", []) for m in self.items(head)]
            yield self._axiom([(s, p, o) for p, os in po.items() for o in os],
                              lambda sg: sum(not self.bot(m, sg) for m in members) <= 1)
            return
        if OWL + "AllDisjointProperties" in types:
            members = [m for head in po.get(OWL + "members", []) for m in self.items(head)]
            yield self._axiom([(s, p, o) for p, os in po.items() for o in os],
                              lambda sg: sum(not self.empty(m, sg) for m in members) <= 1)
            return
        tests = [t for p, os in po.items() for o in os
                 if (t := self._class_axioms(s, p, o)) is not None]
        if tests and set(po) <= _GCI_PREDICATES | _EXPRESSION_PREDICATES:  # a GCI
            yield self._axiom([(s, p, o) for p, os in po.items() for o in os],
                              lambda sg: all(t(sg) for t in tests))
            return
        # anything else (anonymous individual, negative assertion, AllDifferent, a rule): keep
        yield self._axiom([(s, p, o) for p, os in po.items() for o in os], _never)


_GCI_PREDICATES = {RDFS + "subClassOf", OWL + "equivalentClass", OWL + "disjointWith",
                   OWL + "disjointUnionOf"}
#: what describes an anonymous class expression (the subject of a GCI)
_EXPRESSION_PREDICATES = {RDF_TYPE} | {OWL + n for n in (
    "onProperty", "someValuesFrom", "allValuesFrom", "hasValue", "hasSelf", "minCardinality",
    "maxCardinality", "cardinality", "minQualifiedCardinality", "maxQualifiedCardinality",
    "qualifiedCardinality", "onClass", "onDataRange", "intersectionOf", "unionOf",
    "complementOf", "oneOf")}


def _never(_: set[str]) -> bool:
    return False


def _named(x: Any) -> bool:
    return isinstance(x, str) and not x.startswith("_:")


def _number(literal: Any) -> int:
    try:
        return int(getattr(literal, "value", literal))
    except (TypeError, ValueError):
        return 1  # unreadable: treated as at least one (the conservative reading)


def _names(triples: list[Key]) -> set[str]:
    """The non-builtin IRIs of some triples (subjects, predicates, objects)."""
    names: set[str] = set()
    for s, p, o in triples:
        for x in (s, p, o):
            if _named(x) and not x.startswith(_BUILTIN):
                names.add(x)
    return names


def module(triples: Triples, seed: Iterable[str]) -> Module:
    """The ⊥-module of the ontology in ``triples`` for the signature ``seed`` (see above)."""
    reader = _Reader(triples)
    axioms = list(reader.axioms())
    sigma = set(seed)
    index: dict[str, list[int]] = defaultdict(list)
    for i, axiom in enumerate(axioms):
        for name in axiom.names:
            index[name].append(i)
    chosen = [False] * len(axioms)
    todo: deque[str] = deque()

    def take(i: int) -> None:
        chosen[i] = True
        for name in axioms[i].names - sigma:
            sigma.add(name)
            todo.append(name)

    for i, axiom in enumerate(axioms):
        if not axiom.local(sigma):
            take(i)
    while todo:
        for i in index.get(todo.popleft(), ()):
            if not chosen[i] and not axioms[i].local(sigma):
                take(i)
    out: list[Key] = [k for i, axiom in enumerate(axioms) if chosen[i] for k in axiom.triples]
    for name in sorted(sigma):
        out += [(name, RDF_TYPE, t) for t in triples.get(name, {}).get(RDF_TYPE, [])
                if t in _DECLARATIONS]
    return Module(out, sigma, sum(chosen), len(axioms))
