"""Talk to someone else's triple store: the names this wing uses for the project's one HTTP
client (``graph.http_client``: a deadline per exchange, a size limit on answers, no redirects,
credentials only in answer to their origin's challenge, messages without credentials) and its
SPARQL engine (``graph.remote``: checked results, a loud failure when the server says it cut
the result, as Virtuoso's ``X-SPARQL-MaxRows`` does at 10 000 rows).

Why the names stay here: ``push``, ``check --endpoint`` and their tests know the client by them.
"""

from __future__ import annotations

from calcinosis_kg.graph.http_client import Client, Credentials, RemoteError, origin, public
from calcinosis_kg.graph.remote import check_row_cap, select

__all__ = [
    "Client",
    "Credentials",
    "RemoteError",
    "check_row_cap",
    "origin",
    "public",
    "select",
]
