"""The shared state of a server: the loaded graph, the dataset and the limits every request is
held to.

Why apart from ``app``: the HTTP layer (``app``), the worker pool (``pool``) and the explorer
API (``explorer``) all read it; keeping it here lets them import it without importing each
other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import CalcinosisKGError

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph
    from calcinosis_kg.serve.dataset import Dataset


@dataclass(frozen=True)
class Limits:
    """What one request may cost, and who may read the answers.

    ``max_concurrent`` queries run at once (one worker process each), ``queue`` more wait at most
    ``queue_wait`` seconds, anything beyond gets a 503 with Retry-After; at most
    ``max_connections`` connections are open. ``fast_lane``: a query of proven small work is
    answered in the server process (``serve.fast``). ``allow_origins`` / ``allow_hosts``: see
    ``app.Access``.
    """

    timeout: float = 10.0
    row_limit: int = 10_000
    max_body: int = 1 << 20
    max_url: int = 16 << 10
    max_concurrent: int = 4
    memory_mb: int = 2048
    queue: int = 64
    queue_wait: float = 2.0
    max_connections: int = 512
    max_headers: int = 64
    max_header_bytes: int = 8 << 10
    request_timeout: float = 30.0  # seconds a client may take to send a request's body
    allow_origins: tuple[str, ...] = ()
    allow_hosts: tuple[str, ...] = ()
    fast_lane: bool = True  # answer queries of proven small work in the server (``serve.fast``)

    @property
    def workers(self) -> int:
        """How many worker processes to start: one per concurrent query."""
        return self.max_concurrent


class HttpError(CalcinosisKGError):
    """An HTTP status and its one-line message, sent to the client as the response."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class Service:
    """The loaded graph (class cards, search), the dataset (queries) and the limits."""

    def __init__(self, kg: KnowledgeGraph, dataset: Dataset, limits: Limits) -> None:
        self.kg, self.dataset, self.limits = kg, dataset, limits
