"""The server process: a listening socket, aiohttp's HTTP/1.1 machinery and the worker pool,
run on one asyncio loop.

Why aiohttp (its low-level server, no router): a well-kept HTTP/1.1 implementation with a C
parser, keep-alive, pipelining, HTTP/1.0 and ``Connection: close``, TCP_NODELAY (the 60 ms floor
of the standard library's server was Nagle's algorithm meeting delayed ACKs) and draining of an
unread request body; one loop holds thousands of idle connections for the cost of their
buffers, and the queries themselves run in the worker processes. What it answers by itself is
made short here: a malformed request, a request line longer than ``Limits.max_url`` (414), too
many or too large headers (431) get one line of text and a closed connection, logged as one line
without a traceback. Past ``Limits.max_connections`` open connections a new one gets a 503 and
is closed; the listen backlog is 1024, so a burst is accepted and answered, never left hanging.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from calcinosis_kg.serve.app import App, escape_line
from calcinosis_kg.serve.pool import Pool
from calcinosis_kg.serve.service import Limits, Service

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.serve.dataset import Dataset

BACKLOG = 1024


def _plumbing(app: App, limits: Limits) -> Any:
    """aiohttp's low-level server whose connections are counted and whose own error answers
    are short (built lazily: ``serve --help`` must not import aiohttp)."""
    from aiohttp import web_protocol, web_server
    from aiohttp.http_exceptions import BadHttpMessage, LineTooLong
    from aiohttp.web import Response

    class Handler(web_protocol.RequestHandler):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            server.open += 1
            if server.open > limits.max_connections:
                body = b"busy: too many open connections; try again shortly\n"
                transport.write(  # type: ignore[attr-defined]
                    b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n"
                    b"Content-Type: text/plain; charset=utf-8\r\nConnection: close"
                    b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                self.force_close()
                transport.close()

        def connection_lost(self, exc: BaseException | None) -> None:
            server.open -= 1
            super().connection_lost(exc)

        def handle_error(
            self,
            request: Any,
            status: int = 500,
            exc: BaseException | None = None,
            message: str | None = None,
        ) -> Any:
            if request.writer.output_size > 0:
                raise ConnectionError("the answer had started")
            if isinstance(exc, LineTooLong) and exc.args[1:2] == (limits.max_url,):
                status, text = (
                    414,
                    (f"request line longer than {limits.max_url} bytes; send the query with POST"),
                )
            elif isinstance(exc, LineTooLong) or (
                isinstance(exc, BadHttpMessage) and "headers" in str(exc.message)
            ):
                status, text = (
                    431,
                    (
                        f"request headers too large (at most {limits.max_headers} "
                        f"headers of {limits.max_header_bytes} bytes)"
                    ),
                )
            elif isinstance(exc, BadHttpMessage):
                status, text = 400, f"bad request: {' '.join(str(exc.message).split())[:200]}"
            else:
                status, text = 500, "internal error"
            if not app.quiet:
                sys.stderr.write(
                    f'{request.remote} "(unreadable request)" {status} {escape_line(text)}\n'
                )
            response = Response(
                status=status,
                text=text + "\n",
                content_type="text/plain",
                headers={"X-Content-Type-Options": "nosniff"},
            )
            response.force_close()
            return response

    class LowServer(web_server.Server):
        open = 0

        def __call__(self) -> Handler:
            return Handler(self, loop=self._loop, **self._kwargs)

    server = LowServer(
        app.handle,
        max_line_size=limits.max_url,
        max_field_size=limits.max_header_bytes,
        max_headers=limits.max_headers,
        keepalive_timeout=30,
        lingering_time=2.0,
        access_log=None,
    )
    return server


class Server:
    """A bound (not yet serving) server. ``serve_forever`` runs it (in any thread) until
    ``shutdown`` is called from another thread, or (in the main thread) SIGTERM or Ctrl-C
    arrives: those are handled on the loop, because a Python-level handler that raises can fire
    inside ``os.fork``'s callbacks while a worker is replaced, where its exception is dropped
    and the server would ignore the signal. ``server_port`` is the bound port."""

    def __init__(self, service: Service, host: str, port: int, quiet: bool = False) -> None:
        self.service, self.quiet = service, quiet
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.create_server((host, port), family=family, backlog=BACKLOG)
        self.server_address = self.socket.getsockname()
        self.server_port: int = self.server_address[1]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._done = threading.Event()
        self.pool: Pool | None = None  # while serving (its counters are read by tests)

    def serve_forever(self) -> None:
        """Serve until ``shutdown`` or a signal; the workers are started first and ended after."""
        try:
            with asyncio.Runner(loop_factory=_loop_factory()) as runner:
                runner.run(self._main())
        finally:
            self._done.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):  # handled on the loop, never mid-fork
            with contextlib.suppress(ValueError, RuntimeError, NotImplementedError):
                self._loop.add_signal_handler(signum, self._stop.set)
        pool = self.pool = Pool(self.service.dataset, self.service.limits)
        try:
            await pool.start()
            app = App(self.service, pool, self.quiet)
            handler = _plumbing(app, self.service.limits)
            listening = await self._loop.create_server(handler, sock=self.socket, backlog=BACKLOG)
            self._ready.set()
            try:
                await self._stop.wait()
            finally:
                listening.close()
                handler.pre_shutdown()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(handler.shutdown(1.0), 3)
        finally:
            self._ready.set()
            await pool.close()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` from another thread and wait for it to end (bounded waits)."""
        self._ready.wait(60)
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._done.wait(30)

    def server_close(self) -> None:
        """Close the listening socket (the ``socketserver`` method name callers expect)."""
        self.socket.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when it is installed (measured: a request costs the server about half
    the CPU of asyncio's own loop), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def make_server(
    kg: KnowledgeGraph,
    dataset: Dataset,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: Limits | None = None,
    quiet: bool = False,
) -> Server:
    """A bound (not yet serving) server; ``port=0`` picks a free port (``server.server_port``)."""
    return Server(Service(kg, dataset, limits or Limits()), host, port, quiet)
