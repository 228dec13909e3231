"""Input limits checked right after parsing, before any writer, renderer or reasoner sees a file.

Why a module of its own: the writers and renderers downstream are not ours and fail badly on
shapes a parser accepts. rdflib's Turtle writer loops forever on a cyclic ``rdf:List``; nesting
300 blank nodes deep overflows Python's recursion in rdflib's writers (200 is fine, measured);
a 16 MiB token ended in MemoryError in rdflib; a FIFO blocks ``read`` forever and ``/dev/zero``
reads until memory runs out. Every limit is checked here, per file (blank nodes never span files:
the loader renames them per file), and reported as one line naming the file. Each limit can be
raised with an environment variable (there is no CLI flag: every command loads files):

=============================  =======  ============================================
variable                       default  what
=============================  =======  ============================================
``CALCINOSIS_KG_MAX_INPUT_MB``    1024  bytes read from one input file
``CALCINOSIS_KG_MAX_TERM_KB``     1024  length of one IRI or literal
``CALCINOSIS_KG_MAX_DEPTH``        128  blank nodes nested in one another (lists too)
``CALCINOSIS_KG_MAX_RECORD_KB``   1024  one line of a line-based file (CSV, JSON Lines), one
                                        CSV field, one JSON record of a case file
=============================  =======  ============================================

The case readers (``cases``) open their files through ``open_regular_file`` and read lines
through ``bounded_lines``: the same rule for what is readable and how large as the loader's.
"""

from __future__ import annotations

import os
import stat
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.vocab import RDF

if TYPE_CHECKING:
    import pyoxigraph

RDF_REST = RDF + "rest"
LIMITS = {  # environment variable -> (default, unit in bytes or 1)
    "CALCINOSIS_KG_MAX_INPUT_MB": (1024, 1024 * 1024),
    "CALCINOSIS_KG_MAX_TERM_KB": (1024, 1024),
    "CALCINOSIS_KG_MAX_DEPTH": (128, 1),
    "CALCINOSIS_KG_MAX_RECORD_KB": (1024, 1024),
}


def limit(name: str) -> int:
    """The limit ``name`` (an environment variable of ``LIMITS``), in bytes or levels."""
    default, unit = LIMITS[name]
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise InputError(f"{name}={raw!r}: expected a whole number") from None
    if value <= 0:
        raise InputError(f"{name}={raw!r}: must be more than 0")
    return value * unit


def _too_large(path: Path) -> InputError:
    most = limit("CALCINOSIS_KG_MAX_INPUT_MB")
    return InputError(
        f"file larger than {most // (1024 * 1024)} MB refused (raise CALCINOSIS_KG_MAX_INPUT_MB)",
        path,
    )


def _refuse_kind(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a directory, not a file to read", path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (a FIFO, device or socket is never read)", path)
    if info.st_size > limit("CALCINOSIS_KG_MAX_INPUT_MB"):
        raise _too_large(path)


def open_regular_file(path: Path) -> IO[bytes]:
    """``path`` opened for binary reading if it is a regular file within the size limit; else an
    InputError naming it.

    ``stat`` comes first so a FIFO, a device (``/dev/zero``) or a socket is refused without
    opening it (opening a FIFO blocks until a writer appears; opening some devices acts on
    them); the open itself does not block and is checked again on the descriptor, so a file
    swapped for a FIFO in between is refused too.
    """
    try:
        _refuse_kind(path, path.stat())
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    try:
        _refuse_kind(path, os.fstat(fd))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file within the size limit; else an InputError."""
    most = limit("CALCINOSIS_KG_MAX_INPUT_MB")
    with open_regular_file(path) as handle:
        try:
            data = handle.read(most + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path) from None
    if len(data) > most:  # grew while being read
        raise _too_large(path)
    return data


def bounded_lines(handle: IO[bytes], path: Path) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes with the line end) for each line of ``handle``; ``None`` for a line
    longer than ``CALCINOSIS_KG_MAX_RECORD_KB``, which is skipped in bounded memory (the caller
    decides whether that ends the file or only that record). The whole read stays within
    ``CALCINOSIS_KG_MAX_INPUT_MB`` even if the file grows meanwhile."""
    longest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    most = limit("CALCINOSIS_KG_MAX_INPUT_MB")
    total = number = 0
    while True:
        try:
            line = handle.readline(longest + 1)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path, number + 1) from None
        if not line:
            return
        number += 1
        total += len(line)
        if len(line) > longest and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest, a piece at a time
                if total > most:
                    raise _too_large(path)
                line = handle.readline(1024 * 1024)
                total += len(line)
            yield number, None
        else:
            yield number, line
        if total > most:
            raise _too_large(path)


def too_long(path: Path | str, line: int) -> InputError:
    """The error for a line ``bounded_lines`` gave as ``None``."""
    kb = limit("CALCINOSIS_KG_MAX_RECORD_KB") // 1024
    return InputError(
        f"line longer than {kb} KB refused (raise CALCINOSIS_KG_MAX_RECORD_KB)", path, line
    )


def _line_of(data: bytes, value: str) -> int | None:
    where = data.find(value[:64].encode("utf-8"))
    return data.count(b"\n", 0, where) + 1 if where >= 0 else None


def check_quads(path: Path, data: bytes, quads: Iterable[pyoxigraph.Quad]) -> None:
    """Refuse over-long terms, cyclic ``rdf:List`` tails and blank nodes nested too deeply."""
    import pyoxigraph

    longest = limit("CALCINOSIS_KG_MAX_TERM_KB")
    children: dict[str, list[str]] = defaultdict(list)
    rest: dict[str, str] = {}
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            value = getattr(term, "value", "")
            if isinstance(value, str) and len(value) > longest:
                raise InputError(
                    f"a term longer than {longest // 1024} KB refused (raise "
                    "CALCINOSIS_KG_MAX_TERM_KB)",
                    path,
                    _line_of(data, value),
                )
        subject, obj = quad.subject, quad.object
        if isinstance(subject, pyoxigraph.BlankNode) and isinstance(obj, pyoxigraph.BlankNode):
            children[subject.value].append(obj.value)
            if quad.predicate.value == RDF_REST:
                rest[subject.value] = obj.value
    _check_lists(path, rest)
    _check_depth(path, children)


def _check_lists(path: Path, rest: dict[str, str]) -> None:
    done: set[str] = set()
    for start in rest:
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node not in done:
            if node in seen:
                raise InputError(
                    "cyclic rdf:List (an rdf:rest chain returns to itself) refused", path
                )
            seen.add(node)
            node = rest.get(node)
        done |= seen


def _check_depth(path: Path, children: dict[str, list[str]]) -> None:
    """Longest chain of blank nodes (iterative: the check itself must not recurse)."""
    deepest = limit("CALCINOSIS_KG_MAX_DEPTH")
    depth: dict[str, int] = {}
    for root in children:
        if root in depth:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_stack = {root}
        while stack:
            node, index = stack[-1]
            kids = children.get(node, [])
            if index < len(kids):
                stack[-1] = (node, index + 1)
                kid = kids[index]
                if kid not in depth and kid not in on_stack:  # a cycle is cut where it closes
                    stack.append((kid, 0))
                    on_stack.add(kid)
                continue
            stack.pop()
            on_stack.discard(node)
            depth[node] = 1 + max((depth.get(k, 0) for k in kids), default=0)
            if depth[node] > deepest:
                raise InputError(
                    f"blank nodes nested more than {deepest} deep refused (raise "
                    "CALCINOSIS_KG_MAX_DEPTH)",
                    path,
                )
