"""What the explorer page needs besides SPARQL: the bundled query list, search, class cards, and
its own static files.

Why apart from ``app``: these are the page's JSON API and assets, not the SPARQL protocol. The
class card goes through ``class_card`` only: it runs the bundled cq12 class-card query today and
is the one place to switch to ``answers.show`` when that lands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Answer
    from calcinosis_kg.serve.service import Service

STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".css": "text/css; charset=utf-8"}


def query_list() -> list[dict[str, object]]:
    """The bundled queries: name, title, question, parameters and example bindings."""
    from calcinosis_kg.graph.queryfiles import list_queries

    return [{"name": q.name, "title": q.title, "question": q.question,
             "parameters": list(q.parameters), "example": dict(q.example_bindings)}
            for q in list_queries()]


def static(route: str) -> tuple[bytes, str] | None:
    """(bytes, media type) of a page asset, or None; only files directly in the static folder."""
    from calcinosis_kg.core.resources import serve_static_dir

    name = "index.html" if route == "/" else route.removeprefix("/static/")
    if route != "/" and not route.startswith("/static/"):
        return None
    folder = serve_static_dir()
    allowed = {p.name: p for p in folder.iterdir() if p.suffix in STATIC_TYPES}
    path = allowed.get(name)
    if path is None:
        return None
    return path.read_bytes(), STATIC_TYPES[path.suffix]


_SUBTYPES = """SELECT ?class ?sub WHERE {
  ?sub rdfs:subClassOf ?class . FILTER(isIRI(?sub))
} ORDER BY ?sub"""


def class_card(service: Service, entity: str) -> dict[str, object]:
    """A class card (label, definition, parents, subtypes, statements with their supporting
    sentences, mappings): the bundled cq12 class-card query plus the direct subtypes.

    The one adapter the lead switches to ``answers.show`` once it exists.
    """
    import pyoxigraph

    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.core.prefixes import compress
    from calcinosis_kg.graph.queryfiles import get_query
    from calcinosis_kg.graph.sparql_text import parse_term
    from calcinosis_kg.serve.service import HttpError

    try:
        term = parse_term(entity)
    except InputError as exc:
        raise HttpError(400, exc.one_line()) from None
    if not isinstance(term, pyoxigraph.NamedNode):
        raise HttpError(400, f"class={entity}: give an IRI or a CURIE")
    labels = service.dataset.labels

    def show(node: object) -> dict[str, str] | None:
        if node is None:
            return None
        if isinstance(node, pyoxigraph.NamedNode):
            return {"iri": node.value, "curie": compress(node.value),
                    "label": labels.get(node.value, "")}
        return {"text": getattr(node, "value", str(node))}

    def statements(form: str, answer: Answer | None) -> list[tuple[str, dict[str, object]]]:
        if answer is None:
            return []
        out = []
        for row in answer.rows:
            cells = dict(zip(answer.variables, row, strict=True))
            out.append((getattr(cells.get("aspect"), "value", "subtype"),
                        {"property": show(cells.get("property")),
                         "value": show(cells.get("value") or cells.get("sub")),
                         "support": getattr(cells.get("support"), "value", None)}))
        return out

    found = service.execute(get_query("cq12").text, {"class": term}, render=statements)
    found += service.execute(_SUBTYPES, {"class": term}, render=statements)
    sections: dict[str, list[dict[str, object]]] = {}
    for aspect, statement in found:
        sections.setdefault(aspect, []).append(statement)
    if not found:
        raise HttpError(404, f"no class {compress(term.value)} in this graph")
    return {"iri": term.value, "curie": compress(term.value), "label": labels.get(term.value, ""),
            "sections": sections}


def api(service: Service, name: str, params: dict[str, list[str]]) -> object:
    """``/api/search?q=…`` and ``/api/card?class=IRI|CURIE``."""
    from calcinosis_kg.serve.service import HttpError

    if name == "search":
        from calcinosis_kg.answers.search import search
        from calcinosis_kg.core.prefixes import expand

        text = (params.get("q") or [""])[-1].strip()[:200]
        if not text:
            raise HttpError(400, "give q=TEXT")
        hits = search(service.kg, text, limit=25)
        return [{"curie": h.curie, "iri": expand(h.curie), "label": h.label,
                 "matched": h.matched, "field": h.field} for h in hits]
    if name == "card":
        value = (params.get("class") or [""])[-1].strip()
        if not value:
            raise HttpError(400, "give class=IRI or CURIE")
        return class_card(service, value)
    raise HttpError(404, f"no API '{name}' (search, card)")
