"""OWL class expressions as a small typed tree, and as Manchester-like text.

One reader and one renderer for every stage that has to show a blank-node class expression
(QC report cells, release-notes diffs, documentation pages, reasoner explanations), so that
``RO:0004026 some (UBERON:0002097 or UBERON:0002072)`` reads the same everywhere and a random
blank-node label never reaches a user.

The tree is read through a two-method ``Source`` (``objects`` and ``term``), so the same parser
serves an rdflib Graph (``RdflibSource``), a pyoxigraph Store (``StoreSource``) or any
dictionary-backed view (``checks.explain.Axioms``). Heavy libraries are imported lazily.

Rendering rules (one choice for all callers):

- operands of ``and``/``or``/``{…}`` are sorted (named terms first, then by text): the
  constructs are unordered, and a canonical text lets ``diff`` compare axioms across files;
- a nested operand is parenthesised when it is itself an ``and``/``or``/``not`` or a restriction;
- a datatype restriction is ``xsd:decimal[> 2.6, <= 3.5]`` (lower bounds before upper bounds);
- an inverse property is ``inverse RO:0002200``; cardinalities are ``p min 2 C``;
- literals are Manchester-style: numbers and booleans bare, anything else in double quotes;
- named terms go through ``name`` (default: the CURIE); ``with_labels`` gives ``CURIE “label”``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.core.vocab import OWL, RDF, RDF_NIL, XSD

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

MAX_DEPTH = 12

#: Restriction properties, in the order they are tried, and their Manchester keyword.
QUANTIFIERS = (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"))
CARDINALITIES = (
    ("minQualifiedCardinality", "min"),
    ("maxQualifiedCardinality", "max"),
    ("qualifiedCardinality", "exactly"),
    ("minCardinality", "min"),
    ("maxCardinality", "max"),
    ("cardinality", "exactly"),
)
#: Facet local name -> Manchester symbol; bounds are listed lower first, then upper.
FACETS = {"minInclusive": ">=", "minExclusive": ">", "maxInclusive": "<=", "maxExclusive": "<"}
BARE_LITERALS = {
    XSD + n
    for n in (
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
    )
}
COMPOUND = frozenset(
    {"and", "or", "not", "some", "only", "value", "min", "max", "exactly", "self", "other"}
)


class Term(NamedTuple):
    """An RDF term reduced to what the parser needs."""

    kind: str  # iri | blank | literal
    value: str  # IRI, blank-node id or lexical form
    datatype: str = ""  # literals only


class Source(Protocol):
    """Read access to a graph: the objects of (subject, predicate IRI) and what a node is."""

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        """The nodes ``o`` of every triple ``(subject, predicate, o)``, in the store's order."""
        ...

    def term(self, node: Any) -> Term:
        """What ``node`` is (IRI, blank node or literal), in the library's own node type."""
        ...


class RdflibSource:
    """``Source`` over an rdflib Graph."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        """``Source.objects`` over the rdflib graph (the predicate becomes a ``URIRef``)."""
        from rdflib import URIRef

        return list(self.graph.objects(subject, URIRef(predicate)))

    def term(self, node: Any) -> Term:
        """``Source.term`` of an rdflib node."""
        from rdflib import BNode, Literal

        if isinstance(node, Literal):
            return Term("literal", str(node), str(node.datatype or ""))
        if isinstance(node, BNode):
            return Term("blank", str(node))
        return Term("iri", str(node))


class StoreSource:
    """``Source`` over a pyoxigraph Store (default graph)."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        self._predicates: dict[str, Any] = {}

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        """``Source.objects`` in the default graph (predicate nodes built once and kept)."""
        import pyoxigraph

        node = self._predicates.get(predicate)
        if node is None:
            node = self._predicates[predicate] = pyoxigraph.NamedNode(predicate)
        return [q.object for q in self.store.quads_for_pattern(subject, node, None)]

    def term(self, node: Any) -> Term:
        """``Source.term`` of a pyoxigraph node (a language-tagged literal keeps no datatype)."""
        import pyoxigraph

        if isinstance(node, pyoxigraph.Literal):
            return Term("literal", node.value, "" if node.language else node.datatype.value)
        if isinstance(node, pyoxigraph.BlankNode):
            return Term("blank", node.value)
        return Term("iri", node.value)


