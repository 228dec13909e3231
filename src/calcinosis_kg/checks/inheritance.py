"""Inheritance audit: every universal statement of every class, and where it comes from.

A universal statement is ``C SubClassOf R some F`` (or ``R only F``, ``R value i``), asserted on
C or on a named ancestor of C (asserted ``rdfs:subClassOf`` chains, named genus classes of an
``owl:equivalentClass`` intersection, the import module's parents). Everything C inherits is
claimed of every member of C, so each row is reviewed by hand in
``ontology/reviewed_inheritance.tsv`` (the ``review`` column says why the statement holds of
every member of the class). ``tests/test_inheritance_review.py`` recomputes the rows from a fresh
build and compares them with the reviewed file: any new universal statement, or a new class
inheriting one, shows up as a diff that must be reviewed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.source.build import build

COLUMNS = (
    "class",
    "class_label",
    "property",
    "filler",
    "stated_on",
    "stated_on_label",
    "how",
    "review",
)
KEY_COLUMNS = COLUMNS[:7]


@dataclass(frozen=True)
class Row:
    """One restriction a class carries, stated on itself (``own``) or on an ancestor
    (``inherited``): a row of the reviewed inheritance audit."""

    cls: str
    cls_label: str
    prop: str
    filler: str
    stated_on: str
    stated_on_label: str
    how: str  # "own" or "inherited"

    def key(self) -> tuple[str, ...]:
        """The columns that identify the row when it is matched against its review."""
        return (
            self.cls,
            self.cls_label,
            self.prop,
            self.filler,
            self.stated_on,
            self.stated_on_label,
            self.how,
        )


def _curie(node) -> str:
    return compress(str(node))


def render(g: Graph, node) -> str:
    """A class expression as Manchester-like text with CURIEs."""
    if isinstance(node, URIRef):
        return _curie(node)
    for op, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        head = g.value(node, op)
        if head is not None:
            return "(" + word.join(render(g, m) for m in Collection(g, head)) + ")"
    datatype = g.value(node, OWL.onDatatype)
    if datatype is not None:
        symbols = {
            "minInclusive": ">=",
            "maxInclusive": "<=",
            "minExclusive": ">",
            "maxExclusive": "<",
        }
        facets = []
        head = g.value(node, OWL.withRestrictions)
        for facet in Collection(g, head) if head is not None else []:
            for pred, value in g.predicate_objects(facet):
                name = str(pred).rsplit("#", 1)[-1]
                facets.append(f"{symbols.get(name, name)} {value}")
        return f"{_curie(datatype)}[{', '.join(sorted(facets))}]"
    complement = g.value(node, OWL.complementOf)
    if complement is not None:
        return f"(not {render(g, complement)})"
    prop = g.value(node, OWL.onProperty)
    if prop is not None:
        shown = render_property(g, prop)
        for pred, word in (
            (OWL.someValuesFrom, "some"),
            (OWL.allValuesFrom, "only"),
            (OWL.hasValue, "value"),
        ):
            value = g.value(node, pred)
            if value is not None:
                return f"({shown} {word} {render(g, value)})"
    return "(?)"


def render_property(g: Graph, prop) -> str:
    """A property as a CURIE, or ``inverse(CURIE)`` for an anonymous inverse."""
    inverse = g.value(prop, OWL.inverseOf) if isinstance(prop, BNode) else None
    return f"inverse({_curie(inverse)})" if inverse is not None else _curie(prop)


def _restriction_parts(g: Graph, node) -> tuple[str, str] | None:
    prop = g.value(node, OWL.onProperty)
    if prop is None:
        return None
    for pred, word in (
        (OWL.someValuesFrom, "some"),
        (OWL.allValuesFrom, "only"),
        (OWL.hasValue, "value"),
    ):
        value = g.value(node, pred)
        if value is not None:
            shown = render(g, value)
            return render_property(g, prop), (shown if word == "some" else f"{word} {shown}")
    return None


def _told(g: Graph, cls: URIRef) -> tuple[list[URIRef], list[tuple[str, str]]]:
    """Named parents and own universal statements (property, filler) of ``cls``."""
    parents: list[URIRef] = []
    statements: list[tuple[str, str]] = []
    supers = list(g.objects(cls, RDFS.subClassOf))
    for eq in g.objects(cls, OWL.equivalentClass):
        head = g.value(eq, OWL.intersectionOf)
        supers += list(Collection(g, head)) if head is not None else [eq]
    for sup in supers:
        if isinstance(sup, URIRef):
            if sup != OWL.Thing:
                parents.append(sup)
        else:
            parts = _restriction_parts(g, sup)
            if parts:
                statements.append(parts)
    return parents, statements


def rows(g: Graph) -> list[Row]:
    """Every universal statement of every named, non-deprecated class (own and inherited)."""
    labels = {s: str(o) for s, o in g.subject_objects(RDFS.label)}
    classes = sorted(
        {c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
        - set(g.subjects(OWL.deprecated, None)),
        key=str,
    )
    told = functools.cache(lambda node: _told(g, node))  # each class read once, not per heir
    out: set[Row] = set()
    for cls in classes:
        for node in [cls, *closure(cls, lambda n: told(n)[0])]:
            for prop, filler in told(node)[1]:
                out.add(
                    Row(
                        _curie(cls),
                        labels.get(cls, ""),
                        prop,
                        filler,
                        _curie(node),
                        labels.get(node, ""),
                        "own" if node == cls else "inherited",
                    )
                )
    return sorted(out, key=lambda r: (r.cls, r.how != "own", r.stated_on, r.prop, r.filler))


def current_rows() -> list[Row]:
    """Rows of a fresh build of the bundled source (ontology + import module)."""

    result = build()
    return rows(result.ontology + result.imports)
