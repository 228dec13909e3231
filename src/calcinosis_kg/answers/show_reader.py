"""Reading one rdflib graph for the class card: labels, hierarchy, restrictions, provenance.

Why a module of its own: ``answers.show`` decides what a card says; the graph walking it needs
(named parents through definitions, descendants without obsolete classes, the ``owl:Axiom``
annotations that carry each statement's sentence, data-facet definitions rendered with their
unit) is plain lookup code, kept here so both stay short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.checks.inheritance import render
from calcinosis_kg.core import vocab as v
from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.prefixes import compress, header

if TYPE_CHECKING:
    from rdflib import Graph

_FACET_SYMBOLS = {
    "minInclusive": "≥",
    "maxInclusive": "≤",
    "minExclusive": ">",
    "maxExclusive": "<",
}


@dataclass(frozen=True)
class Term:
    """A named term: CURIE and label (a union filler has ``A or B`` as both); ``everyday`` is the
    name a clinician writes for an anatomy term ("forearm" for forelimb zeugopod), when the graph
    holds one from the term's own ontology (``Reader.everyday``), shown first."""

    curie: str
    label: str
    everyday: str = ""

    def text(self) -> str:
        """``label (CURIE)`` as a card shows a term; the CURIE alone when there is no label; an
        everyday name first, ``forearm (UBERON:0002386 forelimb zeugopod)``."""
        if self.everyday:
            return f"{self.everyday} ({self.curie} {self.label})"
        if not self.label or self.label == self.curie:
            return self.curie
        return (
            f"{self.label} {self.curie}"
            if self.curie.startswith("(")
            else f"{self.label} ({self.curie})"
        )


@dataclass(frozen=True, order=True)
class Support:
    """One sentence behind a statement, with its source and evidence code."""

    quote: str
    source: str
    evidence: str = ""


def source_name(iri: str) -> str:
    """A source as a clinician cites it: the header's short name ("article", "DERMO" …), else the
    CURIE (``PMID:21679810``, ``DOID:0060218``); never a raw IRI where a name exists."""

    shorts = {
        str(s.get("iri")): str(s["short"])
        for s in header().get("sources", {}).values()
        if isinstance(s, dict) and s.get("short")
    }
    return shorts.get(iri) or compress(iri)


