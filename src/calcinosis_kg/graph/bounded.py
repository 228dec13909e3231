"""Bounded work: run a local query in a forked child with a deadline and a memory ceiling.

Why a process and not a thread: pyoxigraph evaluates in Rust and never checks a Python flag, and a
thread cannot be stopped; a backtracking REGEX held rdflib for 27 s and an unbounded join grew to
5.5 GB in 60 s. A forked child shares the loaded store copy-on-write (no reload; the fork,
the pipe and the pickled answer added 16 ms per bundled query on a loaded 2-core machine, see
``benchmarks/bench_query_limits.py``), runs the work under
``RLIMIT_AS``, sends the pickled answer back through a pipe and is killed with SIGKILL when the
deadline passes. Errors raised in the child come back as the same one-line ``InputError``.
Where ``fork`` does not exist the work runs in-process (no deadline) — Linux and macOS fork.
In a threaded server the child only evaluates, pickles and ``_exit``s; should it inherit a lock
held by another thread it blocks, and the deadline reports a timeout rather than a hang. The
server (``serve``) runs every query through here too, with ``quiet``: its children write nothing
to the server's stderr (an allocation failure under the ceiling aborts pyoxigraph with a dump).
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

from calcinosis_kg.core.errors import CalcinosisKGError, InputError

T = TypeVar("T")

#: default seconds a ``query`` may run, and the CLI's row and memory limits
DEFAULT_TIMEOUT = 60.0
DEFAULT_ROW_LIMIT = 10_000
DEFAULT_MEMORY_MB = 2048


class QueryTimeout(InputError):
    """The query ran longer than its deadline and was stopped."""


class QueryTooBig(InputError):
    """The query needed more memory than allowed and was stopped."""


def _vm_bytes() -> int:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(
    work: Callable[[], object],
    write_fd: int,
    memory_mb: int | None,
    headroom: int,
    quiet: bool = False,
) -> None:
    """Run ``work`` in the child and send ``("ok", value)`` or ``("error", fields)``; never
    returns."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if quiet:  # no crash dump (faulthandler, Rust's abort message) reaches a server's log
            faulthandler.disable()
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        if memory_mb:
            import resource

            ceiling = _vm_bytes() + memory_mb * 1024 * 1024 + headroom
            resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        try:
            payload: tuple[str, object] = ("ok", work())
        except InputError as exc:
            payload = ("error", (type(exc).__name__, exc.message, exc.path, exc.line, exc.column))
        except MemoryError:
            payload = ("memory", None)
        except Exception as exc:  # reported as one line by the parent
            payload = ("error", ("InputError", f"query failed: {exc}", None, None, None))
        data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    except BaseException:
        code = 3
    finally:
        os._exit(code)


def run_bounded(
    work: Callable[[], T],
    timeout: float | None,
    memory_mb: int | None = None,
    source: str = "<query>",
    quiet: bool = False,
    fork_lock: contextlib.AbstractContextManager[object] | None = None,
    headroom: int = 0,
) -> T:
    """``work()`` with a deadline of ``timeout`` seconds (None: in-process, unbounded); its value
    must pickle. ``quiet``: the child's stderr goes to /dev/null (a server). ``fork_lock`` is
    held while forking, so the child never inherits the state it guards half-changed by
    another thread (the child must not take it). ``headroom``: address space reserved beyond
    ``memory_mb`` (the parse thread's stack, mapped whole but bounded in frames)."""
    if timeout is None or not hasattr(os, "fork"):
        return work()
    read_fd, write_fd = os.pipe()
    with fork_lock or contextlib.nullcontext():
        pid = os.fork()
    if pid == 0:  # pragma: no cover (the child process; its effects are tested)
        os.close(read_fd)
        _child(work, write_fd, memory_mb, headroom, quiet)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
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
            _kill(pid)
        _, status = os.waitpid(pid, 0)
    if not finished:
        raise QueryTimeout(
            f"query stopped after {timeout:g} s (raise the limit with --timeout)", source
        )
    try:
        kind, value = pickle.loads(b"".join(chunks))  # noqa: S301 (our own child's bytes)
    except Exception:
        killed = os.WIFSIGNALED(status) or (os.WIFEXITED(status) and os.WEXITSTATUS(status))
        if killed and memory_mb:
            raise QueryTooBig(
                f"query stopped: it needed more than {memory_mb} MB (--memory)", source
            ) from None
        raise CalcinosisKGError("query worker ended without an answer") from None
    if kind == "memory":
        raise QueryTooBig(f"query stopped: it needed more than {memory_mb} MB (--memory)", source)
    if kind == "error":
        name, message, path, line, column = value
        error_type = {"QueryTimeout": QueryTimeout, "QueryTooBig": QueryTooBig}.get(name)
        if error_type is None:
            # lazy: `query --help` imports this module
            from calcinosis_kg.graph.sparql_text import QueryRefused

            error_type = QueryRefused if name == "QueryRefused" else InputError
        raise error_type(message, path, line, column)
    return value  # type: ignore[no-any-return,unused-ignore]


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
