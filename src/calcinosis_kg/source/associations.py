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

from calcinosis_kg.core import vocab
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.source.compiler import DC_SOURCE, RO_HAS_EVIDENCE, SUPPORTING_TEXT
from calcinosis_kg.source.yamlfiles import line_of, load_yaml

if TYPE_CHECKING:
    from calcinosis_kg.source.compiler import Compiler

FILE = "associations.yaml"
ASSOCIATION = URIRef(vocab.BIOLINK_ASSOCIATION)
OBAN_ASSOCIATION = URIRef(vocab.OBAN_ASSOCIATION)
SUBJECT = URIRef(vocab.BIOLINK_SUBJECT)
PREDICATE = URIRef(vocab.BIOLINK_PREDICATE)
OBJECT = URIRef(vocab.BIOLINK_OBJECT)
FREQUENCY_QUALIFIER = URIRef(vocab.BIOLINK_FREQUENCY_QUALIFIER)
HAS_PERCENTAGE = URIRef(vocab.BIOLINK_HAS_PERCENTAGE)
KNOWLEDGE_LEVEL = URIRef(vocab.BIOLINK_KNOWLEDGE_LEVEL)
FACT_ID = URIRef(vocab.DC_IDENTIFIER)
NOT_STATED = "CCKG:0002030"
#: HPO frequency terms (verified in the shared reference table)
HPO_FREQUENCIES = {f"HP:00402{n}" for n in range(80, 86)}
KNOWLEDGE_LEVELS = {"knowledge_assertion", "observation"}
ID_RANGE = (3000, 3999)
KEYS = {
    "id",
    "subject",
    "predicate",
    "object",
    "fact",
    "frequency",
    "percentage",
    "knowledge_level",
    "annotations",
    "note",
}


def _label(graphs: list[Graph], node: URIRef) -> str:
    for g in graphs:
        value = g.value(node, RDFS.label)
        if value is not None:
            return str(value)
    return str(node)


def add_associations(compiler: Compiler, path: Path, imports: Graph | None = None) -> int:
    """Compile ``associations.yaml`` (if present) into ``compiler.graph``; returns the count."""
    if not path.is_file():
        return 0
    data = load_yaml(path)
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
            subject, predicate, obj = (
                compiler.iri(entry[k]) for k in ("subject", "predicate", "object")
            )
            g.add((node, RDF.type, OWL.NamedIndividual))
            g.add((node, RDF.type, ASSOCIATION))
            g.add((node, RDF.type, OBAN_ASSOCIATION))
            g.add(
                (
                    node,
                    RDFS.label,
                    Literal(
                        f"{_label(graphs, subject)} {_label(graphs, predicate)} "
                        f"{_label(graphs, obj)} ({fact.id})"
                    ),
                )
            )
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
                raise ValueError(
                    "frequency must be an HPO frequency term "
                    f"{sorted(HPO_FREQUENCIES)} or omitted (not stated), "
                    f"not {frequency!r}"
                )
            g.add((node, FREQUENCY_QUALIFIER, compiler.iri(frequency)))
            if "percentage" in entry:
                g.add(
                    (node, HAS_PERCENTAGE, Literal(str(entry["percentage"]), datatype=XSD.decimal))
                )
            level = entry.get("knowledge_level", "knowledge_assertion")
            if level not in KNOWLEDGE_LEVELS:
                raise ValueError(f"knowledge_level must be one of {sorted(KNOWLEDGE_LEVELS)}")
            g.add((node, KNOWLEDGE_LEVEL, Literal(level)))
            for prop, value in compiler.qualifiers(entry):
                g.add((node, prop, value))
            if entry.get("note"):
                g.add((node, URIRef(vocab.IAO_EDITOR_NOTE), Literal(str(entry["note"]))))
            compiler.fact_uses.setdefault(fact.id, []).append(compiler._where)
        except InputError:
            raise
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{compiler._where}: {exc!s}",
                path,
                line_of(path, entry.get("id") if isinstance(entry, dict) else None),
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
    if prefix != "CCKG" or not (
        number.isdigit() and len(number) == 7 and ID_RANGE[0] <= int(number) <= ID_RANGE[1]
    ):
        raise ValueError(f"association id {curie!r} must be CCKG:0003000-CCKG:0003999")
    if curie in seen:
        raise ValueError(f"duplicate association id {curie}")
    seen.add(curie)
    if not isinstance(entry["fact"], str):
        raise ValueError("an association rests on exactly one fact (one record per fact)")
    compiler.fact_ids(entry["fact"])
    return compiler.iri(curie)
