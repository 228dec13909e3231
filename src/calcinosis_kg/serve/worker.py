"""A query worker: a process forked once from the server that holds the dataset read-only and
runs one query at a time, the guard's parse included, then streams the answer back.

Why a long-lived process and not a fork per query: a fork, a pipe and a pickled answer cost
5–7 ms per query, more than most queries; a worker costs that once. Why a process and not a
thread: pyoxigraph evaluates in Rust and cannot be interrupted, so the server (``serve.pool``)
stops a query at its deadline by killing its worker and forking a fresh one; the worker's
address space is capped (``RLIMIT_AS``) so a query needing more memory ends this worker only.
The guard parses here, under the query's deadline, so a text built to be slow to parse holds
one worker, never the server.

Frames on the socket pair: a 5-byte header (length, kind) then the payload. The server sends
``JOB`` (a pickled ``Job``); the worker answers ``ERROR`` (a pickled ``Failure``), or ``HEAD``
(a pickled ``Head``, with the whole body when it is small) followed by ``DATA`` frames and
``END``. The worker blocks while the server has not taken a frame: the server reads the next
frame only once the client has taken the last one, so an answer is never held whole in the
server.

A ``JOB`` may carry the client's connection (SCM_RIGHTS) with ``Job.head``, the response head the
server has prepared: a whole answer (one frame's worth) is then written by the worker straight to
the client, one hop less, and the server hears ``SENT`` (a ``Head``) or ``GONE`` (the client
left). Before its first byte to the client the worker sets ``flag[0]``, a byte of memory shared
with the server, so a server that kills it at the deadline knows whether the client must get a
503 or a cut connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import mmap
import os
import pickle
import signal
import socket
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from calcinosis_kg.graph.bounded import _vm_bytes
from calcinosis_kg.graph.query_guard import PARSE_STACK_BYTES
from calcinosis_kg.serve.cost import fast_bound
from calcinosis_kg.serve.guard import Refused, check_query, query_dataset
from calcinosis_kg.serve.results import NotAcceptable, media_type, negotiate, write_to

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Dataset
    from calcinosis_kg.serve.guard import CheckedQuery

FRAME = struct.Struct("!IB")
JOB, HEAD, DATA, END, ERROR, SENT, GONE = range(1, 8)
#: the largest frame of answer bytes; also the largest body sent in one piece with a length
CHUNK = 64 << 10


@dataclass(frozen=True)
class Job:
    """One query to run: text, bound terms, the protocol's dataset, base IRI, what the client
    accepts, and the guard's verdict when the server already has it for this text."""

    text: str
    bindings: dict | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None
    accept: str | None = None
    requested: str | None = None  # the ``format=`` argument
    labels: bool = False
    verdict: CheckedQuery | None = None
    head: bytes | None = None  # status line and headers, when the client's socket comes along
    prove: bool = False  # give the verdict a work bound (``serve.cost``) for the fast lane


@dataclass(frozen=True)
class Head:
    """The start of a successful answer."""

    fmt: str
    count: int
    truncated: bool
    verdict: CheckedQuery
    body: bytes | None = None  # the whole body, when it fits in one frame
    sent: bool = False  # the worker wrote the whole answer to the client itself


@dataclass(frozen=True)
class Failure:
    """An answer that is an HTTP error; ``verdict`` is the guard's refusal, for the cache."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    refused: bool = False
    verdict: CheckedQuery | None = None


def send_frame(sock: socket.socket, kind: int, payload: bytes) -> None:
    """One write per frame: a header sent alone would wake the server for five bytes."""
    sock.sendall(FRAME.pack(len(payload), kind) + payload)


def _recv_exact(sock: socket.socket, size: int, fds: list[int]) -> bytes | None:
    """``size`` bytes; descriptors passed with them are appended to ``fds``."""
    parts, left = [], size
    while left:
        chunk, got, _, _ = socket.recv_fds(sock, min(left, 1 << 20), 1)
        fds.extend(got)
        if not chunk:
            return None
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)


def whole(start: bytes, media: str, head: Head, body: bytes) -> bytes:
    """A whole 200 answer: ``start`` (status line and the server's headers, see
    ``serve.reply``), the headers that depend on the result, and the body."""
    return (
        start
        + (
            f"Content-Type: {media}\r\nX-Rows-Truncated: {str(head.truncated).lower()}\r\n"
            f"X-Result-Rows: {head.count}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode("ascii")
        + body
    )


class Client:
    """The client's connection, passed by the server with a job, and the server's head."""

    def __init__(self, fd: int, head: bytes, flag: mmap.mmap, timeout: float) -> None:
        self.sock = socket.socket(fileno=fd)
        # non-blocking underneath, as the server's loop needs; the server's deadline kill comes
        # first, this only keeps a worker whose server is gone from waiting for ever
        self.sock.settimeout(timeout + 30.0)
        self.head, self.flag = head, flag

    def answer(self, media: str, head: Head, body: bytes) -> bool:
        """Write the whole answer; False when the client has gone."""
        self.flag[0] = 1  # from here on a kill must cut the connection, not answer 503
        try:
            self.sock.sendall(whole(self.head, media, head, body))
            return True
        except OSError:
            return False
        finally:
            self.close()

    def close(self) -> None:
        """Drop this process's copy of the connection (the server keeps its own)."""
        self.sock.close()


