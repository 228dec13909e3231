"""The HTTP server: a read-only SPARQL 1.1 Protocol endpoint, the bundled queries by name, and the
explorer page, on the standard library's threading HTTP server.

Why no web framework: the surface is five routes, and every limit a public endpoint needs is
explicit here. Each query passes ``guard.check_query`` (updates, SERVICE and foreign graphs
refused with 403/400), runs in a forked child (``graph.bounded``, through ``Service.execute``)
killed after ``Limits.timeout`` seconds (503), is cut at ``Limits.row_limit`` rows (reported in
``X-Row-Limit`` / ``X-Rows-Truncated`` and inside the result), and at most
``Limits.max_concurrent`` queries run at once (busy → 503 with Retry-After). Bodies above
``Limits.max_body`` get 413, URLs above ``Limits.max_url`` 414, errors one line of text: never a
stack trace.
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from calcinosis_kg.serve.results import MEDIA, NotAcceptable, negotiate, write
from calcinosis_kg.serve.service import HttpError, Limits, Service

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.serve.dataset import Answer, Dataset

__all__ = ["Handler", "HttpError", "Limits", "Server", "make_server"]

EXPOSED = "X-Row-Limit, X-Rows-Truncated, X-Query-Timeout, X-Result-Rows"


class Handler(BaseHTTPRequestHandler):
    """One request: route, read within limits, answer; errors become one line of text."""

    service: Service  # set on the subclass made by ``make_server``
    server_version = "calcinosis-kg"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request

    # -- plumbing ---------------------------------------------------------------------------

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if not getattr(self.server, "quiet", False):
            sys.stderr.write(f"{self.address_string()} {format % args}\n")

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", EXPOSED)
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, exc: HttpError) -> None:
        self._send(exc.status, (exc.message + "\n").encode(), "text/plain; charset=utf-8",
                   exc.headers)

    def _dispatch(self) -> None:
        try:
            if len(self.path) > self.service.limits.max_url:
                raise HttpError(414, f"request URL longer than {self.service.limits.max_url} "
                                     "bytes; send the query with POST")
            self._route()
        except HttpError as exc:
            self.close_connection = exc.status >= 500 or exc.status in (411, 413)
            self._error(exc)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # never a stack trace to the client; one line in the log
            sys.stderr.write(f"calcinosis-kg serve: internal error: {type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:200]}\n")
            self.close_connection = True
            self._error(HttpError(500, "internal error"))

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def do_OPTIONS(self) -> None:  # noqa: N802
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse_write()

    def do_DELETE(self) -> None:  # noqa: N802
        self._refuse_write()

    def do_PATCH(self) -> None:  # noqa: N802
        self._refuse_write()

    def _refuse_write(self) -> None:
        self.close_connection = True
        self._error(HttpError(405, "read-only endpoint: writes are refused",
                              {"Allow": "GET, HEAD, POST, OPTIONS"}))

    def _body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked" or length is None:
            raise HttpError(411, "POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError:
            raise HttpError(400, "bad Content-Length") from None
        if size < 0 or size > self.service.limits.max_body:
            raise HttpError(413, f"request body larger than {self.service.limits.max_body} bytes")
        return self.rfile.read(size)

    # -- routes -----------------------------------------------------------------------------

    def _route(self) -> None:
        from calcinosis_kg.serve import explorer

        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        route = url.path.rstrip("/") or "/"
        if route == "/sparql":
            self._sparql(params)
        elif route == "/queries":
            body = json.dumps(explorer.query_list(), ensure_ascii=False).encode()
            self._send(200, body, "application/json")
        elif route.startswith("/queries/"):
            self._bundled(urllib.parse.unquote(route[len("/queries/"):]), params)
        elif route.startswith("/api/"):
            if self.command not in ("GET", "HEAD"):
                raise HttpError(405, "GET only", {"Allow": "GET, HEAD"})
            data = explorer.api(self.service, route[len("/api/"):], params)
            self._send(200, json.dumps(data, ensure_ascii=False).encode(), "application/json")
        elif self.command in ("GET", "HEAD"):
            found = explorer.static(route)
            if found is None:
                raise HttpError(404, f"not found: {url.path}")
            self._send(200, found[0], found[1], {"Cache-Control": "no-cache"})
        else:
            raise HttpError(405, f"{self.command} {url.path} is not supported")

    def _sparql(self, params: dict[str, list[str]]) -> None:
        if self.command == "POST":
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = self._body()
            if ctype == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(body.decode("utf-8", "replace"),
                                             keep_blank_values=True)
                if "update" in form:
                    raise HttpError(403, "SPARQL updates are refused: this endpoint is read-only")
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            elif ctype == "application/sparql-update":
                raise HttpError(403, "SPARQL updates are refused: this endpoint is read-only")
            else:
                raise HttpError(415, "POST a form (application/x-www-form-urlencoded) or "
                                     "application/sparql-query")
        elif "update" in params:
            raise HttpError(403, "SPARQL updates are refused: this endpoint is read-only")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise HttpError(400, "give exactly one 'query' parameter (SPARQL 1.1 Protocol)")
        self._answer(queries[0], None, params, params.get("default-graph-uri", []),
                     params.get("named-graph-uri", []))

    def _bundled(self, name: str, params: dict[str, list[str]]) -> None:
        import re

        from calcinosis_kg.core.errors import InputError
        from calcinosis_kg.graph.queryfiles import get_query
        from calcinosis_kg.graph.sparql_text import parse_bindings

        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", name):  # a bundled name, never a path
            raise HttpError(404, "no such bundled query (list: /queries)")
        try:
            found = get_query(name)  # a full name or a unique prefix such as cq12
        except InputError as exc:
            raise HttpError(404, f"{exc.one_line()} (list: /queries)") from None
        reserved = {"format", "labels"}
        raw = {k: v[-1] for k, v in params.items() if k not in reserved}
        try:
            terms = parse_bindings(raw, found.text, f"/queries/{name}")
        except InputError as exc:
            raise HttpError(400, exc.one_line().replace("--bind ", "")) from None
        self._answer(found.text, dict(terms), params)

    def _answer(self, text: str, bindings: dict | None, params: dict[str, list[str]],
                default_graphs: list[str] | tuple[str, ...] = (),
                named_graphs: list[str] | tuple[str, ...] = ()) -> None:
        """Negotiate, run in the worker (which writes the bytes) and send with the limits."""
        limits = self.service.limits
        labels = self.service.dataset.labels if (params.get("labels") or [""])[-1] else None
        requested = (params.get("format") or [""])[-1] or None
        accept = self.headers.get("Accept")

        def render(form: str, answer: Answer | None) -> tuple[str, bytes, int, bool]:
            try:
                fmt = negotiate(form, accept, requested)
            except NotAcceptable as exc:
                raise HttpError(406, str(exc)) from None
            if answer is None:
                return fmt, b"", 0, False
            body = write(answer, fmt, limits.row_limit, limits.timeout)
            if labels is not None and fmt == "json" and form == "SELECT":
                body = _with_labels(body, labels)
            count = len(answer.rows) if form == "SELECT" else len(answer.triples)
            return fmt, body, count, answer.truncated

        fmt, body, count, truncated = self.service.execute(text, bindings, default_graphs,
                                                           named_graphs, render)
        headers = {"X-Row-Limit": str(limits.row_limit),
                   "X-Rows-Truncated": "true" if truncated else "false",
                   "X-Query-Timeout": f"{limits.timeout:g}", "X-Result-Rows": str(count),
                   "Vary": "Accept"}
        media = MEDIA[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv", "turtle") else "")
        self._send(200, body, media, headers)


def _with_labels(body: bytes, labels: dict[str, str]) -> bytes:
    """Add ``labels`` {IRI: rdfs:label} and ``curies`` {IRI: CURIE} for every IRI in SPARQL JSON
    results (for the explorer page)."""
    from calcinosis_kg.core.prefixes import compress

    data = json.loads(body)
    iris = sorted({cell["value"] for row in data["results"]["bindings"] for cell in row.values()
                   if cell.get("type") == "uri"})
    data["labels"] = {iri: labels[iri] for iri in iris if iri in labels}
    data["curies"] = {iri: compress(iri) for iri in iris if compress(iri) != iri}
    return json.dumps(data, ensure_ascii=False).encode() + b"\n"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    quiet = False


def make_server(kg: KnowledgeGraph, dataset: Dataset, host: str = "127.0.0.1", port: int = 0,
                limits: Limits | None = None, quiet: bool = False) -> Server:
    """A bound (not yet serving) server; ``port=0`` picks a free port (``server.server_port``)."""
    service = Service(kg, dataset, limits or Limits())
    handler = type("BoundHandler", (Handler,), {"service": service})
    server = Server((host, port), handler)
    server.quiet = quiet
    return server
