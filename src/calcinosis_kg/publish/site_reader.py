"""Reading a type page's facts from the pyoxigraph store: labels, class expressions, evidence.

Why a module of its own: ``site_data`` decides what a page says and ``pages`` writes it; both
read the graph the same way through ``GraphReader`` (fixed SPARQL with RDF terms bound, never
pasted into the text; sorted lists, so the same graph gives the same pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.expressions import Expr, StoreSource, parse, property_id
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.graph.knowledge import select
from calcinosis_kg.publish.site_model import Evidence

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph, OxTerm


class GraphReader:
    """Reads labels, class expressions and axiom evidence from the pyoxigraph store."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.store = kg.store
        self.labels = kg.labels
        self.source = StoreSource(kg.store)

    def query(self, text: str, **bindings: OxTerm) -> list[pyoxigraph.QuerySolution]:
        """Rows of a SELECT, ``bindings`` substituted as RDF terms (never pasted in the text)."""
        # pyoxigraph substitutes only variables of the SELECT projection: queries project them
        return list(select(self.store, text, bindings))

    def objects(self, subject: Any, predicate: str) -> list[Any]:
        """``expressions.Source``: the objects of ``(subject, predicate)`` in the store."""
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
