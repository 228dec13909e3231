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
term's own records and those of its subtypes as such; an ancestor's records appear only in a
group where the graph says nothing else about the term, as context (``ancestor``: "said of
calcinosis cutis, not inherited"), never as a claim about it (a drug used for calcinosis cutis is
not a treatment of every dystrophic case, but a reader asking how dystrophic calcinosis is
treated should see it). Every statement is sorted into
one group (causes, associated diseases, sites …) by its relation and the class at the other end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.answers.resolve import UnknownTerm
from calcinosis_kg.answers.show_groups import GROUPS, SCOPES, namesake_sentence
from calcinosis_kg.answers.show_reader import Reader, Support, Term, lists_holding
from calcinosis_kg.checks.inheritance import render
from calcinosis_kg.core import vocab as v
from calcinosis_kg.core.prefixes import compress, expand

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = ["GROUPS", "SCOPES", "Card", "Namesake", "Statement", "Support", "Term", "card"]


@dataclass(frozen=True)
class Statement:
    """One statement about the term (or an ancestor or subtype of it)."""

    group: str
    kind: str  # "universal" or "association"
    scope: str  # one of SCOPES
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


@dataclass(frozen=True)
class Namesake:
    """A term of the same name that is not the same term: a disease and the phenotype (finding)
    every case of it has (``disease ⊑ has phenotype some phenotype``, docs/modelling.md)."""

    other: Term
    disease: Term
    phenotype: Term
    mapping: str = ""  # the curated mapping predicate between the two, e.g. skos:relatedMatch

    def text(self) -> str:
        """The line both cards print (the same words as ``search`` and the SSSOM comment)."""
        return namesake_sentence(self.disease.text(), self.phenotype.text(), self.mapping)


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
    values: list[str] = field(default_factory=list)  # laboratory values defining it or a subtype
    reference_ranges: list[str] = field(default_factory=list)
    #: the laboratory card that lists the ranges, when this card only summarises them (a disease's
    #: card: the ranges are facts of the measurements, not of the disease); None on a lab card
    ranges_listed_on: Term | None = None
    deprecated: bool = False
    namesakes: list[Namesake] = field(default_factory=list)
    comment: str = ""
    parent_support: dict[Term, tuple[Support, ...]] = field(default_factory=dict)
    synonym_support: dict[str, tuple[Support, ...]] = field(default_factory=dict)
    mapping_predicates: dict[str, str] = field(default_factory=dict)  # xref → skos:exactMatch …
    also: list[tuple[str, tuple[Support, ...]]] = field(default_factory=list)  # other supers
    distinct: list[tuple[Term, tuple[Support, ...]]] = field(default_factory=list)  # disjoint

    def groups(self) -> dict[str, list[Statement]]:
        """Statements by group, in ``GROUPS`` order (empty groups left out)."""
        out: dict[str, list[Statement]] = {}
        for group in GROUPS:
            found = [s for s in self.statements if s.group == group]
            if found:
                out[group] = found
        return out


