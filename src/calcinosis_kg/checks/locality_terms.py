"""⊥- and ⊤-equivalence of OWL class expressions, and emptiness of properties, under a signature.

Why a module of its own: ``locality`` decides which axioms are ⊥-local (and so left out of a
module); the tests it builds on — is this expression empty / everything when every name outside
Σ is empty — are the syntactic ones of Cuenca Grau et al. (JAIR 31, 2008) and read only the
triples of the expression. They under-approximate: whatever is not recognised is neither.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from calcinosis_kg.core.vocab import OWL, RDF, RDF_TYPE, RDFS, XSD

#: subject key -> predicate -> objects, as ``explain.Axioms.triples``
Triples = dict[str, dict[str, list[Any]]]
Key = tuple[str, str, Any]

BUILTIN = (RDF, RDFS, OWL, XSD)
#: property characteristics that hold when the property is empty (⊤ ⊑ ≤1 R, R∘R ⊑ R, ...)
CHARACTERISTICS = {
    OWL + n
    for n in (
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "TransitiveProperty",
        "SymmetricProperty",
        "AsymmetricProperty",
        "IrreflexiveProperty",
    )
}
TOP_PROPERTIES = {OWL + "topObjectProperty", OWL + "topDataProperty"}
BOTTOM_PROPERTIES = {OWL + "bottomObjectProperty", OWL + "bottomDataProperty"}


class ExpressionReader:
    """Reads class expressions, lists and properties out of the triples and tests whether they
    are ⊥- or ⊤-equivalent, or empty, when every name outside a signature Σ is empty."""

    def __init__(self, triples: Triples) -> None:
        self.t = triples
        self.data_properties = {
            s for s, po in triples.items() if OWL + "DatatypeProperty" in po.get(RDF_TYPE, [])
        }
        self.datatypes = {
            s for s, po in triples.items() if RDFS + "Datatype" in po.get(RDF_TYPE, [])
        }
        self.logical_properties = set(self.data_properties) | {
            s for s, po in triples.items() if OWL + "ObjectProperty" in po.get(RDF_TYPE, [])
        }
        referenced: set[str] = set()
        for s, po in triples.items():
            for p, objects in po.items():
                for o in objects:
                    if isinstance(o, str) and o.startswith("_:"):
                        referenced.add(o)
                if p in (
                    OWL + "onProperty",
                    OWL + "inverseOf",
                    RDFS + "subPropertyOf",
                    OWL + "equivalentProperty",
                    OWL + "propertyDisjointWith",
                ):
                    self.logical_properties.update(o for o in objects if named(o))
                    if p != OWL + "onProperty" and named(s):
                        self.logical_properties.add(s)
                if p in (OWL + "propertyChainAxiom", OWL + "hasKey"):
                    if p == OWL + "propertyChainAxiom":
                        self.logical_properties.add(s)
                    for head in objects:
                        self.logical_properties.update(m for m in self.items(head) if named(m))
            if CHARACTERISTICS & set(po.get(RDF_TYPE, [])):
                self.logical_properties.add(s)
        self.annotation_properties = {
            s for s, po in triples.items() if OWL + "AnnotationProperty" in po.get(RDF_TYPE, [])
        } - self.logical_properties
        self.top_level_blanks = [s for s in triples if s.startswith("_:") and s not in referenced]

    # -- structure -------------------------------------------------------------------------
    def objects(self, s: Any, p: str) -> list[Any]:
        """The objects of ``(s, p)`` (none for a literal subject)."""
        return self.t.get(s, {}).get(p, []) if isinstance(s, str) else []

    def items(self, head: Any) -> list[Any]:
        """The members of the RDF list at ``head`` (a cycle ends it)."""
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
            return len(inverse) == 1 and named(inverse[0]) and self.empty(inverse[0], sigma)
        if prop in BOTTOM_PROPERTIES:
            return True
        return prop not in sigma and prop not in TOP_PROPERTIES

    def _data(self, prop: Any, filler: Any) -> bool:
        """A data restriction or a data range: its filler is never taken to be empty."""
        return (
            (isinstance(prop, str) and prop in self.data_properties)
            or (named(filler) and (filler.startswith((XSD, RDF, RDFS)) or filler in self.datatypes))
            or bool(
                self.objects(filler, OWL + "onDatatype")
                or self.objects(filler, OWL + "datatypeComplementOf")
            )
        )

    def bot(self, c: Any, sigma: set[str], depth: int = 0) -> bool:
        """``c`` is ⊥-equivalent: empty whenever the names outside Σ are."""
        if not isinstance(c, str) or depth > 50:
            return False
        if not c.startswith("_:"):
            if c == OWL + "Nothing":
                return True
            return c not in sigma and not c.startswith(BUILTIN) and c not in self.datatypes
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
            return self.empty(prop, sigma) or (
                not self._data(prop, filler) and self.bot(filler, sigma, d)
            )
        for kind in (
            "minCardinality",
            "minQualifiedCardinality",
            "cardinality",
            "qualifiedCardinality",
        ):
            for n in self.objects(c, OWL + kind):
                if number(n) < 1:
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
            return self.empty(prop, sigma) or (
                not self._data(prop, filler) and self.top(filler, sigma, d)
            )
        for kind in ("minCardinality", "minQualifiedCardinality"):
            for n in self.objects(c, OWL + kind):
                return number(n) == 0
        for kind in ("maxCardinality", "maxQualifiedCardinality"):
            for _ in self.objects(c, OWL + kind):
                return self.empty(prop, sigma) or self._filler_bot(c, sigma, d)
        for kind in ("cardinality", "qualifiedCardinality"):
            for n in self.objects(c, OWL + kind):
                return number(n) == 0 and (self.empty(prop, sigma) or self._filler_bot(c, sigma, d))
        return False


def named(x: Any) -> bool:
    """An IRI key (not a blank node ``_:…`` or a literal)."""
    return isinstance(x, str) and not x.startswith("_:")


def number(literal: Any) -> int:
    """A cardinality's value; an unreadable one counts as at least one."""
    try:
        return int(getattr(literal, "value", literal))
    except (TypeError, ValueError):
        return 1  # unreadable: treated as at least one (the conservative reading)
