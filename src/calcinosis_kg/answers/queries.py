"""Run SPARQL over the knowledge graph: bundled queries by name, any ``.rq`` file, or query text.

Why this layer exists rather than calling ``store.query`` directly:

* parameters (``--bind VAR=VALUE``) become RDF terms passed as pyoxigraph ``substitutions`` /
  rdflib ``initBindings`` / a serialised ``VALUES`` block, never pasted into the query text, and a
  binding for a variable the query does not have is an error rather than silently ignored;
* ``SERVICE`` is refused before any engine sees the query (pyoxigraph and rdflib would both open
  a connection), and rdflib is kept from loading ``FROM`` graphs over the network;
* results come back in one shape for every engine: CURIEs or literal strings, with the
  ``rdfs:label`` of every IRI available for a label column;
* the same code runs against the local graph (pyoxigraph, fast; rdflib, the baseline) or a remote
  SPARQL endpoint (``RemoteEngine``, only when a user passes ``--endpoint``).

Bundled queries are ``queries/*.rq`` with header comments: ``# title:``, ``# question:``,
``# parameters: ?var (what it is) …`` and optionally ``# example-binding: var=VALUE``.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from calcinosis_kg.core.errors import CalcinosisKGError, InputError

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

Value = tuple[str, str]  # ("iri" | "bnode" | "literal", text)
RawRow = tuple[Value | None, ...]

_HEADER = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_VAR = re.compile(r"[?$]([A-Za-z_0-9\u00B7\u00C0-\uFFFF]+)")
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE(?![\w:])", re.IGNORECASE)
# strings (long and short), IRIs and comments: removed before looking for keywords and variables
_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_DOUBLE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")
XSD = "http://www.w3.org/2001/XMLSchema#"


class QueryRefused(InputError):
    """A query asks for something never allowed here (SERVICE: network access)."""


@dataclass(frozen=True)
class BundledQuery:
    """A query file with its header: what it answers and which parameters it takes."""

    name: str
    title: str
    question: str
    path: Path
    text: str
    parameters: tuple[str, ...] = ()
    example_bindings: tuple[tuple[str, str], ...] = ()


@dataclass
class QueryResult:
    """Rows of CURIEs / literal strings (None when unbound), plus a label for every IRI seen."""

    columns: list[str]
    rows: list[tuple[str | None, ...]]
    labels: dict[str, str] = field(default_factory=dict)
    iri_columns: list[str] = field(default_factory=list)
    kind: str = "select"  # select | ask | graph
    source: str = ""

    def labelled(self) -> tuple[list[str], list[tuple[str | None, ...]]]:
        """Columns and rows with a ``<col>_label`` column right after every IRI column."""
        columns: list[str] = []
        picks: list[tuple[int, bool]] = []
        for index, name in enumerate(self.columns):
            columns.append(name)
            picks.append((index, False))
            if name in self.iri_columns:
                label_name = f"{name}_label"
                while label_name in self.columns or label_name in columns:
                    label_name += "_"
                columns.append(label_name)
                picks.append((index, True))
        rows = []
        for row in self.rows:
            out: list[str | None] = []
            for index, is_label in picks:
                value = row[index]
                out.append(self.labels.get(value) if is_label and value is not None else
                           None if is_label else value)
            rows.append(tuple(out))
        return columns, rows


# ---------------------------------------------------------------------------------------------
# bundled queries


def _header_of(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        found = _HEADER.match(line)
        if found:
            header.setdefault(found.group(1).lower(), found.group(2))
    return header


def read_query_file(path: Path, name: str | None = None) -> BundledQuery:
    """A query file with its parsed header (missing file → InputError)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("query file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read query: {exc}", path) from None
    header = _header_of(text)
    params = tuple(dict.fromkeys(_VAR.findall(header.get("parameters", ""))))
    examples = []
    for part in header.get("example-binding", "").split():
        key, sep, value = part.partition("=")
        if sep:
            examples.append((key.lstrip("?$"), value))
    name = name or path.stem
    return BundledQuery(name=name, title=header.get("title", name),
                        question=header.get("question", ""), path=path, text=text,
                        parameters=params, example_bindings=tuple(examples))


def list_queries(directory: Path | None = None) -> list[BundledQuery]:
    """Every bundled query (``queries/*.rq``), sorted by name."""
    from calcinosis_kg.core.resources import queries_dir

    folder = directory or queries_dir()
    if not folder.is_dir():
        return []
    return [read_query_file(p) for p in sorted(folder.glob("*.rq"))]


