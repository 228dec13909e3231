"""The HTTP routes: a read-only SPARQL 1.1 Protocol endpoint, the bundled queries by name, the
service description and the explorer page.

Why this shape: every route reads its request within limits, and every query goes to the worker
pool (``serve.pool``), where the guard, the deadline, the row limit and the memory ceiling hold;
this module never parses SPARQL. Errors are one line of text, never a stack trace; each request
is logged as one line with its control characters escaped. The HTTP plumbing (aiohttp, the
connection cap, malformed requests) is ``serve.front``.
"""

from __future__ import annotations

import asyncio
import functools
import json
import re
import sys
import time
import urllib.parse
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.queryfiles import get_query
from calcinosis_kg.graph.sparql_text import parse_bindings
from calcinosis_kg.serve.access import Access
from calcinosis_kg.serve.description import describe
from calcinosis_kg.serve.graph_names import ASSERTED, INFERRED
from calcinosis_kg.serve.pool import AnswerCut, ClientGone
from calcinosis_kg.serve.reply import answer
from calcinosis_kg.serve.results import MEDIA, NotAcceptable, negotiate
from calcinosis_kg.serve.service import HttpError, Limits, Service
from calcinosis_kg.serve.worker import Job

if TYPE_CHECKING:
    from aiohttp import web

    from calcinosis_kg.serve.pool import Pool

__all__ = ["App", "HttpError", "Limits", "escape_line"]

UPDATE_REFUSED = "SPARQL updates are refused: this endpoint is read-only"
READ_ONLY = "GET, HEAD, POST, OPTIONS"


def escape_line(text: str) -> str:
    """``text`` with control and non-ASCII characters escaped (``\\x1b``), for one log line."""
    return text.encode("unicode_escape", "backslashreplace").decode("ascii").replace('"', '\\"')


