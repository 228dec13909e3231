"""The fast lane: a query whose work is proven small is answered in the server process itself,
with no hop to a worker.

Why it keeps every limit: only a query the guard has already accepted in a worker (under the
deadline) comes here, with the bound that worker proved on its algebra (``serve.cost``): at most
``cost.FAST_BOUND`` intermediate solutions and a text pyoxigraph reads within ``cost.FAST_PARSE``.
Its answer is held whole, so it is bounded too: at most ``FAST_CHARS`` characters of terms and
``FAST_BYTES`` bytes written, else the query goes to a worker (and stays there: ``TooLarge``);
one that took more than ``FAST_CPU`` here anyway also goes to a worker from then on.
The row limit is applied as in a worker, and the answer's bytes are the worker's bytes for the
same query. Anything unexpected (an evaluation error, a format the client cannot take) also goes
to a worker, which answers it as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcinosis_kg.serve.dataset import AnswerTooLarge
from calcinosis_kg.serve.guard import query_dataset
from calcinosis_kg.serve.results import NotAcceptable, negotiate, write_to
from calcinosis_kg.serve.worker import Head

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Dataset
    from calcinosis_kg.serve.guard import CheckedQuery
    from calcinosis_kg.serve.service import Limits
    from calcinosis_kg.serve.worker import Job

#: the most characters of terms an answer in the server process may hold
FAST_CHARS = 32 << 10
#: the longest answer written in the server process (bytes)
FAST_BYTES = 128 << 10
#: CPU seconds past which a text answered here goes to a worker from then on (a belt to the
#: bound's braces: a bounded query is answered here at most once if it proves slow anyway)
FAST_CPU = 0.005


class TooLarge(Exception):
    """The answer is too large for the fast lane: this query goes to a worker from now on."""


def answer_here(dataset: Dataset, job: Job, verdict: CheckedQuery, limits: Limits) -> Head | None:
    """The whole answer to ``job`` as a ``Head`` with its body, or None when a worker must
    answer it (``TooLarge`` when it always will)."""
    try:
        fmt = negotiate(verdict.form, job.accept, job.requested)
    except NotAcceptable:
        return None  # the worker gives the 406
    default, named = query_dataset(verdict, job.default_graphs, job.named_graphs)
    try:
        answer = dataset.run(
            job.text, job.bindings, default, named, limits.row_limit, job.base, FAST_CHARS
        )
    except AnswerTooLarge:
        raise TooLarge from None
    except Exception:  # noqa: BLE001 (the worker answers the error, as it always has)
        return None
    parts: list[bytes] = []
    size = 0

    def emit(data: bytes) -> None:
        nonlocal size
        size += len(data)
        if size > FAST_BYTES:
            raise TooLarge
        parts.append(data)

    try:
        write_to(
            answer,
            fmt,
            limits.row_limit,
            limits.timeout,
            emit,
            dataset.labels if job.labels and fmt == "json" else None,
        )
    except TooLarge:
        raise
    except Exception:  # noqa: BLE001 (as above: the worker answers it)
        return None
    count = len(answer.rows) if answer.form == "SELECT" else len(answer.triples)
    return Head(fmt, count, answer.truncated, verdict, b"".join(parts))
