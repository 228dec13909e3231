"""``search`` (find classes by label or synonym) and ``info`` (what the graph holds, in numbers).

Both read the shared pyoxigraph Store with fixed SPARQL (no user text in queries: the search text
is matched in Python), so they answer in milliseconds and never depend on rdflib.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from calcinosis_kg.answers.show_groups import namesake_sentence
from calcinosis_kg.core.prefixes import compress, expand, prefix_map
from calcinosis_kg.core.version import __version__
from calcinosis_kg.core.vocab import RDFS_LABEL, SKOS_ALT_LABEL, SYNONYM_SCOPES
from calcinosis_kg.graph.knowledge import select

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

SYNONYM_PROPERTIES = {**SYNONYM_SCOPES, SKOS_ALT_LABEL: "alt"}

_NAMES_QUERY = """
SELECT ?class ?property ?text WHERE {
  ?class a owl:Class .
  FILTER(isIRI(?class))
  ?class ?property ?text .
  FILTER(isLiteral(?text))
  VALUES ?property { rdfs:label oboInOwl:hasExactSynonym oboInOwl:hasRelatedSynonym
                     oboInOwl:hasBroadSynonym oboInOwl:hasNarrowSynonym skos:altLabel }
}
"""


@dataclass(frozen=True)
class SearchHit:
    """A class that matched: its CURIE, label, and the synonym that matched (if not the label)."""

    curie: str
    label: str
    matched: str
    field: str  # "label", "id" or the synonym kind (exact, related, broad, narrow, alt)
    score: int
    note: str = ""  # how it differs from a class of the same name (the cards' namesake line)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _rank(query: str, text: str, is_label: bool) -> int | None:
    """Lower is better; None when ``text`` does not match ``query``."""
    q, t = _normalise(query), _normalise(text)
    if not q:
        return None
    offset = 0 if is_label else 1
    if t == q:
        return 0 + offset
    if t.startswith(q):
        return 2 + offset
    if q in t:
        return 4 + offset
    tokens = t.split()
    if all(any(tok.startswith(part) for tok in tokens) for part in q.split()):
        return 6 + offset
    return None


def search(kg: KnowledgeGraph, text: str, limit: int | None = None) -> list[SearchHit]:
    """Classes whose label or synonym matches ``text`` (case-insensitive substring or tokens).

    Best first: exact label, exact synonym, prefix, substring, then every-word-prefix matches.
    A CURIE or IRI of a class matches that class. Each ``SearchHit`` has the class's ``curie``
    and ``label``, the synonym that ``matched`` (empty for the label) and its ``field``.
    """

    best: dict[str, SearchHit] = {}
    labels = kg.labels
    wanted_iri = None
    try:
        wanted_iri = expand(text.strip()) if ":" in text else None
    except ValueError:
        wanted_iri = None
    for solution in select(kg.store, _NAMES_QUERY, prefixes=prefix_map()):
        iri = solution["class"].value
        prop = solution["property"].value
        value = solution["text"].value
        is_label = prop == RDFS_LABEL
        score = _rank(text, value, is_label)
        if iri == wanted_iri:
            score, is_label, value, prop = -1, True, labels.get(iri, value), RDFS_LABEL
        if score is None:
            continue
        hit = SearchHit(
            curie=compress(iri),
            label=labels.get(iri, ""),
            matched="" if is_label else value,
            field="id"
            if score == -1
            else "label"
            if is_label
            else SYNONYM_PROPERTIES.get(prop, "synonym"),
            score=score,
        )
        current = best.get(iri)
        if current is None or (hit.score, hit.matched) < (current.score, current.matched):
            best[iri] = hit
    hits = sorted(best.values(), key=lambda h: (h.score, h.label.casefold(), h.curie))
    hits = hits[:limit] if limit else hits
    notes = namesake_notes(kg) if len({h.label.casefold() for h in hits}) < len(hits) else {}
    return [replace(h, note=notes.get(h.curie, "")) for h in hits]


_NAMESAKES_QUERY = """
SELECT ?disease ?phenotype ?dlabel ?plabel ?xref ?mapping WHERE {
  ?disease rdfs:subClassOf ?r .
  ?r owl:onProperty <http://purl.obolibrary.org/obo/RO_0002200> ; owl:someValuesFrom ?phenotype .
  ?disease rdfs:label ?dlabel . ?phenotype rdfs:label ?plabel .
  FILTER(isIRI(?phenotype) && LCASE(STR(?dlabel)) = LCASE(STR(?plabel)))
  OPTIONAL { ?axiom owl:annotatedSource ?disease ; owl:annotatedTarget ?xref ;
                    <https://w3id.org/sssom/predicate_id> ?mapping . }
}
"""


def namesake_notes(kg: KnowledgeGraph) -> dict[str, str]:
    """CURIE → the cards' line for a disease and the phenotype of the same name that every case
    of it has (``disease ⊑ has phenotype some phenotype``), for both classes."""

    pairs: dict[tuple[str, str], tuple[str, str, str]] = {}
    for row in select(kg.store, _NAMESAKES_QUERY, prefixes=prefix_map()):
        disease, phenotype = compress(row["disease"].value), compress(row["phenotype"].value)
        mapped = row["xref"] is not None and row["xref"].value == phenotype
        known = pairs.get((disease, phenotype))
        if known is None or (mapped and not known[2]):
            pairs[(disease, phenotype)] = (
                f"{row['dlabel'].value} ({disease})",
                f"{row['plabel'].value} ({phenotype})",
                compress(row["mapping"].value) if mapped else "",
            )
    out: dict[str, str] = {}
    for disease_text, phenotype_text, mapping in sorted(pairs.values()):
        text = namesake_sentence(disease_text, phenotype_text, mapping)
        out[disease_text.rsplit(" (", 1)[1][:-1]] = f"not the same as {phenotype_text}: {text}"
        out[phenotype_text.rsplit(" (", 1)[1][:-1]] = f"not the same as {disease_text}: {text}"
    return out


@dataclass
class GraphInfo:
    """Counts a curator checks at a glance after an edit."""

    package_version: str
    ontologies: list[dict[str, str]] = field(default_factory=list)
    triples: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    local_entities: dict[str, int] = field(default_factory=dict)
    axioms: dict[str, int] = field(default_factory=dict)
    mappings: dict[str, int] = field(default_factory=dict)
    mapping_predicates: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    digest: str = ""

    def to_dict(self) -> dict[str, object]:
        """The counts as plain data (``info --format json``)."""
        return asdict(self)


_ENTITY_TYPES = {
    "classes": "owl:Class",
    "object_properties": "owl:ObjectProperty",
    "data_properties": "owl:DatatypeProperty",
    "annotation_properties": "owl:AnnotationProperty",
    "individuals": "owl:NamedIndividual",
}

_AXIOM_QUERIES = {
    "subclass": "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:subClassOf ?b . FILTER(isIRI(?a)) }",
    "subclass_named": "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:subClassOf ?b . "
    "FILTER(isIRI(?a) && isIRI(?b)) }",
    "subclass_restriction": "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:subClassOf ?b . "
    "FILTER(isIRI(?a) && isBlank(?b)) }",
    "equivalent": "SELECT (COUNT(*) AS ?n) WHERE { ?a owl:equivalentClass ?b }",
    "disjoint": "SELECT (COUNT(*) AS ?n) WHERE { { ?a owl:disjointWith ?b } UNION "
    "{ ?a a owl:AllDisjointClasses } }",
    "annotated": "SELECT (COUNT(*) AS ?n) WHERE { ?a a owl:Axiom }",
    "class_assertions": "SELECT (COUNT(*) AS ?n) WHERE { ?i a owl:NamedIndividual ; a ?c . "
    "FILTER(?c != owl:NamedIndividual) }",
}


def info(kg: KnowledgeGraph) -> GraphInfo:
    """Version, ontology header, entity counts, axioms by kind and mappings by target prefix."""

    prefixes = prefix_map()
    local_ns = prefixes.get("CCKG", "")

    def rows(query: str) -> list[pyoxigraph.QuerySolution]:
        return list(select(kg.store, query, prefixes=prefixes))

    result = GraphInfo(
        package_version=__version__,
        triples=len(kg.store),
        files=[str(p) for p in kg.files],
        digest=kg.digest,
    )
    for row in rows(
        "SELECT ?o ?version ?iri ?title WHERE { ?o a owl:Ontology . "
        "OPTIONAL { ?o owl:versionInfo ?version } "
        "OPTIONAL { ?o owl:versionIRI ?iri } "
        "OPTIONAL { ?o dcterms:title ?title } } ORDER BY ?o"
    ):
        result.ontologies.append(
            {
                "iri": row["o"].value,
                "version_info": row["version"].value if row["version"] else "",
                "version_iri": row["iri"].value if row["iri"] else "",
                "title": row["title"].value if row["title"] else "",
            }
        )
    for name, owl_type in _ENTITY_TYPES.items():
        subjects = {
            row["e"].value
            for row in rows(f"SELECT DISTINCT ?e WHERE {{ ?e a {owl_type} . FILTER(isIRI(?e)) }}")
        }
        result.entities[name] = len(subjects)
        result.local_entities[name] = sum(1 for s in subjects if s.startswith(local_ns))
    for name, query in _AXIOM_QUERIES.items():
        result.axioms[name] = int(rows(query)[0]["n"].value)
    xrefs: Counter[str] = Counter()
    for row in rows("SELECT ?x WHERE { ?c oboInOwl:hasDbXref ?x . FILTER(isIRI(?c)) }"):
        value = row["x"].value
        xrefs[value.split(":", 1)[0] if ":" in value else "(no prefix)"] += 1
    result.mappings = dict(sorted(xrefs.items(), key=lambda kv: (-kv[1], kv[0])))
    preds: Counter[str] = Counter()
    for row in rows(
        "SELECT ?p ?t WHERE { VALUES ?p { skos:exactMatch skos:closeMatch "
        "skos:broadMatch skos:narrowMatch skos:relatedMatch } ?c ?p ?t }"
    ):
        preds[compress(row["p"].value)] += 1
    result.mapping_predicates = dict(sorted(preds.items(), key=lambda kv: (-kv[1], kv[0])))
    return result


def render_info(data: GraphInfo) -> str:
    """A short human-readable summary."""
    lines = [f"calcinosis-kg {data.package_version}"]
    for onto in data.ontologies:
        version = f" version {onto['version_info']}" if onto["version_info"] else ""
        lines.append(f"ontology: {onto['iri']}{version}")
    lines.append(f"triples: {data.triples}")
    lines.append(
        "entities: "
        + ", ".join(
            f"{n.replace('_', ' ')} {data.entities[n]} ({data.local_entities[n]} CCKG)"
            for n in data.entities
        )
    )
    axioms = data.axioms
    lines.append(
        f"axioms: subclass {axioms['subclass']} (named parent {axioms['subclass_named']}, "
        f"restriction {axioms['subclass_restriction']}), equivalent {axioms['equivalent']}, "
        f"disjoint {axioms['disjoint']}, annotated (provenance) {axioms['annotated']}, "
        f"class assertions {axioms['class_assertions']}"
    )
    if data.mappings:
        lines.append(
            "mappings (xrefs by target): " + ", ".join(f"{k} {v}" for k, v in data.mappings.items())
        )
    if data.mapping_predicates:
        lines.append(
            "mapping predicates: "
            + ", ".join(f"{k} {v}" for k, v in data.mapping_predicates.items())
        )
    lines.append(f"digest: {data.digest[:16]}")
    return "\n".join(lines) + "\n"
