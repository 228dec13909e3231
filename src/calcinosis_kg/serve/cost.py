"""A proven bound on the work of a query, computed on its parsed algebra from the store's own
counts: the ticket to the server's fast lane (``serve.fast``).

Why: a point query (``SELECT ?p ?o WHERE { <iri> ?p ?o }``) costs pyoxigraph tens of
microseconds, and handing it to a worker process costs more than that (a wakeup of another
process on a loaded machine). A query whose work is bounded before it runs can be answered in the
server process without breaking the deadline; every other query goes to a worker as before.

The bound counts intermediate solutions. A triple pattern matches at most as many quads as the
store holds for its constant IRIs (counted once, up to the threshold; literals and blank nodes
count as variables, so the count is never too low); a basic graph pattern is bounded by the
product of its patterns' counts (each at least 1, so every partial join is bounded too); a join,
OPTIONAL or MINUS by the product of its sides' bounds, a UNION by their sum, ORDER BY by
n·log n; FILTER and BIND add nothing per solution beyond a whitelisted expression whose cost is
linear in its inputs and whose result is no longer than them (no REGEX, CONCAT, REPLACE, EXISTS,
casts or other functions); aggregates are COUNT, SUM, MIN, MAX, AVG and SAMPLE; LIMIT is not
trusted to cut anything. Property paths, SERVICE, CONSTRUCT and DESCRIBE are never bounded. A
text is bounded only when it is short (``FAST_TEXT``), has no backslash escape, no BASE and only
absolute IRIs, so rdflib's reading of its IRIs (counted here) is pyoxigraph's (run there).

The parse itself is not covered by an algebra bound (pyoxigraph took 370 ms to parse a 3.9 KB
FILTER of 1,300 ``||`` terms), so ``parse_seconds`` measures it: pyoxigraph runs the text once
over an empty store, in the worker, and the fast lane also needs that CPU time under
``FAST_PARSE``. All of this runs in a worker, under the query's deadline, once per text.
"""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.serve.guard import Parsed, parsed

if TYPE_CHECKING:
    import pyoxigraph

#: the most intermediate solutions a query answered in the server process may have (measured,
#: load ~10: a COUNT over 9,261 solutions of a 3-way product took pyoxigraph 0.9 ms, a FILTER
#: of CONTAINS over 9,516 quads 24 ms; at 1,000 the worst is a few milliseconds)
FAST_BOUND = 1_000
#: the longest text the fast lane takes (characters)
FAST_TEXT = 4096
#: the most CPU seconds pyoxigraph may take to read the text (measured on an empty store)
FAST_PARSE = 0.002

#: expressions whose cost is linear in their inputs and whose value is no longer than them
EXPRESSIONS = frozenset(
    {
        "ConditionalAndExpression",
        "ConditionalOrExpression",
        "RelationalExpression",
        "AdditiveExpression",
        "MultiplicativeExpression",
        "UnaryNot",
        "UnaryMinus",
        "UnaryPlus",
        "TrueFilter",
        "OrderCondition",
        "Builtin_STR",
        "Builtin_LANG",
        "Builtin_LANGMATCHES",
        "Builtin_DATATYPE",
        "Builtin_BOUND",
        "Builtin_sameTerm",
        "Builtin_isIRI",
        "Builtin_isBLANK",
        "Builtin_isLITERAL",
        "Builtin_isNUMERIC",
        "Builtin_STRLEN",
        "Builtin_UCASE",
        "Builtin_LCASE",
        "Builtin_CONTAINS",
        "Builtin_STRSTARTS",
        "Builtin_STRENDS",
        "Builtin_IF",
        "Builtin_COALESCE",
    }
)
AGGREGATES = frozenset(
    {
        "Aggregate_Count",
        "Aggregate_Sum",
        "Aggregate_Min",
        "Aggregate_Max",
        "Aggregate_Avg",
        "Aggregate_Sample",
    }
)
_PASS = frozenset({"Project", "Distinct", "Reduced", "ToMultiSet", "Slice", "Graph"})
_PRODUCT = frozenset({"Join", "LeftJoin", "Minus"})


_EMPTY: list[pyoxigraph.Store] = []  # the empty store texts are timed on, made once


class Unbounded(Exception):
    """The query has no bound under the threshold (too large, or not provable)."""