class _Stream:
    """Holds the first ``CHUNK`` bytes; a body that fits goes out inside ``HEAD``, a larger one
    as ``HEAD`` then ``DATA`` frames then ``END``."""

    def __init__(self, sock: socket.socket, head: Head, client: Client | None = None) -> None:
        self.sock, self.head, self.client = sock, head, client
        self.buffer: list[bytes] = []
        self.size = 0
        self.started = False

    def emit(self, data: bytes) -> None:
        if not data:
            return
        self.buffer.append(data)
        self.size += len(data)
        if self.size >= CHUNK:
            if not self.started:
                if self.client is not None:  # too large for one write: the server streams it
                    self.client.close()
                    self.client = None
                send_frame(self.sock, HEAD, pickle.dumps(self.head, pickle.HIGHEST_PROTOCOL))
                self.started = True
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self.buffer)
        self.buffer, self.size = [], 0
        for at in range(0, len(data), CHUNK):
            send_frame(self.sock, DATA, data[at : at + CHUNK])

    def finish(self) -> None:
        if not self.started and self.client is not None:
            sent = self.client.answer(media_type(self.head.fmt), self.head, b"".join(self.buffer))
            send_frame(
                self.sock, SENT if sent else GONE, pickle.dumps(self.head, pickle.HIGHEST_PROTOCOL)
            )
            return
        if not self.started:
            head = Head(
                self.head.fmt,
                self.head.count,
                self.head.truncated,
                self.head.verdict,
                b"".join(self.buffer),
            )
            send_frame(self.sock, HEAD, pickle.dumps(head, pickle.HIGHEST_PROTOCOL))
            return
        self._flush()
        send_frame(self.sock, END, b"")


def run_job(
    sock: socket.socket,
    dataset: Dataset,
    job: Job,
    row_limit: int,
    timeout: float,
    memory_mb: int,
    client: Client | None = None,
) -> bool:
    """Answer one job on ``sock`` (and ``client``, see ``Client``); False when this worker
    should end (out of memory)."""
    try:
        return _run_job(sock, dataset, job, row_limit, timeout, memory_mb, client)
    finally:
        if client is not None:
            client.close()


def _run_job(
    sock: socket.socket,
    dataset: Dataset,
    job: Job,
    row_limit: int,
    timeout: float,
    memory_mb: int,
    client: Client | None,
) -> bool:

    def fail(failure: Failure) -> None:
        if client is not None:  # the server answers errors: this copy must not hold the socket
            client.close()
        send_frame(sock, ERROR, pickle.dumps(failure, pickle.HIGHEST_PROTOCOL))

    verdict = job.verdict
    if verdict is None:
        try:
            verdict = check_query(
                job.text, dataset.graphs, job.default_graphs, job.named_graphs, job.base
            )
        except Refused as exc:
            fail(Failure(exc.status, exc.message, refused=True))
            return True
    if job.prove:  # here, under the deadline, once per text: the ticket to the fast lane
        verdict = dataclasses.replace(
            verdict, bound=fast_bound(job.text, job.base, dataset.store), proven=True
        )
    try:
        fmt = negotiate(verdict.form, job.accept, job.requested)
    except NotAcceptable as exc:
        fail(Failure(406, str(exc), verdict=verdict))
        return True
    default, named = query_dataset(verdict, job.default_graphs, job.named_graphs)
    try:
        answer = dataset.run(job.text, job.bindings, default, named, row_limit, job.base)
        count = len(answer.rows) if answer.form == "SELECT" else len(answer.triples)
        stream = _Stream(sock, Head(fmt, count, answer.truncated, verdict), client)
        write_to(
            answer,
            fmt,
            row_limit,
            timeout,
            stream.emit,
            dataset.labels if job.labels and fmt == "json" else None,
        )
    except SyntaxError as exc:  # pyoxigraph's own reading of a text rdflib accepted
        fail(Failure(400, f"SPARQL syntax error: {' '.join(str(exc).split())}", verdict=verdict))
        return True
    except MemoryError:
        fail(Failure(503, f"query stopped: it needed more than {memory_mb} MB"))
        return False
    except OSError:
        raise  # the server went away or killed the connection: the caller ends this worker
    except Exception as exc:  # a failed evaluation (type error, …), one line
        fail(Failure(400, f"query failed: {' '.join(str(exc).split())[:500]}", verdict=verdict))
        return True
    stream.finish()
    return True


def worker_main(
    sock: socket.socket,
    dataset: Dataset,
    row_limit: int,
    timeout: float,
    memory_mb: int | None,
    flag: mmap.mmap,
) -> NoReturn:
    """The body of a forked worker: close every inherited descriptor but ``sock`` (client
    connections, the listening socket), cap the address space, then answer jobs until the
    server closes the socket. Never returns."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(-1)
        import faulthandler

        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # nothing a worker says (Rust's abort message) reaches a log
            os.dup2(devnull, fd)
        _close_inherited({0, 1, 2, sock.fileno()})
        if memory_mb:
            import resource

            # the guard parses on a thread whose stack is mapped whole (bounded in frames):
            # reserved beyond the ceiling, as ``graph.bounded`` does for its children
            ceiling = _vm_bytes() + memory_mb * 1024 * 1024 + PARSE_STACK_BYTES
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        while True:
            fds: list[int] = []
            header = _recv_exact(sock, FRAME.size, fds)
            if header is None:
                break
            size, kind = FRAME.unpack(header)
            payload = _recv_exact(sock, size, fds)
            if payload is None or kind != JOB:
                break
            job: Job = pickle.loads(payload)  # noqa: S301 (the server's own bytes)
            client = None
            if len(fds) == 1 and job.head is not None:
                client = Client(fds.pop(), job.head, flag, timeout)
            for fd in fds:
                os.close(fd)
            if not run_job(sock, dataset, job, row_limit, timeout, memory_mb or 0, client):
                break
    except BaseException:  # noqa: S110 (a dead worker is replaced; it has nowhere to report)
        pass
    finally:
        os._exit(0)


def _close_inherited(keep: set[int]) -> None:
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)
