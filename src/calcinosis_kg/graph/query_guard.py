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

The grammar is right-recursive for lists (a chain of triples parses one level deeper per triple),
so the parse runs on a thread with a large stack and a raised recursion limit (``deep``): a flat
pattern of thousands of triples is accepted, and nesting is measured on the parse tree with those
list continuations not counted (``MAX_NESTING``; pyoxigraph's parser overflows its stack near
3000 nested groups). ``run_checked`` guards and runs in one bounded child, so a deadline covers
the parse too (a 229 KB FILTER of 20 000 ``||`` terms took rdflib 121 s to parse at load 10).

>>> check_query("SELECT ?s WHERE { ?s ?p ?o }").form
'select'
"""

from __future__ import annotations

import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.bounded import run_bounded
from calcinosis_kg.graph.sparql_text import QueryRefused, keyword_position

T = TypeVar("T")
R = TypeVar("R")

#: the longest query text accepted (characters); longer is refused before parsing
MAX_QUERY_CHARS = 1_000_000
#: the deepest nesting of the parse tree accepted (a chain of triples counts as one level;
#: a group ``{ }`` costs 2, a parenthesised expression about 5)
MAX_NESTING = 512
#: Python frames the parse may use (about 10 per triple of a chain, 30 per nested group) and
#: the stack of the thread it runs on; measured: 200 000 frames stay under 400 MB
PARSE_FRAMES = 200_000
PARSE_STACK_BYTES = 256 * 1024 * 1024
#: accepted texts remembered (parsing costs milliseconds to seconds; a server repeats queries)
MEMO_SIZE = 256

# rdflib's SPARQL parser (pyparsing) is not thread-safe; the recursion limit is process-wide.
# A forked child must not take this lock (its copy may be held): it uses the unlocked helpers.
PARSER_LOCK = threading.Lock()
# right-recursive list productions of rdflib's grammar: a sequence, not nesting
_CONTINUATIONS = frozenset(
    {"TriplesBlock", "ConstructTriples", "TriplesTemplate", "Quads", "QuadsNotTriples"}
)
_FORMS = {
    "SelectQuery": "select",
    "AskQuery": "ask",
    "ConstructQuery": "construct",
    "DescribeQuery": "describe",
}
_MEMO: OrderedDict[tuple[str, bool], QueryInfo] = OrderedDict()
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True)
class QueryInfo:
    """What the guard learned: the query form and the parse-tree node names seen."""

    form: str
    nodes: frozenset[str]


def deep(function: Callable[[], T]) -> T:
    """``function()`` on a thread with a large stack and a raised recursion limit (rdflib's
    parser and algebra recurse once per triple of a chain); its exception is re-raised here.
    Callers in a threaded process hold ``PARSER_LOCK`` (the recursion limit is process-wide)."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(function())
        except BaseException as exc:  # noqa: BLE001 (re-raised in the caller's thread)
            errors.append(exc)

    previous_limit = sys.getrecursionlimit()
    previous_stack = threading.stack_size(PARSE_STACK_BYTES)
    try:
        sys.setrecursionlimit(max(previous_limit, PARSE_FRAMES))
        worker = threading.Thread(target=run, name="calcinosis-kg-parse")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous_stack)
        sys.setrecursionlimit(previous_limit)
    if errors:
        raise errors[0]
    if not results:
        raise RecursionError("the parse thread gave no result")
    return results[0]


def nesting(tree: object) -> int:
    """How deeply the parse tree nests (iteratively: no recursion), list continuations
    (``TriplesBlock`` inside ``TriplesBlock`` …) not counted."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    deepest = 0
    stack: list[tuple[object, int, str | None]] = [(tree, 0, None)]
    while stack:
        node, depth, parent = stack.pop()
        if isinstance(node, CompValue):
            if not (node.name == parent and node.name in _CONTINUATIONS):
                depth += 1
            deepest = max(deepest, depth)
            stack.extend((value, depth, node.name) for value in node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend((value, depth, parent) for value in node)
    return deepest


def _names(tree: object) -> frozenset[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    names: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            names.add(node.name)
            stack.extend(node.values())
        elif isinstance(node, list | tuple | ParseResults):
            stack.extend(node)
    return frozenset(names)


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
    remembered (parsing costs 7-30 ms; a server sends the same queries again). In-process and
    unbounded in time: ``run_checked`` / ``check_bounded`` put the parse under a deadline.
    """
    known = remembered(text, allow_dataset)
    if known is not None:
        return known
    with PARSER_LOCK:
        info = _parse_and_check(text, source, allow_dataset)
    remember(text, allow_dataset, info)
    return info