def get_query(name_or_path: str | Path) -> BundledQuery:
    """A bundled query by name (``cq03…``, with or without ``.rq``) or any ``.rq`` file path."""
    raw = str(name_or_path)
    path = Path(name_or_path)
    if isinstance(name_or_path, Path) or raw.endswith(".rq") or "/" in raw or "\\" in raw:
        if path.is_file():
            return read_query_file(path)
        if len(path.parts) > 1 or not raw.endswith(".rq"):
            raise InputError("query file not found", path)
    name = str(name_or_path).removesuffix(".rq")
    bundled = {q.name: q for q in list_queries()}
    if name in bundled:
        return bundled[name]
    prefixed = [n for n in bundled if n.startswith(name + "-") or n.split("-", 1)[0] == name]
    if len(prefixed) == 1:
        return bundled[prefixed[0]]
    near = prefixed or difflib.get_close_matches(name, list(bundled), n=3, cutoff=0.4) or \
        [n for n in bundled if name.lower() in n.lower()][:3]
    hint = f"; did you mean: {', '.join(near)}?" if near else \
        "; run 'calcinosis-kg queries' for the list"
    raise InputError(f"unknown query '{name}'{hint}")


def _as_query(query: str | Path | BundledQuery) -> tuple[str, str]:
    """(text, source name) for a query given as text, a name, a path or a BundledQuery."""
    if isinstance(query, BundledQuery):
        return query.text, str(query.path)
    if isinstance(query, str) and ("{" in query or (re.search(r"\s", query.strip())
                                                    and not query.strip().endswith(".rq"))):
        return query, "<query>"
    found = get_query(query)
    return found.text, str(found.path)


# ---------------------------------------------------------------------------------------------
# lexical checks and bindings


def strip_lexical(text: str) -> str:
    """The query with strings, IRIs and comments blanked (keywords and variables remain)."""
    return _LEXICAL.sub(lambda m: " " * len(m.group(0)), text)


def query_variables(text: str) -> set[str]:
    """Every variable name the query mentions (``?x`` and ``$x``)."""
    return set(_VAR.findall(strip_lexical(text)))


def refuse_service(text: str, source: str = "<query>") -> None:
    """Raise ``QueryRefused`` if the query has a SERVICE clause (federated = network access)."""
    stripped = strip_lexical(text)
    found = _SERVICE.search(stripped)
    if found:
        line = stripped.count("\n", 0, found.start()) + 1
        col = found.start() - (stripped.rfind("\n", 0, found.start()) + 1) + 1
        raise QueryRefused("SERVICE (federated query) refused: queries never access the network",
                           source, line, col)


def parse_term(value: str) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """A ``--bind`` value as an RDF term.

    ``<iri>``, ``http(s)://…`` and CURIEs with a curated prefix → IRI; ``"text"``, ``"text"@en``,
    ``"text"^^xsd:type`` → literal; ``12`` / ``1.5`` / ``1e3`` / ``true`` → typed literal; any other
    bare text → plain string literal. ``Foo:bar`` with an unknown prefix is an error, not a
    literal, so a mistyped CURIE never silently matches nothing.
    """
    import pyoxigraph

    from calcinosis_kg.core.prefixes import expand

    def iri(text: str) -> pyoxigraph.NamedNode:
        try:
            return pyoxigraph.NamedNode(text)
        except ValueError as exc:
            raise InputError(f"invalid IRI <{text}>: {exc}") from None

    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return iri(value[1:-1])
    if value.startswith('"'):
        quoted = re.match(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z][A-Za-z0-9-]*)|\^\^(\S+))?$', value)
        if not quoted:
            raise InputError(f"cannot read literal {value}: use \"text\", \"text\"@en or "
                             "\"text\"^^xsd:type")
        text = re.sub(r"\\(.)", r"\1", quoted.group(1))
        if quoted.group(2):
            return pyoxigraph.Literal(text, language=quoted.group(2))
        if quoted.group(3):
            return pyoxigraph.Literal(text, datatype=parse_term(quoted.group(3)))
        return pyoxigraph.Literal(text)
    if value.startswith(("http://", "https://", "urn:")):
        return iri(value)
    if _INTEGER.match(value):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "integer"))
    if _DECIMAL.match(value):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "decimal"))
    if _DOUBLE.match(value):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "double"))
    if value in ("true", "false"):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "boolean"))
    if _CURIE.match(value):
        try:
            return iri(expand(value))
        except ValueError:
            prefix = value.split(":", 1)[0]
            raise InputError(f"unknown prefix '{prefix}:' in {value} (quote it to bind a "
                             f"literal: '\"{value}\"')") from None
    return pyoxigraph.Literal(value)


