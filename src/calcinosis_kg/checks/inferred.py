"""The inferred class hierarchy as RDF: what ``export``/``query --inferred`` and the releases add.

``inferred_graph`` holds only the edges HermiT entails that nobody asserted (cached under the
graph's content digest, so only the first call per ontology version waits for HermiT);
``hierarchy_graph`` is HermiT's whole direct hierarchy with labels (``reason --turtle``);
``inferred_kg`` is a loaded graph plus the inferred edges.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from calcinosis_kg.checks import cache
from calcinosis_kg.checks.explain import Axioms
from calcinosis_kg.checks.hermit import reason
from calcinosis_kg.checks.verdict import ReasoningError, ReasoningResult
from calcinosis_kg.core.serialize import bind_prefixes
from calcinosis_kg.core.vocab import OWL_EQUIVALENT_CLASS, OWL_NOTHING, RDFS_LABEL, RDFS_SUBCLASS_OF

if TYPE_CHECKING:
    import rdflib

    from calcinosis_kg.graph.knowledge import KnowledgeGraph


def _hierarchy(
    kg: KnowledgeGraph,
    pairs: Iterable[tuple[str, str]],
    equivalences: Iterable[tuple[str, str]],
    with_labels: bool,
) -> rdflib.Graph:
    import rdflib

    subclass_of = rdflib.URIRef(RDFS_SUBCLASS_OF)
    equivalent_class = rdflib.URIRef(OWL_EQUIVALENT_CLASS)
    g = rdflib.Graph()
    bind_prefixes(g)
    axioms = Axioms.of(kg) if with_labels else None
    for a, b in pairs:
        g.add((rdflib.URIRef(a), subclass_of, rdflib.URIRef(b)))
    for a, b in equivalences:
        g.add((rdflib.URIRef(a), equivalent_class, rdflib.URIRef(b)))
    if axioms:
        for node in set(g.subjects()) | set(g.objects()):
            label = axioms.label(str(node))
            if label:
                g.add((node, rdflib.URIRef(RDFS_LABEL), rdflib.Literal(label)))
    return g


def inferred_graph(
    kg: KnowledgeGraph, result: ReasoningResult | None = None, use_cache: bool = True
) -> rdflib.Graph:
    """The inferred, non-asserted direct rdfs:subClassOf edges (and inferred equivalences).

    Used by ``export --inferred`` and ``query --inferred``; the edges are cached under the
    graph's content digest, so only the first call per ontology version waits for HermiT.
    Raises ReasoningError if HermiT could not run or the ontology is inconsistent.
    """

    key = cache.stage_key("inferred " + cache.digest_files(cache.code_files([__name__])), kg.digest)
    cached = cache.load_json("inferred", key) if use_cache and result is None else None
    if isinstance(cached, dict):
        pairs = [tuple(p) for p in cached["subclass"]]
        equivalences = [tuple(p) for p in cached["equivalent"]]
    else:
        result = result or reason(kg)
        _require_consistent(result)
        pairs, equivalences = result.inferred_subclass_pairs, result.inferred_equivalent_pairs
        if use_cache:
            cache.save_json("inferred", key, {"subclass": pairs, "equivalent": equivalences})
    return _hierarchy(kg, pairs, equivalences, with_labels=False)


def hierarchy_graph(kg: KnowledgeGraph, result: ReasoningResult) -> rdflib.Graph:
    """HermiT's whole direct class hierarchy (asserted and inferred), with labels."""
    equivalences = [(a, b) for g in result.equivalent_groups for a in g for b in g if a < b]
    equivalences += [(c, OWL_NOTHING) for c in result.unsatisfiable]
    return _hierarchy(kg, result.direct_pairs, equivalences, with_labels=True)


def _require_consistent(result: ReasoningResult) -> None:
    if result.consistent is None:
        raise ReasoningError(result.error)
    if result.consistent is False:
        raise ReasoningError("the ontology is inconsistent: no inferred hierarchy")


def inferred_kg(kg: KnowledgeGraph) -> KnowledgeGraph:
    """``kg`` plus the reasoner's inferred class hierarchy (``inferred_graph``)."""
    return kg.with_triples(inferred_graph(kg), tag="inferred")