def fast_bound(text: str, base: str | None, store: pyoxigraph.Store) -> int | None:
    """The bound on ``text``'s intermediate solutions when it is at most ``FAST_BOUND`` and
    pyoxigraph reads the text within ``FAST_PARSE``; None otherwise."""
    if len(text) > FAST_TEXT or "\\" in text:
        return None
    try:  # in a worker: one thread, and the parser's lock may have been held at the fork
        query = parsed(text, base)
    except Exception:  # noqa: BLE001 (rdflib could not read it: no proof)
        return None
    try:
        bound = work_bound(query, store)
    except Unbounded:
        return None
    took = parse_seconds(text, base)
    if FAST_PARSE < took < 10 * FAST_PARSE:  # once more, warm: a fresh fork pays page faults
        took = parse_seconds(text, base)
    return bound if took <= FAST_PARSE else None


def parse_seconds(text: str, base: str | None) -> float:
    """CPU seconds pyoxigraph takes to read ``text`` and run it over an empty store."""
    import pyoxigraph

    prefixes = {name: iri for name, iri in prefix_map().items() if name + ":" in text}
    if not _EMPTY:
        _EMPTY.append(pyoxigraph.Store())
    started = time.thread_time()
    try:
        result = _EMPTY[0].query(
            text, prefixes=prefixes, base_iri=base, use_default_graph_as_union=True
        )
        if not isinstance(result, pyoxigraph.QueryBoolean):
            for _ in result:
                pass
    except Exception:  # noqa: BLE001 (a text it cannot run is not for the fast lane)
        return float("inf")
    return time.thread_time() - started


def work_bound(query: Parsed, store: pyoxigraph.Store) -> int:
    """The bound (see the module) on the guard's reading of the text, or ``Unbounded``."""
    if not query.plain_iris or query.algebra.name not in ("SelectQuery", "AskQuery"):
        raise Unbounded
    return _Counter(store).pattern(query.algebra.p)


class _Counter:
    """Bounds over one store: counts of triple patterns, each capped at the threshold."""

    def __init__(self, store: pyoxigraph.Store, limit: int = FAST_BOUND) -> None:
        self.store, self.limit = store, limit

    def _capped(self, bound: int) -> int:
        if bound > self.limit:
            raise Unbounded
        return bound

    def pattern(self, node: Any) -> int:
        """The bound of one algebra node (``Unbounded`` past the threshold)."""
        from rdflib.plugins.sparql.parserutils import CompValue

        if not isinstance(node, CompValue):
            raise Unbounded
        name = node.name
        if name == "BGP":
            bound = 1
            for triple in node.triples:
                bound = self._capped(bound * max(1, self.count(*triple)))
            return bound
        if name in _PRODUCT:
            if name == "LeftJoin":
                self.expression(node.expr)
            return self._capped((self.pattern(node.p1) + 1) * (self.pattern(node.p2) + 1))
        if name == "Union":
            return self._capped(self.pattern(node.p1) + self.pattern(node.p2) + 1)
        if name in ("Filter", "Extend"):
            self.expression(node.expr)
            return self.pattern(node.p)
        if name in _PASS:
            return self.pattern(node.p)
        if name == "OrderBy":
            self.expression(node.expr)
            inner = self.pattern(node.p)
            return self._capped(inner * max(1, inner.bit_length()))
        if name == "Group":
            self.expression(node.expr)
            return self.pattern(node.p)
        if name == "AggregateJoin":
            for aggregate in node.A:
                if getattr(aggregate, "name", None) not in AGGREGATES:
                    raise Unbounded
                self.expression(aggregate.get("vars"))
            return self.pattern(node.p)
        if name == "values":
            return self._capped(max(1, len(node.res)))
        raise Unbounded  # a path, SERVICE, a function we do not know …

    def count(self, subject: Any, predicate: Any, object_: Any) -> int:
        """Quads matching the pattern's constant IRIs, in any graph, counted up to the limit
        (past it: ``Unbounded``). Anything but an IRI counts as a variable."""
        import pyoxigraph
        from rdflib import URIRef
        from rdflib.paths import Path

        if isinstance(predicate, Path):
            raise Unbounded
        terms = [
            pyoxigraph.NamedNode(str(t)) if isinstance(t, URIRef) else None
            for t in (subject, predicate, object_)
        ]
        found = self.store.quads_for_pattern(terms[0], terms[1], terms[2], None)
        return self._capped(sum(1 for _ in itertools.islice(found, self.limit + 1)))

    def expression(self, node: Any) -> None:
        """``Unbounded`` unless every operator and function of ``node`` is whitelisted."""
        from rdflib.plugins.sparql.parserutils import CompValue
        from rdflib.term import Identifier

        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, CompValue):
                if item.name not in EXPRESSIONS:
                    raise Unbounded
                stack.extend(v for k, v in item.items() if k != "_vars")
            elif isinstance(item, list | tuple):
                stack.extend(item)
            elif not (item is None or isinstance(item, Identifier | str | int)):
                raise Unbounded
