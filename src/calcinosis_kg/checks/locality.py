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

The locality tests (``locality_terms``) are the syntactic ones of the paper (⊥-equivalent and
⊤-equivalent class expressions). They only ever under-approximate locality: whatever is not
recognised (an unknown axiom shape, a data range, a SWRL rule, an anonymous individual) counts as
non-local and is kept with all its names, which can make the module larger, never wrong.
Annotations (including axiom annotations) carry no logical meaning and are left out; declarations
of the module's names are kept so the OWL parser reads the triples the same way.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from calcinosis_kg.checks.locality_terms import (
    BUILTIN,
    CHARACTERISTICS,
    ExpressionReader,
    Key,
    Triples,
    named,
)
from calcinosis_kg.core.vocab import OWL, RDF, RDF_TYPE, RDFS

_DECLARATIONS = {
    OWL + "Class",
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    OWL + "NamedIndividual",
    RDFS + "Datatype",
    RDFS + "Class",
    RDF + "Property",
    OWL + "Ontology",
}
#: predicates of a named subject with no logical meaning
_ANNOTATION_BUILTINS = {
    RDFS + "label",
    RDFS + "comment",
    RDFS + "seeAlso",
    RDFS + "isDefinedBy",
    OWL + "versionInfo",
    OWL + "deprecated",
    OWL + "priorVersion",
    OWL + "backwardCompatibleWith",
    OWL + "incompatibleWith",
    OWL + "versionIRI",
    OWL + "imports",
}


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


class _Reader(ExpressionReader):
    """Reads the OWL axioms out of the triples and tests their ⊥-locality."""

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
            return lambda sg: (
                (self.bot(s, sg) and self.bot(o, sg)) or (self.top(s, sg) and self.top(o, sg))
            )
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
            if o in CHARACTERISTICS:
                return lambda sg: e(s, sg)
            if o == OWL + "ReflexiveProperty" or not isinstance(o, str):
                return _never
            if o.startswith(BUILTIN) and o != OWL + "Thing" and o != OWL + "Nothing":
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
        if p.startswith(BUILTIN) or p in self.logical_properties:
            return _never  # property assertions, sameAs, hasKey, anything unrecognised
        return None  # an annotation assertion

    def _blank_subject(self, s: str, po: dict[str, list[Any]]) -> Iterator[_Axiom]:
        types = set(po.get(RDF_TYPE, []))
        if types & {OWL + "Axiom", OWL + "Annotation"}:
            return  # axiom annotations: the annotated triple itself is read on its own
        if OWL + "AllDisjointClasses" in types:
            members = [m for head in po.get(OWL + "members", []) for m in self.items(head)]
            yield self._axiom(
                [(s, p, o) for p, os in po.items() for o in os],
                lambda sg: sum(not self.bot(m, sg) for m in members) <= 1,
            )
            return
        if OWL + "AllDisjointProperties" in types:
            members = [m for head in po.get(OWL + "members", []) for m in self.items(head)]
            yield self._axiom(
                [(s, p, o) for p, os in po.items() for o in os],
                lambda sg: sum(not self.empty(m, sg) for m in members) <= 1,
            )
            return
        tests = [
            t for p, os in po.items() for o in os if (t := self._class_axioms(s, p, o)) is not None
        ]
        if tests and set(po) <= _GCI_PREDICATES | _EXPRESSION_PREDICATES:  # a GCI
            yield self._axiom(
                [(s, p, o) for p, os in po.items() for o in os],
                lambda sg: all(t(sg) for t in tests),
            )
            return
        # anything else (anonymous individual, negative assertion, AllDifferent, a rule): keep
        yield self._axiom([(s, p, o) for p, os in po.items() for o in os], _never)


_GCI_PREDICATES = {
    RDFS + "subClassOf",
    OWL + "equivalentClass",
    OWL + "disjointWith",
    OWL + "disjointUnionOf",
}
#: what describes an anonymous class expression (the subject of a GCI)
_EXPRESSION_PREDICATES = {RDF_TYPE} | {
    OWL + n
    for n in (
        "onProperty",
        "someValuesFrom",
        "allValuesFrom",
        "hasValue",
        "hasSelf",
        "minCardinality",
        "maxCardinality",
        "cardinality",
        "minQualifiedCardinality",
        "maxQualifiedCardinality",
        "qualifiedCardinality",
        "onClass",
        "onDataRange",
        "intersectionOf",
        "unionOf",
        "complementOf",
        "oneOf",
    )
}


def _never(_: set[str]) -> bool:
    return False


def _names(triples: list[Key]) -> set[str]:
    """The non-builtin IRIs of some triples (subjects, predicates, objects)."""
    names: set[str] = set()
    for s, p, o in triples:
        for x in (s, p, o):
            if named(x) and not x.startswith(BUILTIN):
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
        out += [
            (name, RDF_TYPE, t)
            for t in triples.get(name, {}).get(RDF_TYPE, [])
            if t in _DECLARATIONS
        ]
    return Module(out, sigma, sum(chosen), len(axioms))
