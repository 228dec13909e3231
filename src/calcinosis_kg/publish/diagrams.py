"""Graphviz diagrams of the calcinosis types: the type hierarchy and one map per type.

People would rather look at a picture than read axioms, so the documentation site shows the
hierarchy and, for each type, its causes, associated diseases and sites. The DOT text is written
here (sorted, so the same graph always gives the same diagram) and rendered to SVG by the ``dot``
tool of the Graphviz system package, called as a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from calcinosis_kg.core.errors import InputError

DOT_MISSING = (
    "Graphviz 'dot' was not found on PATH; install the system package 'graphviz' "
    "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)"
)

#: Node styles of the map's neighbour kinds: (fill colour, shape), one per role.
ROLE_STYLE: dict[str, tuple[str, str]] = {
    "cause": ("#fde0c5", "box"),
    "disease": ("#f8c8dc", "box"),
    "site": ("#d4ecd4", "ellipse"),
}
#: Cluster captions: they name the relation, so the edges need no labels of their own.
ROLE_CAPTION: dict[str, str] = {
    "cause": "causes and contributing factors",
    "disease": "associated diseases",
    "site": "sites (located in)",
}


@dataclass(frozen=True)
class Node:
    """A diagram node: stable id (CURIE), visible label and an optional link."""

    id: str
    label: str
    href: str | None = None


@dataclass(frozen=True)
class Neighbour:
    """Something related to a type in its map: a cause, an associated disease or a site."""

    role: str  # one of ROLE_STYLE
    node: Node


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines kept literal.

    Backslash sequences (``\\n``, ``\\N``, ``\\G``) are DOT escapes inside labels, so a label that
    contains a backslash must not be able to inject one.
    """
    cleaned = " ".join(str(text).split())
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrap(label: str, width: int = 22) -> str:
    """Break long labels over lines (DOT ``\\n``) so nodes stay narrow."""
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines) or label


def _label_attr(label: str) -> str:
    # each line is escaped on its own (backslashes, quotes), then joined with DOT's \n break
    lines = [quote(part)[1:-1] for part in _wrap(label).split("\n")]
    return '"' + "\\n".join(lines) + '"'


def _node_line(node: Node, extra: str = "", dot_id: str | None = None) -> str:
    """One node statement; ``dot_id`` overrides the DOT identifier (the tooltip keeps node.id)."""
    attrs = [f"label={_label_attr(node.label)}", f"tooltip={quote(node.id + ' ' + node.label)}"]
    if node.href:
        attrs += [f"URL={quote(node.href)}", 'target="_top"']
    if extra:
        attrs.append(extra)
    return f"  {quote(dot_id or node.id)} [{', '.join(attrs)}];"


_HEADER = [
    '  graph [fontname="Helvetica", fontsize=11, bgcolor="white", pad=0.2];',
    '  node [fontname="Helvetica", fontsize=10, style="filled,rounded", shape=box, '
    'fillcolor="#e8eef7", color="#4a6fa5"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
]


def hierarchy_dot(
    nodes: Iterable[Node],
    edges: Iterable[tuple[str, str]],
    defined: Iterable[tuple[str, str]] = (),
    related: Iterable[str] = (),
) -> str:
    """DOT of the type hierarchy: ``edges`` are (child id, parent id).

    ``defined`` edges come from equivalence definitions (a defined class under its genus) and are
    drawn dashed. ``related`` nodes (shown for comparison, not in the hierarchy, e.g. osteoma
    cutis) get a dashed white box. Everything is sorted, so the text depends only on the content.
    """
    related = set(related)
    node_list = sorted(set(nodes), key=lambda n: (n.id, n.label))
    # root on the left, subtypes to the right (wide sibling lists grow downwards, not sideways);
    # edges are drawn parent -> child with the hollow "is a" arrowhead at the parent end
    lines = ["digraph hierarchy {", "  graph [rankdir=LR, ranksep=0.5, nodesep=0.12];", *_HEADER]
    lines += [
        _node_line(n, 'style="rounded,dashed", fillcolor="white"' if n.id in related else "")
        for n in node_list
    ]
    lines += [
        f"  {quote(p)} -> {quote(c)} [dir=back, arrowtail=empty];" for c, p in sorted(set(edges))
    ]
    lines += [
        f"  {quote(p)} -> {quote(c)} [dir=back, arrowtail=empty, style=dashed];"
        for c, p in sorted(set(defined))
    ]
    lines.append("}")
    return "\n".join(lines) + "\n"


def type_map_dot(center: Node, neighbours: Sequence[Neighbour]) -> str:
    """DOT of one type's map: causes and associated diseases point at the type, the type points
    at its sites; one captioned cluster per role. Sorted for determinism."""
    lines = ["digraph type_map {", "  graph [rankdir=LR, ranksep=0.6, nodesep=0.2];", *_HEADER]
    lines.append(_node_line(center, 'fillcolor="#4a6fa5", fontcolor="white", penwidth=2'))
    seen: set[tuple[str, str]] = set()
    ordered = sorted(neighbours, key=lambda n: (n.role, n.node.label.lower(), n.node.id))
    for role in ROLE_STYLE:
        members = [n for n in ordered if n.role == role]
        if not members:
            continue
        fill, shape = ROLE_STYLE[role]
        lines.append(f"  subgraph {quote('cluster_' + role)} {{")
        lines.append(
            f'    graph [label={quote(ROLE_CAPTION[role])}, style="rounded,dashed", '
            'color="#999999", fontcolor="#555555"];'
        )
        for member in members:
            if (role, member.node.id) in seen or member.node.id == center.id:
                continue
            seen.add((role, member.node.id))
            line = _node_line(
                member.node, f'fillcolor="{fill}", shape={shape}', dot_id=f"{role}:{member.node.id}"
            )
            lines.append("  " + line)
        lines.append("  }")
    for role, node_id in sorted(seen):
        member_id = quote(f"{role}:{node_id}")
        if role == "site":
            lines.append(f"  {quote(center.id)} -> {member_id};")
        else:
            lines.append(f"  {member_id} -> {quote(center.id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_executable(which: Callable[[str], str | None] = shutil.which) -> str:
    """Path of Graphviz ``dot``; a one-line InputError naming the package when it is absent."""
    path = which("dot")
    if path is None:
        raise InputError(DOT_MISSING)
    return path


def render_svg(dot_text: str, timeout: float = 60.0) -> bytes:
    """Render DOT text to SVG with Graphviz ``dot -Tsvg`` (no shell, input on stdin)."""
    dot = dot_executable()
    try:
        proc = subprocess.run(
            [dot, "-Tsvg"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except OSError as exc:
        raise InputError(f"{DOT_MISSING} ({exc.strerror or exc})") from exc
    except subprocess.TimeoutExpired:
        raise InputError(
            f"Graphviz dot did not finish within {timeout:g} s (stopped; "
            "--no-diagrams skips the diagrams)"
        ) from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"Graphviz dot failed: {message[0] if message else proc.returncode}")
    return proc.stdout


def inline_svg(svg: bytes) -> str:
    """SVG markup to place inside an HTML page: the XML prolog, DOCTYPE and comments removed."""
    text = svg.decode("utf-8")
    start = text.find("<svg")
    if start < 0:
        raise InputError("Graphviz dot produced no <svg> element")
    return text[start:].strip()
