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

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core import expressions
from calcinosis_kg.core.expressions import RdflibSource
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
    """A class expression as the source writes it (``core.expressions``' written style)."""
    return expressions.render(RdflibSource(g), node, written=True)


def _restriction_parts(g: Graph, node) -> tuple[str, str] | None:
    expr = expressions.parse(RdflibSource(g), node)
    if expr.kind not in ("some", "only", "value"):
        return None
    shown = expressions.to_text(expr.items[0], written=True)
    prop = expressions.written_property(expr.prop)
    return prop, (shown if expr.kind == "some" else f"{expr.kind} {shown}")


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
