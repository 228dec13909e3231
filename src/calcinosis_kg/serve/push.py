"""``push``: put the release (and case data) into a remote store with the SPARQL 1.1 Graph Store
HTTP Protocol, one streamed PUT per named graph, then check the store holds every triple.

Why PUT and not INSERT DATA in chunks: PUT replaces the graph in one request, so pushing twice
leaves the same graph (idempotent), no partial state is left between chunks, and the body streams
from a temporary N-Triples file instead of being held in memory. The count check asks the store's
SPARQL endpoint for the graph's triple count (the graph IRI bound as a term in a VALUES block).
"""

from __future__ import annotations

import os
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.text import terminal_safe
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import inferred_triples
from calcinosis_kg.serve.graph_names import data_graph_iris, inferred_graph_iri
from calcinosis_kg.serve.remote import Client, RemoteError, public, select

if TYPE_CHECKING:
    from pathlib import Path

    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

# the graph IRI joins as a VALUES row of a pyoxigraph-serialised term (validated, escaped)
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {graph} }} GRAPH ?g {{ ?s ?p ?o }} }}"


@dataclass(frozen=True)
class Pushed:
    """One graph pushed: its IRI, triples sent, triples the store reports, seconds taken."""

    graph: str
    sent: int
    stored: int
    seconds: float


def graph_url(store_url: str, graph: str) -> str:
    """The Graph Store Protocol URL of ``graph`` (indirect identification: ``?graph=IRI``)."""
    sep = "&" if urllib.parse.urlsplit(store_url).query else "?"
    return f"{store_url}{sep}{urllib.parse.urlencode({'graph': graph})}"


def check_graph_iri(graph: str, what: str = "--graph") -> str:
    """``graph`` if it is an absolute IRI (pyoxigraph's parser decides), else ``InputError``:
    checked before anything is sent, so a bad name never reaches a store."""
    import pyoxigraph

    try:
        node = pyoxigraph.NamedNode(graph)
    except ValueError as exc:
        raise InputError(
            f"{what} {terminal_safe(graph[:200])!r}: not an absolute IRI ({exc})"
        ) from None
    return node.value


def count_triples(client: Client, endpoint: str, graph: str) -> int:
    """Triples the store holds in ``graph`` (asked through its SPARQL endpoint; the answer must
    be one row with a whole-number literal)."""
    import pyoxigraph

    data = select(client, endpoint, COUNT_QUERY.format(graph=pyoxigraph.NamedNode(graph)))
    rows = data.get("rows", [])
    if not rows:
        return 0
    cell = dict(zip(data.get("vars", []), rows[0], strict=True)).get("n")
    if (
        len(rows) != 1
        or cell is None
        or cell[0] != "literal"
        or not (cell[1].isascii() and cell[1].isdigit() and len(cell[1]) <= 18)
    ):
        raise RemoteError(f"{public(endpoint)} gave no triple count for <{graph}>")
    return int(cell[1])


def push_graph(
    client: Client, store_url: str, endpoint: str, graph: str, triples: Iterable[pyoxigraph.Triple]
) -> Pushed:
    """PUT ``triples`` as ``graph`` (streamed from a temporary N-Triples file), then verify."""
    import pyoxigraph

    started = time.perf_counter()
    unique = set(triples)
    with tempfile.TemporaryDirectory(prefix="calcinosis-kg-push-") as folder:
        path = os.path.join(folder, "graph.nt")
        pyoxigraph.serialize(unique, path, format=pyoxigraph.RdfFormat.N_TRIPLES)
        size = os.path.getsize(path)
        with open(path, "rb") as body:
            client.send(
                "PUT",
                graph_url(store_url, graph),
                body,
                {"Content-Type": "text/turtle", "Content-Length": str(size)},
            )
    stored = count_triples(client, endpoint, graph)
    if stored != len(unique):
        raise RemoteError(
            f"{public(endpoint)} holds {stored} triples in <{graph}> after the "
            f"push, {len(unique)} were sent"
        )
    return Pushed(graph, len(unique), stored, time.perf_counter() - started)


def push(
    client: Client,
    store_url: str,
    endpoint: str,
    graphs: Iterable[tuple[str, Iterable[pyoxigraph.Triple]]],
    progress: Callable[[Pushed], None] | None = None,
) -> list[Pushed]:
    """Push every (graph IRI, triples) pair; one PUT each, verified before the next."""
    done = []
    for graph, triples in graphs:
        pushed = push_graph(client, store_url, endpoint, graph, triples)
        if progress:
            progress(pushed)
        done.append(pushed)
    return done


def release_graphs(
    kg: KnowledgeGraph, graph: str, data: Iterable[Path] = (), inferred: bool = False
) -> list[tuple[str, list[pyoxigraph.Triple]]]:
    """(IRI, triples) to push: the release as ``graph``, HermiT's additions as ``graph/inferred``
    and each data file as ``graph/data/<stem>``."""

    graphs = [(graph, [q.triple for q in kg.store])]
    names = graph_names(graph, data, inferred)
    if inferred:
        graphs.append((names[1], inferred_triples(kg)))
    for name, path in zip(names[1 + inferred :], data, strict=True):
        graphs.append((name, [q.triple for q in load([path]).store]))
    return graphs


def graph_names(graph: str, data: Iterable[Path] = (), inferred: bool = False) -> list[str]:
    """The graph IRIs ``release_graphs`` pushes, each checked (``check_graph_iri``): ``graph``,
    then ``graph/inferred`` and ``graph/data/<stem>`` named as ``serve`` names them
    (``serve.graph_names``: percent-encoded stems, ``-2`` for a stem given twice)."""
    check_graph_iri(graph)
    names = [graph] + ([inferred_graph_iri(graph)] if inferred else [])
    names += data_graph_iris(data, graph, taken=names)
    return [check_graph_iri(name, "graph") for name in names]
