"""What the explorer page needs besides SPARQL: the bundled query list, search, class cards, and
its own static files.

Why apart from ``app``: these are the page's JSON API and assets, not the SPARQL protocol. The
class card is the card of ``calcinosis-kg show`` (``answers.show``), never a second rendering of
the graph: the page and the command cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcinosis_kg.answers.resolve import AmbiguousTerm, UnknownTerm, resolve
from calcinosis_kg.answers.search import search
from calcinosis_kg.answers.show import card
from calcinosis_kg.answers.show_render import to_dict
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.resources import serve_static_dir
from calcinosis_kg.graph.queryfiles import list_queries
from calcinosis_kg.serve.service import HttpError

if TYPE_CHECKING:
    from calcinosis_kg.serve.service import Service

STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


def query_list() -> list[dict[str, object]]:
    """The bundled queries: name, title, question, parameters and example bindings."""

    return [
        {
            "name": q.name,
            "title": q.title,
            "question": q.question,
            "parameters": list(q.parameters),
            "example": dict(q.example_bindings),
        }
        for q in list_queries()
    ]


def static(route: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a page asset, or None; only files directly in the static folder."""

    name = "index.html" if route == "/" else route.removeprefix("/static/")
    if route != "/" and not route.startswith("/static/"):
        return None
    folder = serve_static_dir()
    allowed = {p.name: p for p in folder.iterdir() if p.suffix in STATIC_TYPES}
    path = allowed.get(name)
    if path is None:
        return None
    return path.read_bytes(), STATIC_TYPES[path.suffix]


def class_card(service: Service, entity: str) -> dict[str, object]:
    """The class card of ``calcinosis-kg show``: ``answers.show.card`` as
    ``answers.show_render.to_dict`` (the JSON of ``show --format json``), for a CURIE, an IRI, a
    label or a synonym (resolved by ``answers.resolve`` exactly as ``show`` resolves it).

    Runs in the server process, not in a query worker: it reads the loaded ontology only (no user
    SPARQL), and its cost is bounded by the ontology (milliseconds after the first card).
    """

    if entity.startswith('"'):
        raise HttpError(400, f"class={entity}: give a CURIE, an IRI or a name, not a literal")
    try:
        found = resolve(service.kg, entity)
        data = to_dict(card(service.kg, expand(found.curie)))
    except UnknownTerm as exc:
        raise HttpError(404, exc.one_line()) from None
    except (AmbiguousTerm, InputError) as exc:
        raise HttpError(400, exc.one_line()) from None
    except ValueError as exc:  # pyoxigraph: not an IRI ("Invalid IRI code point '{'")
        raise HttpError(
            400, f"class={entity}: not a valid IRI ({' '.join(str(exc).split())})"
        ) from None
    data["iri"] = expand(found.curie)
    return data


def api(service: Service, name: str, params: dict[str, list[str]]) -> object:
    """``/api/search?q=…`` and ``/api/card?class=IRI|CURIE``."""

    if name == "search":
        text = (params.get("q") or [""])[-1].strip()[:200]
        if not text:
            raise HttpError(400, "give q=TEXT")
        hits = search(service.kg, text, limit=25)
        return [
            {
                "curie": h.curie,
                "iri": expand(h.curie),
                "label": h.label,
                "matched": h.matched,
                "field": h.field,
            }
            for h in hits
        ]
    if name == "card":
        value = (params.get("class") or [""])[-1].strip()
        if not value:
            raise HttpError(400, "give class=IRI or CURIE")
        return class_card(service, value)
    raise HttpError(404, f"no API '{name}' (search, card)")