class Reader:
    """Lookups on one rdflib graph (labels, hierarchy, axiom provenance)."""

    def __init__(self, g: Graph, labels: dict[str, str]) -> None:
        self.g = g
        self.labels = labels
        self.deprecated = {s for s in g.subjects(URIRef(v.OWL_DEPRECATED), None)}
        self.everyday = everyday_names(g)

    def term(self, node) -> Term:
        """A node as a card names it: a named term, a union of named terms, or the Manchester-like
        text of another class expression."""
        if isinstance(node, URIRef):
            return Term(
                compress(str(node)), self.labels.get(str(node), ""), self.everyday.get(node, "")
            )
        members = self.union_members(node)
        if members:
            terms = [self.term(m) for m in members]
            return Term(
                "(" + " or ".join(t.curie for t in terms) + ")",
                " or ".join(t.everyday or t.label or t.curie for t in terms),
            )

        text = render(self.g, node)
        return Term(text, text)

    def union_members(self, node) -> list:
        """The operands of ``owl:unionOf`` on ``node``; empty when it is not a union."""
        head = self.g.value(node, OWL.unionOf)
        return list(Collection(self.g, head)) if head is not None else []

    def parents(self, cls) -> list[URIRef]:
        """Named parents: asserted superclasses and named genus classes of a definition."""
        supers = list(self.g.objects(cls, RDFS.subClassOf))
        for eq in self.g.objects(cls, OWL.equivalentClass):
            head = self.g.value(eq, OWL.intersectionOf)
            supers += list(Collection(self.g, head)) if head is not None else []
        return sorted({s for s in supers if isinstance(s, URIRef) and s != OWL.Thing}, key=str)

    def ancestors(self, cls) -> list:
        """Every named ancestor through ``parents``, nearest first."""
        return closure(cls, self.parents)

    def children(self, cls) -> list:
        """Named direct subclasses, deprecated ones left out (a card lists live terms)."""
        return sorted(
            (
                s
                for s in self.g.subjects(RDFS.subClassOf, cls)
                if isinstance(s, URIRef) and s not in self.deprecated
            ),
            key=str,
        )

    def descendants(self, cls) -> list:
        """Every live named descendant through ``children``, nearest first."""
        return closure(cls, self.children)

    def support(self, source, prop, target) -> tuple[Support, ...]:
        """The sentences annotating the axiom (source prop target)."""
        g = self.g
        found = set()
        for axiom in g.subjects(URIRef(v.OWL_ANNOTATED_SOURCE), source):
            if (
                g.value(axiom, URIRef(v.OWL_ANNOTATED_PROPERTY)) != prop
                or g.value(axiom, URIRef(v.OWL_ANNOTATED_TARGET)) != target
            ):
                continue
            found |= self.sentences(axiom)
        return tuple(sorted(found, key=lambda s: (s.source, s.quote)))

    def sentences(self, node) -> set[Support]:
        """The quotes on one axiom annotation, each with its source's short name and evidence."""
        g = self.g
        quotes = [str(q) for q in g.objects(node, URIRef(v.SUPPORTING_TEXT))]
        source = g.value(node, URIRef(v.DC_SOURCE))
        evidence = g.value(node, URIRef(v.RO_HAS_EVIDENCE))
        return {
            Support(
                q,
                source_name(str(source)) if source is not None else "",
                compress(str(evidence)) if evidence is not None else "",
            )
            for q in quotes
        }

    def restrictions(self, cls) -> list[tuple[BNode, URIRef, object]]:
        """(restriction, property, filler) of the existentials ``cls ⊑ R some F``."""
        out: list[tuple[BNode, URIRef, object]] = []
        for sup in self.g.objects(cls, RDFS.subClassOf):
            if isinstance(sup, BNode):
                prop = self.g.value(sup, OWL.onProperty)
                filler = self.g.value(sup, OWL.someValuesFrom)
                if isinstance(prop, URIRef) and filler is not None:
                    out.append((sup, prop, filler))
        return out

    def differentia(self, cls) -> list[tuple[BNode, URIRef, object, object]]:
        """(restriction, property, filler, definition) of the ``R some F`` parts of ``cls``'s
        definitions (``cls ≡ G and R some F``): true of every member, as a superclass is."""
        out: list[tuple[BNode, URIRef, object, object]] = []
        for eq in self.g.objects(cls, OWL.equivalentClass):
            head = self.g.value(eq, OWL.intersectionOf)
            for part in Collection(self.g, head) if head is not None else []:
                prop = self.g.value(part, OWL.onProperty)
                filler = self.g.value(part, OWL.someValuesFrom)
                if (
                    isinstance(part, BNode)
                    and isinstance(prop, URIRef)
                    and filler is not None
                    and self.g.value(filler, OWL.withRestrictions) is None  # not a data range
                ):
                    out.append((part, prop, filler, eq))
        return out

    def other_superclasses(self, cls) -> list[tuple[str, tuple[Support, ...]]]:
        """Anonymous superclasses that are not ``R some F`` (a union, an inverse property, a data
        range …): their Manchester-like text and sentences, for the card's ``also`` line."""
        shown = {r for r, _, _ in self.restrictions(cls)}
        out = [
            (render(self.g, sup), self.support(cls, RDFS.subClassOf, sup))
            for sup in self.g.objects(cls, RDFS.subClassOf)
            if isinstance(sup, BNode) and sup not in shown
        ]
        return sorted(out)

    def distinct(self, cls) -> list[tuple[URIRef, tuple[Support, ...]]]:
        """Named classes declared disjoint with ``cls`` (``owl:disjointWith`` either way, or a
        shared ``owl:AllDisjointClasses``), each with the sentences of the axiom."""
        g = self.g
        found: dict[object, set[Support]] = {}
        for other in g.objects(cls, OWL.disjointWith):
            found.setdefault(other, set()).update(self.support(cls, OWL.disjointWith, other))
        for other in g.subjects(OWL.disjointWith, cls):
            found.setdefault(other, set()).update(self.support(other, OWL.disjointWith, cls))
        for head in lists_holding(g, cls):
            for group in g.subjects(OWL.members, head):
                for other in Collection(g, head):
                    if other != cls:
                        found.setdefault(other, set()).update(self.sentences(group))
        return [
            (o, tuple(sorted(sups, key=lambda s: (s.source, s.quote))))
            for o, sups in sorted(found.items(), key=lambda kv: str(kv[0]))
            if isinstance(o, URIRef)  # a class expression in a disjointness is not a term
        ]

    def mapping_predicates(self, cls) -> dict[str, str]:
        """The curated SSSOM predicate of each of ``cls``'s xrefs, as a CURIE."""
        g = self.g
        out = {}
        for axiom in g.subjects(URIRef(v.OWL_ANNOTATED_SOURCE), cls):
            predicate = g.value(axiom, URIRef(v.SSSOM_PREDICATE_ID))
            target = g.value(axiom, URIRef(v.OWL_ANNOTATED_TARGET))
            if predicate is not None and target is not None:
                out[str(target)] = compress(str(predicate))
        return out

    def data_values(self, cls) -> list[str]:
        """Data restrictions defining ``cls``, e.g. ``total serum calcium > 2.6 mmol/L``."""
        out = []
        for eq in self.g.objects(cls, OWL.equivalentClass):
            head = self.g.value(eq, OWL.intersectionOf)
            for part in Collection(self.g, head) if head is not None else [eq]:
                prop = self.g.value(part, OWL.onProperty)
                datatype = self.g.value(part, OWL.someValuesFrom)
                facets_head = (
                    self.g.value(datatype, OWL.withRestrictions) if datatype is not None else None
                )
                if prop is None or facets_head is None:
                    continue
                name = self.labels.get(str(prop), compress(str(prop)))
                words = name.removeprefix("has ").rsplit(" in ", 1)
                unit = f" {words[1]}" if len(words) == 2 else ""
                facets = sorted(
                    f"{_FACET_SYMBOLS.get(str(p).rsplit('#', 1)[-1], '?')} {o}"
                    for facet in Collection(self.g, facets_head)
                    for p, o in self.g.predicate_objects(facet)
                )
                out.append(f"{words[0]} {' and '.join(f + unit for f in facets)}")
        return out


