"""Refuse, on the PARSED query, everything a read-only public endpoint must never run.

Why a parsed check and not a text scan: ``SERV\\u0049CE`` is SERVICE once the parser unescapes
it, and ``ex:a\\#x`` fools a comment-stripping regex (see pitfalls). rdflib's SPARQL parser and
algebra translation see what the engine will see, so the check walks the algebra: updates
(INSERT, DELETE, LOAD, CLEAR, …) do not parse as a query and are refused as updates; SERVICE is
refused wherever it is nested; FROM / FROM NAMED (and the protocol's ``default-graph-uri`` /
``named-graph-uri``) may only name graphs this endpoint holds, so no IRI is ever dereferenced.

``check_query`` is the one entry point: the lead can later point it at the shared guard of
``graph`` without touching the server.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache

# rdflib's SPARQL parser (pyparsing) is not thread-safe: concurrent parses fail at random
# (measured: every request but the first failed under 2 concurrent clients)
_PARSER_LOCK = threading.Lock()


class Refused(Exception):
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


_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}


def _walk(node: object, depth: int = 0) -> Iterable[object]:
    """Every node of an rdflib parse/algebra tree (bounded depth: no recursion blow-up)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 400:
        raise Refused("query nested too deeply")
    yield node
    if isinstance(node, CompValue):
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value, depth + 1)


def _syntax_message(exc: Exception) -> str:
    line, col = getattr(exc, "lineno", None), getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {col}" if line and col else ""
    return f"SPARQL syntax error{where}: {' '.join(str(msg).split())}"


def check_query(text: str, local_graphs: Collection[str],
                default_graph_uris: Iterable[str] = (),
                named_graph_uris: Iterable[str] = ()) -> CheckedQuery:
    """The query's form, or ``Refused`` (403 for updates and SERVICE, 400 otherwise)."""
    with _PARSER_LOCK:
        return _check(text, frozenset(local_graphs), tuple(default_graph_uris),
                      tuple(named_graph_uris))


@lru_cache(maxsize=256)  # a repeated query (the explorer, a dashboard) is parsed once
def _check(text: str, local_graphs: frozenset[str], default_graph_uris: tuple[str, ...],
           named_graph_uris: tuple[str, ...]) -> CheckedQuery:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    from calcinosis_kg.core.prefixes import prefix_map

    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except Exception:  # not an update either: report the query's syntax error
            raise Refused(_syntax_message(exc)) from None
        raise Refused("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP …) are refused: "
                      "this endpoint is read-only", 403) from None
    except RecursionError:
        raise Refused("query nested too deeply") from None
    except Exception as exc:
        raise Refused(_syntax_message(exc)) from None
    for node in _walk(parsed):
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            raise Refused("SERVICE (federated query) is refused: this endpoint never opens "
                          "connections to other servers", 403)
    try:
        algebra = translateQuery(parsed, initNs=prefix_map()).algebra
    except RecursionError:
        raise Refused("query nested too deeply") from None
    except Exception as exc:  # unknown prefix, bad aggregate …
        raise Refused(_syntax_message(exc)) from None
    form = _FORMS.get(getattr(algebra, "name", ""), "")
    if not form:
        raise Refused("only SELECT, ASK, CONSTRUCT and DESCRIBE queries are served")
    defaults = [str(c["default"]) for c in algebra.get("datasetClause") or [] if "default" in c]
    named = [str(c["named"]) for c in algebra.get("datasetClause") or [] if "named" in c]
    for iri in [*defaults, *named, *default_graph_uris, *named_graph_uris]:
        if iri not in local_graphs:
            raise Refused(f"graph <{iri}> is not held by this endpoint (nothing is fetched "
                          f"from the network); graphs: {', '.join(sorted(local_graphs))}")
    return CheckedQuery(form, tuple(defaults), tuple(named))
