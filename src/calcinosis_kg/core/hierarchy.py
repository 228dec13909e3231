"""The transitive closure of a class hierarchy, written once.

Why a module of its own: ancestors and descendants are asked of many hierarchies — the asserted
one of the loaded graph (``KnowledgeGraph.ancestors``), a class card's named parents, HermiT's
inferred pairs, the release's reduction, the cases wing's compiled ontology — each with its own
notion of "parent"; the walk over it (breadth-first, each node once, cycles of equivalent classes
ended) is the same and lives here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

_N = TypeVar("_N", bound=Hashable)


def closure(start: _N, step: Callable[[_N], Iterable[_N]]) -> list[_N]:
    """Every node reachable from ``start`` by ``step`` (parents → ancestors, children →
    descendants), nearest first, each once, ``start`` itself never included.

    >>> parents = {"c": ["b"], "b": ["a", "c"], "a": []}
    >>> closure("c", lambda n: parents.get(n, []))
    ['b', 'a']
    """
    seen: set[_N] = set()
    found: list[_N] = []
    todo = deque(step(start))
    while todo:
        node = todo.popleft()
        if node in seen or node == start:
            continue
        seen.add(node)
        found.append(node)
        todo.extend(step(node))
    return found


def ancestor_map(parents: Mapping[_N, Iterable[_N]]) -> dict[_N, set[_N]]:
    """Each node of ``parents`` (a node → its direct parents) mapped to all its ancestors.

    >>> ancestor_map({"c": ["b"], "b": ["a"]}) == {"c": {"a", "b"}, "b": {"a"}}
    True
    """
    return {node: set(closure(node, lambda n: parents.get(n, ()))) for node in parents}
