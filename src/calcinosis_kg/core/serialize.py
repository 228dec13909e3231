"""Deterministic serialisation: the same graph gives byte-identical output on every run.

rdflib labels blank nodes at random and orders N-Triples/RDF-XML by hash, so diffs of OWL files
(full of blank-node restrictions and axiom annotations) would be noise. Here every blank node gets
a label derived from its content and from the IRI that holds it, so adding one axiom relabels only
the blank nodes of that axiom. Turtle is then written by rdflib's sorted ``longturtle`` writer with
the curated prefix map (no ``ns1:`` prefixes).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, NamespaceManager
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

if TYPE_CHECKING:
    from rdflib.term import Node

from calcinosis_kg.core.errors import WriteError
from calcinosis_kg.core.prefixes import prefix_map


def _term_token(term: Node, content: dict[BNode, str]) -> str:
    if isinstance(term, BNode):
        return "_:" + content[term]
    if isinstance(term, Literal):
        return term.n3()
    return f"<{term}>"


def canonical_bnode_labels(graph: Graph) -> dict[BNode, str]:
    """Stable labels for every blank node of ``graph``.

    A node's content hash covers its outgoing triples (children by their content hash); its label
    then mixes in the path from the IRI (or root blank node) that holds it, so two identical
    restrictions under different classes still get different labels.
    """
    outgoing: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    incoming: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            outgoing[s].append((p, o))
        if isinstance(o, BNode):
            incoming[o].append((s, p))
    nodes = set(outgoing) | set(incoming)

    content: dict[BNode, str] = {}
    visiting: set[BNode] = set()

    def content_of(node: BNode) -> str:
        if node in content:
            return content[node]
        if node in visiting:  # a cycle of blank nodes: fall back on the edge labels only
            return "cycle"
        visiting.add(node)
        parts = []
        for p, o in outgoing.get(node, []):
            token = "_:" + content_of(o) if isinstance(o, BNode) else _term_token(o, content)
            parts.append(f"<{p}> {token}")
        visiting.discard(node)
        content[node] = hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()
        return content[node]

    for node in nodes:
        content_of(node)

    labels: dict[BNode, str] = {}
    taken: dict[str, int] = defaultdict(int)
    resolving: set[BNode] = set()

    def label_of(node: BNode) -> str:
        # parents are labelled first (and their duplicate counters with them), so the subtree of
        # a duplicate follows its root: which of two identical structures gets "x2" may vary,
        # but then the two are interchangeable and the output bytes are the same
        if node in labels:
            return labels[node]
        parents = incoming.get(node, [])
        iri_parents = sorted(f"<{s}> <{p}>" for s, p in parents if not isinstance(s, BNode))
        if iri_parents:
            context = iri_parents[0]
        elif parents and node not in resolving:
            resolving.add(node)
            context = min(f"_:{label_of(s)} <{p}>" for s, p in parents if isinstance(s, BNode))
            resolving.discard(node)
        else:
            context = "root"
        if node in labels:  # labelled while resolving a cycle through it
            return labels[node]
        base = hashlib.sha1(f"{context}|{content[node]}".encode()).hexdigest()[:16]
        taken[base] += 1  # true duplicates get a counter so that no triple is merged away
        labels[node] = base if taken[base] == 1 else f"{base}x{taken[base]}"
        return labels[node]

    for node in sorted(nodes, key=lambda n: content[n]):
        label_of(node)
    return labels


def canonicalize(graph: Graph) -> Graph:
    """A copy of ``graph`` with canonical blank-node labels, bound to the curated prefixes."""
    return canonical_graph(lambda: iter(graph))


def canonical_graph(
    triples: Callable[[], Iterable[tuple[Node, Node, Node]]],
    blank_triples: Callable[[], Iterable[tuple[Node, Node, Node]]] | None = None,
) -> Graph:
    """``canonicalize`` of the graph of ``triples()`` without building that graph: the labels
    need only the triples that touch a blank node (``blank_triples()`` if given, which may yield
    just those), so the triples are read twice (e.g. streamed from a store) and only the canonical
    graph is held whole. Same result as ``canonicalize``."""
    with_bnodes = Graph()
    for s, p, o in (blank_triples or triples)():
        if isinstance(s, BNode) or isinstance(o, BNode):
            with_bnodes.add((s, p, o))
    labels = canonical_bnode_labels(with_bnodes)
    del with_bnodes
    out = Graph()
    bind_prefixes(out)

    def relabel(term: Node) -> Node:
        return BNode("b" + labels[term]) if isinstance(term, BNode) else term

    for s, p, o in triples():
        out.add((relabel(s), p, relabel(o)))
    return out


def bind_prefixes(graph: Graph) -> None:
    """Bind exactly the curated prefix map (and nothing that would produce ``ns1:``)."""
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, iri in prefix_map().items():
        graph.bind(prefix, iri, override=True, replace=True)


def nt_term(term: Node) -> str:
    """One term as N-Triples writes it (``Literal.n3()`` would use Turtle's triple quotes for a
    multi-line literal, which is no N-Triples)."""
    if isinstance(term, Literal):
        from rdflib.plugins.serializers.nt import _quoteLiteral

        return _quoteLiteral(term)
    return term.n3()


def _ntriples_lines(graph: Graph) -> list[str]:
    """Sorted N-Triples lines (rdflib's N-Triples escaping: ``Literal.n3()`` would write a
    multi-line literal in Turtle's triple quotes, which is no N-Triples)."""
    from rdflib.plugins.serializers.nt import _nt_row

    return sorted({_nt_row(triple).rstrip("\n") for triple in graph})


def _term_order(term: Node) -> tuple[int, str]:
    """rdflib's own order of terms: blank nodes, then IRIs, then literals; then by text."""
    return (0 if isinstance(term, BNode) else 2 if isinstance(term, Literal) else 1, str(term))


class _SortedTurtleSerializer(LongTurtleSerializer):
    """``longturtle`` with subjects in a content order: the ontology header, then entities by
    IRI, then axiom annotations grouped under the entity they annotate.

    rdflib orders subjects by reference count, so one new reference would move a whole block
    in a diff; here only real changes move lines.
    """

    def __init__(self, store: Graph) -> None:
        super().__init__(store)
        self.topClasses = [OWL.Ontology]

    def orderSubjects(self) -> list[Node]:  # noqa: N802 (rdflib's name)
        store = self.store
        # rdflib terms order by kind, then text (Identifier.__lt__): headers are IRIs, by text
        headers: list[Node] = sorted(store.subjects(RDF.type, OWL.Ontology), key=_term_order)
        for header in headers:
            self._topLevels[header] = True

        def key(subject: Node) -> tuple[int, str, str, str, str]:
            if not isinstance(subject, BNode):
                return (0, str(subject), "", "", "")
            source = store.value(subject, OWL.annotatedSource)
            prop = store.value(subject, OWL.annotatedProperty)
            target = store.value(subject, OWL.annotatedTarget)
            if source is not None:  # several annotations of one axiom (one per fact, issue 8):
                # their canonical label breaks the tie
                return (
                    1,
                    source.n3(),
                    str(prop),
                    target.n3() if target is not None else "",
                    str(subject),
                )
            return (2, str(subject), "", "", "")

        rest = sorted((s for s in self._subjects if s not in headers), key=key)
        # a blank node referenced once is written inline by its referrer: listing it last keeps
        # it from being written on its own first (and then again inside its referrer's list)
        once = [s for s in rest if isinstance(s, BNode) and self._references[s] == 1]
        once_set = set(once)
        return headers + [s for s in rest if s not in once_set] + once

    def isValidList(self, l_: Node) -> bool:  # noqa: N802 (rdflib's name)
        """A list is written as ``( … )`` only if no cell is shared or already written.

        rdflib checks only the head, so a shared or already-written tail cell was written twice
        and a re-parse gained duplicate list cells.
        """
        if not super().isValidList(l_):
            return False
        node: Node | None = l_
        first = True
        while node is not None and node != RDF.nil:
            if node in self._serialized or (not first and self._references[node] != 1):
                return False
            node, first = self.store.value(node, RDF.rest), False
        return True


def to_turtle(graph: Graph) -> bytes:
    """Byte-stable Turtle of ``graph`` (sorted, nested restrictions, curated prefixes)."""
    return canonical_turtle(canonicalize(graph))


def canonical_turtle(canon: Graph) -> bytes:
    """``to_turtle`` of a graph that is already canonical (``canonical_graph``)."""
    stream = io.BytesIO()
    _SortedTurtleSerializer(canon).serialize(stream, encoding="utf-8")
    return stream.getvalue()


def to_ntriples(graph: Graph) -> bytes:
    """Byte-stable N-Triples: canonical blank-node labels, lines sorted."""
    canon = canonicalize(graph)
    return ("\n".join(_ntriples_lines(canon)) + "\n").encode("utf-8")


STDOUT = "-"
_TMP_SUFFIX = ".calcinosis-kg.tmp"
STALE_SECONDS = 60


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _stale_temp_files(folder: Path, name: str) -> None:
    """Remove temp files of ``name`` left by a killed writer (``kill -9``: no cleanup ran).

    A temp file carries its writer's pid; one whose process no longer exists and that has not
    changed for ``STALE_SECONDS`` is removed (the age guards a writer in another pid namespace
    sharing the folder).
    """
    try:
        candidates = list(folder.glob(f".{glob_escape(name)}.*{_TMP_SUFFIX}"))
    except OSError:
        return
    for tmp in candidates:
        pid_text = tmp.name[len(name) + 2 :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                if time.time() - tmp.stat().st_mtime >= STALE_SECONDS:
                    tmp.unlink()
        except OSError:
            continue


def glob_escape(text: str) -> str:
    """``text`` as a literal glob pattern, so a user's file name never widens the temp-file sweep.

    >>> glob_escape("out*[1].ttl")
    'out[*][[]1].ttl'
    """
    return "".join(f"[{ch}]" if ch in "*?[" else ch for ch in text)


def _target(path: Path) -> tuple[Path, int | None]:
    """The file to replace and the mode to keep: regular files only, symlinks followed.

    A symlink to a regular file is followed (the link stays and its target is replaced); a
    device, FIFO, socket or directory is refused, so ``--output /dev/null`` run as root can never
    turn a device into a regular file.
    """
    try:
        info = path.stat()  # follows symlinks
    except FileNotFoundError:
        if path.is_symlink():
            raise WriteError(
                f"{path}: refusing to write through a dangling symbolic link"
            ) from None
        return path, None
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise WriteError(f"{path}: is a directory (give a file name)")
    if not stat.S_ISREG(info.st_mode):
        raise WriteError(
            f"{path}: not a regular file (a device, FIFO or socket is never "
            "replaced; use '-' for standard output)"
        )
    return (path.resolve() if path.is_symlink() else path), stat.S_IMODE(info.st_mode)


def write_atomic(path: Path | str, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or parts of it as they are produced) to ``path`` via a temporary
    file and rename: never a half-written file.

    ``-`` is standard output. Only regular files are written (symlinks to one are followed); a
    new file gets the mode the umask allows (``0666 & ~umask``), an existing one keeps its mode.
    The temp file is removed on every exit path Python sees (errors, SIGINT, SIGTERM via the
    CLI's handler); after ``kill -9`` the next write to the same path removes it. Errors name
    ``path``, never the temp file.
    """
    parts: Iterable[bytes] = (data,) if isinstance(data, bytes | bytearray) else data
    if str(path) == STDOUT:
        sys.stdout.flush()
        for part in parts:
            sys.stdout.buffer.write(part)
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    target, mode = _target(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            f"{path}: cannot create folder {target.parent}: {exc.strerror or exc}"
        ) from None
    _stale_temp_files(target.parent, target.name)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=_TMP_SUFFIX, dir=target.parent
        )
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            os.fchmod(handle.fileno(), mode if mode is not None else 0o666 & ~_umask())
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"{path}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