@dataclass(frozen=True)
class Expr:
    """A class expression (or data range, or literal) read from the graph.

    ``kind``: named | literal | and | or | oneof | not | some | only | value | min | max |
    exactly | self | datarange | other. ``prop`` is the restriction's property (``^IRI`` for
    ``owl:inverseOf IRI``, "" when unnamed); ``items`` the operands or the filler; ``value`` a
    literal's lexical form or a cardinality; ``iri`` a named term, a datarange's base datatype or
    a literal's datatype; ``facets`` a datarange's (facet, literal) pairs.
    """

    kind: str
    iri: str = ""
    prop: str = ""
    items: tuple[Expr, ...] = ()
    value: str = ""
    facets: tuple[tuple[str, Expr], ...] = ()

    def named(self) -> list[str]:
        """Named terms mentioned (not properties), in reading order (links, diagram nodes)."""
        own = [self.iri] if self.kind == "named" else []
        return own + [iri for item in self.items for iri in item.named()]


def rdf_list(source: Source, head: Any) -> list[Any]:
    """Members of an RDF list (stops at rdf:nil, a missing rest, or a cycle)."""
    items: list[Any] = []
    seen: set[Any] = set()
    node = head
    while node is not None and node not in seen:
        term = source.term(node)
        if term.kind == "iri" and term.value == RDF_NIL:
            break
        seen.add(node)
        items += source.objects(node, RDF + "first")
        rest = source.objects(node, RDF + "rest")
        node = rest[0] if rest else None
    return items


def property_id(source: Source, node: Any) -> str:
    """A property's IRI, ``^IRI`` for ``[ owl:inverseOf IRI ]``, or "" for anything else."""
    term = source.term(node)
    if term.kind == "iri":
        return term.value
    if term.kind == "blank":
        inverse = source.objects(node, OWL + "inverseOf")
        if inverse and source.term(inverse[0]).kind == "iri":
            return "^" + source.term(inverse[0]).value
    return ""


def parse(source: Source, node: Any, depth: int = 0) -> Expr:
    """The expression rooted at ``node`` (a named term, a literal or a blank node)."""
    term = source.term(node)
    if term.kind == "iri":
        return Expr("named", iri=term.value)
    if term.kind == "literal":
        return Expr("literal", iri=term.datatype, value=term.value)
    if depth > MAX_DEPTH:
        return Expr("other")
    sub = depth + 1
    for key, kind in (("intersectionOf", "and"), ("unionOf", "or"), ("oneOf", "oneof")):
        heads = source.objects(node, OWL + key)
        if heads:
            return Expr(
                kind, items=tuple(parse(source, m, sub) for m in rdf_list(source, heads[0]))
            )
    complement = source.objects(node, OWL + "complementOf") or source.objects(
        node, OWL + "datatypeComplementOf"
    )
    if complement:
        return Expr("not", items=(parse(source, complement[0], sub),))
    datatypes = source.objects(node, OWL + "onDatatype")
    if datatypes:
        facets = []
        for head in source.objects(node, OWL + "withRestrictions"):
            for facet in rdf_list(source, head):
                for name in FACETS:
                    facets += [
                        (name, parse(source, v, sub)) for v in source.objects(facet, XSD + name)
                    ]
        order = list(FACETS)
        facets.sort(key=lambda f: (order.index(f[0]), f[1].value))
        return Expr("datarange", iri=source.term(datatypes[0]).value, facets=tuple(facets))
    props = source.objects(node, OWL + "onProperty")
    if not props:
        return Expr("other")
    prop = property_id(source, props[0])
    for key, kind in QUANTIFIERS:
        fillers = source.objects(node, OWL + key)
        if fillers:
            return Expr(kind, prop=prop, items=(parse(source, fillers[0], sub),))
    for key, kind in CARDINALITIES:
        numbers = source.objects(node, OWL + key)
        if numbers:
            classes = source.objects(node, OWL + "onClass") or source.objects(
                node, OWL + "onDataRange"
            )
            items = (parse(source, classes[0], sub),) if classes else ()
            return Expr(kind, prop=prop, value=source.term(numbers[0]).value, items=items)
    if source.objects(node, OWL + "hasSelf"):
        return Expr("self", prop=prop)
    return Expr("other", prop=prop)


def literal_text(value: str, datatype: str = "") -> str:
    """Manchester-style literal: numbers and booleans bare, anything else double-quoted.

    >>> print(literal_text("2.6", XSD + "decimal"), literal_text('says "no"'))
    2.6 "says \\"no\\""
    """
    return value if datatype in BARE_LITERALS else json.dumps(value, ensure_ascii=False)


