"""The query guard: what a SPARQL text asks for, decided on the PARSED query, before any engine.

Why a module of its own, and why parsed: a text scan cannot guard SPARQL. ``ex:a\\#x`` made a
regex take the rest of a line for a comment and ``SERV\\u0049CE`` is SERVICE once the parser has
expanded the escape; both reached a loopback listener through pyoxigraph's (Rust) HTTP client,
which no Python audit hook sees. So the text is parsed with rdflib's SPARQL grammar (which
expands ``\\u``/``\\U`` escapes first, as the spec and pyoxigraph do), and the parse tree is
walked: ``SERVICE`` anywhere (subqueries, ``SILENT``, a variable endpoint), any update (``LOAD``,
``INSERT`` …) and any ``FROM`` / ``FROM NAMED`` are refused. The local graph has no named graphs,
so a dataset clause can only mean "fetch this"; a remote endpoint may allow it
(``allow_dataset``). A text the grammar cannot read is an error, never a pass, and this runs for
every engine (pyoxigraph, rdflib, remote) so the same query is refused everywhere.

>>> check_query("SELECT ?s WHERE { ?s ?p ?o }").form
'select'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.sparql_text import QueryRefused, keyword_position

#: the longest query text accepted (characters); longer is refused before parsing
MAX_QUERY_CHARS = 1_000_000

_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct",
          "DescribeQuery": "describe"}


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learned: the query form and the parse-tree node names seen."""

    form: str
    nodes: frozenset[str]


def _walk(node: object, depth: int = 0) -> Iterator[object]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if depth > 2000:
        raise RecursionError("query nested too deeply")
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list | tuple | ParseResults):
        for value in node:
            yield from _walk(value, depth + 1)


def _position(exc: object) -> tuple[int | None, int | None]:
    return getattr(exc, "lineno", None), getattr(exc, "col", None)


def _expanded(text: str) -> str:
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        return str(expandUnicodeEscapes(text))
    except (ValueError, OverflowError):
        return text


def check_query(text: str, source: str = "<query>", allow_dataset: bool = False) -> QueryInfo:
    """Parse ``text`` and refuse SERVICE, updates and (unless ``allow_dataset``) FROM clauses.

    Raises ``QueryRefused`` for a refused feature and ``InputError`` for a text the SPARQL
    grammar cannot read (with line:column when the parser gives them). Accepted texts are
    remembered (parsing costs 7-30 ms; a server sends the same queries again).
    """
    return _check(text, source, allow_dataset)


@lru_cache(maxsize=256)
def _check(text: str, source: str, allow_dataset: bool) -> QueryInfo:
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"query longer than {MAX_QUERY_CHARS} characters refused", source)
    if "\x00" in text:
        raise InputError("query contains a NUL character", source)
    try:
        try:
            tree = parseQuery(text)
        except ParseBaseException as query_error:
            try:
                parseUpdate(text)
            except (ParseBaseException, ValueError, TypeError):
                line, col = _position(query_error)
                raise InputError(f"SPARQL syntax error: {query_error.msg}", source,
                                 line, col) from None
            raise QueryRefused("SPARQL update refused: only queries (SELECT, ASK, CONSTRUCT, "
                               "DESCRIBE) are run here", source) from None
        nodes = list(_walk(tree))
    except RecursionError:
        raise InputError("query nested too deeply to check", source) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"SPARQL syntax error: {exc}", source) from None
    names = frozenset(n.name for n in nodes if isinstance(n, CompValue))
    # belt and braces: the keyword outside strings, IRIs and comments of the escape-expanded
    # text also refuses (the parse tree decides; this only ever adds refusals)
    if "ServiceGraphPattern" in names or keyword_position(_expanded(text), "SERVICE")[0]:
        raise QueryRefused("SERVICE (federated query) refused: queries never access the network",
                           source, *keyword_position(_expanded(text), "SERVICE"))
    if "DatasetClause" in names and not allow_dataset:
        raise QueryRefused("FROM / FROM NAMED refused: the local graph has no named graphs and "
                           "graphs are never fetched", source,
                           *keyword_position(_expanded(text), "FROM"))
    form = next((_FORMS[n] for n in names if n in _FORMS), "")
    if not form:
        raise QueryRefused("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)", source)
    return QueryInfo(form=form, nodes=names)