def card(kg: KnowledgeGraph, iri: str) -> Card:
    """The card of ``iri`` (a CURIE or IRI of a class, or of any labelled term) in ``kg``:
    everything said about it, as ``show`` prints it (``resolve`` turns a name into a CURIE).
    ``UnknownTerm`` when ``kg`` says nothing about it."""
    g = kg.graph
    node = URIRef(expand(iri))
    if (node, None, None) not in g:
        raise UnknownTerm(compress(str(node)), [])
    r = Reader(g, kg.labels)
    result = Card(term=r.term(node), deprecated=node in r.deprecated)
    definition = g.value(node, URIRef(v.IAO_DEFINITION))
    if definition is not None:
        result.definition = str(definition)
        result.definition_support = r.support(node, URIRef(v.IAO_DEFINITION), definition)

    logical = [render(g, eq) for eq in g.objects(node, OWL.equivalentClass)]
    result.logical_definition = "; ".join(sorted(logical))
    synonyms = {
        f"{str(o)} ({scope})": r.support(node, URIRef(prop), o)
        for prop, scope in v.SYNONYM_SCOPES.items()
        for o in g.objects(node, URIRef(prop))
    }
    result.synonyms = sorted(synonyms)
    result.synonym_support = {k: sup for k, sup in synonyms.items() if sup}
    result.mappings = sorted(str(o) for o in g.objects(node, URIRef(v.OIO_HAS_DBXREF)))
    result.mapping_predicates = r.mapping_predicates(node)
    result.parents = [r.term(p) for p in r.parents(node)]
    result.parent_support = {
        r.term(p): sup for p in r.parents(node) if (sup := r.support(node, RDFS.subClassOf, p))
    }
    result.comment = " ".join(sorted(str(c) for c in g.objects(node, RDFS.comment)))
    result.also = r.other_superclasses(node)
    result.distinct = [(r.term(o), sup) for o, sup in r.distinct(node)]
    ancestors = r.ancestors(node)
    result.ancestors = [r.term(a) for a in ancestors]
    subtypes = r.descendants(node)
    result.subtypes = [
        r.term(s)
        for s in sorted(subtypes, key=lambda s: (r.labels.get(str(s), "").casefold(), str(s)))
    ]
    sorter = _Sorter(r)
    statements: list[Statement] = []
    for about, scope in [
        (node, "own"),
        *((a, "inherited") for a in ancestors),
        *((s, "subtype") for s in subtypes),
    ]:
        statements += _universals(r, sorter, about, scope)
        statements += _associations(r, sorter, about, "ancestor" if scope == "inherited" else scope)
    statements += _incoming_universals(r, sorter, node)
    answered = {s.group for s in statements if s.scope != "ancestor"}
    statements = [s for s in statements if s.scope != "ancestor" or s.group not in answered]
    result.statements = sorted(
        set(statements),
        key=lambda s: (
            GROUPS.index(s.group),
            SCOPES.index(s.scope),
            s.about.label.casefold(),
            s.about.curie,
            s.kind != "universal",
            s.relation.label,
            s.subject.label.casefold(),
            s.object.label.casefold(),
            s.object.curie,
            s.support,
        ),
    )
    result.namesakes = _namesakes(r, result.statements)
    result.values = list(sorter.values(node))
    if (
        any(s.group == "laboratory profile" for s in result.statements)
        or node in sorter.lab
        or result.values
    ):
        result.reference_ranges = _reference_ranges(r)
        if node not in sorter.lab and not result.values:
            result.ranges_listed_on = r.term(URIRef(v.LABORATORY_FINDING))
    return result


