"""Run one query in a forked child with a deadline and a memory ceiling, killable.

Why a process: pyoxigraph evaluates in Rust and cannot be interrupted; a thread that ran past
its deadline would keep a core busy until the query ended, so a handful of slow queries would
take the server down. A forked child shares the loaded store copy-on-write (about a millisecond
to start), renders the response bytes itself, sends them through a pipe and is killed with
SIGKILL at the deadline. The ``hardening`` issue builds the same mechanism for the CLI
(``graph.bounded``); the lead can point ``run_in_child`` at it once both have landed. Where
``fork`` does not exist the work runs in-process, without a deadline.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WorkerTimeout(Exception):
    """The child ran past its deadline and was killed."""


class WorkerFailed(Exception):
    """The child reported an error (``kind``: syntax, failed, memory, crashed)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(work: Callable[[], object], write_fd: int, memory_mb: int | None) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        # an allocation failure under the ceiling aborts the child: the parent reports it in one
        # line, so no crash dump (faulthandler, Rust's abort message) reaches the server's log
        faulthandler.disable()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        if memory_mb:
            import resource

            ceiling = _vm_bytes() + memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        try:
            payload: tuple[str, object] = ("ok", work())
        except SyntaxError as exc:
            payload = ("syntax", " ".join(str(exc).split()))
        except MemoryError:
            payload = ("memory", "")
        except Exception as exc:
            payload = ("failed", " ".join(str(exc).split()))
        view = memoryview(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:
        code = 3
    finally:
        os._exit(code)


def run_in_child(work: Callable[[], T], timeout: float, memory_mb: int | None = 2048) -> T:
    """``work()`` in a forked child; ``WorkerTimeout`` after ``timeout`` seconds."""
    if not hasattr(os, "fork"):
        return work()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child; its effects are tested)
        os.close(read_fd)
        _child(work, write_fd, memory_mb)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    finished = False
    try:
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not finished:
        raise WorkerTimeout
    try:
        kind, value = pickle.loads(b"".join(chunks))  # noqa: S301 (our own child's bytes)
    except Exception:
        raise WorkerFailed("crashed", "query worker ended without an answer") from None
    if kind != "ok":
        raise WorkerFailed(kind, str(value))
    return value
