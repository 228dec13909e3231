"""Association records: what the sources say *can*, *may* or *often* hold, never "every X".

``X SubClassOf R some Y`` claims R of every X and is inherited by every subclass of X, so it is
kept for what holds of every member (docs/modelling.md, rule table). Everything else the sources
state ("can lead to", "is linked to", "may", "typically", "most frequently", a list of sites) is
an association record compiled here from ``ontology/src/associations.yaml``:

* a named individual with a deterministic IRI in our namespace (the curated ``id``,
  ``CCKG:0003001`` …, range 0003000–0003999), typed ``biolink:Association`` and OBAN
  ``association`` so that SPARQL finds every record with one triple pattern;
* linked to its subject, predicate and object only through annotation properties
  (``biolink:subject`` / ``biolink:predicate`` / ``biolink:object``): HermiT ignores annotations,
  so no record can become a universal claim or be inherited, and the ontology stays OWL 2 DL;
* one record per fact: exactly one ``dcterms:source``, one ``biolink:supporting_text`` (the
  verbatim quote of that fact) and one ``RO:0002558`` *has evidence*, so a quote is always paired
  with its source;
* ``biolink:frequency_qualifier``: an HPO frequency term (HP:0040280–HP:0040285) where a source
  gives a frequency, otherwise ``CCKG:0002030`` *frequency not stated* (never a guess), plus
  ``biolink:has_percentage`` when a source gives a number. The source's own wording ("most
  frequent", "typical", "often" …) is kept verbatim as ``CCKG:0001010`` (a qualifier individual);
* ``biolink:knowledge_level`` ``knowledge_assertion`` (an author's statement) or ``observation``
  (an image caption).

``add_associations`` is called by ``build.build`` after the terms, so labels of subjects and
objects are known, and records its fact uses so the fact-ledger test sees every fact used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from calcinosis_kg.errors import InputError

if TYPE_CHECKING:
    from calcinosis_kg.build import Compiler

FILE = "associations.yaml"
BIOLINK = "https://w3id.org/biolink/vocab/"
ASSOCIATION = URIRef(BIOLINK + "Association")
OBAN_ASSOCIATION = URIRef("http://purl.org/oban/association")
SUBJECT = URIRef(BIOLINK + "subject")
PREDICATE = URIRef(BIOLINK + "predicate")
OBJECT = URIRef(BIOLINK + "object")
FREQUENCY_QUALIFIER = URIRef(BIOLINK + "frequency_qualifier")
HAS_PERCENTAGE = URIRef(BIOLINK + "has_percentage")
KNOWLEDGE_LEVEL = URIRef(BIOLINK + "knowledge_level")
FACT_ID = URIRef("http://purl.org/dc/terms/identifier")
NOT_STATED = "CCKG:0002030"
#: HPO frequency terms (verified in the shared reference table)
HPO_FREQUENCIES = {f"HP:00402{n}" for n in range(80, 86)}
KNOWLEDGE_LEVELS = {"knowledge_assertion", "observation"}
ID_RANGE = (3000, 3999)
KEYS = {"id", "subject", "predicate", "object", "fact", "frequency", "percentage",
        "knowledge_level", "annotations", "note"}


def _label(graphs: list[Graph], node: URIRef) -> str:
    for g in graphs:
        value = g.value(node, RDFS.label)
        if value is not None:
            return str(value)
    return str(node)


def add_associations(compiler: Compiler, path: Path, imports: Graph | None = None) -> int:
    """Compile ``associations.yaml`` (if present) into ``compiler.graph``; returns the count."""
    from calcinosis_kg.build import DC_SOURCE, RO_HAS_EVIDENCE, SUPPORTING_TEXT, _load_yaml

    if not path.is_file():
        return 0
    data = _load_yaml(path)
    unknown = set(data) - {"associations"}
    if unknown:
        raise InputError(f"unknown top-level section(s): {', '.join(sorted(unknown))}", path)
    g = compiler.graph
    graphs = [g] + ([imports] if imports is not None else [])
    seen: set[str] = set()
    for index, entry in enumerate(data.get("associations") or [], start=1):
        compiler._where = f"{path.name}: associations[{index}] {entry.get('id', '')}".strip()
        try:
            node = _record(compiler, entry, seen)
            fact = compiler.facts[entry["fact"]]
            subject, predicate, obj = (compiler.iri(entry[k])
                                       for k in ("subject", "predicate", "object"))
            g.add((node, RDF.type, OWL.NamedIndividual))
            g.add((node, RDF.type, ASSOCIATION))
            g.add((node, RDF.type, OBAN_ASSOCIATION))
            g.add((node, RDFS.label, Literal(
                f"{_label(graphs, subject)} {_label(graphs, predicate)} "
                f"{_label(graphs, obj)} ({fact.id})")))
            g.add((node, RDFS.comment, Literal(fact.statement)))
            g.add((node, SUBJECT, subject))
            g.add((node, PREDICATE, predicate))
            g.add((node, OBJECT, obj))
            g.add((node, DC_SOURCE, compiler.source_iri(fact.source)))
            g.add((node, SUPPORTING_TEXT, Literal(fact.quote)))
            g.add((node, RO_HAS_EVIDENCE, compiler.iri(fact.eco)))
            g.add((node, FACT_ID, Literal(fact.id)))
            frequency = entry.get("frequency") or NOT_STATED
            if frequency != NOT_STATED and frequency not in HPO_FREQUENCIES:
                raise ValueError("frequency must be an HPO frequency term "
                                 f"{sorted(HPO_FREQUENCIES)} or omitted (not stated), "
                                 f"not {frequency!r}")
            g.add((node, FREQUENCY_QUALIFIER, compiler.iri(frequency)))
            if "percentage" in entry:
                g.add((node, HAS_PERCENTAGE, Literal(str(entry["percentage"]),
                                                     datatype=XSD.decimal)))
            level = entry.get("knowledge_level", "knowledge_assertion")
            if level not in KNOWLEDGE_LEVELS:
                raise ValueError(f"knowledge_level must be one of {sorted(KNOWLEDGE_LEVELS)}")
            g.add((node, KNOWLEDGE_LEVEL, Literal(level)))
            for prop, value in compiler.qualifiers(entry):
                g.add((node, prop, value))
            if entry.get("note"):
                g.add((node, URIRef("http://purl.obolibrary.org/obo/IAO_0000116"),
                       Literal(str(entry["note"]))))
            compiler.fact_uses.setdefault(fact.id, []).append(compiler._where)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            from calcinosis_kg.build import _line_of

            raise InputError(f"{compiler._where}: {exc!s}", path,
                             _line_of(path, entry.get("id") if isinstance(entry, dict) else None)
                             ) from exc
    return len(seen)


def _record(compiler: Compiler, entry: Any, seen: set[str]) -> URIRef:
    if not isinstance(entry, dict):
        raise ValueError("an association is a mapping")
    extra = set(entry) - KEYS
    if extra:
        raise ValueError(f"unknown key(s) {sorted(extra)}")
    missing = [k for k in ("id", "subject", "predicate", "object", "fact") if k not in entry]
    if missing:
        raise ValueError(f"missing key(s) {missing}")
    curie = str(entry["id"])
    prefix, _, number = curie.partition(":")
    if prefix != "CCKG" or not (number.isdigit() and len(number) == 7
                                and ID_RANGE[0] <= int(number) <= ID_RANGE[1]):
        raise ValueError(f"association id {curie!r} must be CCKG:0003000-CCKG:0003999")
    if curie in seen:
        raise ValueError(f"duplicate association id {curie}")
    seen.add(curie)
    if not isinstance(entry["fact"], str):
        raise ValueError("an association rests on exactly one fact (one record per fact)")
    compiler.fact_ids(entry["fact"])
    return compiler.iri(curie)


def kgx_edges(graph: Graph, predicates: dict[str, str], fallback: str,
              primary_source: str) -> list[tuple[dict[str, str], URIRef, URIRef]]:
    """KGX edge rows (with their subject and object nodes) for the association records of
    ``graph``: one edge per record, id = the record's CURIE, the Biolink predicate mapped from the
    record's predicate, its knowledge level, frequency qualifier and provenance."""
    from calcinosis_kg.obo import curie

    out = []
    for record in sorted(graph.subjects(RDF.type, ASSOCIATION), key=str):
        subject, predicate, obj = (graph.value(record, p) for p in (SUBJECT, PREDICATE, OBJECT))
        if not (isinstance(subject, URIRef) and isinstance(obj, URIRef) and predicate):
            continue
        original = curie(predicate)
        frequency = graph.value(record, FREQUENCY_QUALIFIER)
        row = {
            "id": curie(record), "subject": curie(subject),
            "predicate": predicates.get(original, fallback), "object": curie(obj),
            "original_predicate": original,
            "knowledge_level": str(graph.value(record, KNOWLEDGE_LEVEL) or "knowledge_assertion"),
            "agent_type": "manual_agent", "primary_knowledge_source": primary_source,
            "publications": "|".join(sorted(curie(v) for v in graph.objects(
                record, URIRef("http://purl.org/dc/terms/source")))),
            "has_evidence": "|".join(sorted(curie(v) for v in graph.objects(
                record, URIRef("http://purl.obolibrary.org/obo/RO_0002558")))),
            "supporting_text": "|".join(sorted(str(v) for v in graph.objects(
                record, URIRef(BIOLINK + "supporting_text")))),
            "frequency_qualifier": curie(frequency) if frequency is not None else "",
        }
        out.append((row, subject, obj))
    return out


#: suffix of the documentation-site sections that list association records
DOCS_SECTION_SUFFIX = " (associations: stated of some cases, not of every one)"

_DOCS_ROWS = """
PREFIX biolink: <https://w3id.org/biolink/vocab/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?o ?quote ?source WHERE {
  ?r a biolink:Association ; biolink:subject ?s ; biolink:predicate ?p ; biolink:object ?o ;
     biolink:supporting_text ?quote ; dcterms:source ?source .
}
"""


def docs_rows(store: Any, iri: str) -> list[tuple[str, str, str, str, str]]:
    """(direction "out"/"in", predicate IRI, other IRI, quote, source IRI) of the association
    records whose subject ("out") or object ("in") is ``iri``, for the documentation site."""
    out = []
    for row in store.query(_DOCS_ROWS):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        quote, source = row["quote"].value, row["source"].value
        if s == iri:
            out.append(("out", p, o, quote, source))
        if o == iri:
            out.append(("in", p, s, quote, source))
    return sorted(out)
