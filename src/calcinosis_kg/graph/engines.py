"""The SPARQL engines: the local graph (pyoxigraph, rdflib) or a remote endpoint, in one shape.

Why a module of its own: every engine takes the same (text, RDF-term bindings, source name) and
gives the same ``RawResult`` (kind, columns, rows of ``("iri" | "bnode" | "literal", text)``), so
``sparql.run_sparql`` never needs to know which one ran. Each engine keeps its own guard: rdflib
is kept from loading ``FROM`` graphs over the network; the remote engine (``graph.remote``)
only speaks HTTP(S) to the one endpoint a user named with ``--endpoint``. Syntax errors become
``InputError`` with the query's file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.graph.knowledge import to_rdflib_term
from calcinosis_kg.graph.loading import syntax_error
from calcinosis_kg.graph.query_guard import deep
from calcinosis_kg.graph.sparql_text import with_values

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.graph.sparql_text import Term

Value = tuple[str, str]  # ("iri" | "bnode" | "literal", text)
RawRow = tuple[Value | None, ...]


@dataclass
class RawResult:
    """What an engine answers: ``select``, ``ask`` (one boolean row) or ``graph`` (triples)."""

    kind: str
    columns: list[str]
    rows: list[RawRow]
    truncated: bool = False  # more rows existed than the row limit let through


def _take(rows: Iterable[RawRow], limit: int | None) -> tuple[list[RawRow], bool]:
    """At most ``limit`` rows, and whether more existed (read lazily: one row past the limit)."""
    if limit is None:
        return list(rows), False
    taken = list(islice(rows, limit + 1))
    return taken[:limit], len(taken) > limit


def _ask(answer: object) -> RawResult:
    return RawResult("ask", ["ask"], [(("literal", str(bool(answer)).lower()),)])


class Engine(Protocol):
    """Something that answers SPARQL: the local store, rdflib, or a remote endpoint."""

    name: str

    def execute(
        self, text: str, bindings: Mapping[str, Term], source: str, row_limit: int | None = None
    ) -> RawResult:
        """Run checked query ``text`` with ``bindings`` as RDF terms (never pasted), at most
        ``row_limit`` rows; a bad query is an ``InputError`` naming ``source``."""
        ...

    def labels(self, iris: list[str]) -> dict[str, str]:
        """The ``rdfs:label`` of each IRI that has one, to show beside the answer."""
        ...


def _query_error(exc: BaseException, source: str) -> InputError:
    error = syntax_error(exc, source, "SPARQL")
    error.message = error.message.replace("malformed SPARQL", "SPARQL syntax error")
    return InputError(error.message, error.path, error.line, error.column)


def _local_labels(kg: KnowledgeGraph, iris: list[str]) -> dict[str, str]:
    """Labels of ``iris`` from the loaded graph's one label table (shared by local engines)."""
    known = kg.labels
    return {iri: known[iri] for iri in iris if iri in known}


