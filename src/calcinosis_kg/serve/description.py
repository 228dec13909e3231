"""The SPARQL 1.1 Service Description of the endpoint: what ``GET /sparql`` without a query
returns (SPARQL 1.1 Protocol §2.1; Service Description §3).

Why: clients and people discover an endpoint's dataset, formats and features from it. It names
the endpoint's URL, the query language, every result format served, the union default graph and
each named graph with its triple count (VoID); the limits travel in the ``X-…`` headers of
every answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.core.vocab import FORMATS, RDF, SD, VOID, XSD

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Dataset

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


def describe(dataset: Dataset, endpoint: str, fmt: str) -> bytes:
    """The description of the endpoint at ``endpoint`` in RDF format ``fmt`` (``turtle`` …)."""
    import pyoxigraph as ox

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    service, data, default = (
        ox.BlankNode("service"),
        ox.BlankNode("dataset"),
        ox.BlankNode("default"),
    )
    a = iri(RDF + "type")
    triples = [
        ox.Triple(service, a, iri(SD + "Service")),
        ox.Triple(service, iri(SD + "endpoint"), iri(endpoint)),
        ox.Triple(service, iri(SD + "supportedLanguage"), iri(SD + "SPARQL11Query")),
        ox.Triple(service, iri(SD + "feature"), iri(SD + "UnionDefaultGraph")),
        ox.Triple(service, iri(SD + "defaultDataset"), data),
        ox.Triple(data, a, iri(SD + "Dataset")),
        ox.Triple(data, iri(SD + "defaultGraph"), default),
        ox.Triple(default, a, iri(SD + "Graph")),  # the union of the named graphs
    ]
    triples += [
        ox.Triple(service, iri(SD + "resultFormat"), iri(FORMATS + name)) for name in RESULT_FORMATS
    ]
    for index, (name, count) in enumerate(sorted(dataset.graphs.items())):
        node, graph = ox.BlankNode(f"named{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(data, iri(SD + "namedGraph"), node),
            ox.Triple(node, a, iri(SD + "NamedGraph")),
            ox.Triple(node, iri(SD + "name"), iri(name)),
            ox.Triple(node, iri(SD + "graph"), graph),
            ox.Triple(graph, a, iri(SD + "Graph")),
            ox.Triple(
                graph, iri(VOID + "triples"), ox.Literal(str(count), datatype=iri(XSD + "integer"))
            ),
        ]
    rdf_format = {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "rdfxml": ox.RdfFormat.RDF_XML,
    }[fmt]
    prefixes = (
        {"sd": SD, "void": VOID, "formats": FORMATS, **prefix_map()}
        if fmt in ("turtle", "rdfxml")
        else None
    )
    return ox.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
