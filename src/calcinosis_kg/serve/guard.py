"""Refuse, on the PARSED query, everything a read-only public endpoint must never run.

Why a parsed check and not a text scan: ``SERV\\u0049CE`` is SERVICE once the parser unescapes
it, and ``ex:a\\#x`` fools a comment-stripping regex (see pitfalls). The refusal of updates
(INSERT, DELETE, LOAD, CLEAR …), of SERVICE wherever it is nested, of over-long texts and of
texts the grammar cannot read is the CLI's own guard, ``graph.query_guard.check_query``: one
guard, the same answer everywhere. What only an endpoint with named graphs needs stays here:
FROM / FROM NAMED (and the protocol's ``default-graph-uri`` / ``named-graph-uri``) may name only
graphs this endpoint holds, so no IRI is ever dereferenced; those IRIs are read from rdflib's
algebra (prefixed names resolved, relative IRIs against the endpoint's URL), only for a query
that has a dataset clause. ``query_dataset`` then decides the dataset exactly as SPARQL 1.1
Protocol §2.1.4 and Query §13 say.

The parse runs in the query's worker process under the query's deadline (``serve.worker``), never
in the server process: a text built to be slow to parse (``FILTER(1-1-…-1)``) holds one worker
until it is killed, never the other clients.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from calcinosis_kg.core.errors import CalcinosisKGError, InputError
from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.graph import query_guard

# rdflib's SPARQL parser (pyparsing) is not thread-safe: concurrent parses fail at random
# (measured: every request but the first failed under 2 concurrent clients)
_PARSER_LOCK = threading.Lock()
#: the longest text whose reading (``parsed``) is remembered: the fast lane's own limit
PARSED_MEMO_TEXT = 4096


class Refused(CalcinosisKGError):
    """A request the endpoint will not run: ``status`` is the HTTP code to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the guard: its form and the dataset it names."""

    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    from_graphs: tuple[str, ...]
    from_named: tuple[str, ...]
    has_dataset: bool = False  # the text has FROM or FROM NAMED
    bound: int | None = None  # proven work bound, for the fast lane (``serve.cost``)
    proven: bool = False  # the bound was sought (a text's second time: one-off texts never pay)


def query_dataset(
    checked: CheckedQuery,
    default_graph_uris: Sequence[str] = (),
    named_graph_uris: Sequence[str] = (),
) -> tuple[list[str] | None, list[str] | None]:
    """(default graphs, named graphs) to query; ``None`` is the union default graph / every named
    graph (no dataset given anywhere). Protocol parameters replace the query's whole dataset
    (§2.1.4): with only ``named-graph-uri`` the default graph is empty, with only
    ``default-graph-uri`` there are no named graphs; FROM alone gives no named graphs and FROM
    NAMED alone an empty default graph (Query §13.2)."""
    if default_graph_uris or named_graph_uris:
        return list(default_graph_uris), list(named_graph_uris)
    if checked.has_dataset:
        return list(checked.from_graphs), list(checked.from_named)
    return None, None


def check_query(
    text: str,
    local_graphs: Collection[str],
    default_graph_uris: Iterable[str] = (),
    named_graph_uris: Iterable[str] = (),
    base: str | None = None,
) -> CheckedQuery:
    """The query's form, or ``Refused`` (403 for updates and SERVICE, 400 otherwise)."""
    with _PARSER_LOCK:  # one per process: a server's worker processes never wait on each other
        return _check(
            text, frozenset(local_graphs), tuple(default_graph_uris), tuple(named_graph_uris), base
        )


@lru_cache(maxsize=1024)  # a repeated query (the explorer, a dashboard) is checked once
def _check(
    text: str,
    local_graphs: frozenset[str],
    default_graph_uris: tuple[str, ...],
    named_graph_uris: tuple[str, ...],
    base: str | None,
) -> CheckedQuery:
    try:
        info = query_guard.check_query(text, allow_dataset=True)
    except query_guard.QueryRefused as exc:  # SERVICE, an update
        raise Refused(" ".join(exc.message.split()), 403) from None
    except InputError as exc:  # syntax, too long, NUL, nested too deeply
        raise Refused(exc.one_line().removeprefix("<query>:").strip()) from None
    defaults: list[str] = []
    named: list[str] = []
    if "DatasetClause" in info.nodes:
        defaults, named = _dataset(text, base)
    for iri in [*defaults, *named, *default_graph_uris, *named_graph_uris]:
        if iri not in local_graphs:
            raise Refused(
                f"graph <{iri}> is not held by this endpoint (nothing is fetched "
                f"from the network); graphs: {', '.join(sorted(local_graphs))}"
            )
    return CheckedQuery(
        info.form.upper(), tuple(defaults), tuple(named), "DatasetClause" in info.nodes
    )


def _dataset(text: str, base: str | None = None) -> tuple[list[str], list[str]]:
    """The FROM and FROM NAMED IRIs, prefixed names and relative IRIs resolved (rdflib's
    algebra)."""
    try:
        algebra = parsed(text, base).algebra
    except RecursionError:
        raise Refused("query nested too deeply") from None
    except Exception as exc:  # unknown prefix …
        raise Refused(f"SPARQL syntax error: {' '.join(str(exc).split())}") from None
    clauses = algebra.get("datasetClause") or []
    return (
        [str(c["default"]) for c in clauses if "default" in c],
        [str(c["named"]) for c in clauses if "named" in c],
    )


@dataclass(frozen=True)
class Parsed:
    """rdflib's reading of a query text, made once: the dataset's IRIs (``_dataset``) and the fast
    lane's work bound (``serve.cost.work_bound``) are both read from it."""

    algebra: Any  # translateQuery's algebra: prefixed names and relative IRIs resolved
    plain_iris: bool  # no BASE; every IRI written absolute, without dot segments


def parsed(text: str, base: str | None) -> Parsed:
    """The text parsed and translated on the guard's deep-stack thread (``query_guard.deep``);
    a short text (the fast lane's, ``PARSED_MEMO_TEXT``) is remembered for the process, so a
    worker that read its dataset clause or sought its bound reads it once. Raises rdflib's
    errors. Takes no lock: callers hold this process's parser lock, or are a one-thread worker
    (whose copy of the lock may have been held at the fork)."""
    if len(text) <= PARSED_MEMO_TEXT:
        return _parsed_memo(text, base)
    return _parse(text, base)


def _parse(text: str, base: str | None) -> Parsed:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    def parse() -> Parsed:
        tree = parseQuery(text)
        plain = _plain_iris(tree)  # before the translation, which resolves them in place
        return Parsed(translateQuery(tree, base=base, initNs=prefix_map()).algebra, plain)

    return query_guard.deep(parse)


_parsed_memo = lru_cache(maxsize=64)(_parse)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*")
_DOTS = re.compile(r"/\.\.?(/|$)")


def _plain_iris(tree: object) -> bool:
    """False for a BASE or an IRI written relative or with dot segments in the parse tree: only
    without them is rdflib's reading of every IRI the same as pyoxigraph's."""
    from pyparsing import ParseResults
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, URIRef):
            if not _ABSOLUTE.fullmatch(node) or _DOTS.search(node):
                return False
        elif isinstance(node, CompValue):
            if node.name == "Base":
                return False
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple | set | frozenset | ParseResults):
            stack.extend(node)
    return True