def _ox_value(term: object) -> Value | None:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return ("iri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, pyoxigraph.Literal):
        return ("literal", term.value)
    return ("literal", str(term))


class OxigraphEngine:
    """The local graph through pyoxigraph (the default: parses and answers in milliseconds)."""

    name = "oxigraph"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def execute(
        self, text: str, bindings: Mapping[str, Term], source: str, row_limit: int | None = None
    ) -> RawResult:
        """``Engine.execute`` on the store; bindings of unprojected variables go in a VALUES."""
        import pyoxigraph

        substitutions: dict[
            pyoxigraph.Variable,
            pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple,
        ] = {pyoxigraph.Variable(k): v for k, v in bindings.items()}
        try:
            try:
                result = self.kg.store.query(
                    text, prefixes=prefix_map(), substitutions=substitutions or None
                )
            except (ValueError, RuntimeError) as exc:
                # pyoxigraph substitutes only projected variables; others are joined through
                # a VALUES block of serialised terms opening the WHERE group (``with_values``)
                if "projection" not in str(exc):
                    raise
                result = self.kg.store.query(with_values(text, bindings), prefixes=prefix_map())
        except SyntaxError as exc:
            raise _query_error(exc, source) from None
        except (ValueError, OSError, RuntimeError) as exc:
            raise InputError(f"query failed: {exc}", source) from None
        if isinstance(result, pyoxigraph.QueryBoolean):
            return _ask(result)
        if isinstance(result, pyoxigraph.QuerySolutions):
            columns = [v.value for v in result.variables]
            rows, cut = _take(
                (tuple(_ox_value(solution[c]) for c in columns) for solution in result), row_limit
            )
            return RawResult("select", columns, rows, cut)
        rows, cut = _take(
            ((_ox_value(t.subject), _ox_value(t.predicate), _ox_value(t.object)) for t in result),
            row_limit,
        )
        return RawResult("graph", ["subject", "predicate", "object"], rows, cut)

    def labels(self, iris: list[str]) -> dict[str, str]:
        """Labels from the loaded graph's label table (no query run)."""
        return _local_labels(self.kg, iris)


class RdflibEngine:
    """The local graph through rdflib's SPARQL (the baseline; slower on path queries)."""

    name = "rdflib"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def execute(
        self, text: str, bindings: Mapping[str, Term], source: str, row_limit: int | None = None
    ) -> RawResult:
        """``Engine.execute`` through rdflib, ``FROM <url>`` loading off, recursion bounded."""
        import rdflib
        import rdflib.plugins.sparql as rdflib_sparql
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery
        from rdflib.query import ResultRow

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> must never fetch
        try:
            # the grammar recurses once per triple of a chain: parsed as deep as the guard
            prepared = deep(lambda: prepareQuery(text, initNs=prefix_map()))
        except ParseException as exc:
            err = SyntaxError(f"{exc.msg}", (source, exc.lineno, exc.col, None))
            raise _query_error(err, source) from None
        except Exception as exc:  # rdflib raises plain Exceptions for unknown prefixes etc.
            raise InputError(f"SPARQL syntax error: {exc}", source) from None
        init = {k: to_rdflib_term(v) for k, v in bindings.items()}  # rdflib makes them Variables

        def value(term: object) -> Value | None:
            if term is None:
                return None
            if isinstance(term, rdflib.URIRef):
                return ("iri", str(term))
            if isinstance(term, rdflib.BNode):
                return ("bnode", str(term))
            return ("literal", str(term))

        def run() -> RawResult:
            try:
                result = self.kg.graph.query(prepared, initBindings=init)
            except RecursionError:
                raise
            except Exception as exc:
                raise InputError(f"query failed: {exc}", source) from None
            if result.type == "ASK":
                return _ask(result.askAnswer)
            if result.type == "SELECT":
                columns = [str(v) for v in result.vars or []]
                rows, cut = _take(
                    (
                        tuple(value(row[i]) for i in range(len(columns)))
                        for row in result
                        if isinstance(row, ResultRow)
                    ),
                    row_limit,
                )
                return RawResult("select", columns, rows, cut)
            rows, cut = _take(
                (tuple(value(t) for t in triple) for triple in result if isinstance(triple, tuple)),
                row_limit,
            )
            return RawResult("graph", ["subject", "predicate", "object"], rows, cut)

        try:  # rdflib's algebra and evaluator recurse once per UNION branch or OPTIONAL
            return deep(run)
        except RecursionError:
            raise InputError(
                "query too complex for --engine rdflib (its evaluator ran out of "
                "stack); --engine oxigraph runs it",
                source,
            ) from None

    def labels(self, iris: list[str]) -> dict[str, str]:
        """Labels from the loaded graph's label table (no query run)."""
        return _local_labels(self.kg, iris)


ENGINES: dict[str, type[OxigraphEngine] | type[RdflibEngine]] = {
    "oxigraph": OxigraphEngine,
    "rdflib": RdflibEngine,
}


def make_engine(kg: KnowledgeGraph | None, engine: str | Engine = "oxigraph") -> Engine:
    """The engine to run on: a name (``oxigraph``/``rdflib``) or an Engine (``remote``'s)."""
    if not isinstance(engine, str):
        return engine
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    if kg is None:
        raise InputError("no graph loaded and no --endpoint given")
    return ENGINES[engine](kg)
