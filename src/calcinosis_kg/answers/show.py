"""The class card: everything the graph says about one term, the way a clinician reads it.

Why a module of its own: a question such as "where does idiopathic calcinosis cutis occur?" needs
the term's own statements, the universal statements it inherits from its ancestors and what is
said of its subtypes, each with the sentence behind it; one SPARQL query per aspect (cq10, cq12 …)
made the reader assemble that by hand. ``card(kg, iri)`` returns a typed ``Card`` (used by the
``show`` command and by the served class page); ``answers.show_render`` turns it into text, JSON
or Markdown.

What the card holds (docs/modelling.md): a *universal* statement (``C ⊑ R some F``) is true of
every member and is inherited by every subtype, so the card shows the term's own, those of its
ancestors (``inherited``) and those of its subtypes (``subtype``); an *association* record (what
a source says can, may, typically hold, or is linked to) is never inherited, so the card shows the
term's own records and those of its subtypes, never an ancestor's. Every statement is sorted into
one group (causes, associated diseases, sites …) by its relation and the class at the other end.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core import vocab as v
from calcinosis_kg.core.prefixes import compress

if TYPE_CHECKING:
    from rdflib import Graph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

GROUPS = ("causes", "associated diseases", "sites", "composition", "laboratory profile",
          "populations", "exposures", "diagnosis", "treatments", "features", "other")
SCOPES = ("own", "inherited", "subtype")
_FACET_SYMBOLS = {"minInclusive": "≥", "maxInclusive": "≤", "minExclusive": ">",
                  "maxExclusive": "<"}


@dataclass(frozen=True)
class Term:
    """A named term: CURIE and label (a union filler has ``A or B`` as both)."""

    curie: str
    label: str

    def text(self) -> str:
        if not self.label or self.label == self.curie:
            return self.curie
        return f"{self.label} {self.curie}" if self.curie.startswith("(") \
            else f"{self.label} ({self.curie})"


@dataclass(frozen=True, order=True)
class Support:
    """One sentence behind a statement, with its source and evidence code."""

    quote: str
    source: str
    evidence: str = ""


@dataclass(frozen=True)
class Statement:
    """One statement about the term (or an ancestor or subtype of it)."""

    group: str
    kind: str  # "universal" or "association"
    scope: str  # "own", "inherited" (from an ancestor) or "subtype"
    subject: Term
    relation: Term
    object: Term
    about: Term  # the class the statement is made of (the term, an ancestor or a subtype)
    frequency: str = ""  # association records: the frequency qualifier's label
    wording: str = ""  # the source's own word ("most frequent", "typical" …)
    efficacy: str = ""
    letter: str = ""
    knowledge_level: str = ""
    values: tuple[str, ...] = ()  # laboratory values that define the finding, with units
    support: tuple[Support, ...] = ()


@dataclass
class Card:
    """Everything said about one term, grouped (see ``GROUPS``)."""

    term: Term
    definition: str = ""
    definition_support: tuple[Support, ...] = ()
    logical_definition: str = ""
    synonyms: list[str] = field(default_factory=list)
    mappings: list[str] = field(default_factory=list)
    parents: list[Term] = field(default_factory=list)
    ancestors: list[Term] = field(default_factory=list)
    subtypes: list[Term] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    reference_ranges: list[str] = field(default_factory=list)
    deprecated: bool = False

    def groups(self) -> dict[str, list[Statement]]:
        """Statements by group, in ``GROUPS`` order (empty groups left out)."""
        out: dict[str, list[Statement]] = {}
        for group in GROUPS:
            found = [s for s in self.statements if s.group == group]
            if found:
                out[group] = found
        return out


class _Reader:
    """Lookups on one rdflib graph (labels, hierarchy, axiom provenance)."""

    def __init__(self, g: Graph, labels: dict[str, str]) -> None:
        self.g = g
        self.labels = labels
        self.deprecated = {s for s in g.subjects(URIRef(v.OWL_DEPRECATED), None)}

    def term(self, node) -> Term:
        if isinstance(node, URIRef):
            return Term(compress(str(node)), self.labels.get(str(node), ""))
        members = self.union_members(node)
        if members:
            terms = [self.term(m) for m in members]
            return Term("(" + " or ".join(t.curie for t in terms) + ")",
                        " or ".join(t.label or t.curie for t in terms))
        from calcinosis_kg.checks.inheritance import render

        text = render(self.g, node)
        return Term(text, text)

    def union_members(self, node) -> list:
        head = self.g.value(node, OWL.unionOf)
        return list(Collection(self.g, head)) if head is not None else []

    def parents(self, cls) -> list[URIRef]:
        """Named parents: asserted superclasses and named genus classes of a definition."""
        supers = list(self.g.objects(cls, RDFS.subClassOf))
        for eq in self.g.objects(cls, OWL.equivalentClass):
            head = self.g.value(eq, OWL.intersectionOf)
            supers += list(Collection(self.g, head)) if head is not None else []
        return sorted({s for s in supers if isinstance(s, URIRef) and s != OWL.Thing}, key=str)

    def closure(self, start, step) -> list:
        seen: list = []
        todo = deque(step(start))
        while todo:
            node = todo.popleft()
            if node in seen or node == start:
                continue
            seen.append(node)
            todo.extend(step(node))
        return seen

    def ancestors(self, cls) -> list:
        return self.closure(cls, self.parents)

    def children(self, cls) -> list:
        return sorted((s for s in self.g.subjects(RDFS.subClassOf, cls)
                       if isinstance(s, URIRef) and s not in self.deprecated), key=str)

    def descendants(self, cls) -> list:
        return self.closure(cls, self.children)

    def support(self, source, prop, target) -> tuple[Support, ...]:
        """The sentences annotating the axiom (source prop target)."""
        g = self.g
        found = set()
        for axiom in g.subjects(URIRef(v.OWL_ANNOTATED_SOURCE), source):
            if g.value(axiom, URIRef(v.OWL_ANNOTATED_PROPERTY)) != prop or \
                    g.value(axiom, URIRef(v.OWL_ANNOTATED_TARGET)) != target:
                continue
            found |= self._sentences(axiom)
        return tuple(sorted(found, key=lambda s: (s.source, s.quote)))

    def _sentences(self, node) -> set[Support]:
        g = self.g
        quotes = [str(q) for q in g.objects(node, URIRef(v.SUPPORTING_TEXT))]
        source = g.value(node, URIRef(v.DC_SOURCE))
        evidence = g.value(node, URIRef(v.RO_HAS_EVIDENCE))
        return {Support(q, compress(str(source)) if source is not None else "",
                        compress(str(evidence)) if evidence is not None else "")
                for q in quotes}

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

    def data_values(self, cls) -> list[str]:
        """Data restrictions defining ``cls``, e.g. ``total serum calcium > 2.6 mmol/L``."""
        out = []
        for eq in self.g.objects(cls, OWL.equivalentClass):
            head = self.g.value(eq, OWL.intersectionOf)
            for part in Collection(self.g, head) if head is not None else [eq]:
                prop = self.g.value(part, OWL.onProperty)
                datatype = self.g.value(part, OWL.someValuesFrom)
                facets_head = self.g.value(datatype, OWL.withRestrictions) \
                    if datatype is not None else None
                if prop is None or facets_head is None:
                    continue
                name = self.labels.get(str(prop), compress(str(prop)))
                words = name.removeprefix("has ").rsplit(" in ", 1)
                unit = f" {words[1]}" if len(words) == 2 else ""
                facets = sorted(f"{_FACET_SYMBOLS.get(str(p).rsplit('#', 1)[-1], '?')} {o}"
                                for facet in Collection(self.g, facets_head)
                                for p, o in self.g.predicate_objects(facet))
                out.append(f"{words[0]} {' and '.join(f + unit for f in facets)}")
        return out


def card(kg: KnowledgeGraph, iri: str) -> Card:
    """The card of ``iri`` (a class, or any labelled term) in ``kg``."""
    g = kg.graph
    r = _Reader(g, kg.labels)
    node = URIRef(iri)
    result = Card(term=r.term(node), deprecated=node in r.deprecated)
    definition = g.value(node, URIRef(v.IAO_DEFINITION))
    if definition is not None:
        result.definition = str(definition)
        result.definition_support = r.support(node, URIRef(v.IAO_DEFINITION), definition)
    from calcinosis_kg.checks.inheritance import render

    logical = [render(g, eq) for eq in g.objects(node, OWL.equivalentClass)]
    result.logical_definition = "; ".join(sorted(logical))
    result.synonyms = sorted({f"{str(o)} ({scope})" for prop, scope in v.SYNONYM_SCOPES.items()
                              for o in g.objects(node, URIRef(prop))})
    result.mappings = sorted(str(o) for o in g.objects(node, URIRef(v.OIO_HAS_DBXREF)))
    result.parents = [r.term(p) for p in r.parents(node)]
    ancestors = r.ancestors(node)
    result.ancestors = [r.term(a) for a in ancestors]
    subtypes = r.descendants(node)
    result.subtypes = [r.term(s) for s in sorted(subtypes, key=lambda s: (
        r.labels.get(str(s), "").casefold(), str(s)))]
    sorter = _Sorter(r)
    statements: list[Statement] = []
    for about, scope in [(node, "own"), *((a, "inherited") for a in ancestors),
                         *((s, "subtype") for s in subtypes)]:
        statements += _universals(r, sorter, about, scope)
        if scope != "inherited":
            statements += _associations(r, sorter, about, scope)
    if scope_incoming := _incoming_universals(r, sorter, node):
        statements += scope_incoming
    result.statements = sorted(set(statements), key=lambda s: (
        GROUPS.index(s.group), SCOPES.index(s.scope), s.about.label.casefold(), s.about.curie,
        s.kind != "universal", s.relation.label, s.subject.label.casefold(),
        s.object.label.casefold(), s.object.curie, s.support))
    if any(s.group == "laboratory profile" for s in result.statements) or \
            node in sorter.lab or r.data_values(node):
        result.reference_ranges = _reference_ranges(r)
    return result


class _Sorter:
    """Which group a statement goes in, from its relation and the class at the other end."""

    def __init__(self, r: _Reader) -> None:
        self.r = r
        lab_root = URIRef(v.LABORATORY_FINDING)
        lab = set(r.descendants(lab_root)) | {lab_root}
        for member in list(lab):
            lab |= set(r.ancestors(member))
        self.lab = lab - set(r.ancestors(lab_root))
        self.populations = {URIRef(v.AFFECTED_POPULATION)} | set(
            r.descendants(URIRef(v.AFFECTED_POPULATION)))
        deposit = URIRef(v.CALCIUM_SALT_DEPOSIT)
        self.deposits = {deposit} | set(r.descendants(deposit))
        self.exposures = set()
        for root in v.EXPOSURE_ROOTS:
            self.exposures |= {URIRef(root)} | set(r.descendants(URIRef(root)))

    def group(self, prop: str, outgoing: bool, other) -> str:
        members = self.r.union_members(other) if isinstance(other, BNode) else [other]
        first = members[0] if members else other
        if prop == v.RO_HAS_LOCATION:
            return "sites"
        if prop == v.DIAGNOSED_BY:
            return "diagnosis"
        if prop in (v.RO_TREATED_BY_SUBSTANCE, v.RO_TREATS, v.RO_HAS_ROLE, v.PROPOSED_MECHANISM):
            return "treatments"
        if prop == v.RO_IN_TAXON:
            return "populations"
        if prop in (v.BFO_HAS_PART,):
            return "composition"
        if prop == v.RO_HAS_EXPOSURE_STIMULUS:
            return "exposures"
        if prop in (v.RO_CAUSES_OR_CONTRIBUTES, v.RO_CAUSES, v.RO_CORRELATED_WITH):
            return "exposures" if not outgoing and first in self.exposures else "causes"
        if not outgoing and prop in (v.RO_HAS_FEATURE, v.RO_HAS_PHENOTYPE):
            return "associated diseases"
        if first in self.deposits or str(first).startswith(v.OBO + "CHEBI_"):
            return "composition"
        if first in self.lab:
            return "laboratory profile"
        if first in self.populations:
            return "populations"
        if prop in (v.RO_HAS_FEATURE, v.RO_HAS_PHENOTYPE, v.RO_HAS_PHYSICAL_BASIS):
            return "features"
        return "other"

    def values(self, other) -> tuple[str, ...]:
        """Laboratory values defining the filler or a named subtype of it (``> 2.6 mmol/L``)."""
        members = self.r.union_members(other) if isinstance(other, BNode) else [other]
        out: list[str] = []
        for member in members:
            for cls in [member, *self.r.descendants(member)]:
                for value in self.r.data_values(cls):
                    label = self.r.labels.get(str(cls), compress(str(cls)))
                    out.append(f"{label} ({compress(str(cls))}): {value}")
        return tuple(dict.fromkeys(out))


def _universals(r: _Reader, sorter: _Sorter, about, scope: str) -> list[Statement]:
    out = []
    about_term = r.term(about)
    for restriction, prop, filler in r.restrictions(about):
        group = sorter.group(str(prop), True, filler)
        out.append(Statement(
            group=group, kind="universal", scope=scope, subject=about_term,
            relation=r.term(prop), object=r.term(filler), about=about_term,
            values=sorter.values(filler) if group == "laboratory profile" else (),
            support=r.support(about, RDFS.subClassOf, restriction)))
    return out


def _incoming_universals(r: _Reader, sorter: _Sorter, node) -> list[Statement]:
    """``X ⊑ R some node`` (or ``some (node or …)``) for named X: statements of others about it."""
    out = []
    g = r.g
    about = r.term(node)
    for restriction in set(g.subjects(OWL.someValuesFrom, node)) | {
            rest for head in _lists_holding(g, node) for union in g.subjects(OWL.unionOf, head)
            for rest in g.subjects(OWL.someValuesFrom, union)}:
        prop = g.value(restriction, OWL.onProperty)
        for subject in g.subjects(RDFS.subClassOf, restriction):
            if isinstance(subject, URIRef) and isinstance(prop, URIRef):
                filler = g.value(restriction, OWL.someValuesFrom)
                out.append(Statement(
                    group=sorter.group(str(prop), False, subject), kind="universal",
                    scope="own", subject=r.term(subject), relation=r.term(prop),
                    object=r.term(filler), about=about,
                    support=r.support(subject, RDFS.subClassOf, restriction)))
    return out


def _lists_holding(g: Graph, node) -> list:
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


def _associations(r: _Reader, sorter: _Sorter, about, scope: str) -> list[Statement]:
    g = r.g
    out = []
    about_term = r.term(about)
    records = [(rec, True) for rec in g.subjects(URIRef(v.BIOLINK_SUBJECT), about)] + \
        [(rec, False) for rec in g.subjects(URIRef(v.BIOLINK_OBJECT), about)]
    for record, outgoing in records:
        if (record, RDF.type, URIRef(v.BIOLINK_ASSOCIATION)) not in g:
            continue
        subject = g.value(record, URIRef(v.BIOLINK_SUBJECT))
        prop = g.value(record, URIRef(v.BIOLINK_PREDICATE))
        obj = g.value(record, URIRef(v.BIOLINK_OBJECT))
        if subject is None or prop is None or obj is None:
            continue
        group = sorter.group(str(prop), outgoing, obj if outgoing else subject)

        def label_of(prop_iri: str, record=record) -> str:
            value = g.value(record, URIRef(prop_iri))
            if value is None:
                return ""
            return str(value) if isinstance(value, Literal) else \
                r.labels.get(str(value), compress(str(value)))

        out.append(Statement(
            group=group, kind="association", scope=scope, subject=r.term(subject),
            relation=r.term(prop), object=r.term(obj), about=about_term,
            frequency=label_of(v.BIOLINK_FREQUENCY_QUALIFIER),
            wording=label_of(v.FREQUENCY_WORDING), efficacy=label_of(v.EFFICACY_QUALIFIER),
            letter=label_of(v.ACRONYM_LETTER), knowledge_level=label_of(v.BIOLINK_KNOWLEDGE_LEVEL),
            values=sorter.values(obj) if group == "laboratory profile" else (),
            support=tuple(sorted(r._sentences(record), key=lambda s: (s.source, s.quote)))))
    return out


def _reference_ranges(r: _Reader) -> list[str]:
    """Every reference range individual: ``label: lower–upper unit`` with its source."""
    g = r.g
    out = []
    for individual in sorted(set(g.subjects(URIRef(v.LOWER_REFERENCE_LIMIT), None)), key=str):
        lower = g.value(individual, URIRef(v.LOWER_REFERENCE_LIMIT))
        upper = g.value(individual, URIRef(v.UPPER_REFERENCE_LIMIT))
        unit = g.value(individual, URIRef(v.HAS_UNIT))
        label = r.labels.get(str(individual), compress(str(individual)))
        sources = {s.source for s in r.support(individual, URIRef(v.LOWER_REFERENCE_LIMIT),
                                                lower)}
        where = f" ({', '.join(sorted(sources))})" if sources else ""
        out.append(f"{label}: {lower}–{upper} {unit or ''}".rstrip() + where)
    return out