def everyday_names(g: Graph) -> dict[URIRef, str]:
    """Anatomy terms' everyday names: an UBERON class's exact synonym whose synonym axiom cites
    the class itself (taken from UBERON; ``ontology/src/imports.yaml`` keeps the file and commit
    each comes from). The first in alphabetical order if there are several."""
    exact = URIRef(v.OIO_EXACT_SYNONYM)
    found: dict[URIRef, str] = {}
    for axiom in g.subjects(URIRef(v.OWL_ANNOTATED_PROPERTY), exact):
        node = g.value(axiom, URIRef(v.OWL_ANNOTATED_SOURCE))
        text = g.value(axiom, URIRef(v.OWL_ANNOTATED_TARGET))
        if (
            not isinstance(node, URIRef)
            or not str(node).startswith(v.OBO + "UBERON_")
            or text is None
            or (node, exact, text) not in g
        ):
            continue
        if str(g.value(axiom, URIRef(v.OIO_HAS_DBXREF))) == compress(str(node)):
            found[node] = min(found.get(node, str(text)), str(text))
    return found


def lists_holding(g: Graph, node) -> list:
    """Heads of the RDF lists that hold ``node``."""
    heads = []
    for cell in g.subjects(RDF.first, node):
        head = cell
        while True:
            previous = next(g.subjects(RDF.rest, head), None)
            if previous is None:
                break
            head = previous
        heads.append(head)
    return heads
