"""SPARQL over HTTP: the remote engine of ``query``/``check --endpoint`` and ``push``'s count.

Why a module of its own: a remote answer is someone else's document. It is read through the one
HTTP client (``http_client``: deadline, size limit, no redirects) and checked as a parsed
structure before anything uses it: SPARQL JSON results with the shapes of the W3C format (an
object; ``head.vars`` a list of names; ``results.bindings`` a list of objects of terms, each an
object with a known ``type`` and a string ``value``; an absolute IRI without spaces or
``<>"{}|^`\\``; no lone surrogate; JSON nested deeper than the parser's recursion limit is
refused by it), else one line naming the endpoint and the place. A server that says it cut
the result (Virtuoso's ``X-SPARQL-MaxRows``, a silent cap at 10 000 rows) fails loudly.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.core.vocab import RDFS_LABEL
from calcinosis_kg.graph.engines import RawResult, RawRow, Value, _ask, _take
from calcinosis_kg.graph.http_client import Client, Credentials, RemoteError, check_url, public
from calcinosis_kg.graph.knowledge import label_key
from calcinosis_kg.graph.sparql_text import strip_lexical, with_values

if TYPE_CHECKING:
    from calcinosis_kg.graph.sparql_text import Term

_KINDS = {"uri": "iri", "bnode": "bnode", "literal": "literal", "typed-literal": "literal"}
# characters IRIREF excludes (SPARQL 1.1 grammar [139]) and controls
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # a scheme (RFC 3987): results are absolute
_VARIABLE = re.compile(r"[^\x00-\x20?$(){}\[\].,;\"'<>]+")


class MalformedResults(RemoteError):
    """A SPARQL JSON results document that does not have the format's shape."""


def _text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: not a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{where}: a lone surrogate") from None
    return value


def _term(cell: object, where: str) -> tuple[Value, str]:
    if not isinstance(cell, dict):
        raise ValueError(f"{where}: not an object")
    kind = _KINDS.get(cell.get("type"))  # type: ignore[arg-type]
    if kind is None:
        raise ValueError(f"{where}.type: not uri, literal or bnode")
    value = _text(cell.get("value"), f"{where}.value")
    if kind == "iri" and (not _ABSOLUTE.match(value) or _NOT_IRI.search(value)):
        raise ValueError(f"{where}.value: not an absolute IRI")
    for extra in ("xml:lang", "datatype"):
        if extra in cell:
            _text(cell[extra], f"{where}.{extra}")
    return (kind, value), cell.get("xml:lang", "")


