"""Static documentation site: pyLODE's ontology page plus one readable page per calcinosis type.

A clinician should not need SPARQL to learn what the graph says about, say, calciphylaxis. Each
type page gathers, from the loaded graph (SPARQL on ``kg.store``), its definition, sites, causes,
associated diseases, treatments and other relations, its mappings, and for every statement the
sentence of the source that supports it. Diagrams (Graphviz SVG) are inlined. Every text that
comes from the graph is HTML-escaped, and every list is sorted, so the site is byte-identical for
the same input.
"""

from __future__ import annotations

import html
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg import diagrams
from calcinosis_kg.errors import InputError
from calcinosis_kg.expressions import (
    Expr,
    RdflibSource,
    StoreSource,
    operand_text,
    parse,
    property_id,
    property_text,
    to_text,
)
from calcinosis_kg.prefixes import compress
from calcinosis_kg.serialize import write_atomic

if TYPE_CHECKING:
    from calcinosis_kg.graph import KnowledgeGraph

OBO = "http://purl.obolibrary.org/obo/"
CCKG = "https://w3id.org/calcinosis-kg/CCKG_"
CALCINOSIS_CUTIS = CCKG + "0000001"
#: Types documented although they are not subclasses of calcinosis cutis (matched by label).
EXTRA_TYPE_LABELS = ("osteoma cutis",)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
OWL = "http://www.w3.org/2002/07/owl#"
IAO_DEFINITION = OBO + "IAO_0000115"
OIO = "http://www.geneontology.org/formats/oboInOwl#"
SUPPORTING_TEXT = "https://w3id.org/biolink/vocab/supporting_text"
DC_SOURCE = "http://purl.org/dc/terms/source"
DC_TITLE = "http://purl.org/dc/terms/title"
DC_DESCRIPTION = "http://purl.org/dc/terms/description"
SSSOM_PREDICATE = "https://w3id.org/sssom/predicate_id"

#: Section headings of a type page, by the property of the restriction (see docs/modelling.md).
OUTGOING_SECTIONS: dict[str, str] = {
    OBO + "RO_0004026": "Sites",
    OBO + "RO_0004029": "Clinical features and deposits",
    OBO + "RO_0002200": "Phenotypes and laboratory findings",
    OBO + "RO_0004022": "Physical basis",
    OBO + "RO_0002302": "Treatments",
    OBO + "RO_0002162": "Populations",
}
INCOMING_SECTIONS: dict[str, str] = {
    OBO + "RO_0003302": "Causes and contributing factors",
    OBO + "RO_0004029": "Associated diseases",
}
SECTION_ORDER = ("Logical definition", "Is also a kind of", "Sites",
                 "Causes and contributing factors", "Associated diseases",
                 "Clinical features and deposits", "Phenotypes and laboratory findings",
                 "Physical basis", "Populations", "Treatments", "Distinct from")
#: Sections drawn in a type's map (the rest are tables only).
MAP_ROLES = {"Sites": "site", "Causes and contributing factors": "cause",
             "Associated diseases": "disease"}
SYNONYM_SCOPES = {OIO + "hasExactSynonym": "exact", OIO + "hasRelatedSynonym": "related",
                  OIO + "hasBroadSynonym": "broad", OIO + "hasNarrowSynonym": "narrow"}

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Marks the pages this module writes (so a later run may replace or remove them).
GENERATOR = "calcinosis-kg docs"


# --- model ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """The supporting sentences and sources attached to one axiom."""

    quotes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    """One relationship of a type: a restriction on it, or one pointing at it."""

    section: str
    prop: str
    other: Expr  # the filler (outgoing) or the subject class (incoming)
    evidence: Evidence


@dataclass
class TypeProfile:
    """Everything a type page shows about one calcinosis type."""

    iri: str
    curie: str
    label: str
    definition: str = ""
    definition_evidence: Evidence = field(default_factory=Evidence)
    comment: str = ""
    synonyms: list[tuple[str, str, Evidence]] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parent_evidence: dict[str, Evidence] = field(default_factory=dict)
    mappings: list[tuple[str, str]] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def section(self, title: str) -> list[Statement]:
        return [s for s in self.statements if s.section == title]

    def has_map(self) -> bool:
        """Whether there is anything (cause, disease, site) to draw around the type."""
        from calcinosis_kg.associations import DOCS_SECTION_SUFFIX  # hook (issue 8)

        return any(s.section.removesuffix(DOCS_SECTION_SUFFIX) in MAP_ROLES
                   for s in self.statements)


@dataclass
class SiteReport:
    """What ``build_site`` wrote."""

    output: Path
    pages: list[Path]
    types: list[str]
    diagrams: list[Path]
    removed: list[Path] = field(default_factory=list)