def curie(iri: object) -> str:
    """The CURIE of an IRI (a string or an rdflib URIRef) under the curated prefix map."""

    return compress(str(iri))


def with_labels(labels: Mapping[str, str] | Callable[[str], str | None]) -> Callable[[str], str]:
    """A ``name`` function giving ``CURIE “label”`` (just the CURIE for unlabelled terms)."""
    lookup = labels.get if isinstance(labels, Mapping) else labels

    def name(iri: str) -> str:
        label = lookup(iri)
        return f"{curie(iri)} “{label}”" if label else curie(iri)

    return name


def property_text(prop: str, name: Callable[[str], str] = curie) -> str:
    """A restriction's property: its name, ``inverse NAME``, or ``(unnamed property)``."""
    if prop.startswith("^"):
        return "inverse " + name(prop[1:])
    return name(prop) if prop else "(unnamed property)"


def to_text(expr: Expr, name: Callable[[str], str] = curie, written: bool = False) -> str:
    """Manchester-like text of ``expr``; ``name`` turns a named term's IRI into text.

    Operands of ``and``/``or`` are sorted, so the same axiom reads the same in every file:

    >>> obo = "http://purl.obolibrary.org/obo/"
    >>> site = Expr("or", items=(Expr("named", obo + "UBERON_0002097"),
    ...                          Expr("named", obo + "UBERON_0002072")))
    >>> to_text(Expr("some", prop=obo + "RO_0004026", items=(site,)))
    'RO:0004026 some (UBERON:0002072 or UBERON:0002097)'

    ``written``: the expression as the source writes it, for texts read beside the source (the
    class card, the reviewed inheritance audit): operands in the order of their RDF list, every
    compound expression in parentheses, ``inverse(p)``, a data range's facets sorted as text:

    >>> to_text(Expr("some", prop=obo + "RO_0004026", items=(site,)), written=True)
    '(RO:0004026 some (UBERON:0002097 or UBERON:0002072))'
    """
    text = _text(expr, name, written)
    return f"({text})" if written and _wrapped(expr) else text


def _wrapped(expr: Expr) -> bool:
    return expr.kind in COMPOUND and expr.kind != "other"


def _text(expr: Expr, name: Callable[[str], str], written: bool) -> str:
    kind = expr.kind
    if kind == "named":
        return name(expr.iri)
    if kind == "literal":
        return literal_text(expr.value, expr.iri)
    if kind in ("and", "or"):
        operands = [operand_text(i, name, written) for i in expr.items]
        if not written:  # named operands first (the genus reads first), then compound ones
            operands.sort(key=lambda t: (t.startswith("("), t))
        return f" {kind} ".join(operands)
    if kind == "oneof":
        items = [to_text(i, name, written) for i in expr.items]
        return "{" + ", ".join(items if written else sorted(items)) + "}"
    if kind == "not":
        return "not " + operand_text(expr.items[0], name, written)
    if kind == "datarange":
        if written:
            facets = sorted(f"{FACETS.get(f, f)} {v.value}" for f, v in expr.facets)
        else:
            facets = [f"{FACETS.get(f, f)} {to_text(v, name)}" for f, v in expr.facets]
        return f"{name(expr.iri)}[{', '.join(facets)}]"
    prop = (written_property if written else property_text)(expr.prop, name)
    if kind in ("some", "only", "value"):
        return f"{prop} {kind} {operand_text(expr.items[0], name, written)}"
    if kind in ("min", "max", "exactly"):
        tail = f" {operand_text(expr.items[0], name, written)}" if expr.items else ""
        return f"{prop} {kind} {expr.value}{tail}"
    if kind == "self":
        return f"{prop} Self"
    if written:
        return "(?)"
    return f"{prop} (restriction)" if expr.prop else "(complex expression)"


def written_property(prop: str, name: Callable[[str], str] = curie) -> str:
    """A restriction's property as the written style shows it: ``inverse(NAME)`` for an inverse."""
    if prop.startswith("^"):
        return f"inverse({name(prop[1:])})"
    return name(prop) if prop else "(unnamed property)"


def operand_text(expr: Expr, name: Callable[[str], str] = curie, written: bool = False) -> str:
    """``to_text`` parenthesised when ``expr`` is compound (for text nested in other text)."""
    text = _text(expr, name, written)
    return f"({text})" if _wrapped(expr) else text


def render(
    source: Source, node: Any, name: Callable[[str], str] = curie, written: bool = False
) -> str:
    """Shorthand: ``to_text(parse(source, node), name, written)``."""
    return to_text(parse(source, node), name, written)
