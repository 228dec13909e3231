"""Release notes: what changed between two versions of the ontology, as Markdown.

Compared per named class (declared ``owl:Class`` or the subject of a class axiom): its label,
definition, mappings (xrefs with their SSSOM predicate, ``skos:*Match``) and its relationship
axioms (``subClassOf``, ``equivalentClass``, ``disjointWith``), each class expression rendered
in Manchester-like text so that blank-node labels, which differ between files, never show up as
changes. Axiom annotations (supporting quotes) are not compared: a reworded quote is not a
change of meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core import expressions
from calcinosis_kg.core.vocab import (
    IAO_DEFINITION,
    OIO_HAS_DBXREF,
    SKOS_MATCHES,
    SSSOM_PREDICATE_ID,
)
from calcinosis_kg.graph.knowledge import label_of, parse_rdflib
from calcinosis_kg.publish.axioms import axiom_index, curie

if TYPE_CHECKING:
    from rdflib import Graph

OWN_PREFIX = "CCKG"
MATCHES = tuple(SKOS_MATCHES.values())


@dataclass
class ClassState:
    """What the release notes compare about one class in one version."""

    label: str | None = None
    definition: str | None = None
    mappings: set[str] = field(default_factory=set)
    axioms: dict[str, str] = field(default_factory=dict)  # compared text -> text with labels


@dataclass
class ClassChange:
    """A class present in both versions, with each difference as a line of the release notes."""

    iri: str
    label: str
    changes: list[str] = field(default_factory=list)


@dataclass
class OntologyDiff:
    """Added, removed and changed classes between an old and a new version."""

    old_version: str
    new_version: str
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ClassChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """True when nothing changed (the release notes say so instead of listing nothing)."""
        return not (self.added or self.removed or self.changed)


def _load(path: Path) -> Graph:
    return parse_rdflib(Path(path))


def render(graph: Graph, node: object, labels: bool = False) -> str:
    """Manchester-like text of a class expression (CURIEs; blank nodes spelled out).

    With ``labels`` every named term is followed by its label, for readers; comparisons use the
    plain form so that a relabelled term does not look like a changed axiom.
    """
    from rdflib import URIRef

    name = (
        expressions.with_labels(lambda iri: label_of(graph, URIRef(iri)))
        if labels
        else expressions.curie
    )
    return expressions.render(expressions.RdflibSource(graph), node, name)


def class_states(graph: Graph) -> dict[str, ClassState]:
    """Per named class: label, definition, mappings and rendered relationship axioms."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    index = axiom_index(graph)
    classes = {s for s in graph.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    classes |= {
        s
        for p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith)
        for s in graph.subjects(p, None)
        if isinstance(s, URIRef)
    }
    states: dict[str, ClassState] = {}
    for cls in classes:
        state = ClassState()
        state.label = label_of(graph, cls)
        definitions = sorted(str(o) for o in graph.objects(cls, URIRef(IAO_DEFINITION)))
        state.definition = definitions[0] if definitions else None
        for xref in graph.objects(cls, URIRef(OIO_HAS_DBXREF)):
            predicates = sorted(
                curie(p)
                for a in index.get((cls, URIRef(OIO_HAS_DBXREF), xref), [])
                for p in graph.objects(a, URIRef(SSSOM_PREDICATE_ID))
            )
            state.mappings.add(f"{'/'.join(predicates) or 'xref'} {xref}")
        for match in MATCHES:
            for target in graph.objects(cls, URIRef(match)):
                state.mappings.add(f"{curie(match)} {curie(target)}")
        for pred, word in (
            (RDFS.subClassOf, "SubClassOf"),
            (OWL.equivalentClass, "EquivalentTo"),
            (OWL.disjointWith, "DisjointWith"),
        ):
            for target in graph.objects(cls, pred):
                state.axioms[f"{word} {render(graph, target)}"] = (
                    f"{word} {render(graph, target, labels=True)}"
                )
        states[str(cls)] = state
    return states


def _version(graph: Graph, fallback: str) -> str:
    from rdflib.namespace import OWL, RDF

    for head in sorted(graph.subjects(RDF.type, OWL.Ontology), key=str):
        version = graph.value(head, OWL.versionInfo) or graph.value(head, OWL.versionIRI)
        if version is not None:
            return str(version)
    return fallback


def diff_graphs(
    old: Graph, new: Graph, old_name: str = "old", new_name: str = "new"
) -> OntologyDiff:
    """Compare two versions class by class."""

    before, after = class_states(old), class_states(new)
    result = OntologyDiff(_version(old, old_name), _version(new, new_name))
    for iri in sorted(set(after) - set(before), key=curie):
        result.added.append((curie(iri), after[iri].label or ""))
    for iri in sorted(set(before) - set(after), key=curie):
        result.removed.append((curie(iri), before[iri].label or ""))
    for iri in sorted(set(before) & set(after), key=curie):
        a, b = before[iri], after[iri]
        change = ClassChange(curie(iri), b.label or a.label or "")
        if a.label != b.label:
            change.changes.append(f"label: {_quote(a.label)} → {_quote(b.label)}")
        if a.definition != b.definition:
            if a.definition is None:
                change.changes.append(f"definition added: {_quote(b.definition)}")
            elif b.definition is None:
                change.changes.append(f"definition removed: {_quote(a.definition)}")
            else:
                change.changes.append(
                    f"definition: {_quote(a.definition)} → {_quote(b.definition)}"
                )
        change.changes += [f"mapping added: {m}" for m in sorted(b.mappings - a.mappings)]
        change.changes += [f"mapping removed: {m}" for m in sorted(a.mappings - b.mappings)]
        change.changes += [
            f"axiom added: {b.axioms[x]}" for x in sorted(b.axioms.keys() - a.axioms.keys())
        ]
        change.changes += [
            f"axiom removed: {a.axioms[x]}" for x in sorted(a.axioms.keys() - b.axioms.keys())
        ]
        if change.changes:
            result.changed.append(change)
    return result


def _quote(text: str | None) -> str:
    return "(none)" if text is None else f"“{text}”"


def to_markdown(diff: OntologyDiff) -> str:
    """Release notes in Markdown."""
    lines = [f"# calcinosis-kg release notes: {diff.old_version} → {diff.new_version}", ""]
    lines.append(
        f"{len(diff.added)} class(es) added, {len(diff.removed)} removed, "
        f"{len(diff.changed)} changed."
    )
    if diff.empty:
        lines += ["", "No changes to classes, labels, definitions, mappings or axioms."]
    for title, entries in (("Added classes", diff.added), ("Removed classes", diff.removed)):
        own = [e for e in entries if e[0].startswith(OWN_PREFIX + ":")]
        external = [e for e in entries if not e[0].startswith(OWN_PREFIX + ":")]
        for heading, items in ((title, own), (f"{title}: external terms", external)):
            if items:
                lines += ["", f"## {heading}", ""]
                lines += [f"- {iri} {label}".rstrip() for iri, label in items]
    if diff.changed:
        lines += ["", "## Changed classes"]
        for change in diff.changed:
            lines += ["", f"### {change.iri} {change.label}".rstrip(), ""]
            lines += [f"- {text}" for text in change.changes]
    return "\n".join(lines) + "\n"


def diff_files(old: Path | str, new: Path | str) -> OntologyDiff:
    """Compare two ontology files (Turtle, RDF/XML, N-Triples or JSON-LD)."""
    return diff_graphs(_load(Path(old)), _load(Path(new)), Path(old).name, Path(new).name)