# --- reading the graph ----------------------------------------------------------------------
class GraphReader:
    """Reads labels, class expressions and axiom evidence from the pyoxigraph store."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.store = kg.store
        self.labels = kg.labels
        self.source = StoreSource(kg.store)

    def query(self, text: str, **bindings: Any) -> list[Any]:
        import pyoxigraph as ox

        # pyoxigraph substitutes only variables of the SELECT projection: queries project them
        substitutions = {ox.Variable(name): value for name, value in bindings.items()}
        return list(self.store.query(text, substitutions=substitutions or None))

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        import pyoxigraph as ox

        return [q.object for q in
                self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

    def literals(self, subject: Any, predicate: str) -> list[str]:
        import pyoxigraph as ox

        return sorted(o.value for o in self.objects(subject, predicate)
                      if isinstance(o, ox.Literal))

    def label(self, iri: str) -> str:
        """The term's preferred rdfs:label (``KnowledgeGraph.labels``), else its CURIE."""
        return self.labels.get(iri) or compress(iri)

    def prop_id(self, term: Any) -> str:
        """A property's IRI, ``^IRI`` for ``owl:inverseOf IRI``, or "" for anything else."""
        return property_id(self.source, term)

    def expr(self, node: Any) -> Expr:
        """Read the class expression rooted at ``node``."""
        return parse(self.source, node)

    def evidence(self, subject: Any, predicate: str, target: Any) -> Evidence:
        """Quotes and sources of the owl:Axiom annotating (subject, predicate, target)."""
        import pyoxigraph as ox

        rows = self.query(_EVIDENCE, s=subject, p=ox.NamedNode(predicate), o=target)
        quotes = sorted({r["text"].value for r in rows if r["text"] is not None})
        sources = sorted({r["src"].value for r in rows if r["src"] is not None})
        return Evidence(tuple(quotes), tuple(sources))