class _Sorter:
    """Which group a statement goes in, from its relation and the class at the other end."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        lab_root = URIRef(v.LABORATORY_FINDING)
        lab = set(r.descendants(lab_root)) | {lab_root}
        for member in list(lab):
            lab |= set(r.ancestors(member))
        self.lab = lab - set(r.ancestors(lab_root))
        self.populations = {URIRef(v.AFFECTED_POPULATION)} | set(
            r.descendants(URIRef(v.AFFECTED_POPULATION))
        )
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
            if not outgoing and first in self.exposures:
                return "exposures"
            return "correlations" if prop == v.RO_CORRELATED_WITH else "causes"
        if not outgoing and prop in (v.RO_HAS_FEATURE, v.RO_HAS_PHENOTYPE, v.RO_HAS_PHYSICAL_BASIS):
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


def _universals(r: Reader, sorter: _Sorter, about, scope: str) -> list[Statement]:
    out = []
    about_term = r.term(about)
    axioms: list[tuple[URIRef, object, URIRef, object]] = [
        (p, f, RDFS.subClassOf, rest) for rest, p, f in r.restrictions(about)
    ]
    axioms += [(p, f, OWL.equivalentClass, eq) for _, p, f, eq in r.differentia(about)]
    for prop, filler, axiom, target in axioms:  # a definition's differentia hold of every member
        group = sorter.group(str(prop), True, filler)
        out.append(
            Statement(
                group=group,
                kind="universal",
                scope=scope,
                subject=about_term,
                relation=r.term(prop),
                object=r.term(filler),
                about=about_term,
                values=sorter.values(filler) if group == "laboratory profile" else (),
                support=r.support(about, axiom, target),
            )
        )
    return out


def _incoming_universals(r: Reader, sorter: _Sorter, node) -> list[Statement]:
    """``X ⊑ R some node`` (or ``some (node or …)``) for named X: statements of others about it."""
    out = []
    g = r.g
    about = r.term(node)
    for restriction in set(g.subjects(OWL.someValuesFrom, node)) | {
        rest
        for head in lists_holding(g, node)
        for union in g.subjects(OWL.unionOf, head)
        for rest in g.subjects(OWL.someValuesFrom, union)
    }:
        prop = g.value(restriction, OWL.onProperty)
        for subject in g.subjects(RDFS.subClassOf, restriction):
            if isinstance(subject, URIRef) and isinstance(prop, URIRef):
                filler = g.value(restriction, OWL.someValuesFrom)
                out.append(
                    Statement(
                        group=sorter.group(str(prop), False, subject),
                        kind="universal",
                        scope="own",
                        subject=r.term(subject),
                        relation=r.term(prop),
                        object=r.term(filler),
                        about=about,
                        support=r.support(subject, RDFS.subClassOf, restriction),
                    )
                )
    return out


def _associations(r: Reader, sorter: _Sorter, about, scope: str) -> list[Statement]:
    g = r.g
    out = []
    about_term = r.term(about)
    records = [(rec, True) for rec in g.subjects(URIRef(v.BIOLINK_SUBJECT), about)] + [
        (rec, False) for rec in g.subjects(URIRef(v.BIOLINK_OBJECT), about)
    ]
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
            return (
                str(value)
                if isinstance(value, Literal)
                else r.labels.get(str(value), compress(str(value)))
            )

        out.append(
            Statement(
                group=group,
                kind="association",
                scope=scope,
                subject=r.term(subject),
                relation=r.term(prop),
                object=r.term(obj),
                about=about_term,
                frequency=label_of(v.BIOLINK_FREQUENCY_QUALIFIER),
                wording=label_of(v.FREQUENCY_WORDING),
                efficacy=label_of(v.EFFICACY_QUALIFIER),
                letter=label_of(v.ACRONYM_LETTER),
                knowledge_level=label_of(v.BIOLINK_KNOWLEDGE_LEVEL),
                values=sorter.values(obj) if group == "laboratory profile" else (),
                support=tuple(sorted(r.sentences(record), key=lambda s: (s.source, s.quote))),
            )
        )
    return out


def _namesakes(r: Reader, statements: list[Statement]) -> list[Namesake]:
    """The term's own ``has phenotype`` universals whose two ends have the same name."""
    out = []
    for s in statements:
        if (
            s.scope != "own"
            or s.kind != "universal"
            or s.relation.curie != "RO:0002200"
            or s.subject.label.casefold() != s.object.label.casefold()
        ):
            continue
        other = s.object if s.subject == s.about else s.subject
        mapping = r.mapping_predicates(URIRef(expand(s.subject.curie))).get(s.object.curie, "")
        out.append(Namesake(other, s.subject, s.object, mapping))
    return sorted(set(out), key=lambda n: n.other.curie)


def _reference_ranges(r: Reader) -> list[str]:
    """Every reference range individual: ``label: lower–upper unit`` with its source."""
    g = r.g
    out = []
    for individual in sorted(set(g.subjects(URIRef(v.LOWER_REFERENCE_LIMIT), None)), key=str):
        lower = g.value(individual, URIRef(v.LOWER_REFERENCE_LIMIT))
        upper = g.value(individual, URIRef(v.UPPER_REFERENCE_LIMIT))
        unit = g.value(individual, URIRef(v.HAS_UNIT))
        label = r.labels.get(str(individual), compress(str(individual)))
        sources = {s.source for s in r.support(individual, URIRef(v.LOWER_REFERENCE_LIMIT), lower)}
        where = f" ({', '.join(sorted(sources))})" if sources else ""
        out.append(f"{label}: {lower}–{upper} {unit or ''}".rstrip() + where)
    return out
