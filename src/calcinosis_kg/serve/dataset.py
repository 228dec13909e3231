"""The dataset a server answers from: the ontology (asserted and inferred) and case data, each a
named graph of one pyoxigraph Store whose default graph is their union.

Why named graphs: a client can ask for exactly the asserted axioms (``GRAPH <…/asserted>``), the
reasoner's additions (``GRAPH <…/inferred>``) or one data file, while plain queries see
everything. Data and inferred graphs are named as ``push`` names them (``serve.graph_names``), so
a query naming them runs unchanged against Virtuoso or Oxigraph after
``push --graph https://w3id.org/calcinosis-kg/graph/`` (the release itself is that IRI in the
store, ``…/graph/asserted`` here). A data file may
also be given a graph IRI of its own (``IRI=PATH``), which is how the W3C protocol tests, whose
queries name their graphs, run unchanged.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.graph.knowledge import from_rdflib, labels_of, load
from calcinosis_kg.graph.sparql_text import with_values
from calcinosis_kg.serve.graph_names import ASSERTED, INFERRED, data_graph_iris

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph


@dataclass
class Answer:
    """What a query gave, cut at the row limit: ``truncated`` says whether rows were dropped."""

    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[
        tuple[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None, ...]
    ] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[pyoxigraph.Triple] = field(default_factory=list)
    truncated: bool = False


@dataclass
class Dataset:
    """One Store of named graphs plus the label table of every IRI in it."""

    store: pyoxigraph.Store
    graphs: dict[str, int]  # graph IRI -> triple count
    labels: dict[str, str]

    def run(
        self,
        text: str,
        substitutions: Mapping[str, object] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        row_limit: int = 10_000,
        base_iri: str | None = None,
        max_chars: int | None = None,
    ) -> Answer:
        """Run a guarded query (see ``guard.check_query``) with bound terms, cut at ``row_limit``,
        over exactly the dataset given (``guard.query_dataset``): ``None`` is the union default
        graph / every named graph, a list (possibly empty) exactly those graphs. Relative IRIs
        resolve against ``base_iri`` (the endpoint's URL). The server runs this in a worker
        process killed at the deadline (``serve.pool``), or in the server itself for a query of
        bounded work (``serve.fast``), where ``max_chars`` bounds the characters of the terms
        held (``AnswerTooLarge`` past it)."""
        import pyoxigraph

        subs: dict[
            pyoxigraph.Variable,
            pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple,
        ] = {pyoxigraph.Variable(k): v for k, v in (substitutions or {}).items()}  # type: ignore[misc]
        default: list[pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.DefaultGraph] | None
        default = (
            None if default_graphs is None else [pyoxigraph.NamedNode(g) for g in default_graphs]
        )
        named: list[pyoxigraph.NamedNode | pyoxigraph.BlankNode] | None
        named = None if named_graphs is None else [pyoxigraph.NamedNode(g) for g in named_graphs]

        # only the curated prefixes the text may use ("name:" occurs in it): a superset of those
        # it does use, and handing pyoxigraph all of them costs more than a point query
        prefixes = _prefixes(text) if len(text) <= 4096 else _prefixes.__wrapped__(text)

        def query(text: str, substitutions: dict | None) -> Any:
            # explicit lists (even empty) replace any FROM / FROM NAMED of the text: the caller
            # has already decided the dataset as SPARQL 1.1 Query §13 and Protocol §2.1.4 say
            return self.store.query(
                text,
                prefixes=prefixes,
                substitutions=substitutions,
                base_iri=base_iri,
                use_default_graph_as_union=default is None,
                default_graph=default,
                named_graphs=named,
            )

        try:
            result = query(text, subs or None)
        except (ValueError, RuntimeError) as exc:
            # pyoxigraph substitutes projected variables only; others join a VALUES block of
            # serialised terms opening the WHERE group (``sparql_text.with_values``)
            if not subs or "projection" not in str(exc):
                raise
            result = query(with_values(text, substitutions or {}), None)  # type: ignore[arg-type]
        if isinstance(result, pyoxigraph.QueryBoolean):
            return Answer("ASK", boolean=bool(result))
        if isinstance(result, pyoxigraph.QuerySolutions):
            variables = [v.value for v in result.variables]
            solutions, truncated = _bounded(result, row_limit, max_chars)
            # a solution reads as its values in the order of variables, None when unbound
            return Answer(
                "SELECT",
                variables=variables,
                rows=[tuple(s) for s in solutions],
                truncated=truncated,
            )
        triples, truncated = _bounded(result, row_limit, max_chars)
        return Answer("CONSTRUCT", triples=triples, truncated=truncated)


def data_argument(argument: str) -> Path | tuple[str, Path]:
    """A DATA argument: ``PATH``, or ``IRI=PATH`` when the text before the first ``=`` is an
    absolute IRI (a scheme, then ``:``), e.g. ``http://example.org/g=data.nt``."""
    iri, sep, path = argument.partition("=")
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", iri) and path:
        return iri, Path(path)
    return Path(argument)


def check_graph_names(data_files: Sequence[Path | tuple[str, Path]]) -> None:
    """``InputError`` for a graph IRI given twice or taken by the ontology's own graphs."""

    seen = {ASSERTED, INFERRED}
    for given in data_files:
        if isinstance(given, tuple):
            if given[0] in seen:
                raise InputError(f"graph <{given[0]}> named twice", str(given[1]))
            seen.add(given[0])


@functools.lru_cache(maxsize=4096)  # a server sees the same short texts again and again
def _prefixes(text: str) -> dict[str, str]:
    return {name: iri for name, iri in prefix_map().items() if name + ":" in text}


class AnswerTooLarge(Exception):
    """The terms of an answer passed ``max_chars`` characters (see ``Dataset.run``)."""


def _bounded(items: Iterator, limit: int, max_chars: int | None = None) -> tuple[list, bool]:
    """The first ``limit`` items, and whether there were more (one extra item proves it)."""
    if max_chars is None:
        kept = list(itertools.islice(items, limit + 1))
    else:
        kept, held = [], 0
        for item in itertools.islice(items, limit + 1):
            held += len(str(item))  # the terms' text and a little more: one call per row
            if held > max_chars:
                raise AnswerTooLarge(f"answer terms beyond {max_chars} characters")
            kept.append(item)
    return kept[:limit], len(kept) > limit


def build_dataset(
    kg: KnowledgeGraph, data_files: Sequence[Path | tuple[str, Path]] = (), inferred: bool = True
) -> Dataset:
    """The ontology as ``…/graph/asserted``, HermiT's additions as ``…/graph/inferred`` and each
    data file as ``…/graph/data/<stem>`` (``graph_names.data_graph_iris``), or as the graph IRI
    given with it (``(iri, path)``;
    an empty file is an empty graph the dataset still holds). Data files are parsed by the
    hardened loader."""
    import pyoxigraph

    store = pyoxigraph.Store()
    graphs: dict[str, int] = {}

    def add(iri: str, triples: Sequence[pyoxigraph.Triple]) -> None:
        name = pyoxigraph.NamedNode(iri)
        store.add_graph(name)
        store.extend([pyoxigraph.Quad(t.subject, t.predicate, t.object, name) for t in triples])
        graphs[iri] = len(list(store.quads_for_pattern(None, None, None, name)))

    add(ASSERTED, [q.triple for q in kg.store])
    if inferred:
        add(INFERRED, inferred_triples(kg))
    named = [given[0] for given in data_files if isinstance(given, tuple)]
    unnamed = [given for given in data_files if not isinstance(given, tuple)]
    generated = iter(data_graph_iris(unnamed, taken=named))  # never one a file was given
    for given in data_files:
        iri, path = given if isinstance(given, tuple) else (next(generated), given)
        add(iri, [q.triple for q in load([path]).store])
    return Dataset(store=store, graphs=graphs, labels=labels_of(store))


def inferred_triples(kg: KnowledgeGraph) -> list[pyoxigraph.Triple]:
    """HermiT's inferred, non-asserted hierarchy edges as pyoxigraph triples (cached by digest)."""
    import pyoxigraph

    # lazy: the HermiT route (checks' reasoner modules) loads only when inferences are asked
    from calcinosis_kg.checks.inferred import inferred_graph

    out = []
    for s, p, o in inferred_graph(kg):
        subject, predicate = from_rdflib(s), from_rdflib(p)
        assert isinstance(subject, pyoxigraph.NamedNode | pyoxigraph.BlankNode)
        assert isinstance(predicate, pyoxigraph.NamedNode)
        out.append(pyoxigraph.Triple(subject, predicate, from_rdflib(o)))
    return out