_EVIDENCE = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?text ?src ?s ?p ?o WHERE {
  ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o .
  OPTIONAL { ?ax <https://w3id.org/biolink/vocab/supporting_text> ?text }
  OPTIONAL { ?ax <http://purl.org/dc/terms/source> ?src }
}
"""

_TYPE_EDGES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?child ?parent ?how WHERE {
  { ?child rdfs:subClassOf ?parent . BIND("asserted" AS ?how) }
  UNION
  { ?child owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?parent .
    BIND("defined" AS ?how) }
  FILTER(isIRI(?child) && isIRI(?parent))
  FILTER NOT EXISTS { ?child owl:deprecated true }
}
"""

_LABELLED = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?cls ?name WHERE {
  ?cls a owl:Class ; rdfs:label ?label .
  FILTER(isIRI(?cls) && LCASE(STR(?label)) = ?name)
}
"""

_OUTGOING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?r ?p ?x WHERE { ?x rdfs:subClassOf ?r . ?r owl:onProperty ?p . FILTER(isBlank(?r)) }
"""

_ANONYMOUS_PARENTS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?r ?x WHERE {
  ?x rdfs:subClassOf ?r . FILTER(isBlank(?r)) FILTER NOT EXISTS { ?r owl:onProperty ?p }
}
"""

_INCOMING = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?c ?r ?p ?x WHERE {
  ?c rdfs:subClassOf ?r . ?r owl:onProperty ?p ; owl:someValuesFrom ?f .
  ?f (owl:unionOf/rdf:rest*/rdf:first)? ?x .
  FILTER(isIRI(?c) && isBlank(?r))
}
"""

_DISJOINT_FROM = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?d ?x WHERE { ?d owl:disjointWith ?x . FILTER(isIRI(?d)) }
"""

_DISJOINT_GROUPS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?g ?d ?x WHERE {
  ?g a owl:AllDisjointClasses ; owl:members ?list .
  ?list rdf:rest*/rdf:first ?x . ?list rdf:rest*/rdf:first ?d .
  FILTER(isIRI(?d) && ?d != ?x)
}
"""

_MAPPINGS = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?xref ?pred ?x WHERE {
  ?x <http://www.geneontology.org/formats/oboInOwl#hasDbXref> ?xref .
  OPTIONAL { ?ax owl:annotatedSource ?x ; owl:annotatedTarget ?xref ;
             <https://w3id.org/sssom/predicate_id> ?pred }
}
"""


def type_hierarchy(kg: KnowledgeGraph, reader: GraphReader | None = None
                   ) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
    """The documented types with their hierarchy: (type IRIs, asserted edges, defined edges).

    Types are calcinosis cutis and every class under it, transitively, through asserted
    subclass axioms or equivalence definitions (``X ≡ CC and …``), plus osteoma cutis.
    Edges are (child, parent) pairs between documented types.
    """
    import pyoxigraph as ox

    reader = reader or GraphReader(kg)
    children: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in reader.query(_TYPE_EDGES):
        children[row["parent"].value].add((row["child"].value, row["how"].value))
    found = {CALCINOSIS_CUTIS} if reader.objects(ox.NamedNode(CALCINOSIS_CUTIS), RDF_TYPE) \
        else set()
    for name in EXTRA_TYPE_LABELS:
        found |= {r["cls"].value for r in reader.query(_LABELLED, name=ox.Literal(name))}
    stack = sorted(found)
    while stack:
        parent = stack.pop()
        for child, _how in sorted(children.get(parent, ())):
            if child not in found:
                found.add(child)
                stack.append(child)
    asserted, defined = set(), set()
    for parent, kids in children.items():
        for child, how in kids:
            if parent in found and child in found and child != parent:
                (asserted if how == "asserted" else defined).add((child, parent))
    defined -= asserted
    return sorted(found), sorted(asserted), sorted(defined)


def type_profile(kg: KnowledgeGraph, iri: str, reader: GraphReader | None = None,
                 hierarchy: tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]
                 | None = None) -> TypeProfile:
    """Read everything the type page of ``iri`` shows from the graph."""
    import pyoxigraph as ox

    reader = reader or GraphReader(kg)
    types, asserted, defined = hierarchy or type_hierarchy(kg, reader)
    node = ox.NamedNode(iri)
    profile = TypeProfile(iri=iri, curie=compress(iri), label=reader.label(iri))
    definitions = reader.literals(node, IAO_DEFINITION)
    if definitions:
        profile.definition = definitions[0]
        profile.definition_evidence = reader.evidence(node, IAO_DEFINITION,
                                                      ox.Literal(definitions[0]))
    profile.comment = " ".join(reader.literals(node, RDFS_COMMENT))
    for prop, scope in SYNONYM_SCOPES.items():
        for text in reader.literals(node, prop):
            profile.synonyms.append(
                (scope, text, reader.evidence(node, prop, ox.Literal(text))))
    profile.synonyms.sort(key=lambda s: (s[1].lower(), s[0]))
    edges = set(asserted) | set(defined)
    profile.parents = sorted({p for c, p in edges if c == iri}
                             | {o.value for o in reader.objects(node, RDFS_SUBCLASS)
                                if isinstance(o, ox.NamedNode)})
    profile.children = sorted(c for c, p in edges if p == iri)
    for parent in profile.parents:
        profile.parent_evidence[parent] = reader.evidence(node, RDFS_SUBCLASS,
                                                          ox.NamedNode(parent))
    for row in reader.query(_MAPPINGS, x=node):
        pred = compress(row["pred"].value) if row["pred"] is not None else ""
        profile.mappings.append((row["xref"].value, pred))
    profile.mappings = sorted(set(profile.mappings))

    statements: list[Statement] = []
    for row in reader.query(_OUTGOING, x=node):
        prop = reader.prop_id(row["p"])
        expr = reader.expr(row["r"])
        section = OUTGOING_SECTIONS.get(prop) or _property_heading(reader, prop)
        filler = expr.items[0] if expr.kind in ("some", "only") and expr.items else expr
        if expr.kind == "only":
            filler = Expr("only", prop=prop, items=(filler,))
        statements.append(Statement(section, prop, filler,
                                    reader.evidence(node, RDFS_SUBCLASS, row["r"])))
    for row in reader.query(_INCOMING, x=node):
        prop = reader.prop_id(row["p"])
        section = INCOMING_SECTIONS.get(prop) or \
            f"Classes that {_property_heading(reader, prop).lower()} it"
        statements.append(Statement(section, prop, Expr("named", iri=row["c"].value),
                                    reader.evidence(row["c"], RDFS_SUBCLASS, row["r"])))
    # --- hook (issue 8): association records, in sections of their own ----------------------
    from calcinosis_kg.associations import DOCS_SECTION_SUFFIX, docs_rows

    for direction, prop, other, quote, source in docs_rows(reader.store, iri):
        base = (OUTGOING_SECTIONS if direction == "out" else INCOMING_SECTIONS).get(prop) \
            or _property_heading(reader, prop)
        statements.append(Statement(base + DOCS_SECTION_SUFFIX, prop, Expr("named", iri=other),
                                    Evidence((quote,), (source,))))
    # --- end hook ------------------------------------------------------------------------------
    for row in reader.query(_ANONYMOUS_PARENTS, x=node):
        statements.append(Statement("Is also a kind of", RDFS_SUBCLASS, reader.expr(row["r"]),
                                    reader.evidence(node, RDFS_SUBCLASS, row["r"])))
    for eq in reader.objects(node, OWL + "equivalentClass"):
        definition = reader.expr(eq)
        evidence = reader.evidence(node, OWL + "equivalentClass", eq)
        statements.append(Statement("Logical definition", OWL + "equivalentClass",
                                    definition, evidence))
        # the differentia of a definition (X ≡ CC and located in some S) are facts about X too
        members = definition.items if definition.kind == "and" else (definition,)
        for member in members:
            if member.kind == "some" and member.prop in OUTGOING_SECTIONS:
                statements.append(Statement(OUTGOING_SECTIONS[member.prop], member.prop,
                                            member.items[0], evidence))
    for other in reader.objects(node, OWL + "disjointWith"):
        if isinstance(other, ox.NamedNode):
            statements.append(Statement("Distinct from", OWL + "disjointWith",
                                        Expr("named", iri=other.value),
                                        reader.evidence(node, OWL + "disjointWith", other)))
    for row in reader.query(_DISJOINT_FROM, x=node):
        statements.append(Statement("Distinct from", OWL + "disjointWith",
                                    Expr("named", iri=row["d"].value),
                                    reader.evidence(row["d"], OWL + "disjointWith", node)))
    for row in reader.query(_DISJOINT_GROUPS, x=node):
        group = row["g"]
        evidence = Evidence(tuple(reader.literals(group, SUPPORTING_TEXT)),
                            tuple(sorted(o.value for o in reader.objects(group, DC_SOURCE))))
        statements.append(Statement("Distinct from", OWL + "AllDisjointClasses",
                                    Expr("named", iri=row["d"].value), evidence))
    profile.statements = sorted(
        set(statements), key=lambda s: (_section_rank(s.section), s.section,
                                        to_text(s.other, reader.label).lower(), s.prop))
    return profile


def _property_heading(reader: GraphReader, prop: str) -> str:
    """Section heading for a property: its label ("Inverse of …" for an inverse property)."""
    if prop.startswith("^"):
        label = "inverse of " + reader.label(prop[1:])
    else:
        label = reader.label(prop) if prop else "related to"
    return label[:1].upper() + label[1:]


def _section_rank(section: str) -> int:
    from calcinosis_kg.associations import DOCS_SECTION_SUFFIX  # hook (issue 8)

    section = section.removesuffix(DOCS_SECTION_SUFFIX)  # associations follow their base section
    return SECTION_ORDER.index(section) if section in SECTION_ORDER else len(SECTION_ORDER)


# --- HTML -----------------------------------------------------------------------------------
def esc(text: str) -> str:
    """HTML-escape text from the graph (labels, quotes, definitions are data, not markup)."""
    return html.escape(str(text), quote=True)


def page_name(iri: str) -> str:
    """File name of a type page: the CURIE with ':' replaced (``CCKG_0000002.html``)."""
    curie = compress(iri)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in curie)
    return f"{safe}.html"


class Renderer:
    """Writes the HTML pages; ``types`` decides which classes get links to their own pages."""

    def __init__(self, reader: GraphReader, types: Iterable[str], title: str) -> None:
        self.reader = reader
        self.types = set(types)
        self.title = title

    def link(self, iri: str, prefix: str = "") -> str:
        label = esc(self.reader.label(iri))
        curie = esc(compress(iri))
        if iri in self.types:
            return f'<a href="{esc(prefix + page_name(iri))}" title="{curie}">{label}</a>'
        if label == curie:  # no label in the graph: show the identifier once
            return f"<code>{curie}</code>"
        return f'<span class="term" title="{curie}">{label}</span> <code>{curie}</code>'

    def expr_html(self, expr: Expr, prefix: str = "") -> str:
        """HTML of a class expression: named terms linked, the rest as in ``expressions``."""
        if expr.kind == "named":
            return self.link(expr.iri, prefix)
        if expr.kind in ("and", "or"):
            inner = f" <em>{expr.kind}</em> ".join(self.expr_html(i, prefix) for i in expr.items)
            return f"({inner})" if len(expr.items) > 1 else inner
        if expr.kind == "not":
            return "<em>not</em> " + self.expr_html(expr.items[0], prefix)
        if expr.kind in ("some", "only", "value"):
            return (f"{esc(property_text(expr.prop, self.reader.label))} <em>{expr.kind}</em> "
                    f"{self.expr_html(expr.items[0], prefix)}")
        if expr.kind in ("literal", "datarange"):
            return f"<code>{esc(to_text(expr))}</code>"
        if expr.kind == "other":
            return "<em>(complex expression)</em>"
        return esc(to_text(expr, self.reader.label))

    def evidence_html(self, evidence: Evidence) -> str:
        quotes = "".join(f"<blockquote>{esc(q)}</blockquote>" for q in evidence.quotes)
        sources = ", ".join(self.source_html(s) for s in evidence.sources)
        return quotes + (f'<p class="source">Source: {sources}</p>' if sources else "")

    def source_html(self, iri: str) -> str:
        import pyoxigraph as ox

        titles = self.reader.literals(ox.NamedNode(iri), DC_TITLE)
        text = titles[0] if titles else compress(iri)
        return f'<a href="{esc(iri)}" rel="external">{esc(text)}</a>'

    def page(self, title: str, body: str, css: str = "style.css") -> str:
        return (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<meta name=\"generator\" content=\"{GENERATOR}\">\n"
            f"<title>{esc(title)}</title>\n"
            f"<link rel=\"stylesheet\" href=\"{esc(css)}\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n"
        )

    def type_page(self, profile: TypeProfile, diagram: str | None) -> str:
        parts = [
            f'<nav><a href="../index.html">{esc(self.title)}</a> &rsaquo; '
            f'<a href="../ontology.html">ontology reference</a></nav>',
            f'<h1>{esc(profile.label)}</h1>',
            f'<p class="ids"><code>{esc(profile.curie)}</code> '
            f'<a href="{esc(profile.iri)}" rel="external">{esc(profile.iri)}</a></p>',
            '<section id="definition"><h2>Definition</h2>',
            f'<p class="definition">{esc(profile.definition) or "<em>no definition yet</em>"}</p>',
            self.evidence_html(profile.definition_evidence), "</section>",
        ]
        if profile.comment:
            parts.append(f'<p class="comment">{esc(profile.comment)}</p>')
        if profile.synonyms:
            items = "".join(f"<li>{esc(text)} <small>({esc(scope)})</small>"
                            f"{self.evidence_html(evidence)}</li>"
                            for scope, text, evidence in profile.synonyms)
            parts.append(f'<section id="synonyms"><h2>Synonyms</h2><ul>{items}</ul></section>')
        parts.append('<section id="hierarchy"><h2>Place in the hierarchy</h2>')
        if profile.parents:
            items = "".join(f"<li>{self.link(p)}{self.evidence_html(profile.parent_evidence[p])}"
                            "</li>" for p in profile.parents)
            parts.append(f"<h3>Is a kind of</h3><ul>{items}</ul>")
        if profile.children:
            items = "".join(f"<li>{self.link(c)}</li>" for c in profile.children)
            parts.append(f"<h3>Subtypes</h3><ul>{items}</ul>")
        parts.append("</section>")
        if diagram:
            parts.append(
                '<section id="map"><h2>Causes, associated diseases and sites</h2>'
                f'<figure class="diagram">{diagram}<figcaption>'
                f'<a href="../img/{esc(page_name(profile.iri)[:-5])}.svg">SVG file</a>'
                "</figcaption></figure></section>")
        sections: dict[str, list[Statement]] = defaultdict(list)
        for statement in profile.statements:
            sections[statement.section].append(statement)
        for title in sorted(sections, key=lambda t: (_section_rank(t), t)):
            rows = "".join(
                f"<tr><td>{self.expr_html(s.other)}</td>"
                f"<td>{self.evidence_html(s.evidence) or '<em>no supporting sentence</em>'}</td>"
                "</tr>" for s in sections[title])
            anchor = esc("".join(ch if ch.isalnum() else "-" for ch in title.lower()))
            parts.append(f'<section id="{anchor}"><h2>{esc(title)}</h2><table>'
                         "<thead><tr><th>Term</th><th>Supporting sentence</th></tr></thead>"
                         f"<tbody>{rows}</tbody></table></section>")
        if profile.mappings:
            rows = "".join(f"<tr><td><code>{esc(x)}</code></td><td>{esc(p or 'xref')}</td></tr>"
                           for x, p in profile.mappings)
            parts.append('<section id="mappings"><h2>Mappings</h2><table><thead><tr>'
                         "<th>Identifier</th><th>Mapping predicate</th></tr></thead>"
                         f"<tbody>{rows}</tbody></table></section>")
        return self.page(f"{profile.label} — {self.title}", "\n".join(parts), "../style.css")

    def index_page(self, profiles: list[TypeProfile], description: str,
                   diagram: str | None, related: Iterable[str] = ()) -> str:
        rows = "".join(
            f"<tr><td>{self.link(p.iri, 'types/')}</td><td><code>{esc(p.curie)}</code></td>"
            f"<td>{esc(p.definition)}</td></tr>" for p in profiles)
        parts = [
            f"<h1>{esc(self.title)}</h1>",
            f'<p class="description">{esc(description)}</p>',
            '<p><a href="ontology.html">Full ontology reference (pyLODE)</a></p>',
        ]
        if diagram:
            parts.append('<section id="hierarchy"><h2>Types of calcinosis cutis</h2>'
                         f'<figure class="diagram">{diagram}<figcaption>'
                         '<a href="img/hierarchy.svg">SVG file</a></figcaption></figure>'
                         "</section>")
        related = sorted(related, key=lambda iri: self.reader.label(iri).lower())
        if related:
            names = ", ".join(self.link(iri, "types/") for iri in related)
            parts.append(f'<p class="related">Shown for comparison, not kinds of calcinosis '
                         f"cutis (drawn dashed): {names}.</p>")
        parts.append(f'<section id="types"><h2>Type pages ({len(profiles)})</h2><table>'
                     "<thead><tr><th>Type</th><th>ID</th><th>Definition</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table></section>")
        return self.page(self.title, "\n".join(parts))


# --- diagrams -------------------------------------------------------------------------------
def comparison_types(hierarchy: tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]
                     ) -> list[str]:
    """Documented types that are not calcinosis cutis or under it (osteoma cutis)."""
    types, asserted, defined = hierarchy
    under = {CALCINOSIS_CUTIS}
    changed = True
    while changed:
        changed = False
        for child, parent in [*asserted, *defined]:
            if parent in under and child not in under:
                under.add(child)
                changed = True
    return sorted(t for t in types if t not in under)


def hierarchy_diagram_dot(kg: KnowledgeGraph, link_prefix: str | None = "types/",
                          reader: GraphReader | None = None) -> str:
    """DOT text of the type hierarchy (nodes link to type pages under ``link_prefix``)."""
    reader = reader or GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types, asserted, defined = hierarchy
    nodes = [diagrams.Node(compress(t), reader.label(t),
                           None if link_prefix is None else link_prefix + page_name(t))
             for t in types]
    curie = {t: compress(t) for t in types}
    return diagrams.hierarchy_dot(nodes, [(curie[c], curie[p]) for c, p in asserted],
                                  [(curie[c], curie[p]) for c, p in defined],
                                  [curie[t] for t in comparison_types(hierarchy)])


def type_map_dot(profile: TypeProfile, reader: GraphReader, types: Iterable[str],
                 link_prefix: str | None = "") -> str:
    """DOT text of one type's map to its causes, associated diseases and sites."""
    type_set = set(types)
    neighbours = []
    from calcinosis_kg.associations import DOCS_SECTION_SUFFIX  # hook (issue 8)

    for statement in profile.statements:
        role = MAP_ROLES.get(statement.section.removesuffix(DOCS_SECTION_SUFFIX))
        if role is None:
            continue
        # a union filler ("skin or subcutis") gives one node per member; other constructs one
        members = statement.other.items if statement.other.kind == "or" else (statement.other,)
        for member in members:
            if member.kind == "named":
                href = (link_prefix + page_name(member.iri)
                        if link_prefix is not None and member.iri in type_set else None)
                node = diagrams.Node(compress(member.iri), reader.label(member.iri), href)
            else:
                text = to_text(member, reader.label)
                node = diagrams.Node("expr:" + text, text)
            neighbours.append(diagrams.Neighbour(role, node))
    center = diagrams.Node(profile.curie, profile.label)
    return diagrams.type_map_dot(center, neighbours)


# --- pyLODE ---------------------------------------------------------------------------------
def pylode_html(kg: KnowledgeGraph) -> str:
    """pyLODE (OntPub profile) documentation of the loaded graph, deterministic.

    pyLODE is given one merged graph (ontology + local import module) so external terms show
    their labels. Work-arounds: the import module's own owl:Ontology header is dropped
    (with two headers pyLODE picks the title at random), blank nodes get canonical labels and
    pyLODE sorts subjects (else its output changes with PYTHONHASHSEED), members of a union or
    intersection keep their list order (see ``_InsertionOrderedSet``), the CCKG namespace is
    declared with vann:preferredNamespaceUri (else pyLODE shows an ``ns1:`` prefix), and the
    root-logger set-up pyLODE does on import is undone (it would turn on DEBUG logging for the
    whole CLI).
    """
    from rdflib import Literal
    from rdflib.namespace import OWL as RDFLIB_OWL
    from rdflib.namespace import RDF, VANN, XSD

    from calcinosis_kg.prefixes import prefix_map
    from calcinosis_kg.serialize import canonicalize

    ontpub = _import_pylode()
    graph = canonicalize(kg.graph)
    imported = set(graph.objects(None, RDFLIB_OWL.imports))
    for header in set(graph.subjects(RDF.type, RDFLIB_OWL.Ontology)) & imported:
        graph.remove((header, None, None))
    # without a declared namespace pyLODE invents an "ns1:" prefix for the ontology IRI
    namespace = prefix_map().get("CCKG", CCKG)
    for header in graph.subjects(RDF.type, RDFLIB_OWL.Ontology):
        if (header, VANN.preferredNamespaceUri, None) not in graph:
            graph.add((header, VANN.preferredNamespaceUri, Literal(namespace, datatype=XSD.anyURI)))
            graph.add((header, VANN.preferredNamespacePrefix, Literal("CCKG")))
    try:
        page = _fast_ontpub(ontpub)(graph, sort_subjects=True).make_html()
    except Exception as exc:  # pyLODE raises PylodeError (or a plain error) on odd input
        raise InputError(f"pyLODE could not document the ontology: {exc}",
                         kg.files[0] if kg.files else None) from exc
    return _unlink_blank_nodes(page, graph)


def _unlink_blank_nodes(page: str, graph: Any) -> str:
    """pyLODE shows a nested anonymous class (a union inside a restriction) as a link to the
    blank node's label, a dead link; replace it by the class expression in words."""
    import re

    from rdflib import BNode, URIRef

    from calcinosis_kg.graph import label_of

    source = RdflibSource(graph)

    def words(node: Any) -> str:
        return operand_text(parse(source, node), lambda iri: label_of(graph, URIRef(iri))
                            or compress(iri))

    labels = {str(node): node for node in graph.all_nodes() if isinstance(node, BNode)}

    def replace(match: re.Match) -> str:
        node = labels.get(html.unescape(match.group(1)))
        if node is None:
            return match.group(0)
        return f'<span class="anonymous">{esc(words(node))}</span>'

    return re.sub(r'<a href="([^"#:/]+)">\1</a>', replace, page)


def _fast_ontpub(ontpub: Any) -> Any:
    """pyLODE's OntPub with a linear namespace section.

    OntPub._make_namespaces loops over every namespace for every term of every triple (666k
    rdflib calls, 4–6 s of the 7 s on our ontology); this computes the same prefixes from the
    distinct terms and renders the same HTML."""
    from itertools import chain

    from dominate.tags import code, dd, div, dl, dt, h2

    class FastOntPub(ontpub.OntPub):
        def _make_namespaces(self) -> None:
            ont = self.ont
            terms = {str(n) for n in chain(ont.subjects(), ont.predicates(), ont.objects())}
            nses = {prefix: str(ns) for prefix, ns in ont.namespaces()
                    if any(term.startswith(str(ns)) for term in terms)}
            with self.content, div(id="namespaces"):
                h2("Namespaces")
                with dl():
                    self.toc.setdefault("namespaces", [])
                    for prefix, ns in sorted(nses.items()):
                        p_ = prefix if prefix != "" else ":"
                        dt(p_, id=p_)
                        dd(code(ns))
                        self.toc["namespaces"].append(("#" + prefix, prefix))

    return FastOntPub


class _InsertionOrderedSet(list):
    """Stands in for ``set()`` inside pyLODE's utils module: pyLODE collects the members of a
    union/intersection into a set of HTML elements (hashed by memory address), so their order
    changed from run to run; this keeps the RDF list order instead."""

    def add(self, item: Any) -> None:
        if item not in self:
            self.append(item)


def _import_pylode() -> Any:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import utils as pylode_utils
        from pylode.profiles import ontpub
    except ImportError as exc:
        raise InputError("pyLODE is not installed: pip install 'pylode==3.3.4'") from exc
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    # module globals shadow builtins: only pyLODE's utils module sees the ordered stand-in
    pylode_utils.set = _InsertionOrderedSet
    return ontpub


# --- README images --------------------------------------------------------------------------


def write_readme_images(kg: KnowledgeGraph, folder: Path | str, example: str | None = None
                        ) -> list[Path]:
    """Write ``hierarchy.svg`` and ``type-map-example.svg`` (no links) for the README.

    The example map is of ``example`` (a CURIE or IRI) or else of the type whose map shows the
    most kinds of neighbour (causes, associated diseases, sites), then the most neighbours, then
    the first CURIE, so it shows the most.
    """
    from calcinosis_kg.prefixes import expand

    folder = Path(folder)
    reader = GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types = hierarchy[0]
    if not types:
        raise InputError("no calcinosis types found (no class CCKG:0000001 calcinosis cutis)")
    if example:
        try:
            chosen = expand(example)
        except ValueError as exc:
            raise InputError(f"--example-type: {exc}") from exc
        if chosen not in types:
            raise InputError(f"--example-type: {example} is not a documented calcinosis type")
    else:
        def richness(iri: str) -> tuple[int, int, str]:
            sections = [s.section for s in type_profile(kg, iri, reader, hierarchy).statements
                        if s.section in MAP_ROLES]
            return (-len(set(sections)), -len(sections), compress(iri))

        chosen = min(types, key=richness)
    profile = type_profile(kg, chosen, reader, hierarchy)
    outputs = {
        folder / "hierarchy.svg": hierarchy_diagram_dot(kg, None, reader),
        folder / "type-map-example.svg": type_map_dot(profile, reader, types, None),
    }
    for path, dot in outputs.items():
        write_atomic(path, diagrams.render_svg(dot))
    return list(outputs)


# --- the site -------------------------------------------------------------------------------
def build_site(kg: KnowledgeGraph, output: Path | str, with_diagrams: bool = True
               ) -> SiteReport:
    """Write the documentation site into ``output``: index.html, ontology.html (pyLODE),
    types/<CURIE>.html per calcinosis type, img/*.svg diagrams and style.css."""
    import pyoxigraph as ox

    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError("output exists and is not a folder", output)
    if with_diagrams:
        diagrams.dot_executable()  # fail before writing anything when Graphviz is missing
    reader = GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types = hierarchy[0]
    if not types:
        raise InputError("no calcinosis types found (no class CCKG:0000001 calcinosis cutis)",
                         kg.files[0] if kg.files else None)
    # pyLODE first: when it cannot document the input, fail before writing anything
    reference = pylode_html(kg)
    profiles = sorted((type_profile(kg, t, reader, hierarchy) for t in types),
                      key=lambda p: (p.label.lower(), p.curie))
    headers = [r["o"] for r in reader.query(
        "SELECT ?o WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> . "
        "FILTER NOT EXISTS { ?x <http://www.w3.org/2002/07/owl#imports> ?o } }")]
    header = sorted(headers, key=str)[0] if headers else ox.NamedNode(CALCINOSIS_CUTIS)
    title = (reader.literals(header, DC_TITLE) or ["calcinosis-kg"])[0]
    description = " ".join(reader.literals(header, DC_DESCRIPTION))
    renderer = Renderer(reader, types, title)

    written: list[Path] = []
    svgs: list[Path] = []

    def put(relative: str, data: str | bytes) -> None:
        path = output / relative
        write_atomic(path, data.encode("utf-8") if isinstance(data, str) else data)
        written.append(path)

    put("style.css", (TEMPLATES / "site.css").read_bytes())
    index_diagram = None
    if with_diagrams:
        svg = diagrams.render_svg(hierarchy_diagram_dot(kg, "../types/", reader))
        put("img/hierarchy.svg", svg)
        svgs.append(output / "img/hierarchy.svg")
        index_diagram = diagrams.inline_svg(
            diagrams.render_svg(hierarchy_diagram_dot(kg, "types/", reader)))
    for profile in profiles:
        inline = None
        if with_diagrams and profile.has_map():
            # links "../types/X.html" resolve the same from img/ and from types/ (siblings)
            svg = diagrams.render_svg(type_map_dot(profile, reader, types, "../types/"))
            name = f"img/{page_name(profile.iri)[:-5]}.svg"
            put(name, svg)
            svgs.append(output / name)
            inline = diagrams.inline_svg(svg)
        put(f"types/{page_name(profile.iri)}", renderer.type_page(profile, inline))
    related = comparison_types(hierarchy)
    put("index.html", renderer.index_page(profiles, description, index_diagram, related))
    put("ontology.html", reference)
    removed = _remove_stale(output, set(written))
    return SiteReport(output, written, [p.curie for p in profiles], svgs, removed)


def _remove_stale(output: Path, written: set[Path]) -> list[Path]:
    """Delete pages and diagrams of an earlier run that this run did not write (a type that was
    removed or renamed), so the published site never shows a stale page. Only files that carry
    our generator mark (pages) or Graphviz's (diagrams) are touched."""
    stale = []
    for path in sorted([*output.glob("types/*.html"), *output.glob("img/*.svg")]):
        if path in written:
            continue
        head = path.read_bytes()[:2000]
        if GENERATOR.encode() in head or b"Generated by graphviz" in head:
            path.unlink()
            stale.append(path)
    return stale
