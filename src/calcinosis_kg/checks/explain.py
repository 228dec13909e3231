"""Explaining HermiT's verdicts from the asserted axioms: why a class is unsatisfiable, what makes
an ontology inconsistent.

HermiT says *that* a class is unsatisfiable or the ontology inconsistent, never *why*; curators
need the why. ``Axioms`` is a dictionary view of the asserted triples that finds it: declared
disjoint superclasses, unsatisfiable fillers, domain/range clashes and conflicting data
restrictions; ``inconsistency`` uses it for individuals typed with disjoint classes and data
values outside a property's range. Best effort, never a verdict of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calcinosis_kg.checks.verdict import ReasoningResult
from calcinosis_kg.core.expressions import Term, rdf_list, render, with_labels
from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.vocab import (
    OWL,
    OWL_THING,
    RDF,
    RDF_TYPE,
    RDFS,
    RDFS_SUBCLASS_OF,
    XSD,
)
from calcinosis_kg.graph.knowledge import labels_of

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph


def _ox():
    import pyoxigraph

    return pyoxigraph


def loaded_store(kg: KnowledgeGraph) -> pyoxigraph.Store:
    """The parsed store (``graph.load`` already turned parse errors into InputError)."""
    return kg.store


def _term_key(term: Any) -> str:
    """A plain string for a pyoxigraph term: IRIs bare, blank nodes ``_:id``, literals n3-ish."""
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


@dataclass
class Axioms:
    """The asserted OWL axioms as plain dictionaries (keys: IRIs, or ``_:id`` for blank nodes)."""

    triples: dict[str, dict[str, list[Any]]]
    labels: dict[str, str]

    @classmethod
    def from_store(cls, store: pyoxigraph.Store) -> Axioms:
        """Every triple of the store's default graph, indexed by subject then predicate."""

        ox = _ox()
        triples: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for q in store:
            o: Any = q.object
            value = o if isinstance(o, ox.Literal) else _term_key(o)
            triples[_term_key(q.subject)][q.predicate.value].append(value)
        return cls(triples, labels_of(store))

    @classmethod
    def of(cls, kg: KnowledgeGraph) -> Axioms:
        """The axioms of ``kg``, built once per graph and shared by every caller (read-only)."""
        return kg.derived("checks.axioms", lambda g: cls.from_store(loaded_store(g)))

    def objects(self, s: str, p: str) -> list[Any]:
        """``expressions.Source``: the objects of ``(s, p)``, empty when there are none."""
        return self.triples.get(s, {}).get(p, [])

    def rdf_list(self, head: str) -> list[Any]:
        """The members of the RDF list starting at ``head``."""
        return rdf_list(self, head)

    @staticmethod
    def named(x: Any) -> bool:
        """Whether a node is a named term (an IRI key) rather than a blank node or literal."""
        return isinstance(x, str) and not x.startswith("_:")

    def asserted_named_pairs(self) -> set[tuple[str, str]]:
        """Told ``subClassOf`` pairs between named classes (what the reasoner need not explain)."""
        return {
            (s, o)
            for s, po in self.triples.items()
            if self.named(s)
            for o in po.get(RDFS_SUBCLASS_OF, [])
            if self.named(o)
        }

    def asserted_named_equivalences(self) -> set[tuple[str, str]]:
        """Told ``equivalentClass`` pairs between named classes."""
        return {
            (s, o)
            for s, po in self.triples.items()
            if self.named(s)
            for o in po.get(OWL + "equivalentClass", [])
            if self.named(o)
        }

    def disjoint_pairs(self) -> set[frozenset[str]]:
        """Every pair declared disjoint, whether by ``disjointWith``, ``AllDisjointClasses`` or
        ``disjointUnionOf``."""
        pairs: set[frozenset[str]] = set()
        for s, po in self.triples.items():
            for o in po.get(OWL + "disjointWith", []):
                pairs.add(frozenset((s, o)))
            groups = []
            if OWL + "AllDisjointClasses" in po.get(RDF_TYPE, []):
                groups += [self.rdf_list(m) for m in po.get(OWL + "members", [])]
            groups += [self.rdf_list(m) for m in po.get(OWL + "disjointUnionOf", [])]
            for members in groups:
                for i, a in enumerate(members):
                    for b in members[i + 1 :]:
                        pairs.add(frozenset((a, b)))
        return {p for p in pairs if len(p) == 2}

    def label(self, iri: str) -> str:
        """The label of ``iri``, or "" (explanations show the CURIE alone then)."""
        return self.labels.get(iri, "")

    def term(self, node: Any) -> Term:
        """``expressions.Source``: keys ``_:id`` are blank nodes, other strings IRIs."""
        ox = _ox()
        if isinstance(node, ox.Literal):
            return Term("literal", node.value, "" if node.language else node.datatype.value)
        return Term("blank", node[2:]) if node.startswith("_:") else Term("iri", node)

    def show(self, x: Any) -> str:
        """A class expression, data range, property or literal as text with labels."""
        return render(self, x, with_labels(self.labels))

    def _told_parents(self, node: str) -> list[str]:
        """What ``node`` is asserted under: superclasses, equivalents, intersection members."""
        parents = list(self.objects(node, RDFS_SUBCLASS_OF))
        parents += self.objects(node, OWL + "equivalentClass")
        for head in self.objects(node, OWL + "intersectionOf"):
            parents += self.rdf_list(head)
        return [p for p in parents if isinstance(p, str)]

    def told_superclasses(
        self,
        cls: str,
        result: ReasoningResult | None = None,
    ) -> tuple[set[str], list[str]]:
        """Named classes and anonymous expressions ``cls`` is asserted under (transitively).

        Named ancestors that HermiT found satisfiable also contribute their entailed ancestors.
        """
        named: set[str] = set()
        anonymous: list[str] = []
        entailed = result.ancestors() if result else {}
        for node in [cls, *closure(cls, self._told_parents)]:
            for parent in self._told_parents(node):
                if self.named(parent):
                    if parent not in (OWL_THING, cls):
                        named.add(parent)
                    if result and parent not in result.unsatisfiable:
                        named.update(entailed.get(parent, set()) - {OWL_THING})
                elif not self.objects(parent, OWL + "intersectionOf") and parent not in anonymous:
                    anonymous.append(parent)
        return named, anonymous

    def disjoint_clash(self, classes: set[str]) -> tuple[str, str] | None:
        """Two of ``classes`` declared disjoint (the first such pair in sorted order), or None."""
        # the sorted pairs are computed once: explaining many unsatisfiable classes of a large
        # merged ontology would otherwise rescan every axiom several times per class
        pairs = self.__dict__.get("_sorted_disjoint_pairs")
        if pairs is None:
            pairs = self.__dict__["_sorted_disjoint_pairs"] = sorted(
                tuple(sorted(pair)) for pair in self.disjoint_pairs()
            )
        for a, b in pairs:
            if a in classes and b in classes:
                return a, b
        return None

    def explain_unsatisfiable(self, cls: str, result: ReasoningResult) -> str:
        """Why ``cls`` can have no instances, from the asserted axioms (best effort)."""
        named, anonymous = self.told_superclasses(cls, result)
        reasons: list[str] = []
        clash = self.disjoint_clash(named | {cls})
        if clash:
            a, b = clash
            reasons.append(
                f"it is a subclass of both {self.show(a)} and {self.show(b)}, "
                "which are declared disjoint"
            )
        bad_parents = sorted(named & set(result.unsatisfiable))
        if bad_parents:
            reasons.append(
                "its superclass "
                + ", ".join(self.show(p) for p in bad_parents)
                + " is unsatisfiable"
            )
        for expr in anonymous:
            for filler in self.objects(expr, OWL + "someValuesFrom"):
                if isinstance(filler, str) and filler in result.unsatisfiable:
                    reasons.append(f"it requires {self.show(expr)}, an unsatisfiable class")
        reasons += self._domain_range_clashes(named | {cls}, anonymous, result)
        data = [e for e in anonymous if self._is_data_restriction(e)]
        by_prop: dict[str, list[str]] = defaultdict(list)
        for expr in data:
            by_prop[self.objects(expr, OWL + "onProperty")[0]].append(expr)
        for prop, exprs in sorted(by_prop.items()):
            functional = OWL + "FunctionalProperty" in self.objects(prop, RDF_TYPE)
            ranges = [r for r in self.objects(prop, RDFS + "range") if isinstance(r, str)]
            if len(exprs) > 1 or functional or ranges:
                parts = [self.show(e) for e in exprs]
                parts += [f"range of {self.show(prop)} is {self.show(r)}" for r in ranges]
                if functional:
                    parts.append(f"{self.show(prop)} is functional")
                reasons.append("its data restrictions may conflict: " + "; ".join(parts))
        if not reasons:
            shown = "; ".join(self.show(e) for e in anonymous) or "none"
            reasons.append(
                "no declared disjointness among its superclasses explains it; "
                f"its restrictions: {shown}"
            )
        return "unsatisfiable: " + "; ".join(reasons)

    def _with_ancestors(self, classes: Iterable[str], result: ReasoningResult) -> set[str]:
        out: set[str] = set()
        for c in classes:
            if self.named(c):
                out |= {c} | self.told_superclasses(c, result)[0]
        return out

    def _domain_range_clashes(
        self, named: set[str], anonymous: list[str], result: ReasoningResult
    ) -> list[str]:
        """Existential restrictions whose property domain or range contradicts the class or
        the filler (a common slip with relations imported from RO)."""
        reasons = []
        for expr in anonymous:
            props = self.objects(expr, OWL + "onProperty")
            fillers = self.objects(expr, OWL + "someValuesFrom")
            if not props or not fillers or not isinstance(props[0], str):
                continue
            prop = props[0]
            domains = [d for d in self.objects(prop, RDFS + "domain") if self.named(d)]
            clash = self.disjoint_clash(named | self._with_ancestors(domains, result))
            if domains and clash and not self.disjoint_clash(named):
                reasons.append(
                    f"{self.show(prop)} has domain "
                    f"{', '.join(self.show(d) for d in domains)}, so it must be both "
                    f"{self.show(clash[0])} and {self.show(clash[1])}, which are "
                    "declared disjoint"
                )
            ranges = [r for r in self.objects(prop, RDFS + "range") if self.named(r)]
            filler = fillers[0]
            if ranges and self.named(filler):
                values = self._with_ancestors([filler, *ranges], result)
                clash = self.disjoint_clash(values)
                if clash:
                    reasons.append(
                        f"it requires {self.show(expr)}, but the range of "
                        f"{self.show(prop)} is {', '.join(self.show(r) for r in ranges)}"
                        f": {self.show(clash[0])} and {self.show(clash[1])} are "
                        "declared disjoint"
                    )
        return reasons

    def _is_data_restriction(self, expr: str) -> bool:
        props = self.objects(expr, OWL + "onProperty")
        if not props:
            return False
        if OWL + "DatatypeProperty" in self.objects(props[0], RDF_TYPE):
            return True
        fillers = self.objects(expr, OWL + "someValuesFrom") + self.objects(
            expr, OWL + "allValuesFrom"
        )
        return any(
            isinstance(f, str) and (f.startswith(XSD) or self.objects(f, OWL + "onDatatype"))
            for f in fillers
        )

    def individuals(self) -> list[str]:
        """Named individuals and anything typed with a non-builtin class, sorted (the suspects of an
        inconsistency)."""
        builtin = (OWL, RDFS, RDF)
        out = []
        for s, po in self.triples.items():
            types = [t for t in po.get(RDF_TYPE, []) if isinstance(t, str)]
            if OWL + "NamedIndividual" in types or any(not t.startswith(builtin) for t in types):
                out.append(s)
        return sorted(out)