def parse_bindings(bindings: Mapping[str, object] | None, text: str,
                   source: str = "<query>") -> dict[str, pyoxigraph.NamedNode | pyoxigraph.Literal]:
    """Variable -> RDF term; every variable must occur in the query."""
    import pyoxigraph

    if not bindings:
        return {}
    known = query_variables(text)
    terms = {}
    for raw_name, raw_value in bindings.items():
        name = raw_name.lstrip("?$")
        if name not in known:
            listed = ", ".join("?" + v for v in sorted(known)) or "none"
            raise InputError(f"--bind {name}: the query has no variable ?{name} "
                             f"(variables: {listed})", source)
        if isinstance(raw_value, pyoxigraph.NamedNode | pyoxigraph.Literal):
            terms[name] = raw_value
        else:
            terms[name] = parse_term(str(raw_value))
    return terms


def parse_bind_options(options: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["VAR=VALUE", …]`` (from ``--bind``) -> {VAR: VALUE}."""
    out: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--bind {option!r}: expected VAR=VALUE")
        out[name.strip().lstrip("?$")] = value
    return out


def _query_error(exc: BaseException, source: str) -> InputError:
    from calcinosis_kg.graph.loading import syntax_error

    error = syntax_error(exc, source, "SPARQL")
    error.message = error.message.replace("malformed SPARQL", "SPARQL syntax error")
    return InputError(error.message, error.path, error.line, error.column)


def values_block(bindings: dict) -> str:
    """A trailing ``VALUES`` clause of N-Triples-serialised terms (pyoxigraph escapes them)."""
    if not bindings:
        return ""
    names = list(bindings)
    return ("\nVALUES (" + " ".join("?" + n for n in names) + ") { ("
            + " ".join(str(bindings[n]) for n in names) + ") }\n")


# ---------------------------------------------------------------------------------------------
# engines


@dataclass
class RawResult:
    kind: str
    columns: list[str]
    rows: list[RawRow]


class Engine(Protocol):
    """Something that answers SPARQL: the local store, rdflib, or a remote endpoint."""

    name: str

    def execute(self, text: str, bindings: dict, source: str) -> RawResult: ...

    def labels(self, iris: list[str]) -> dict[str, str]: ...


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

    def execute(self, text: str, bindings: dict, source: str) -> RawResult:
        import pyoxigraph

        from calcinosis_kg.core.prefixes import prefix_map

        substitutions = {pyoxigraph.Variable(k): v for k, v in bindings.items()}
        try:
            try:
                result = self.kg.store.query(text, prefixes=prefix_map(),
                                             substitutions=substitutions or None)
            except (ValueError, RuntimeError) as exc:
                # pyoxigraph substitutes only projected variables; others are joined through
                # a trailing VALUES block of serialised terms (the query text is not edited)
                if "projection" not in str(exc):
                    raise
                result = self.kg.store.query(text + values_block(bindings),
                                             prefixes=prefix_map())
        except SyntaxError as exc:
            raise _query_error(exc, source) from None
        except (ValueError, OSError, RuntimeError) as exc:
            raise InputError(f"query failed: {exc}", source) from None
        if isinstance(result, pyoxigraph.QueryBoolean):
            return RawResult("ask", ["ask"], [(("literal", str(bool(result)).lower()),)])
        if isinstance(result, pyoxigraph.QuerySolutions):
            columns = [v.value for v in result.variables]
            rows = [tuple(_ox_value(solution[c]) for c in columns) for solution in result]
            return RawResult("select", columns, rows)
        return RawResult("graph", ["subject", "predicate", "object"],
                         [(_ox_value(t.subject), _ox_value(t.predicate), _ox_value(t.object))
                          for t in result])

    def labels(self, iris: list[str]) -> dict[str, str]:
        return _local_labels(self.kg, iris)


class RdflibEngine:
    """The local graph through rdflib's SPARQL (the baseline; slower on path queries)."""

    name = "rdflib"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg

    def execute(self, text: str, bindings: dict, source: str) -> RawResult:
        import rdflib
        import rdflib.plugins.sparql as rdflib_sparql
        from pyparsing import ParseException
        from rdflib.plugins.sparql import prepareQuery

        from calcinosis_kg.core.prefixes import prefix_map
        from calcinosis_kg.graph.knowledge import to_rdflib_term

        rdflib_sparql.SPARQL_LOAD_GRAPHS = False  # FROM <url> must never fetch
        try:
            prepared = prepareQuery(text, initNs=prefix_map())
        except ParseException as exc:
            err = SyntaxError(f"{exc.msg}", (source, exc.lineno, exc.col, None))
            raise _query_error(err, source) from None
        except Exception as exc:  # rdflib raises plain Exceptions for unknown prefixes etc.
            raise InputError(f"SPARQL syntax error: {exc}", source) from None
        init = {rdflib.Variable(k): to_rdflib_term(v) for k, v in bindings.items()}
        try:
            result = self.kg.graph.query(prepared, initBindings=init)
        except Exception as exc:
            raise InputError(f"query failed: {exc}", source) from None

        def value(term: object) -> Value | None:
            if term is None:
                return None
            if isinstance(term, rdflib.URIRef):
                return ("iri", str(term))
            if isinstance(term, rdflib.BNode):
                return ("bnode", str(term))
            return ("literal", str(term))

        if result.type == "ASK":
            return RawResult("ask", ["ask"], [(("literal", str(bool(result.askAnswer)).lower()),)])
        if result.type == "SELECT":
            columns = [str(v) for v in result.vars]
            return RawResult("select", columns,
                             [tuple(value(row[i]) for i in range(len(columns))) for row in result])
        return RawResult("graph", ["subject", "predicate", "object"],
                         [tuple(value(t) for t in triple) for triple in result])

    def labels(self, iris: list[str]) -> dict[str, str]:
        return _local_labels(self.kg, iris)


def _local_labels(kg: KnowledgeGraph, iris: list[str]) -> dict[str, str]:
    """Labels of ``iris`` from the loaded graph's one label table (shared by local engines)."""
    known = kg.labels
    return {iri: known[iri] for iri in iris if iri in known}


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (HTTP POST, JSON results), used only with ``--endpoint``.

    Bindings travel as a trailing ``VALUES`` block of serialised RDF terms (the protocol has no
    parameter slot); the query's own text is never edited. ``SERVICE`` is still refused.
    """

    name = "remote"

    def __init__(self, endpoint: str, timeout: float = 30.0) -> None:
        if not re.match(r"^https?://", endpoint):
            raise InputError(f"--endpoint {endpoint}: only http:// and https:// endpoints")
        self.endpoint = endpoint
        self.timeout = timeout

    def _post(self, text: str, source: str) -> dict:
        import urllib.error
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode({"query": text}).encode()
        request = urllib.request.Request(
            self.endpoint, data=body, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace").strip().splitlines()
            raise InputError(f"endpoint {self.endpoint} answered HTTP {exc.code}: "
                             f"{detail[0] if detail else exc.reason}", source) from None
        except (urllib.error.URLError, OSError) as exc:
            raise CalcinosisKGError(f"cannot reach endpoint {self.endpoint}: "
                                    f"{getattr(exc, 'reason', exc)}") from None
        try:
            return json.loads(payload)
        except ValueError:
            raise CalcinosisKGError(
                f"endpoint {self.endpoint} did not return SPARQL JSON results "
                "(only SELECT and ASK are supported remotely)") from None

    def execute(self, text: str, bindings: dict, source: str) -> RawResult:
        from calcinosis_kg.core.prefixes import prefix_map

        declared = set(re.findall(r"PREFIX\s+([\w.-]*):", strip_lexical(text), re.IGNORECASE))
        preamble = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefix_map().items()
                           if p not in declared)
        data = self._post(preamble + text + values_block(bindings), source)
        if "boolean" in data:
            return RawResult("ask", ["ask"], [(("literal", str(bool(data["boolean"])).lower()),)])
        columns = list(data.get("head", {}).get("vars", []))
        rows = []
        for binding in data.get("results", {}).get("bindings", []):
            row = []
            for column in columns:
                cell = binding.get(column)
                if cell is None:
                    row.append(None)
                else:
                    kind = {"uri": "iri", "bnode": "bnode"}.get(cell.get("type"), "literal")
                    row.append((kind, cell.get("value", "")))
            rows.append(tuple(row))
        return RawResult("select", columns, rows)

    def labels(self, iris: list[str]) -> dict[str, str]:
        import pyoxigraph

        if not iris:
            return {}
        values = " ".join(str(pyoxigraph.NamedNode(i)) for i in sorted(set(iris)))
        data = self._post("SELECT ?s ?l WHERE { VALUES ?s { " + values + " } "
                          "?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }", "<labels>")
        best: dict[str, tuple[int, str]] = {}  # same preference as KnowledgeGraph.labels
        for binding in data.get("results", {}).get("bindings", []):
            iri, label = binding["s"]["value"], binding["l"]
            lang = label.get("xml:lang", "")
            key = (0 if not lang else 1 if lang.lower().startswith("en") else 2, label["value"])
            if iri not in best or key < best[iri]:
                best[iri] = key
        return {iri: value for iri, (_, value) in best.items()}


ENGINES = {"oxigraph": OxigraphEngine, "rdflib": RdflibEngine}


def make_engine(kg: KnowledgeGraph | None, engine: str | Engine = "oxigraph",
                endpoint: str | None = None) -> Engine:
    """The engine to run on: a name (``oxigraph``/``rdflib``), an Engine, or a remote endpoint."""
    if endpoint:
        return RemoteEngine(endpoint)
    if not isinstance(engine, str):
        return engine
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' (choose from {', '.join(ENGINES)})")
    if kg is None:
        raise InputError("no graph loaded and no --endpoint given")
    return ENGINES[engine](kg)


def inferred_kg(kg: KnowledgeGraph) -> KnowledgeGraph:
    """``kg`` plus the reasoner's inferred class hierarchy (``reasoning.inferred_graph``)."""
    try:
        from calcinosis_kg.checks.reasoning import inferred_graph
    except ImportError as exc:
        raise CalcinosisKGError("--inferred needs the reasoner (calcinosis_kg.checks.reasoning."
                                f"inferred_graph), which is not available: {exc}") from None
    return kg.with_triples(inferred_graph(kg), tag="inferred")


def run_query(kg: KnowledgeGraph | None, query: str | Path | BundledQuery,
              bindings: Mapping[str, object] | None = None, engine: str | Engine = "oxigraph",
              inferred: bool = False) -> QueryResult:
    """Run a query (bundled name, ``.rq`` path, BundledQuery or SPARQL text) on ``kg``.

    ``bindings`` maps variable names to values (``"CCKG:0000001"``, ``'"text"@en'``, ``12`` …)
    bound as RDF terms. Raises ``InputError`` for an unknown query, a syntax error (with
    line:column), a binding for a variable the query lacks, or a SERVICE clause.
    """
    from calcinosis_kg.core.prefixes import compress

    text, source = _as_query(query)
    refuse_service(text, source)
    terms = parse_bindings(bindings, text, source)
    if inferred:
        if kg is None:
            raise InputError("--inferred needs the local graph (not an --endpoint)")
        kg = inferred_kg(kg)
    runner = make_engine(kg, engine)
    raw = runner.execute(text, terms, source)

    iri_columns = [c for i, c in enumerate(raw.columns)
                   if any(row[i] is not None and row[i][0] == "iri" for row in raw.rows)]
    iris = sorted({v[1] for row in raw.rows for v in row if v is not None and v[0] == "iri"})
    found = runner.labels(iris)

    def show(value: Value | None) -> str | None:
        if value is None:
            return None
        kind, text_value = value
        if kind == "iri":
            return compress(text_value)
        if kind == "bnode":
            return "_:" + text_value
        return text_value

    labels = {compress(iri): label for iri, label in found.items()}
    rows = [tuple(show(v) for v in row) for row in raw.rows]
    return QueryResult(columns=raw.columns, rows=rows, labels=labels, iri_columns=iri_columns,
                       kind=raw.kind, source=source)


# ---------------------------------------------------------------------------------------------
# output


def render(result: QueryResult, fmt: str = "table", with_labels: bool = True) -> str:
    """The result as ``table`` (aligned text), ``csv``, ``tsv`` or ``json``."""
    columns, rows = result.labelled() if with_labels else (result.columns, result.rows)
    if fmt == "json":
        return json.dumps({"columns": columns,
                           "rows": [dict(zip(columns, row, strict=True)) for row in rows]},
                          ensure_ascii=False, indent=2) + "\n"
    if fmt == "tsv":  # plain TSV (no quoting): tabs and newlines inside values become spaces
        lines = ["\t".join(columns)]
        lines += ["\t".join(" ".join(("" if v is None else v).replace("\t", " ").splitlines())
                            for v in row) for row in rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return stream.getvalue()
    if fmt != "table":
        raise InputError(f"unknown format '{fmt}' (table, csv, tsv, json)")
    cells = [[" ".join(("" if v is None else v).split()) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
              for r in cells]
    count = len(rows)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"
