"""How a query's answer reaches its client: computed in the server itself when its work is
proven small (``serve.fast``), written whole by the worker on the client's connection, or sent by
the server as the worker hands it over (whole, or streamed frame by frame).

Why two ways: a point query's answer is small, and every hop between processes costs a wakeup
that a loaded machine makes wait; handing the connection to the worker with the job (the
descriptor passes over the worker's socket, SCM_RIGHTS) lets the worker write the answer itself,
one hop less (``serve.worker``). The server prepares the response head (status line, CORS,
limits, Date, Server, Connection as the request's HTTP version needs: what aiohttp would write)
and the worker completes it (type, row count, length). This is done only for GET and POST, and
only when nothing of an earlier answer on that connection is still waiting to go out, so bytes
never overtake each other. Larger answers stream through the server as before, so an answer is
never held whole and a slow reader holds only its own worker until the deadline.
"""

from __future__ import annotations

import email.utils
import functools
import time
from typing import TYPE_CHECKING

from calcinosis_kg.serve.pool import ClientGone
from calcinosis_kg.serve.results import media_type
from calcinosis_kg.serve.worker import whole

if TYPE_CHECKING:
    from aiohttp import web

    from calcinosis_kg.serve.pool import Pool
    from calcinosis_kg.serve.worker import Head, Job

_DATE = [0, ""]  # (second, its HTTP date) of the last head prepared


async def answer(
    pool: Pool, request: web.BaseRequest, job: Job, headers: dict[str, str]
) -> web.StreamResponse:
    """Run ``job`` in ``pool``; ``headers`` are the answer's headers but those that depend on
    the result (type, row count, truncation)."""
    import dataclasses

    from aiohttp import web

    def headers_of(head: Head) -> dict[str, str]:
        return {
            **headers,
            "Content-Type": media_type(head.fmt),
            "X-Rows-Truncated": "true" if head.truncated else "false",
            "X-Result-Rows": str(head.count),
        }

    client = _socket_of(request)
    fast = pool.fast(job)  # proven small: answered here, no worker
    if fast is not None:
        if client is None or fast.body is None:
            return web.Response(status=200, body=fast.body, headers=headers_of(fast))
        # written as the worker writes it: one write, without aiohttp's response machinery
        assert request.transport is not None
        request.transport.write(
            whole(_head(request, headers), media_type(fast.fmt), fast, fast.body)
        )
        return _sent_response()(request.keep_alive)  # type: ignore[call-arg]
    if client is not None:
        job = dataclasses.replace(job, head=_head(request, headers))
    response: web.StreamResponse | None = None

    async def start(head: Head) -> None:
        nonlocal response
        if head.sent:  # the worker wrote it all on the connection
            response = _sent_response()(request.keep_alive)  # type: ignore[call-arg]
        elif head.body is not None:  # whole: sent by aiohttp with its head, in one write
            response = web.Response(status=200, body=head.body, headers=headers_of(head))
        else:
            response = web.StreamResponse(status=200, headers=headers_of(head))
            await response.prepare(request)

    async def send(data: bytes) -> None:
        assert response is not None
        if request.method != "HEAD":
            await response.write(data)

    await pool.run(job, start, send, client)
    assert response is not None
    if not response.prepared:
        return response
    try:
        await response.write_eof()
    except ConnectionError:
        raise ClientGone from None
    return response


def _head(request: web.BaseRequest, headers: dict[str, str]) -> bytes:
    """The status line and headers of a 200 that the worker completes and writes."""
    from aiohttp.http import SERVER_SOFTWARE

    now = int(time.time())
    if now != _DATE[0]:
        _DATE[:] = [now, email.utils.formatdate(now, usegmt=True)]
    version = request.version
    lines = [
        f"HTTP/{version.major}.{version.minor} 200 OK",
        f"Date: {_DATE[1]}",
        f"Server: {SERVER_SOFTWARE}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    if request.keep_alive and version < (1, 1):
        lines.append("Connection: keep-alive")
    elif not request.keep_alive and version >= (1, 1):
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def _socket_of(request: web.BaseRequest) -> int | None:
    """The connection's descriptor, when a worker may write a whole answer on it: a GET or
    POST on a socket with nothing of an earlier answer still waiting to go out."""
    transport = request.transport
    if request.method == "HEAD" or transport is None or transport.is_closing():
        return None
    sock = transport.get_extra_info("socket")
    if sock is None or getattr(transport, "get_write_buffer_size", lambda: 1)() != 0:
        return None
    return int(sock.fileno())


@functools.cache
def _sent_response() -> type[web.StreamResponse]:
    from aiohttp import web

    class Sent(web.StreamResponse):
        """The answer a worker has written whole on the connection: nothing more to send."""

        def __init__(self, keep_alive: bool) -> None:
            super().__init__(status=200)
            self._alive = keep_alive

        @property
        def keep_alive(self) -> bool:
            """Whether aiohttp keeps the connection for the next request."""
            return self._alive

        async def prepare(self, request: web.BaseRequest) -> None:
            """Nothing to prepare: the head went out with the answer."""
            return None

        async def write_eof(self, data: bytes = b"") -> None:
            """Nothing to end: the answer was written whole, with its length."""
            return None

    return Sent
