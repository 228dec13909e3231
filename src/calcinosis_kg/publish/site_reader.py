"""Reading the site's types and header from the pyoxigraph store: labels, literals, queries.

Why a module of its own: ``site_data`` (which classes get a page) and ``docs`` (the site's title
and description) read the graph the same way through ``GraphReader`` (fixed SPARQL with RDF terms
bound, never pasted into the text; sorted lists, so the same graph gives the same pages). What a
type page says is the class card (``answers.show``), not read here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.graph.knowledge import select

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph, OxTerm


class GraphReader:
    """Reads labels, literals and query rows from the pyoxigraph store."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.store = kg.store
        self.labels = kg.labels

    def query(self, text: str, **bindings: OxTerm) -> list[pyoxigraph.QuerySolution]:
        """Rows of a SELECT, ``bindings`` substituted as RDF terms (never pasted in the text)."""
        # pyoxigraph substitutes only variables of the SELECT projection: queries project them
        return list(select(self.store, text, bindings))

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        """The objects of ``(subject, predicate)`` in the store."""
        import pyoxigraph as ox

        return [
            q.object for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None)
        ]

    def literals(self, subject: Any, predicate: str) -> list[str]:
        """The literal values of ``(subject, predicate)``, sorted (deterministic pages)."""
        import pyoxigraph as ox

        return sorted(
            o.value for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)
        )

    def label(self, iri: str) -> str:
        """The term's preferred rdfs:label (``KnowledgeGraph.labels``), else its CURIE."""
        return self.labels.get(iri) or compress(iri)
