"""The compiler of the curated terms YAML into OWL 2 RDF (an rdflib Graph).

Why a module of its own: this is where the source's conventions become OWL. Every relationship
axiom and definition names the fact(s) it rests on; the compiler turns those into OWL axiom
annotations (source, quote, ECO evidence), so a user who asks "why does the graph say this?" gets
the sentence. It also records which entry used which fact (``fact_uses``), for the ledger tests.

Class expressions in YAML are nested one-key mappings, for example::

    {and: [CCKG:0000001, {some: [RO:0004026, {or: [UBERON:0000982, CCKG:0000210]}]}]}
    {data_some: [CCKG:0001001, {datatype: xsd:decimal, minExclusive: "2.6"}]}
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from calcinosis_kg.core import vocab
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand, header
from calcinosis_kg.core.serialize import bind_prefixes
from calcinosis_kg.source.facts import Fact
from calcinosis_kg.source.mappings import add_mapping
from calcinosis_kg.source.yamlfiles import line_of

if TYPE_CHECKING:
    from rdflib.term import Node

IAO_DEFINITION = URIRef(vocab.IAO_DEFINITION)
IAO_EDITOR_NOTE = URIRef(vocab.IAO_EDITOR_NOTE)
RO_HAS_EVIDENCE = URIRef(vocab.RO_HAS_EVIDENCE)
IN_SUBSET = URIRef(vocab.OIO_IN_SUBSET)
SYNONYM = {scope: URIRef(iri) for iri, scope in vocab.SYNONYM_SCOPES.items()}
DC_SOURCE = URIRef(vocab.DC_SOURCE)
DC_TITLE = URIRef(vocab.DC_TITLE)
SUPPORTING_TEXT = URIRef(vocab.SUPPORTING_TEXT)

FACET_NAMES = ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive")


class Compiler:
    """Turns the parsed source into an rdflib graph. One instance per build."""

    def __init__(self, facts: dict[str, Fact]) -> None:
        self.facts = facts
        self.graph = Graph()
        bind_prefixes(self.graph)
        self.fact_uses: dict[str, list[str]] = {}
        self._where = ""

    # --- terms -----------------------------------------------------------------------------
    def iri(self, curie: str) -> URIRef:
        """The IRI of a CURIE of the curated map; an unknown prefix names the entry it is in."""
        try:
            return URIRef(expand(str(curie)))
        except ValueError as exc:
            raise ValueError(f"{self._where}: {exc}") from None

    def expression(self, expr: Any) -> URIRef | BNode:
        """Compile a YAML class expression into OWL RDF (returns the class node)."""
        if isinstance(expr, str):
            return self.iri(expr)
        if not isinstance(expr, dict) or len(expr) != 1:
            raise ValueError(f"{self._where}: a class expression is a CURIE or a one-key mapping")
        ((op, arg),) = expr.items()
        g = self.graph
        node = BNode()
        if op in ("and", "or"):
            members: list[Node] = [self.expression(e) for e in arg]
            list_node = BNode()
            Collection(g, list_node, members)
            g.add((node, RDF.type, OWL.Class))
            g.add((node, OWL.intersectionOf if op == "and" else OWL.unionOf, list_node))
        elif op == "not":
            g.add((node, RDF.type, OWL.Class))
            g.add((node, OWL.complementOf, self.expression(arg)))
        elif op in ("some", "only", "inverse_some"):
            prop, filler = arg
            g.add((node, RDF.type, OWL.Restriction))
            if op == "inverse_some":
                inverse = BNode()
                g.add((inverse, OWL.inverseOf, self.iri(prop)))
                g.add((node, OWL.onProperty, inverse))
            else:
                g.add((node, OWL.onProperty, self.iri(prop)))
            g.add(
                (
                    node,
                    OWL.someValuesFrom if op != "only" else OWL.allValuesFrom,
                    self.expression(filler),
                )
            )
        elif op == "value":
            prop, individual = arg
            g.add((node, RDF.type, OWL.Restriction))
            g.add((node, OWL.onProperty, self.iri(prop)))
            g.add((node, OWL.hasValue, self.iri(individual)))
        elif op == "data_some":
            prop, range_ = arg
            g.add((node, RDF.type, OWL.Restriction))
            g.add((node, OWL.onProperty, self.iri(prop)))
            g.add((node, OWL.someValuesFrom, self.datarange(range_)))
        else:
            raise ValueError(f"{self._where}: unknown class expression operator {op!r}")
        return node

    def datarange(self, spec: Any) -> URIRef | BNode:
        """A datatype, or a datatype restricted by facets (``minExclusive`` …) typed like it."""
        if isinstance(spec, str):
            return self.iri(spec)
        datatype = self.iri(spec["datatype"])
        facets = [(name, spec[name]) for name in FACET_NAMES if name in spec]
        if not facets:
            return datatype
        g = self.graph
        node = BNode()
        g.add((node, RDF.type, RDFS.Datatype))
        g.add((node, OWL.onDatatype, datatype))
        restrictions: list[Node] = []
        for name, value in facets:
            facet = BNode()
            g.add((facet, XSD[name], Literal(str(value), datatype=datatype)))
            restrictions.append(facet)
        list_node = BNode()
        Collection(g, list_node, restrictions)
        g.add((node, OWL.withRestrictions, list_node))
        return node

    # --- provenance ------------------------------------------------------------------------
    def fact_ids(self, spec: Any) -> list[str]:
        """The fact ids an entry cites (one or a list); an id missing from facts.tsv is an error."""
        if spec is None:
            return []
        ids = [spec] if isinstance(spec, str) else list(spec)
        for fact_id in ids:
            if fact_id not in self.facts:
                raise ValueError(f"{self._where}: unknown fact id {fact_id!r} (not in facts.tsv)")
        return ids

    def annotate(self, s: Any, p: URIRef, o: Any, fact_ids: list[str], extra=()) -> None:
        """Add the triple and, when facts are named, an owl:Axiom carrying their provenance."""
        g = self.graph
        g.add((s, p, o))
        if not fact_ids and not extra:
            return
        # one owl:Axiom annotation per fact (issue 8): its quote, source and evidence stay
        # together, so a reader can always pair a quote with its source; qualifiers ride on each
        written: set[tuple[str, str, str]] = set()
        for fact_id in list[str | None](fact_ids) or [None]:
            if fact_id is not None:
                fact = self.facts[fact_id]
                self.fact_uses.setdefault(fact_id, []).append(self._where)
                if (fact.source, fact.quote, fact.eco) in written:
                    continue  # same sentence, source and evidence: one annotation says it all
                written.add((fact.source, fact.quote, fact.eco))
            axiom = BNode()
            g.add((axiom, RDF.type, OWL.Axiom))
            g.add((axiom, OWL.annotatedSource, s))
            g.add((axiom, OWL.annotatedProperty, p))
            g.add((axiom, OWL.annotatedTarget, o))
            if fact_id is not None:
                g.add((axiom, DC_SOURCE, self.source_iri(fact.source)))
                g.add((axiom, SUPPORTING_TEXT, Literal(fact.quote)))
                if fact.eco:
                    g.add((axiom, RO_HAS_EVIDENCE, self.iri(fact.eco)))
            for ap, av in extra:
                g.add((axiom, ap, av))

    def cite(self, node: Node, fact_ids: list[str]) -> None:
        """Put each fact's source, verbatim quote and ECO evidence on ``node`` (an owl:Axiom, or
        an axiom that is itself a blank node), and record that this entry used the fact."""
        g = self.graph
        for fact_id in fact_ids:
            fact = self.facts[fact_id]
            g.add((node, DC_SOURCE, self.source_iri(fact.source)))
            g.add((node, SUPPORTING_TEXT, Literal(fact.quote)))
            if fact.eco:
                g.add((node, RO_HAS_EVIDENCE, self.iri(fact.eco)))
            self.fact_uses.setdefault(fact_id, []).append(self._where)

    def source_iri(self, source: str) -> URIRef:
        """A fact's source: a key of ``header.yaml`` sources (the article) or a CURIE (PMID…)."""
        sources = header().get("sources", {})
        if source in sources:
            return URIRef(sources[source]["iri"])
        return self.iri(source)

    # --- entities --------------------------------------------------------------------------
    def common(self, node: URIRef, entry: dict) -> None:
        """What every kind of entry may carry: label, cited definition and synonyms, xrefs,
        comments, subsets, deprecation."""
        g = self.graph
        if "label" in entry:
            g.add((node, RDFS.label, Literal(entry["label"])))
        if "definition" in entry:
            self.annotate(
                node,
                IAO_DEFINITION,
                Literal(entry["definition"]),
                self.fact_ids(entry.get("definition_facts")),
            )
        for syn in entry.get("synonyms", []):
            scope = syn.get("scope", "exact")
            if scope not in SYNONYM:
                raise ValueError(f"{self._where}: synonym scope must be one of {sorted(SYNONYM)}")
            self.annotate(
                node, SYNONYM[scope], Literal(syn["text"]), self.fact_ids(syn.get("facts"))
            )
        for xref in entry.get("xrefs", []):
            self.mapping(node, xref)
        if "comment" in entry:
            g.add((node, RDFS.comment, Literal(entry["comment"])))
        if "editor_note" in entry:
            g.add((node, IAO_EDITOR_NOTE, Literal(entry["editor_note"])))
        for subset in entry.get("subsets", []):
            g.add((node, IN_SUBSET, self.iri(subset)))
        if entry.get("deprecated"):
            g.add((node, OWL.deprecated, Literal(True)))
        if entry.get("replaced_by"):  # hook (issue 8): IAO:0100001 term replaced by
            g.add((node, URIRef(vocab.IAO_REPLACED_BY), self.iri(entry["replaced_by"])))

    def mapping(self, node: URIRef, xref: dict[str, Any]) -> None:
        """``add_mapping`` with the entry named in its error."""
        try:
            add_mapping(self.graph, node, xref)
        except ValueError as exc:
            raise ValueError(f"{self._where}: {exc}") from None

    def relation(self, subject: URIRef, rel: dict) -> None:
        """A ``subClassOf`` restriction citing its fact(s): no relationship without provenance."""
        facts = self.fact_ids(rel.get("fact") or rel.get("facts"))
        if not facts:
            raise ValueError(f"{self._where}: relationship axiom without a fact (provenance)")
        prop = rel["property"]
        if "some" in rel:
            target = self.expression({"some": [prop, rel["some"]]})
        elif "only" in rel:
            target = self.expression({"only": [prop, rel["only"]]})
        elif "value" in rel:
            target = self.expression({"value": [prop, rel["value"]]})
        elif "data_some" in rel:
            target = self.expression({"data_some": [prop, rel["data_some"]]})
        else:
            raise ValueError(f"{self._where}: a relation needs some/only/value/data_some")
        self.annotate(subject, RDFS.subClassOf, target, facts, self.qualifiers(rel))

    def qualifiers(self, entry: dict) -> list[tuple[URIRef, Any]]:
        """Extra axiom annotations (``annotations: [{property, value}]``), e.g. a frequency or
        efficacy qualifier: "most frequent" or "mainstay" must stay attached to the axiom it
        qualifies. A value that is a CURIE of a curated prefix becomes an IRI, else a literal."""
        out: list[tuple[URIRef, Any]] = []
        for item in entry.get("annotations") or []:
            value = item["value"]
            if (
                isinstance(value, str)
                and ":" in value
                and value.split(":", 1)[0] in header()["prefixes"]
            ):
                obj: Any = self.iri(value)
            else:
                obj = Literal(value)
            out.append((self.iri(item["property"]), obj))
        return out

    def add_class(self, entry: dict) -> None:
        """A class: parents, relations, equivalence and disjointness, each cited when it names
        facts."""
        node = self.iri(entry["id"])
        g = self.graph
        g.add((node, RDF.type, OWL.Class))
        self.common(node, entry)
        for parent in entry.get("parents", []):
            if isinstance(parent, dict):
                self.annotate(
                    node,
                    RDFS.subClassOf,
                    self.expression(parent["id"]),
                    self.fact_ids(parent.get("fact") or parent.get("facts")),
                    self.qualifiers(parent),
                )
            else:
                g.add((node, RDFS.subClassOf, self.iri(parent)))
        for rel in entry.get("relations", []):
            self.relation(node, rel)
        if "equivalent" in entry:
            eq = entry["equivalent"]
            facts = []
            if isinstance(eq, dict) and "expression" in eq:
                facts = self.fact_ids(eq.get("fact") or eq.get("facts"))
                eq = eq["expression"]
            self.annotate(node, OWL.equivalentClass, self.expression(eq), facts)
        for other in entry.get("disjoint_with", []):
            if isinstance(other, dict):
                self.annotate(
                    node,
                    OWL.disjointWith,
                    self.iri(other["id"]),
                    self.fact_ids(other.get("fact") or other.get("facts")),
                )
            else:
                g.add((node, OWL.disjointWith, self.iri(other)))

    def add_property(self, entry: dict) -> None:
        """An object, data or annotation property with its domain, range and parents."""
        kinds = {
            "object": OWL.ObjectProperty,
            "data": OWL.DatatypeProperty,
            "annotation": OWL.AnnotationProperty,
        }
        node = self.iri(entry["id"])
        g = self.graph
        g.add((node, RDF.type, kinds[entry.get("type", "object")]))
        if entry.get("functional"):
            g.add((node, RDF.type, OWL.FunctionalProperty))
        self.common(node, entry)
        for key, pred in (("domain", RDFS.domain), ("range", RDFS.range)):
            if key in entry:
                value = entry[key]
                obj = (
                    self.datarange(value)
                    if entry.get("type") == "data" and key == "range"
                    else self.expression(value)
                )
                g.add((node, pred, obj))
        for parent in entry.get("parents", []):
            g.add((node, RDFS.subPropertyOf, self.iri(parent)))

    def add_individual(self, entry: dict) -> None:
        """A named individual with its types and its cited data and object values."""
        node = self.iri(entry["id"])
        g = self.graph
        g.add((node, RDF.type, OWL.NamedIndividual))
        self.common(node, entry)
        for type_ in entry.get("types", []):
            g.add((node, RDF.type, self.expression(type_)))
        for item in entry.get("data", []):
            datatype = self.iri(item.get("datatype", "xsd:string"))
            value = Literal(str(item["value"]), datatype=datatype)
            self.annotate(
                node,
                self.iri(item["property"]),
                value,
                self.fact_ids(item.get("fact") or item.get("facts")),
            )
        for item in entry.get("objects", []):
            self.annotate(
                node,
                self.iri(item["property"]),
                self.iri(item["value"]),
                self.fact_ids(item.get("fact") or item.get("facts")),
            )

    def add_disjoint_group(self, entry: dict) -> None:
        """An ``owl:AllDisjointClasses``, repeated once per cited fact (one quote per axiom)."""
        members: list[Node] = [self.iri(m) for m in entry["members"]]
        g = self.graph
        # AllDisjointClasses is itself a blank node: provenance rides on it directly, one axiom
        # per fact (issue 8) so that each carries one quote with its own source
        cited: list[str | None] = list(self.fact_ids(entry.get("fact") or entry.get("facts")))
        for fact_id in cited or [None]:
            node = BNode()
            list_node = BNode()
            Collection(g, list_node, members)
            g.add((node, RDF.type, OWL.AllDisjointClasses))
            g.add((node, OWL.members, list_node))
            if fact_id is not None:
                self.cite(node, [fact_id])

    def add_terms_file(self, path: Path, data: dict) -> None:
        """Every section of one ``terms/*.yaml``; any error becomes one line naming the file, the
        entry and its line."""
        sections = (
            ("classes", self.add_class),
            ("properties", self.add_property),
            ("individuals", self.add_individual),
            ("disjoint_groups", self.add_disjoint_group),
        )
        unknown = set(data) - {name for name, _ in sections} - {"axioms"}
        if unknown:
            raise InputError(f"unknown top-level section(s): {', '.join(sorted(unknown))}", path)
        for name, handler in sections:
            for index, entry in enumerate(data.get(name) or [], start=1):
                self._where = f"{path.name}: {name}[{index}] {entry.get('id', '')}".strip()
                try:
                    handler(entry)
                except InputError:
                    raise
                except (KeyError, TypeError, ValueError) as exc:
                    raise InputError(
                        f"{self._where}: {exc!s}", path, line_of(path, entry.get("id"))
                    ) from exc
        for index, entry in enumerate(data.get("axioms") or [], start=1):
            self._where = f"{path.name}: axioms[{index}] {entry.get('subject', '')}"
            try:
                self.relation(self.iri(entry["subject"]), entry)
            except (KeyError, TypeError, ValueError) as exc:
                raise InputError(
                    f"{self._where}: {exc!s}", path, line_of(path, entry.get("subject"))
                ) from exc
