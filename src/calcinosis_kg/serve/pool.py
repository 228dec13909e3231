"""The server's side of the query workers: start them, hand each query to an idle one, stop a
query at its deadline by killing its worker (then fork a fresh one), and refuse what is beyond
capacity at once.

Why here and not in ``app``: this is the part that keeps every limit. A query (the guard's parse
included) runs in a worker (``serve.worker``) under ``Limits.timeout``; when it is late its worker
gets SIGKILL and the client a 503 (or, mid-answer, a cut connection), and only that client
notices. At most ``Limits.workers`` queries run and ``Limits.queue`` wait (each at most
``Limits.queue_wait`` seconds); anything more is a 503 with Retry-After at once, never a hang.
Answers pass one frame at a time: the next frame is read only when the client has taken the
last, so a slow reader holds its own worker (until the deadline), never the server's memory.
The guard's verdict for a text is remembered here (``Verdicts``): a repeated query skips the
parse, a repeated refusal never reaches a worker, and a query whose work a worker proved small
(the second time it came) is answered in this process from then on (``serve.fast``), with no
hop at all. A small answer is written by the worker
itself on the client's connection, passed along with the job (``serve.worker``): one hop less.
Idle workers are a stack: the last one released takes the next query, with warm caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import mmap
import os
import pickle
import signal
import socket
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.serve.cost import parse_seconds
from calcinosis_kg.serve.fast import FAST_CPU, TooLarge, answer_here
from calcinosis_kg.serve.guard import check_query
from calcinosis_kg.serve.service import HttpError
from calcinosis_kg.serve.worker import (
    DATA,
    END,
    ERROR,
    FRAME,
    GONE,
    HEAD,
    JOB,
    SENT,
    Failure,
    Head,
    Job,
    worker_main,
)

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Dataset
    from calcinosis_kg.serve.guard import CheckedQuery
    from calcinosis_kg.serve.service import Limits


class ClientGone(CalcinosisKGError):
    """The client closed its connection while its answer was being sent."""


class AnswerCut(CalcinosisKGError):
    """The answer had started when its worker failed or its deadline passed: the connection
    must be cut (the client sees an incomplete answer, never a complete-looking one)."""


class Verdicts:
    """The guard's verdicts by (text, dataset arguments, base): an LRU map bounded in entries
    and in the characters of their keys (texts longer than ``longest`` are not kept)."""

    def __init__(self, size: int = 4096, longest: int = 16 << 10, chars: int = 8 << 20) -> None:
        self.size, self.longest, self.chars = size, longest, chars
        self.items: OrderedDict[tuple, CheckedQuery | Failure] = OrderedDict()
        self.held = 0  # characters of the keys held

    def get(self, key: tuple) -> CheckedQuery | Failure | None:
        """The cached verdict, marked as recently used; None when the query is new."""
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key: tuple, verdict: CheckedQuery | Failure) -> None:
        """Remember a verdict (not for very long texts), evicting the least recently used."""
        size = _chars(key)
        if size > self.longest:
            return
        if key not in self.items:
            self.held += size
        self.items[key] = verdict
        self.items.move_to_end(key)
        while len(self.items) > self.size or self.held > self.chars:
            self.held -= _chars(self.items.popitem(last=False)[0])


def _chars(key: tuple) -> int:
    return sum(
        len(part) if isinstance(part, str) else sum(map(len, part)) if part else 0 for part in key
    )


class Worker:
    """The parent's end of one forked worker: its pid, the framed socket to it and the flag
    it sets before writing to a client."""

    def __init__(
        self,
        pid: int,
        sock: socket.socket,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        flag: mmap.mmap,
    ) -> None:
        self.pid, self.sock, self.reader, self.writer, self.flag = pid, sock, reader, writer, flag

    def send(self, payload: bytes, client: int | None) -> bool:
        """Write a JOB frame, with the client's descriptor when one is given and the frame can
        go in one ``sendmsg`` (True: the worker has it, and may write to the client)."""
        frame = _frame(JOB, payload)
        if client is not None and self.writer.transport.get_write_buffer_size() == 0:
            try:
                sent = socket.send_fds(self.sock, [frame], [client])
            except (BlockingIOError, InterruptedError):
                sent = 0
            if sent:
                if sent < len(frame):
                    self.writer.write(frame[sent:])
                return True
        self.writer.write(frame)
        return False

    async def wrote(self) -> bool:
        """After a kill: whether the worker had started writing to its client (read once the
        process is gone, i.e. its socket is at its end; if that takes too long, assume so)."""
        if self.flag[0]:
            return True
        with contextlib.suppress(TimeoutError, OSError):
            async with asyncio.timeout(2.0):
                while await self.reader.read(1 << 16):
                    pass
                return bool(self.flag[0])
        return True

    async def frame(self) -> tuple[int, bytes]:
        """The next frame from the worker: its kind and payload."""
        size, kind = FRAME.unpack(await self.reader.readexactly(FRAME.size))
        return kind, await self.reader.readexactly(size) if size else b""


class Pool:
    """Pre-started workers over ``dataset``; ``run`` answers one job."""

    def __init__(self, dataset: Dataset, limits: Limits) -> None:
        self.dataset, self.limits = dataset, limits
        self.idle: deque[Worker] = deque()
        self.waiting: deque[asyncio.Future[Worker]] = deque()
        self.live: dict[int, Worker] = {}
        self.verdicts = Verdicts()
        self.closed = False
        self.fast_answers = 0  # answered in this process (``serve.fast``)

    # -- workers ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Fork the workers, after warming the query parser once so each inherits it."""

        check_query("ASK {}", ())  # load and warm the parser once, so every fork inherits it
        if self.limits.fast_lane:
            parse_seconds("ASK {}", None)  # and the empty store texts are timed on
        for _ in range(self.limits.workers):
            self.idle.append(await self._spawn())

    async def _spawn(self) -> Worker:
        ours, theirs = socket.socketpair()
        flag = mmap.mmap(-1, 1)  # shared with the worker (MAP_SHARED): it wrote to its client
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the worker process; its effects are tested)
            ours.close()
            worker_main(
                theirs,
                self.dataset,
                self.limits.row_limit,
                self.limits.timeout,
                self.limits.memory_mb,
                flag,
            )
        theirs.close()
        reader, writer = await asyncio.open_unix_connection(
            sock=ours, limit=2 * FRAME.size + (64 << 10)
        )
        worker = Worker(pid, ours, reader, writer, flag)
        self.live[pid] = worker
        return worker

    def _kill(self, worker: Worker) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)

    def _discard(self, worker: Worker) -> None:
        """Kill a worker whose state is unknown (late, dead, cut off) and start another."""
        self.live.pop(worker.pid, None)
        self._kill(worker)
        worker.writer.close()
        asyncio.get_running_loop().call_soon(self._reap, worker.pid, 0)
        if not self.closed:
            task = asyncio.ensure_future(self._replace())
            task.add_done_callback(lambda t: t.exception())

    def _reap(self, pid: int, tries: int) -> None:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done == 0 and tries < 200:
            asyncio.get_running_loop().call_later(0.05, self._reap, pid, tries + 1)

    async def _replace(self) -> None:
        self._release(await self._spawn())

    async def close(self) -> None:
        """Cancel waiting jobs and end every worker (their sockets closed, then SIGKILL)."""
        self.closed = True
        for future in self.waiting:
            future.cancel()
        for worker in list(self.live.values()):
            self.live.pop(worker.pid, None)
            worker.writer.close()  # the worker sees the end of its socket and exits
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)

    # -- admission ----------------------------------------------------------------------------

    def _busy(self) -> HttpError:
        return HttpError(
            503,
            f"busy: {self.limits.workers} queries running and "
            f"{len(self.waiting)} waiting; try again shortly",
            {"Retry-After": "1"},
        )

    async def _acquire(self) -> Worker:
        if self.idle:
            return self.idle.pop()  # the last released: its caches are warm
        if len(self.waiting) >= self.limits.queue or self.closed:
            raise self._busy()
        future: asyncio.Future[Worker] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        try:
            await asyncio.wait({future}, timeout=self.limits.queue_wait)
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._release(future.result())
            future.cancel()
            raise
        finally:
            with contextlib.suppress(ValueError):
                self.waiting.remove(future)
        if future.done() and not future.cancelled():
            return future.result()
        future.cancel()
        raise self._busy()

    def _release(self, worker: Worker) -> None:
        if worker.pid not in self.live:
            return
        while self.waiting:
            future = self.waiting.popleft()
            if not future.done():
                future.set_result(worker)
                return
        self.idle.append(worker)

    # -- one query ----------------------------------------------------------------------------

    def fast(self, job: Job) -> Head | None:
        """The whole answer to ``job`` computed here, when a worker has proven the query's work
        small (``serve.fast``); None: ``run`` it."""
        if not self.limits.fast_lane:
            return None
        key = (job.text, job.default_graphs, job.named_graphs, job.base)
        known = self.verdicts.items.get(key)
        if known is None or isinstance(known, Failure) or known.bound is None:
            return None
        started = time.thread_time()
        try:
            head = answer_here(self.dataset, job, known, self.limits)
            slow = time.thread_time() - started > FAST_CPU
        except TooLarge:
            head, slow = None, True
        if slow:  # a worker answers this text from now on
            self.verdicts.put(key, dataclasses.replace(known, bound=None))
        if head is not None:
            self.fast_answers += 1
        return head

    async def run(
        self,
        job: Job,
        start: Callable[[Head], Awaitable[None]],
        send: Callable[[bytes], Awaitable[None]],
        client: int | None = None,
    ) -> Head:
        """Run ``job``; ``start(head)`` sends the response head (and a small body), ``send``
        each further piece. With ``client`` (the connection's descriptor; ``job.head`` set) a
        whole answer may be written by the worker itself: ``head.sent`` then says so and
        ``start`` must send nothing. Raises HttpError before anything is sent, ClientGone when
        the client left, AnswerCut when the worker failed or the deadline passed mid-answer."""
        key = (job.text, job.default_graphs, job.named_graphs, job.base)
        known = self.verdicts.get(key)
        if isinstance(known, Failure):
            raise HttpError(known.status, known.message, known.headers)
        limits = self.limits
        # the bound is sought the second time a text comes (a one-off text never pays for it)
        prove = limits.fast_lane and known is not None and not known.proven
        if prove and known is not None:  # sought once: a worker killed meanwhile is not retried
            self.verdicts.put(key, dataclasses.replace(known, proven=True))
        job = dataclasses.replace(job, verdict=known, prove=prove)
        worker = await self._acquire()
        healthy, started, lent = False, False, False
        try:
            async with asyncio.timeout(limits.timeout):
                worker.flag[0] = 0
                lent = worker.send(pickle.dumps(job, pickle.HIGHEST_PROTOCOL), client)
                await worker.writer.drain()
                kind, payload = await worker.frame()
                if kind == ERROR:
                    failure: Failure = pickle.loads(payload)  # noqa: S301 (our worker's bytes)
                    healthy = failure.status != 503
                    if failure.refused:
                        self.verdicts.put(key, failure)
                    elif failure.verdict is not None:
                        self.verdicts.put(key, failure.verdict)
                    raise HttpError(failure.status, failure.message, failure.headers)
                if kind in (SENT, GONE) and lent:
                    head = pickle.loads(payload)  # noqa: S301
                    self.verdicts.put(key, head.verdict)
                    healthy = True
                    if kind == GONE:
                        raise ClientGone
                    sent = Head(head.fmt, head.count, head.truncated, head.verdict, sent=True)
                    await start(sent)
                    return sent
                if kind != HEAD:
                    raise ConnectionError("worker out of step")
                head = pickle.loads(payload)  # noqa: S301
                self.verdicts.put(key, head.verdict)
                started = True
                try:
                    await start(head)
                except ConnectionError:
                    raise ClientGone from None
                if head.body is None:
                    while True:
                        kind, payload = await worker.frame()
                        if kind == END:
                            break
                        if kind != DATA:
                            raise AnswerCut("the query failed while its answer was sent")
                        try:
                            await send(payload)
                        except ConnectionError:
                            raise ClientGone from None
                healthy = True
                return head
        except TimeoutError:
            if lent and not started:
                self._kill(worker)
                started = await worker.wrote()
            if started:
                raise AnswerCut(f"answer cut at the {limits.timeout:g} s deadline") from None
            raise HttpError(
                503,
                f"query stopped after {limits.timeout:g} s (the server's "
                "per-query timeout, see X-Query-Timeout)",
                {"X-Query-Timeout": f"{limits.timeout:g}"},
            ) from None
        except (asyncio.IncompleteReadError, ConnectionError):
            if lent and not started:
                self._kill(worker)
                started = await worker.wrote()
            if started:
                raise AnswerCut("the worker ended while its answer was sent") from None
            # pyoxigraph aborts the process when an allocation fails under the memory ceiling
            raise HttpError(
                503,
                "query stopped: its worker ended without an answer (most likely "
                f"it needed more than {limits.memory_mb} MB)",
            ) from None
        finally:
            if healthy:
                self._release(worker)
            else:
                self._discard(worker)


def _frame(kind: int, payload: bytes) -> bytes:
    return FRAME.pack(len(payload), kind) + payload
