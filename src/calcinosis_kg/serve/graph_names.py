"""The names of a dataset's named graphs, one scheme for ``serve`` and ``push``.

Under a base IRI (``serve``: ``…/graph/``; ``push``: its ``--graph``), HermiT's additions are
``<base>/inferred`` and each data file ``<base>/data/<stem>``, so a query that names a data or
inferred graph runs unchanged against ``calcinosis-kg serve`` and against a store after
``push --graph https://w3id.org/calcinosis-kg/graph/``. The stem is stable (the file's name, not
its place in a list, unless two files share it), unique (percent-encoding keeps distinct stems
distinct, and a stem already taken gets ``-2``, ``-3``… in the order the files are given) and
IRI-safe (every octet outside RFC 3986's unreserved set is percent-encoded, including bytes of a
file name that is not UTF-8).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable
from pathlib import Path

from calcinosis_kg.core.vocab import CCKG_GRAPH

GRAPH_BASE = CCKG_GRAPH
ASSERTED = GRAPH_BASE + "asserted"
INFERRED = GRAPH_BASE + "inferred"


def inferred_graph_iri(base: str = GRAPH_BASE) -> str:
    """``<base>/inferred``: HermiT's additions."""
    return base.rstrip("/") + "/inferred"


def data_graph_iris(
    paths: Iterable[Path], base: str = GRAPH_BASE, taken: Iterable[str] = ()
) -> list[str]:
    """``<base>/data/<percent-encoded stem>`` for each file, in order; a name already in
    ``taken`` or given to an earlier file gets ``-2``, ``-3``… (``stem-2`` is itself checked)."""
    prefix = base.rstrip("/") + "/data/"
    used = set(taken)
    names = []
    for path in paths:
        stem = Path(path).stem or "data"
        encoded = urllib.parse.quote(stem.encode("utf-8", "surrogateescape"), safe="-._~")
        iri, n = prefix + encoded, 2
        while iri in used:
            iri, n = f"{prefix}{encoded}-{n}", n + 1
        used.add(iri)
        names.append(iri)
    return names