def parse_results(payload: bytes, endpoint: str) -> dict[str, Any]:
    """The SPARQL JSON results in ``payload``, checked: ``{"boolean": bool}`` or ``{"vars":
    [names], "rows": [(Value | None, …)], "langs": [(language tag or "", …)]}``; else
    ``MalformedResults`` (one line)."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedResults(
            f"{public(endpoint)} did not answer with SPARQL JSON results (not UTF-8)"
        ) from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise MalformedResults(
            f"{public(endpoint)} did not answer with SPARQL JSON results "
            "(only SELECT and ASK are supported remotely)"
        )
    try:
        if "boolean" in data:
            if not isinstance(data["boolean"], bool):
                raise ValueError("boolean: not true or false")
            return {"boolean": data["boolean"]}
        head = data.get("head")
        if not isinstance(head, dict) or not isinstance(head.get("vars", []), list):
            raise ValueError("head.vars: not a list")
        names = [_text(v, "head.vars") for v in head.get("vars", [])]
        if any(not _VARIABLE.fullmatch(name) for name in names):
            raise ValueError("head.vars: not a variable name")
        if len(set(names)) != len(names):
            raise ValueError("head.vars: a name given twice")
        results = data.get("results")
        if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
            raise ValueError("results.bindings: not a list")
        rows: list[RawRow] = []
        langs: list[tuple[str, ...]] = []
        for index, binding in enumerate(results["bindings"]):
            where = f"results.bindings[{index}]"
            if not isinstance(binding, dict):
                raise ValueError(f"{where}: not an object")
            cells = [
                _term(binding[name], f"{where}.{name}") if name in binding else None
                for name in names
            ]
            rows.append(tuple(cell[0] if cell else None for cell in cells))
            langs.append(tuple(cell[1] if cell else "" for cell in cells))
    except ValueError as exc:
        raise MalformedResults(
            f"{public(endpoint)}: malformed SPARQL JSON results: {exc}"
        ) from None
    return {"vars": names, "rows": rows, "langs": langs}


def check_row_cap(rows: int, headers: Mapping[str, str], endpoint: str) -> None:
    """Fail loudly when the server says it cut the answer (``X-SPARQL-MaxRows``) and it did."""
    cap = next((v for k, v in headers.items() if k.lower() == "x-sparql-maxrows"), None)
    cap = (cap or "").strip()
    if cap.isascii() and cap.isdigit() and len(cap) <= 18 and rows >= int(cap):
        raise RemoteError(
            f"{public(endpoint)} cut the answer at {int(cap)} rows "
            "(X-SPARQL-MaxRows): the result is incomplete; raise the server's row "
            "limit (Virtuoso: ResultSetMaxRows in virtuoso.ini) or add LIMIT/OFFSET"
        )


def select(client: Client, endpoint: str, text: str) -> dict[str, Any]:
    """The checked results (see ``parse_results``) of ``text`` POSTed to ``endpoint``."""
    body = urllib.parse.urlencode({"query": text}).encode()
    _, headers, payload = client.send(
        "POST",
        endpoint,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/sparql-results+json",
        },
    )
    data = parse_results(payload, endpoint)
    check_row_cap(len(data.get("rows", [])), headers, endpoint)
    return data


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (HTTP POST, JSON results), used only with ``--endpoint``.

    Bindings travel as a ``VALUES`` block of serialised RDF terms opening the WHERE group
    (``sparql_text.with_values``: the protocol has no parameter slot, and a trailing VALUES is
    ignored by some stores); the user's values are never pasted. ``SERVICE`` is still refused.
    ``deadline()`` bounds every later exchange (the query and its labels) by one time.
    """

    name = "remote"

    def __init__(
        self, endpoint: str, timeout: float = 60.0, credentials: Credentials | None = None
    ) -> None:
        check_url(endpoint, "--endpoint")
        self.endpoint = endpoint
        self.client = Client(timeout, credentials)

    @property
    def timeout(self) -> float:
        """Seconds each exchange may take (the client's; lowered by ``deadline``)."""
        return self.client.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self.client.timeout = seconds

    def deadline(self, seconds: float) -> None:
        """Every exchange from now on ends within ``seconds`` of now."""
        self.client.deadline = time.monotonic() + seconds
        self.client.timeout = min(self.client.timeout, seconds)

    def _post(self, text: str, source: str) -> dict[str, Any]:
        try:
            return select(self.client, self.endpoint, text)
        except RemoteError as exc:
            if ": HTTP 400" in str(exc):  # the store could not read the query
                raise InputError(str(exc), source) from None
            raise

    def execute(
        self, text: str, bindings: Mapping[str, Term], source: str, row_limit: int | None = None
    ) -> RawResult:
        """``Engine.execute`` on the endpoint: our prefixes declared unless the query declares
        them, bindings as a VALUES block; only SELECT and ASK come back."""

        declared = set(re.findall(r"PREFIX\s+([\w.-]*):", strip_lexical(text), re.IGNORECASE))
        preamble = "".join(
            f"PREFIX {p}: <{iri}>\n" for p, iri in prefix_map().items() if p not in declared
        )
        data = self._post(preamble + with_values(text, bindings), source)
        if "boolean" in data:
            return _ask(data["boolean"])
        rows, cut = _take(data["rows"], row_limit)
        return RawResult("select", list(data["vars"]), rows, cut)

    def labels(self, iris: list[str]) -> dict[str, str]:
        """Labels asked of the endpoint in one query (IRIs sent as VALUES terms, never pasted)."""
        import pyoxigraph

        if not iris:
            return {}
        nodes = []
        for iri in sorted(set(iris)):
            try:
                nodes.append(str(pyoxigraph.NamedNode(iri)))
            except ValueError:  # checked as results already; pyoxigraph is stricter still
                continue
        if not nodes:
            return {}
        values = " ".join(nodes)
        data = self._post(
            "SELECT ?s ?l WHERE { VALUES ?s { " + values + f" }} ?s <{RDFS_LABEL}> ?l }}",
            "<labels>",
        )
        best: dict[str, tuple[int, str]] = {}  # same preference as KnowledgeGraph.labels
        columns = data.get("vars", [])
        for row, langs in zip(data.get("rows", []), data.get("langs", []), strict=True):
            cells = dict(zip(columns, zip(row, langs, strict=True), strict=True))
            (iri, _), (label, lang) = cells.get("s", (None, "")), cells.get("l", (None, ""))
            if iri is None or label is None or iri[0] != "iri" or label[0] != "literal":
                continue
            key = label_key(lang, label[1])
            if iri[1] not in best or key < best[iri[1]]:
                best[iri[1]] = key
        return {iri: value for iri, (_, value) in best.items()}
