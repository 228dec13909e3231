"""The shared state of a server: the dataset, its limits, and the guarded, bounded run of a query.

Why apart from ``app``: the HTTP handler and the explorer API both run queries through
``Service.execute`` (guard, worker slot, killable child, errors as HTTP statuses); keeping it here
lets both import it without importing each other. The killable child is ``graph.bounded``'s,
the same the CLI's ``query --timeout`` uses (``quiet``: nothing on the server's stderr).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from calcinosis_kg.serve.guard import Refused, check_query

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.serve.dataset import Answer, Dataset

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """What one query may cost: wall time, rows, request size, concurrent queries."""

    timeout: float = 10.0
    row_limit: int = 10_000
    max_body: int = 1 << 20
    max_url: int = 16 << 10
    max_concurrent: int = 4
    memory_mb: int = 2048


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class Service:
    """The dataset, its limits and the worker slots shared by every request handler."""

    def __init__(self, kg: KnowledgeGraph, dataset: Dataset, limits: Limits) -> None:
        self.kg, self.dataset, self.limits = kg, dataset, limits
        self.slots = threading.BoundedSemaphore(limits.max_concurrent)

    def execute(self, text: str, bindings: dict | None = None,
                default_graphs: list[str] | tuple[str, ...] = (),
                named_graphs: list[str] | tuple[str, ...] = (),
                render: Callable[[str, Answer | None], T] | None = None) -> T:
        """Guarded, bounded run of one query; ``render(form, answer)`` runs in the worker too and
        its (picklable) value is returned. Raises HttpError with the status to answer."""
        from calcinosis_kg.core.errors import CalcinosisKGError, InputError
        from calcinosis_kg.graph.bounded import QueryTimeout, QueryTooBig, run_bounded

        try:
            checked = check_query(text, self.dataset.graphs, default_graphs, named_graphs)
        except Refused as exc:
            raise HttpError(exc.status, exc.message) from None
        limits, dataset = self.limits, self.dataset
        finish: Callable[[str, Answer | None], T] = render or (
            lambda form, answer: answer)  # type: ignore[assignment,return-value]
        finish(checked.form, None)  # e.g. content negotiation fails before any work

        def work() -> T:
            try:
                answer = dataset.run(text, bindings, list(default_graphs or checked.from_graphs),
                                     list(named_graphs or checked.from_named), limits.row_limit)
            except SyntaxError as exc:  # pyoxigraph's own reading of a text rdflib accepted
                raise InputError(f"SPARQL syntax error: {' '.join(str(exc).split())}") from None
            return finish(checked.form, answer)

        if not self.slots.acquire(timeout=1.0):
            raise HttpError(503, f"busy: {limits.max_concurrent} queries already running",
                            {"Retry-After": "1"})
        try:
            return run_bounded(work, limits.timeout, limits.memory_mb, quiet=True)
        except QueryTimeout:
            raise HttpError(503, f"query stopped after {limits.timeout:g} s (the server's "
                                 "per-query timeout, see X-Query-Timeout)",
                            {"X-Query-Timeout": f"{limits.timeout:g}"}) from None
        except QueryTooBig:
            raise HttpError(503, f"query stopped: it needed more than {limits.memory_mb} MB"
                            ) from None
        except InputError as exc:  # a syntax error or a failed evaluation, one line
            message = exc.message if exc.message.startswith("SPARQL syntax error") else \
                "query failed: " + exc.message.removeprefix("query failed: ")
            raise HttpError(400, message) from None
        except CalcinosisKGError:
            # pyoxigraph aborts the process when an allocation fails under the memory ceiling
            raise HttpError(503, "query stopped: its worker ended without an answer (most likely "
                                 f"it needed more than {limits.memory_mb} MB)") from None
        finally:
            self.slots.release()
