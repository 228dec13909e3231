"""Compile the ontology's case criteria (defined classes) into column expressions, once.

Why a compiler and not Python rules: the criteria ARE the ontology's ``owl:equivalentClass``
axioms over the case model (CCKG:0000720-0000727), so HermiT and this fast path must give the same
types (tests/test_cases_hermit.py proves it on samples). Compilation reads each criterion's
definition and the class hierarchy once, and produces a small engine-neutral tree (``Node``):
``has_any(column, classes)``, ``flag``, ``compare``, ``is_in``, ``and``/``or``. Two backends
(``cases.nodes``) turn the tree into polars expressions (used here) or a Spark/ANSI SQL string (the
same rule on a cluster). Named fillers become the set of their told subclasses (including members of unions and
defined classes), so a case listing ``MONDO:0019563`` CREST syndrome satisfies
``has condition some (MONDO:0005100 or …)`` (CCKG:0000706). A construct the compiler does not
know raises, never guesses.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.nodes import FALSE, TRUE, Node
from calcinosis_kg.cases.nodes import to_polars as to_polars  # the backends, re-exported
from calcinosis_kg.cases.nodes import to_sql as to_sql
from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.core.expressions import Expr, StoreSource, parse
from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.resources import source_dir
from calcinosis_kg.core.vocab import OWL_EQUIVALENT_CLASS as OWL_EQUIVALENT
from calcinosis_kg.core.vocab import OWL_NOTHING as NOTHING
from calcinosis_kg.core.vocab import RDFS_SUBCLASS_OF as RDFS_SUBCLASS
from calcinosis_kg.graph.knowledge import labels_of
from calcinosis_kg.source.facts import load_facts

#: object property -> (column, kind): "list" of class CURIEs, "finding" (status + value), "scalar"
SLOTS: dict[str, tuple[str, str]] = {
    m.P_CONDITION: ("conditions", "list"),
    m.P_EXPOSURE: ("exposures", "list"),
    m.P_SITE: ("sites", "list"),
    m.P_FEATURE: ("features", "list"),
    m.P_HISTOLOGY: ("histology", "list"),
    m.P_TREATMENT: ("treatments", "list"),
    m.P_CALCIUM: ("calcium", "finding"),
    m.P_PHOSPHATE: ("phosphate", "finding"),
    m.P_ORGANISM: ("taxon", "scalar"),
}
#: the finding nodes a row holds per property: (judged value column, its data property, prefix
#: of the status and range columns). A total calcium is judged on its albumin-adjusted value
#: when albumin is recorded (``calcium_judged_mmol_l``); see ``triples.FINDINGS``.
FINDING_VIEWS: dict[str, tuple[tuple[str, str, str], ...]] = {
    m.P_CALCIUM: (
        ("calcium_judged_mmol_l", m.P_CALCIUM_MMOL, "calcium"),
        ("ionised_calcium_mmol_l", m.P_IONISED_MMOL, "ionised_calcium"),
    ),
    m.P_PHOSPHATE: (("phosphate_mmol_l", m.P_PHOSPHATE_MMOL, "phosphate"),),
}
CLOSURE = {m.P_CONDITION: "no_conditions", m.P_EXPOSURE: "no_exposures"}
OPS = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}


class CompileError(CalcinosisKGError, ValueError):
    """A criterion uses a construct the fast path cannot translate (a ``ValueError`` too, as
    before; a ``CalcinosisKGError`` so the CLI reports it as one line, exit 2)."""


def _and(items: list[Node]) -> Node:
    if any(i.op == "false" for i in items):
        return FALSE
    flat: list[Node] = []
    for item in items:
        if item.op == "and":
            flat.extend(item.items)
        elif item.op != "true":
            flat.append(item)
    return TRUE if not flat else flat[0] if len(flat) == 1 else Node("and", items=tuple(flat))


def _or(items: list[Node]) -> Node:
    if any(i.op == "true" for i in items):
        return TRUE
    items = [i for i in items if i.op != "false"]
    return FALSE if not items else items[0] if len(items) == 1 else Node("or", items=tuple(items))


@dataclass
class Criterion:
    """One ontology criterion for a calcinosis type, compiled to a ``Node`` over the wide row,
    with the sentences that support it."""

    iri: str
    label: str
    type_iri: str
    node: Node
    texts: list[str] = field(default_factory=list)  # supporting sentences "text [source]"


@dataclass
class Ontology:
    """What compilation needs from the ontology: definitions, told hierarchy, labels."""

    definitions: dict[str, Expr]
    parents: dict[str, set[str]]
    labels: dict[str, str]
    type_of: dict[str, str]  # criterion -> calcinosis type
    texts: dict[str, list[str]]

    def ancestors(self, iri: str) -> set[str]:
        """``iri`` and its told ancestors."""
        return {iri, *closure(iri, lambda n: self.parents.get(n, ()))}

    def descendants(self, iri: str) -> set[str]:
        """``iri`` and every class whose told ancestors include it."""
        return {iri} | {c for c in self._all() if iri in self.ancestors(c)}

    def _all(self) -> set[str]:
        cached = getattr(self, "_classes", None)
        if cached is None:
            cached = set(self.parents) | {p for ps in self.parents.values() for p in ps}
            self._classes = cached
        return cached


def read_ontology(store: Any) -> Ontology:
    """Definitions, told subclass edges (with union/intersection members) and provenance."""
    import pyoxigraph as ox

    source = StoreSource(store)
    parents: dict[str, set[str]] = defaultdict(set)
    definitions: dict[str, Expr] = {}
    type_of: dict[str, str] = {}
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDFS_SUBCLASS), None):
        if not isinstance(quad.subject, ox.NamedNode):
            continue
        sub = quad.subject.value
        if isinstance(quad.object, ox.NamedNode):
            parents[sub].add(quad.object.value)
            continue
        expr = parse(source, quad.object)
        if expr.kind == "some" and expr.prop == m.P_TYPE and expr.items[0].kind == "named":
            type_of[sub] = expr.items[0].iri
    for quad in store.quads_for_pattern(None, ox.NamedNode(OWL_EQUIVALENT), None):
        if not isinstance(quad.subject, ox.NamedNode):
            continue
        sub, expr = quad.subject.value, parse(source, quad.object)
        if expr.kind == "named":
            parents[sub].add(expr.iri)
            parents[expr.iri].add(sub)
            continue
        definitions[sub] = expr
        if expr.kind == "or":  # every named member of a union is a subclass of it
            for item in expr.items:
                if item.kind == "named":
                    parents[item.iri].add(sub)
        if expr.kind == "and":
            parents[sub].update(i.iri for i in expr.items if i.kind == "named")
    return Ontology(
        definitions, dict(parents), labels_of(store), type_of, _provenance(store, set(type_of))
    )


def quote_sources() -> dict[str, str]:
    """Verbatim quote -> its sources ("article", "PMID:…") from the fact ledger: an axiom with
    several facts carries several quotes and sources, which RDF alone cannot pair again."""

    names: dict[str, set[str]] = defaultdict(set)
    for fact in load_facts(source_dir() / "facts.tsv").values():
        names[fact.quote].add("article" if fact.source == "ARTICLE" else fact.source)
    return {quote: ", ".join(sorted(srcs)) for quote, srcs in names.items()}


def cited(text: str, sources: dict[str, str]) -> str:
    """A supporting sentence followed by its source(s) in brackets, when the ledger knows it."""
    return f"{text} [{sources[text]}]" if text in sources else text


def _provenance(store: Any, criteria: set[str]) -> dict[str, list[str]]:
    query = """
    PREFIX owl: <http://www.w3.org/2002/07/owl#>
    SELECT ?c ?text WHERE {
      ?ax owl:annotatedSource ?c ; owl:annotatedProperty ?p ;
          <https://w3id.org/biolink/vocab/supporting_text> ?text .
      FILTER(?p IN (owl:equivalentClass, <http://www.w3.org/2000/01/rdf-schema#subClassOf>))
    }"""
    sources = quote_sources()
    out: dict[str, set[str]] = defaultdict(set)
    for row in store.query(query):
        if row["c"].value in criteria:
            out[row["c"].value].add(cited(row["text"].value, sources))
    return {k: sorted(v) for k, v in out.items()}


class Compiler:
    """Turns class expressions about a case into ``Node`` trees."""

    def __init__(self, onto: Ontology) -> None:
        self.onto = onto

    def members(self, expr: Expr) -> set[str]:
        """Named classes whose instances are instances of ``expr`` (told closure)."""
        if expr.kind == "named":
            return self.onto.descendants(expr.iri)
        if expr.kind == "or":
            return set().union(*(self.members(i) for i in expr.items))
        raise CompileError(f"filler {expr.kind!r} is not supported in a list slot")

    def case(self, expr: Expr) -> Node:
        """The condition on one case row that ``expr`` (part of a criterion's definition) states;
        what cannot be translated is a ``CompileError``, never a silent false."""
        if expr.kind == "named":
            if expr.iri == m.CASE_RECORD or expr.iri in self.onto.ancestors(m.CASE_RECORD):
                return TRUE
            if expr.iri in self.onto.definitions:
                return self.case(self.onto.definitions[expr.iri])
            return FALSE
        if expr.kind in ("and", "or"):
            parts = [self.case(i) for i in expr.items]
            return _and(parts) if expr.kind == "and" else _or(parts)
        if (
            expr.kind == "only"
            and expr.items[0].kind == "named"
            and expr.items[0].iri == NOTHING
            and expr.prop in CLOSURE
        ):
            return Node("flag", column=CLOSURE[expr.prop])
        if expr.kind == "some" and expr.prop in SLOTS:
            return self.slot(expr.prop, expr.items[0])
        raise CompileError(f"case expression {expr.kind!r} on {expr.prop!r} is not supported")

    def slot(self, prop: str, filler: Expr) -> Node:
        """``prop some filler`` on a column: any of a list column's values, a scalar in the set, or
        a lab finding."""
        column, kind = SLOTS[prop]
        if kind == "list":
            return Node(
                "has_any",
                column=column,
                values=tuple(sorted(m.compress(c) for c in self.members(filler))),
            )
        if kind == "scalar":
            return Node(
                "is_in",
                column=column,
                values=tuple(sorted(m.compress(c) for c in self.members(filler))),
            )
        return self.finding(prop, filler)

    def finding(self, prop: str, filler: Expr) -> Node:
        """Some finding of the row (a view) is in ``filler``: by its asserted status class,
        or by a defined class over its value and the range that judged it."""
        members = self.members(filler)
        options = []
        for value_col, value_prop, judged in FINDING_VIEWS[prop]:
            status_col = f"{judged}_status"
            statuses = [s for s, c in m.STATUS_TYPES[judged].items() if c in members]
            if statuses:
                options.append(Node("is_in", column=status_col, values=tuple(statuses)))
            if m.LAB_FINDING in members:
                options.append(
                    _or([Node("not_null", column=value_col), Node("not_null", column=status_col)])
                )
            for cls in sorted(members):
                definition = self.onto.definitions.get(cls)
                if definition is not None and definition.kind == "and":
                    options.append(
                        self.finding_definition(value_col, value_prop, judged, definition)
                    )
        return _or(options)

    def finding_definition(self, value_col: str, value_prop: str, judged: str, expr: Expr) -> Node:
        """A defined lab-finding class as a condition: its range (``judged_range``) and the
        bounds of its datatype restriction on ``value_col``."""
        parts = []
        for item in expr.items:
            if item.kind == "named":
                parts.append(TRUE if item.iri in self.onto.ancestors(m.LAB_FINDING) else FALSE)
            elif item.kind == "value" and item.prop == m.P_RANGE:
                parts.append(
                    Node("is_in", column=f"{judged}_range", values=(m.compress(item.items[0].iri),))
                )
            elif item.kind == "some" and item.items[0].kind == "datarange":
                if item.prop != value_prop:
                    parts.append(FALSE)
                    continue
                bounds = [
                    Node("compare", column=value_col, cmp=OPS[name], number=float(lit.value))
                    for name, lit in item.items[0].facets
                ]
                parts.append(_and([Node("not_null", column=value_col), *bounds]))
            else:
                raise CompileError(f"finding definition part {item.kind!r} is not supported")
        return _and(parts)


def compile_criteria(onto: Ontology) -> list[Criterion]:
    """Every criterion (a class implying 'has calcinosis cutis type some T'), compiled."""
    compiler = Compiler(onto)
    out = []
    for iri in sorted(onto.type_of):
        definition = onto.definitions.get(iri)
        if definition is None:
            raise CompileError(f"criterion {m.compress(iri)} has no equivalentClass definition")
        out.append(
            Criterion(
                iri,
                onto.labels.get(iri, m.compress(iri)),
                onto.type_of[iri],
                compiler.case(definition),
                onto.texts.get(iri, []),
            )
        )
    return out