class App:
    """The request handler of one server."""

    def __init__(self, service: Service, pool: Pool, quiet: bool = False) -> None:
        self.service, self.pool, self.quiet = service, pool, quiet
        limits = service.limits
        private = any(g not in (ASSERTED, INFERRED) for g in service.dataset.graphs)
        self.access = Access(private, limits.allow_origins, limits.allow_hosts)
        self._answer_headers: dict[str | None, dict[str, str]] = {}  # by Origin (``_answer``)

    # -- plumbing -----------------------------------------------------------------------------

    def log(
        self,
        request: web.BaseRequest,
        status: int | str,
        note: str = "",
        started: float | None = None,
    ) -> None:
        """One access-log line on stderr (request line escaped: a client cannot forge log lines)."""
        if self.quiet:
            return
        line = (
            f"{request.method} {request.raw_path} HTTP/{request.version.major}."
            f"{request.version.minor}"
        )
        took = f" {(time.perf_counter() - started) * 1000:.1f}ms" if started else ""
        sys.stderr.write(
            f'{request.remote} "{escape_line(line)}" {status}{took}{" " + note if note else ""}\n'
        )

    def _headers(
        self, request: web.BaseRequest, extra: dict[str, str] | None = None
    ) -> dict[str, str]:
        headers = {
            "X-Content-Type-Options": "nosniff",
            **self.access.cors(request.headers.get("Origin")),
        }
        headers.update(extra or {})
        return headers

    def _reply(
        self,
        request: web.BaseRequest,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
    ) -> web.Response:
        from aiohttp import web

        response = web.Response(status=status, body=body, headers=self._headers(request, extra))
        response.content_type = content_type.split(";")[0]
        if "charset=" in content_type:
            response.charset = content_type.split("charset=")[1]
        return response

    def error(self, request: web.BaseRequest, exc: HttpError) -> web.Response:
        """The HTTP error as a one-line text answer; an unread body closes the connection."""
        response = self._reply(
            request,
            exc.status,
            (exc.message + "\n").encode(),
            "text/plain; charset=utf-8",
            exc.headers,
        )
        length = request.content_length
        if exc.status in (411, 413) or (
            request.body_exists
            and not request.content.is_eof()
            and (length is None or length > self.service.limits.max_body)
        ):
            # a body left unread must never be read as the next request: a small one is
            # drained by aiohttp after the answer, anything else closes the connection
            response.force_close()
        return response

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Answer one request: every failure becomes a status and one line, never a traceback."""
        started = time.perf_counter()
        try:
            response = await self._dispatch(request)
        except HttpError as exc:
            response = self.error(request, exc)
        except ClientGone:
            self.log(request, "-", "client went away during the answer", started)
            return _gone(request)
        except AnswerCut as exc:
            self.log(request, "-", f"connection cut: {exc}", started)
            return _gone(request)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.log(request, "-", "client went away", started)
            return _gone(request)
        except Exception as exc:  # never a stack trace to the client; one line in the log
            self.log(
                request,
                500,
                f"internal error: {type(exc).__name__}: "
                f"{escape_line(' '.join(str(exc).split())[:200])}",
                started,
            )
            response = self.error(request, HttpError(500, "internal error"))
            response.force_close()
            return response
        self.log(request, response.status, "", started)
        return response

    async def _dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        limits = self.service.limits
        if not self.access.host_allowed(request.headers.get("Host")):
            raise HttpError(
                403,
                "the Host header does not name this server (start it with "
                "--allow-host NAME to answer under another name)",
            )
        if len(request.raw_path) > limits.max_url:
            raise HttpError(
                414, f"request URL longer than {limits.max_url} bytes; send the query with POST"
            )
        if request.method == "OPTIONS":
            return self._reply(
                request,
                204,
                b"",
                "text/plain",
                self.access.preflight(request.headers.get("Origin"), request.headers),
            )
        if request.method not in ("GET", "HEAD", "POST"):
            raise HttpError(
                405,
                f"{escape_line(request.method)} is not supported: this endpoint is read-only",
                {"Allow": READ_ONLY},
            )
        raw = request.raw_path  # read once per target up to 4 KiB (a bounded cache)
        path, args = _split_url(raw) if len(raw) <= 4096 else _split_url.__wrapped__(raw)
        params = {key: list(values) for key, values in args}  # the caller's own lists
        route = path.rstrip("/") or "/"
        if route == "/sparql":
            return await self._sparql(request, params)
        if route == "/queries":
            # lazy: the explorer's readers (answers, rdflib) load on its first page, not at start
            from calcinosis_kg.serve import explorer

            self._no_body(request)
            body = json.dumps(explorer.query_list(), ensure_ascii=False).encode()
            return self._reply(request, 200, body, "application/json")
        if route.startswith("/queries/"):
            self._no_body(request)
            return await self._bundled(
                request, urllib.parse.unquote(route[len("/queries/") :]), params
            )
        if route.startswith("/api/"):
            from calcinosis_kg.serve import explorer  # lazy: as for /queries

            self._no_body(request)
            data = explorer.api(self.service, route[len("/api/") :], params)
            return self._reply(
                request, 200, json.dumps(data, ensure_ascii=False).encode(), "application/json"
            )
        from calcinosis_kg.serve import explorer  # lazy: as for /queries

        self._no_body(request)
        found = explorer.static(route)
        if found is None:
            raise HttpError(404, f"not found: {escape_line(path)}")
        return self._reply(request, 200, found[0], found[1], {"Cache-Control": "no-cache"})

    def _no_body(self, request: web.BaseRequest) -> None:
        if request.method == "POST":
            raise HttpError(405, "GET only here", {"Allow": "GET, HEAD, OPTIONS"})

    async def _body(self, request: web.BaseRequest) -> bytes:
        limits = self.service.limits
        chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
        length = request.content_length
        if length is None and not chunked:
            raise HttpError(411, "POST needs a Content-Length")
        if length is not None and length > limits.max_body:
            raise HttpError(413, f"request body larger than {limits.max_body} bytes")
        parts, size = [], 0
        async with asyncio.timeout(limits.request_timeout):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > limits.max_body:
                    raise HttpError(413, f"request body larger than {limits.max_body} bytes")
                parts.append(chunk)
        return b"".join(parts)

    # -- SPARQL -------------------------------------------------------------------------------

    async def _sparql(
        self, request: web.BaseRequest, params: dict[str, list[str]]
    ) -> web.StreamResponse:
        if request.method == "POST":
            media, charset = _content_type(request.headers.get("Content-Type", ""))
            body = await self._body(request)
            if charset not in ("", "utf-8", "utf8", "us-ascii"):
                raise HttpError(415, f"charset={charset}: send the query as UTF-8")
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the request body is not UTF-8") from None
            if media == "application/x-www-form-urlencoded":
                form = urllib.parse.parse_qs(text, keep_blank_values=True)
                if "update" in form:
                    raise HttpError(403, UPDATE_REFUSED)
                for key, values in form.items():
                    params.setdefault(key, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(text)
            elif media == "application/sparql-update":
                raise HttpError(403, UPDATE_REFUSED)
            else:
                raise HttpError(
                    415,
                    "POST a form (application/x-www-form-urlencoded) or application/sparql-query",
                )
        elif "update" in params:
            raise HttpError(403, UPDATE_REFUSED)
        if request.method != "POST" and "query" not in params:
            return self._description(request, params)
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise HttpError(400, "give exactly one 'query' parameter (SPARQL 1.1 Protocol)")
        return await self._answer(
            request,
            queries[0],
            None,
            params,
            params.get("default-graph-uri", []),
            params.get("named-graph-uri", []),
        )

    def _description(self, request: web.BaseRequest, params: dict[str, list[str]]) -> web.Response:
        try:
            fmt = negotiate(
                "CONSTRUCT",
                request.headers.get("Accept"),
                (params.get("format") or [""])[-1] or None,
            )
        except NotAcceptable as exc:
            raise HttpError(406, str(exc)) from None
        body = describe(self.service.dataset, self._endpoint(request), fmt)
        return self._reply(
            request,
            200,
            body,
            MEDIA[fmt] + ("; charset=utf-8" if fmt == "turtle" else ""),
            {"Vary": "Accept"},
        )

    def _endpoint(self, request: web.BaseRequest) -> str:
        """The endpoint's URL as the client named it: the base of relative IRIs."""
        host = request.host
        if not _plain_host(host):
            sockname = request.transport.get_extra_info("sockname") if request.transport else None
            host = f"{sockname[0]}:{sockname[1]}" if sockname else "localhost"
        return f"http://{host}/sparql"

    async def _bundled(
        self, request: web.BaseRequest, name: str, params: dict[str, list[str]]
    ) -> web.StreamResponse:

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
        return await self._answer(request, found.text, dict(terms), params)

    async def _answer(
        self,
        request: web.BaseRequest,
        text: str,
        bindings: dict | None,
        params: dict[str, list[str]],
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> web.StreamResponse:
        """Run the query (here when its work is proven small, else in a worker); its answer
        reaches the client as ``serve.reply`` says."""

        origin = request.headers.get("Origin")
        headers = self._answer_headers.get(origin)
        if headers is None:  # the same for every answer to this origin: kept (bounded)
            limits = self.service.limits
            headers = self._headers(
                request,
                {
                    "X-Row-Limit": str(limits.row_limit),
                    "X-Query-Timeout": f"{limits.timeout:g}",
                    "Vary": ", ".join(filter(None, ["Accept", self.access.cors(None).get("Vary")])),
                },
            )
            if len(self._answer_headers) >= 1024:
                self._answer_headers.clear()
            self._answer_headers[origin] = headers
        job = Job(
            text,
            bindings,
            tuple(default_graphs or ()),
            tuple(named_graphs or ()),
            self._endpoint(request),
            request.headers.get("Accept"),
            (params.get("format") or [""])[-1] or None,
            bool((params.get("labels") or [""])[-1]),
        )
        return await answer(self.pool, request, job, dict(headers))


@functools.lru_cache(maxsize=1024)  # a client sends the same point query again and again
def _split_url(raw_path: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """The path of a request target and its query arguments (``parse_qs``, blanks kept)."""
    url = urllib.parse.urlsplit(raw_path)
    params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
    return url.path, tuple((key, tuple(values)) for key, values in params.items())


@functools.lru_cache(maxsize=1024)  # a client names the server the same way every time
def _plain_host(host: str) -> bool:
    """Whether a Host header is a name or address with an optional port, nothing else."""
    return bool(
        re.fullmatch(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", host)
    )


def _content_type(value: str) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header, both lower case."""
    media, _, rest = value.partition(";")
    charset = ""
    for param in rest.split(";"):
        name, _, found = param.partition("=")
        if name.strip().lower() == "charset":
            charset = found.strip().strip('"').lower()
    return media.strip().lower(), charset


def _gone(request: web.BaseRequest) -> web.StreamResponse:
    """A response object for a request whose connection is gone or cut (nothing is sent)."""
    from aiohttp import web

    if request.transport is not None:
        request.transport.abort()
    response = web.Response(status=499)
    response.force_close()
    return response