def check_bounded(
    text: str,
    timeout: float | None,
    memory_mb: int | None = None,
    source: str = "<query>",
    allow_dataset: bool = False,
    quiet: bool = False,
) -> QueryInfo:
    """``check_query`` in a forked child stopped after ``timeout`` seconds (``QueryTimeout``)
    and capped at ``memory_mb`` (None: in-process). For a query run elsewhere (a remote store)."""
    return run_checked(text, lambda info: info, timeout, memory_mb, source, allow_dataset, quiet)


def run_checked(
    text: str,
    work: Callable[[QueryInfo], T],
    timeout: float | None,
    memory_mb: int | None = None,
    source: str = "<query>",
    allow_dataset: bool = False,
    quiet: bool = False,
) -> T:
    """Guard ``text``, then ``work(info)``, both in ONE bounded child (``bounded.run_bounded``):
    the deadline and the memory ceiling cover the guard's parse as well as the work. A text
    accepted before is not parsed again. ``work``'s value must pickle; errors come back as
    one-line ``InputError`` / ``QueryRefused`` / ``QueryTimeout``."""
    known = remembered(text, allow_dataset)
    if timeout is None or not hasattr(os, "fork"):
        return work(known or check_query(text, source, allow_dataset))

    def bounded(job: Callable[[], R]) -> R:
        # the parse needs the big stack; no fork while another thread holds the parser
        return run_bounded(
            job,
            timeout,
            memory_mb,
            source,
            quiet,
            fork_lock=PARSER_LOCK,
            headroom=PARSE_STACK_BYTES,
        )

    if known is not None:
        return bounded(lambda: work(known))

    def guarded() -> tuple[QueryInfo, T]:
        info = _parse_and_check(text, source, allow_dataset)  # the child: no lock
        return info, work(info)

    info, value = bounded(guarded)
    remember(text, allow_dataset, info)
    return value


def remembered(text: str, allow_dataset: bool = False) -> QueryInfo | None:
    """What the guard said about ``text`` before, if it accepted it (else None)."""
    with _MEMO_LOCK:
        info = _MEMO.get((text, allow_dataset))
        if info is not None:
            _MEMO.move_to_end((text, allow_dataset))
        return info


def remember(text: str, allow_dataset: bool, info: QueryInfo) -> None:
    """Record an accepted text (the least recently used of ``MEMO_SIZE`` is forgotten)."""
    with _MEMO_LOCK:
        _MEMO[(text, allow_dataset)] = info
        _MEMO.move_to_end((text, allow_dataset))
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)


def _parse_and_check(text: str, source: str, allow_dataset: bool) -> QueryInfo:
    """The guard itself (no memo, no lock): parse, measure, refuse."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"query longer than {MAX_QUERY_CHARS} characters refused", source)
    if "\x00" in text:
        raise InputError("query contains a NUL character", source)
    try:
        try:
            tree = deep(lambda: parseQuery(text))
        except ParseBaseException as query_error:
            try:
                deep(lambda: parseUpdate(text))
            except (ParseBaseException, ValueError, TypeError):
                line, col = _position(query_error)
                raise InputError(
                    f"SPARQL syntax error: {query_error.msg}", source, line, col
                ) from None
            raise QueryRefused(
                "SPARQL update refused: only queries (SELECT, ASK, CONSTRUCT, "
                "DESCRIBE) are run here",
                source,
            ) from None
    except RecursionError:
        raise InputError(
            f"query nested too deeply to check (more than {PARSE_FRAMES} parser frames)", source
        ) from None
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"SPARQL syntax error: {exc}", source) from None
    depth = nesting(tree)
    if depth > MAX_NESTING:
        raise InputError(
            f"query nested too deeply: {depth} levels of the parse tree (at most "
            f"{MAX_NESTING}; a chain of triples counts as one)",
            source,
        )
    names = _names(tree)
    # belt and braces: the keyword outside strings, IRIs and comments of the escape-expanded
    # text also refuses (the parse tree decides; this only ever adds refusals)
    if "ServiceGraphPattern" in names or keyword_position(_expanded(text), "SERVICE")[0]:
        raise QueryRefused(
            "SERVICE (federated query) refused: queries never access the network",
            source,
            *keyword_position(_expanded(text), "SERVICE"),
        )
    if "DatasetClause" in names and not allow_dataset:
        raise QueryRefused(
            "FROM / FROM NAMED refused: the local graph has no named graphs and "
            "graphs are never fetched",
            source,
            *keyword_position(_expanded(text), "FROM"),
        )
    form = next((_FORMS[n] for n in names if n in _FORMS), "")
    if not form:
        raise QueryRefused("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)", source)
    return QueryInfo(form=form, nodes=names)
